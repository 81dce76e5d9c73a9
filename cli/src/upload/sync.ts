// Upload: for each queued session whose data changed, snapshot (read → gzip) → upload URL → PUT; then post
// metadata and commit mappings; then drop what the backend now holds. Network work happens outside the
// state lock, so agents and hooks are never kept waiting on it.
import { statSync } from "node:fs";
import type { RepoRef, SessionsUpload } from "@residue/protocol";
import type { Discover } from "../agents/spec.ts";
import { foldJournal } from "../capture/fold.ts";
import type { Control } from "../config/control.ts";
import { CliError } from "../errors/cli-error.ts";
import type { CommitInfo } from "../git/git.ts";
import { parseRemoteUrl } from "../git/remote-url.ts";
import { type SectionLog, streamLine } from "../queue/section-log.ts";
import { forgetSession, IDLE_MS, sweepIdle } from "../queue/sessions.ts";
import {
  confirmSnapshot,
  dropSnapshot,
  linksLaidOut,
  linksRelaid,
  readMeta,
  refuseSnapshot,
  type Snapshot,
  takeSnapshot,
  withoutData,
} from "../queue/snapshot.ts";
import type { RepoContext } from "../repo/context.ts";
import type { LocalCommit, LocalSession, Notice } from "../state/model.ts";
import { type ApiClient, DeletedOnServer, LayoutConflict, putFile } from "./api-client.ts";
import {
  candidateSessions,
  commitsToPost,
  dataChanged,
  linkedUploaded,
  needsUpload,
  owesIndex,
  redactionCounts,
  requeueLinks,
  settle,
  storedLinks,
} from "./plan.ts";
import { searchDocsFromSnapshot } from "./search-docs.ts";
import { bytesToSend, confirms, type StoredSessions, segmentsDocuments, sendSegments } from "./segments-upload.ts";

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

export interface SyncOptions {
  discover?: Discover;
  /** Open sessions idle this long are ended (agents killed hard never say so). */
  idleMs?: number;
  now?: () => number;
  /** Upload sessions that ended without producing a commit (default true). */
  includeUncommitted: boolean;
  concurrency: number;
  onProgress?: (event: SyncProgress) => void;
  log: (message: string) => void;
  /** The caller's time budget: once it aborts, no new upload starts and running ones are cut off. */
  signal?: AbortSignal;
}

export type SyncProgress =
  | { kind: "session-start"; session: LocalSession; bytes: number; index: number; total: number }
  | { kind: "session-bytes"; session: LocalSession; sent: number; bytes: number }
  | { kind: "session-done"; session: LocalSession; uploaded: boolean }
  | { kind: "session-failed"; session: LocalSession; error: string };

export interface SyncResult {
  repo: RepoRef;
  uploaded: number;
  unchanged: number;
  /** Sessions kept for the next push: what went wrong and what to do (a transcript residue cannot read, a network failure). */
  failed: { id: string; error: string; hint: string }[];
  commits: number;
  /** Sessions with no data yet (open, nothing written or kept): they wait, without holding back anything else. */
  missing: string[];
  /** Sessions dropped this run: their transcript was deleted before the first push and no copy was kept. */
  lost: string[];
  /** Sessions someone deleted on the server: refused there, so forgotten here (queue, links, snapshot). */
  deleted: string[];
  /** Warnings the user has not dismissed yet. */
  notices: Notice[];
}

/** The repo the sessions belong to, named by its remote: the same host/owner/name for every clone. */
export async function repoIdentity(ctx: RepoContext): Promise<RepoRef> {
  const url = await ctx.git.remoteUrl();
  if (!url)
    throw new CliError(
      "this repo has no git remote, so residue cannot tell which repo its sessions belong to (they stay queued)",
      "add one: git remote add origin URL",
    );
  const repo = parseRemoteUrl(url);
  // A local path or file:// remote names no host/owner/name that another clone would share.
  if (!repo)
    throw new CliError(
      `cannot tell the repo's host/owner/name from its remote URL '${url}' (sessions stay queued)`,
      "point origin at the hosted repo: git remote set-url origin git@github.com:OWNER/NAME.git",
    );
  return repo;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return results;
}

