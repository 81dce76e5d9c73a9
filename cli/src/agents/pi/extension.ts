// The pi extension that `residue setup pi` writes to .pi/extensions/residue.ts: teams commit it, so it names
// no path of this machine and runs `residue` only where it is on PATH.
import { RESIDUE_ON_PATH_JS } from "../wiring.ts";

export const piExtension = `// residue: records pi sessions so \`git push\` uploads them with the commits they produced.
// Written by \`residue setup pi\`; running it again rewrites this file. Does nothing where residue is not on PATH.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

${RESIDUE_ON_PATH_JS}

// One call at a time, in event order: pi may not wait for one handler before firing the next, and a
// late "start" must not reopen a session that "end" already closed.
let queue: Promise<void> = Promise.resolve();

function residue(args: string[], cwd: string): Promise<void> {
  if (!RESIDUE_ON_PATH) return queue;
  // Never in the agent's way: errors are dropped here (residue logs its own), and it is bounded in time.
  queue = queue.then(
    () =>
      new Promise((resolve) => {
        execFile("residue", args, { cwd, timeout: 10_000 }, () => resolve());
      }),
  );
  return queue;
}

export default function (pi: any) {
  const start = async (_event: unknown, ctx: any) => {
    const file = ctx.sessionManager?.getSessionFile?.();
    if (!file) return; // an ephemeral (--no-session) run writes no transcript
    const id = ctx.sessionManager.getSessionId?.();
    await residue(["session", "start", "--agent", "pi", "--data", file, "--cwd", ctx.cwd, ...(id ? ["--id", id] : [])], ctx.cwd);
  };
  pi.on("session_start", start);
  // The session file appears only after the first reply, and print mode may end without session_shutdown:
  // registering again after each run is harmless (the same file reopens the same session).
  pi.on("agent_end", start);
  pi.on("session_shutdown", async (_event: unknown, ctx: any) => {
    const file = ctx.sessionManager?.getSessionFile?.();
    if (file) await residue(["session", "end", "--id", file, "--cwd", ctx.cwd], ctx.cwd);
  });
}
`;
