// Message anchors on a commit page that shows two sessions (issue 9 #8): unique, and search hits point at
// the right session's message.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { api, baseUrl, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";

const transcript = readFileSync(join(ROOT, "e2e/fixtures/claude-code/basic.jsonl"), "utf8");
const auth = () => ({ authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` });
const repo = uniqueRepo();
const word = `zebracorn${randomUUID().slice(0, 8)}`;
const first = sessionMeta(transcript);
const second = sessionMeta(transcript);
const sha = fakeSha(first.id);

beforeAll(async () => {
  for (const meta of [first, second]) await uploadData(meta.id, transcript);
  const commit = commitMapping(sha, [], { sessions: [first, second].map((s) => ({ session_id: s.id, position: {} })) });
  expect((await postJson("/sessions", { repo, sessions: [first, second], commits: [commit] })).status).toBe(200);
  const doc = { i: 1, role: "assistant", text: `the ${word} answer`, tools: "", files: "", commands: "", at: null, line: 2 };
  expect(
    (
      await api(`/sessions/${second.id}/search`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ docs: [doc] }),
      })
    ).status,
  ).toBe(200);
});

describe("message anchors on a page with two sessions", () => {
  it("are unique, and each names its session", async () => {
    const html = await (await fetch(`${baseUrl()}/app/${repo.owner}/${repo.name}/${sha}`, { headers: auth() })).text();
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id) => id?.startsWith(`m-${first.id}-`)).length).toBeGreaterThan(1);
    expect(ids.filter((id) => id?.startsWith(`m-${second.id}-`)).length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    // The copy-link button of a message points at that message's own anchor.
    expect(html).toContain(`href="#m-${second.id}-1"`);
  });

  it("are what a search hit in the second session points at", async () => {
    const res = await api(`/search?q=${word}&org=${repo.owner}`);
    const { hits } = (await res.json()) as { hits: { anchor: string; session: { id: string } }[] };
    expect(hits).toHaveLength(1);
    expect(hits[0]?.anchor).toBe(`m-${second.id}-1`);
    const page = await (await fetch(`${baseUrl()}/app/-/search?q=${word}&org=${repo.owner}`, { headers: auth() })).text();
    expect(page).toContain(`${sha}?hl=${word}#m-${second.id}-1`);
  });
});
