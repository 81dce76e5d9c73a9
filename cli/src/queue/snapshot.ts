// Durable copies: agents delete old transcripts, so each session's data is kept gzipped in .residue/snapshots
// at session end and at capture, with the scan of what it holds. Uploads read from here.
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { PassThrough, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { NotWindowable } from "@residue/store/writer";
import type { Control } from "../config/control.ts";
import { CliError } from "../errors/cli-error.ts";
import { createRedactor, type Redactor, redactionTransform } from "../redaction/index.ts";
import { appendLog } from "../state/log.ts";
import type { LocalSession } from "../state/model.ts";
import { createScanner, type TranscriptScan } from "../transcript/scan.ts";
import { SectionLog } from "./section-log.ts";
import { placeSegments, removeSegmentTemps, type SegmentsMeta, segmentsAgent, wholeLines, writeSegments } from "./segments.ts";
import type { Agent } from "./sessions.ts";
import { openDocument, openSectionLog, type SectionStream, type SessionFiles, sessionFiles } from "./sources.ts";

export type SnapshotMeta = Omit<TranscriptScan, "positions"> & {
  /** The gzip file holding exactly these bytes (named by their hash, so meta and data never disagree). */
  file?: string;
  /** JSONL transcripts: the file is cut in segments, and this is the push it makes (segments.ts). */
  segments?: SegmentsMeta;
  /** Sizes and mtimes of the sources when copied: unchanged sources are not read again. */
  source_stamp?: string;
  /** Values redacted from these bytes, per rule (absent in snapshots taken before counts were kept). */
  redacted?: Record<string, number>;
  /** JSONL sessions: the section log these bytes were laid out by (the next snapshot replays it, then appends). */
  sections?: SectionLog;
  /** How many times the session's files were laid out anew (absent: never); each layout numbers its lines anew. */
  layout?: number;
  /** The layout the session's posted links were last translated with (absent: the first). */
  links_layout?: number;
};

export interface Snapshot {
  gzipPath: string;
  meta: SnapshotMeta;
}

/**
 * Secrets never leave the machine: every snapshot is redacted, and a snapshot is all that is uploaded and what
 * titles and search rows are read from. Bump the version when redaction removes more: snapshots taken before
 * are then taken again instead of being uploaded as they were. The user's and the repo's own rules are in the
 * stamp too (by hash), so changing them retakes the snapshots as well.
 */
const REDACTION_VERSION = "redaction-3";
const redactors = new Map<string, Redactor>();
/** The redactor for these rules, built once per run and rules: building one costs ~40 ms, using it nothing. */
export function redactorFor(control: Control): Redactor {
  const key = control.rulesHash ?? "";
  let redactor = redactors.get(key);
  if (!redactor) {
    redactor = createRedactor(control.redaction);
    redactors.set(key, redactor);
  }
  return redactor;
}

function rulesStamp(control: Control) {
  return control.rulesHash ? `${REDACTION_VERSION}+${control.rulesHash}` : REDACTION_VERSION;
}

function paths(stateDir: string, sessionId: string) {
  const dir = join(stateDir, "snapshots");
  return { dir, meta: join(dir, `${sessionId}.json`), legacyGz: join(dir, `${sessionId}.jsonl.gz`) };
}

/** Full transcripts are private: 0700 directory, 0600 files, repairing copies made before that rule. */
function ensurePrivateDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o777) === 0o700) return;
  chmodSync(dir, 0o700);
  for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o600);
}

function sourceStamp(files: SessionFiles): string | null {
  try {
    return [files.main, ...files.extra.map((e) => e.path)]
      .map((path) => {
        const s = statSync(path);
        return `${s.size}:${s.mtimeMs}`;
      })
      .join(",");
  } catch {
    return null;
  }
}

/** Passes bytes through unchanged while the scanner measures them. */
function measure(scanner: ReturnType<typeof createScanner>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      scanner.push(chunk);
      done(null, chunk);
    },
  });
}

/**
 * Refreshes the snapshot from the agent's file when it changed; otherwise returns the last one kept.
 * One read feeds both the scan (size, hash, message count) and the gzip copy that gets uploaded, so the
 * metadata describes exactly the uploaded bytes even while the agent keeps appending. Redaction comes before the
 * measurement, without the transcript ever being in memory. `control` holds the user's and the repo's rules: a
 * file that is wrong fails before this (ctx.control() throws), so nothing redacted with fewer rules than meant is
 * ever taken or uploaded. A JSONL transcript's copy is cut in segments, with the push the server lacks.
 */
