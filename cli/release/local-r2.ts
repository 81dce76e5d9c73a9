// Puts files into the local R2 that `wrangler dev --persist-to <dir>` serves, through wrangler's own
// platform proxy (the same storage code, never its on-disk format by hand): one workerd for every object,
// instead of a wrangler process per object.
import { openAsBlob } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";

export interface LocalPut {
  key: string;
  file: string;
  contentType: string;
}

export async function putLocal(root: string, persistTo: string, puts: readonly LocalPut[], onPut: (key: string) => void): Promise<void> {
  // `wrangler dev --persist-to X` keeps its data under X/v3; the proxy takes that directory itself.
  const proxy = await getPlatformProxy<{ BUCKET: R2Bucket }>({
    configPath: join(root, "wrangler.toml"),
    persist: { path: join(persistTo, "v3") },
  });
  try {
    for (const put of puts) {
      onPut(put.key);
      // A Blob backed by the file: its length is known (R2 requires it) and it is read as it is sent.
      const body = await openAsBlob(put.file);
      await proxy.env.BUCKET.put(put.key, body as never, { httpMetadata: { contentType: put.contentType } });
    }
  } finally {
    await proxy.dispose();
  }
}
