// The search box's syntax → an SQLite FTS5 MATCH expression. Pure.
//   words            every word must appear (prefix match on the last one as you type is not attempted)
//   "a phrase"       the words in that order
//   -word -"phrase"  must not appear
//   file:src/x.ts    a file path touched (or changed by the commit)
//   tool:Bash        a tool that was called
export interface ParsedQuery {
  terms: string[];
  phrases: string[];
  excludes: string[];
  files: string[];
  tools: string[];
}

export class QueryError extends Error {}

const TOKEN = /(-?)(?:(file|tool):)?(?:"([^"]*)"|(\S+))/g;

export function parseQuery(input: string): ParsedQuery {
  const q: ParsedQuery = { terms: [], phrases: [], excludes: [], files: [], tools: [] };
  for (const m of input.matchAll(TOKEN)) {
    const [, neg, field, quoted, bare] = m;
    const value = (quoted ?? bare ?? "").trim();
    if (!value) continue;
    if (field === "file") q.files.push(value);
    else if (field === "tool") q.tools.push(value);
    else if (neg) q.excludes.push(value);
    else if (quoted !== undefined) q.phrases.push(value);
    else q.terms.push(value);
  }
  return q;
}

/** FTS5 string literal: every token inside double quotes, quotes doubled, so no operator can be injected. */
function literal(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  return words ? `"${words.join(" ").replace(/"/g, '""')}"` : null;
}

export function toFtsMatch(q: ParsedQuery): string {
  const positive: string[] = [];
  for (const t of [...q.terms, ...q.phrases]) {
    const l = literal(t);
    if (l) positive.push(l);
  }
  for (const f of q.files) {
    const l = literal(f);
    if (l) positive.push(`files : ${l}`);
  }
  for (const t of q.tools) {
    const l = literal(t);
    if (l) positive.push(`tools : ${l}`);
  }
  if (positive.length === 0) throw new QueryError("Search for at least one word, phrase, file: or tool: (exclusions alone match nothing).");
  const negative = q.excludes.map(literal).filter((l): l is string => l !== null);
  return [positive.join(" AND "), ...negative.map((n) => `NOT ${n}`)].join(" ");
}

/** Words to highlight on the page a hit opens. */
export function highlightTerms(q: ParsedQuery): string[] {
  return [...q.terms, ...q.phrases].flatMap((t) => t.match(/[\p{L}\p{N}_]+/gu) ?? []);
}
