// Search over a generated corpus of 240 sessions in three agent formats, indexed through the API with
// the documents the CLI would extract (the same mapper).
import { randomUUID } from "node:crypto";
import { mapSession } from "@residue/formats";
import { searchDocuments } from "@residue/formats/search-text";
import type { SearchHit } from "@residue/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { parseQuery, toFtsMatch } from "../src/search/query.ts";
import { api, commitMapping, fakeSha, postJson, sessionMeta } from "./support/client.ts";

const TOPICS = ["ledger", "websocket", "thumbnail", "tokenizer", "scheduler", "geocoder", "billing", "sitemap"];
const BASE = Date.parse("2026-06-01T00:00:00Z");

interface Spec {
  n: number;
  agent: "claude-code" | "pi" | "codex";
  topic: string;
  prompt: string;
  file: string;
  tool: string;
  command: string;
  at: number;
}

function claude(s: Spec) {
  const t = (k: number) => new Date(s.at + k * 1000).toISOString();
  return [
    { type: "user", uuid: "u1", parentUuid: null, timestamp: t(0), message: { role: "user", content: s.prompt } },
    {
      type: "assistant",
      uuid: "a1",
      parentUuid: "u1",
      timestamp: t(1),
      message: {
        id: "m1",
        role: "assistant",
        content: [
          { type: "text", text: `Working on the ${s.topic}.` },
          { type: "tool_use", id: "t1", name: s.tool, input: { file_path: s.file, command: s.command } },
        ],
      },
    },
    {
      type: "user",
      uuid: "r1",
      parentUuid: "a1",
      timestamp: t(2),
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "secretoutputword" }] },
    },
    {
      type: "assistant",
      uuid: "a2",
      parentUuid: "r1",
      timestamp: t(3),
      message: { id: "m2", role: "assistant", content: [{ type: "text", text: `Finished the ${s.topic} change.` }] },
    },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n");
}

