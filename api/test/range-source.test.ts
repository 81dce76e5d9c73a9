// The R2 RangeSource the site's views read through, over a real local R2 binding (wrangler's platform proxy:
// workerd's R2 in a temporary directory).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPlatformProxy } from "wrangler";
import { r2RangeSource } from "../src/storage/range-source.ts";

let proxy: Awaited<ReturnType<typeof getPlatformProxy<{ BUCKET: R2Bucket }>>>;
let bucket: R2Bucket;
const dir = mkdtempSync(join(tmpdir(), "residue-range-"));
const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

beforeAll(async () => {
  proxy = await getPlatformProxy<{ BUCKET: R2Bucket }>({
    configPath: join(import.meta.dirname, "../../wrangler.toml"),
    persist: { path: join(dir, "state") },
  });
  bucket = proxy.env.BUCKET;
  await bucket.put("sessions/x/g1/c0", bytes);
});
afterAll(async () => {
  await proxy?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("r2RangeSource", () => {
  it("reads exactly the range asked for", async () => {
    const source = r2RangeSource(bucket);
    expect(await source.read("sessions/x/g1/c0", 10, 5)).toEqual(bytes.subarray(10, 15));
    expect(await source.read("sessions/x/g1/c0", 990, 10)).toEqual(bytes.subarray(990));
    expect(await source.read("sessions/x/g1/c0", 0, 0)).toEqual(new Uint8Array(0));
  });

  it("rejects a missing object and a range past its end", async () => {
    const source = r2RangeSource(bucket);
    await expect(source.read("sessions/x/g1/c1", 0, 5)).rejects.toThrow(/missing/);
    await expect(source.read("sessions/x/g1/c0", 995, 10)).rejects.toThrow();
  });
});
