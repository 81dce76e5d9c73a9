// A session whose transcript vanished before its first push, and a damaged queue file: neither may hold
// back or drop anything else, and both are reported accurately until the user dismisses them.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editLine, Sandbox, seconds, transcriptLines } from "./support/harness.ts";

function setup(sessions: number) {
  const sb = new Sandbox();
  sb.residue(["init"]);
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const paths = Array.from({ length: sessions }, (_, i) => join(sb.dir, `s${i}.jsonl`));
  const ids = paths.map((p, i) => {
    // Each session edits both files the commits change: the evidence that links it to each of them.
    const edits = [1, 2].map((n) => editLine(join(sb.repo, `f${n}.ts`), seconds(t0, 3 + i)));
    writeFileSync(p, transcriptLines([seconds(t0, 1 + i), seconds(t0, 2 + i)]) + edits.join(""));
    return sb.residue(["session", "start", "--agent", "claude-code", "--data", p]).stdout.trim();
  });
  const commit = (n: number) => {
    sb.edit(`f${n}.ts`, `${n}\n`);
    sb.gitAt(seconds(t0, 10 + n), "commit", "-qm", `change ${n}`);
    return sb.git("rev-parse", "HEAD").trim();
  };
  return { sb, paths, ids, commit };
}

describe("a transcript deleted before its first push", () => {
  it("never holds back other sessions' commits and is reported once, accurately, until dismissed", async () => {
    const { sb, paths, ids, commit } = setup(2);
    const [kept, lost] = ids as [string, string];
    const first = commit(1);
    rmSync(paths[1] as string);

    const status = sb.residue(["status"]).stdout;
    expect(status).not.toContain("snapshot kept");
    expect(status.match(/deleted before upload, no copy kept/g)).toHaveLength(1);
    const doctor = sb.residue(["doctor"]);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toContain(`${lost.slice(0, 8)} (claude-code): transcript deleted before upload`);

    const push = sb.residue(["sync", "--hook"]);
    expect(push.status).toBe(0);
    expect(push.stderr.trim().split("\n")).toHaveLength(1);
    expect(push.stderr).toMatch(new RegExp(`residue: session ${lost.slice(0, 8)} .* was never uploaded: its transcript .* was deleted`));
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(page.body.commits.map((c: { sha: string }) => c.sha)).toEqual([first]);
    expect(page.body.commits[0].sessions.map((s: { id: string }) => s.id)).toEqual([kept]);

    // Later commits go up too; the warning stays (status, doctor, push) until dismissed.
    const second = commit(2);
    sb.residue(["session", "end", "--id", kept]);
    const manual = sb.residue(["push"]);
    expect(manual.status).toBe(1);
    expect(manual.stderr).toContain("was never uploaded");
    expect((await sb.api(`/repos/${sb.owner}/widgets`)).body.commits.map((c: { sha: string }) => c.sha)).toEqual([second, first]);
    const json = JSON.parse(sb.residue(["status", "--json"]).stdout);
    expect(json.pending_commits).toEqual([]);
    expect(json.sessions).toEqual([]);
    expect(json.warnings).toHaveLength(1);
    expect(sb.residue(["doctor"]).stdout).toMatch(/✗ queue warning +session .* was never uploaded/);
    expect(sb.residue(["dismiss"]).stdout).toBe("Dismissed 1 warning(s).\n");
    expect(sb.residue(["push"]).status).toBe(0);
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).warnings).toEqual([]);
  }, 90_000);
});

describe("a damaged .residue/state.json", () => {
  it("recovers the sessions it still holds, rebuilds the commits from git and says so until dismissed", async () => {
    const { sb, ids, commit } = setup(2);
    const shas = [commit(1), commit(2)];
    expect(sb.residue(["status"]).status).toBe(0); // folds the journal: the commits now live only in the state
    const statePath = join(sb.repo, ".residue/state.json");
    const text = readFileSync(statePath, "utf8");
    writeFileSync(statePath, text.slice(0, text.indexOf('"commits"') + 40)); // cut inside the commits

    const push = sb.residue(["sync", "--hook"]);
    expect(push.status).toBe(0);
    expect(push.stderr.trim().split("\n")).toHaveLength(1);
    expect(push.stderr).toMatch(/residue: \.residue\/state\.json was damaged .*recovered 2 session\(s\).*residue dismiss/);
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(page.body.commits.map((c: { sha: string }) => c.sha).sort()).toEqual([...shas].sort());
    for (const c of page.body.commits) expect(c.sessions.map((s: { id: string }) => s.id).sort()).toEqual([...ids].sort());

    // Still said by status, doctor and the hook until the user acts.
    expect(sb.residue(["status"]).stdout).toContain("warning  .residue/state.json was damaged");
    expect(sb.residue(["doctor"]).stdout).toMatch(/✗ queue warning +\.residue\/state\.json was damaged/);
    expect(sb.residue(["sync", "--hook"]).stderr).toContain("state.json was damaged");
    sb.residue(["dismiss"]);
    expect(sb.residue(["sync", "--hook"]).stderr).toBe("");
    expect(sb.residue(["status"]).stdout).not.toContain("warning");
  }, 90_000);
});
