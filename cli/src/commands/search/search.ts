import { SearchResponse } from "@residue/protocol";
import type { Deps } from "../../deps.ts";
import { permalink } from "../remote.ts";

export interface SearchOptions {
  org?: string;
  repo?: string;
  agent?: string;
  author?: string;
  since?: string;
  until?: string;
  limit?: number;
  json?: boolean;
}

export async function runSearch(words: string[], opts: SearchOptions, deps: Deps) {
  const { client: api, url } = deps.api();
  const res = SearchResponse.parse(
    await api.search({
      q: words.join(" "),
      org: opts.org,
      repo: opts.repo,
      agent: opts.agent,
      author: opts.author,
      since: opts.since,
      until: opts.until,
      limit: String(opts.limit ?? 20),
    }),
  );
  if (opts.json) {
    deps.out(`${JSON.stringify(res, null, 2)}\n`);
    return res;
  }
  if (res.hits.length === 0) {
    deps.out("No matches.\n");
    return res;
  }
  const bold = (s: string) => (deps.isTTY ? `\x1b[1m${s}\x1b[22m` : `*${s}*`);
  for (const hit of res.hits) {
    const where = hit.commit
      ? `${hit.repo.owner}/${hit.repo.name}@${hit.commit.sha.slice(0, 7)}`
      : `${hit.repo.owner}/${hit.repo.name} (no commit)`;
    const who = hit.session ? `${hit.session.agent}` : "commit";
    const snippet = hit.snippet
      .map((p) => (p.hit ? bold(p.text) : p.text))
      .join("")
      .replace(/\s+/g, " ")
      .trim();
    const link = hit.commit
      ? permalink(url, hit.repo, hit.commit.sha, hit.anchor)
      : hit.session
        ? `${url}/app/-/session/${hit.session.id}#${hit.anchor}`
        : "";
    deps.out(`${where.padEnd(34)} ${who.padEnd(11)} ${snippet}\n${" ".repeat(35)}${link}\n`);
  }
  if (res.next_cursor) deps.out(`… more results: narrow the query or use --limit.\n`);
  return res;
}
