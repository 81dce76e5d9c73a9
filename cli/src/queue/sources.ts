// The files that make up one session's raw data. Most agents write one file; some write more beside it
// (Claude Code's sub-agent transcripts: each agent's spec says), which are captured with it. A JSONL session
// is read as a section log (section-log.ts): what is stored is replayed in its order, then each file's new
// whole lines are appended, so the stream grows only at its end.
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { Readable } from "node:stream";
import { AGENT_SPECS } from "../agents/index.ts";
import type { ExtraFile } from "../agents/spec.ts";
import { appendSection, MAIN, markerLine, needsMarker, type SectionLog } from "./section-log.ts";
import type { Agent } from "./sessions.ts";

export interface SessionFiles {
  main: string;
  extra: ExtraFile[];
}

export function sessionFiles(agent: Agent, dataPath: string): SessionFiles {
  return { main: dataPath, extra: AGENT_SPECS[agent].extraFiles(dataPath) };
}

/** A whole JSON document (one file, read as it is). */
export function openDocument(files: SessionFiles): Readable {
  return createReadStream(files.main);
}

const READ_BYTES = 1024 * 1024;

/** One file read as whole lines, a given number at a time; an unfinished last line is never given. */
class LineFile {
  bytes = 0;
  lines = 0;
  readonly hash: Hash = createHash("sha256");
  /** Opened at the first read, so a session of many files never holds them all open at once. */
  private handle: Promise<FileHandle | null> | undefined;
  /** Read and not given yet: whole lines at the front, maybe an unfinished one after them. */
  private buffer = Buffer.alloc(0);
  private ended = false;

  constructor(private readonly path: string) {}

  /**
   * A file gone (a sub-agent's file deleted) reads as empty: the log sees its lines missing and lays the session
   * out anew without them. Any other failure (permissions, too many open files, a disk error) is no sign the file
   * is gone: it fails this snapshot, and the session stays queued with what it holds.
   */
  private opened(): Promise<FileHandle | null> {
    this.handle ??= open(this.path, "r").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    return this.handle;
  }

  /** The next bytes of the file; null at its end. */
  private async read(): Promise<Buffer | null> {
    const handle = await this.opened();
    if (!handle || this.ended) return null;
    const chunk = Buffer.allocUnsafe(READ_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, READ_BYTES, null);
    if (bytesRead === 0) this.ended = true;
    return bytesRead ? chunk.subarray(0, bytesRead) : null;
  }

  /** Whether a whole line is there to give. A long line is read in parts and joined once. */
  async hasLine(): Promise<boolean> {
    if (this.buffer.indexOf(10) >= 0) return true;
    const parts = [this.buffer];
    for (let chunk = await this.read(); chunk; chunk = await this.read()) {
      parts.push(chunk);
      if (chunk.indexOf(10) >= 0) {
        this.buffer = Buffer.concat(parts);
        return true;
      }
    }
    this.buffer = Buffer.concat(parts);
    return false;
  }

  /** Up to `count` whole lines, as buffers of whole lines. */
  async *take(count: number): AsyncGenerator<Buffer> {
    let left = count;
    while (left > 0 && (await this.hasLine())) {
      let end = 0;
      let n = 0;
      for (let nl = this.buffer.indexOf(10); nl >= 0 && n < left; nl = this.buffer.indexOf(10, end)) {
        end = nl + 1;
        n++;
      }
      const out = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end);
      this.hash.update(out);
      this.bytes += out.length;
      this.lines += n;
      left -= n;
      yield out;
    }
  }

  async close() {
    await (await this.handle?.catch(() => null))?.close();
  }
}

/** What reading a session as a section log gives: the stream, then (once it ended) the log it laid out. */
export interface SectionStream {
  stream: Readable;
  /** The log of the stream just read; null when a file's stored lines changed (the log must start again). */
  log(): SectionLog | null;
}

/**
 * The session's stream: the sections of `log` replayed (each file's lines as stored), then each file's new
 * whole lines. A file whose replayed lines differ from the stored ones (rewritten, shortened, deleted) ends the
 * stream early and `log()` answers null: the caller reads again with no log (a new layout, a new generation).
 */
export function openSectionLog(files: SessionFiles, log: SectionLog | null): SectionStream {
  const all = [{ name: MAIN, path: files.main }, ...files.extra.map((e) => ({ name: e.name, path: e.path }))];
  const readers = new Map(all.map((f) => [f.name, new LineFile(f.path)]));
  for (const mark of log?.files ?? []) if (!readers.has(mark.name)) readers.set(mark.name, new LineFile(""));
  let result: SectionLog | null = null;
  let previous: string | undefined;
  async function* section(name: string, lines: number) {
    const reader = readers.get(name) as LineFile;
    if (!(await reader.hasLine())) return;
    if (needsMarker(previous, name)) yield Buffer.from(markerLine(name));
    previous = name;
    yield* reader.take(lines);
  }
  async function* chunks() {
    try {
      for (const [name, lines] of log?.sections ?? []) yield* section(name, lines);
      const held = (log?.files ?? []).every((mark) => {
        const reader = readers.get(mark.name) as LineFile;
        return reader.lines === mark.lines && reader.bytes === mark.bytes && reader.hash.copy().digest("hex") === mark.sha256;
      });
      if (!held) return;
      let next: SectionLog = log ?? { files: [], sections: [] };
      for (const { name } of all) {
        const reader = readers.get(name) as LineFile;
        const before = reader.lines;
        yield* section(name, Number.POSITIVE_INFINITY);
        if (reader.lines > before) next = appendSection(next, name, reader.lines - before);
      }
      const files = [...readers].flatMap(([name, r]) =>
        r.lines ? [{ name, bytes: r.bytes, lines: r.lines, sha256: r.hash.digest("hex") }] : [],
      );
      result = { ...next, files };
    } finally {
      for (const reader of readers.values()) await reader.close();
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), log: () => result };
}
