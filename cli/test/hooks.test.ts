import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BINARY, Sandbox, stamp, transcriptLines } from "./support/harness.ts";

function startSession(sb: Sandbox, name = "s.jsonl", times?: Date[]) {
  const path = join(sb.dir, name);
  // Stamped now by default: registered from its first message, the session counts from here on.
  writeFileSync(path, transcriptLines(times ?? [stamp()]));
  const run = sb.residue(["session", "start", "--agent", "claude-code", "--data", path]);
  expect(run.status, run.stderr).toBe(0);
  return { id: run.stdout.trim(), path };
}

const shas = (page: { body: { commits?: { sha: string }[] } }) => page.body.commits?.map((c) => c.sha);

describe("git hooks", () => {
  it("chains an existing shell hook that ends in exit, and uninstall restores it exactly", () => {
    const sb = new Sandbox();
    const hook = join(sb.repo, ".git/hooks/post-commit");
    const original = `#!/bin/sh\necho "user hook ran" >> "${join(sb.dir, "user-hook.log")}"\nexit 0\n`;
    writeFileSync(hook, original);
    chmodSync(hook, 0o755);
    expect(sb.residue(["init"]).status).toBe(0);
    expect(sb.residue(["init"]).stdout).toContain("unchanged");
    sb.edit("x.ts", "x\n");
    sb.git("commit", "-qm", "x");
    expect(readFileSync(join(sb.dir, "user-hook.log"), "utf8")).toBe("user hook ran\n");
    expect(readFileSync(join(sb.repo, ".residue/journal"), "utf8")).toMatch(/^commit [0-9a-f]{40} [0-9a-f]{40} t=\d{13}\n$/);
    expect(sb.residue(["uninstall"]).status).toBe(0);
    expect(readFileSync(hook, "utf8")).toBe(original);
    expect(existsSync(join(sb.repo, ".git/hooks/pre-push"))).toBe(false);
  });

  it("wraps a hook written in another language and still runs it with its stdin", () => {
    const sb = new Sandbox();
    const hook = join(sb.repo, ".git/hooks/post-rewrite");
    const log = join(sb.dir, "py.log");
    writeFileSync(
      hook,
      `#!/usr/bin/env node\nrequire("fs").appendFileSync(${JSON.stringify(log)}, process.argv[2] + ":" + require("fs").readFileSync(0, "utf8"));\n`,
    );
    chmodSync(hook, 0o755);
    sb.residue(["init"]);
    startSession(sb);
    sb.edit("y.ts", "y\n");
    sb.git("commit", "-qm", "y");
    const old = sb.git("rev-parse", "HEAD").trim();
    sb.git("commit", "-q", "--amend", "-m", "y amended");
    const amended = sb.git("rev-parse", "HEAD").trim();
    expect(readFileSync(log, "utf8")).toBe(`amend:${old} ${amended}\n`);
    expect(readFileSync(join(sb.repo, ".residue/journal"), "utf8")).toContain(`rewrite ${old} ${amended} amend`);
    sb.residue(["uninstall"]);
    expect(readFileSync(hook, "utf8")).toContain("appendFileSync");
  });

  it("installs into core.hooksPath (husky-style) and the queue is shared by a linked worktree", async () => {
    const sb = new Sandbox();
    sb.git("config", "core.hooksPath", ".husky");
    mkdirSync(join(sb.repo, ".husky"));
    writeFileSync(join(sb.repo, ".husky/pre-push"), "#!/usr/bin/env sh\nnpm test --silent 2>/dev/null || true\n");
    chmodSync(join(sb.repo, ".husky/pre-push"), 0o755);
    expect(sb.residue(["init"]).status).toBe(0);
    // husky's hooks are committed, so the worktree checks them out too.
    sb.git("add", ".husky", ".gitignore");
    sb.git("commit", "-qm", "hooks");
    expect(readFileSync(join(sb.repo, ".husky/post-commit"), "utf8")).toContain("# >>> residue");
    expect(readFileSync(join(sb.repo, ".husky/pre-push"), "utf8")).toMatch(/# <<< residue\nnpm test/);
    expect(existsSync(join(sb.repo, ".git/hooks/post-commit"))).toBe(false);

    const { id } = startSession(sb);
    const wt = join(sb.dir, "wt");
    sb.git("worktree", "add", "-q", "-b", "feature", wt);
    writeFileSync(join(wt, "f.ts"), "f\n");
    const env = sb.env;
    execFileSync("git", ["add", "f.ts"], { cwd: wt, env });
    execFileSync("git", ["commit", "-qm", "feature work"], { cwd: wt, env });
    const status = JSON.parse(sb.residue(["status", "--json"], { cwd: wt }).stdout);
    expect(status.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
    const feature = execFileSync("git", ["rev-parse", "HEAD"], { cwd: wt, encoding: "utf8" }).trim();
    expect(status.pending_commits).toContain(feature);
    expect(existsSync(join(wt, ".residue"))).toBe(false);
    const push = sb.residue(["push", "--json"], { cwd: wt });
    expect(push.status, push.stderr).toBe(0);
    const commit = await sb.api(`/repos/${sb.owner}/widgets/${feature}`);
    expect(commit.body.commit).toMatchObject({ message: "feature work", branch: "feature" });
  });

  it("committed hooks (husky) name nothing of this machine: silent without residue on PATH, uploading with it", async () => {
    const sb = new Sandbox();
    sb.git("config", "core.hooksPath", ".husky");
    const init = sb.residue(["init"]);
    expect(init.stdout).toContain("(.husky/ is committed with the repo: its hooks run `residue` from PATH");
    expect(init.stdout).toContain("residue is not on PATH here, so pushes upload nothing from this machine until it is");
    for (const hook of ["post-commit", "pre-push", "post-rewrite"]) {
      const text = readFileSync(join(sb.repo, ".husky", hook), "utf8");
      for (const path of ["/tmp", "/home", "/root", sb.dir, BINARY]) expect(text, hook).not.toContain(path);
    }
    startSession(sb);
    sb.edit("a.ts", "a\n");
    sb.git("commit", "-qm", "with husky");
    const head = sb.git("rev-parse", "HEAD").trim();
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).pending_commits).toContain(head);
    // A teammate's machine, or this one before residue is on PATH: the push goes through, nothing said.
    const quiet = spawnSync("git", ["push", "-q", "origin", "main"], {
      cwd: sb.repo,
      env: { ...sb.env, PATH: "/usr/bin:/bin" },
      encoding: "utf8",
    });
    expect(quiet).toMatchObject({ status: 0, stderr: "" });
    expect((await sb.api(`/repos/${sb.owner}/widgets/${head}`)).status).toBe(404);
    sb.putResidueOnPath();
    sb.edit("b.ts", "b\n");
    sb.git("commit", "-qm", "again");
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(page.body.commits.find((c: { message: string }) => c.message === "with husky").sessions).toHaveLength(1);
  });

  it("moves links to the new SHA on amend, before and after the commit was pushed", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const { id } = startSession(sb);
    sb.edit("a.ts", "a\n");
    sb.git("commit", "-qm", "first try");
    const original = sb.git("rev-parse", "HEAD").trim();
    sb.git("commit", "-q", "--amend", "-m", "second try");
    const amended = sb.git("rev-parse", "HEAD").trim();
    sb.git("push", "-q", "origin", "main");
    expect(shas(await sb.api(`/repos/${sb.owner}/widgets`))).toEqual([amended]);
    expect(original).not.toBe(amended);

    // Amend again after the push: the backend's link follows, the old SHA disappears there.
    sb.residue(["session", "end", "--id", id]);
    sb.git("commit", "-q", "--amend", "-m", "third try");
    const third = sb.git("rev-parse", "HEAD").trim();
    sb.git("push", "-q", "-f", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(shas(page)).toEqual([third]);
    expect(page.body.commits[0].sessions[0].id).toBe(id);
  });

  it("carries links through a rebase without tagging rebased commits with unrelated sessions", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const { id } = startSession(sb);
    sb.edit("r.ts", "r\n");
    sb.git("commit", "-qm", "work");
    expect(sb.residue(["capture"]).stdout).toContain("linked 1 session");
    const original = sb.git("rev-parse", "HEAD").trim();
    sb.residue(["session", "end", "--id", id]);
    sb.git("checkout", "-q", "-b", "upstream", "HEAD~1");
    sb.edit("u.ts", "u\n");
    sb.git("commit", "-qm", "upstream change");
    sb.git("checkout", "-q", "main");
    const later = startSession(sb, "later.jsonl", [new Date(Date.now() - 1000)]);
    sb.git("rebase", "-q", "upstream");
    const rebased = sb.git("rev-parse", "HEAD").trim();
    const status = JSON.parse(sb.residue(["status", "--json"]).stdout);
    expect(status.pending_commits).toContain(rebased);
    expect(status.pending_commits).not.toContain(original);
    sb.git("push", "-q", "origin", "main");
    const commit = await sb.api(`/repos/${sb.owner}/widgets/${rebased}`);
    expect(commit.body.commit.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(later.id).not.toBe(id);
  });

  it("records the commit's time in ms where date has no %N (BSD/macOS: perl stands in), else in seconds", () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    // A PATH holding only git and a date that prints %N literally, as BSD's does; perl added in the second run.
    const bin = join(sb.dir, "bin");
    mkdirSync(bin);
    symlinkSync(execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim(), join(bin, "git"));
    const real = execFileSync("sh", ["-c", "command -v date"], { encoding: "utf8" }).trim();
    writeFileSync(join(bin, "date"), `#!/bin/sh\ncase "$1" in +%s%3N) echo "$(${real} +%s)3N" ;; *) ${real} "$@" ;; esac\n`);
    chmodSync(join(bin, "date"), 0o755);
    const commit = (name: string) => {
      sb.edit(name, `${name}\n`);
      execFileSync("git", ["commit", "-qm", name], { cwd: sb.repo, env: { ...sb.env, PATH: bin } });
      return readFileSync(join(sb.repo, ".residue/journal"), "utf8").trim().split("\n").at(-1);
    };
    expect(commit("seconds.ts")).toMatch(/^commit [0-9a-f]{40} [0-9a-f]{40} t=\d{10}$/);
    symlinkSync(execFileSync("sh", ["-c", "command -v perl"], { encoding: "utf8" }).trim(), join(bin, "perl"));
    expect(commit("millis.ts")).toMatch(/^commit [0-9a-f]{40} [0-9a-f]{40} t=\d{13}$/);
    expect(sb.residue(["status"]).stdout).not.toContain("damaged");
  });

  it("exits 0 with one line when the binary behind a hook has vanished", () => {
    const sb = new Sandbox();
    const copy = join(sb.dir, "bin/residue");
    mkdirSync(join(sb.dir, "bin"));
    linkSync(BINARY, copy);
    sb.command = [copy];
    expect(sb.residue(["init"]).status).toBe(0);
    expect(readFileSync(join(sb.repo, ".git/hooks/pre-push"), "utf8")).toContain(copy);
    rmSync(copy);
    const push = spawnSync("git", ["push", "-q", "origin", "main"], { cwd: sb.repo, env: sb.env, encoding: "utf8" });
    expect(push.status).toBe(0);
    expect(push.stderr.trim().split("\n")).toHaveLength(1);
    expect(push.stderr).toContain("is missing; sessions stay queued");
  });
});
