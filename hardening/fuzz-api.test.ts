// Property-based fuzzing of every API route (from the real route table): params, query, headers and body.
// Properties: no 5xx, every error is the one JSON error shape, and whatever was stored reads back valid.

import {
  AGENTS,
  CommitDetailResponse,
  ErrorBody,
  FullSha,
  RepoCommitsResponse,
  RepoHost,
  RepoName,
  RepoOwner,
  SessionId,
} from "@residue/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordFigure, volume } from "./support/figures.ts";
import { type ApiRoute, apiRoutes, templateSegments } from "./support/routes.ts";
import { callApi, dedicatedServer, type Target } from "./support/server.ts";

const server = dedicatedServer();
const RUNS = volume(500, 100);
const PER_RUN = 20;

const ascii = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
const hostile = fc.constantFrom(
  "",
  ".",
  "..",
  "-",
  "%00",
  "%2e%2e",
  "../../etc/passwd",
  "a/../b",
  " ",
  "null",
  "<script>",
  "'; DROP TABLE sessions;--",
  "x".repeat(3000),
);
const text = (maxLength: number) => fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength }) }, { weight: 1, arbitrary: hostile });
/**
 * Mostly a valid value, rarely anything JSON can carry: a body has ~25 fields, and enough bodies must be
 * wholly valid to store rows whose read-back is checked.
 */
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
/** Valid-looking strings that are hostile to what renders or stores them. */
const nasty = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.constantFrom("<script>alert(1)</script>", "\u0000\u001b]52;c;x\u0007", "' OR 1=1 --", "\u202e", "𝔘𝔫𝔦"),
  );

const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n });
const owners = ["acme", "acme/platform/tools", "fuzz-org"];
const names = ["widgets", "api", "x.y"];
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
const position = fc.record(
  { line: maybe(fc.option(fc.nat())), byte: maybe(fc.option(fc.nat())), last_message_at: maybe(fc.option(time)) },
  { requiredKeys: [] },
);

const sessionMeta = fc.record({
  id: maybe(fc.uuid()),
  agent: maybe(fc.constantFrom(...AGENTS)),
  agent_version: maybe(fc.option(nasty(100))),
  status: maybe(fc.constantFrom("open", "ended")),
  started_at: maybe(fc.option(time)),
  ended_at: maybe(fc.option(time)),
  data_updated_at: maybe(time),
  byte_size: maybe(fc.nat()),
  content_hash: maybe(hex(64).map((h) => `sha256:${h}`)),
  message_count: maybe(fc.nat()),
  title: maybe(fc.option(nasty(500))),
});

const sessionsUpload = fc
  .record({
    host: fc.oneof(
      { weight: 12, arbitrary: fc.oneof(fc.domain(), fc.constant("github.com")) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom("-", ".", "..", "github.com:99999", "a:0"), ascii(20)) },
    ),
    owner: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...owners) }, { weight: 1, arbitrary: text(40) }),
    name: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: text(40) }),
    sessions: fc.array(sessionMeta, { minLength: 1, maxLength: 3 }),
    message: nasty(300),
    sha: fc.oneof({ weight: 12, arbitrary: fc.oneof(hex(40), hex(64)) }, { weight: 1, arbitrary: text(45) }),
    files: maybe(
      fc.array(fc.record({ path: maybe(nasty(200)), additions: maybe(fc.nat()), deletions: maybe(fc.nat()) }), { maxLength: 3 }),
    ),
    author: maybe(nasty(80)),
    position,
    withCommit: fc.boolean(),
  })
  .map((b) => ({
    repo: { host: b.host, owner: b.owner, name: b.name },
    sessions: b.sessions,
    commits: b.withCommit
      ? [
          {
            sha: b.sha,
            message: b.message,
            author_name: b.author,
            author_email: "dev@example.com",
            committed_at: 1_795_500_000_000,
            branch: "main",
            files: b.files,
            sessions: b.sessions.map((s) => ({ session_id: s.id, position: b.position })),
          },
        ]
      : [],
  }));

