// Everything /app/<path> shows, loaded before anything renders, so the page can set its status (Astro
// ignores a status set by a component) and its components only take props.
import type { RepoRow } from "@residue/api/db/repos";
import { readCommit, readCommitPage, readContinuity, readUncommittedSessions } from "@residue/api/read/commits";
import type { AmbiguousRepo, AmbiguousSha, Invalid, Missing } from "@residue/api/read/outcome";
import { readOrg, readRepoPath } from "@residue/api/read/repos";
import { commitPart } from "../lib/conversation-view.ts";
import { loadConversation, readTiming } from "./conversation.ts";
import { getEnv } from "./env.ts";

/** Commits per page of a repo's list. */
const PAGE = 25;

export type AppPathView =
  | { kind: "org"; owner: string; repos: RepoRow[] }
  | Awaited<ReturnType<typeof repoView>>
  | Awaited<ReturnType<typeof commitView>>
  | AmbiguousRepo
  | Missing;

/** /app/<owner path> · /app/<owner path>/<repo> · /app/<owner path>/<repo>/<sha>, resolved against what exists. */
export async function loadAppPath(segments: string[], params: URLSearchParams): Promise<AppPathView> {
  const db = getEnv().DB;
  const path = await readRepoPath(db, segments, params.get("host") ?? undefined);
  if (path.kind === "repo") return repoView(db, path.repo, params.get("cursor"));
  if (path.kind === "commit") return commitView(db, path.repo, path.sha);
  if (path.kind === "ambiguous") return path;
  const org = await readOrg(db, segments.join("/"));
  return org.kind === "found" ? { ...org, kind: "org" } : org;
}

async function repoView(db: D1Database, repo: RepoRow, cursor: string | null) {
  const page = await readCommitPage(db, repo, PAGE, cursor ?? undefined);
  if (page.kind === "invalid") return page satisfies Invalid<"cursor">;
  // Sessions without a commit are listed once, under the first page.
  const loose = cursor ? [] : await readUncommittedSessions(db, repo);
  return { kind: "repo" as const, repo, commits: page.commits, nextCursor: page.next_cursor, loose };
}

async function commitView(db: D1Database, repo: RepoRow, sha: string) {
  const read = await readCommit(db, repo, sha);
  if (read.kind !== "found") return read.kind === "ambiguous" ? ({ ...read, sha } satisfies AmbiguousSha & { sha: string }) : read;
  const views = new Map(
    await Promise.all(
      read.commit.sessions.map(async (s) => {
        const [loaded, continuity] = await Promise.all([loadConversation(s.id), readContinuity(db, repo, s.id, read.commit.sha)]);
        const messages = loaded.kind === "found" ? loaded.messages : null;
        // The part is the turns after `since` when the CLI said where it starts; else after the previous commit's position.
        const since = s.since?.line ?? continuity.previous?.transcript_line ?? null;
        const part = messages ? await commitPart(messages, since, s.position.line ?? null, read.commit.committed_at) : null;
        const notices = [...new Set([...(messages?.notices ?? []), ...(part?.notices ?? [])])];
        return [s.id, { part, notices, messages, ...continuity }] as const;
      }),
    ),
  );
  // Offered by the link form: what the hooks most often miss is a conversation that produced no commit.
  const unlinked = await readUncommittedSessions(db, repo);
  const timing = readTiming([...views.values()].map((v) => v.messages));
  return { kind: "commit" as const, repo, sha, commit: read.commit, views, unlinked, timing };
}
