// What the CLI binary is built from: its own source and that of the workspace packages it depends on,
// with their manifests and the lockfile. A release target is stale when any of these is newer.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function newestUnder(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestUnder(join(path, entry)));
  return newest;
}

/** The package directories the CLI is compiled from: `cli` and the workspace packages it names. */
export function cliPackageDirs(root: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, "cli/package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const workspaces = Object.keys(manifest.dependencies ?? {})
    .filter((name) => name.startsWith("@residue/"))
    .map((name) => name.slice("@residue/".length));
  return ["cli", ...workspaces].map((dir) => join(root, dir));
}

/** The newest modification time (ms) among everything the binary is built from. */
export function newestSourceTime(root: string): number {
  const paths = cliPackageDirs(root).flatMap((dir) => [join(dir, "src"), join(dir, "package.json")]);
  return Math.max(newestUnder(join(root, "package-lock.json")), ...paths.map(newestUnder));
}
