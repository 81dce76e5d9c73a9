// The install scripts as served: the server's own origin and current release filled into the templates.
import installPs1 from "./install.ps1?raw";
import installSh from "./install.sh?raw";

export type Installer = "sh" | "ps1";

const TEMPLATES: Record<Installer, string> = { sh: installSh, ps1: installPs1 };

// Both go into single-quoted strings of a script someone pipes into a shell: only characters that cannot
// end the quote or start an expansion are let through (an origin is scheme://host[:port]; `_` appears in hosts such as docker-compose service names).
const SAFE_ORIGIN = /^https?:\/\/[A-Za-z0-9._[\]:-]+$/;

/** The script for `origin`; `version` is "" when the server has no release (the script then says so). */
export function renderInstaller(kind: Installer, origin: string, version: string): string {
  if (!SAFE_ORIGIN.test(origin)) throw new Error(`refusing to bake the origin ${JSON.stringify(origin)} into an install script`);
  if (!/^[0-9A-Za-z.-]*$/.test(version)) throw new Error(`refusing to bake the version ${JSON.stringify(version)} into an install script`);
  return TEMPLATES[kind].replaceAll("__RESIDUE_SERVER__", origin).replaceAll("__RESIDUE_VERSION__", version);
}
