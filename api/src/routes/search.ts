import { Hono } from "hono";
import { HIT_END, HIT_START, indexSession, type SearchRow, searchDocs } from "../db/search.ts";
import { SESSION_SUMMARY_COLUMNS } from "../db/sessions.ts";
import type { ApiEnv } from "../env.ts";
import { parseWith, readJson } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { messageAnchor, SearchDocumentsUpload, type SearchHit, SearchQuery, SessionId, type SessionSummary } from "../protocol/schemas.ts";
import { parseQuery, QueryError, toFtsMatch } from "../search/query.ts";

export const searchRoutes = new Hono<ApiEnv>();
export const sessionSearchRoutes = new Hono<ApiEnv>();

/** A session's searchable text, replacing what was indexed before. */
sessionSearchRoutes.put("/:id/search", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const db = c.get("env").DB;
  const session = await db.prepare("SELECT repo_id FROM sessions WHERE id = ?1").bind(id).first<{ repo_id: number }>();
  if (!session) throw new ApiError(404, "session_not_found", `No session ${id}: post its metadata first.`);
  const { docs } = await readJson(c, SearchDocumentsUpload, 32 * 1024 * 1024);
  await indexSession(db, session.repo_id, id, docs);
  return c.json({ indexed: docs.length });
});

export function snippetParts(snip: string): SearchHit["snippet"] {
  const parts: SearchHit["snippet"] = [];
  let rest = snip;
  while (rest) {
    const start = rest.indexOf(HIT_START);
    if (start === -1) {
      parts.push({ text: rest, hit: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), hit: false });
    const end = rest.indexOf(HIT_END, start);
    const stop = end === -1 ? rest.length : end;
    parts.push({ text: rest.slice(start + 1, stop), hit: true });
    rest = end === -1 ? "" : rest.slice(end + 1);
  }
  return parts.filter((p) => p.text);
}

const json = (values: unknown[]) => JSON.stringify([...new Set(values)]);

/** Search rows → hits with their repo, session and the commit each message led to. */
export async function hydrateHits(db: D1Database, rows: SearchRow[]): Promise<SearchHit[]> {
  const repoIds = rows.map((r) => r.repo_id);
  const sessionIds = rows.flatMap((r) => (r.session_id ? [r.session_id] : []));
  const commitShas = rows.flatMap((r) => (r.sha ? [r.sha] : []));
  const [repos, sessions, links, commits] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT id, host, owner, name FROM repos WHERE id IN (SELECT value FROM json_each(?1))").bind(json(repoIds)),
    db.prepare(`SELECT ${SESSION_SUMMARY_COLUMNS} FROM sessions s WHERE s.id IN (SELECT value FROM json_each(?1))`).bind(json(sessionIds)),
    db
      .prepare(
        `SELECT cs.session_id, cs.sha, cs.transcript_line, c.message FROM commit_sessions cs
         JOIN commits c ON c.repo_id = cs.repo_id AND c.sha = cs.sha
         WHERE cs.session_id IN (SELECT value FROM json_each(?1)) ORDER BY coalesce(cs.transcript_line, 0), c.committed_at`,
      )
      .bind(json(sessionIds)),
    db.prepare("SELECT repo_id, sha, message FROM commits WHERE sha IN (SELECT value FROM json_each(?1))").bind(json(commitShas)),
  ]);
  const repoById = new Map((repos?.results ?? []).map((r) => [r.id as number, r as { host: string; owner: string; name: string }]));
  const sessionById = new Map((sessions?.results ?? []).map((s) => [s.id as string, s as unknown as SessionSummary]));
  const linksBySession = new Map<string, { sha: string; message: string; transcript_line: number | null }[]>();
  for (const l of (links?.results ?? []) as { session_id: string; sha: string; message: string; transcript_line: number | null }[]) {
    linksBySession.set(l.session_id, [...(linksBySession.get(l.session_id) ?? []), l]);
  }
  return rows.flatMap((row): SearchHit[] => {
    const repo = repoById.get(row.repo_id);
    if (!repo) return [];
    const repoRef = { host: repo.host, owner: repo.owner, name: repo.name };
    if (row.kind === "commit") {
      const commit = ((commits?.results ?? []) as { repo_id: number; sha: string; message: string }[]).find(
        (c) => c.sha === row.sha && c.repo_id === row.repo_id,
      );
      if (!commit) return [];
      const ref = { sha: commit.sha, message: commit.message };
      return [
        {
          kind: "commit",
          repo: repoRef,
          snippet: snippetParts(row.snip),
          session: null,
          message_index: null,
          anchor: null,
          commit: ref,
          commits: [ref],
        },
      ];
    }
    const session = sessionById.get(row.session_id ?? "") ?? null;
    const sessionLinks = linksBySession.get(row.session_id ?? "") ?? [];
    // The commit this message led to: the first whose transcript position reaches it.
    const led = sessionLinks.find((l) => l.transcript_line === null || (row.line ?? 0) <= l.transcript_line);
    return [
      {
        kind: "message",
        repo: repoRef,
        snippet: snippetParts(row.snip),
        session,
        message_index: row.message_index,
        anchor: row.message_index === null || !row.session_id ? null : messageAnchor(row.session_id, row.message_index),
        commit: led ? { sha: led.sha, message: led.message } : null,
        commits: sessionLinks.map((l) => ({ sha: l.sha, message: l.message })),
      },
    ];
  });
}

searchRoutes.get("/", async (c) => {
  const query = parseWith(SearchQuery, c.req.query(), "invalid_query");
  let match: string;
  try {
    match = toFtsMatch(parseQuery(query.q));
  } catch (error) {
    if (error instanceof QueryError) throw new ApiError(400, "invalid_query", error.message);
    throw error;
  }
  const db = c.get("env").DB;
  const offset = query.cursor ? Number(query.cursor) : 0;
  const rows = await searchDocs(db, { match, ...query, limit: query.limit, offset });
  const page = rows.slice(0, query.limit);
  return c.json({ hits: await hydrateHits(db, page), next_cursor: rows.length > query.limit ? String(offset + query.limit) : null });
});
