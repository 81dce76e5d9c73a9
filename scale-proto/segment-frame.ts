// How stored segments are framed as one gzip member (the writer: store/src/writer); no I/O, used by the Worker too.

export const GZIP_HEADER = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/** An empty final deflate block (fixed Huffman, end-of-block only): closes a run of full-flushed segments. */
export const FINAL_BLOCK = Uint8Array.from([0x03, 0x00]);

export function gzipTrailer(crc: number, rawSize: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, rawSize % 2 ** 32, true);
  return out;
}
