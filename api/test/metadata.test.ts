import { describe, expect, it } from "vitest";
import { api, commitMapping, fakeSha, type Json, json, postJson, sessionMeta, uniqueRepo, uploadData } from "./support/client.ts";

describe("session metadata and commit mappings", () => {
  it("stores a session once and links it from several commits with their transcript positions", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("a\nb\nc\n");
    const [sha1, sha2] = [fakeSha(`${s.id}1`), fakeSha(`${s.id}2`)];
    const res = await postJson("/sessions", {
      repo,
      sessions: [s],
      commits: [
        commitMapping(sha1, [s.id], { committed_at: 1000, sessions: [{ session_id: s.id, position: { line: 1, byte: 2 } }] }),
        commitMapping(sha2, [s.id], { committed_at: 2000, sessions: [{ session_id: s.id, position: { line: 3, byte: 6 } }] }),
      ],
    });
    expect(res.status).toBe(200);

    const page = await json(await api(`/repos/${repo.owner}/${repo.name}`));
    expect(page.repo).toMatchObject({ host: "github.com", owner: repo.owner, name: repo.name, commit_count: 2, session_count: 1 });
    expect(page.commits.map((c: Json) => c.sha)).toEqual([sha2, sha1]);
    expect(page.commits[0].sessions).toEqual([
      expect.objectContaining({ id: s.id, title: s.title, position: { line: 3, byte: 6, last_message_at: null } }),
    ]);
    expect(page.commits[1].sessions[0].position).toMatchObject({ line: 1, byte: 2 });
    expect(page.commits[0]).toMatchObject({ files_changed: 1, additions: 10, deletions: 2, branch: "main" });
  });

  it("is idempotent: replaying the same upload creates no duplicates", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("x");
    const body = { repo, sessions: [s], commits: [commitMapping(fakeSha(s.id), [s.id])] };
    for (let i = 0; i < 3; i++) expect((await postJson("/sessions", body)).status).toBe(200);
    const page = await json(await api(`/repos/${repo.owner}/${repo.name}`));
    expect(page.commits).toHaveLength(1);
    expect(page.commits[0].sessions).toHaveLength(1);
    expect(page.repo).toMatchObject({ commit_count: 1, session_count: 1 });
  });

  it("lets newer session data replace older, never the reverse", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("v1", { status: "open", data_updated_at: 1000, message_count: 5 });
    const sha = fakeSha(s.id);
    await postJson("/sessions", { repo, sessions: [s], commits: [commitMapping(sha, [s.id])] });
    await postJson("/sessions", { repo, sessions: [{ ...s, status: "ended", data_updated_at: 3000, message_count: 50 }] });
    await postJson("/sessions", { repo, sessions: [{ ...s, status: "open", data_updated_at: 2000, message_count: 20 }] });
    const commit = await json(await api(`/repos/${repo.owner}/${repo.name}/${sha}`));
    expect(commit.commit.sessions[0]).toMatchObject({ status: "ended", message_count: 50 });
  });

  it("links a session uploaded earlier to a commit posted later", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("early");
    await postJson("/sessions", { repo, sessions: [s] });
    const sha = fakeSha(s.id);
    const res = await postJson("/sessions", { repo, commits: [commitMapping(sha, [s.id])] });
    expect(res.status).toBe(200);
    expect((await json(await api(`/repos/${repo.owner}/${repo.name}/${sha}`))).commit.sessions[0].id).toBe(s.id);
  });

  it("refuses commit mappings that name sessions never uploaded", async () => {
    const repo = uniqueRepo();
    const ghost = "7e3b9d51-0a2c-4f6e-b8d4-19c7a5e3f2b0";
    const res = await postJson("/sessions", { repo, commits: [commitMapping(fakeSha(repo.owner), [ghost])] });
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({ code: "unknown_session", message: expect.stringContaining(ghost) });
  });

  it("paginates commits newest first with a cursor", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("p");
    const commits = Array.from({ length: 7 }, (_, i) => commitMapping(fakeSha(`${s.id}-${i}`), [s.id], { committed_at: 10_000 + (i % 3) }));
    await postJson("/sessions", { repo, sessions: [s], commits });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Json = await json(await api(`/repos/${repo.owner}/${repo.name}?limit=3${cursor ? `&cursor=${cursor}` : ""}`));
      seen.push(...page.commits.map((c: Json) => `${c.committed_at}:${c.sha}`));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    const expected = commits
      .map((c) => `${c.committed_at}:${c.sha}`)
      .sort()
      .reverse();
    expect(seen).toEqual(expected);
  });

  it("finds a commit by abbreviated SHA and reports ambiguity", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("abbrev");
    const shaA = `abcd1${"0".repeat(35)}`;
    const shaB = `abcd2${"0".repeat(35)}`;
    await postJson("/sessions", { repo, sessions: [s], commits: [commitMapping(shaA, [s.id]), commitMapping(shaB, [s.id])] });
    const one = await api(`/repos/${repo.owner}/${repo.name}/abcd1`);
    expect(one.status).toBe(200);
    expect((await json(one)).commit).toMatchObject({ sha: shaA, files: [{ path: "src/parser.ts", additions: 10, deletions: 2 }] });
    const upper = await api(`/repos/${repo.owner}/${repo.name}/ABCD1`);
    expect((await json(upper)).commit.sha).toBe(shaA);
    const both = await api(`/repos/${repo.owner}/${repo.name}/abcd`);
    expect(both.status).toBe(409);
    expect((await api(`/repos/${repo.owner}/${repo.name}/abce`)).status).toBe(404);
  });

  it("keeps GitLab subgroup paths and tells hosts apart", async () => {
    const base = uniqueRepo();
    const sub = { host: "gitlab.example.com", owner: `${base.owner}/platform/tools`, name: "widgets" };
    const s = sessionMeta("sub");
    const sha = fakeSha(s.id);
    await postJson("/sessions", { repo: sub, sessions: [s], commits: [commitMapping(sha, [s.id])] });
    expect((await json(await api(`/repos/${sub.owner}/widgets`))).repo).toMatchObject({ host: "gitlab.example.com", owner: sub.owner });
    expect((await json(await api(`/repos/${sub.owner}/widgets/${sha.slice(0, 8)}`))).commit.sha).toBe(sha);
    expect((await json(await api(`/orgs/${sub.owner}/repos`))).repos).toHaveLength(1);

    // The same owner/name on two hosts never collides, and the host picks one.
    const a = { host: "github.com", owner: base.owner, name: "twin" };
    const b = { host: "gitlab.example.com", owner: base.owner, name: "twin" };
    const sa = sessionMeta("a");
    const sb = sessionMeta("b");
    await postJson("/sessions", { repo: a, sessions: [sa], commits: [commitMapping(fakeSha(sa.id), [sa.id])] });
    await postJson("/sessions", { repo: b, sessions: [sb], commits: [commitMapping(fakeSha(sb.id), [sb.id])] });
    const ambiguous = await api(`/repos/${base.owner}/twin`);
    expect(ambiguous.status).toBe(409);
    expect((await json(ambiguous)).error.message).toContain("?host=");
    const onA = await json(await api(`/repos/${base.owner}/twin?host=github.com`));
    expect(onA.commits.map((c: Json) => c.sessions[0].id)).toEqual([sa.id]);
    const onB = await json(await api(`/repos/${base.owner}/twin?host=gitlab.example.com`));
    expect(onB.commits.map((c: Json) => c.sessions[0].id)).toEqual([sb.id]);
  });

  it("lists orgs and their repos with counts", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("o");
    await postJson("/sessions", { repo, sessions: [s], commits: [commitMapping(fakeSha(s.id), [s.id])] });
    const orgs = await json(await api("/orgs"));
    expect(orgs.orgs).toContainEqual(expect.objectContaining({ owner: repo.owner, hosts: ["github.com"], repo_count: 1 }));
    const repos = await json(await api(`/orgs/${repo.owner}/repos`));
    expect(repos.repos).toEqual([expect.objectContaining({ name: "widgets", commit_count: 1, session_count: 1 })]);
    expect((await api("/orgs/nobody-here/repos")).status).toBe(404);
  });

  it("keeps sessions that belong to a repo but no commit", async () => {
    const repo = uniqueRepo();
    const s = sessionMeta("exploration");
    await postJson("/sessions", { repo, sessions: [s] });
    const page = await json(await api(`/repos/${repo.owner}/${repo.name}`));
    expect(page.repo.session_count).toBe(1);
    expect(page.commits).toEqual([]);
  });

  it("deletes a session: rows, links and the R2 object; its commits stay, without it", async () => {
    const repo = uniqueRepo();
    const keep = sessionMeta("keep");
    const drop = sessionMeta("drop");
    await uploadData(drop.id, "drop");
    const shared = fakeSha(`${drop.id}shared`);
    const only = fakeSha(`${drop.id}only`);
    await postJson("/sessions", {
      repo,
      sessions: [keep, drop],
      commits: [commitMapping(shared, [keep.id, drop.id]), commitMapping(only, [drop.id], { committed_at: 1 })],
    });
    const del = await api(`/sessions/${drop.id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await api(`/sessions/${drop.id}`)).status).toBe(404);
    expect((await api(`/sessions/${drop.id}`, { method: "DELETE" })).status).toBe(404);
    const page = await json(await api(`/repos/${repo.owner}/${repo.name}`));
    expect(page.commits.map((c: Json) => [c.sha, c.sessions.map((x: Json) => x.id)])).toEqual([
      [shared, [keep.id]],
      [only, []],
    ]);
  });
});
