// Link evidence (why a session is linked, where its part starts, the commit's parents) and manual links:
// stored on ingest, read back, and a person's unlink surviving the next push.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { api, commitMapping, commitOf, fakeSha, type Json, json, postJson, sessionMeta, uniqueRepo } from "./support/client.ts";

const at = Date.parse("2026-11-20T10:30:00Z");
const linkPath = (repo: { owner: string; name: string }, sha: string, session: string) =>
  `/repos/${repo.owner}/${repo.name}/commits/${sha}/sessions/${session}`;

describe("link evidence on ingest", () => {
  it("keeps each link's reason and since, and reads them back", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("a\nb\nc\n");
    const [first, second] = [fakeSha(`${s.id}1`), fakeSha(`${s.id}2`)];
    const res = await postJson("/sessions", {
      repo,
      sessions: [s],
      commits: [
        commitMapping(first, [], {
          parents: [fakeSha("root")],
          sessions: [{ session_id: s.id, position: { line: 2 }, reason: { kind: "files", files: ["src/http.ts"] } }],
        }),
        commitMapping(second, [], {
          parents: [first],
          sessions: [
            {
              session_id: s.id,
              position: { line: 3, byte: 6 },
              since: { line: 2, byte: 4, last_message_at: at },
              reason: { kind: "messages", since_sha: first.toUpperCase() },
            },
          ],
        }),
      ],
    });
    expect(res.status).toBe(200);
    expect((await commitOf(repo, first)).sessions[0]).toMatchObject({ since: null, reason: { kind: "files", files: ["src/http.ts"] } });
    expect((await commitOf(repo, second)).sessions[0]).toMatchObject({
      position: { line: 3, byte: 6 },
      since: { line: 2, byte: 4, last_message_at: at },
      reason: { kind: "messages", since_sha: first },
    });
    const page = await json(await api(`/repos/${repo.owner}/${repo.name}`));
    expect(page.commits.find((c: Json) => c.sha === second).sessions[0].reason).toEqual({ kind: "messages", since_sha: first });
  });

  it("still takes links from CLIs that send no reason, since or parents", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("old");
    const sha = fakeSha(s.id);
    expect((await postJson("/sessions", { repo, sessions: [s], commits: [commitMapping(sha, [s.id])] })).status).toBe(200);
    expect((await commitOf(repo, sha)).sessions[0]).toMatchObject({ position: { line: 10 }, since: null, reason: null });
  });

  it("refuses a reason the contract does not allow", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("bad");
    for (const reason of [{ kind: "files", files: [] }, { kind: "guess" }, { kind: "manual", by: "x" }]) {
      const commit = commitMapping(fakeSha(s.id), [], { sessions: [{ session_id: s.id, reason }] });
      expect((await postJson("/sessions", { repo, sessions: [s], commits: [commit] })).status).toBe(400);
    }
  });
});

