import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { api, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo } from "./support/client.ts";

const repo = { host: "github.com", owner: "acme", name: "widgets" };
const s = sessionMeta("bad");
const sha = fakeSha("bad");
const good = { repo, sessions: [s], commits: [commitMapping(sha, [s.id])] };
const withSession = (patch: Record<string, unknown>) => ({ repo, sessions: [{ ...s, ...patch }] });
const withCommit = (patch: Record<string, unknown>) => ({ repo, sessions: [s], commits: [{ ...commitMapping(sha, [s.id]), ...patch }] });

interface BadRequest {
  name: string;
  path: string;
  method?: string;
  body?: unknown;
  contentType?: string;
  status: number;
  code: string;
}

const cases: BadRequest[] = [
  { name: "upload-url: not JSON", path: "/sessions/upload-url", body: "{nope", status: 400, code: "invalid_json" },
  { name: "upload-url: empty body", path: "/sessions/upload-url", body: "", status: 400, code: "invalid_json" },
  { name: "upload-url: JSON array", path: "/sessions/upload-url", body: [], status: 400, code: "invalid_body" },
  { name: "upload-url: missing session_id", path: "/sessions/upload-url", body: {}, status: 400, code: "invalid_body" },
  {
    name: "upload-url: session_id not a UUID",
    path: "/sessions/upload-url",
    body: { session_id: "abc" },
    status: 400,
    code: "invalid_body",
  },
  {
    name: "upload-url: path traversal id",
    path: "/sessions/upload-url",
    body: { session_id: "../../etc/passwd" },
    status: 400,
    code: "invalid_body",
  },
  { name: "upload-url: numeric id", path: "/sessions/upload-url", body: { session_id: 42 }, status: 400, code: "invalid_body" },
  {
    name: "upload-url: unknown field",
    path: "/sessions/upload-url",
    body: { session_id: randomUUID(), key: "x" },
    status: 400,
    code: "invalid_body",
  },
  {
    name: "upload-url: text/plain body",
    path: "/sessions/upload-url",
    body: JSON.stringify({ session_id: randomUUID() }),
    contentType: "text/plain",
    status: 415,
    code: "unsupported_media_type",
  },
  { name: "sessions: null body", path: "/sessions", body: "null", status: 400, code: "invalid_body" },
  { name: "sessions: nothing to store", path: "/sessions", body: { repo }, status: 400, code: "invalid_body" },
  { name: "sessions: missing repo", path: "/sessions", body: { sessions: [s] }, status: 400, code: "invalid_body" },
  {
    name: "sessions: repo owner with ..",
    path: "/sessions",
    body: { ...good, repo: { ...repo, owner: "../x" } },
    status: 400,
    code: "invalid_body",
  },
  {
    name: "sessions: repo name with slash",
    path: "/sessions",
    body: { ...good, repo: { ...repo, name: "a/b" } },
    status: 400,
    code: "invalid_body",
  },
  {
    name: "sessions: host with path",
    path: "/sessions",
    body: { ...good, repo: { ...repo, host: "evil.com/x" } },
    status: 400,
    code: "invalid_body",
  },
  {
    name: "sessions: empty owner segment",
    path: "/sessions",
    body: { ...good, repo: { ...repo, owner: "a//b" } },
    status: 400,
    code: "invalid_body",
  },
  { name: "sessions: unknown agent", path: "/sessions", body: withSession({ agent: "clippy" }), status: 400, code: "invalid_body" },
  { name: "sessions: bad status", path: "/sessions", body: withSession({ status: "paused" }), status: 400, code: "invalid_body" },
  { name: "sessions: negative byte size", path: "/sessions", body: withSession({ byte_size: -1 }), status: 400, code: "invalid_body" },
  { name: "sessions: fractional count", path: "/sessions", body: withSession({ message_count: 1.5 }), status: 400, code: "invalid_body" },
  {
    name: "sessions: bad content hash",
    path: "/sessions",
    body: withSession({ content_hash: "md5:abc" }),
    status: 400,
    code: "invalid_body",
  },
  { name: "sessions: bad timestamp", path: "/sessions", body: withSession({ started_at: "yesterday" }), status: 400, code: "invalid_body" },
  {
    name: "sessions: missing data_updated_at",
    path: "/sessions",
    body: withSession({ data_updated_at: undefined }),
    status: 400,
    code: "invalid_body",
  },
  { name: "sessions: title too long", path: "/sessions", body: withSession({ title: "t".repeat(501) }), status: 400, code: "invalid_body" },
  { name: "sessions: sessions not an array", path: "/sessions", body: { repo, sessions: {} }, status: 400, code: "invalid_body" },
  { name: "commits: short sha", path: "/sessions", body: withCommit({ sha: "abc123" }), status: 400, code: "invalid_body" },
  { name: "commits: non-hex sha", path: "/sessions", body: withCommit({ sha: "z".repeat(40) }), status: 400, code: "invalid_body" },
  { name: "commits: no sessions", path: "/sessions", body: withCommit({ sessions: [] }), status: 400, code: "invalid_body" },
  {
    name: "commits: negative additions",
    path: "/sessions",
    body: withCommit({ files: [{ path: "a", additions: -1, deletions: 0 }] }),
    status: 400,
    code: "invalid_body",
  },
  {
    name: "commits: empty file path",
    path: "/sessions",
    body: withCommit({ files: [{ path: "", additions: 1, deletions: 0 }] }),
    status: 400,
    code: "invalid_body",
  },
  {
    name: "commits: link to unknown session",
    path: "/sessions",
    body: { repo, commits: [commitMapping(sha, [randomUUID()])] },
    status: 422,
    code: "unknown_session",
  },
  { name: "get session: not a UUID", path: "/sessions/not-a-uuid", method: "GET", status: 400, code: "invalid_session_id" },
  { name: "get session: unknown", path: `/sessions/${randomUUID()}`, method: "GET", status: 404, code: "session_not_found" },
  // Encoded slashes never reach a route: the pipeline refuses non-canonical paths before routing.
  { name: "delete session: traversal", path: "/sessions/..%2F..%2Fx", method: "DELETE", status: 404, code: "not_found" },
  { name: "repos: only an org", path: "/repos/acme", method: "GET", status: 400, code: "invalid_repo" },
  { name: "repos: unknown repo", path: `/repos/nobody-${randomUUID().slice(0, 6)}/x`, method: "GET", status: 404, code: "repo_not_found" },
  { name: "repos: limit too large", path: "/repos/acme/widgets?limit=1000", method: "GET", status: 400, code: "invalid_query" },
  { name: "repos: limit not a number", path: "/repos/acme/widgets?limit=ten", method: "GET", status: 400, code: "invalid_query" },
  { name: "repos: forged cursor", path: "/repos/acme/widgets?cursor=bm9wZQ", method: "GET", status: 400, code: "invalid_cursor" },
  { name: "repos: bad host", path: "/repos/acme/widgets?host=a%20b", method: "GET", status: 400, code: "invalid_query" },
  { name: "orgs: traversal org", path: "/orgs/..%2F..%2Fetc/repos", method: "GET", status: 404, code: "not_found" },
  { name: "orgs: bad org", path: "/orgs/a%20b/repos", method: "GET", status: 400, code: "invalid_org" },
  {
    name: "uploads: id not a UUID",
    path: "/uploads/not-a-uuid?expires=1&signature=00",
    method: "PUT",
    body: "x",
    status: 400,
    code: "invalid_session_id",
  },
  { name: "wrong method on sessions", path: "/sessions", method: "PATCH", body: {}, status: 404, code: "not_found" },
];

