import { type CommitMapping, type CommitSummary, LinkReason, type SessionSummary, type TranscriptPosition } from "@residue/protocol";
import { indexCommit } from "./search.ts";
import { SESSION_SUMMARY_COLUMNS, storedRedaction } from "./sessions.ts";

/** Statements that store one commit mapping; replaying them leaves the same rows. */
export function upsertCommit(db: D1Database, repoId: number, commit: CommitMapping): D1PreparedStatement[] {
  const additions = commit.files.reduce((n, f) => n + f.additions, 0);
  const deletions = commit.files.reduce((n, f) => n + f.deletions, 0);
  return [
    db
      .prepare(
        `INSERT INTO commits (repo_id, sha, message, author_name, author_email, committed_at, branch, files_changed, additions, deletions, parents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (repo_id, sha) DO UPDATE SET message = excluded.message, author_name = excluded.author_name,
           author_email = excluded.author_email, committed_at = excluded.committed_at,
           branch = coalesce(excluded.branch, commits.branch), files_changed = excluded.files_changed,
           additions = excluded.additions, deletions = excluded.deletions,
           parents = coalesce(excluded.parents, commits.parents)`,
      )
      .bind(
        repoId,
        commit.sha,
        commit.message,
        commit.author_name,
        commit.author_email,
        commit.committed_at,
        commit.branch ?? null,
        commit.files.length,
        additions,
        deletions,
        commit.parents ? JSON.stringify(commit.parents) : null,
      ),
    db.prepare("DELETE FROM commit_files WHERE repo_id = ?1 AND sha = ?2").bind(repoId, commit.sha),
    db
      .prepare(
        `INSERT INTO commit_files (repo_id, sha, path, additions, deletions)
         SELECT ?1, ?2, json_extract(value, '$.path'), json_extract(value, '$.additions'), json_extract(value, '$.deletions')
         FROM json_each(?3) WHERE true
         ON CONFLICT (repo_id, sha, path) DO UPDATE SET additions = excluded.additions, deletions = excluded.deletions`,
      )
      .bind(repoId, commit.sha, JSON.stringify(commit.files)),
    ...(commit.replaces.length > 0 ? carryCorrections(db, repoId, commit) : []),
    ...commit.sessions.map((link) =>
      // A pair a person unlinked stays unlinked, a deleted session stays deleted; a pair a person linked keeps saying so.
      db
        .prepare(
          `INSERT INTO commit_sessions (repo_id, sha, session_id, transcript_line, transcript_byte, last_message_at,
             since_line, since_byte, since_last_message_at, reason)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
           WHERE NOT EXISTS (SELECT 1 FROM link_tombstones t WHERE t.repo_id = ?1 AND t.sha = ?2 AND t.session_id = ?3)
             AND NOT EXISTS (SELECT 1 FROM session_tombstones d WHERE d.id = ?3)
           ON CONFLICT (repo_id, sha, session_id) DO UPDATE SET transcript_line = excluded.transcript_line,
             transcript_byte = excluded.transcript_byte, last_message_at = excluded.last_message_at,
             since_line = excluded.since_line, since_byte = excluded.since_byte,
             since_last_message_at = excluded.since_last_message_at,
             reason = iif(commit_sessions.origin = 'manual', commit_sessions.reason, excluded.reason)`,
        )
        .bind(
          repoId,
          commit.sha,
          link.session_id,
          link.position.line ?? null,
          link.position.byte ?? null,
          link.position.last_message_at ?? null,
          link.since?.line ?? null,
          link.since?.byte ?? null,
          link.since?.last_message_at ?? null,
          link.reason ? JSON.stringify(link.reason) : null,
        ),
    ),
    db
      .prepare("DELETE FROM commits WHERE repo_id = ?1 AND sha IN (SELECT value FROM json_each(?2)) AND sha <> ?3")
      .bind(repoId, JSON.stringify(commit.replaces), commit.sha),
    ...indexCommit(db, repoId, commit),
  ];
}

/**
 * A person's corrections of the commits this one replaced (amend, rebase) hold for it too: their unlinks
 * and their links by hand. Runs before this commit's own links are stored, so those see them.
 */
