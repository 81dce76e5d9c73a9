// `residue hook <agent>`: the agents' lifecycle hooks (Claude Code, Codex and Gemini CLI share the payload
// shape). Prints nothing on stdout (SessionStart output is injected into the model's context) and never
// fails the agent.
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { type Control, ignoredBy } from "../config/control.ts";
import { type Agent, endSession, findSession, forgetSession, startSession } from "../queue/sessions.ts";
import { dropSnapshot, takeSnapshot } from "../queue/snapshot.ts";
import type { RepoContext } from "../repo/context.ts";
import type { State } from "../state/model.ts";
import { HookPayload } from "./hook-payload.ts";
import { AGENT_SPECS } from "./index.ts";
import type { HookPolicy } from "./spec.ts";

/** How soon after a `startup` a `resume` can prove that startup was only the resume's prelude. */
const PRELUDE_WINDOW_MS = 5 * 60 * 1000;

/** Whether the transcript holds any message at all (a prelude or an abandoned start holds none). */
export async function hasConversation(agent: Agent, path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const { isMessageLine } = AGENT_SPECS[agent].format;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (isMessageLine(line)) {
      lines.close();
      return true;
    }
  }
  return false;
}

/**
 * On `claude --resume`, Claude Code first fires a `startup` with a fresh id and an empty transcript and
 * never ends it; the `resume` that follows names the real conversation. Drop such empty prelude sessions.
 */
async function dropResumePreludes(state: State, agent: Agent, keepAgentId: string, now: number): Promise<string[]> {
  const dropped: string[] = [];
  for (const s of Object.values(state.sessions)) {
    if (s.agent !== agent || s.agent_session_id === keepAgentId || s.status !== "open" || now - s.started_at > PRELUDE_WINDOW_MS) continue;
    if (!(await hasConversation(agent, s.data_path))) {
      delete state.sessions[s.id];
      dropped.push(s.id);
    }
  }
  return dropped;
}

export interface HookOutcome {
  stateDir: string | null;
  message: string;
}

async function onStart(ctx: RepoContext, agent: Agent, policy: HookPolicy, p: HookPayload, now: () => number) {
  return ctx.store.update(async (state) => {
    const dropped = policy.dropResumePreludes && p.source === "resume" ? await dropResumePreludes(state, agent, p.session_id, now()) : [];
    const started = startSession(state, { agent, dataPath: p.transcript_path, cwd: p.cwd, agentSessionId: p.session_id, now: now() });
    return { session: started.session, dropped };
  });
}

async function onEnd(ctx: RepoContext, agent: Agent, p: HookPayload, now: () => number, control: Control) {
  const hasData = await hasConversation(agent, p.transcript_path);
  const session = await ctx.store.update((state) => {
    const found = findSession(state, p.session_id) ?? findSession(state, p.transcript_path);
    // Nothing was said: queue nothing rather than an empty session.
    if (found && !hasData && found.uploaded_hash === null) {
      delete state.sessions[found.id];
      return null;
    }
    if (found) return endSession(state, found.id, now());
    if (!hasData) return null;
    // An end with no start (the hook was installed mid-session): record it whole.
    const started = startSession(state, {
      agent,
      dataPath: p.transcript_path,
      cwd: p.cwd,
      agentSessionId: p.session_id,
      now: now(),
      whole: true,
    });
    return started.session && endSession(state, started.session.id, now());
  });
  if (session) await takeSnapshot(ctx.stateDir, session.id, session.data_path, session.agent, control);
  return session;
}

export async function handleAgentHook(
  agent: Agent,
  stdin: string,
  now: () => number,
  open: (cwd: string) => Promise<RepoContext>,
): Promise<HookOutcome> {
  const name = `hook ${agent}`;
  const policy = AGENT_SPECS[agent].hooks;
  if (!policy) return { stateDir: null, message: `${name}: ${agent} has no hooks; ignored` };
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch {
    return { stateDir: null, message: `${name}: stdin is not JSON (${stdin.length} bytes); ignored` };
  }
  const parsed = HookPayload.safeParse(raw);
  if (!parsed.success) {
    return { stateDir: null, message: `${name}: payload lacks ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}; ignored` };
  }
  const p = parsed.data;
  if (!existsSync(p.cwd)) return { stateDir: null, message: `${name}: cwd ${p.cwd} does not exist; ignored` };
  let ctx: RepoContext;
  try {
    ctx = await open(p.cwd);
  } catch {
    return { stateDir: null, message: `${name}: ${p.cwd} is not in a git repository; ignored` };
  }
  // Unsure what the user excluded (a broken config), nothing is recorded: an end hook records it whole once fixed.
  let control: Control;
  try {
    control = ctx.control();
  } catch (error) {
    return { stateDir: ctx.stateDir, message: `${name}: ${p.session_id} not recorded: ${(error as Error).message}` };
  }
  const ignored = ignoredBy(control, p.cwd);
  if (ignored) {
    // Queued before the path was ignored (a team's .residue.json just pulled): taken back, as if never recorded.
    const forgotten = await ctx.store.update((state) => {
      const queued = findSession(state, p.session_id) ?? findSession(state, p.transcript_path);
      return queued ? forgetSession(state, queued.id, now()) : null;
    });
    if (forgotten) dropSnapshot(ctx.stateDir, forgotten.id);
    const also = forgotten ? `; forgot queued session ${forgotten.id}` : "";
    return { stateDir: ctx.stateDir, message: `${name}: ${p.cwd} is ignored (${ignored.entry} in ${ignored.file}); not recorded${also}` };
  }
  if (policy.start.includes(p.hook_event_name)) {
    const { session, dropped } = await onStart(ctx, agent, policy, p, now);
    if (!session) return { stateDir: ctx.stateDir, message: `${name}: ${p.session_id} was forgotten (residue forget); not recorded` };
    const extra = dropped.length ? `; dropped empty resume prelude ${dropped.join(", ")}` : "";
    return { stateDir: ctx.stateDir, message: `${name}: ${p.hook_event_name} (${p.source ?? "-"}) → ${session.id}${extra}` };
  }
  if (policy.end.includes(p.hook_event_name)) {
    const session = await onEnd(ctx, agent, p, now, control);
    if (!session)
      return { stateDir: ctx.stateDir, message: `${name}: ${p.hook_event_name} ${p.session_id} had no conversation; nothing queued` };
    return { stateDir: ctx.stateDir, message: `${name}: ${p.hook_event_name} (${p.reason ?? "-"}) → ${session.id}` };
  }
  return { stateDir: ctx.stateDir, message: `${name}: ${p.hook_event_name} ignored` };
}
