// Folds the hooks' journal into the queue: each new commit, in the order its parents give, is linked to the
// sessions the evidence points at (link-evidence.ts); amend/rebase rewrites move the links along. The state
// lock is never held while transcripts are read or compressed: the journal and a copy of the state are
// taken under it, transcripts are read and links decided without it, and the decisions are applied under
// it to the state as it is by then (commits or sessions that changed meanwhile are checked again).
import { createReadStream, existsSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { createGunzip } from "node:zlib";
import type { Discover } from "../agents/spec.ts";
import type { CommitInfo, Git } from "../git/git.ts";
import { hookInstalledAt } from "../hooks/install.ts";
import { mainLine, type SectionLog } from "../queue/section-log.ts";
import { spansOf } from "../queue/sessions.ts";
import { readSnapshot, takeSnapshot } from "../queue/snapshot.ts";
import type { RepoContext } from "../repo/context.ts";
import { type CommitEntry, type JournalEntry, takeJournal } from "../state/journal.ts";
import type { LocalCommit, LocalSession, Notice, Position, SessionLink, State } from "../state/model.ts";
import { addNotice } from "../state/notices.ts";
import { evidenceCollector } from "../transcript/evidence.ts";
import { scanTranscript } from "../transcript/scan.ts";
import {
  advanceCursor,
  type CommitFacts,
  claimEdits,
  type Decision,
  decideLink,
  type Edit,
  editsLeftAtEnd,
  type SessionView,
  type TranscriptEvidence,
} from "./link-evidence.ts";

/** Committer time has second resolution: anything stamped within that second may come before the commit. */
const SAME_SECOND_MS = 999;
const KEEP_UPLOADED_COMMITS = 500;

export interface FoldResult {
  commits: string[];
  rewrites: number;
}

const laterPosition = (a: Partial<Position>, b: Partial<Position>) => ((b.line ?? -1) > (a.line ?? -1) ? b : a);

/** One session's links to one commit, made twice (amend, or a commit both queued and uploaded), as one: the wider part, every reason. */
function combine(a: SessionLink, b: SessionLink): SessionLink {
  const since = a.since && b.since ? (laterPosition(a.since, b.since) === a.since ? b.since : a.since) : (a.since ?? b.since);
  const files = [a.reason, b.reason].flatMap((r) => (r?.kind === "files" ? r.files : []));
  const reason = files.length ? { kind: "files" as const, files: [...new Set(files)].slice(0, 50) } : (a.reason ?? b.reason);
  return { ...a, position: laterPosition(a.position, b.position), since, reason };
}

function mergeLinks(a: SessionLink[], b: SessionLink[]): SessionLink[] {
  const byId = new Map(a.map((l) => [l.session_id, l]));
  for (const link of b) {
    const existing = byId.get(link.session_id);
    byId.set(link.session_id, existing ? combine(existing, link) : link);
  }
  return [...byId.values()];
}

function toLocal(info: CommitInfo, branch: string | null, sessions: SessionLink[], replaces: string[] = []): LocalCommit {
  return { ...info, branch, sessions, replaces };
}

type InfoCache = Map<string, Promise<CommitInfo | null>>;

/** Each commit is read from git once per fold, however many steps ask. */
function commitInfo(git: Git, sha: string, cache: InfoCache): Promise<CommitInfo | null> {
  let info = cache.get(sha);
  if (!info) {
    info = git.commitExists(sha).then((exists) => (exists ? git.commitInfo(sha) : null));
    cache.set(sha, info);
  }
  return info;
}

/**
 * Parents before children, whatever the journal's order or the commits' times (several commits may share
 * one second); a rewrite after both its commits. Ties keep the journal's order.
 */
export function topological(entries: JournalEntry[], parentsOf: (entry: CommitEntry) => string[]): JournalEntry[] {
  const commitAt = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.kind === "commit" && !commitAt.has(e.sha)) commitAt.set(e.sha, i);
  });
  const needs = entries.map((e) =>
    (e.kind === "commit" ? parentsOf(e) : [e.from, e.to]).flatMap((sha) => {
      const at = commitAt.get(sha);
      return at === undefined || (e.kind === "commit" && e.sha === sha) ? [] : [at];
    }),
  );
  const done = new Set<number>();
  const order: JournalEntry[] = [];
  while (order.length < entries.length) {
    const ready = entries.findIndex((_, i) => !done.has(i) && (needs[i] ?? []).every((n) => done.has(n)));
    // Only a journal naming a cycle (hand-edited) gets here: the rest keeps its order.
    const next = ready === -1 ? entries.findIndex((_, i) => !done.has(i)) : ready;
    done.add(next);
    order.push(entries[next] as JournalEntry);
  }
  return order;
}