function carryCorrections(db: D1Database, repoId: number, commit: CommitMapping): D1PreparedStatement[] {
  const replaced = JSON.stringify(commit.replaces.filter((sha) => sha !== commit.sha));
  return [
    db
      .prepare(
        `INSERT INTO link_tombstones (repo_id, sha, session_id, removed_at)
         SELECT repo_id, ?2, session_id, removed_at FROM link_tombstones
         WHERE repo_id = ?1 AND sha IN (SELECT value FROM json_each(?3))
         ON CONFLICT (repo_id, sha, session_id) DO NOTHING`,
      )
      .bind(repoId, commit.sha, replaced),
    db
      .prepare(
        `INSERT INTO commit_sessions (repo_id, sha, session_id, transcript_line, transcript_byte, last_message_at,
           since_line, since_byte, since_last_message_at, reason, origin)
         SELECT repo_id, ?2, session_id, transcript_line, transcript_byte, last_message_at,
           since_line, since_byte, since_last_message_at, reason, origin FROM commit_sessions
         WHERE repo_id = ?1 AND sha IN (SELECT value FROM json_each(?3)) AND origin = 'manual'
           AND NOT EXISTS (SELECT 1 FROM link_tombstones t WHERE t.repo_id = ?1 AND t.sha = ?2 AND t.session_id = commit_sessions.session_id)
         ON CONFLICT (repo_id, sha, session_id) DO UPDATE SET reason = excluded.reason, origin = 'manual'`,
      )
      .bind(repoId, commit.sha, replaced),
  ];
}

type CommitRow = Omit<CommitSummary, "sessions">;
const COMMIT_COLUMNS =
  "c.sha, c.message, c.author_name, c.author_email, c.committed_at, c.branch, c.files_changed, c.additions, c.deletions";

export interface CommitCursor {
  committedAt: number;
  sha: string;
}

/** Newest first; the cursor is the last row of the previous page. */
export async function listCommits(db: D1Database, repoId: number, limit: number, after: CommitCursor | null) {
  const { results } = await db
    .prepare(
      `SELECT ${COMMIT_COLUMNS} FROM commits c WHERE c.repo_id = ?1
         AND (?2 IS NULL OR c.committed_at < ?2 OR (c.committed_at = ?2 AND c.sha < ?3))
       ORDER BY c.committed_at DESC, c.sha DESC LIMIT ?4`,
    )
    .bind(repoId, after?.committedAt ?? null, after?.sha ?? "", limit + 1)
    .all<CommitRow>();
  const page = results.slice(0, limit);
  const last = page.at(-1);
  const next: CommitCursor | null = results.length > limit && last ? { committedAt: last.committed_at, sha: last.sha } : null;
  return { commits: await withSessions(db, repoId, page), next };
}

/** Commits whose SHA starts with the prefix (at most two, enough to tell a unique match from an ambiguous one). */
export async function findCommitsByPrefix(db: D1Database, repoId: number, prefix: string) {
  const { results } = await db
    .prepare(`SELECT ${COMMIT_COLUMNS} FROM commits c WHERE c.repo_id = ?1 AND c.sha >= ?2 AND c.sha < ?2 || 'g' ORDER BY c.sha LIMIT 2`)
    .bind(repoId, prefix)
    .all<CommitRow>();
  return withSessions(db, repoId, results);
}

export async function commitFiles(db: D1Database, repoId: number, sha: string) {
  const { results } = await db
    .prepare("SELECT path, additions, deletions FROM commit_files WHERE repo_id = ?1 AND sha = ?2 ORDER BY path")
    .bind(repoId, sha)
    .all<{ path: string; additions: number; deletions: number }>();
  return results;
}

type LinkRow = Omit<SessionSummary, "redacted"> & {
  sha: string;
  redacted: string | null;
  transcript_line: number | null;
  transcript_byte: number | null;
  last_message_at: number | null;
  since_line: number | null;
  since_byte: number | null;
  since_last_message_at: number | null;
  reason: string | null;
};

