// Credentials in URLs (`https://user:token@host/…`, as git remotes and RESIDUE_URL may hold them) never
// reach the terminal or .residue/log: every output path and the logger pass text through here. Pure.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

export function redact(text: string): string {
  return text.replace(USERINFO, "$1***@");
}
