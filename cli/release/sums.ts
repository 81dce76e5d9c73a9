// The release's checksums: SHA-256 of each binary, written as SHA256SUMS and read back as the manifest
// that `releases/current.json` publishes.
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseSums, RELEASE_TARGETS, type ReleaseManifest, SUMS_FILE } from "@residue/protocol/release";

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Hashes the target binaries present in `dir`, in the contract's order. */
export async function hashRelease(dir: string, version: string): Promise<ReleaseManifest> {
  const files: ReleaseManifest["files"] = {};
  for (const { file } of RELEASE_TARGETS) {
    const stat = statSync(join(dir, file), { throwIfNoEntry: false });
    if (stat) files[file] = { sha256: await sha256File(join(dir, file)), bytes: stat.size };
  }
  return { version, files };
}

/** The manifest of a built release, from its SHA256SUMS and the files' sizes (no rehashing). */
export function readRelease(dir: string, version: string): ReleaseManifest {
  const files: ReleaseManifest["files"] = {};
  for (const [file, sha256] of parseSums(readFileSync(join(dir, SUMS_FILE), "utf8"))) {
    files[file] = { sha256, bytes: statSync(join(dir, file)).size };
  }
  return { version, files };
}
