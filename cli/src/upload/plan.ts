// The decisions of a sync, as functions of plain data: which sessions to look at, which must go up,
// which commit links may be posted, and how the queue settles afterwards. `sync()` does the I/O around
// them; keeping them pure lets every case be tested in-process, without a binary or a server.
import { MAX_REDACTION_RULES, RedactionCounts } from "@residue/protocol";
import { rememberUploaded } from "../capture/fold.ts";
import type { CommitInfo } from "../git/git.ts";
import type { LocalCommit, LocalSession, State } from "../state/model.ts";
import { addNotice } from "../state/notices.ts";

/** Sessions a sync looks at: uncommitted ended sessions only when the user asked for them. */
export function candidateSessions(state: State, includeUncommitted: boolean): LocalSession[] {
  const linked = new Set(Object.values(state.commits).flatMap((c) => c.sessions.map((l) => l.session_id)));
  return Object.values(state.sessions).filter(
    (s) => includeUncommitted || linked.has(s.id) || s.uploaded_hash !== null || s.status === "open",
  );
}

/** The bytes differ from what the backend holds: the transcript must be PUT again. */
export function dataChanged(session: LocalSession, contentHash: string): boolean {
  return contentHash !== session.uploaded_hash;
}

/** New bytes or a new status (open → ended): the session's row must be posted again. */
export function needsUpload(session: LocalSession, contentHash: string): boolean {
  return dataChanged(session, contentHash) || session.status !== session.uploaded_status;
}

/** The uploaded commits holding links to these sessions: what `requeueLinks` needs read from git. */
export function linkedUploaded(state: State, sessions: ReadonlySet<string>): string[] {
  return Object.entries(state.uploaded_commits).flatMap(([sha, links]) => (links.some((l) => sessions.has(l.session_id)) ? [sha] : []));
}

/**
 * Queues again the posted links of sessions whose files were laid out anew: their stored lines moved, and a
 * link posted again is translated with the new log (the server replaces a commit's link to a session). The
 * commit's details come from git (`infos`); one git no longer has is left as it was posted. The branch is left
 * out: the server keeps the one it has.
 */
export function requeueLinks(state: State, sessions: ReadonlySet<string>, infos: ReadonlyMap<string, CommitInfo>) {
  for (const [sha, links] of Object.entries(state.uploaded_commits)) {
    const own = links.filter((l) => sessions.has(l.session_id));
    const info = infos.get(sha);
    if (!own.length || !info) continue;
    const queued = state.commits[sha];
    if (!queued) state.commits[sha] = { ...info, branch: null, sessions: own, replaces: [] };
    else queued.sessions.push(...own.filter((l) => !queued.sessions.some((q) => q.session_id === l.session_id)));
  }
}

/**
 * The commits to post: each with the links whose session the backend holds after this run's uploads
 * (`sent`), never a lost one. Sessions no longer in the queue were dropped only after reaching the server.
 */
export function commitsToPost(state: State, sent: ReadonlySet<string>, lost: ReadonlySet<string>): LocalCommit[] {
  const onBackend = (id: string) => {
    const queued = state.sessions[id];
    return sent.has(id) || !queued || queued.uploaded_hash !== null;
  };
  return readyCommits(Object.values(state.commits), (id) => !lost.has(id) && onBackend(id));
}

/**
 * Each commit goes up with the links whose session the backend holds (the backend refuses links to
 * sessions it has never seen); links to a session still waiting for its first upload follow with it.
 * One session that cannot be uploaded never holds back the commit's other sessions.
 */
function readyCommits(commits: LocalCommit[], ready: (sessionId: string) => boolean): LocalCommit[] {
  return commits.flatMap((c) => {
    const sessions = c.sessions.filter((l) => ready(l.session_id));
    return sessions.length ? [{ ...c, sessions }] : [];
  });
}

/**
 * What a snapshot says was redacted, as the server takes it: rules that matched nothing are left out, and the
 * most frequent rules are kept if ever there were more than the server takes. Absent (unknown) for snapshots
 * taken before counts were kept, and when the counts do not read as counts: a count is never worth a push.
 */
