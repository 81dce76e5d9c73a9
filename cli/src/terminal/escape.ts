// Transcripts, commit messages and server replies are other people's bytes. Written raw, an ESC sequence
// in them drives the reader's terminal: OSC 52 writes the clipboard, OSC 0 retitles the window, CSI 2J
// clears the screen, OSC 8 hides a link target, a CR or a bidi override hides text. Everything residue
// prints passes through here, so no command has to remember.

// Bold on/off (our search highlighting, harmless whoever sends it) pass as they are; otherwise C0 controls
// but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and bidi marks, embeddings and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes.
const TOKEN = /\u001b\[(?:1|22)m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return "^?";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/**
 * Makes `text` inert for a terminal: control characters become visible (`^[`, `<U+009B>`), except newline,
 * tab, bold on/off, and one carriage return at the very start (how a progress line redraws itself).
 */
export function escapeForTerminal(text: string): string {
  const lead = text.startsWith("\r") ? "\r" : "";
  return lead + text.slice(lead.length).replace(TOKEN, (m) => (m.length > 1 ? m : visible(m)));
}