describe("manual links", () => {
  async function pushed(count = 1) {
    const repo = uniqueRepo();
    const sessions = Array.from({ length: count }, (_, i) => sessionMeta(`s${i}`));
    const sha = fakeSha(sessions[0]?.id as string);
    const auto = commitMapping(sha, [], {
      sessions: [{ session_id: sessions[0]?.id, position: { line: 4 }, reason: { kind: "files", files: ["src/a.ts"] } }],
    });
    expect((await postJson("/sessions", { repo, sessions, commits: [auto] })).status).toBe(200);
    return { repo, sessions, sha, auto };
  }

  it("unlinks a session, and a later push of the automatic link does not bring it back", async () => {
    const { repo, sessions, sha, auto } = await pushed();
    const id = sessions[0]?.id as string;
    const res = await api(linkPath(repo, sha.slice(0, 10), id.slice(0, 8)), { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ sha, session_id: id, linked: false, changed: true });
    expect((await commitOf(repo, sha)).sessions).toEqual([]);

    expect((await postJson("/sessions", { repo, commits: [auto] })).status).toBe(200);
    expect((await commitOf(repo, sha)).sessions).toEqual([]);
    // Unlinking again changes nothing and says so.
    expect(await json(await api(linkPath(repo, sha, id), { method: "DELETE" }))).toMatchObject({ changed: false });
  });

  it("links by hand with reason manual, lifting an unlink, and keeps saying so through later pushes", async () => {
    const { repo, sessions, sha, auto } = await pushed(2);
    const [one, two] = sessions.map((s) => s.id) as [string, string];
    expect((await api(linkPath(repo, sha, one), { method: "DELETE" })).status).toBe(200);
    const res = await api(linkPath(repo, sha, one), { method: "PUT" });
    expect(await json(res)).toEqual({ sha, session_id: one, linked: true, changed: true });
    expect((await api(linkPath(repo, sha, two), { method: "PUT" })).status).toBe(200);

    expect((await postJson("/sessions", { repo, commits: [auto] })).status).toBe(200);
    const linked = (await commitOf(repo, sha)).sessions as Json[];
    expect(linked.map((s) => [s.id, s.reason])).toEqual(
      expect.arrayContaining([
        [one, { kind: "manual" }],
        [two, { kind: "manual" }],
      ]),
    );
    // The automatic push still brought its position.
    expect(linked.find((s) => s.id === one)?.position.line).toBe(4);
    expect(await json(await api(linkPath(repo, sha, two), { method: "PUT" }))).toMatchObject({ changed: false });
  });

  it("carries a person's unlinks and links by hand over to the commit that replaced theirs (amend, rebase)", async () => {
    const { repo, sessions, sha, auto } = await pushed(2);
    const [one, two] = sessions.map((s) => s.id) as [string, string];
    expect((await api(linkPath(repo, sha, one), { method: "DELETE" })).status).toBe(200);
    expect((await api(linkPath(repo, sha, two), { method: "PUT" })).status).toBe(200);
    const amended = fakeSha(`${sha}-amended`);
    expect((await postJson("/sessions", { repo, commits: [{ ...auto, sha: amended, replaces: [sha] }] })).status).toBe(200);
    expect((await api(`/repos/${repo.owner}/${repo.name}/${sha}`)).status).toBe(404);
    expect(((await commitOf(repo, amended)).sessions as Json[]).map((s) => [s.id, s.reason])).toEqual([[two, { kind: "manual" }]]);
  });

  it("answers 404 for an unknown repo, commit or session, and never links across repos", async () => {
    const { repo, sessions, sha } = await pushed();
    const other = await pushed();
    const id = sessions[0]?.id as string;
    const cases: [string, string][] = [
      [linkPath({ owner: repo.owner, name: "nope" }, sha, id), "repo_not_found"],
      [linkPath({ owner: "nobody-here", name: repo.name }, sha, id), "repo_not_found"],
      [linkPath(repo, fakeSha("missing"), id), "commit_not_found"],
      [linkPath(repo, "zz", id), "commit_not_found"],
      [linkPath(repo, sha, "7e3b9d51-0a2c-4f6e-b8d4-19c7a5e3f2b0"), "session_not_found"],
      [linkPath(repo, sha, "x!"), "session_not_found"],
      [linkPath(repo, sha, other.sessions[0]?.id as string), "session_not_found"],
    ];
    for (const method of ["PUT", "DELETE"]) {
      for (const [path, code] of cases) {
        const res = await api(path, { method });
        expect([method, path, res.status]).toEqual([method, path, 404]);
        expect((await json(res)).error.code).toBe(code);
      }
    }
    expect((await commitOf(other.repo, other.sha)).sessions).toHaveLength(1);
  });

  it("names a session by a unique prefix of its id, and says when a prefix is ambiguous", async () => {
    const repo = uniqueRepo();
    const p = randomUUID().slice(0, 6);
    const ids = [`${p}11-0000-4000-8000-000000000001`, `${p}22-0000-4000-8000-000000000002`];
    const sessions = ids.map((id) => sessionMeta(id, { id }));
    const sha = fakeSha(repo.owner);
    await postJson("/sessions", { repo, sessions, commits: [commitMapping(sha, [ids[0] as string])] });
    const res = await api(linkPath(repo, sha, p), { method: "PUT" });
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatchObject({ code: "ambiguous_session", message: expect.stringContaining(p) });
    const unique = `${p}22`.toUpperCase();
    expect(await json(await api(linkPath(repo, sha, unique), { method: "PUT" }))).toMatchObject({ session_id: ids[1], linked: true });
  });

  it("requires the bearer token", async () => {
    const { repo, sessions, sha } = await pushed();
    for (const method of ["PUT", "DELETE"]) {
      expect((await api(linkPath(repo, sha, sessions[0]?.id as string), { method, token: null })).status).toBe(401);
    }
    expect((await commitOf(repo, sha)).sessions).toHaveLength(1);
  });
});