/**
 * When a commit was made: git's committer second, placed to the millisecond by the hook's wall time when
 * that falls inside it. A committer date set apart from the clock (scripts, imports, replayed history)
 * is what the commit claims, and wins.
 */
function commitTime(entry: CommitEntry, info: CommitInfo): { from: number; to: number } {
  const second = info.committed_at;
  if (entry.precise && entry.at !== undefined && entry.at >= second && entry.at <= second + SAME_SECOND_MS) {
    return { from: entry.at, to: entry.at };
  }
  return { from: second, to: second + SAME_SECOND_MS };
}

interface Reading {
  evidence: TranscriptEvidence;
  positionAt(time: number): Position;
  /** Where the transcript stood at a byte offset (a span's start). */
  positionAtByte(byte: number): Position;
}

/** Paths as an agent wrote them (absolute, or relative to its directory) → repo-relative, or null outside the repo. */
function repoPaths(top: string, cwd: string): (path: string) => string | null {
  const tops = [top];
  try {
    tops.push(realpathSync(top));
  } catch {
    // the repo top always exists; a failure here only loses the symlink-resolved spelling
  }
  return (path) => {
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    for (const t of tops) {
      const rel = relative(t, absolute);
      if (rel && !rel.startsWith("..") && !isAbsolute(rel)) return rel;
    }
    return null;
  };
}

/** One pass over a transcript (or, once the agent deleted it, the snapshot kept of it) for every commit time in this fold. */
async function readTranscript(stateDir: string, top: string, s: LocalSession, times: number[]): Promise<Reading | null> {
  const snapshot = existsSync(s.data_path) ? null : readSnapshot(stateDir, s.id);
  if (!existsSync(s.data_path) && !snapshot) return null;
  const source = snapshot ? createReadStream(snapshot.gzipPath).pipe(createGunzip()) : createReadStream(s.data_path);
  const collector = evidenceCollector(
    s.agent,
    repoPaths(top, s.cwd),
    spansOf(s).map((span) => span.byte),
  );
  const scan = await scanTranscript(source, s.agent, times, collector.observe);
  const end: Position = { line: scan.last_line, byte: scan.byte_size, last_message_at: scan.last_at };
  const { evidence, atBytes } = collector.finish(end);
  const reading: Reading = {
    evidence,
    // A transcript with no timestamps at all: where it stands now is the best we know.
    positionAt: (time) => (scan.last_at === null ? end : (scan.positions.get(time) ?? end)),
    positionAtByte: (byte) => atBytes.get(byte) ?? end,
  };
  return snapshot?.meta.sections ? inMainLines(reading, snapshot.meta.sections) : reading;
}

/**
 * A reading of the kept snapshot counts the stored stream's lines, while links (and the cursors they move) count
 * the main file's, as a reading of the transcript does: its lines are mapped back, so a link is translated to
 * the stream once, when it is posted.
 */
function inMainLines(reading: Reading, log: SectionLog): Reading {
  const at = (p: Position): Position => ({ ...p, line: mainLine(log, p.line) });
  const { messageLines, edits } = reading.evidence;
  return {
    evidence: {
      messageLines: messageLines.map((line) => mainLine(log, line)),
      edits: edits.map((e) => ({ ...e, line: mainLine(log, e.line), turn: at(e.turn) })),
    },
    positionAt: (time) => at(reading.positionAt(time)),
    positionAtByte: (byte) => at(reading.positionAtByte(byte)),
  };
}

function sessionView(s: LocalSession, reading: Reading): SessionView {
  return {
    spans: spansOf(s).map((span) => ({ from: span.from, to: span.to, at: reading.positionAtByte(span.byte) })),
    last_link: s.last_link,
    claimed: s.claimed,
  };
}

