// The search page runs the same query code as GET /api/search, in-process.
import { searchDocs } from "../../../api/src/db/search.ts";
import { AGENTS, type SearchHit, SearchQuery } from "../../../api/src/protocol/schemas.ts";
import { hydrateHits } from "../../../api/src/routes/search.ts";
import { parseQuery, QueryError, toFtsMatch } from "../../../api/src/search/query.ts";
import { getEnv } from "./env.ts";

export { AGENTS };

export type SearchOutcome = { hits: SearchHit[]; next: string | null; error: null } | { hits: []; next: null; error: string };

export async function runSearch(params: URLSearchParams): Promise<SearchOutcome> {
  const raw = Object.fromEntries([...params].filter(([, v]) => v !== ""));
  const parsed = SearchQuery.safeParse(raw);
  if (!parsed.success)
    return { hits: [], next: null, error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  const q = parsed.data;
  let match: string;
  try {
    match = toFtsMatch(parseQuery(q.q));
  } catch (error) {
    if (error instanceof QueryError) return { hits: [], next: null, error: error.message };
    throw error;
  }
  const db = getEnv().DB;
  const offset = q.cursor ? Number(q.cursor) : 0;
  const rows = await searchDocs(db, { match, ...q, limit: q.limit, offset });
  return {
    hits: await hydrateHits(db, rows.slice(0, q.limit)),
    next: rows.length > q.limit ? String(offset + q.limit) : null,
    error: null,
  };
}
