// The npm package of the CLI (`npm i -g`, `bun add -g`): one file bundled from cli/src/main.ts for node
// (workspace packages, commander and zod inlined, so the package has no dependencies), with a package.json
// made for it, packed with `npm pack`. Why a JS bundle rather than per-platform binaries: docs/distribution.md.
//
//   node cli/npm/build.ts [outdir]     # default dist/npm; prints the tarball's path
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const out = resolve(process.argv[2] ?? join(ROOT, "dist/npm"));
const pkg = join(out, "package");
const manifest = JSON.parse(readFileSync(join(ROOT, "cli/package.json"), "utf8"));

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
const bun = join(ROOT, "node_modules/.bin/bun");
execFileSync(bun, ["build", "--target", "node", "--minify", join(ROOT, "cli/src/main.ts"), "--outfile", join(pkg, "residue.mjs")], {
  stdio: ["ignore", "ignore", "inherit"],
});
writeFileSync(
  join(pkg, "package.json"),
  `${JSON.stringify(
    {
      name: manifest.name,
      version: manifest.version,
      description: "residue: capture AI coding-agent conversations and link them to the git commits they produced",
      type: "module",
      bin: { residue: "residue.mjs" },
      files: ["residue.mjs"],
      engines: { node: ">=22" },
      license: "MIT",
    },
    null,
    2,
  )}\n`,
);
const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: pkg, encoding: "utf8" })
  .trim()
  .split("\n")
  .pop();
console.log(join(out, tarball as string));
