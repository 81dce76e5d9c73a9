// `npm run build:release`: cross-compiles the standalone CLI for every platform of the contract into
// dist/release/<version>/ with SHA256SUMS. A target whose binary is newer than every source is kept, so
// `npm start` pays for the build once. `--target linux-x64,linux-arm64` builds only those.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatSums, RELEASE_TARGETS, type ReleaseManifest, type ReleaseTarget, SUMS_FILE } from "@residue/protocol/release";
import { runTool } from "../../api/local/run-tool.ts";
import { newestSourceTime } from "./sources.ts";
import { hashRelease, readRelease } from "./sums.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface BuiltRelease {
  version: string;
  dir: string;
  /** The requested targets' files (SHA256SUMS in `dir` lists every binary there). */
  manifest: ReleaseManifest;
  /** Files compiled by this call (the others were fresh). */
  built: string[];
}

export function cliVersion(root = ROOT): string {
  return (JSON.parse(readFileSync(join(root, "cli/package.json"), "utf8")) as { version: string }).version;
}

export const releaseDir = (version: string, root = ROOT) => join(root, "dist/release", version);

const mtime = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** Compiles one target into a scratch directory and renames it into place, so a reader never sees half a binary. */
function compile(root: string, dir: string, target: ReleaseTarget): Promise<void> {
  const scratch = join(dir, `.build-${process.pid}-${target.file}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const args = ["build", "--compile", "--minify", "--bytecode", "--target", target.bunTarget, join(root, "cli/src/main.ts")];
  // bun's progress is noise beside ours; it is in the error when the build fails.
  return runTool(join(root, "node_modules/.bin/bun"), [...args, "--outfile", join(scratch, target.file)], { cwd: root })
    .then(() => renameSync(join(scratch, target.file), join(dir, target.file)))
    .finally(() => rmSync(scratch, { recursive: true, force: true }));
}

export interface BuildOptions {
  root?: string;
  targets?: readonly ReleaseTarget[];
  /** Told one line per target it compiles. */
  onOutput?: (s: string) => void;
}

export async function buildRelease(opts: BuildOptions = {}): Promise<BuiltRelease> {
  const root = opts.root ?? ROOT;
  const version = cliVersion(root);
  const dir = releaseDir(version, root);
  mkdirSync(dir, { recursive: true });
  const sources = newestSourceTime(root);
  const built: string[] = [];
  for (const target of opts.targets ?? RELEASE_TARGETS) {
    if (mtime(join(dir, target.file)) > sources) continue;
    opts.onOutput?.(`residue: compiling ${target.file}\n`);
    const started = new Date();
    await compile(root, dir, target);
    // Dated when its sources were read: a source saved during the compile leaves the binary stale.
    utimesSync(join(dir, target.file), started, started);
    built.push(target.file);
  }
  // SHA256SUMS is reused only when nothing was compiled and it is newer than every binary it lists.
  const sums = join(dir, SUMS_FILE);
  const present = RELEASE_TARGETS.filter((t) => mtime(join(dir, t.file)) > 0);
  const listed = mtime(sums) > 0 ? readRelease(dir, version) : undefined;
  const current =
    listed && built.length === 0 && present.every((t) => t.file in listed.files && mtime(join(dir, t.file)) < mtime(sums))
      ? listed
      : await hashRelease(dir, version);
  if (current !== listed) {
    writeFileSync(`${sums}.tmp-${process.pid}`, formatSums(current));
    renameSync(`${sums}.tmp-${process.pid}`, sums);
  }
  const wanted = new Set((opts.targets ?? RELEASE_TARGETS).map((t) => t.file));
  const files = Object.fromEntries(Object.entries(current.files).filter(([file]) => wanted.has(file)));
  return { version, dir, manifest: { version, files }, built };
}

/** `--target a,b` names release targets by `<os>-<arch>`; anything else is a usage error. */
export function parseTargets(argv: string[]): readonly ReleaseTarget[] {
  const index = argv.indexOf("--target");
  if (index === -1) return RELEASE_TARGETS;
  const names = (argv[index + 1] ?? "").split(",").filter(Boolean);
  const known = new Map(RELEASE_TARGETS.map((t) => [`${t.os}-${t.arch}`, t]));
  const unknown = names.filter((n) => !known.has(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `--target takes a comma-separated list of ${[...known.keys()].join(", ")}${unknown.length ? `, not ${unknown.join(", ")}` : ""}`,
    );
  }
  return names.map((n) => known.get(n) as ReleaseTarget);
}

if (import.meta.main) {
  try {
    const targets = parseTargets(process.argv.slice(2));
    const started = Date.now();
    const release = await buildRelease({ targets, onOutput: (s) => process.stderr.write(s) });
    const kept = targets.length - release.built.length;
    console.log(
      `residue: release ${release.version} in ${release.dir} (${release.built.length} compiled, ${kept} up to date, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  } catch (error) {
    console.error(`residue: ${(error as Error).message}`);
    process.exit(1);
  }
}
