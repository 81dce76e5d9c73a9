// How much session data residue keeps in .residue/snapshots, against RESIDUE_SNAPSHOT_CAP. Data the server
// has confirmed is pruned at once; what is left waits for a push, and is never deleted for the cap: status
// and doctor say which sessions hold it and that `residue push` frees it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../errors/cli-error.ts";
import type { SnapshotMeta } from "./snapshot.ts";

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
  /** Bytes of data the server has not confirmed holding. */
  bytes: number;
  /** The sessions holding it, most first. */
  sessions: { id: string; bytes: number }[];
}

/**
 * What .residue/snapshots holds that the server has not confirmed (files are named `<session id>.…`): a
 * snapshot in segments says so itself; a one-object snapshot is confirmed once the queue marks its bytes
 * uploaded (`uploaded`: the hash the server holds of a queued session).
 */
export function keptData(stateDir: string, uploaded: (id: string) => string | null | undefined): KeptData {
  const dir = join(stateDir, "snapshots");
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { bytes: 0, sessions: [] };
  }
  const per = new Map<string, number>();
  for (const name of names) {
    const id = name.split(".")[0] as string;
    try {
      per.set(id, (per.get(id) ?? 0) + statSync(join(dir, name)).size);
    } catch {
      // Removed meanwhile (a push pruning it): nothing kept.
    }
  }
  const sessions = [...per]
    .filter(([id]) => {
      const meta = readMeta(dir, id);
      if (!meta) return false;
      return meta.segments ? !meta.segments.push.confirmed : uploaded(id) !== meta.content_hash;
    })
    .map(([id, bytes]) => ({ id, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return { bytes: sessions.reduce((n, s) => n + s.bytes, 0), sessions };
}

function readMeta(dir: string, id: string): SnapshotMeta | null {
  try {
    return JSON.parse(readFileSync(join(dir, `${id}.json`), "utf8")) as SnapshotMeta;
  } catch {
    return null;
  }
}

/** The warning when kept data is over the cap, naming the sessions that hold most of it. */
export function overCap(kept: KeptData, cap: number): string | null {
  if (kept.bytes <= cap) return null;
  const named = kept.sessions
    .slice(0, 5)
    .map((s) => `${s.id.slice(0, 8)} (${formatBytes(s.bytes)})`)
    .join(", ");
  return `${formatBytes(kept.bytes)} of session data waits in .residue/snapshots for the server, over RESIDUE_SNAPSHOT_CAP (${formatBytes(cap)}): ${named}${kept.sessions.length > 5 ? ", …" : ""}. Data the server has not confirmed is never deleted: \`residue push\` uploads it, and what the server then holds is freed`;
}
