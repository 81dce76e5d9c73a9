// The permalink and link evidence: why each session is linked, which commit a part continues from (git's
// order, not the clock), where a part starts, what an empty part shows, and the link/unlink forms.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reasonText } from "@residue/formats/view";
import { describe, expect, inject, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { api, baseUrl, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";

const transcript = readFileSync(join(ROOT, "e2e/fixtures/claude-code/basic.jsonl"), "utf8");
const auth = () => ({ authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` });
const short = (sha: string) => sha.slice(0, 7);

type Link = { session_id: string; position?: object; since?: object; reason?: object };
interface Commit {
  sha: string;
  parents?: string[];
  committed_at: number;
  sessions: Link[];
}

/** A repo whose sessions all hold the fixture transcript, with these commits pushed. */
async function pushed(sessionCount: number, commits: (ids: string[]) => Commit[]) {
  const repo = uniqueRepo();
  const sessions = Array.from({ length: sessionCount }, () => sessionMeta(transcript));
  for (const s of sessions) await uploadData(s.id, transcript);
  const mappings = commits(sessions.map((s) => s.id)).map(({ sha, ...rest }) => commitMapping(sha, [], rest));
  const res = await postJson("/sessions", { repo, sessions, commits: mappings });
  expect(res.status, await res.clone().text()).toBe(200);
  return { repo, ids: sessions.map((s) => s.id), page: (sha: string) => `/app/${repo.owner}/${repo.name}/${sha}` };
}

async function html(path: string) {
  const res = await fetch(`${baseUrl()}${path}`, { headers: auth() });
  expect(res.status, path).toBe(200);
  return (await res.text()).replace(/<!--.*?-->/gs, "");
}

const continuesFrom = (page: string) => /Continues from <a href="[^"]*\/([0-9a-f]{40})"/.exec(page)?.[1];
const continuesIn = (page: string) => /Continues in <a href="[^"]*\/([0-9a-f]{40})"/.exec(page)?.[1];

describe("which commit a part continues from", () => {
  const [a, b, c, x] = ["a", "b", "c", "x"].map((n) => fakeSha(`${n}-${Math.random()}`)) as [string, string, string, string];

  it.each([
    ["reversed", [3000, 2000, 1000]],
    ["equal", [1000, 1000, 1000]],
  ])("follows the parents when commit times are %s", async (_label, [ta, tb, tc]) => {
    const chain = await pushed(1, ([s]) => [
      { sha: a, parents: [fakeSha("root")], committed_at: ta as number, sessions: [{ session_id: s as string }] },
      { sha: b, parents: [a], committed_at: tb as number, sessions: [{ session_id: s as string }] },
      { sha: c, parents: [b], committed_at: tc as number, sessions: [{ session_id: s as string }] },
    ]);
    const middle = await html(chain.page(b));
    expect([continuesFrom(middle), continuesIn(middle)]).toEqual([a, c]);
    expect(continuesFrom(await html(chain.page(a)))).toBeUndefined();
    expect(continuesIn(await html(chain.page(c)))).toBeUndefined();
  });

  it("walks through stored commits of other sessions", async () => {
    const walk = await pushed(2, ([s, t]) => [
      { sha: a, parents: [], committed_at: 3000, sessions: [{ session_id: s as string }] },
      { sha: x, parents: [a], committed_at: 2000, sessions: [{ session_id: t as string }] },
      { sha: b, parents: [x], committed_at: 1000, sessions: [{ session_id: s as string }] },
    ]);
    expect(continuesFrom(await html(walk.page(b)))).toBe(a);
    expect(continuesIn(await html(walk.page(a)))).toBe(b);
  });

  it("falls back to the conversation's order where parents are unknown", async () => {
    const old = await pushed(1, ([s]) => [
      { sha: a, committed_at: 1000, sessions: [{ session_id: s as string, position: { line: 5 } }] },
      { sha: b, committed_at: 2000, sessions: [{ session_id: s as string, position: { line: 11 } }] },
    ]);
    expect(continuesFrom(await html(old.page(b)))).toBe(a);
  });
});

describe("why a session is linked", () => {
  it("says it per linked session, as text", async () => {
    const sha = fakeSha(`why-${Math.random()}`);
    const prev = fakeSha(`prev-${Math.random()}`);
    const { page } = await pushed(3, ([s, t, u]) => [
      {
        sha,
        committed_at: 1000,
        sessions: [
          { session_id: s as string, reason: { kind: "files", files: ["src/http.ts", "<b>x</b>.ts"] } },
          { session_id: t as string, reason: { kind: "messages", since_sha: prev } },
          { session_id: u as string, reason: { kind: "manual" } },
        ],
      },
    ]);
    const text = await html(page(sha));
    expect(text).toContain("edited src/http.ts, &lt;b&gt;x&lt;/b&gt;.ts, changed here");
    expect(text).toContain(`new turns since ${short(prev)}`);
    expect(text).toContain("linked by hand");
  });

  it("words every kind of reason", () => {
    expect(reasonText({ kind: "files", files: ["a", "b", "c", "d", "e"] })).toBe("edited a, b, c and 2 more files, changed here");
    expect(reasonText({ kind: "messages", since_sha: null })).toBe("new turns in this session");
    expect(reasonText(null)).toBeNull();
  });
});

describe("a part's messages", () => {
  it("starts where the link's since says", async () => {
    const sha = fakeSha(`since-${Math.random()}`);
    const { page } = await pushed(1, ([s]) => [
      { sha, committed_at: 1000, sessions: [{ session_id: s as string, position: { line: 11 }, since: { line: 9 } }] },
    ]);
    const text = await html(page(sha));
    expect(text).toMatch(/Show \d+ earlier messages? \(before this part\)/);
    expect(text).toContain(`What led to ${short(sha)}`);
    expect(text).toContain("Good catch. Fix it and commit.");
  });

  it("of a link made by hand (no position) ends at the commit's time", async () => {
    const sha = fakeSha(`hand-${Math.random()}`);
    const { page } = await pushed(1, ([s]) => [
      { sha, committed_at: Date.parse("2026-11-20T09:00:30Z"), sessions: [{ session_id: s as string, reason: { kind: "manual" } }] },
    ]);
    const text = await html(page(sha));
    expect(text).toContain(`Committed as ${short(sha)}`);
    expect(text).toMatch(/Show 2 later messages \(after this commit\)/);
  });

  it("with no new messages says so and shows the last exchange before the commit", async () => {
    const [a, b] = [fakeSha(`ea-${Math.random()}`), fakeSha(`eb-${Math.random()}`)];
    const { page } = await pushed(1, ([s]) => [
      { sha: a, parents: [], committed_at: 1000, sessions: [{ session_id: s as string, position: { line: 11 } }] },
      {
        sha: b,
        parents: [a],
        committed_at: 2000,
        sessions: [{ session_id: s as string, position: { line: 11 }, since: { line: 11 }, reason: { kind: "messages", since_sha: a } }],
      },
    ]);
    const text = await html(page(b));
    expect(text).toContain(`No new messages since ${short(a)}`);
    expect(text).toContain("Good catch. Fix it and commit.");
    expect(text).toContain("Fixed: the client now makes up to 3");
    expect(text).not.toContain(`What led to ${short(b)}`);
  });
});

describe("the permalink's link and unlink forms", () => {
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: baseUrl() }) =>
    fetch(`${baseUrl()}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...auth(), "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields),
    });

  it("unlinks and links from the page, only from a page of this app", async () => {
    const sha = fakeSha(`form-${Math.random()}`);
    const { repo, ids, page } = await pushed(2, ([s]) => [{ sha, committed_at: 1000, sessions: [{ session_id: s as string }] }]);
    const [one, two] = ids as [string, string];
    const linked = async () =>
      (
        (await (await api(`/repos/${repo.owner}/${repo.name}/${sha}`)).json()) as { commit: { sessions: { id: string }[] } }
      ).commit.sessions.map((s) => s.id);
    const shown = await html(page(sha));
    expect(shown).toMatch(/<form class="unlink"[^>]*method="post"/);
    expect(shown).toContain(`name="session" value="${one}"`);
    expect(shown).toMatch(/<form class="link-session"[^>]*method="post"/);
    // The conversation no commit links is offered to the link form.
    expect(shown).toMatch(new RegExp(`<datalist id="link-candidates"><option value="${two}">`));

    const foreign: Record<string, string>[] = [{ origin: "https://evil.example" }, {}, { "sec-fetch-site": "cross-site" }];
    for (const headers of foreign) {
      const res = await post(page(sha), { action: "unlink", session: one }, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await linked()).toEqual([one]);

    const unlink = await post(page(sha), { action: "unlink", session: one });
    expect(unlink.status).toBe(303);
    expect(unlink.headers.get("location")).toBe(page(sha));
    expect(await linked()).toEqual([]);
    const link = await post(page(sha), { action: "link", session: two.slice(0, 8) });
    expect(link.status).toBe(303);
    expect(link.headers.get("location")).toBe(`${page(sha)}#s-${two}`);
    expect(await linked()).toEqual([two]);
    expect(await html(page(sha))).toContain("linked by hand");
  });

  it("explains a session it cannot find on the commit's page, and refuses other pages and bodies", async () => {
    const sha = fakeSha(`form404-${Math.random()}`);
    const { repo, page } = await pushed(1, ([s]) => [{ sha, committed_at: 1000, sessions: [{ session_id: s as string }] }]);
    const missing = await post(page(sha), { action: "link", session: "7e3b9d51-0a2c-4f6e-b8d4-<i>x" });
    expect(missing.status).toBe(404);
    const body = await missing.text();
    expect(body).toContain("No session 7e3b9d51-0a2c-4f6e-b8d4-&lt;i&gt;x in");
    expect(body).toContain(short(sha));
    expect((await post(`/app/${repo.owner}/${repo.name}`, { action: "link", session: "abcd" })).status).toBe(405);
    expect((await post(page(sha), { action: "merge", session: "abcd" })).status).toBe(400);
    expect((await post(`/app/${repo.owner}/${repo.name}/${fakeSha("none")}`, { action: "link", session: "abcd" })).status).toBe(404);
  });
});
