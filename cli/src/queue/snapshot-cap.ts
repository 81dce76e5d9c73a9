// How much session data residue keeps in .residue/snapshots, against RESIDUE_SNAPSHOT_CAP. Data the server
// has confirmed is pruned at once; what is left waits for a push, and is never deleted for the cap: status
// and doctor say which sessions hold it and that `residue push` frees it.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../errors/cli-error.ts";

export const DEFAULT_SNAPSHOT_CAP = 1024 ** 3;
const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** RESIDUE_SNAPSHOT_CAP: bytes, or a number with K/M/G/T (binary units, "512M", "2G", "1.5G"); unset: 1 GiB. */
export function snapshotCap(env: Record<string, string | undefined>): number {
  const value = env.RESIDUE_SNAPSHOT_CAP?.trim();
  if (!value) return DEFAULT_SNAPSHOT_CAP;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(value);
  const bytes = m ? Number(m[1]) * (UNITS[(m[2] as string).toUpperCase()] as number) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes <= 0)
    throw new CliError(
      `RESIDUE_SNAPSHOT_CAP is '${value}', not a size`,
      "set it to a size such as 512M or 2G (binary units), or unset it for the default of 1G",
    );
  return Math.floor(bytes);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const [unit, size] = (["T", "G", "M", "K"] as const).map((u) => [u, UNITS[u] as number] as const).find(([, s]) => n >= s) as [
    string,
    number,
  ];
  return `${(n / size).toFixed(n / size < 10 ? 1 : 0)} ${unit}iB`;
}

export interface KeptData {
  bytes: number;
  /** Sessions holding data in the snapshots directory, most first. */
  sessions: { id: string; bytes: number }[];
}

/** What .residue/snapshots holds, per session (files are named `<session id>.…`). */
export function keptData(stateDir: string): KeptData {
  const dir = join(stateDir, "snapshots");
  const per = new Map<string, number>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { bytes: 0, sessions: [] };
  }
  for (const name of names) {
    const id = name.split(".")[0] as string;
    try {
      per.set(id, (per.get(id) ?? 0) + statSync(join(dir, name)).size);
    } catch {
      // Removed meanwhile (a push pruning it): nothing kept.
    }
  }
  const sessions = [...per].map(([id, bytes]) => ({ id, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { bytes: sessions.reduce((n, s) => n + s.bytes, 0), sessions };
}

/** The warning when kept data is over the cap, naming the sessions that hold most of it. */
export function overCap(kept: KeptData, cap: number): string | null {
  if (kept.bytes <= cap) return null;
  const named = kept.sessions
    .slice(0, 5)
    .map((s) => `${s.id.slice(0, 8)} (${formatBytes(s.bytes)})`)
    .join(", ");
  return `${formatBytes(kept.bytes)} of session data is kept in .residue/snapshots, over RESIDUE_SNAPSHOT_CAP (${formatBytes(cap)}): ${named}${kept.sessions.length > 5 ? ", …" : ""}. Data the server has not confirmed is never deleted: \`residue push\` uploads it, and what the server then holds is freed`;
}
