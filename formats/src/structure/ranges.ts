// Sets of line numbers kept as sorted [from, to] runs: what a structure pass hands to a window's mapper,
// small enough to store in a session's index however long the transcript is.

export type LineRanges = [number, number][];

/** Line numbers (in any order) as sorted runs. */
export function toRanges(lines: number[]): LineRanges {
  const sorted = [...lines].sort((a, b) => a - b);
  const out: LineRanges = [];
  for (const n of sorted) {
    const last = out.at(-1);
    if (last && n <= last[1] + 1) last[1] = Math.max(last[1], n);
    else out.push([n, n]);
  }
  return out;
}

export function inRanges(ranges: LineRanges, n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid] as [number, number];
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The part of the runs inside lines [from, to]: a window's share of a whole-file set. */
export function clipRanges(ranges: LineRanges, from: number, to: number): LineRanges {
  return ranges.filter(([a, b]) => b >= from && a <= to).map(([a, b]) => [Math.max(a, from), Math.min(b, to)]);
}

/** The union of runs, as sorted runs. */
export function mergeRanges(ranges: LineRanges): LineRanges {
  const out: LineRanges = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