export function redactionCounts(counts: Record<string, number> | undefined): RedactionCounts | undefined {
  if (!counts) return undefined;
  const entries = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .slice(0, MAX_REDACTION_RULES);
  const parsed = RedactionCounts.safeParse(Object.fromEntries(entries));
  return parsed.success ? parsed.data : undefined;
}

/** The commits as the backend stored them: without the links to sessions it refused as deleted. */
export function storedLinks(posted: LocalCommit[], deleted: ReadonlySet<string>): LocalCommit[] {
  return posted.map((c) => ({ ...c, sessions: c.sessions.filter((l) => !deleted.has(l.session_id)) }));
}

/** Search text is owed once the session's row exists and the index does not hold these bytes yet. */
export function owesIndex(session: LocalSession, contentHash: string, sent: boolean): boolean {
  return (sent || session.uploaded_hash !== null) && session.indexed_hash !== contentHash;
}

/** What one sync did, as the queue must remember it. */
export interface SyncOutcome {
  /** Sessions with data this run: session id → the hash of its snapshot. */
  snapshots: ReadonlyMap<string, string>;
  /** Sessions whose upload succeeded, as they were when snapshotted. */
  uploaded: { session: LocalSession; contentHash: string }[];
  /** Search text now on the backend: session id → hash indexed. */
  indexed: ReadonlyMap<string, string>;
  /** Commits posted, with the links that went up. */
  posted: LocalCommit[];
  /** Never uploaded and no data left: dropped with a notice. */
  lost: LocalSession[];
  /** Uploaded before, no data left here: the backend holds all there will ever be. */
  gone: ReadonlySet<string>;
  now: number;
}

/**
 * Applies a sync's outcome to the latest state (read under the lock, so hooks' changes made meanwhile are
 * kept): marks what was uploaded and indexed, drops sent and lost links, and lets complete sessions go.
 */
export function settle(latest: State, outcome: SyncOutcome): { complete: string[] } {
  const complete: string[] = [];
  const lostIds = new Set(outcome.lost.map((s) => s.id));
  for (const session of outcome.lost) {
    delete latest.sessions[session.id];
    addNotice(latest, {
      key: `lost:${session.id}`,
      message: `session ${session.id.slice(0, 8)} (${session.agent}) was never uploaded: its transcript ${session.data_path} was deleted before the first push and no copy was kept; its commits went up without it`,
      at: outcome.now,
    });
  }
  for (const id of outcome.snapshots.keys()) {
    const current = latest.sessions[id];
    if (current) current.data_seen = true;
  }
  for (const { session, contentHash } of outcome.uploaded) {
    const current = latest.sessions[session.id];
    if (!current) continue;
    current.uploaded_hash = contentHash;
    current.uploaded_status = session.status;
  }
  for (const [id, hash] of outcome.indexed) {
    const current = latest.sessions[id];
    if (current) current.indexed_hash = hash;
  }
  rememberUploaded(
    latest,
    outcome.posted.filter((c) => latest.commits[c.sha]),
  );
  const posted = new Map(outcome.posted.map((c) => [c.sha, new Set(c.sessions.map((l) => l.session_id))]));
  for (const [sha, c] of Object.entries(latest.commits)) {
    // What went up, or can never go up, leaves the queue; links to sessions still to come stay.
    const sentLinks = posted.get(sha);
    c.sessions = c.sessions.filter((l) => !sentLinks?.has(l.session_id) && !lostIds.has(l.session_id));
    if (c.sessions.length === 0) delete latest.commits[sha];
  }
  const stillLinked = new Set(Object.values(latest.commits).flatMap((c) => c.sessions.map((l) => l.session_id)));
  for (const s of Object.values(latest.sessions)) {
    // Ended, uploaded as it is now, and no queued commit waits on it: the backend has it all.
    const snapshotHash = outcome.snapshots.get(s.id);
    const onServer = outcome.gone.has(s.id) || (s.uploaded_hash === snapshotHash && s.indexed_hash === snapshotHash);
    if (s.status === "ended" && s.uploaded_status === "ended" && onServer && !stillLinked.has(s.id)) {
      delete latest.sessions[s.id];
      complete.push(s.id);
    }
  }
  return { complete };
}
