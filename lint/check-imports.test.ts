import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkImports, specifiersOf } from "./check-imports.ts";

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A throwaway monorepo with the given files (paths relative to its root). */
function repo(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), "check-imports-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ workspaces: ["cli", "site", "formats"] }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("check-imports", () => {
  it("catches a deep relative import from the CLI into the UI's source", () => {
    const dir = repo({
      "cli/src/commands/show.ts": 'import { toolSummary } from "../../../site/src/x.ts";\n',
      "site/src/x.ts": "export const toolSummary = 1;\n",
    });
    const found = checkImports(dir);
    expect(found.map((v) => [v.file, v.specifier])).toEqual([["cli/src/commands/show.ts", "../../../site/src/x.ts"]]);
    expect(found[0]?.message).toContain("site/src/x.ts");
  });

  it("catches re-exports, type-only, side-effect and dynamic imports, and .astro files", () => {
    const dir = repo({
      "cli/src/a.ts": 'export { y } from "../../site/src/y.ts";\nimport type { Z } from "../../formats/src/z.ts";\n',
      "cli/src/b.ts": 'import "../../site/src/side.ts";\nconst m = await import("../../site/src/lazy.ts");\n',
      "site/src/pages/p.astro": '---\nimport { q } from "../../../cli/src/q.ts";\n---\n',
    });
    expect(checkImports(dir)).toHaveLength(5);
  });

  it("catches suites and other packages' tests reaching into a package's source; allows own tests and shared test support", () => {
    const dir = repo({
      "e2e/support/seed.ts":
        'import { scan } from "../../cli/src/scan.ts";\nimport { Sandbox } from "../../cli/test/support/harness.ts";\n',
      "site/test/a.test.ts": 'import { x } from "../../formats/src/x.ts";\nimport { y } from "../src/y.ts";\n',
      "cli/test/b.test.ts": 'import { z } from "../src/z.ts";\n',
    });
    expect(checkImports(dir).map((v) => [v.file, v.specifier])).toEqual([
      ["e2e/support/seed.ts", "../../cli/src/scan.ts"],
      ["site/test/a.test.ts", "../../formats/src/x.ts"],
    ]);
  });

  it("allows imports within a package and imports by package name", () => {
    const dir = repo({
      "cli/src/commands/show.ts": 'import { a } from "../util.ts";\nimport { segment } from "@residue/formats/view";\nimport "node:fs";\n',
      "cli/src/util.ts": 'export { b } from "./commands/show.ts";\n',
      "site/src/x.ts": 'import { createApi } from "@residue/api";\n',
    });
    expect(checkImports(dir)).toEqual([]);
  });

  it("reads every form of specifier", () => {
    expect(specifiersOf('import a, { b } from "./a.ts";\nimport type { C } from \'../c.ts\';\nexport * from "./d.ts";')).toEqual([
      "./a.ts",
      "../c.ts",
      "./d.ts",
    ]);
  });
});
