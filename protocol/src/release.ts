// The CLI's release files (docs/distribution.md): which binary serves which platform, and the
// `releases/current.json` object that names the uploaded version. Shared by the release build, the
// server's download routes and `residue upgrade`.
import { z } from "zod";

export interface ReleaseTarget {
  /** `process.platform`-style OS and `process.arch`-style CPU, as `uname` is mapped by install.sh. */
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
  file: string;
  /** `bun build --compile --target` */
  bunTarget: string;
}

export const RELEASE_TARGETS: readonly ReleaseTarget[] = [
  { os: "linux", arch: "x64", file: "residue-linux-x64", bunTarget: "bun-linux-x64" },
  { os: "linux", arch: "arm64", file: "residue-linux-arm64", bunTarget: "bun-linux-arm64" },
  { os: "darwin", arch: "x64", file: "residue-darwin-x64", bunTarget: "bun-darwin-x64" },
  { os: "darwin", arch: "arm64", file: "residue-darwin-arm64", bunTarget: "bun-darwin-arm64" },
  { os: "windows", arch: "x64", file: "residue-windows-x64.exe", bunTarget: "bun-windows-x64" },
];

export const SUMS_FILE = "SHA256SUMS";

/** Every name `releases/<version>/<name>` may have: nothing else is served, so no path can be smuggled in. */
export const RELEASE_FILES: ReadonlySet<string> = new Set([...RELEASE_TARGETS.map((t) => t.file), SUMS_FILE]);

/** Semver without build metadata (a `+` has no place in a URL path segment we serve). */
export const ReleaseVersion = z
  .string()
  .max(64)
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/, "must be a version such as 1.2.3 or 1.2.3-rc.1");

export const ReleaseFileEntry = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters"),
  bytes: z.number().int().nonnegative(),
});

export const ReleaseManifest = z.object({
  version: ReleaseVersion,
  files: z.record(
    z.string().refine((f) => RELEASE_FILES.has(f), "must be a release file name"),
    ReleaseFileEntry,
  ),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

export const releaseKey = (version: string, file: string) => `releases/${version}/${file}`;
export const CURRENT_RELEASE_KEY = "releases/current.json";

/** `sha256sum` format: `<hex>  <file>` per line; the manifest's file order. */
export function formatSums(manifest: ReleaseManifest): string {
  return Object.entries(manifest.files)
    .map(([file, { sha256 }]) => `${sha256}  ${file}\n`)
    .join("");
}

/** Reads a `sha256sum` file back into name → hex; lines that are not `<hex>  <name>` are refused. */
export function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const match = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (!match) throw new Error(`not a sha256sum line: ${JSON.stringify(line.slice(0, 100))}`);
    sums.set(match[2] as string, match[1] as string);
  }
  return sums;
}
