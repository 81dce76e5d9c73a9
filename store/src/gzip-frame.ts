// How stored segments are served as one gzip member of the transcript: header ‖ every chunk ‖ an empty
// final deflate block ‖ CRC32 and size. No byte of the chunks is inflated or compressed to do it.

export const GZIP_HEADER = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/** An empty final deflate block (fixed Huffman, end-of-block only): closes a run of full-flushed segments. */
export const FINAL_BLOCK = Uint8Array.from([0x03, 0x00]);

export function gzipTrailer(crc32: number, rawSize: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, crc32 >>> 0, true);
  view.setUint32(4, rawSize % 2 ** 32, true);
  return out;
}

/** The served gzip member's length, for Content-Length. */
export const gzipLength = (chunkBytes: number) => GZIP_HEADER.length + chunkBytes + FINAL_BLOCK.length + 8;
