import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox, seconds, transcriptLines } from "./support/harness.ts";

describe("the local queue", () => {
  it("loses no update across 50 concurrent session starts, then 50 concurrent ends and captures", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const t0 = new Date(Date.now() - 5000);
    const paths = Array.from({ length: 50 }, (_, i) => {
      const p = join(sb.dir, `t${i}.jsonl`);
      writeFileSync(p, transcriptLines([seconds(t0, 1)]));
      return p;
    });
    const starts = await Promise.all(paths.map((p) => sb.residueAsync(["session", "start", "--agent", "claude-code", "--data", p])));
    expect(starts.map((r) => r.status)).toEqual(Array(50).fill(0));
    const ids = starts.map((r) => r.stdout.trim());
    expect(new Set(ids).size).toBe(50);

    sb.edit("c.ts", "c\n");
    sb.git("commit", "-qm", "concurrent");
    const head = sb.git("rev-parse", "HEAD").trim();
    const runs = await Promise.all([
      ...ids.slice(0, 25).map((id) => sb.residueAsync(["session", "end", "--id", id])),
      ...Array.from({ length: 25 }, () => sb.residueAsync(["capture"])),
    ]);
    expect(runs.filter((r) => r.status !== 0).map((r) => r.stderr)).toEqual([]);
    const state = JSON.parse(readFileSync(join(sb.repo, ".residue/state.json"), "utf8"));
    expect(Object.keys(state.sessions)).toHaveLength(50);
    expect(ids.slice(0, 25).every((id) => state.sessions[id].status === "ended")).toBe(true);
    expect(ids.slice(25).every((id) => state.sessions[id].status === "open")).toBe(true);
    expect(state.commits[head].sessions).toHaveLength(50);
    expect(readdirSync(join(sb.repo, ".residue")).filter((f) => f.includes("tmp") || f.includes("lock"))).toEqual([]);
  }, 60_000);

  it("reopens the same session for the same transcript path", () => {
    const sb = new Sandbox();
    const p = join(sb.dir, "same.jsonl");
    writeFileSync(p, transcriptLines([new Date()]));
    const a = sb.residue(["session", "start", "--agent", "claude-code", "--data", p]).stdout.trim();
    sb.residue(["session", "end", "--id", a]);
    const b = sb.residue(["session", "start", "--agent", "claude-code", "--data", p]).stdout.trim();
    expect(b).toBe(a);
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toMatchObject([{ id: a, status: "open" }]);
  });

  it("moves a corrupt state file aside, says so, and keeps working", () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    writeFileSync(join(sb.repo, ".residue/state.json"), '{"version": 1, "sessions": {"x": ');
    const status = sb.residue(["status"]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/warning {2}\.residue\/state\.json was damaged .* kept as .*state\.corrupt-/);
    const aside = readdirSync(join(sb.repo, ".residue")).filter((f) => f.startsWith("state.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(sb.repo, ".residue", aside[0] as string), "utf8")).toBe('{"version": 1, "sessions": {"x": ');
    const p = join(sb.dir, "after.jsonl");
    writeFileSync(p, transcriptLines([new Date()]));
    expect(sb.residue(["session", "start", "--agent", "pi", "--data", p]).status).toBe(0);
  });

  it("gives clear errors for bad arguments and places", () => {
    const sb = new Sandbox();
    const cases: [string[], RegExp, string?][] = [
      [["session", "start", "--agent", "clippy", "--data", "x"], /unknown agent 'clippy'/],
      [["session", "start", "--agent", "pi"], /required option '--data <path>'/],
      [["session", "end", "--id", "nope"], /no queued session 'nope'/],
      [["login", "--url", "ftp://x", "--token", "t"], /must start with http/],
      [["login", "--url", "not a url", "--token", "t"], /is not a URL/],
      [["login", "--url", "http://127.0.0.1:9", "--token", "t"], /cannot reach/],
      [["push", "--concurrency", "0"], /whole number from 1 to 32/],
      [["status"], /is not inside a git repository/, sb.dir],
      [["frobnicate"], /unknown command 'frobnicate'/],
    ];
    for (const [args, message, cwd] of cases) {
      const run = sb.residue(args, { cwd });
      expect(run.status, args.join(" ")).not.toBe(0);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it("says so when the repo has no remote, and keeps the sessions", () => {
    const sb = new Sandbox();
    sb.git("remote", "remove", "origin");
    const p = join(sb.dir, "r.jsonl");
    writeFileSync(p, transcriptLines([new Date()]));
    sb.residue(["session", "start", "--agent", "pi", "--data", p]);
    const push = sb.residue(["push"]);
    expect(push.status).toBe(1);
    expect(push.stderr).toContain("no git remote");
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toHaveLength(1);
    expect(sb.residue(["sync", "--hook"]).status).toBe(0);
  });

  it("lists every command in --help", () => {
    const help = new Sandbox().residue(["--help"]).stdout;
    for (const command of ["login", "init", "uninstall", "session", "capture", "sync", "push", "status", "doctor"])
      expect(help).toContain(`  ${command}`);
  });
});
