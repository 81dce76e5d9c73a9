// One streaming pass over a transcript: size, hash, message count, title and the position reached at given
// times. A 500 MB transcript is never held in memory.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { type Agent, firstUserPrompt } from "@residue/formats";

export interface Position {
  line: number;
  byte: number;
  last_message_at: number | null;
}

export interface TranscriptScan {
  byte_size: number;
  content_hash: string;
  message_count: number;
  /** The physical line number of the last non-blank line (what positions and `Message.line` count). */
  last_line: number;
  title: string | null;
  first_at: number | null;
  last_at: number | null;
  /** For each requested time: how far the transcript had got (last line stamped at or before it). */
  positions: Map<number, Position>;
}

const TIMESTAMP = /"timestamp"\s*:\s*(?:"([^"]{10,40})"|(\d{10,16}))/;

export function lineTimestamp(line: string): number | null {
  const m = TIMESTAMP.exec(line);
  if (!m) return null;
  const value = m[1] !== undefined ? Date.parse(m[1]) : Number(m[2]);
  if (!Number.isFinite(value)) return null;
  return m[2] !== undefined && value < 1e12 ? value * 1000 : value;
}

/** Sees each line with the position before and after it, in the same pass (link evidence reads it). */
export type LineObserver = (text: string, before: Position, after: Position) => void;

export function scanFile(path: string, agent: Agent, times: number[] = [], observe?: LineObserver): Promise<TranscriptScan> {
  return scanTranscript(createReadStream(path), agent, times, observe);
}

export async function scanTranscript(
  source: AsyncIterable<Buffer>,
  agent: Agent,
  times: number[] = [],
  observe?: LineObserver,
): Promise<TranscriptScan> {
  const scanner = createScanner(agent, times, observe);
  for await (const chunk of source) scanner.push(chunk);
  return scanner.finish();
}

/** The same scan fed chunk by chunk, so it can measure exactly the bytes another consumer (gzip) receives. */
export function createScanner(
  agent: Agent,
  times: number[] = [],
  observe?: LineObserver,
): { push(chunk: Buffer): void; finish(): TranscriptScan } {
  const hash = createHash("sha256");
  const sortedTimes = [...new Set(times)].sort((a, b) => a - b);
  const positions = new Map<number, Position>();
  let nextTime = 0;
  let byte = 0;
  let lines = 0;
  // Positions count physical lines, blank ones included, as the mappers number `Message.line`.
  let physical = 0;
  let title: string | null = null;
  let titleTries = 0;
  let first: number | null = null;
  let last: number | null = null;
  let reached: Position = { line: 0, byte: 0, last_message_at: null };
  // The bytes of an unfinished line, kept as parts so a very long line is joined once, not per chunk.
  let partial: Buffer[] = [];

  const onLine = (raw: Buffer, end: number) => {
    physical++;
    const text = raw.toString("utf8");
    if (!text.trim()) return;
    lines++;
    const before = reached;
    const at = lineTimestamp(text);
    if (at !== null) {
      while (nextTime < sortedTimes.length && at > (sortedTimes[nextTime] as number)) {
        positions.set(sortedTimes[nextTime] as number, reached);
        nextTime++;
      }
      first ??= at;
      last = at;
      reached = { line: physical, byte: end, last_message_at: at };
    } else {
      // Lines without a time belong with the last stamped one.
      reached = { ...reached, line: physical, byte: end };
    }
    observe?.(text, before, reached);
    if (title === null && titleTries < 200) {
      titleTries++;
      title = firstUserPrompt(agent, text);
    }
  };

  return {
    push(chunk: Buffer) {
      hash.update(chunk);
      let start = 0;
      let nl = chunk.indexOf(10);
      while (nl !== -1) {
        const piece = chunk.subarray(start, nl);
        onLine(partial.length ? Buffer.concat([...partial, piece]) : piece, byte + nl + 1);
        partial = [];
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length) partial.push(chunk.subarray(start));
      byte += chunk.length;
    },
    finish(): TranscriptScan {
      if (partial.length) onLine(Buffer.concat(partial), byte);
      for (; nextTime < sortedTimes.length; nextTime++) positions.set(sortedTimes[nextTime] as number, reached);
      return {
        byte_size: byte,
        content_hash: `sha256:${hash.digest("hex")}`,
        message_count: lines,
        last_line: reached.line,
        title,
        first_at: first,
        last_at: last,
        positions,
      };
    },
  };
}

/** The time of the first stamped line among the first 256 KB, or null (no file, no timestamps). */
export function firstTimestamp(path: string): number | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(256 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    for (const line of buffer.subarray(0, read).toString("utf8").split("\n")) {
      const at = lineTimestamp(line);
      if (at !== null) return at;
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
