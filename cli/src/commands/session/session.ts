import { AGENTS } from "../../../../api/src/protocol/schemas.ts";
import type { Deps } from "../../deps.ts";
import { type Agent, canonicalPath, endSession, startSession } from "../../queue/sessions.ts";
import { takeSnapshot } from "../../queue/snapshot.ts";
import { openRepo } from "../../repo/context.ts";
import { UserError } from "../errors.ts";

export interface SessionStartOptions {
  agent: string;
  data: string;
  id?: string;
  cwd?: string;
  agentVersion?: string;
}

export function parseAgent(agent: string): Agent {
  if (!(AGENTS as readonly string[]).includes(agent)) throw new UserError(`Unknown agent '${agent}'. Known agents: ${AGENTS.join(", ")}.`);
  return agent as Agent;
}

export async function runSessionStart(opts: SessionStartOptions, deps: Deps) {
  const agent = parseAgent(opts.agent);
  const cwd = opts.cwd ?? deps.cwd;
  const ctx = await openRepo(cwd, deps.now);
  const dataPath = canonicalPath(opts.data, deps.cwd);
  const { session } = await ctx.store.update((state) =>
    startSession(state, { agent, dataPath, cwd, agentSessionId: opts.id, agentVersion: opts.agentVersion, now: deps.now() }),
  );
  deps.out(`${session.id}\n`);
  return session;
}

export interface SessionEndOptions {
  id: string;
  cwd?: string;
}

export async function runSessionEnd(opts: SessionEndOptions, deps: Deps) {
  const ctx = await openRepo(opts.cwd ?? deps.cwd, deps.now);
  const session = await ctx.store.update((state) => endSession(state, opts.id, deps.now()));
  if (!session) throw new UserError(`No queued session '${opts.id}' in ${ctx.top}. \`residue status\` lists them.`);
  // The durable copy: the agent may delete its transcript long before the next push.
  await takeSnapshot(ctx.stateDir, session.id, session.data_path, session.agent);
  deps.out(`${session.id}\n`);
  return session;
}
