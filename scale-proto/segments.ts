// The alternative to gzip members: ONE gzip member whose deflate stream is cut into segments by full flushes.
// A full flush byte-aligns the stream and drops the history, so each segment inflates on its own
// (deflate-raw, plus the 2-byte empty final block 03 00), and segments compressed at different times by
// fresh compressors concatenate into one valid deflate stream. Stored: segments only, in chunk objects;
// served: 10-byte gzip header + chunks + 03 00 + CRC32/ISIZE trailer = a single-member .gz of the raw
// bytes that every client (curl, browsers) inflates, and that the Worker never has to recompress.
import { createReadStream } from "node:fs";
import { constants, crc32, deflateRawSync } from "node:zlib";
import type { Member } from "./member-table.ts";

export { FINAL_BLOCK, GZIP_HEADER, gzipTrailer } from "./segment-frame.ts";

export interface SegmentRun {
  segments: Member[];
  /** CRC32 of all raw bytes so far (the trailer needs the whole transcript's). */
  crc: number;
  rawSize: number;
  lines: number;
}

/**
 * Compresses lines from `fromLine` (1-based) of a transcript into full-flushed segments of about `target` raw
 * bytes, continuing a previous run (offsets, line numbers, CRC) — a re-push compresses only what is new.
 * `comp` offsets count from the start of the segment data (the served object adds the 10-byte header).
 */
export async function writeSegments(
  path: string,
  target: number,
  emit: (deflated: Buffer) => void,
  previous: SegmentRun = { segments: [], crc: 0, rawSize: 0, lines: 0 },
  level = 6,
): Promise<SegmentRun> {
  const segments: Member[] = [];
  const last = previous.segments.at(-1);
  let comp = last ? last.comp + last.compLength : 0;
  let raw = previous.rawSize;
  let line = previous.lines + 1;
  let crc = previous.crc;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingLines = 0;
  let skip = previous.rawSize;
  const cut = () => {
    const bytes = Buffer.concat(pending, pendingBytes);
    const deflated = deflateRawSync(bytes, { level, finishFlush: constants.Z_FULL_FLUSH });
    segments.push({ comp, compLength: deflated.length, raw, rawLength: bytes.length, firstLine: line, lines: pendingLines });
    crc = crc32(bytes, crc);
    emit(deflated);
    comp += deflated.length;
    raw += bytes.length;
    line += pendingLines;
    pending = [];
    pendingBytes = 0;
    pendingLines = 0;
  };
  for await (let chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    // The bytes already stored are read past, not compressed again.
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    chunk = chunk.subarray(skip);
    skip = 0;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) break;
      pending.push(chunk.subarray(from, nl + 1));
      pendingBytes += nl + 1 - from;
      pendingLines++;
      from = nl + 1;
      if (pendingBytes >= target) cut();
    }
    if (from < chunk.length) {
      const rest = Buffer.from(chunk.subarray(from));
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  // Only whole lines are stored: an unfinished last line waits for the next push.
  const partial = pending.at(-1)?.at(-1) !== 0x0a && pendingBytes > 0;
  if (partial) {
    const tail = pending.pop() as Buffer;
    pendingBytes -= tail.length;
  }
  if (pendingBytes > 0) cut();
  return { segments: [...previous.segments, ...segments], crc, rawSize: raw, lines: line - 1 };
}