const searchDocs = fc.record({
  docs: maybe(
    fc.array(
      fc.record({
        i: maybe(fc.nat()),
        role: maybe(fc.constantFrom("user", "assistant")),
        text: maybe(nasty(300)),
        tools: maybe(text(30)),
        files: maybe(text(30)),
        commands: maybe(text(30)),
        at: maybe(fc.option(time)),
        line: maybe(fc.nat()),
      }),
      { maxLength: 5 },
    ),
  ),
});

/** A body shaped like what the route expects, fuzzed field by field, or anything at all. */
function bodyFor(route: ApiRoute): fc.Arbitrary<string> {
  const shaped: Record<string, fc.Arbitrary<unknown>> = {
    "POST /sessions": sessionsUpload,
    "POST /sessions/upload-url": fc.record({ session_id: maybe(fc.uuid()) }),
    "PUT /sessions/:id/search": searchDocs,
  };
  const arb = shaped[`${route.method} ${route.path}`];
  return fc.oneof(
    { weight: arb ? 6 : 0, arbitrary: (arb ?? fc.constant(null)).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom("", "{", "[]", "null", '{"__proto__":{"polluted":1}}', '{"repo":', "\u0000\u0001") },
  );
}

function paramFor(name: string, multi: boolean): fc.Arbitrary<string> {
  const valid: Record<string, fc.Arbitrary<string>> = {
    id: fc.uuid(),
    org: fc.constantFrom(...owners),
    path: fc
      .tuple(fc.constantFrom(...owners), fc.constantFrom(...names), fc.option(hex(7)))
      .map(([o, n, s]) => [o, n, s].filter(Boolean).join("/")),
  };
  const random = fc.string({ maxLength: 60 }).map(encodeURIComponent);
  return fc.oneof(
    { weight: 4, arbitrary: valid[name] ?? random },
    { weight: 3, arbitrary: random },
    { weight: 1, arbitrary: hostile.map((h) => (multi ? h : encodeURIComponent(h))) },
  );
}

const QUERY_KEYS = ["limit", "cursor", "host", "q", "org", "repo", "agent", "author", "since", "until", "expires", "nonce", "signature"];
const query = fc.dictionary(
  fc.oneof(fc.constantFrom(...QUERY_KEYS), ascii(8)),
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer().map(String),
    fc.constantFrom("", "-1", "0", "1e308", "NaN", "9".repeat(30), "2026-11-24", "x".repeat(600), '"a b" -c file:x tool:Bash'),
  ),
  { maxKeys: 4 },
);

interface FuzzRequest {
  route: ApiRoute;
  path: string;
  query: Record<string, string>;
  auth: string | null;
  contentType: string | null;
  body: string;
  ip: string;
}

function requestFor(route: ApiRoute): fc.Arbitrary<FuzzRequest> {
  const segments = templateSegments(route.path).map((s) => (typeof s === "string" ? fc.constant(s) : paramFor(s.name, s.multi)));
  return fc.record({
    route: fc.constant(route),
    path: fc.tuple(...segments).map((parts) => `/${parts.join("/")}`),
    query,
    auth: fc.oneof(
      { weight: 8, arbitrary: fc.constant("valid") },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom("Bearer", "Bearer wrong", "Basic YTpi", "bearer  x y"), ascii(40)) },
    ),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant("application/json") },
      { weight: 1, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc.constantFrom("text/plain", "application/json; charset=utf-16", "multipart/form-data", "application/jsonx"),
      },
    ),
    body: bodyFor(route),
    ip: fc.ipV4(),
  });
}

async function send(target: Target, r: FuzzRequest): Promise<{ status: number; body: string; api: boolean }> {
  const headers: Record<string, string> = { "cf-connecting-ip": r.ip };
  if (r.auth !== null) headers.authorization = r.auth === "valid" ? `Bearer ${target.token}` : r.auth;
  if (r.contentType !== null) headers["content-type"] = r.contentType;
  const search = new URLSearchParams(r.query).toString();
  const withBody = r.route.method !== "GET" && r.route.method !== "HEAD";
  const url = new URL(`${target.url}/api${r.path}${search ? `?${search}` : ""}`);
  const res = await fetch(url, { method: r.route.method, headers, body: withBody ? r.body : undefined });
  // A raw ".." in the path can resolve the URL out of /api, to the UI's pages.
  return { status: res.status, body: await res.text(), api: url.pathname.startsWith("/api/") };
}

