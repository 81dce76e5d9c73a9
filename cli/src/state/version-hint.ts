// The handshake's one line: when the server runs another build than this CLI, say so, at most once a day
// for this user however many commands and hooks run (docs/distribution.md). A marker file per day in
// ~/.residue is created exclusively, so of many hooks running at once exactly one prints.
import { closeSync, mkdirSync, openSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const MARKER = "version-hint-";

/** The hint for a server of another version, or null when the versions agree. */
export function versionHint(cli: string, server: string): string | null {
  if (cli === server) return null;
  return `residue: this CLI is ${cli}, the server runs ${server}; \`residue upgrade\` installs the server's build (said once a day)`;
}

/**
 * True for the first caller of the day (UTC) only. Anything that goes wrong (an unwritable home, a
 * directory where the marker should be) answers false: a missed hint costs nothing, a repeated one annoys.
 */
export function claimToday(home: string, now: number): boolean {
  const dir = join(home, ".residue");
  const today = `${MARKER}${new Date(now).toISOString().slice(0, 10)}`;
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(join(dir, today), "wx"));
  } catch {
    return false;
  }
  for (const name of readdirSync(dir))
    if (name.startsWith(MARKER) && name !== today) rmSync(join(dir, name), { force: true, recursive: true });
  return true;
}
