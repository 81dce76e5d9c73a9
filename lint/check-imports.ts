// Fails when a package's source imports another package by a relative path (`../../site/src/x.ts`):
// packages meet only through their name and an exported subpath (`@residue/formats/model`), so what a
// package offers is its package.json `exports` and nothing else. Run by `npm run lint`.
//
// Scope: the source (`<package>/src/**`) of every workspace in the root package.json. Test suites and the
// top-level harnesses (e2e/, hardening/, bench/) may still share test support across packages.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const SOURCE = /\.(ts|tsx|mts|js|mjs|astro)$/;
const SKIP = new Set(["node_modules", "dist", ".astro"]);

/** Every module specifier a source file names: static imports and re-exports, side-effect and dynamic imports. */
export function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

function filesUnder(dir: string): string[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    SKIP.has(e.name) ? [] : e.isDirectory() ? filesUnder(join(dir, e.name)) : SOURCE.test(e.name) ? [join(dir, e.name)] : [],
  );
}

export interface Violation {
  file: string;
  specifier: string;
  message: string;
}

/** The relative imports in any workspace's source that leave that workspace, as paths relative to `root`. */
export function checkImports(root: string): Violation[] {
  const workspaces: string[] = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces ?? [];
  const violations: Violation[] = [];
  for (const workspace of workspaces) {
    const packageDir = resolve(root, workspace);
    for (const file of filesUnder(join(packageDir, "src"))) {
      for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
        if (!specifier.startsWith(".")) continue;
        const target = resolve(dirname(file), specifier);
        if (target === packageDir || target.startsWith(packageDir + sep)) continue;
        const rel = relative(root, file);
        const into = relative(root, target);
        violations.push({
          file: rel,
          specifier,
          message: `${rel}: "${specifier}" reaches into ${into}; import another package by its name and an exported subpath`,
        });
      }
    }
  }
  return violations;
}

if (import.meta.main) {
  const violations = checkImports(resolve(import.meta.dirname, ".."));
  for (const v of violations) console.error(v.message);
  if (violations.length > 0) {
    console.error(`check-imports: ${violations.length} deep import(s) into another package`);
    process.exit(1);
  }
  console.log("check-imports: no deep imports across packages");
}
