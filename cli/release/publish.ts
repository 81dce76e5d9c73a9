// Puts a built release into R2: the real bucket with `wrangler r2 object put` (`npm run deploy`, `npm run
// setup`), or the local one workerd serves (`npm start`, the install tests). The binaries and SHA256SUMS
// go first and `releases/current.json` last, so the manifest never names a file the bucket lacks yet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CURRENT_RELEASE_KEY, formatSums, ReleaseManifest, releaseKey, SUMS_FILE } from "@residue/protocol/release";
import { parse } from "smol-toml";
import { runTool } from "../../api/local/run-tool.ts";
import { type BuiltRelease, buildRelease, ROOT } from "./build.ts";
import { type LocalPut, putLocal } from "./local-r2.ts";

export type Destination = { local: string } | "remote";

export type Upload = LocalPut;

/** The bucket the Worker binds as BUCKET, from wrangler.toml (the one `npm run setup` creates). */
export function bucketName(root = ROOT): string {
  const config = parse(readFileSync(join(root, "wrangler.toml"), "utf8")) as { r2_buckets?: { binding: string; bucket_name: string }[] };
  const bucket = config.r2_buckets?.find((b) => b.binding === "BUCKET")?.bucket_name;
  if (!bucket) throw new Error("wrangler.toml binds no R2 bucket as BUCKET");
  return bucket;
}

/**
 * What to upload, in order: the files `existing` (the bucket's current manifest) does not already hold
 * with the same hash under the same version, then SHA256SUMS and the manifest, both written from the
 * release's manifest so they list exactly what is uploaded.
 */
export function uploadsFor(
  release: Pick<BuiltRelease, "version" | "dir" | "manifest">,
  written: { sums: string; manifest: string },
  existing?: ReleaseManifest,
): Upload[] {
  const held = existing?.version === release.version ? existing.files : {};
  const binaries = Object.entries(release.manifest.files)
    .filter(([file, { sha256 }]) => held[file]?.sha256 !== sha256)
    .map(([file]) => ({ key: releaseKey(release.version, file), file: join(release.dir, file), contentType: "application/octet-stream" }));
  return [
    ...binaries,
    { key: releaseKey(release.version, SUMS_FILE), file: written.sums, contentType: "text/plain; charset=utf-8" },
    { key: CURRENT_RELEASE_KEY, file: written.manifest, contentType: "application/json" },
  ];
}

export function wranglerPutArgs(bucket: string, upload: Upload): string[] {
  return ["r2", "object", "put", `${bucket}/${upload.key}`, "--file", upload.file, "--content-type", upload.contentType, "--remote"];
}

const wrangler = (args: string[], root: string, onOutput: (s: string) => void) =>
  runTool(join(root, "node_modules/.bin/wrangler"), args, { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, onOutput });

/** Uploads objects as given, in order (tests also use it to damage a release on purpose). */
export async function putObjects(
  uploads: readonly Upload[],
  to: Destination,
  opts: { root?: string; onOutput?: (s: string) => void } = {},
) {
  const root = opts.root ?? ROOT;
  const say = opts.onOutput ?? (() => {});
  if (to !== "remote") return putLocal(root, to.local, uploads, (key) => say(`residue: uploading ${key}\n`));
  for (const upload of uploads) {
    say(`residue: uploading ${upload.key}\n`);
    await wrangler(wranglerPutArgs(bucketName(root), upload), root, say);
  }
}

/** The manifest the real bucket holds now, or undefined (none yet, or unreadable: then everything is uploaded). */
export async function remoteManifest(root = ROOT): Promise<ReleaseManifest | undefined> {
  try {
    const text = await wrangler(
      ["r2", "object", "get", `${bucketName(root)}/${CURRENT_RELEASE_KEY}`, "--remote", "--pipe"],
      root,
      () => {},
    );
    return ReleaseManifest.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const shellWord = (arg: string) => (/^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

export interface PublishOptions {
  to: Destination;
  existing?: ReleaseManifest;
  /** Print the wrangler commands instead of running them. */
  dryRun?: boolean;
  root?: string;
  onOutput?: (s: string) => void;
}

const sameRelease = (a: ReleaseManifest, b?: ReleaseManifest) => JSON.stringify(a) === JSON.stringify(b);

/** Uploads `release` unless `existing` is the same one; returns the keys it put (or would put, on a dry run). */
export async function publishRelease(release: Pick<BuiltRelease, "version" | "dir" | "manifest">, opts: PublishOptions): Promise<string[]> {
  if (sameRelease(release.manifest, opts.existing)) return [];
  const root = opts.root ?? ROOT;
  const say = opts.onOutput ?? (() => {});
  const scratch = mkdtempSync(join(tmpdir(), "residue-release-"));
  try {
    const written = { sums: join(scratch, SUMS_FILE), manifest: join(scratch, "current.json") };
    writeFileSync(written.sums, formatSums(release.manifest));
    writeFileSync(written.manifest, JSON.stringify(release.manifest));
    const uploads = uploadsFor(release, written, opts.existing);
    if (!opts.dryRun) await putObjects(uploads, opts.to, { root, onOutput: say });
    else if (opts.to === "remote")
      for (const u of uploads) say(`wrangler ${wranglerPutArgs(bucketName(root), u).map(shellWord).join(" ")}\n`);
    else for (const u of uploads) say(`would put ${u.key} from ${u.file} into the local R2 under ${opts.to.local}\n`);
    return uploads.map((u) => u.key);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `node cli/release/publish.ts [--dry-run]`: builds what is stale and uploads it to the real bucket.
if (import.meta.main) {
  const dryRun = process.argv.includes("--dry-run");
  try {
    const release = await buildRelease({ onOutput: (s) => process.stderr.write(s) });
    const existing = dryRun ? undefined : await remoteManifest();
    const keys = await publishRelease(release, { to: "remote", existing, dryRun, onOutput: (s) => process.stdout.write(s) });
    console.log(
      `residue: ${dryRun ? "would upload" : "uploaded"} release ${release.version} (${keys.length} objects) to R2 bucket ${bucketName()}`,
    );
  } catch (error) {
    console.error(`residue: ${(error as Error).message}`);
    process.exit(1);
  }
}