interface Prepared {
  session: LocalSession;
  snapshot: Snapshot;
  changed: boolean;
}

/**
 * One run of the upload. A push the server refuses as not following what it holds (another machine pushed
 * the session, or the answer to an earlier push was lost after the server stored it) is taken again at once
 * as a new generation, so the user's push completes instead of waiting for the next one.
 */
export async function sync(ctx: RepoContext, api: ApiClient, opts: SyncOptions): Promise<SyncResult> {
  try {
    return await syncOnce(ctx, api, opts);
  } catch (error) {
    if (!(error instanceof LayoutConflict) || opts.signal?.aborted) throw error;
    opts.log(`sync: ${error.message}; taken again as a new generation`);
    return syncOnce(ctx, api, opts);
  }
}

async function syncOnce(ctx: RepoContext, api: ApiClient, opts: SyncOptions): Promise<SyncResult> {
  await foldJournal(ctx, opts.log, opts.discover);
  const repo = await repoIdentity(ctx);
  const swept = await ctx.store.update((state) => sweepIdle(state, mtime, (opts.now ?? Date.now)(), opts.idleMs ?? IDLE_MS));
  if (swept.length) opts.log(`sync: ended idle session(s) ${swept.join(", ")}`);
  let state = ctx.store.peek();
  const candidates = candidateSessions(state, opts.includeUncommitted);

  const missing: string[] = [];
  const lost: LocalSession[] = [];
  /** Uploaded before, no data left here: the backend holds all there will ever be. */
  const gone = new Set<string>();
  const prepared: Prepared[] = [];
  const failed: SyncResult["failed"] = [];
  const deleted = new Set<string>();
  const fail = (session: LocalSession, error: unknown) => {
    // Deleted on the server is a decision someone made, not a failure: the session is forgotten below.
    if (error instanceof DeletedOnServer) {
      deleted.add(session.id);
      return;
    }
    // One session's failure never holds back the others; one residue did not expect keeps its stack in the log.
    if (error instanceof CliError) {
      failed.push({ id: session.id, error: error.message, hint: error.hint });
      opts.log(`sync: ${session.id}: ${error.message}`);
    } else {
      failed.push({ id: session.id, error: `unexpected error: ${(error as Error).message}`, hint: "it stays queued for the next push" });
      opts.log(`sync: ${session.id}: ${(error as Error).stack ?? error}`);
    }
  };
  // Read once for the run; rules that cannot be read hold back every session (each fails with why).
  let control: Control | undefined;
  let controlError: unknown;
  try {
    control = ctx.control();
  } catch (error) {
    controlError = error;
  }
  for (const session of candidates) {
    let snapshot: Snapshot | null;
    try {
      if (!control) throw controlError;
      snapshot = await takeSnapshot(ctx.stateDir, session.id, session.data_path, session.agent, control);
    } catch (error) {
      fail(session, error);
      continue;
    }
    if (snapshot) {
      prepared.push({ session, snapshot, changed: needsUpload(session, snapshot.meta.content_hash) });
      continue;
    }
    const where = withoutData(session);
    if (where === "uploaded") gone.add(session.id);
    else if (where === "lost") lost.push(session);
    else missing.push(session.id);
    opts.log(`sync: ${session.id}: no transcript at ${session.data_path} and no snapshot (${where})`);
  }

  const toSend = prepared.filter((p) => p.changed);
  const sent = await mapLimit(toSend, opts.concurrency, async ({ session, snapshot }, index) => {
    const newBytes = dataChanged(session, snapshot.meta.content_hash);
    const bytes = newBytes ? bytesToSend(snapshot) : 0;
    opts.onProgress?.({ kind: "session-start", session, bytes, index, total: toSend.length });
    try {
      if (opts.signal?.aborted) throw new CliError("out of time before this upload started", "it stays queued for the next push");
      const put = {
        timeoutMs: 300_000,
        signal: opts.signal,
        onProgress: (sent: number) => opts.onProgress?.({ kind: "session-bytes", session, sent, bytes }),
      };
      if (newBytes && snapshot.meta.segments) await sendSegments(api, session.id, snapshot, put);
      else if (newBytes) {
        const { url } = await api.uploadUrl(session.id);
        await putFile(url, snapshot.gzipPath, "application/gzip", put);
      }
      opts.onProgress?.({ kind: "session-done", session, uploaded: newBytes });
      return true;
    } catch (error) {
      fail(session, error);
      if (!deleted.has(session.id)) opts.onProgress?.({ kind: "session-failed", session, error: (error as Error).message });
      return false;
    }
  });
  const done = toSend.filter((_, i) => sent[i]);
  const sentIds = new Set(done.map((p) => p.session.id));
  const lostIds = new Set(lost.map((s) => s.id));
  // Sessions stored in a new layout this run: their posted links go up again, translated with its log.
  const relaid = done.filter((p) => linksRelaid(p.snapshot.meta));
  if (relaid.length) state = await requeueRelaid(ctx, new Set(relaid.map((p) => p.session.id)));
  const commits = commitsToPost(state, sentIds, lostIds);
  // A session not snapshotted this run (its links follow an earlier upload) has its log in the kept meta.
  const snapshotted = new Map(prepared.map((p) => [p.session.id, p.snapshot.meta]));
  const logOf = (id: string) => (snapshotted.get(id) ?? readMeta(ctx.stateDir, id))?.sections;
  const body: SessionsUpload = {
    repo,
    sessions: done.map(({ session, snapshot }) => ({
      id: session.id,
      agent: session.agent,
      agent_version: session.agent_version,
      status: session.status,
      started_at: session.started_at,
      ended_at: session.ended_at,
      data_updated_at: Math.max(snapshot.meta.last_at ?? 0, session.ended_at ?? 0, session.started_at),
      byte_size: snapshot.meta.byte_size,
      content_hash: snapshot.meta.content_hash,
      message_count: snapshot.meta.message_count,
      title: snapshot.meta.title,
      redacted: redactionCounts(snapshot.meta.redacted),
      layout: snapshot.meta.segments?.push.layout,
    })),
    commits: commits.map((c) => toMapping(c, logOf)),
  };
  let stored: StoredSessions = [];
  if (body.sessions?.length || body.commits?.length) {
    try {
      const answer = await api.postSessions(body);
      for (const id of answer.deleted) deleted.add(id);
      stored = answer.stored;
    } catch (error) {
      if (error instanceof LayoutConflict) refuseConflicting(ctx.stateDir, done, error.message);
      throw error;
    }
  }
  for (const { session, snapshot } of relaid)
    if (!deleted.has(session.id)) linksLaidOut(ctx.stateDir, session.id, snapshot.meta.layout ?? 0);
  // A session in segments counts as uploaded once the server says it holds its push; its data is pruned then.
  const uploaded = done.filter(({ session, snapshot }) => {
    if (deleted.has(session.id) || !snapshot.meta.segments) return true;
    if (confirms(stored, session.id, snapshot)) {
      confirmSnapshot(ctx.stateDir, session.id, snapshot);
      return true;
    }
    opts.log(
      `sync: ${session.id}: the server did not confirm holding push ${snapshot.meta.segments.push.layout.push}; it is sent again next push`,
    );
    return false;
  });

  // Search text goes up once the session's row exists; a failure is retried on the next push.
  const indexed = new Map<string, string>();
  const owed = prepared.filter(
    (p) => !deleted.has(p.session.id) && owesIndex(p.session, p.snapshot.meta.content_hash, sentIds.has(p.session.id)),
  );
  for (const { session, snapshot } of owed) {
    try {
      const docs = snapshot.meta.segments ? await segmentsDocuments(snapshot) : searchDocsFromSnapshot(snapshot.gzipPath, session.agent);
      if (docs === null) opts.log(`sync: ${session.id}: too large to index for search; uploaded without`);
      else await api.putSearchDocuments(session.id, docs);
      indexed.set(session.id, snapshot.meta.content_hash);
    } catch (error) {
      opts.log(`sync: ${session.id}: search indexing failed, retried next push: ${(error as Error).message}`);
    }
  }

  const { notices, complete } = await ctx.store.update((latest) => {
    const now = (opts.now ?? Date.now)();
    // First, so settling neither finds them complete (and drops them unremembered) nor records their links.
    for (const id of deleted) forgetSession(latest, id, now);
    const settled = settle(latest, {
      snapshots: new Map(prepared.map((p) => [p.session.id, p.snapshot.meta.content_hash])),
      uploaded: uploaded.map((p) => ({ session: p.session, contentHash: p.snapshot.meta.content_hash })),
      indexed,
      posted: storedLinks(commits, deleted),
      lost,
      gone,
      now,
    });
    return { notices: latest.notices, complete: settled.complete };
  });
  // The server holds all of these, hash checked, and they left the queue: their local copies would only pile up.
  for (const id of complete) dropSnapshot(ctx.stateDir, id);
  for (const id of deleted) {
    dropSnapshot(ctx.stateDir, id);
    opts.log(`sync: ${id}: deleted on the server, so forgotten here (queue, commit links, snapshot); it is not uploaded again`);
  }
  return {
    repo,
    uploaded: uploaded.filter((p) => !deleted.has(p.session.id)).length,
    unchanged: prepared.length - toSend.length,
    failed,
    commits: commits.length,
    missing,
    lost: [...lostIds],
    deleted: [...deleted],
    notices,
  };
}

