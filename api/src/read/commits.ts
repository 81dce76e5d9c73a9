// A repo's commits: one page of the list, one commit in full, the commits a session led to.

import type { CommitSummary } from "@residue/protocol";
import { commitFiles, commitsOfSession, findCommitsByPrefix, listCommits, storedAncestry, uncommittedSessions } from "../db/commits.ts";
import type { RepoRow } from "../db/repos.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { type AmbiguousSha, type Invalid, type Missing, missing } from "./outcome.ts";
import { type Continuity, continuity } from "./topology.ts";

export type CommitPageOutcome = { kind: "found"; commits: CommitSummary[]; next_cursor: string | null } | Invalid<"cursor">;

/** Newest first, `limit` at a time; the cursor is one a previous page returned. */
export async function readCommitPage(db: D1Database, repo: RepoRow, limit: number, cursor?: string): Promise<CommitPageOutcome> {
  const after = cursor ? decodeCursor(cursor) : null;
  if (cursor && !after) return { kind: "invalid", what: "cursor", message: "The cursor is not one this server returned." };
  const { commits, next } = await listCommits(db, repo.id, limit, after);
  return { kind: "found", commits, next_cursor: next ? encodeCursor(next) : null };
}

export type CommitDetail = CommitSummary & { files: Awaited<ReturnType<typeof commitFiles>> };
export type CommitOutcome = { kind: "found"; commit: CommitDetail } | AmbiguousSha | Missing;

/** One commit by a SHA prefix, with its changed files and linked sessions. */
export async function readCommit(db: D1Database, repo: RepoRow, prefix: string): Promise<CommitOutcome> {
  const matches = await findCommitsByPrefix(db, repo.id, prefix);
  if (matches.length > 1) return { kind: "ambiguous", what: "sha" };
  const commit = matches[0];
  if (!commit) return missing("commit");
  return { kind: "found", commit: { ...commit, files: await commitFiles(db, repo.id, commit.sha) } };
}

/** The session's commits this commit continues from and is continued by, in git's order where it is known. */
export async function readContinuity(db: D1Database, repo: RepoRow, sessionId: string, sha: string): Promise<Continuity> {
  const links = await commitsOfSession(db, repo.id, sessionId);
  if (links.length < 2) return {};
  const ancestry = await storedAncestry(
    db,
    repo.id,
    links.map((l) => l.sha),
  );
  return continuity(sha, links, ancestry);
}

export const readUncommittedSessions = (db: D1Database, repo: RepoRow) => uncommittedSessions(db, repo.id);
