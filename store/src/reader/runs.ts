// Fewer reads: ranges of one object that follow each other are read as one range (R2 bills, and the Free
// plan caps, subrequests per request; the bytes are the same).

export interface Range {
  /** Which object of the generation (its push number). */
  push: number;
  offset: number;
  length: number;
}

export interface Run<T extends Range> extends Range {
  items: T[];
}

/** The ranges, deduplicated, in object and offset order, merged where one ends where the next starts. */
export function readRuns<T extends Range>(ranges: T[]): Run<T>[] {
  const sorted = [...ranges].sort((a, b) => a.push - b.push || a.offset - b.offset);
  const runs: Run<T>[] = [];
  for (const r of sorted) {
    const last = runs.at(-1);
    const seen = last?.items.at(-1);
    if (last && seen && seen.push === r.push && seen.offset === r.offset && seen.length === r.length) continue;
    if (last && last.push === r.push && last.offset + last.length === r.offset) {
      last.length += r.length;
      last.items.push(r);
    } else runs.push({ push: r.push, offset: r.offset, length: r.length, items: [r] });
  }
  return runs;
}
