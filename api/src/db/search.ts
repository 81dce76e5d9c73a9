// The search index in D1: rows in search_docs, text in the search_fts FTS5 table (kept in step by triggers).
import type { SearchDocument, SessionSummary } from "@residue/protocol";
import type { RepoRow } from "./repos.ts";
import { SESSION_SUMMARY_COLUMNS } from "./sessions.ts";

/** D1 caps one bound value's size: documents go in as JSON chunks well under it. */
const CHUNK_BYTES = 400_000;

function chunks(docs: SearchDocument[]): string[] {
  const out: string[] = [];
  let current: SearchDocument[] = [];
  let size = 2;
  for (const doc of docs) {
    const s = JSON.stringify(doc).length + 1;
    if (current.length && size + s > CHUNK_BYTES) {
      out.push(JSON.stringify(current));
      current = [];
      size = 2;
    }
    current.push(doc);
    size += s;
  }
  if (current.length) out.push(JSON.stringify(current));
  return out;
}

/** Replaces a session's documents: re-indexing a grown session leaves no duplicates. */
export async function indexSession(db: D1Database, repoId: number, sessionId: string, docs: SearchDocument[]) {
  await db.batch([
    db.prepare("DELETE FROM search_docs WHERE session_id = ?1").bind(sessionId),
    ...chunks(docs).map((json) =>
      db
        .prepare(
          `INSERT INTO search_docs (kind, repo_id, session_id, message_index, line, role, at, text, tools, files, commands)
           SELECT 'message', ?1, ?2, value ->> '$.i', value ->> '$.line', value ->> '$.role', value ->> '$.at',
             value ->> '$.text', value ->> '$.tools', value ->> '$.files', value ->> '$.commands'
           FROM json_each(?3)`,
        )
        .bind(repoId, sessionId, json),
    ),
  ]);
}

export function deleteSessionDocs(db: D1Database, sessionId: string) {
  return db.prepare("DELETE FROM search_docs WHERE session_id = ?1").bind(sessionId);
}

/** A commit's message and changed paths, searchable like a message. */
export function indexCommit(
  db: D1Database,
  repoId: number,
  c: { sha: string; message: string; committed_at: number; files: { path: string }[]; replaces: string[] },
) {
  return [
    db
      .prepare("DELETE FROM search_docs WHERE repo_id = ?1 AND sha IN (SELECT value FROM json_each(?2))")
      .bind(repoId, JSON.stringify([c.sha, ...c.replaces])),
    db
      .prepare(
        `INSERT INTO search_docs (kind, repo_id, sha, at, text, tools, files, commands) VALUES ('commit', ?1, ?2, ?3, ?4, '', ?5, '')`,
      )
      .bind(
        repoId,
        c.sha,
        c.committed_at,
        c.message,
        c.files
          .map((f) => f.path)
          .join(" ")
          .slice(0, 20_000),
      ),
  ];
}

export interface SearchFilters {
  match: string;
  org?: string;
  repo?: string;
  agent?: string;
  author?: string;
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

export interface SearchRow {
  kind: "message" | "commit";
  repo_id: number;
  session_id: string | null;
  message_index: number | null;
  line: number | null;
  sha: string | null;
  snip: string;
}

/** How many of the newest matches a very broad query ranks. */
export const RANK_WINDOW = 5_000;

export const HIT_START = "\uE000";
export const HIT_END = "\uE001";

const SELECT_HIT = `SELECT d.id, d.kind, d.repo_id, d.session_id, d.message_index, d.line, d.sha,
  snippet(search_fts, -1, char(57344), char(57345), '…', 24) AS snip
  FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid`;

export async function searchDocs(db: D1Database, f: SearchFilters): Promise<SearchRow[]> {
  const faceted = f.org || f.repo || f.agent || f.author || f.since !== undefined || f.until !== undefined;
  if (!faceted) {
    // FTS5 ranks and pages on its own index; only the page's rows are joined and given snippets.
    // Ranking costs time in proportion to the matches: a query matching more than RANK_WINDOW rows
    // ranks the newest RANK_WINDOW of them (FTS5 walks rowids in order, so finding the cut is cheap).
    const cut = await db
      .prepare("SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2")
      .bind(f.match, RANK_WINDOW)
      .first<{ id: number }>();
    const page = await db
      .prepare("SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ?1 AND rowid > ?4 ORDER BY rank LIMIT ?2 OFFSET ?3")
      .bind(f.match, f.limit + 1, f.offset, cut?.id ?? 0)
      .all<{ id: number }>();
    const ids = page.results.map((r) => r.id);
    if (ids.length === 0) return [];
    const { results } = await db
      .prepare(`${SELECT_HIT} WHERE search_fts MATCH ?1 AND search_fts.rowid IN (SELECT value FROM json_each(?2))`)
      .bind(f.match, JSON.stringify(ids))
      .all<SearchRow & { id: number }>();
    const byId = new Map(results.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
  const { results } = await db
    .prepare(
      `${SELECT_HIT}
       WHERE search_fts MATCH ?1
         AND (?2 IS NULL OR d.repo_id IN (SELECT id FROM repos WHERE owner = ?2))
         AND (?3 IS NULL OR d.repo_id IN (SELECT id FROM repos WHERE name = ?3))
         AND (?4 IS NULL OR d.session_id IN (SELECT id FROM sessions WHERE agent = ?4))
         AND (?5 IS NULL OR (d.kind = 'commit' AND EXISTS (SELECT 1 FROM commits c WHERE c.repo_id = d.repo_id AND c.sha = d.sha
                AND (c.author_name = ?5 OR c.author_email = ?5)))
              OR (d.kind = 'message' AND d.session_id IN (SELECT cs.session_id FROM commit_sessions cs
                JOIN commits c ON c.repo_id = cs.repo_id AND c.sha = cs.sha WHERE c.author_name = ?5 OR c.author_email = ?5)))
         AND (?6 IS NULL OR d.at >= ?6)
         AND (?7 IS NULL OR d.at < ?7)
       ORDER BY rank, d.id
       LIMIT ?8 OFFSET ?9`,
    )
    .bind(
      f.match,
      f.org ?? null,
      f.repo ?? null,
      f.agent ?? null,
      f.author ?? null,
      f.since ?? null,
      f.until ?? null,
      f.limit + 1,
      f.offset,
    )
    .all<SearchRow>();
  return results;
}

export type HitRepo = Pick<RepoRow, "id" | "host" | "owner" | "name">;

export interface HitLink {
  session_id: string;
  sha: string;
  message: string;
  transcript_line: number | null;
}

export interface HitCommit {
  repo_id: number;
  sha: string;
  message: string;
}

const json = (values: unknown[]) => JSON.stringify([...new Set(values)]);

/** What a page of hits names, read in one batch: their repos, sessions, session→commit links and commits. */
export async function hitContext(db: D1Database, rows: SearchRow[]) {
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
  return {
    repos: (repos?.results ?? []) as unknown as HitRepo[],
    sessions: (sessions?.results ?? []) as unknown as SessionSummary[],
    links: (links?.results ?? []) as unknown as HitLink[],
    commits: (commits?.results ?? []) as unknown as HitCommit[],
  };
}
