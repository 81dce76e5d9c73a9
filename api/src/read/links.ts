// Links a person makes or removes, through the API or the permalink: the commit by SHA or prefix, the
// session by id or prefix, both within one repo, so a link never crosses repos.
import { findCommitsByPrefix, linkByHand, unlinkByHand } from "../db/commits.ts";
import type { RepoRow } from "../db/repos.ts";
import { findSessionsByPrefix } from "../db/sessions.ts";
import { type AmbiguousSession, type AmbiguousSha, type Missing, missing } from "./outcome.ts";

/** `changed`: false when the pair already was as asked (linked by hand, or not linked). */
export type LinkChange = { kind: "done"; sha: string; session_id: string; linked: boolean; changed: boolean };
export type LinkChangeOutcome = LinkChange | AmbiguousSha | AmbiguousSession | Missing;

const SHA_REF = /^[0-9a-f]{4,64}$/;
const SESSION_REF = /^[0-9a-f-]{4,36}$/;

/**
 * Links (`link: true`) or unlinks the pair. An unlink leaves a tombstone even when nothing was linked, so a
 * link the CLI would post later stays off too; the commit stays, so it can be linked again from its page.
 */
export async function changeLink(
  db: D1Database,
  repo: RepoRow,
  shaRef: string,
  sessionRef: string,
  link: boolean,
  now: number,
): Promise<LinkChangeOutcome> {
  const [shaPrefix, sessionPrefix] = [shaRef.toLowerCase(), sessionRef.toLowerCase()];
  if (!SHA_REF.test(shaPrefix)) return missing("commit");
  if (!SESSION_REF.test(sessionPrefix)) return missing("session");
  const [commits, sessions] = await Promise.all([
    findCommitsByPrefix(db, repo.id, shaPrefix),
    findSessionsByPrefix(db, repo.id, sessionPrefix),
  ]);
  if (commits.length > 1) return { kind: "ambiguous", what: "sha" };
  if (sessions.length > 1) return { kind: "ambiguous", what: "session" };
  const [commit, session] = [commits[0], sessions[0]];
  if (!commit) return missing("commit");
  if (!session) return missing("session");
  const current = commit.sessions.find((s) => s.id === session.id);
  const changed = link ? current?.reason?.kind !== "manual" : current !== undefined;
  await db.batch(link ? linkByHand(db, repo.id, commit.sha, session.id) : unlinkByHand(db, repo.id, commit.sha, session.id, now));
  return { kind: "done", sha: commit.sha, session_id: session.id, linked: link, changed };
}
