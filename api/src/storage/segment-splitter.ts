// A chunk's stored bytes cut back into its segments as they arrive, so each inflates on its own, in one
// synchronous call, only when the reader wants the next piece. Every segment ends with a full flush, which
// ends in the empty stored block `00 00 ff ff` at a byte boundary; that pattern is found by scanning, then
// confirmed by inflating: a cut that is not a segment end (the pattern inside compressed data, ~2^-32 a
// byte) does not inflate as a closed run, and the cut moves on to the next one. No index is read, so the
// download makes one R2 call per chunk, as the gzip pass-through does.
import { inflateRawSync } from "node:zlib";
import { FINAL_BLOCK } from "@residue/store";

const FLUSH_END = [0x00, 0x00, 0xff, 0xff] as const;

/** Where the next `00 00 ff ff` ends in `bytes[from, to)`, or -1. */
export function nextFlushEnd(bytes: Uint8Array, from: number, to: number): number {
  const view = bytes.subarray(0, to);
  for (let at = view.indexOf(FLUSH_END[3], from + 3); at !== -1; at = view.indexOf(FLUSH_END[3], at + 1)) {
    if (view[at - 1] === FLUSH_END[2] && view[at - 2] === FLUSH_END[1] && view[at - 3] === FLUSH_END[0]) return at + 1;
  }
  return -1;
}

/** The transcript bytes of a closed run of full-flushed segments, or null when `deflated` is not one. */
function inflateRun(deflated: Uint8Array): Uint8Array | null {
  const closed = new Uint8Array(deflated.byteLength + FINAL_BLOCK.length);
  closed.set(deflated);
  closed.set(FINAL_BLOCK, deflated.byteLength);
  try {
    return inflateRawSync(closed);
  } catch {
    return null;
  }
}

/**
 * Stored bytes in, whole segments' transcript bytes out. `push` adds what R2 gave; `next` inflates the
 * first complete segment held (null: none complete yet); `end` inflates what is left when the chunk is
 * all read, and throws when that is not a closed run (a damaged chunk).
 */
export class SegmentSplitter {
  private buffer = new Uint8Array(64 * 1024);
  private length = 0;
  /** Bytes before this offset hold no segment end yet found to inflate. */
  private scanned = 0;

  push(bytes: Uint8Array) {
    if (this.length + bytes.byteLength > this.buffer.byteLength) {
      const grown = new Uint8Array(Math.max(this.buffer.byteLength * 2, this.length + bytes.byteLength));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.byteLength;
  }

  next(): Uint8Array | null {
    for (;;) {
      const end = nextFlushEnd(this.buffer, Math.max(0, this.scanned - 3), this.length);
      if (end === -1) {
        this.scanned = this.length;
        return null;
      }
      this.scanned = end;
      const raw = inflateRun(this.buffer.subarray(0, end));
      if (raw === null) continue;
      this.buffer.copyWithin(0, end, this.length);
      this.length -= end;
      this.scanned = 0;
      return raw;
    }
  }

  /** What is left inflated (empty when the chunk ended on a segment end, as stored chunks do). */
  end(): Uint8Array {
    if (this.length === 0) return new Uint8Array(0);
    const raw = inflateRun(this.buffer.subarray(0, this.length));
    if (raw === null) throw new Error("the stored bytes do not end a run of full-flushed deflate segments");
    this.length = 0;
    return raw;
  }
}
