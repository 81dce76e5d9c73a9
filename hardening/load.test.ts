// Bounded load on loopback, on a server of its own: 10,000 metadata posts and 1,000 uploads. Reports
// throughput; the properties are no errors and every row present exactly once.
import { createHash, randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { RepoCommitsResponse } from "../api/src/protocol/schemas.ts";
import { recordFigure } from "./support/figures.ts";
import { callApi, dedicatedServer, pool, type Target } from "./support/server.ts";

const server = dedicatedServer();
const SECTION = "Concurrency and load";
const sha256 = (data: string | Uint8Array) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en")}/s`;

function upload(owner: string, i: number, data?: string) {
  const id = randomUUID();
  const body = data ?? `{"type":"user","message":{"role":"user","content":"load ${i}"}}\n`;
  return {
    id,
    body: {
      repo: { host: "github.com", owner, name: `repo-${i % 20}` },
      sessions: [
        {
          id,
          agent: "claude-code",
          status: "ended",
          data_updated_at: 1_795_500_000_000 + i,
          byte_size: Buffer.byteLength(body),
          content_hash: sha256(body),
          message_count: 1,
          title: `load ${i}`,
        },
      ],
      commits: [
        {
          sha: createHash("sha1").update(id).digest("hex"),
          message: `load ${i}`,
          author_name: "Load",
          author_email: "load@example.com",
          committed_at: 1_795_500_000_000 + i,
          sessions: [{ session_id: id, position: { line: 1 } }],
        },
      ],
    },
  };
}

/** Sessions and commits stored in the owner's repos, counted through the API (every commit page walked). */
async function stored(target: Target, owner: string) {
  const { repos } = (await (await callApi(target, "GET", `/orgs/${owner}/repos`)).json()) as {
    repos: { name: string; session_count: number; commit_count: number }[];
  };
  const shas = new Set<string>();
  let links = 0;
  for (const repo of repos) {
    let cursor: string | null = null;
    do {
      const page = RepoCommitsResponse.parse(
        await (await callApi(target, "GET", `/repos/${owner}/${repo.name}?limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json(),
      );
      for (const c of page.commits) {
        shas.add(c.sha);
        links += c.sessions.length;
      }
      cursor = page.next_cursor;
    } while (cursor);
  }
  return { sessions: repos.reduce((n, r) => n + r.session_count, 0), commits: shas.size, links };
}

describe("load on loopback", () => {
  it("takes 10,000 metadata posts, 16 at a time, without an error, and stores each once", async () => {
    const target = server();
    const owner = `load-${randomUUID().slice(0, 8)}`;
    const posts = Array.from({ length: 10_000 }, (_, i) => upload(owner, i));
    const started = performance.now();
    const statuses = await pool(posts, 16, async (p) => (await callApi(target, "POST", "/sessions", p.body)).status);
    const ms = performance.now() - started;
    const errors = statuses.filter((s) => s !== 200).length;
    recordFigure({
      section: SECTION,
      what: "10,000 metadata posts (1 session + 1 commit each), 16 concurrent",
      result: `${rate(10_000, ms)}, ${errors} errors`,
    });
    expect(errors).toBe(0);
    expect(await stored(target, owner)).toEqual({ sessions: 10_000, commits: 10_000, links: 10_000 });
  }, 900_000);

  it("takes 1,000 uploads (URL, gzip PUT, verified metadata), 8 at a time, and serves each back byte for byte", async () => {
    const target = server();
    const owner = `upload-${randomUUID().slice(0, 8)}`;
    const uploads = Array.from({ length: 1_000 }, (_, i) => {
      const lines = Array.from({ length: 40 }, (_, k) =>
        JSON.stringify({ type: "user", message: { role: "user", content: `${i}.${k} ${randomUUID()}` } }),
      );
      const data = `${lines.join("\n")}\n`;
      return { ...upload(owner, i, data), data, gzip: gzipSync(data) };
    });
    let bytes = 0;
    const started = performance.now();
    const failures = await pool(uploads, 8, async (u) => {
      const grant = await callApi(target, "POST", "/sessions/upload-url", { session_id: u.id });
      if (grant.status !== 200) return `upload-url ${grant.status}`;
      const { url } = (await grant.json()) as { url: string };
      const put = await fetch(url, { method: "PUT", body: u.gzip, headers: { "content-type": "application/gzip" } });
      if (put.status !== 200) return `PUT ${put.status}`;
      bytes += u.gzip.byteLength;
      const post = await callApi(target, "POST", "/sessions", u.body);
      return post.status === 200 ? null : `POST ${post.status} ${await post.text()}`;
    });
    const ms = performance.now() - started;
    const errors = failures.filter((f) => f !== null);
    recordFigure({
      section: SECTION,
      what: `1,000 uploads: upload URL + gzip PUT (${(bytes / 1000 / 1024).toFixed(1)} KB each, inflating to ${(uploads.reduce((n, u) => n + u.data.length, 0) / 1000 / 1024).toFixed(1)} KB) + metadata checked against the object, 8 concurrent`,
      result: `${rate(1_000, ms)} (${(((bytes / ms) * 1000) / 1024 / 1024).toFixed(2)} MB/s of gzip), ${errors.length} errors`,
    });
    expect(errors).toEqual([]);
    expect(await stored(target, owner)).toEqual({ sessions: 1_000, commits: 1_000, links: 1_000 });
    for (const u of uploads.filter((_, i) => i % 50 === 0)) {
      const raw = new Uint8Array(await (await callApi(target, "GET", `/sessions/${u.id}`)).arrayBuffer());
      expect(Buffer.compare(Buffer.from(raw), u.gzip)).toBe(0);
    }
  }, 900_000);
});
