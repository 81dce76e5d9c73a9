// Fails when a package's source imports another package by a relative path (`../../site/src/x.ts`):
// packages meet only through their name and an exported subpath (`@residue/formats/model`), so what a
// package offers is its package.json `exports` and nothing else. Run by `npm run lint`.
//
// Two rules. A package's source (`<package>/src/**`) imports nothing outside its package by path. And no
// file anywhere (tests, e2e/, hardening/, bench/) reaches into another package's `src/` by path: tests of a
// package may import their own source, and suites may share test support (`api/test/support`, `api/local`).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const SOURCE = /\.(ts|tsx|mts|js|mjs|astro)$/;
const SKIP = new Set(["node_modules", "dist", ".astro", ".git", ".wrangler", "test-results"]);

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

const inside = (dir: string, path: string) => path === dir || path.startsWith(dir + sep);

/** The relative imports that cross into another package's source, or out of a package's source, as paths relative to `root`. */
export function checkImports(root: string): Violation[] {
  const workspaces: string[] = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces ?? [];
  const packages = workspaces.map((w) => resolve(root, w));
  const packageOf = (path: string) => packages.find((dir) => inside(dir, path));
  const violations: Violation[] = [];
  for (const file of filesUnder(root)) {
    const own = packageOf(file);
    const inSource = own !== undefined && inside(join(own, "src"), file);
    for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      const into = packageOf(target);
      const leavesSource = inSource && into !== own;
      const reachesSource = into !== undefined && into !== own && inside(join(into, "src"), target);
      if (!leavesSource && !reachesSource) continue;
      const rel = relative(root, file);
      violations.push({
        file: rel,
        specifier,
        message: `${rel}: "${specifier}" reaches into ${relative(root, target)}; import another package by its name and an exported subpath`,
      });
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file));
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
