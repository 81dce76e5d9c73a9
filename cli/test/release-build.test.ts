// The release build and its upload plan: a target is compiled once and kept until a source the CLI is built
// from changes; SHA256SUMS lists what was built; the upload plan puts the manifest last and skips binaries
// the bucket already holds; the deploy's dry run prints the real `wrangler r2 object put` commands.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatSums,
  parseSums,
  RELEASE_TARGETS,
  type ReleaseManifest,
  ReleaseManifest as ReleaseManifestSchema,
} from "@residue/protocol/release";
import { afterAll, describe, expect, it } from "vitest";
import { buildRelease, parseTargets } from "../release/build.ts";
import { publishRelease, uploadsFor } from "../release/publish.ts";
import { newestSourceTime } from "../release/sources.ts";
import { ROOT } from "./support/harness.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A checkout in miniature: a CLI that depends on one workspace package, built with the real bun. */
function miniCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), "residue-release-"));
  dirs.push(root);
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
  mkdirSync(join(root, "cli/src"), { recursive: true });
  mkdirSync(join(root, "protocol/src"), { recursive: true });
  writeFileSync(
    join(root, "cli/package.json"),
    JSON.stringify({ version: "1.2.3-rc.1", dependencies: { "@residue/protocol": "*", zod: "4" } }),
  );
  writeFileSync(join(root, "cli/src/main.ts"), 'console.log("1.2.3-rc.1");\n');
  writeFileSync(join(root, "protocol/package.json"), "{}");
  writeFileSync(join(root, "protocol/src/schemas.ts"), "export {};\n");
  writeFileSync(join(root, "package-lock.json"), "{}");
  return root;
}

const linuxX64 = RELEASE_TARGETS.filter((t) => t.file === "residue-linux-x64");
const future = (seconds: number) => new Date(Date.now() + seconds * 1000);

describe("npm run build:release", () => {
  it("compiles a target once, keeps it while no source changes, and rebuilds it when a dependency's source does", async () => {
    const root = miniCheckout();
    const first = await buildRelease({ root, targets: linuxX64 });
    expect(first.built).toEqual(["residue-linux-x64"]);
    expect(first.dir).toBe(join(root, "dist/release/1.2.3-rc.1"));
    const binary = join(first.dir, "residue-linux-x64");
    expect(execFileSync(binary, { encoding: "utf8" })).toBe("1.2.3-rc.1\n");
    const sums = readFileSync(join(first.dir, "SHA256SUMS"), "utf8");
    expect(sums).toBe(formatSums(first.manifest));
    expect(ReleaseManifestSchema.parse(first.manifest).files["residue-linux-x64"]?.bytes).toBeGreaterThan(1_000_000);

    expect((await buildRelease({ root, targets: linuxX64 })).built).toEqual([]);

    // The CLI's workspace dependency is a source too: its change makes the binary stale.
    utimesSync(join(root, "protocol/src/schemas.ts"), future(60), future(60));
    expect(newestSourceTime(root)).toBeGreaterThan(Date.now());
    const rebuilt = await buildRelease({ root, targets: linuxX64 });
    expect(rebuilt.built).toEqual(["residue-linux-x64"]);
    expect(readFileSync(join(first.dir, "SHA256SUMS"), "utf8")).toBe(formatSums(rebuilt.manifest));
  }, 120_000);

  it("takes --target as a list of <os>-<arch> and refuses names it does not know", () => {
    expect(parseTargets([]).map((t) => t.file)).toEqual(RELEASE_TARGETS.map((t) => t.file));
    expect(parseTargets(["--target", "linux-arm64,darwin-x64"]).map((t) => t.file)).toEqual(["residue-linux-arm64", "residue-darwin-x64"]);
    expect(() => parseTargets(["--target", "linux-riscv64"])).toThrow(
      /--target takes a comma-separated list of linux-x64, .*, not linux-riscv64/,
    );
    expect(() => parseTargets(["--target"])).toThrow(/--target takes/);
  });
});

const manifest: ReleaseManifest = {
  version: "0.4.0",
  files: {
    "residue-linux-x64": { sha256: "a".repeat(64), bytes: 10 },
    "residue-darwin-arm64": { sha256: "b".repeat(64), bytes: 20 },
  },
};

describe("the upload plan", () => {
  const written = { sums: "/tmp/x/SHA256SUMS", manifest: "/tmp/x/current.json" };
  const release = { version: "0.4.0", dir: "/r/0.4.0", manifest };

  it("puts the binaries, then SHA256SUMS, then current.json, so the manifest never names a missing file", () => {
    expect(uploadsFor(release, written).map((u) => [u.key, u.file])).toEqual([
      ["releases/0.4.0/residue-linux-x64", "/r/0.4.0/residue-linux-x64"],
      ["releases/0.4.0/residue-darwin-arm64", "/r/0.4.0/residue-darwin-arm64"],
      ["releases/0.4.0/SHA256SUMS", written.sums],
      ["releases/current.json", written.manifest],
    ]);
  });

  it("skips binaries the bucket holds with the same hash under the same version, and nothing else", () => {
    const held = { version: "0.4.0", files: { "residue-linux-x64": manifest.files["residue-linux-x64"] as never } };
    expect(uploadsFor(release, written, held).map((u) => u.key)).toEqual([
      "releases/0.4.0/residue-darwin-arm64",
      "releases/0.4.0/SHA256SUMS",
      "releases/current.json",
    ]);
    expect(uploadsFor(release, written, { ...held, version: "0.3.9" }).map((u) => u.key)).toHaveLength(4);
  });

  it("prints the deploy's wrangler commands on a dry run, and does nothing for the release the bucket holds", async () => {
    let printed = "";
    const keys = await publishRelease(release, { to: "remote", dryRun: true, onOutput: (s) => (printed += s) });
    expect(keys.at(-1)).toBe("releases/current.json");
    const lines = printed.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      "wrangler r2 object put residue-sessions/releases/0.4.0/residue-linux-x64 --file /r/0.4.0/residue-linux-x64 --content-type application/octet-stream --remote",
    );
    expect(lines[2]).toMatch(
      /^wrangler r2 object put residue-sessions\/releases\/0\.4\.0\/SHA256SUMS --file \S+ --content-type 'text\/plain; charset=utf-8' --remote$/,
    );
    expect(await publishRelease(release, { to: "remote", dryRun: true, existing: structuredClone(manifest) })).toEqual([]);
  });
});

describe("SHA256SUMS", () => {
  it("round-trips sha256sum's format and refuses lines that are not", () => {
    expect(Object.fromEntries(parseSums(formatSums(manifest)))).toEqual({
      "residue-linux-x64": "a".repeat(64),
      "residue-darwin-arm64": "b".repeat(64),
    });
    expect(parseSums(`${"c".repeat(64)} *residue-linux-x64\n`).get("residue-linux-x64")).toBe("c".repeat(64));
    expect(() => parseSums("not a sum\n")).toThrow(/not a sha256sum line/);
  });
});
