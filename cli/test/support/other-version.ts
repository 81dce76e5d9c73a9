// A real compiled residue that says it is another version: the CLI's source and a package.json with that
// version, compiled as `npm run build:cli` does, in a temp dir whose node_modules are the checkout's.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./harness.ts";

/** The binary, and the entry script of the same copy (to run it as a JS package would be run). */
export function buildResidueVersion(version: string): { binary: string; entry: string } {
  const dir = mkdtempSync(join(tmpdir(), `residue-${version}-`));
  mkdirSync(join(dir, "cli"));
  cpSync(join(ROOT, "cli/src"), join(dir, "cli/src"), { recursive: true });
  for (const modules of ["node_modules", "cli/node_modules"]) symlinkSync(join(ROOT, modules), join(dir, modules));
  const manifest = JSON.parse(readFileSync(join(ROOT, "cli/package.json"), "utf8"));
  writeFileSync(join(dir, "cli/package.json"), JSON.stringify({ ...manifest, version }));
  const binary = join(dir, "residue");
  const bun = join(ROOT, "node_modules/.bin/bun");
  execFileSync(bun, ["build", "--compile", "--minify", join(dir, "cli/src/main.ts"), "--outfile", binary], { stdio: "pipe" });
  return { binary, entry: join(dir, "cli/src/main.ts") };
}
