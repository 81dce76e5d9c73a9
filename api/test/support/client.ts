import { createHash, randomUUID } from "node:crypto";
import type { SessionsUpload } from "@residue/protocol";
import { inject } from "vitest";

export const baseUrl = () => inject("baseUrl");

export function api(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? inject("authToken") : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return fetch(`${baseUrl()}/api${path}`, { ...init, headers });
}

export function postJson(path: string, body: unknown, init: RequestInit & { token?: string | null } = {}) {
  return api(path, {
    ...init,
    method: init.method ?? "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function sha256(data: string | Uint8Array) {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function fakeSha(seed: string) {
  return createHash("sha1").update(seed).digest("hex");
}

/** A distinct repo per test, so suites sharing one server never see each other's rows. */
export function uniqueRepo(host = "github.com") {
  return { host, owner: `org-${randomUUID().slice(0, 8)}`, name: "widgets" };
}

export function sessionMeta(data: string, overrides: Partial<SessionsUpload["sessions"] extends (infer S)[] | undefined ? S : never> = {}) {
  return {
    id: randomUUID(),
    agent: "claude-code" as const,
    agent_version: "2.1.3",
    status: "ended" as const,
    started_at: Date.parse("2026-11-20T10:00:00Z"),
    ended_at: Date.parse("2026-11-20T11:00:00Z"),
    data_updated_at: Date.parse("2026-11-20T11:00:00Z"),
    byte_size: Buffer.byteLength(data),
    content_hash: sha256(data),
    message_count: data.split("\n").filter(Boolean).length,
    title: "Fix the widget parser",
    ...overrides,
  };
}

export function commitMapping(sha: string, sessionIds: string[], overrides: Record<string, unknown> = {}) {
  return {
    sha,
    message: `Commit ${sha.slice(0, 7)}`,
    author_name: "Dev One",
    author_email: "dev@example.com",
    committed_at: Date.parse("2026-11-20T10:30:00Z"),
    branch: "main",
    files: [{ path: "src/parser.ts", additions: 10, deletions: 2 }],
    sessions: sessionIds.map((session_id, i) => ({
      session_id,
      position: { line: 10 + i, byte: 1000 + i, last_message_at: Date.parse("2026-11-20T10:29:00Z") },
    })),
    ...overrides,
  };
}

/** Gets an upload URL and PUTs the data to it, as the CLI does. */
export async function uploadData(sessionId: string, data: string | Uint8Array<ArrayBuffer>) {
  const res = await postJson("/sessions/upload-url", { session_id: sessionId });
  if (res.status !== 200) throw new Error(`upload-url: ${res.status} ${await res.text()}`);
  const { url } = (await res.json()) as { url: string };
  const put = await fetch(url, { method: "PUT", body: data, headers: { "content-type": "application/x-ndjson" } });
  if (put.status !== 200) throw new Error(`PUT: ${put.status} ${await put.text()}`);
  return url;
}

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response JSON
export type Json = Record<string, any>;
export const json = async (res: Response) => (await res.json()) as Json;

/** A commit's permalink data as the API answers it. */
export const commitOf = async (repo: { owner: string; name: string }, sha: string) =>
  (await json(await api(`/repos/${repo.owner}/${repo.name}/${sha}`))).commit as Json;