/** Queues the relaid sessions' posted links again (commit details read from git outside the lock); the state after. */
async function requeueRelaid(ctx: RepoContext, sessions: ReadonlySet<string>) {
  const infos = new Map<string, CommitInfo>();
  for (const sha of linkedUploaded(ctx.store.peek(), sessions))
    if (await ctx.git.commitExists(sha)) infos.set(sha, await ctx.git.commitInfo(sha));
  await ctx.store.update((latest) => requeueLinks(latest, sessions, infos));
  return ctx.store.peek();
}

/**
 * The server refused a push of the batch as not following what it holds: the session it names (every
 * session of the batch in segments, if it names none) starts a new generation on its next snapshot.
 */
function refuseConflicting(stateDir: string, sent: Prepared[], message: string) {
  const inSegments = sent.filter((p) => p.snapshot.meta.segments);
  const named = inSegments.filter((p) => message.includes(p.session.id));
  for (const p of named.length ? named : inSegments) refuseSnapshot(stateDir, p.session.id);
}

/**
 * A commit as posted. Its links' positions count the main transcript's lines (the evidence reads that file);
 * the stored stream of a session of several files interleaves their sections, so the lines are translated
 * here, from the section log of the session's snapshot (this run's, or the one kept): the CLI alone knows the
 * log, and since it only grows at its end, a line translated now names the same stored line in every later push
 * of the generation.
 */
function toMapping(c: LocalCommit, logOf: (sessionId: string) => SectionLog | undefined) {
  const at = <P extends { line?: number | null }>(log: SectionLog | undefined, p: P): P =>
    p.line ? { ...p, line: streamLine(log, p.line) } : p;
  return {
    sha: c.sha,
    message: c.message,
    author_name: c.author_name,
    author_email: c.author_email,
    committed_at: c.committed_at,
    branch: c.branch,
    files: c.files,
    parents: c.parents,
    sessions: c.sessions.map((l) => {
      const log = logOf(l.session_id);
      return { session_id: l.session_id, position: at(log, l.position), since: l.since && at(log, l.since), reason: l.reason };
    }),
    replaces: c.replaces,
  };
}
