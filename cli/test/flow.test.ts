import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox, seconds, stamp, transcriptLines } from "./support/harness.ts";

const rawSession = async (sb: Sandbox, id: string) => (await sb.rawSession(id)).toString("utf8");

describe("capture → queue → sync, through the compiled binary and real git", () => {
  it("links one session to two commits with increasing transcript offsets and serves identical raw data", async () => {
    const sb = new Sandbox();
    expect(sb.residue(["init"]).status).toBe(0);
    const transcript = join(sb.dir, "session.jsonl");
    // Stamped as written, in real time: the hook places each commit among them by its millisecond.
    const first = [stamp(), stamp(), stamp()];
    writeFileSync(transcript, transcriptLines(first));
    const start = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]);
    expect(start.status, start.stderr).toBe(0);
    const id = start.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    sb.edit("parser.ts", "export const parse = 1;\n");
    sb.git("commit", "-qm", "Add parser");
    const second = [stamp(), stamp()];
    appendFileSync(transcript, transcriptLines(second, 3));
    sb.edit("parser.ts", "export const parse2 = 2;\n");
    sb.git("commit", "-qm", "Extend parser");
    appendFileSync(transcript, transcriptLines([stamp()], 5));
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);

    // The hooks never ran residue during the commits: only the journal grew.
    expect(readFileSync(join(sb.repo, ".residue/journal"), "utf8").match(/^commit [0-9a-f]{40} /gm)).toHaveLength(2);

    const push = sb.git("push", "-q", "origin", "main");
    expect(push).toBe("");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(page.status).toBe(200);
    // Both commits may share one second: found by message, not by the page's order.
    const byMessage = (m: string) => page.body.commits.find((c: { message: string }) => c.message === m);
    const [c1, c2] = [byMessage("Add parser"), byMessage("Extend parser")];
    expect(c1.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(c2.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(c1.sessions[0].position).toMatchObject({ line: 3, last_message_at: first[2]?.getTime() });
    expect(c2.sessions[0].position).toMatchObject({ line: 5, last_message_at: second[1]?.getTime() });
    expect(c2.sessions[0].position.byte).toBeGreaterThan(c1.sessions[0].position.byte);
    expect(c1).toMatchObject({ branch: "main", files_changed: 1, additions: 1, deletions: 0, author_email: "dev@example.com" });
    expect(c1.sessions[0]).toMatchObject({ status: "ended", message_count: 6, title: "Fix the widget parser" });
    expect(await rawSession(sb, id)).toBe(readFileSync(transcript, "utf8"));

    // Everything uploaded is dropped from the queue; a second push has nothing to send.
    const status = JSON.parse(sb.residue(["status", "--json"]).stdout);
    expect(status.sessions).toEqual([]);
    expect(status.pending_commits).toEqual([]);
  });

  it("keeps everything when the server is down and uploads it exactly once on the next push", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const transcript = join(sb.dir, "s.jsonl");
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    writeFileSync(transcript, transcriptLines([seconds(t0, 1)]));
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
    sb.edit("a.ts", "a\n");
    sb.gitAt(seconds(t0, 5), "commit", "-qm", "A");
    const up = sb.env.RESIDUE_URL as string;
    sb.env.RESIDUE_URL = "http://127.0.0.1:9"; // nothing listens on the discard port
    const push = sb.residue(["sync", "--hook"]);
    expect(push.status).toBe(0);
    expect(push.stdout).toBe("");
    expect(push.stderr.trim().split("\n")).toHaveLength(1);
    expect(push.stderr).toMatch(/^residue: .*(kept for the next push|stay queued)/);
    sb.git("push", "-q", "origin", "main"); // git itself is never blocked
    expect(readFileSync(join(sb.repo, ".residue/log"), "utf8")).toContain("cannot reach http://127.0.0.1:9");

    sb.env.RESIDUE_URL = up;
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    const first = sb.residue(["push", "--json"]);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ uploaded: 1, commits: 1, failed: [] });
    const second = sb.residue(["push", "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ uploaded: 0, commits: 0 });
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(page.body.commits).toHaveLength(1);
    expect(page.body.repo.session_count).toBe(1);
  });

  it("uploads from the snapshot when the agent deleted its transcript after capture", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const transcript = join(sb.dir, "gone.jsonl");
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const content = transcriptLines([seconds(t0, 1), seconds(t0, 2)]);
    writeFileSync(transcript, content);
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
    sb.edit("b.ts", "b\n");
    sb.gitAt(seconds(t0, 5), "commit", "-qm", "B");
    expect(sb.residue(["capture"]).status).toBe(0);
    sb.residue(["session", "end", "--id", id]);
    rmSync(transcript);
    const status = sb.residue(["status"]);
    expect(status.stdout).toContain("transcript gone (snapshot kept)");
    sb.git("push", "-q", "origin", "main");
    expect(await rawSession(sb, id)).toBe(content);
    expect((await sb.api(`/repos/${sb.owner}/widgets`)).body.commits[0].sessions[0].id).toBe(id);
  });

  it("re-uploads an open session when it grows, and uploads sessions that produced no commit", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const transcript = join(sb.dir, "open.jsonl");
    const t0 = new Date(Date.now() - 10_000);
    writeFileSync(transcript, transcriptLines([seconds(t0, 1)]));
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
    expect(JSON.parse(sb.residue(["push", "--json"]).stdout)).toMatchObject({ uploaded: 1, commits: 0 });
    expect(JSON.parse(sb.residue(["push", "--json"]).stdout)).toMatchObject({ uploaded: 0, unchanged: 1 });
    appendFileSync(transcript, transcriptLines([seconds(t0, 2)], 1));
    expect(JSON.parse(sb.residue(["push", "--json"]).stdout)).toMatchObject({ uploaded: 1 });
    expect(await rawSession(sb, id)).toBe(readFileSync(transcript, "utf8"));
    // Still open, so still queued with its copy; once ended and pushed it leaves the queue, and its copy goes.
    const copies = () => readdirSync(join(sb.repo, ".residue/snapshots")).filter((name) => name.startsWith(id));
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toHaveLength(1);
    expect(copies().length).toBeGreaterThan(0);
    sb.residue(["session", "end", "--id", id]);
    sb.residue(["push"]);
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toHaveLength(0);
    expect(copies()).toEqual([]);
    const repo = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(repo.body.repo.session_count).toBe(1);
    expect(repo.body.commits).toEqual([]);
  });
});
