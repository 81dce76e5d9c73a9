// Durable copies: agents delete old transcripts, so each session's data is kept gzipped in .residue/snapshots
// at session end and at capture, with the scan of what it holds. Uploads read from here.
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { scanTranscript, type TranscriptScan } from "../transcript/scan.ts";
import { openSessionData, sessionFiles } from "./sources.ts";

export type SnapshotMeta = Omit<TranscriptScan, "positions">;

export interface Snapshot {
  gzipPath: string;
  meta: SnapshotMeta;
}

function paths(stateDir: string, sessionId: string) {
  const dir = join(stateDir, "snapshots");
  return { dir, gz: join(dir, `${sessionId}.jsonl.gz`), meta: join(dir, `${sessionId}.json`) };
}

/**
 * Refreshes the snapshot from the agent's file when it exists; otherwise returns the last one kept.
 * The copy is a stream pipeline, read → transforms → gzip → file, so stages such as redaction slot in
 * as `transforms` without the transcript ever being held in memory.
 */
export async function takeSnapshot(
  stateDir: string,
  sessionId: string,
  dataPath: string,
  agent: string,
  transforms: (() => Transform)[] = [],
): Promise<Snapshot | null> {
  const p = paths(stateDir, sessionId);
  if (!existsSync(dataPath)) return readSnapshot(stateDir, sessionId);
  const previous = readSnapshot(stateDir, sessionId);
  const files = sessionFiles(agent, dataPath);
  const scan = await scanTranscript(openSessionData(files), agent);
  const { positions: _positions, ...meta } = scan;
  if (previous && previous.meta.content_hash === meta.content_hash) return previous;
  mkdirSync(p.dir, { recursive: true });
  const temp = `${p.gz}.${process.pid}.tmp`;
  await pipeline([openSessionData(files), ...transforms.map((make) => make()), createGzip({ level: 6 }), createWriteStream(temp)]);
  renameSync(temp, p.gz);
  writeFileSync(p.meta, JSON.stringify(meta));
  return { gzipPath: p.gz, meta };
}

export function readSnapshot(stateDir: string, sessionId: string): Snapshot | null {
  const p = paths(stateDir, sessionId);
  if (!existsSync(p.gz) || !existsSync(p.meta)) return null;
  try {
    return { gzipPath: p.gz, meta: JSON.parse(readFileSync(p.meta, "utf8")) as SnapshotMeta };
  } catch {
    return null;
  }
}