/** A decision to apply: the link to post, and how it moves the session's cursor. */
type Planned = { link: SessionLink; decision: Decision };

function decide(state: State, readings: Map<string, Reading | null>, facts: CommitFacts): Planned[] {
  return Object.values(state.sessions).flatMap((s) => {
    const reading = readings.get(s.id);
    if (!reading) return [];
    const decision = decideLink(sessionView(s, reading), reading.evidence, facts, reading.positionAt(facts.to));
    if (!decision) return [];
    return [{ link: { session_id: s.id, position: decision.position, since: decision.since, reason: decision.reason }, decision }];
  });
}

/** Sessions that ended before the commit with edits of its files no commit took: said, never linked. */
type Hint = { session: LocalSession; edits: Edit[] };

function hintsFor(state: State, readings: Map<string, Reading | null>, facts: CommitFacts, linked: Planned[]): Hint[] {
  return Object.values(state.sessions).flatMap((s) => {
    const reading = readings.get(s.id);
    if (!reading || linked.some((p) => p.link.session_id === s.id)) return [];
    const edits = editsLeftAtEnd(sessionView(s, reading), reading.evidence, facts);
    return edits.length ? [{ session: s, edits }] : [];
  });
}

function hintNotice(sha: string, hint: Hint, at: number): Notice {
  const files = [...new Set(hint.edits.map((e) => e.file))];
  const named = files.length > 2 ? `${files.slice(0, 2).join(", ")} and ${files.length - 2} more` : files.join(", ");
  const [short, id] = [sha.slice(0, 7), hint.session.id.slice(0, 8)];
  return {
    key: `ended-edits:${sha}:${hint.session.id}`,
    message: `commit ${short} changes ${named}, edited by ${hint.session.agent} session ${id}, which had ended before the commit, so it is not linked; if the commit came from that conversation, run \`residue link ${short} ${id}\` after pushing`,
    at,
  };
}

/** A commit linked before: its links move the cursors on as deciding it did (the reason's files are what it took). */
function replay(state: State, commit: LocalCommit) {
  for (const link of commit.sessions) {
    const s = state.sessions[link.session_id];
    const { line, byte, last_message_at } = link.position;
    if (!s || line === undefined || byte === undefined) continue;
    const claims = link.reason?.kind === "files" ? link.reason.files : [];
    advanceCursor(s, commit.sha, { position: { line, byte, last_message_at: last_message_at ?? null }, claims });
  }
}

/** Links the commit with the planned links whose session is still queued; the cursors of those sessions move on. */
function applyCommit(state: State, info: CommitInfo, branch: string | null, planned: Planned[]): boolean {
  if (state.commits[info.sha] || state.uploaded_commits[info.sha]) return false;
  const kept = planned.filter((p) => state.sessions[p.link.session_id]);
  if (kept.length === 0) return false;
  state.commits[info.sha] = toLocal(
    info,
    branch,
    kept.map((p) => p.link),
  );
  for (const p of kept) {
    const s = state.sessions[p.link.session_id] as LocalSession;
    advanceCursor(s, info.sha, p.decision);
  }
  return true;
}

function applyRewrite(
  state: State,
  entry: Extract<JournalEntry, { kind: "rewrite" }>,
  info: CommitInfo | null,
  branch: string | null,
): boolean {
  const { from, to } = entry;
  const local = state.commits[from];
  const uploaded = state.uploaded_commits[from];
  if ((!local && !uploaded) || !info) return false;
  const current = state.commits[to];
  // A commit may be partly on the backend (some sessions linked) and partly queued (the rest).
  const links = mergeLinks(current?.sessions ?? [], mergeLinks(local?.sessions ?? [], uploaded ?? []));
  // A commit already on the backend is replaced there; one that never left this machine just moves.
  const replaces = [...new Set([...(current?.replaces ?? []), ...(local?.replaces ?? []), ...(uploaded ? [from] : [])])];
  state.commits[to] = current ? { ...current, sessions: links, replaces } : toLocal(info, local?.branch ?? branch, links, replaces);
  delete state.commits[from];
  for (const s of Object.values(state.sessions)) if (s.last_link?.sha === from) s.last_link = { ...s.last_link, sha: to };
  return true;
}

