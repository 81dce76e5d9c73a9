// Pass one of a push: the transcript's bytes, cut into whole lines, go into a local gzip file whose deflate
// stream is cut by full flushes into segments (~256 KB raw each). The file stays one valid .gz of the whole
// transcript (an unfinished last line included), and any segment inflates on its own, so windows are read
// back by segment instead of holding the transcript in memory.
import { closeSync, openSync, writeSync } from "node:fs";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { FINAL_BLOCK, GZIP_HEADER, gzipTrailer } from "../gzip-frame.ts";

/** Raw bytes of whole lines per segment: 1.6 % more storage than one stream, ~0.6 ms to inflate one. */
export const SEGMENT_BYTES = 256 * 1024;

/** Where one segment lies in the local file, and which transcript bytes and lines it holds. */
export interface LocalSegment {
  /** Offset of its deflate bytes in the local .gz file (the 10-byte header included). */
  at: number;
  length: number;
  raw: number;
  rawLength: number;
  firstLine: number;
  lines: number;
}

export interface SegmentedFile {
  /** Segments of whole lines, in order (not the unfinished last line's). */
  segments: LocalSegment[];
  /** Whole lines: their count, bytes and CRC32 (what the server stores). */
  lines: number;
  rawSize: number;
  crc32: number;
  /** End offset (raw) of each whole line, for byte budgets of windows. */
  lineEnds: Float64Array;
}

/**
 * Writes segments to `path` as lines come. `cuts` are line numbers a segment must end on (the ends of the
 * segments stored before: the server keeps them, so lines up to there are cut as they were); after the last
 * one, segments are cut by size.
 */
export function segmentWriter(path: string, cuts: readonly number[]) {
  const fd = openSync(path, "w", 0o600);
  writeSync(fd, GZIP_HEADER);
  let at = GZIP_HEADER.length;
  const segments: LocalSegment[] = [];
  const lastCut = cuts.at(-1) ?? 0;
  let nextCut = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingLines = 0;
  let raw = 0;
  let line = 0;
  let crc = 0;
  let lineEnds = new Float64Array(1024);

  const flush = () => {
    if (pendingBytes === 0) return;
    const bytes = Buffer.concat(pending, pendingBytes);
    // Lines the server holds are compressed again only to be read back here: fast level 1 (2.4× less CPU);
    // what is uploaded gets level 6.
    const level = line <= lastCut ? 1 : 6;
    const deflated = deflateRawSync(bytes, { level, finishFlush: constants.Z_FULL_FLUSH });
    writeSync(fd, deflated);
    segments.push({ at, length: deflated.length, raw, rawLength: bytes.length, firstLine: line - pendingLines + 1, lines: pendingLines });
    crc = crc32(bytes, crc);
    at += deflated.length;
    raw += bytes.length;
    pending = [];
    pendingBytes = 0;
    pendingLines = 0;
  };

  return {
    /** One whole line, its newline included. */
    line(bytes: Buffer) {
      pending.push(bytes);
      pendingBytes += bytes.length;
      pendingLines++;
      line++;
      if (line >= lineEnds.length) {
        const grown = new Float64Array(lineEnds.length * 2);
        grown.set(lineEnds);
        lineEnds = grown;
      }
      lineEnds[line] = raw + pendingBytes;
      while (nextCut < cuts.length && (cuts[nextCut] as number) < line) nextCut++;
      if (line === cuts[nextCut] || (line > lastCut && pendingBytes >= SEGMENT_BYTES)) flush();
    },
    /** Closes the file with the unfinished last line (kept locally, never stored: it waits for the next push). */
    close(tail: Buffer): SegmentedFile {
      flush();
      const whole = { segments, lines: line, rawSize: raw, crc32: crc, lineEnds: lineEnds.subarray(0, line + 1) };
      let total = crc;
      if (tail.length) {
        const deflated = deflateRawSync(tail, { level: 6, finishFlush: constants.Z_FULL_FLUSH });
        writeSync(fd, deflated);
        total = crc32(tail, crc);
      }
      writeSync(fd, FINAL_BLOCK);
      writeSync(fd, gzipTrailer(total, raw + tail.length));
      closeSync(fd);
      return whole;
    },
  };
}
