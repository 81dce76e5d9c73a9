// `residue hook claude-code`: Claude Code's SessionStart/SessionEnd hooks. Prints nothing on stdout
// (SessionStart output is injected into the model's context) and never fails the agent.
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { type Agent, endSession, findSession, startSession } from "../../queue/sessions.ts";
import { takeSnapshot } from "../../queue/snapshot.ts";
import { openRepo } from "../../repo/context.ts";
import type { State } from "../../state/model.ts";
import { HookPayload } from "./payload.ts";

const AGENT: Agent = "claude-code";
/** How soon after a `startup` a `resume` can prove that startup was only the resume's prelude. */
const GHOST_WINDOW_MS = 5 * 60 * 1000;

/** Whether the transcript holds any user or assistant message (a ghost startup holds none). */
export async function hasConversation(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (/"type"\s*:\s*"(user|assistant)"/.test(line)) {
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
async function dropResumePreludes(state: State, keepAgentId: string, now: number): Promise<string[]> {
  const dropped: string[] = [];
  for (const s of Object.values(state.sessions)) {
    if (s.agent !== AGENT || s.agent_session_id === keepAgentId || s.status !== "open" || now - s.started_at > GHOST_WINDOW_MS) continue;
    if (!(await hasConversation(s.data_path))) {
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

export async function handleClaudeCodeHook(stdin: string, now: () => number): Promise<HookOutcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch {
    return { stateDir: null, message: `hook claude-code: stdin is not JSON (${stdin.length} bytes); ignored` };
  }
  const parsed = HookPayload.safeParse(raw);
  if (!parsed.success) {
    return {
      stateDir: null,
      message: `hook claude-code: payload lacks ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}; ignored`,
    };
  }
  const p = parsed.data;
  if (!existsSync(p.cwd)) return { stateDir: null, message: `hook claude-code: cwd ${p.cwd} does not exist; ignored` };
  let ctx: Awaited<ReturnType<typeof openRepo>>;
  try {
    ctx = await openRepo(p.cwd, now);
  } catch {
    return { stateDir: null, message: `hook claude-code: ${p.cwd} is not in a git repository; ignored` };
  }

  if (p.hook_event_name === "SessionStart") {
    const { session, dropped } = await ctx.store.update(async (state) => {
      const dropped = p.source === "resume" ? await dropResumePreludes(state, p.session_id, now()) : [];
      const started = startSession(state, {
        agent: AGENT,
        dataPath: p.transcript_path,
        cwd: p.cwd,
        agentSessionId: p.session_id,
        now: now(),
      });
      return { session: started.session, dropped };
    });
    const extra = dropped.length ? `; dropped empty resume prelude ${dropped.join(", ")}` : "";
    return { stateDir: ctx.stateDir, message: `hook claude-code: SessionStart (${p.source ?? "?"}) → ${session.id}${extra}` };
  }

  if (p.hook_event_name === "SessionEnd") {
    const hasData = await hasConversation(p.transcript_path);
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
        agent: AGENT,
        dataPath: p.transcript_path,
        cwd: p.cwd,
        agentSessionId: p.session_id,
        now: now(),
      });
      return endSession(state, started.session.id, now());
    });
    if (!session)
      return { stateDir: ctx.stateDir, message: `hook claude-code: SessionEnd ${p.session_id} had no conversation; nothing queued` };
    await takeSnapshot(ctx.stateDir, session.id, session.data_path, session.agent);
    return { stateDir: ctx.stateDir, message: `hook claude-code: SessionEnd (${p.reason ?? "?"}) → ${session.id}` };
  }
  return { stateDir: ctx.stateDir, message: `hook claude-code: ${p.hook_event_name} ignored` };
}
