import { type Stats, statSync } from "node:fs";
import { AGENTS } from "@residue/protocol";
import { ignoredBy } from "../../config/control.ts";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { type Agent, canonicalPath, endSession, startSession } from "../../queue/sessions.ts";
import { takeSnapshot } from "../../queue/snapshot.ts";

export interface SessionStartOptions {
  agent: string;
  data: string;
  id?: string;
  cwd?: string;
  agentVersion?: string;
}

export function parseAgent(agent: string): Agent {
  if (!(AGENTS as readonly string[]).includes(agent))
    throw new CliError(`unknown agent '${agent}'`, `use one of ${AGENTS.join(", ")}`, EXIT.usage);
  return agent as Agent;
}

/** A path not written yet is normal (agents start before their first line); one that can never be a file is a mistake. */
function checkDataPath(dataPath: string) {
  const hint = "pass the agent's transcript file (a .jsonl)";
  let stat: Stats | undefined;
  try {
    stat = statSync(dataPath, { throwIfNoEntry: false });
  } catch (error) {
    throw new CliError(`--data ${dataPath} cannot be a file (${(error as Error).message})`, hint, EXIT.usage, { cause: error });
  }
  if (stat?.isDirectory()) throw new CliError(`--data ${dataPath} is a directory, not a transcript file`, hint, EXIT.usage);
}

export async function runSessionStart(opts: SessionStartOptions, deps: Deps) {
  const agent = parseAgent(opts.agent);
  const cwd = opts.cwd ?? deps.cwd;
  const ctx = await deps.repo(cwd);
  const dataPath = canonicalPath(opts.data, deps.cwd);
  checkDataPath(dataPath);
  const ignored = ignoredBy(ctx.control(), canonicalPath(cwd, deps.cwd));
  if (ignored) {
    deps.err(`residue: ${cwd} is ignored (${ignored.entry} in ${ignored.file}); not recorded\n`);
    return null;
  }
  const { session } = await ctx.store.update((state) =>
    startSession(state, { agent, dataPath, cwd, agentSessionId: opts.id, agentVersion: opts.agentVersion, now: deps.now() }),
  );
  if (!session) {
    deps.err(`residue: ${opts.id ?? dataPath} was forgotten (\`residue forget\`); not recorded\n`);
    return null;
  }
  deps.out(`${session.id}\n`);
  return session;
}

export interface SessionEndOptions {
  id: string;
  cwd?: string;
}

export async function runSessionEnd(opts: SessionEndOptions, deps: Deps) {
  const ctx = await deps.repo(opts.cwd);
  const session = await ctx.store.update((state) => endSession(state, opts.id, deps.now()));
  if (!session) throw new CliError(`no queued session '${opts.id}' in ${ctx.top}`, "`residue status` lists them", EXIT.usage);
  // The durable copy: the agent may delete its transcript long before the next push.
  await takeSnapshot(ctx.stateDir, session.id, session.data_path, session.agent, ctx.control());
  deps.out(`${session.id}\n`);
  return session;
}
