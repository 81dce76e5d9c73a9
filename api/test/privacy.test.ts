// What users decide about their record (issue #12): redaction counts travel with a session and come back with
// it; a deleted session stays deleted (a later push of it is refused, its commits stay and still link the rest).
import { describe, expect, inject, it } from "vitest";
import { sessionObjectKey } from "../src/storage/keys.ts";
import { api, commitMapping, commitOf, fakeSha, type Json, json, postJson, sessionMeta, uniqueRepo, uploadData } from "./support/client.ts";
import { storedObjectKeys } from "./support/r2-objects.ts";

describe("redaction counts", () => {
  it("are stored with the session and returned with the commit's sessions; old clients send none", async () => {
    const repo = uniqueRepo();
    const counted = sessionMeta("a\n", { redacted: { "aws-access-token": 2, "generic-api-key": 1 } });
    const old = sessionMeta("b\n");
    const sha = fakeSha(counted.id);
    expect(
      (await postJson("/sessions", { repo, sessions: [counted, old], commits: [commitMapping(sha, [counted.id, old.id])] })).status,
    ).toBe(200);
    const sessions = (await commitOf(repo, sha)).sessions as Json[];
    expect(Object.fromEntries(sessions.map((s) => [s.id, s.redacted]))).toEqual({
      [counted.id]: { "aws-access-token": 2, "generic-api-key": 1 },
      [old.id]: null,
    });
  });

  it.each([
    ["an upper-case rule name", { "AWS-Key": 1 }],
    ["a rule name with a space", { "aws key": 1 }],
    ["a markup rule name", { "<b>x</b>": 1 }],
    ["a 65-character rule name", { [`a${"b".repeat(64)}`]: 1 }],
    ["a fractional count", { "aws-access-token": 1.5 }],
    ["a zero count", { "aws-access-token": 0 }],
    ["a negative count", { "aws-access-token": -1 }],
    ["a string count", { "aws-access-token": "2" }],
    ["301 rules", Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`rule-${i}`, 1]))],
  ])("refuses %s with a 400 naming the field", async (_name, redacted) => {
    const res = await postJson("/sessions", { repo: uniqueRepo(), sessions: [sessionMeta("c\n", { redacted: redacted as never })] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await json(res))).toContain("redacted");
  });
});

describe("deleted sessions stay deleted", () => {
  it("removes the stored transcript from R2 itself", async () => {
    const s = sessionMeta("r2 object\n");
    await uploadData(s.id, "r2 object\n");
    await postJson("/sessions", { repo: uniqueRepo(), sessions: [s] });
    expect(storedObjectKeys(inject("persistTo")).has(sessionObjectKey(s.id))).toBe(true);
    expect((await api(`/sessions/${s.id}`, { method: "DELETE" })).status).toBe(200);
    expect(storedObjectKeys(inject("persistTo")).has(sessionObjectKey(s.id))).toBe(false);
  });

  it("refuses an upload URL for a deleted session with 410 session_deleted", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("d\n");
    await uploadData(s.id, "d\n");
    await postJson("/sessions", { repo, sessions: [s] });
    expect((await api(`/sessions/${s.id}`, { method: "DELETE" })).status).toBe(200);
    const res = await postJson("/sessions/upload-url", { session_id: s.id.toUpperCase() });
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe("session_deleted");
  });

  it("leaves a deleted session and its links out of a later push, names it, and keeps the rest", async () => {
    const repo = uniqueRepo();
    const [keep, drop] = [sessionMeta("keep\n"), sessionMeta("drop\n")];
    const [shared, only, later] = [fakeSha(`${drop.id}shared`), fakeSha(`${drop.id}only`), fakeSha(`${drop.id}later`)];
    await postJson("/sessions", {
      repo,
      sessions: [keep, drop],
      commits: [commitMapping(shared, [keep.id, drop.id]), commitMapping(only, [drop.id], { committed_at: 1 })],
    });
    expect((await api(`/sessions/${drop.id}`, { method: "DELETE" })).status).toBe(200);
    // The commit whose only session was deleted keeps its permalink, with no conversation.
    expect((await commitOf(repo, only)).sessions).toEqual([]);

    // A stale queue (or a teammate's clone) pushes the session again, newer, with the old links and a new one.
    const again = { ...drop, data_updated_at: Date.parse("2026-11-20T12:00:00Z"), title: "pushed again" };
    const res = await postJson("/sessions", {
      repo,
      sessions: [again, keep],
      commits: [commitMapping(shared, [keep.id, drop.id]), commitMapping(only, [drop.id]), commitMapping(later, [drop.id])],
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ sessions: 1, commits: 3, links: 1, deleted: [drop.id], stored: [] });
    expect((await api(`/sessions/${drop.id}`)).status).toBe(404);
    expect((await commitOf(repo, shared)).sessions.map((s: Json) => s.id)).toEqual([keep.id]);
    expect((await commitOf(repo, only)).sessions).toEqual([]);
    expect((await commitOf(repo, later)).sessions).toEqual([]);
    const page = await json(await api(`/repos/${repo.owner}/${repo.name}`));
    expect(page.repo.session_count).toBe(1);
  });

  it("refuses links to a deleted session posted alone (the commit still goes up)", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("e\n");
    await postJson("/sessions", { repo, sessions: [s] });
    await api(`/sessions/${s.id}`, { method: "DELETE" });
    const sha = fakeSha(s.id);
    const res = await postJson("/sessions", { repo, commits: [commitMapping(sha, [s.id])] });
    expect(await json(res)).toEqual({ sessions: 0, commits: 1, links: 0, deleted: [s.id], stored: [] });
    expect((await commitOf(repo, sha)).sessions).toEqual([]);
  });

  it("removes a deleted session's search rows and keeps its commits searchable", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("f\n");
    const sha = fakeSha(s.id);
    const word = `zq${s.id.slice(0, 8).replace(/-/g, "")}`;
    await postJson("/sessions", { repo, sessions: [s], commits: [commitMapping(sha, [s.id], { message: `Commit ${word}` })] });
    const docs = [{ i: 0, role: "user", text: `secret plan ${word}`, tools: "", files: "", commands: "", at: null, line: 1 }];
    expect((await postJson(`/sessions/${s.id}/search`, { docs }, { method: "PUT" })).status).toBe(200);
    const kinds = async () => ((await json(await api(`/search?q=${word}`))).hits as Json[]).map((h) => h.kind).sort();
    expect(await kinds()).toEqual(["commit", "message"]);
    await api(`/sessions/${s.id}`, { method: "DELETE" });
    expect(await kinds()).toEqual(["commit"]);
    expect((await postJson(`/sessions/${s.id}/search`, { docs }, { method: "PUT" })).status).toBe(404);
  });
});
