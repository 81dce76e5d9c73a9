// `residue upgrade` (docs/distribution.md): real compiled binaries of two versions replacing themselves,
// from the real server (workerd, its release put into local R2 as `npm start` does), and from a plain HTTP
// server standing in for one gone wrong (a wrong SHA-256, a build that does not run, an unreadable manifest).

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RELEASE_TARGETS, type ReleaseManifest } from "@residue/protocol/release";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveOwnRelease } from "../../api/local/release.ts";
import { type LocalServer, startTemporaryServer } from "../../api/local/server.ts";
import { VERSION } from "../src/version.ts";
import { BINARY, ROOT, type Run } from "./support/harness.ts";
import { buildResidueVersion } from "./support/other-version.ts";

const OLD = "0.0.1-old";
const FILE = RELEASE_TARGETS.find((t) => t.os === process.platform && t.arch === process.arch)?.file as string;

/** What the server hands out; tests change it to a broken release. */
let release: { version: string; bytes: Buffer; sha256?: string; missing?: boolean; manifest?: string };
let server: ReturnType<typeof createServer>;
let url: string;
let old: string;
let oldEntry: string;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  ({ binary: old, entry: oldEntry } = buildResidueVersion(OLD));
  server = createServer((req, res) => {
    if (req.url === "/releases/current.json" && !release.missing) {
      const files = { [FILE]: { sha256: release.sha256 ?? sha(release.bytes), bytes: release.bytes.length } };
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(release.manifest ?? JSON.stringify({ version: release.version, files }));
    } else if (req.url === `/releases/${release.version}/${FILE}`) {
      res.writeHead(200, { "content-length": release.bytes.length }).end(release.bytes);
    } else res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"no_release","message":"none"}}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(() => server.close());

/** The old build installed in a directory of its own, as install.sh would put it. */
function installOld() {
  const dir = mkdtempSync(join(tmpdir(), "residue-upgrade-"));
  mkdirSync(join(dir, "bin"));
  const bin = join(dir, "bin/residue");
  copyFileSync(old, bin);
  return { dir, bin };
}

/** Runs without blocking this process, which serves the release. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { PATH: "/usr/bin:/bin", HOME: tmpdir(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

describe("residue upgrade from a plain HTTP server (and one gone wrong)", { timeout: 120_000 }, () => {
  it("--check reports the server's build and changes nothing", async () => {
    release = { version: VERSION, bytes: readFileSync(BINARY) };
    const { bin } = installOld();
    const r = await run(bin, ["upgrade", "--check", "--url", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `residue ${OLD} here; ${url} hands out ${VERSION} (${FILE}, ${(release.bytes.length / 1024 ** 2).toFixed(1)} MB): run \`residue upgrade\` to install it\n`,
    );
    expect((await run(bin, ["--version"])).stdout.trim()).toBe(OLD);
  });

  it("replaces the running binary with the server's build, through a symlink, leaving nothing behind", async () => {
    release = { version: VERSION, bytes: readFileSync(BINARY) };
    const { dir, bin } = installOld();
    mkdirSync(join(dir, "links"));
    symlinkSync(bin, join(dir, "links/residue"));
    // The server's URL from the login, as a user runs it.
    const r = await run(join(dir, "links/residue"), ["upgrade"], { RESIDUE_URL: url, RESIDUE_TOKEN: "t" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`residue ${OLD} → ${VERSION} (${bin})\n`);
    expect(r.stderr).toBe("");
    expect((await run(join(dir, "links/residue"), ["--version"])).stdout.trim()).toBe(VERSION);
    expect(sha(readFileSync(bin))).toBe(sha(release.bytes));
    expect(readdirSync(join(dir, "bin"))).toEqual(["residue"]);
    // Now it is the server's build.
    expect((await run(bin, ["upgrade", "--url", url])).stdout).toBe(`residue ${VERSION} is already the build ${url} hands out\n`);
  });

  it.each([
    ["a wrong SHA-256", () => ({ sha256: "0".repeat(64) }), /does not match its SHA-256/],
    ["a build that does not run here", () => ({ bytes: Buffer.from("#!/bin/sh\nexit 3\n") }), /does not run on this machine/],
    ["a build of another version", () => ({ bytes: readFileSync(old) }), new RegExp(`says it is ${OLD}, not ${VERSION}`)],
    ["no release at all", () => ({ missing: true }), /has no release of residue to hand out/],
    [
      "a manifest it cannot read",
      () => ({ manifest: '{"version":"../../etc","files":{}}' }),
      /is not a release manifest residue understands/,
    ],
  ])("refuses %s and changes nothing", async (_name, broken, message) => {
    release = { version: VERSION, bytes: readFileSync(BINARY), ...broken() };
    const { dir, bin } = installOld();
    const before = sha(readFileSync(bin));
    const r = await run(bin, ["upgrade", "--url", url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(sha(readFileSync(bin))).toBe(before);
    expect(readdirSync(join(dir, "bin"))).toEqual(["residue"]);
  });

  it("shows progress on a terminal", async () => {
    release = { version: VERSION, bytes: readFileSync(BINARY) };
    const { bin } = installOld();
    // script(1) gives the run a pseudo-terminal, as a user's shell has.
    const r = await run("script", ["-qec", `${bin} upgrade --url ${url}`, "/dev/null"]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\r  ${FILE} \\[#{24}\\] [\\d.]+ MB of [\\d.]+ MB`));
    expect(r.stdout).toContain(`residue ${OLD} → ${VERSION}`);
  });
});

describe("residue upgrade from the real server", { timeout: 120_000 }, () => {
  let real: LocalServer & { persistTo: string };
  beforeAll(async () => {
    real = await startTemporaryServer();
  }, 120_000);
  afterAll(() => real?.stop());

  it("before a release is uploaded, says the server has none and changes nothing", async () => {
    const { bin } = installOld();
    const r = await run(bin, ["upgrade", "--url", real.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${real.url} has no release of residue to hand out`);
    expect((await run(bin, ["--version"])).stdout.trim()).toBe(OLD);
  });

  describe("with the release npm start uploads", () => {
    let served: ReleaseManifest;
    beforeAll(async () => {
      const target = RELEASE_TARGETS.filter((t) => t.file === FILE);
      served = (await serveOwnRelease(real, { targets: target })).release.manifest;
    }, 600_000);

    it("--check, then the upgrade to the server's build, then nothing left to do", async () => {
      const { dir, bin } = installOld();
      const check = await run(bin, ["upgrade", "--check", "--url", real.url]);
      expect(check.stdout).toContain(`residue ${OLD} here; ${real.url} hands out ${served.version} (${FILE}`);
      const r = await run(bin, ["upgrade"], { RESIDUE_URL: real.url, RESIDUE_TOKEN: "t" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`residue ${OLD} → ${served.version} (${bin})\n`);
      expect(sha(readFileSync(bin))).toBe(served.files[FILE]?.sha256);
      expect(readdirSync(join(dir, "bin"))).toEqual(["residue"]);
      expect((await run(bin, ["upgrade", "--url", real.url])).stdout).toBe(
        `residue ${served.version} is already the build ${real.url} hands out\n`,
      );
    });

    it("a residue run as a JS package says to upgrade it with its package manager", async () => {
      const r = await run(join(ROOT, "node_modules/.bin/bun"), [oldEntry, "upgrade", "--url", real.url]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/runs as a JS package .*which `residue upgrade` does not replace/);
      expect(r.stderr).toContain(`npm i -g …, bun add -g …), or install ${real.url}'s binary: curl -fsSL ${real.url}/install.sh | sh`);
    });
  });
});
