// Where a delete sends the reader, and what the page there says about it: pure, so tests need no runtime.
import { SessionId } from "@residue/protocol";
import { safeNext } from "./ui-session.ts";

/** The query parameter that tells the page a delete sent the reader to that it happened. */
const DELETED_PARAM = "deleted";

/** Where to go after deleting: the page the reader came from, unless that page showed only this session. */
export function afterDelete(back: string | null, repo: { host: string; owner: string; name: string }, id: string): string {
  const safe = safeNext(back);
  const gone = safe === "/app" || safe.startsWith("/app/-/");
  const target = new URL(gone ? `/app/${repo.owner}/${repo.name}?host=${encodeURIComponent(repo.host)}` : safe, "http://residue.invalid");
  target.searchParams.set(DELETED_PARAM, id);
  return `${target.pathname}${target.search}`;
}

/** The message a page shows after a delete redirected to it; null when it was not one. */
export function deletedNotice(params: URLSearchParams): string | null {
  const id = SessionId.safeParse(params.get(DELETED_PARAM));
  return id.success
    ? `Deleted conversation ${id.data.slice(0, 8)}: its messages, search rows and stored transcript are gone from this server, and later pushes of it are refused (the residue that pushes it forgets it).`
    : null;
}