export async function takeSnapshot(
  stateDir: string,
  sessionId: string,
  dataPath: string,
  agent: Agent,
  control: Control,
): Promise<Snapshot | null> {
  const previous = readSnapshot(stateDir, sessionId) ?? prunedSnapshot(stateDir, sessionId);
  const rules = rulesStamp(control);
  const retake = previous?.meta.segments?.conflict_after !== undefined || previous?.meta.segments?.stale === true;
  if (!existsSync(dataPath)) {
    const [keptRules, keptSources] = (previous?.meta.source_stamp ?? "").split("|");
    // Pruned: the server holds all of it, and no transcript is left to add to it.
    if (!previous || (keptRules === rules && !retake) || !existsSync(previous.gzipPath)) return previous;
    // The agent deleted its transcript and the rules changed since: the kept copy is redacted again with them.
    const gzip = previous.gzipPath;
    return writeSnapshot(stateDir, sessionId, agent, control, {
      source: () => [createReadStream(gzip), createGunzip()],
      stamp: `${rules}|${keptSources ?? ""}`,
      what: `the kept copy ${gzip}`,
      before: previous.meta.redacted,
      segments: previous.meta.segments !== undefined,
      log: previous.meta.sections,
    });
  }
  const files = sessionFiles(agent, dataPath);
  const sources = sourceStamp(files);
  const stamp = sources === null ? undefined : `${rules}|${sources}`;
  if (previous && !retake && stamp !== undefined && previous.meta.source_stamp === stamp) return previous;
  const segments = segmentsAgent(agent, dataPath);
  const job = (log: SectionLog | null, relaid: boolean): SnapshotJob => {
    // Each read of the source (a transcript the layout cannot hold is read again whole) lays out its own log.
    let read: SectionStream | null = null;
    return {
      source: () => {
        if (!segments) return [openDocument(files)];
        read = openSectionLog(files, log);
        return [read.stream];
      },
      stamp,
      what: `the ${agent} transcript ${dataPath}`,
      segments,
      log: segments ? () => read?.log() ?? null : undefined,
      relaid,
    };
  };
  const kept = readMeta(stateDir, sessionId)?.sections ?? null;
  const taken = await writeSnapshot(stateDir, sessionId, agent, control, job(kept, false));
  // A file's stored lines changed (rewritten): the log starts again, laid out from the files as they are.
  return taken ?? ((await writeSnapshot(stateDir, sessionId, agent, control, job(null, true))) as Snapshot);
}

interface SnapshotJob {
  /** The stages the bytes come from: a transcript, or a kept copy and its gunzip. */
  source: () => (NodeJS.ReadableStream | NodeJS.ReadWriteStream)[];
  stamp: string | undefined;
  /** What the source is, for the error when it cannot be read. */
  what: string;
  /** Counts of what the source had redacted already (a kept copy redacted again). */
  before?: Record<string, number>;
  /** Cut in segments (a JSONL transcript), or one gzip stream (a whole JSON document). */
  segments: boolean;
  /** The section log the source laid out (read once it ended; null: the kept log no longer holds), or the kept one. */
  log?: SectionStream["log"] | SectionLog;
  /** The kept log no longer held: these bytes are a new layout of the session's files. */
  relaid?: boolean;
}

/**
 * Writes one snapshot: source → redaction → measurement → gzip (or segments), then the meta naming it. Null
 * (nothing written) when the source's section log no longer holds: the caller reads it again without the log.
 */