function pi(s: Spec) {
  const t = (k: number) => new Date(s.at + k * 1000).toISOString();
  return [
    { type: "session", version: 3, id: randomUUID(), timestamp: t(0), cwd: "/w" },
    { type: "message", id: "e1", parentId: null, timestamp: t(0), message: { role: "user", content: s.prompt } },
    {
      type: "message",
      id: "e2",
      parentId: "e1",
      timestamp: t(1),
      message: {
        role: "assistant",
        content: [
          { type: "text", text: `Working on the ${s.topic}.` },
          { type: "toolCall", id: "c1", name: s.tool, arguments: { path: s.file, command: s.command } },
        ],
      },
    },
    {
      type: "message",
      id: "e3",
      parentId: "e2",
      timestamp: t(2),
      message: { role: "toolResult", toolCallId: "c1", content: [{ type: "text", text: "secretoutputword" }], isError: false },
    },
    {
      type: "message",
      id: "e4",
      parentId: "e3",
      timestamp: t(3),
      message: { role: "assistant", content: [{ type: "text", text: `Finished the ${s.topic} change.` }] },
    },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n");
}

function codex(s: Spec) {
  const t = (k: number) => new Date(s.at + k * 1000).toISOString();
  return [
    { timestamp: t(0), type: "session_meta", payload: { id: randomUUID(), cwd: "/w" } },
    {
      timestamp: t(0),
      type: "response_item",
      payload: { type: "message", role: "user", content: [{ type: "input_text", text: s.prompt }] },
    },
    {
      timestamp: t(1),
      type: "response_item",
      payload: { type: "function_call", name: s.tool, arguments: JSON.stringify({ path: s.file, command: s.command }), call_id: "c1" },
    },
    { timestamp: t(2), type: "response_item", payload: { type: "function_call_output", call_id: "c1", output: "secretoutputword" } },
    {
      timestamp: t(3),
      type: "response_item",
      payload: { type: "message", role: "assistant", content: [{ type: "output_text", text: `Finished the ${s.topic} change.` }] },
    },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n");
}

const org = `search-${randomUUID().slice(0, 8)}`;
const specs: Spec[] = Array.from({ length: 240 }, (_, n) => {
  const topic = TOPICS[n % TOPICS.length] as string;
  const agent = (["claude-code", "pi", "codex"] as const)[n % 3] as Spec["agent"];
  const special =
    n === 7
      ? "Add exponential backoff to the retry loop"
      : n === 8
        ? "The backoff is exponential but the retry is flaky"
        : n === 9
          ? "Retry the upload with backoff, the test is flaky"
          : n === 10
            ? "Escape <script>alert(1)</script> in previews"
            : `Refactor the ${topic} module, part ${n}`;
  return {
    n,
    agent,
    topic,
    prompt: special,
    file: n === 11 ? "src/payments/ledger.ts" : `src/${topic}/mod${n}.ts`,
    tool: n === 12 ? "WebFetch" : agent === "pi" ? "edit" : agent === "codex" ? "shell" : "Edit",
    command: n === 13 ? "pnpm run migrate:latest" : `npm test -- ${topic}`,
    at: BASE + n * 3_600_000,
  };
});
const ids = new Map<number, string>();
const shas = new Map<number, string>();

async function index(spec: Spec, repo: { host: string; owner: string; name: string }) {
  const text = spec.agent === "claude-code" ? claude(spec) : spec.agent === "pi" ? pi(spec) : codex(spec);
  const meta = sessionMeta(text, { agent: spec.agent, started_at: spec.at, data_updated_at: spec.at, title: spec.prompt });
  const sha = fakeSha(`${org}-${spec.n}`);
  const author = spec.n % 2 ? "Ada Lovelace" : "Grace Hopper";
  const commits =
    spec.n % 10 === 5
      ? []
      : [
          commitMapping(sha, [meta.id], {
            author_name: author,
            message: spec.n === 14 ? "Bump zygomorphic dependency" : `${spec.topic}: part ${spec.n}`,
            committed_at: spec.at + 5000,
          }),
        ];
  expect((await postJson("/sessions", { repo, sessions: [meta], commits })).status).toBe(200);
  const docs = searchDocuments(mapSession(spec.agent, text));
  const res = await api(`/sessions/${meta.id}/search`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ docs }),
  });
  expect(res.status).toBe(200);
  ids.set(spec.n, meta.id);
  if (commits.length) shas.set(spec.n, sha);
}

async function search(q: string, extra: Record<string, string> = {}) {
  const params = new URLSearchParams({ q, org, limit: "50", ...extra });
  const res = await api(`/search?${params}`);
  const body = (await res.json()) as { hits: SearchHit[]; next_cursor: string | null; error?: { code: string } };
  return { status: res.status, ...body };
}
const sessionsOf = (hits: SearchHit[]) => hits.map((h) => h.session?.id);

beforeAll(async () => {
  for (let i = 0; i < specs.length; i += 12) {
    await Promise.all(specs.slice(i, i + 12).map((s) => index(s, { host: "github.com", owner: org, name: s.n < 120 ? "alpha" : "beta" })));
  }
}, 120_000);

