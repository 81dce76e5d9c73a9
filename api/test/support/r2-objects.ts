// What local R2 really holds, read from workerd's own storage (miniflare keeps each bucket's object index in a
// SQLite file), so a test can prove an object is gone rather than that the API stopped naming it.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export function storedObjectKeys(persistTo: string): Set<string> {
  const dir = join(persistTo, "v3", "r2", "miniflare-R2BucketObject");
  const keys = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".sqlite") || name === "metadata.sqlite") continue;
    const db = new DatabaseSync(join(dir, name), { readOnly: true });
    try {
      for (const row of db.prepare("SELECT key FROM _mf_objects").all()) keys.add(String(row.key));
    } finally {
      db.close();
    }
  }
  return keys;
}
