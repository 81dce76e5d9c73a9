// Whether a session is linked to a commit, decided from evidence rather than from time alone: when it was
// registered or resumed, whether it had ended, which files its tool calls edited against the files the
// commit changes, and whether it said anything new since its previous commit. Pure.
import type { LinkReason } from "@residue/protocol";
import type { Position } from "../state/model.ts";

/** A file a tool call edited (repo-relative) at a transcript line, and where the turn holding that call begins. */
export interface Edit {
  line: number;
  file: string;
  turn: Position;
}

/** What one read of a transcript shows, for every commit decided in a fold. */
export interface TranscriptEvidence {
  /** Lines holding a message (not bookkeeping records), ascending. */
  messageLines: number[];
  /** Ascending by line. */
  edits: Edit[];
}

export interface SessionView {
  /** From its registration or each resume (and where the transcript stood then) to its end, if it ended. */
  spans: { from: number; to: number | null; at: Position }[];
  last_link: { sha: string; position: Position } | null;
  /** Per file: the line up to which this session's edits of it went into a linked commit. */
  claimed: Record<string, number>;
}

export interface CommitFacts {
  sha: string;
  /** When it was made: one instant where the hook recorded milliseconds, else the whole second git records. */
  from: number;
  to: number;
  /** Repo-relative paths it changes. */
  files: string[];
}

export interface Decision {
  position: Position;
  since: Position;
  reason: LinkReason;
  /** The files whose edits this commit takes (all of them; the reason lists at most 50). */
  claims: string[];
}

const MAX_REASON_FILES = 50;

const earlier = (a: Position, b: Position) => (b.line < a.line ? b : a);
const later = (a: Position, b: Position) => (b.line > a.line ? b : a);

function countBetween(sorted: number[], after: number, upTo: number): number {
  let n = 0;
  for (const line of sorted) if (line > after && line <= upTo) n++;
  return n;
}

/**
 * `position` is where the transcript stood when the commit was made. A session with edits no commit has
 * taken yet is linked only when the commit changes one of those files (even with nothing new said: the
 * user split its work over commits); one that edited nothing is linked when it said something since its
 * previous commit (or its resume).
 */
export function decideLink(session: SessionView, evidence: TranscriptEvidence, commit: CommitFacts, position: Position): Decision | null {
  const span = session.spans.findLast((s) => commit.to >= s.from && (s.to === null || commit.from <= s.to));
  if (!span) return null;
  const resumed = span.at;
  const base = session.last_link ? later(resumed, session.last_link.position) : resumed;
  const unclaimed = evidence.edits.filter(
    (e) => e.line > resumed.line && e.line <= position.line && (session.claimed[e.file] ?? 0) < e.line,
  );
  const changed = new Set(commit.files);
  const matched = unclaimed.filter((e) => changed.has(e.file));
  const first = matched[0];
  if (first) {
    // An edit the previous commit's part already showed (the user split the work) reaches back to its turn.
    const since = first.line > base.line ? base : later(resumed, earlier(base, first.turn));
    const files = [...new Set(matched.map((e) => e.file))];
    return { position, since, reason: { kind: "files", files: files.slice(0, MAX_REASON_FILES) }, claims: files };
  }
  if (unclaimed.length > 0) return null;
  if (countBetween(evidence.messageLines, base.line, position.line) === 0) return null;
  return { position, since: base, reason: { kind: "messages", since_sha: session.last_link?.sha ?? null }, claims: [] };
}

/**
 * The files a commit changes that a session edited, no commit took, and then the session ended before the
 * commit was made. It is not linked (an ended session never is), but the person may have quit the agent and
 * committed its work afterwards: worth a word to them, once per edit.
 */
export function editsLeftAtEnd(session: SessionView, evidence: TranscriptEvidence, commit: CommitFacts): Edit[] {
  const last = session.spans.at(-1);
  if (!last || last.to === null || commit.from <= last.to) return [];
  const changed = new Set(commit.files);
  return evidence.edits.filter((e) => e.line > last.at.line && (session.claimed[e.file] ?? 0) < e.line && changed.has(e.file));
}

/** After a link: the next commit's part starts here, and the edits it matched are in a commit. */
export function advanceCursor(
  session: Pick<SessionView, "last_link" | "claimed">,
  sha: string,
  decision: Pick<Decision, "position" | "claims">,
): void {
  if (!session.last_link || decision.position.line >= session.last_link.position.line) {
    session.last_link = { sha, position: decision.position };
  }
  for (const file of decision.claims) session.claimed[file] = Math.max(session.claimed[file] ?? 0, decision.position.line);
}

/** Edits a hint was given for count as taken: the same edits are not brought up again by the next commit. */
export function claimEdits(session: Pick<SessionView, "claimed">, edits: Edit[]): void {
  for (const e of edits) session.claimed[e.file] = Math.max(session.claimed[e.file] ?? 0, e.line);
}
