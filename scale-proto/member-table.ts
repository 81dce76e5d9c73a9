// Where each member lies: in the stored object, in the raw transcript, and which lines it holds.

export interface Member {
  /** Byte offset of the member in the stored object (compressed). */
  comp: number;
  compLength: number;
  /** Byte offset of its first raw byte in the transcript. */
  raw: number;
  rawLength: number;
  /** 1-based number of its first line; it holds `lines` whole lines. */
  firstLine: number;
  lines: number;
}

/** The members holding lines [from, to] (1-based, inclusive), by binary search on the member table. */
export function membersFor(members: Member[], from: number, to: number): { first: number; last: number } {
  const find = (line: number) => {
    let lo = 0;
    let hi = members.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((members[mid] as Member).firstLine <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return { first: find(from), last: find(to) };
}
