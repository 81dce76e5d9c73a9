// Ignore globs: which directories' sessions are never captured. Pure string work, no file system.
import { dirname, isAbsolute, join } from "node:path";

/** An entry with a relative path put under `base`; `~/…` and `**…` (anywhere) are kept as written. */
export function anchoredEntry(entry: string, base: string): string {
  const trimmed = entry.length > 1 ? entry.replace(/\/+$/, "") : entry;
  if (trimmed === "~" || trimmed.startsWith("~/") || trimmed.startsWith("**") || isAbsolute(trimmed)) return trimmed;
  return join(base, trimmed);
}

/**
 * The absolute pattern an entry stands for: `~/…` is under `home`, and anything else relative is under `base`
 * (the current directory for `residue ignore`, the repo root for `.residue.json`).
 */
export function absoluteGlob(entry: string, base: string, home: string): string {
  const anchored = anchoredEntry(entry, base);
  return anchored === "~" || anchored.startsWith("~/") ? join(home, anchored.slice(1)) : anchored;
}

/** `**` spans directories, `*` and `?` stay within one, `[…]` is a character class; the rest is literal. */
export function globRegex(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (ch === "[" && pattern.indexOf("]", i + 2) > i) {
      const end = pattern.indexOf("]", i + 2);
      const body = pattern.slice(i + 1, end);
      source += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`.replace(/\\/g, "\\\\");
      i = end;
    } else source += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** Whether `dir` or one of the directories above it matches: ignoring a folder ignores what is inside. */
export function isUnder(dir: string, pattern: string): boolean {
  const re = globRegex(pattern);
  for (let d = dir; ; d = dirname(d)) {
    if (re.test(d)) return true;
    if (dirname(d) === d) return false;
  }
}