/**
 * After a damaged state file or journal, commits they held may be gone with them. Every commit not yet pushed and made
 * since the oldest recovered session began is journaled again; those the state still has are skipped.
 */
async function lostCommits(state: State, git: Git): Promise<JournalEntry[]> {
  const starts = Object.values(state.sessions).map((s) => s.started_at);
  if (starts.length === 0) return [];
  // From the second after the first start: a commit made in that same second more likely came just before.
  const shas = await git.unpushedSince(Math.min(...starts) + 1000);
  return shas.map((sha) => ({ kind: "commit", sha }));
}

/**
 * Commits made while the post-commit hook was installed that no journal line names: git ran with hooks
 * switched off (Gemini CLI's shell tool empties core.hooksPath for the commands it runs). They are read from
 * git, unpushed and made after both the hook's installation and the oldest queued session's start, and
 * decided like any other, once.
 */
async function unjournaledCommits(state: State, git: Git, entries: JournalEntry[]): Promise<JournalEntry[]> {
  const starts = Object.values(state.sessions).map((s) => s.started_at);
  if (starts.length === 0) return [];
  const installed = hookInstalledAt(await git.hooksDir(), "post-commit");
  if (installed === null) return [];
  const known = new Set([
    ...Object.keys(state.commits),
    ...Object.keys(state.uploaded_commits),
    ...state.unlinked_commits,
    ...entries.flatMap((e) => (e.kind === "commit" ? [e.sha] : [e.from, e.to])),
  ]);
  // Without the hook's millisecond only git's second is known: a commit in the hook's own second may have come
  // before it; one in the second a session began is the evidence's to decide.
  const shas = await git.unpushedSince(Math.max(Math.floor(Math.min(...starts) / 1000) * 1000, installed + 1000));
  return shas.filter((sha) => !known.has(sha)).map((sha) => ({ kind: "commit", sha }));
}

const KEEP_UNLINKED_COMMITS = 1000;

const DISCOVERY_LOOKBACK_MS = 6 * 3600 * 1000;

