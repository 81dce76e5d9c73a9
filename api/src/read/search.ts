// Full-text search over messages and commits, for GET /api/search and /app/-/search.

import { messageAnchor, type SearchHit, SearchQuery } from "@residue/protocol";
import { HIT_END, HIT_START, hitContext, type SearchRow, searchDocs } from "../db/search.ts";
import { describeIssues } from "../http/body.ts";
import { parseQuery, QueryError, toFtsMatch } from "../search/query.ts";
import type { Invalid } from "./outcome.ts";

export type SearchOutcome = { kind: "found"; hits: SearchHit[]; next_cursor: string | null } | Invalid<"query">;

const invalid = (message: string): SearchOutcome => ({ kind: "invalid", what: "query", message });

/** One page of hits for a query string's parameters (`q`, facets, `limit`, `cursor`: an offset). */
export async function readSearch(db: D1Database, params: Record<string, string>): Promise<SearchOutcome> {
  const parsed = SearchQuery.safeParse(params);
  if (!parsed.success) return invalid(describeIssues(parsed.error));
  const query = parsed.data;
  let match: string;
  try {
    match = toFtsMatch(parseQuery(query.q));
  } catch (error) {
    if (error instanceof QueryError) return invalid(error.message);
    throw error;
  }
  const offset = query.cursor ? Number(query.cursor) : 0;
  const rows = await searchDocs(db, { match, ...query, limit: query.limit, offset });
  return {
    kind: "found",
    hits: await hydrateHits(db, rows.slice(0, query.limit)),
    next_cursor: rows.length > query.limit ? String(offset + query.limit) : null,
  };
}

/** A snippet with its match markers → text parts, each marked hit or not. */
function snippetParts(snip: string): SearchHit["snippet"] {
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

/** Search rows → hits with their repo, session and the commit each message led to. */
async function hydrateHits(db: D1Database, rows: SearchRow[]): Promise<SearchHit[]> {
  const context = await hitContext(db, rows);
  const repoById = new Map(context.repos.map((r) => [r.id, r]));
  const sessionById = new Map(context.sessions.map((s) => [s.id, s]));
  const linksBySession = new Map<string, typeof context.links>();
  for (const l of context.links) linksBySession.set(l.session_id, [...(linksBySession.get(l.session_id) ?? []), l]);
  return rows.flatMap((row): SearchHit[] => {
    const repo = repoById.get(row.repo_id);
    if (!repo) return [];
    const repoRef = { host: repo.host, owner: repo.owner, name: repo.name };
    if (row.kind === "commit") {
      const commit = context.commits.find((c) => c.sha === row.sha && c.repo_id === row.repo_id);
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