async function writeSnapshot(
  stateDir: string,
  sessionId: string,
  agent: Agent,
  control: Control,
  job: SnapshotJob,
): Promise<Snapshot | null> {
  const p = paths(stateDir, sessionId);
  ensurePrivateDir(p.dir);
  const temp = join(p.dir, `${sessionId}.${process.pid}.tmp`);
  const kept = readMeta(stateDir, sessionId);
  const redacted: Record<string, number> = { ...(job.before ?? {}) };
  const stages = () => [
    ...job.source(),
    redactionTransform(redactorFor(control), (counts) => {
      for (const [rule, n] of counts) redacted[rule] = (redacted[rule] ?? 0) + n;
    }),
  ];
  let scanner = createScanner(agent);
  let segments: Awaited<ReturnType<typeof writeSegments>> | null = null;
  try {
    if (job.segments && segmentsAgent(agent, ".jsonl")) {
      try {
        const input = new PassThrough();
        const writing = writeSegments({
          dir: p.dir,
          temp,
          agent,
          input,
          kept: kept?.segments,
          keptDocuments: kept?.segments ? join(p.dir, kept.segments.documents) : null,
        }).catch((error) => {
          input.destroy(error);
          throw error;
        });
        [, segments] = await Promise.all([pipeline([...stages(), wholeLines(), measure(scanner), input]), writing]);
      } catch (error) {
        removeSegmentTemps(temp);
        // A transcript the layout cannot hold (lines out of order, one block's context past a page) goes up whole.
        if (!(error instanceof NotWindowable || error instanceof RangeError)) throw error;
        for (const rule of Object.keys(redacted)) redacted[rule] = job.before?.[rule] ?? 0;
        scanner = createScanner(agent);
        segments = null;
      }
    }
    if (!segments)
      await pipeline([...stages(), measure(scanner), createGzip({ level: 6 }), createWriteStream(`${temp}.gz`, { mode: 0o600 })]);
  } catch (error) {
    removeSegmentTemps(temp);
    throw new CliError(
      `cannot read ${job.what} (${(error as Error).message})`,
      "make it a readable file again (check its permissions); the session stays queued until then",
      undefined,
      { cause: error },
    );
  }
  const sections = typeof job.log === "function" ? job.log() : job.log;
  if (sections === null) {
    removeSegmentTemps(temp);
    return null;
  }
  const { positions: _positions, ...scan } = scanner.finish();
  const base = `${sessionId}.${scan.content_hash.slice(7, 23)}`;
  const file = `${base}.jsonl.gz`;
  const layout = (kept?.layout ?? 0) + (job.relaid ? 1 : 0);
  const meta: SnapshotMeta = { ...scan, file, source_stamp: job.stamp, redacted, sections, layout, links_layout: kept?.links_layout };
  if (segments) {
    const names = { gzip: file, index: `${base}.index`, documents: `${base}.docs.jsonl` };
    placeSegments(segments.paths, p.dir, names);
    const { written, confirmed } = segments;
    meta.segments = {
      confirmed,
      push: { layout: written.layout, chunk: written.chunk, index: names.index, next: written.state, confirmed: false },
      documents: names.documents,
    };
  } else renameSync(`${temp}.gz`, join(p.dir, file));
  writeMeta(p.meta, meta);
  const current = new Set([file, meta.segments?.push.index, meta.segments?.documents]);
  // Another process may be writing its own snapshot of this session: its temp files (`.<pid>.tmp.…`) are its.
  for (const name of readdirSync(p.dir)) {
    const keep = current.has(name) || /\.\d+\.tmp\./.test(name);
    if (name.startsWith(`${sessionId}.`) && /\.(jsonl\.gz|index|docs\.jsonl)$/.test(name) && !keep)
      rmSync(join(p.dir, name), { force: true });
  }
  return { gzipPath: join(p.dir, file), meta };
}

function writeMeta(path: string, meta: SnapshotMeta) {
  writeFileSync(`${path}.${process.pid}.tmp`, JSON.stringify(meta), { mode: 0o600 });
  renameSync(`${path}.${process.pid}.tmp`, path);
}

/**
 * The kept meta. Its section log decides what every later snapshot replays and where links land, so one that
 * does not read as a log is dropped (with a line in .residue/log): the session is laid out anew, never misread.
 */
export function readMeta(stateDir: string, sessionId: string): SnapshotMeta | null {
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(readFileSync(paths(stateDir, sessionId).meta, "utf8")) as SnapshotMeta;
  } catch {
    return null;
  }
  if (meta.sections === undefined) return meta;
  const sections = SectionLog.safeParse(meta.sections);
  if (sections.success) return { ...meta, sections: sections.data };
  appendLog(
    stateDir,
    `snapshot: ${sessionId}: its kept section log does not read as one (${sections.error.issues[0]?.message}); the session is laid out anew`,
  );
  // No stamp: the sources are read again even when they did not change, in a new layout.
  return { ...meta, sections: undefined, source_stamp: undefined, layout: (meta.layout ?? 0) + 1 };
}

