// A snapshot in segments (JSONL transcripts): the local .gz is cut by full flushes so the push the server
// lacks is a byte range of it, written with its index pages and search documents when the snapshot is
// taken (the agent may delete its transcript before the push). Once the server confirms it holds the
// push, the data is pruned and only the state stays: the next push continues from it.
import { closeSync, createReadStream, existsSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type PassThrough, Transform } from "node:stream";
import { WINDOWS } from "@residue/formats/windows";
import type { LayoutPush, SearchDocument } from "@residue/protocol";
import { type WindowedAgent, type WriterState, writeSession } from "@residue/store/writer";

/** What a segments snapshot keeps besides the scan (SnapshotMeta.segments). */
export interface SegmentsMeta {
  /** What the server confirmed holding (null: nothing yet): the push below continues from it. */
  confirmed: WriterState | null;
  /** The push this snapshot's data makes after `confirmed`; `sent` once the server confirmed it. */
  push: {
    layout: LayoutPush;
    /** The chunk: a byte range of the snapshot's .gz (null when no whole line was added). */
    chunk: { offset: number; length: number } | null;
    /** The index object's file, beside the .gz. */
    index: string;
    next: WriterState;
    confirmed: boolean;
  };
  /** The session's search documents (JSONL, every message): kept after pruning, growth re-maps only its end. */
  documents: string;
  /** The server confirmed an older push than this one was made after: the push is made again. */
  stale?: boolean;
  /** A push refused as not following what the server holds: the next snapshot starts a generation after it. */
  conflict_after?: number;
}

/** Agents whose transcripts are lines (their files end in .jsonl); whole JSON documents keep the one-object upload. */
export function segmentsAgent(agent: string, dataPath: string): agent is WindowedAgent {
  return dataPath.endsWith(".jsonl") && agent in WINDOWS;
}

/** Withholds an unfinished last line: it waits for the next snapshot, when the agent has written it whole. */
export function wholeLines(): Transform {
  let held: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        held.push(chunk);
        return done();
      }
      const out = Buffer.concat([...held, chunk.subarray(0, nl + 1)]);
      held = nl + 1 < chunk.length ? [chunk.subarray(nl + 1)] : [];
      done(null, out);
    },
  });
}

export async function* readDocuments(path: string): AsyncGenerator<SearchDocument> {
  if (!existsSync(path)) return;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY }))
    if (line) yield JSON.parse(line) as SearchDocument;
}

/**
 * Writes the snapshot's .gz, index and documents from `input` (redacted whole lines) into `dir`, under temp
 * names the caller renames. Documents before the re-mapped part come from the kept ones.
 */
export async function writeSegments(opts: {
  dir: string;
  temp: string;
  agent: WindowedAgent;
  input: PassThrough;
  kept: SegmentsMeta | undefined;
  keptDocuments: string | null;
}) {
  const conflict = opts.kept?.conflict_after;
  // After a refused push, nothing stored is assumed: a new generation, numbered past the refused one.
  const confirmed = conflict !== undefined ? null : (opts.kept?.confirmed ?? null);
  const paths = { gzip: `${opts.temp}.gz`, index: `${opts.temp}.index`, documents: `${opts.temp}.docs.jsonl` };
  // New documents go to a file as blocks are mapped (a long session has hundreds of thousands).
  const fresh = openSync(`${opts.temp}.new-docs`, "w", 0o600);
  const written = await writeSession({
    agent: opts.agent,
    input: opts.input,
    confirmed,
    after: conflict,
    gzipPath: paths.gzip,
    indexPath: paths.index,
    onDocuments: (d) => {
      if (d.length) writeSync(fresh, d.map((doc) => `${JSON.stringify(doc)}\n`).join(""));
    },
  }).finally(() => closeSync(fresh));
  const out = openSync(paths.documents, "w", 0o600);
  try {
    if (opts.keptDocuments)
      for await (const doc of readDocuments(opts.keptDocuments))
        if (doc.i < written.documentsFrom) writeSync(out, `${JSON.stringify(doc)}\n`);
    for await (const chunk of createReadStream(`${opts.temp}.new-docs`)) writeSync(out, chunk as Buffer);
  } finally {
    closeSync(out);
    rmSync(`${opts.temp}.new-docs`, { force: true });
  }
  return { written, confirmed, paths };
}

/** Moves the written files to their final names. */
export function placeSegments(
  paths: { gzip: string; index: string; documents: string },
  dir: string,
  names: { gzip: string; index: string; documents: string },
) {
  renameSync(paths.gzip, join(dir, names.gzip));
  renameSync(paths.index, join(dir, names.index));
  renameSync(paths.documents, join(dir, names.documents));
}

export function removeSegmentTemps(temp: string) {
  for (const suffix of [".gz", ".index", ".docs.jsonl", ".new-docs"]) rmSync(`${temp}${suffix}`, { force: true });
}