export async function foldJournal(ctx: RepoContext, log: (m: string) => void, discover?: Discover): Promise<FoldResult> {
  const { store, stateDir, git } = ctx;
  const result: FoldResult = { commits: [], rewrites: 0 };
  const { journal, state, recovered } = await store.inspect((s) => ({
    journal: takeJournal(stateDir),
    state: structuredClone(s),
    recovered: store.recovered,
  }));
  if (recovered || journal.damaged) {
    journal.entries.unshift(...(await lostCommits(state, git)));
    log(`capture: ${recovered ? "state" : "journal"} was damaged; re-reading unpushed commits from git`);
    // The sessions' cursors may stand past commits lost with the damage: they are walked again from the
    // start, through the commits still held (replay) and those re-read from git (decided anew).
    for (const session of Object.values(state.sessions)) Object.assign(session, { last_link: null, claimed: {} });
  }
  journal.entries.push(...(await unjournaledCommits(state, git, journal.entries)));
  if (journal.entries.length === 0) {
    journal.done();
    return result;
  }

  // Unlocked: git, discovery, transcripts, decisions, all on the copy.
  const branch = await git.branch();
  const top = (await git.topLevel()) ?? git.cwd;
  const cache: InfoCache = new Map();
  const shas = journal.entries.flatMap((e) => (e.kind === "commit" ? [e.sha] : [e.to]));
  const infos = new Map(await Promise.all(shas.map(async (sha) => [sha, await commitInfo(git, sha, cache)] as const)));
  const ordered = topological(journal.entries, (e) => e.parents ?? infos.get(e.sha)?.parents ?? []);
  // A rebase re-commits old work "now": its new commits inherit the old links rather than being tagged
  // with whatever sessions happen to be pending at rebase time.
  const rebased = new Set(journal.entries.flatMap((e) => (e.kind === "rewrite" && e.by === "rebase" ? [e.to] : [])));
  const facts = new Map<string, CommitFacts>();
  for (const e of ordered) {
    const info = e.kind === "commit" && !rebased.has(e.sha) ? infos.get(e.sha) : null;
    if (e.kind === "commit" && info && !facts.has(e.sha))
      facts.set(e.sha, { sha: e.sha, ...commitTime(e, info), files: info.files.map((f) => f.path) });
  }
  const known = new Set(Object.keys(state.sessions));
  const times = [...facts.values()].map((f) => f.to);
  if (discover && times.length) discover(state, Math.min(...times) - DISCOVERY_LOOKBACK_MS);
  const readings = new Map<string, Reading | null>();
  for (const s of times.length ? Object.values(state.sessions) : []) {
    // A transcript that cannot be read gives no evidence; the sync says what is wrong with it.
    const reading = await readTranscript(stateDir, top, s, times).catch((error: Error) => {
      log(`capture: ${s.id}: cannot read ${s.data_path} (${error.message}); not linked to these commits`);
      return null;
    });
    readings.set(s.id, reading);
  }
  const plan = new Map<string, Planned[]>();
  const hints = new Map<string, Hint[]>();
  for (const e of ordered) {
    const info = infos.get(e.kind === "commit" ? e.sha : e.to) ?? null;
    const f = e.kind === "commit" ? facts.get(e.sha) : undefined;
    if (e.kind === "rewrite") applyRewrite(state, e, info, branch);
    else if (state.commits[e.sha] && !plan.has(e.sha)) replay(state, state.commits[e.sha] as LocalCommit);
    else if (f && info && !plan.has(e.sha) && !state.uploaded_commits[e.sha]) {
      // Decided once, at its first entry: `residue capture` journals HEAD again after the hook did.
      const planned = decide(state, readings, f);
      const hinted = hintsFor(state, readings, f, planned);
      for (const h of hinted) claimEdits(h.session, h.edits);
      plan.set(e.sha, planned);
      hints.set(e.sha, hinted);
      applyCommit(state, info, branch, planned);
    }
  }

  // Locked again, briefly: the decisions applied to the state as it is now.
  await store.update(
    (latest) => {
      for (const s of Object.values(state.sessions)) {
        if (!known.has(s.id) && !Object.values(latest.sessions).some((l) => l.data_path === s.data_path)) latest.sessions[s.id] = s;
        const current = latest.sessions[s.id];
        if (current && readings.get(s.id)) current.data_seen = true;
      }
      for (const e of ordered) {
        const info = infos.get(e.kind === "commit" ? e.sha : e.to) ?? null;
        if (e.kind === "rewrite") {
          if (applyRewrite(latest, e, info, branch)) result.rewrites++;
        } else if (!info) {
          if (!rebased.has(e.sha)) log(`capture: commit ${e.sha} no longer exists; skipped`);
        } else if (plan.has(e.sha)) {
          if (applyCommit(latest, info, branch, plan.get(e.sha) ?? [])) result.commits.push(e.sha);
          else if (!latest.commits[e.sha] && !latest.unlinked_commits.includes(e.sha))
            latest.unlinked_commits = [...latest.unlinked_commits, e.sha].slice(-KEEP_UNLINKED_COMMITS);
          for (const hint of hints.get(e.sha) ?? []) {
            const current = latest.sessions[hint.session.id];
            if (!current) continue;
            claimEdits(current, hint.edits);
            addNotice(latest, hintNotice(e.sha, hint, info.committed_at));
          }
        }
      }
    },
    () => journal.done(),
  );
  if (result.commits.length > 0) {
    // The commits are folded already: a snapshot that cannot be taken now (unreadable rules or transcript) is
    // taken again by the push, which reports it.
    try {
      const control = ctx.control();
      for (const s of Object.values(store.peek().sessions)) await takeSnapshot(stateDir, s.id, s.data_path, s.agent, control);
    } catch (error) {
      log(`fold: snapshots not taken: ${(error as Error).message}`);
    }
  }
  return result;
}

export function rememberUploaded(state: State, commits: LocalCommit[]) {
  for (const c of commits) state.uploaded_commits[c.sha] = mergeLinks(state.uploaded_commits[c.sha] ?? [], c.sessions);
  const shas = Object.keys(state.uploaded_commits);
  for (const sha of shas.slice(0, Math.max(0, shas.length - KEEP_UPLOADED_COMMITS))) delete state.uploaded_commits[sha];
}
