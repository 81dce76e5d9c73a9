import { join } from "node:path";
import { handleAgentHook } from "../../agents/hook-handler.ts";
import { HOOK_AGENTS } from "../../agents/index.ts";
import type { Deps } from "../../deps.ts";
import { appendLog } from "../../state/log.ts";

/** What an agent's hook runs. Always exits 0 and prints nothing on stdout; the outcome goes to the log. */
export async function runHook(agent: string, deps: Deps): Promise<number> {
  const fallbackLog = join(deps.home, ".residue");
  try {
    const hooked = HOOK_AGENTS.find((a) => a === agent);
    if (!hooked) {
      appendLog(fallbackLog, `hook: no hook handler for agent '${agent}'`);
      deps.err(`residue: no hook for agent '${agent}' (supported: ${HOOK_AGENTS.join(", ")})\n`);
      return 0;
    }
    const stdin = await deps.readStdin();
    const outcome = await handleAgentHook(hooked, stdin, deps.now, deps.repo);
    appendLog(outcome.stateDir ?? fallbackLog, outcome.message);
  } catch (error) {
    appendLog(fallbackLog, `hook ${agent} failed: ${(error as Error).stack ?? error}`);
  }
  return 0;
}
