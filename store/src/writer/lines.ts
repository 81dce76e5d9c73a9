// Pass two reads windows of lines back from the local segmented file: only the segments holding them are
// read and inflated, so a window of a 1 GB transcript costs what the window holds.
import { closeSync, openSync, readSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { type LineRanges, mergeRanges } from "@residue/formats/structure/ranges";
import { type Line, parseLine } from "@residue/formats/windows";
import { FINAL_BLOCK } from "../gzip-frame.ts";
import type { LocalSegment } from "./segments.ts";

/** The segments holding any line of `ranges` (sorted, merged runs), in order. */
export function segmentsFor<T extends { firstLine: number; lines: number }>(segments: readonly T[], ranges: LineRanges): T[] {
  const out: T[] = [];
  for (const [a, b] of ranges) {
    let lo = 0;
    let hi = segments.length - 1;
    // The first segment ending at or after line a.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = segments[mid] as T;
      if (s.firstLine + s.lines - 1 < a) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < segments.length; i++) {
      const s = segments[i] as T;
      if (s.firstLine > b) break;
      if (s.firstLine + s.lines - 1 >= a && out.at(-1) !== s) out.push(s);
    }
  }
  return out;
}

export function lineReader(path: string, segments: readonly LocalSegment[]) {
  const fd = openSync(path, "r");
  // The windows of one pass move forward and overlap a little: a few inflated segments cover the overlap.
  const cache = new Map<LocalSegment, string[]>();
  const linesOf = (s: LocalSegment) => {
    let lines = cache.get(s);
    if (!lines) {
      const deflated = Buffer.alloc(s.length + FINAL_BLOCK.length);
      readSync(fd, deflated, 0, s.length, s.at);
      deflated.set(FINAL_BLOCK, s.length);
      lines = inflateRawSync(deflated).toString("utf8").split("\n");
      if (cache.size >= 8) cache.delete(cache.keys().next().value as LocalSegment);
      cache.set(s, lines);
    }
    return lines;
  };
  return {
    /** The parsed lines of these runs, in line order (blank and unreadable lines left out, as mappers do). */
    read(ranges: LineRanges): Line[] {
      const runs = mergeRanges(ranges);
      const out: Line[] = [];
      for (const s of segmentsFor(segments, runs)) {
        const texts = linesOf(s);
        for (let i = 0; i < s.lines; i++) {
          const n = s.firstLine + i;
          if (!runs.some(([a, b]) => n >= a && n <= b)) continue;
          const line = parseLine(texts[i] as string, n);
          if (line && line !== "bad") out.push(line);
        }
      }
      return out;
    },
    close: () => closeSync(fd),
  };
}