describe("search", () => {
  it.each([
    ['"exponential backoff"', [7]],
    ["retry backoff -flaky", [7]],
    ["backoff flaky", [8, 9]],
  ])("%s ranks the right sessions first", async (q, expected) => {
    const { hits, status } = await search(q);
    expect(status).toBe(200);
    const top = sessionsOf(hits).slice(0, expected.length);
    expect(new Set(top)).toEqual(new Set(expected.map((n) => ids.get(n))));
  });

  it("finds files touched, tools called and commands run", async () => {
    expect(sessionsOf((await search("file:src/payments/ledger.ts")).hits)).toEqual([ids.get(11)]);
    expect(sessionsOf((await search("tool:WebFetch")).hits)).toEqual([ids.get(12)]);
    expect(sessionsOf((await search("migrate latest")).hits)).toEqual([ids.get(13)]);
  });

  it("finds commit messages, and never tool output", async () => {
    const { hits } = await search("zygomorphic");
    expect(hits).toMatchObject([{ kind: "commit", commit: { sha: shas.get(14) } }]);
    expect((await search("secretoutputword")).hits).toEqual([]);
  });

  it("filters by repo, agent, author and time", async () => {
    const all = (await search("ledger")).hits.filter((h) => h.kind === "message");
    expect(all.length).toBeGreaterThan(20);
    const beta = (await search("ledger", { repo: "beta" })).hits;
    expect(beta.length).toBeGreaterThan(0);
    expect(beta.every((h) => h.repo.name === "beta")).toBe(true);
    expect((await search("ledger", { agent: "pi" })).hits.every((h) => h.session?.agent === "pi")).toBe(true);
    const ada = (await search("websocket", { author: "Ada Lovelace" })).hits;
    expect(ada.length).toBeGreaterThan(0);
    const adaSessions = new Set([...ids.entries()].filter(([n]) => n % 2 === 1 && n % 10 !== 5).map(([, id]) => id));
    expect(ada.every((h) => (h.kind === "commit" ? true : adaSessions.has(h.session?.id as string)))).toBe(true);
    const since = new Date(BASE + 200 * 3_600_000).toISOString().slice(0, 10);
    const late = (await search("ledger", { since })).hits;
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(all.length);
  });

  it("points each hit at its message and the commit it led to, with a snippet that is plain text", async () => {
    const { hits } = await search('"exponential backoff"');
    const hit = hits[0] as SearchHit;
    expect(hit).toMatchObject({ kind: "message", anchor: `m-${hit.session?.id}-0`, message_index: 0, commit: { sha: shas.get(7) } });
    expect(hit.snippet.some((p) => p.hit && /exponential/i.test(p.text))).toBe(true);
    const xss = (await search("alert previews")).hits[0] as SearchHit;
    expect(xss.snippet.map((p) => p.text).join("")).toContain("<script>");
  });

  it("re-indexing a session replaces its rows; deleting it removes them", async () => {
    const spec = specs[7] as Spec;
    const text = claude(spec);
    const docs = searchDocuments(mapSession("claude-code", text));
    for (let i = 0; i < 2; i++) {
      await api(`/sessions/${ids.get(7)}/search`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ docs }),
      });
    }
    expect((await search('"exponential backoff"')).hits.filter((h) => h.kind === "message")).toHaveLength(1);
    expect((await api(`/sessions/${ids.get(7)}`, { method: "DELETE" })).status).toBe(200);
    expect((await search('"exponential backoff"')).hits).toEqual([]);
  });

  it("pages with a cursor", async () => {
    const first = await search("ledger", { limit: "5" });
    expect(first.hits).toHaveLength(5);
    const second = await search("ledger", { limit: "5", cursor: first.next_cursor as string });
    expect(second.hits).toHaveLength(5);
    expect(sessionsOf(second.hits)).not.toEqual(sessionsOf(first.hits));
  });

  it.each(["NEAR(a b) OR *", '"', "-only", "file:", 'tool:"', "a:b", "x* OR y", "()", "^foo", "{text}:bar"])(
    "answers the query %j without a 500",
    async (q) => {
      const { status } = await search(q);
      expect([200, 400]).toContain(status);
    },
  );

  it("rejects a query of exclusions only, with a reason", async () => {
    const res = await search("-flaky");
    expect(res.status).toBe(400);
  });
});

describe("query syntax", () => {
  it.each([
    ["retry backoff", '"retry" AND "backoff"'],
    ['"exponential backoff" -flaky', '"exponential backoff" NOT "flaky"'],
    ["file:src/http.ts tool:Bash", 'files : "src http ts" AND tools : "Bash"'],
    ['say "hi" NEAR(x)', '"say" AND "NEAR x" AND "hi"'],
  ])("%s → %s", (q, fts) => expect(toFtsMatch(parseQuery(q))).toBe(fts));
});
