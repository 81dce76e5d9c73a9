// One page of a session's index, as stored (JSON, a range of an index object named by the manifest). A view
// reads the pages holding its messages, then the segments their blocks name, and maps block by block.

/** Where a run of whole lines is stored: in chunk `c<push>`, at `offset`, `length` deflate bytes. */
export type SegmentRef = [push: number, offset: number, length: number, firstLine: number, lines: number];

/**
 * A block: messages mapped together from lines [from, to] (plus `extra` line ranges, e.g. a sub-agent's
 * file), with the context the structure pass gave that window. Re-mapping it gives exactly `count`
 * messages, the whole-file mapping's messages `first` … `first + count - 1`.
 */
export interface BlockEntry {
  first: number;
  count: number;
  from: number;
  to: number;
  extra: [number, number][];
  /** The format's window context (formats' WindowMapping), as the CLI's structure pass gave it. */
  context: unknown;
  /** The segments holding lines [from, to] and `extra`, in line order. */
  segments: SegmentRef[];
}

export interface PageBody {
  /** Per message of the page's blocks, in order: its line (Message.line) and time (ms, or null). */
  messages: [line: number, at: number | null][];
  blocks: BlockEntry[];
}
