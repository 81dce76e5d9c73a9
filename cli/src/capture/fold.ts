// Folds the hooks' journal into the queue: each new commit is tagged with every session pending when it
// was made, with how far each transcript had got by then; amend/rebase rewrites move the links along.
import { existsSync } from "node:fs";
import type { Discover } from "../agents/spec.ts";
import type { CommitInfo, Git } from "../git/git.ts";
import { takeSnapshot } from "../queue/snapshot.ts";
import { type JournalEntry, takeJournal } from "../state/journal.ts";
import type { LocalCommit, SessionLink, State } from "../state/model.ts";
import type { StateStore } from "../state/store.ts";
import { scanFile, type TranscriptScan } from "../transcript/scan.ts";

/** Committer time has second resolution: anything stamped within that second counts as before the commit. */
const SAME_SECOND_MS = 999;
const KEEP_UPLOADED_COMMITS = 500;

export interface FoldResult {
  commits: string[];
  rewrites: number;
}

function mergeLinks(a: SessionLink[], b: SessionLink[]): SessionLink[] {
  const byId = new Map(a.map((l) => [l.session_id, l]));
  for (const link of b) if (!byId.has(link.session_id)) byId.set(link.session_id, link);
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

/** Each transcript scanned once per fold, for every commit time in it: a rebase of twenty commits reads a
 * 15 MB transcript once, not twenty times. */
type Scans = Map<string, TranscriptScan | null>;

async function scanSessions(state: State, times: number[]): Promise<Scans> {
  const stamps = times.map((t) => t + SAME_SECOND_MS);
  const scans: Scans = new Map();
  for (const s of Object.values(state.sessions)) {
    const exists = existsSync(s.data_path);
    s.data_seen ||= exists;
    scans.set(s.id, exists ? await scanFile(s.data_path, s.agent, stamps) : null);
  }
  return scans;
}

function linksAt(state: State, scans: Scans, time: number): SessionLink[] {
  const pending = Object.values(state.sessions).filter((s) => s.started_at <= time + SAME_SECOND_MS);
  return pending.map((s) => {
    const scan = scans.get(s.id);
    if (!scan) return { session_id: s.id, position: {} };
    const at = scan.positions.get(time + SAME_SECOND_MS);
    // A transcript with no timestamps at all: where it stands now is the best we know.
    const position = at && scan.last_at !== null ? at : { line: scan.message_count, byte: scan.byte_size, last_message_at: scan.last_at };
    return { session_id: s.id, position };
  });
}

async function applyEntry(
  state: State,
  git: Git,
  cache: InfoCache,
  scans: Scans,
  branch: string | null,
  entry: JournalEntry,
  log: (m: string) => void,
): Promise<"commit" | "rewrite" | null> {
  if (entry.kind === "commit") {
    if (state.commits[entry.sha] || state.uploaded_commits[entry.sha]) return null;
    const info = await commitInfo(git, entry.sha, cache);
    if (!info) {
      log(`capture: commit ${entry.sha} no longer exists; skipped`);
      return null;
    }
    const links = linksAt(state, scans, info.committed_at);
    if (links.length === 0) return null;
    state.commits[entry.sha] = toLocal(info, branch, links);
    return "commit";
  }
  const { from, to } = entry;
  const local = state.commits[from];
  const uploaded = state.uploaded_commits[from];
  if (!local && !uploaded) return null;
  const info = state.commits[to] ?? (await commitInfo(git, to, cache));
  if (!info) return null;
  const current = state.commits[to];
  // A commit may be partly on the backend (some sessions linked) and partly queued (the rest).
  const links = mergeLinks(current?.sessions ?? [], mergeLinks(local?.sessions ?? [], uploaded ?? []));
  // A commit already on the backend is replaced there; one that never left this machine just moves.
  const replaces = [...new Set([...(current?.replaces ?? []), ...(local?.replaces ?? []), ...(uploaded ? [from] : [])])];
  state.commits[to] = current
    ? { ...current, sessions: links, replaces }
    : toLocal(info as CommitInfo, local?.branch ?? branch, links, replaces);
  delete state.commits[from];
  return "rewrite";
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

const DISCOVERY_LOOKBACK_MS = 6 * 3600 * 1000;

export async function foldJournal(
  store: StateStore,
  stateDir: string,
  git: Git,
  log: (m: string) => void,
  discover?: Discover,
): Promise<FoldResult> {
  const result: FoldResult = { commits: [], rewrites: 0 };
  let journal: ReturnType<typeof takeJournal> | undefined;
  // The journal is let go only once the state holding its entries is on disk: a kill in between refolds them.
  const release = () => journal?.done();
  await store.update(async (state) => {
    journal = takeJournal(stateDir);
    if (store.recovered || journal.damaged) {
      journal.entries.unshift(...(await lostCommits(state, git)));
      log(`capture: ${store.recovered ? "state" : "journal"} was damaged; re-reading unpushed commits from git`);
    }
    if (journal.entries.length === 0) return;
    const branch = await git.branch();
    const cache: InfoCache = new Map();
    const infos = await Promise.all(journal.entries.flatMap((e) => (e.kind === "commit" ? [commitInfo(git, e.sha, cache)] : [])));
    const times = infos.flatMap((i) => (i ? [i.committed_at] : []));
    if (discover && times.length) discover(state, Math.min(...times) - DISCOVERY_LOOKBACK_MS);
    const scans = times.length ? await scanSessions(state, times) : new Map();
    // A rebase re-commits old work "now": its new commits inherit the old links rather than being tagged
    // with whatever sessions happen to be pending at rebase time.
    const rebased = new Set(journal.entries.flatMap((e) => (e.kind === "rewrite" && e.by === "rebase" ? [e.to] : [])));
    for (const entry of journal.entries) {
      if (entry.kind === "commit" && rebased.has(entry.sha)) continue;
      const applied = await applyEntry(state, git, cache, scans, branch, entry, log);
      if (applied === "commit" && entry.kind === "commit") result.commits.push(entry.sha);
      if (applied === "rewrite") result.rewrites++;
    }
    if (result.commits.length > 0) {
      for (const s of Object.values(state.sessions)) await takeSnapshot(stateDir, s.id, s.data_path, s.agent);
    }
  }, release);
  return result;
}

export function rememberUploaded(state: State, commits: LocalCommit[]) {
  for (const c of commits) state.uploaded_commits[c.sha] = mergeLinks(state.uploaded_commits[c.sha] ?? [], c.sessions);
  const shas = Object.keys(state.uploaded_commits);
  for (const sha of shas.slice(0, Math.max(0, shas.length - KEEP_UPLOADED_COMMITS))) delete state.uploaded_commits[sha];
}
