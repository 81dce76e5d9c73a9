// Issue #12 through the compiled binary and the real backend: a session with planted secrets is pushed and
// its permalink says how many values were redacted; deleted from the UI, it is not re-created by the next
// push of the same clone (its transcript grew meanwhile), which forgets it locally and never fails.
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { Sandbox, stamp, transcriptLines } from "./support/harness.ts";
import { makeSecret } from "./support/redaction-corpus.ts";

const auth = { authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` };

/** A user message in Claude Code's shape carrying these secrets, stamped now. */
function secretLine(texts: string[]): string {
  const message = { role: "user", content: `my config:\n${texts.join("\n")}` };
  return `${JSON.stringify({ type: "user", uuid: crypto.randomUUID(), timestamp: stamp().toISOString(), message })}\n`;
}

describe("privacy through the binary", { timeout: 120_000 }, () => {
  it("shows the redaction count on the permalink; a session deleted in the UI stays deleted and is forgotten locally", async () => {
    const sb = new Sandbox();
    expect(sb.residue(["init"]).status).toBe(0);
    const transcript = join(sb.dir, "s.jsonl");
    const secrets = [makeSecret("aws-access-key-id", 1), makeSecret("github-classic", 2), makeSecret("github-classic", 3)];
    writeFileSync(transcript, transcriptLines([stamp(), stamp()]) + secretLine(secrets.map((s) => s.text)));
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
    sb.edit("parser.ts", "export const parse = 1;\n");
    sb.git("commit", "-qm", "Add parser");
    const sha = sb.git("rev-parse", "HEAD").trim();
    const first = sb.residue(["push", "--json"]);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ uploaded: 1, commits: 1, failed: [], deleted: [] });

    const commit = await sb.api(`/repos/${sb.owner}/widgets/${sha}`);
    const [session] = commit.body.commit.sessions;
    expect(session.id).toBe(id);
    const counts = session.redacted as Record<string, number>;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(secrets.length);
    const permalink = `/app/${sb.owner}/widgets/${sha}`;
    const html = await (await fetch(`${inject("baseUrl")}${permalink}`, { headers: auth })).text();
    expect(html).toContain(`${total} values redacted (`);
    for (const [rule, n] of Object.entries(counts)) expect(html).toContain(`${rule}: ${n}`);

    // Deleted through the UI's confirmation form, as a browser posts it.
    const del = await fetch(`${inject("baseUrl")}/app/-/delete/${id}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...auth, origin: inject("baseUrl"), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ back: permalink }),
    });
    expect(del.status).toBe(303);
    expect(del.headers.get("location")).toBe(`${permalink}?deleted=${id}`);
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);

    // The agent goes on and another commit follows; the pre-push hook meets the deletion.
    appendFileSync(transcript, transcriptLines([stamp(), stamp()], 3));
    sb.edit("parser.ts", "export const parse2 = 2;\n");
    sb.git("commit", "-qm", "Extend parser");
    const hook = sb.residue(["sync", "--hook"]);
    expect(hook.status).toBe(0);
    expect(hook.stderr).toBe("");
    const log = readFileSync(join(sb.repo, ".residue/log"), "utf8");
    expect(log).toContain(`${id}: deleted on the server, so forgotten here`);
    expect(log).toContain("1 deleted on the server (forgotten here)");
    sb.git("push", "-q", "origin", "main");

    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    expect(page.body.repo.session_count).toBe(0);
    expect((await sb.api(`/repos/${sb.owner}/widgets/${sha}`)).body.commit.sessions).toEqual([]);
    const state = JSON.parse(readFileSync(join(sb.repo, ".residue/state.json"), "utf8"));
    expect(Object.keys(state.sessions)).not.toContain(id);
    expect(Object.values(state.commits).flatMap((c) => (c as { sessions: { session_id: string }[] }).sessions)).toEqual([]);
    expect(state.forgotten.map((f: { id: string }) => f.id)).toContain(id);
    const snapshots = join(sb.repo, ".residue/snapshots");
    expect(existsSync(snapshots) ? readdirSync(snapshots).filter((f) => f.startsWith(id)) : []).toEqual([]);

    // Said once: the next push has nothing more to say about it, and the agent's hook does not bring it back.
    expect(sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).status).toBe(0);
    const again = sb.residue(["push", "--json"]);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, failed: [], deleted: [] });
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
  });

  it("forgets a session the server names as deleted in its answer, when only its status changed", async () => {
    const sb = new Sandbox();
    expect(sb.residue(["init"]).status).toBe(0);
    const transcript = join(sb.dir, "s.jsonl");
    writeFileSync(transcript, transcriptLines([stamp(), stamp()]));
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
    sb.edit("a.ts", "a\n");
    sb.git("commit", "-qm", "A");
    const first = sb.residue(["push", "--json"]);
    expect(JSON.parse(first.stdout)).toMatchObject({ uploaded: 1, commits: 1, failed: [] });
    // Deleted through the API while still open here; then it ends: no new bytes, only its row goes up again.
    const del = await fetch(`${inject("baseUrl")}/api/sessions/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${inject("authToken")}` },
    });
    expect(del.status).toBe(200);
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    const push = sb.residue(["push", "--json"]);
    expect(push.status, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ uploaded: 0, failed: [], deleted: [id] });
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
    const state = JSON.parse(readFileSync(join(sb.repo, ".residue/state.json"), "utf8"));
    expect(Object.keys(state.sessions)).not.toContain(id);
    expect(Object.values(state.uploaded_commits).flat()).toEqual([]);
    expect(state.forgotten.map((f: { id: string }) => f.id)).toContain(id);
  });
});
