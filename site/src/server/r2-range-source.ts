// The range reader's source in the Worker: R2 range reads. Until the API exports its own adapter.
import type { RangeSource } from "@residue/store";

export const r2RangeSource = (bucket: R2Bucket): RangeSource => ({
  async read(key, offset, length) {
    const object = await bucket.get(key, { range: { offset, length } });
    if (!object) throw new Error(`${key} is not stored`);
    return new Uint8Array(await object.arrayBuffer());
  },
});
