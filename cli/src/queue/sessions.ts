// Registering agent sessions in the queue: start (or reopen) and end.
import { randomUUID } from "node:crypto";
import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Agent } from "@residue/formats";
import type { LocalSession, State } from "../state/model.ts";
import { firstTimestamp } from "../transcript/scan.ts";

export type { Agent };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An open session whose transcript has not changed for this long is over: its agent was killed or left. */
export const IDLE_MS = 6 * 3600 * 1000;

function fileStat(path: string): { size: number; mtime: number } | null {
  try {
    const s = statSync(path);
    return { size: s.size, mtime: s.mtimeMs };
  } catch {
    return null;
  }
}

const MAX_SPANS = 20;

/** A session's spans; entries from before spans were kept had one, from its start to its end. */
export function spansOf(s: LocalSession): LocalSession["spans"] {
  return s.spans.length ? s.spans : [{ from: s.started_at, byte: 0, to: s.ended_at }];
}

function closeSpan(s: LocalSession, at: number) {
  s.spans = spansOf(s).map((span, i, all) => (i === all.length - 1 && span.to === null ? { ...span, to: at } : span));
}

export function canonicalPath(path: string, cwd: string) {
  const absolute = resolve(cwd, path);
  try {
    return existsSync(absolute) ? realpathSync(absolute) : absolute;
  } catch {
    return absolute;
  }
}

export function findSession(state: State, key: string): LocalSession | undefined {
  const lower = key.toLowerCase();
  return Object.values(state.sessions).find((s) => s.id === lower || s.agent_session_id === key || s.data_path === key);
}

export interface StartInput {
  agent: Agent;
  dataPath: string;
  cwd: string;
  agentSessionId?: string;
  agentVersion?: string;
  now: number;
  /** Found without a signal from the agent (discovery, an end with no start): all of it counts, not what follows. */
  whole?: boolean;
}

/** How many forgotten sessions are remembered: enough for any queue, bounded for a state file read on every hook. */
const MAX_FORGOTTEN = 1000;

function isForgotten(state: State, input: StartInput): boolean {
  return state.forgotten.some(
    (f) => f.data_path === input.dataPath || (input.agentSessionId !== undefined && f.agent_session_id === input.agentSessionId),
  );
}

/**
 * Takes a session back: it leaves the queue and the commits waiting to be linked, and is remembered so the
 * agent's next hook does not register it again. Returns what was dropped (nothing if no session matches).
 */
export function forgetSession(state: State, key: string, now: number): LocalSession | null {
  const session = findSession(state, key);
  if (!session) return null;
  delete state.sessions[session.id];
  for (const c of Object.values(state.commits)) c.sessions = c.sessions.filter((l) => l.session_id !== session.id);
  for (const [sha, links] of Object.entries(state.uploaded_commits)) {
    state.uploaded_commits[sha] = links.filter((l) => l.session_id !== session.id);
  }
  const entry = { id: session.id, agent_session_id: session.agent_session_id, data_path: session.data_path, at: now };
  state.forgotten = [...state.forgotten.filter((f) => f.id !== session.id), entry].slice(-MAX_FORGOTTEN);
  return session;
}

/**
 * The same transcript path (or agent session id) reopens its session instead of making a second one. A
 * forgotten session is not registered again: `session` is null then.
 */
export function startSession(state: State, input: StartInput): { session: LocalSession | null; reopened: boolean } {
  if (isForgotten(state, input)) return { session: null, reopened: false };
  const existing = Object.values(state.sessions).find(
    (s) =>
      s.data_path === input.dataPath || (input.agentSessionId && s.agent_session_id === input.agentSessionId && s.agent === input.agent),
  );
  const file = fileStat(input.dataPath);
  if (existing) {
    // Agents register again each turn (Codex's Stop, Gemini's AfterAgent): only a start after an end or a
    // long silence is a resume, from which on (and with what it says from here) it counts again.
    const idle = existing.status === "open" && file !== null && input.now - file.mtime > IDLE_MS;
    if (!input.whole && (existing.status === "ended" || idle)) {
      if (idle) closeSpan(existing, Math.floor(file.mtime));
      existing.spans = [...spansOf(existing), { from: input.now, byte: file?.size ?? 0, to: null }].slice(-MAX_SPANS);
    }
    existing.status = "open";
    existing.ended_at = null;
    existing.data_path = input.dataPath;
    existing.data_seen ||= existsSync(input.dataPath);
    if (input.agentVersion) existing.agent_version = input.agentVersion;
    return { session: existing, reopened: true };
  }
  const id = input.agentSessionId && UUID.test(input.agentSessionId) ? input.agentSessionId.toLowerCase() : randomUUID();
  // A conversation registered late began at its first message, not when residue heard of it.
  const first = firstTimestamp(input.dataPath);
  const started_at = first !== null && first < input.now ? first : input.now;
  // A transcript last written long ago is an old conversation resumed now (its earlier part may be on the
  // backend already): only what follows counts. A recent one is a live conversation registered late.
  const resumedOld = !input.whole && file !== null && input.now - file.mtime > IDLE_MS;
  const session: LocalSession = {
    id,
    agent: input.agent,
    agent_version: input.agentVersion ?? null,
    agent_session_id: input.agentSessionId ?? null,
    data_path: input.dataPath,
    cwd: input.cwd,
    status: "open",
    started_at,
    ended_at: null,
    uploaded_hash: null,
    uploaded_status: null,
    indexed_hash: null,
    data_seen: file !== null,
    spans: [resumedOld ? { from: input.now, byte: file?.size ?? 0, to: null } : { from: started_at, byte: 0, to: null }],
    last_link: null,
    claimed: {},
  };
  state.sessions[id] = session;
  return { session, reopened: false };
}

export function endSession(state: State, key: string, now: number): LocalSession | null {
  const session = findSession(state, key);
  if (!session) return null;
  session.status = "ended";
  session.ended_at = now;
  closeSpan(session, now);
  return session;
}

/**
 * Agents killed hard never send an end: an open session whose transcript has not changed for `idleMs`
 * is ended as of its last change.
 */
export function sweepIdle(state: State, lastChange: (path: string) => number | null, now: number, idleMs: number): string[] {
  const ended: string[] = [];
  for (const s of Object.values(state.sessions)) {
    if (s.status !== "open") continue;
    const changed = Math.floor(lastChange(s.data_path) ?? s.started_at);
    if (now - Math.max(changed, s.started_at) > idleMs) {
      s.status = "ended";
      s.ended_at = Math.max(changed, s.started_at);
      closeSpan(s, s.ended_at);
      ended.push(s.id);
    }
  }
  return ended;
}
