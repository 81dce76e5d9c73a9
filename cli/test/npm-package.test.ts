// The npm package (docs/distribution.md): packed with `npm pack`, installed globally by npm and by bun
// into temp prefixes with no checkout around, then run from PATH: --version, --help, and a session
// captured with a commit and pushed to the real backend.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../src/version.ts";
import { editLine, ROOT, Sandbox, stamp, transcriptLines } from "./support/harness.ts";

const NODE_DIR = join(ROOT, "node_modules/node/bin");
let out: string;
let tarball: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "residue-npm-"));
  tarball = execFileSync(join(NODE_DIR, "node"), [join(ROOT, "cli/npm/build.ts"), out], { encoding: "utf8" }).trim();
}, 120_000);

/** A directory holding only the given programs, for a PATH that names nothing else of this machine. */
function only(programs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "residue-path-"));
  for (const [name, target] of Object.entries(programs)) symlinkSync(target, join(dir, name));
  return dir;
}

/** A fresh directory away from any checkout, with its own HOME. */
function elsewhere() {
  const dir = mkdtempSync(join(tmpdir(), "residue-global-"));
  mkdirSync(join(dir, "home"));
  return dir;
}

/** The installed residue, from PATH: version and help outside any repo, then a session captured and pushed. */
async function expectWorks(command: string[], path: string, cwd: string) {
  const env = { PATH: path, HOME: join(cwd, "home") };
  const [bin, ...pre] = command as [string, ...string[]];
  const run = (args: string[]) => execFileSync(bin, [...pre, ...args], { cwd, env, encoding: "utf8" });
  expect(run(["--version"]).trim()).toBe(VERSION);
  expect(run(["--help"])).toContain("Getting started:");
  const sb = new Sandbox();
  sb.command = command;
  sb.env.PATH = path;
  expect(sb.residue(["init"]).status).toBe(0);
  // residue is on PATH: setup commits the portable hook only, and that hook, run as Claude Code runs it, records.
  const setup = sb.residue(["setup", "claude-code"]);
  expect(setup.stdout).not.toContain("settings.local.json");
  const settings = JSON.parse(readFileSync(join(sb.repo, ".claude/settings.json"), "utf8"));
  const transcript = join(sb.dir, "session.jsonl");
  writeFileSync(transcript, transcriptLines([stamp()]) + editLine(join(sb.repo, "wind.ts"), stamp()));
  const payload = {
    session_id: "5a1d7c3e-0b2f-4e8a-9c6d-1f2e3d4c5b6a",
    transcript_path: transcript,
    cwd: sb.repo,
    hook_event_name: "SessionStart",
  };
  const hook = spawnSync("sh", ["-c", settings.hooks.SessionStart[0].hooks[0].command], {
    cwd: sb.repo,
    env: sb.env,
    input: JSON.stringify({ ...payload, source: "startup" }),
    encoding: "utf8",
  });
  expect(hook).toMatchObject({ status: 0, stdout: "", stderr: "" });
  sb.edit("wind.ts", "export const wind = 1;\n");
  sb.git("commit", "-qm", "Wind");
  const capture = sb.residue(["capture"]);
  expect(capture.stdout, capture.stderr).toMatch(/linked 1 session\(s\)/);
  sb.git("push", "-q", "origin", "main");
  const page = await sb.api(`/repos/${sb.owner}/widgets`);
  expect(page.body.commits.find((c: { message: string }) => c.message === "Wind").sessions).toHaveLength(1);
}

describe("the npm package", { timeout: 120_000 }, () => {
  it("holds one bundled file and a package.json with the right name and bin, and no dependencies", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
    expect(files).toEqual(["package/package.json", "package/residue.mjs"]);
    const manifest = JSON.parse(readFileSync(join(out, "package/package.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "@residue/cli", version: VERSION, bin: { residue: "residue.mjs" }, engines: { node: ">=22" } });
    for (const key of ["dependencies", "devDependencies", "workspaces", "private"]) expect(manifest).not.toHaveProperty(key);
    expect(readFileSync(join(out, "package/residue.mjs"), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it("npm i -g installs it into a prefix and it runs under node from PATH", async () => {
    const dir = elsewhere();
    const prefix = join(dir, "npm");
    execFileSync("npm", ["i", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], {
      cwd: dir,
      env: { PATH: `${NODE_DIR}:/usr/bin:/bin`, HOME: join(dir, "home"), npm_config_cache: join(dir, "cache") },
      stdio: "pipe",
    });
    await expectWorks([join(prefix, "bin/residue")], `${join(prefix, "bin")}:${NODE_DIR}:/usr/bin:/bin`, dir);
  });

  it("bun add -g installs it into BUN_INSTALL and it runs under bun", async () => {
    const dir = elsewhere();
    const bunDir = only({ bun: join(ROOT, "node_modules/bun/bin/bun.exe") });
    const install = join(dir, "bun");
    execFileSync("bun", ["add", "-g", tarball], {
      cwd: dir,
      env: { PATH: `${bunDir}:/usr/bin:/bin`, HOME: join(dir, "home"), BUN_INSTALL: install },
      stdio: "pipe",
    });
    const path = `${join(install, "bin")}:${bunDir}:/usr/bin:/bin`;
    await expectWorks([join(bunDir, "bun"), join(install, "bin/residue")], path, dir);
  });
});
