// What the load tests share: the posts they send and the count of what the server stored.
import { createHash, randomUUID } from "node:crypto";
import { RepoCommitsResponse } from "@residue/protocol";
import { callApi, type Target } from "./server.ts";

export const LOAD_SECTION = "Concurrency and load";
const sha256 = (data: string | Uint8Array) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
export const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en")}/s`;

export function upload(owner: string, i: number, data?: string) {
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
export async function stored(target: Target, owner: string) {
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
