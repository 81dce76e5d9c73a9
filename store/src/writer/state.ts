// What the CLI keeps of a session's stored layout between pushes (in its snapshot meta, a few KB per MB of
// transcript): enough to add the next push without reading back anything the server holds.
import type { LayoutPage } from "@residue/protocol";
import type { SegmentRef } from "../page.ts";

/** A stored block, as the next push checks it: a block whose window or context changed is mapped again. */
export interface StoredBlock {
  first: number;
  count: number;
  from: number;
  to: number;
  /** SHA-256 of its window's bounds, extra lines and context. */
  digest: string;
  /** The line and latest time of its messages: what a page cut short before the next block says. */
  last_line: number;
  last_at: number | null;
}

export interface WriterState {
  agent: string;
  generation: number;
  /** Pushes of this generation the server holds: the next push's number. */
  pushes: number;
  raw_size: number;
  crc32: number;
  lines: number;
  messages: number;
  /** SHA-256 of the stored bytes (whole lines, raw): the next push continues only if its transcript starts with them. */
  prefix_sha256: string;
  /** Every stored segment, in line order, where the server holds it. */
  segments: SegmentRef[];
  /** Every stored page, in message order, with its blocks. */
  pages: { page: LayoutPage; blocks: StoredBlock[] }[];
}