/** A stored reason is shown only if it still reads as one: the column is text a migration could not check. */
function storedReason(text: string | null): LinkReason | null {
  if (text === null) return null;
  try {
    const parsed = LinkReason.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function linkedSession(row: LinkRow): CommitSummary["sessions"][number] {
  const {
    sha: _sha,
    transcript_line,
    transcript_byte,
    last_message_at,
    since_line,
    since_byte,
    since_last_message_at,
    reason,
    redacted,
    ...session
  } = row;
  const since: TranscriptPosition | null =
    since_line === null && since_byte === null && since_last_message_at === null
      ? null
      : { line: since_line, byte: since_byte, last_message_at: since_last_message_at };
  return {
    ...session,
    position: { line: transcript_line, byte: transcript_byte, last_message_at },
    since,
    reason: storedReason(reason),
    redacted: storedRedaction(redacted),
  };
}

async function withSessions(db: D1Database, repoId: number, commits: CommitRow[]): Promise<CommitSummary[]> {
  if (commits.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT cs.sha, cs.transcript_line, cs.transcript_byte, cs.last_message_at, cs.since_line, cs.since_byte,
         cs.since_last_message_at, cs.reason, s.redacted, ${SESSION_SUMMARY_COLUMNS}
       FROM commit_sessions cs JOIN sessions s ON s.id = cs.session_id
       WHERE cs.repo_id = ?1 AND cs.sha IN (SELECT value FROM json_each(?2))
       ORDER BY s.started_at, s.id`,
    )
    .bind(repoId, JSON.stringify(commits.map((c) => c.sha)))
    .all<LinkRow>();
  const bySha = new Map<string, CommitSummary["sessions"]>();
  for (const row of results) bySha.set(row.sha, [...(bySha.get(row.sha) ?? []), linkedSession(row)]);
  return commits.map((c) => ({ ...c, sessions: bySha.get(c.sha) ?? [] }));
}

export interface SessionCommitLink {
  sha: string;
  message: string;
  committed_at: number;
  transcript_line: number | null;
}

/** Every commit a session produced, in the order the conversation reached them (the fallback where git's order is unknown). */
export async function commitsOfSession(db: D1Database, repoId: number, sessionId: string): Promise<SessionCommitLink[]> {
  const { results } = await db
    .prepare(
      `SELECT c.sha, c.message, c.committed_at, cs.transcript_line FROM commit_sessions cs
       JOIN commits c ON c.repo_id = cs.repo_id AND c.sha = cs.sha
       WHERE cs.session_id = ?1 AND cs.repo_id = ?2
       ORDER BY coalesce(cs.transcript_line, 0), c.committed_at, c.sha`,
    )
    .bind(sessionId, repoId)
    .all<SessionCommitLink>();
  return results;
}

/** How many stored commits one ancestry walk may visit: bounds the rows a page reads. */
const ANCESTRY_LIMIT = 2000;

/**
 * The parents of these commits and of their stored ancestors, as far as the repo's stored commits reach;
 * a commit whose parents were never sent maps to null. Commits git has but this server does not end a walk.
 */
export async function storedAncestry(db: D1Database, repoId: number, shas: string[]): Promise<Map<string, string[] | null>> {
  const { results } = await db
    .prepare(
      `WITH RECURSIVE walk (sha) AS (
         SELECT value FROM json_each(?2)
         UNION
         SELECT p.value FROM walk JOIN commits c ON c.repo_id = ?1 AND c.sha = walk.sha JOIN json_each(c.parents) p
         LIMIT ?3
       )
       SELECT c.sha, c.parents FROM walk JOIN commits c ON c.repo_id = ?1 AND c.sha = walk.sha`,
    )
    .bind(repoId, JSON.stringify(shas), ANCESTRY_LIMIT)
    .all<{ sha: string; parents: string | null }>();
  return new Map(results.map((r) => [r.sha, r.parents === null ? null : (JSON.parse(r.parents) as string[])]));
}

/**
 * A person's link: it says so, and it lifts an earlier unlink of the same pair. It keeps the position a CLI
 * sent; a new one has none, and pages cut its conversation at the commit's time.
 */
export function linkByHand(db: D1Database, repoId: number, sha: string, sessionId: string): D1PreparedStatement[] {
  const manual = JSON.stringify({ kind: "manual" } satisfies LinkReason);
  return [
    db.prepare("DELETE FROM link_tombstones WHERE repo_id = ?1 AND sha = ?2 AND session_id = ?3").bind(repoId, sha, sessionId),
    db
      .prepare(
        `INSERT INTO commit_sessions (repo_id, sha, session_id, reason, origin) VALUES (?1, ?2, ?3, ?4, 'manual')
         ON CONFLICT (repo_id, sha, session_id) DO UPDATE SET reason = excluded.reason, origin = 'manual'`,
      )
      .bind(repoId, sha, sessionId, manual),
  ];
}

/** A person's unlink, kept as a tombstone so the next push of the automatic link does not undo it. */
export function unlinkByHand(db: D1Database, repoId: number, sha: string, sessionId: string, now: number): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM commit_sessions WHERE repo_id = ?1 AND sha = ?2 AND session_id = ?3").bind(repoId, sha, sessionId),
    db
      .prepare(
        `INSERT INTO link_tombstones (repo_id, sha, session_id, removed_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (repo_id, sha, session_id) DO UPDATE SET removed_at = excluded.removed_at`,
      )
      .bind(repoId, sha, sessionId, now),
  ];
}

/** Sessions of a repo that no commit links: explorations and abandoned attempts. */
export async function uncommittedSessions(db: D1Database, repoId: number, limit = 50) {
  const { results } = await db
    .prepare(
      `SELECT ${SESSION_SUMMARY_COLUMNS} FROM sessions s WHERE s.repo_id = ?1
       AND NOT EXISTS (SELECT 1 FROM commit_sessions cs WHERE cs.session_id = s.id)
       ORDER BY s.started_at DESC LIMIT ?2`,
    )
    .bind(repoId, limit)
    .all<SessionSummary>();
  return results;
}