describe("bad requests get a 4xx with a clear message, never a 500", () => {
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));

  // Seed the repo that the read cases address, so they reach validation rather than stopping at 404.
  it("seeds acme/widgets", async () => {
    const seeded = sessionMeta("seed");
    const res = await postJson("/sessions", { repo, sessions: [seeded], commits: [commitMapping(fakeSha("seed"), [seeded.id])] });
    expect(res.status).toBe(200);
  });

  it.each(cases)("$name → $status $code", async ({ path, method = "POST", body, contentType, status, code }) => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers = { "content-type": contentType ?? "application/json" };
    }
    const res = await api(path, init);
    const payload = (await res.json()) as { error: { code: string; message: string } };
    expect({ status: res.status, code: payload.error?.code }).toEqual({ status, code });
    expect(payload.error.message.length).toBeGreaterThan(10);
  });

  it("answers an oversize JSON body with 413", async () => {
    const huge = JSON.stringify({ repo: uniqueRepo(), sessions: [sessionMeta("x", { title: "x".repeat(9 * 1024 * 1024) })] });
    const res = await postJson("/sessions", huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("answers an oversize upload-url body with 413", async () => {
    const res = await postJson("/sessions/upload-url", JSON.stringify({ session_id: randomUUID(), pad: "x".repeat(10_000) }));
    expect(res.status).toBe(413);
  });
});