/** Reads everything stored back through the API and checks it against the input schemas. */
async function storedRowsValid(target: Target): Promise<number> {
  let rows = 0;
  const orgs = ((await (await callApi(target, "GET", "/orgs")).json()) as { orgs: { owner: string }[] }).orgs;
  for (const { owner } of orgs) {
    expect(RepoOwner.safeParse(owner).success, owner).toBe(true);
    const repos = ((await (await callApi(target, "GET", `/orgs/${owner}/repos`)).json()) as { repos: { host: string; name: string }[] })
      .repos;
    for (const repo of repos) {
      expect(RepoHost.safeParse(repo.host).success, repo.host).toBe(true);
      expect(RepoName.safeParse(repo.name).success, repo.name).toBe(true);
      let cursor: string | null = null;
      do {
        const page = `/repos/${owner}/${repo.name}?host=${encodeURIComponent(repo.host)}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
        const body = RepoCommitsResponse.parse(await (await callApi(target, "GET", page)).json());
        for (const commit of body.commits) {
          rows++;
          expect(FullSha.safeParse(commit.sha).success, commit.sha).toBe(true);
          expect(commit.sessions.length).toBeGreaterThan(0);
          for (const s of commit.sessions) {
            expect(SessionId.safeParse(s.id).success && AGENTS.includes(s.agent as never), JSON.stringify(s)).toBe(true);
            expect(s.byte_size >= 0 && s.message_count >= 0 && (s.title ?? "").length <= 500).toBe(true);
          }
          CommitDetailResponse.parse(
            await (await callApi(target, "GET", `/repos/${owner}/${repo.name}/${commit.sha}?host=${encodeURIComponent(repo.host)}`)).json(),
          );
        }
        cursor = body.next_cursor;
      } while (cursor);
    }
  }
  return rows;
}

describe("fuzzing every API route", () => {
  it(`answers ${RUNS * PER_RUN} generated requests without a 5xx, errors always in the one JSON shape, and stores nothing malformed`, async () => {
    const target = server();
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const perRoute = new Map(routes.map((r) => [`${r.method} ${r.path}`, { sent: 0, ok: 0 }]));
    const statuses = new Map<number, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...routes).chain(requestFor), { minLength: PER_RUN, maxLength: PER_RUN }),
        async (batch) => {
          const answers = await Promise.all(batch.map((r) => send(target, r)));
          answers.forEach(({ status, body, api }, i) => {
            const r = batch[i] as FuzzRequest;
            const count = perRoute.get(`${r.route.method} ${r.route.path}`) as { sent: number; ok: number };
            count.sent++;
            if (status < 300) count.ok++;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            expect(status, `${r.route.method} ${r.path} → ${status}: ${body.slice(0, 300)}`).toBeLessThan(500);
            if (status >= 400 && api) expect(ErrorBody.safeParse(JSON.parse(body)).success, body.slice(0, 300)).toBe(true);
          });
          sent += batch.length;
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    const rows = await storedRowsValid(target);
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    recordFigure({
      section: "Property-based fuzzing",
      what: `API requests generated from ${routes.length} routes of the Hono route table`,
      result: `${sent.toLocaleString("en")} requests, ${fivexx} × 5xx`,
    });
    recordFigure({
      section: "Property-based fuzzing",
      what: "requests per route (accepted)",
      result: [...perRoute].map(([k, v]) => `${k}: ${v.sent} (${v.ok})`).join("; "),
    });
    recordFigure({
      section: "Property-based fuzzing",
      what: "statuses",
      result: [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, c]) => `${s} × ${c}`)
        .join(", "),
    });
    recordFigure({
      section: "Property-based fuzzing",
      what: "stored commits read back and checked against the input schemas",
      result: `${rows}, 0 malformed`,
    });
    expect(sent).toBeGreaterThanOrEqual(RUNS * PER_RUN);
    // Every route gets a fair share of the requests, not just the ones the generator happens to favour.
    for (const [route, count] of perRoute) expect(count.sent, route).toBeGreaterThan((RUNS * PER_RUN) / perRoute.size / 3);
  }, 600_000);
});
