// The store's RangeSource over the Worker's R2 binding: how the site's views read pages and segments.
import type { RangeSource } from "@residue/store";

/** Reads exactly the bytes asked for, one ranged R2 get each; a missing object or a short read rejects. */
export function r2RangeSource(bucket: R2Bucket): RangeSource {
  return {
    async read(key, offset, length) {
      if (length === 0) return new Uint8Array(0);
      const object = await bucket.get(key, { range: { offset, length } });
      if (!object) throw new Error(`stored object ${key} is missing`);
      const bytes = new Uint8Array(await object.arrayBuffer());
      if (bytes.byteLength !== length)
        throw new Error(`stored object ${key} holds ${bytes.byteLength} bytes at ${offset}, ${length} were asked for`);
      return bytes;
    },
  };
}