/** A snapshot whose data the server confirmed and that was pruned: its meta says what the server holds. */
function prunedSnapshot(stateDir: string, sessionId: string): Snapshot | null {
  const meta = readMeta(stateDir, sessionId);
  if (!meta?.segments?.push.confirmed) return null;
  return { gzipPath: join(paths(stateDir, sessionId).dir, meta.file ?? ""), meta };
}

/**
 * The server holds this snapshot's push (its `stored` answer equals the push's totals): the data is pruned,
 * and the state the next push continues from is kept. Never called for what the server has not confirmed.
 */
export function confirmSnapshot(stateDir: string, sessionId: string, pushed: Snapshot) {
  const p = paths(stateDir, sessionId);
  const meta = readMeta(stateDir, sessionId);
  const push = pushed.meta.segments?.push;
  if (!meta?.segments || !push) return;
  if (meta.content_hash !== pushed.meta.content_hash) {
    // A newer snapshot was taken meanwhile (a hook), its push made after what the server held before: it is
    // taken again after what the server holds now.
    writeMeta(p.meta, { ...meta, segments: { ...meta.segments, confirmed: push.next, stale: true } });
    return;
  }
  writeMeta(p.meta, {
    ...meta,
    segments: { ...meta.segments, confirmed: push.next, push: { ...push, confirmed: true }, conflict_after: undefined },
  });
  for (const name of [meta.file, push.index]) if (name) rmSync(join(p.dir, name), { force: true });
}

/**
 * The session's posted links count lines of an earlier layout: they must be posted again, translated with
 * this snapshot's log, once it is stored.
 */
export function linksRelaid(meta: SnapshotMeta): boolean {
  return (meta.layout ?? 0) !== (meta.links_layout ?? 0);
}

/** The session's links were posted again, translated with the log of layout `layout`. */
export function linksLaidOut(stateDir: string, sessionId: string, layout: number) {
  const meta = readMeta(stateDir, sessionId);
  if (meta) writeMeta(paths(stateDir, sessionId).meta, { ...meta, links_layout: layout });
}

/** The server refused the push as not following what it holds: the next snapshot starts a new generation. */
export function refuseSnapshot(stateDir: string, sessionId: string) {
  const meta = readMeta(stateDir, sessionId);
  if (!meta?.segments) return;
  const generation = Math.max(meta.segments.push.layout.generation, meta.segments.conflict_after ?? 0);
  writeMeta(paths(stateDir, sessionId).meta, { ...meta, segments: { ...meta.segments, conflict_after: generation } });
}

export function readSnapshot(stateDir: string, sessionId: string): Snapshot | null {
  const p = paths(stateDir, sessionId);
  const meta = readMeta(stateDir, sessionId);
  if (!meta) return null;
  const gzipPath = meta.file ? join(p.dir, meta.file) : p.legacyGz;
  return existsSync(gzipPath) ? { gzipPath, meta } : null;
}

/** Removes every local copy of a session's data (a forgotten or deleted session keeps nothing behind). */
export function dropSnapshot(stateDir: string, sessionId: string) {
  const p = paths(stateDir, sessionId);
  if (!existsSync(p.dir)) return;
  for (const name of readdirSync(p.dir)) if (name.startsWith(`${sessionId}.`)) rmSync(join(p.dir, name), { force: true });
}

export type DataState = "transcript" | "snapshot" | "uploaded" | "lost" | "not-yet";

/** Where a session's data stands now; "lost" is a transcript deleted before its first upload with no copy kept. */
export function dataState(stateDir: string, s: LocalSession): DataState {
  if (existsSync(s.data_path)) return "transcript";
  if (readSnapshot(stateDir, s.id)) return "snapshot";
  return withoutData(s);
}

/** A session with neither transcript nor snapshot: on the backend already, lost, or not written yet. */
export function withoutData(s: LocalSession): "uploaded" | "lost" | "not-yet" {
  if (s.uploaded_hash !== null) return "uploaded";
  return s.data_seen ? "lost" : "not-yet";
}

export const DATA_STATE_TEXT: Record<Exclude<DataState, "transcript">, string> = {
  snapshot: "transcript gone (snapshot kept)",
  uploaded: "transcript gone (uploaded before, no local copy)",
  lost: "transcript deleted before upload, no copy kept: cannot be uploaded; the next push sends its commits without it",
  "not-yet": "no transcript written yet",
};
