import { appendFileSync, mkdirSync } from "node:fs";
import { discoverer } from "../../agents/index.ts";
import { foldJournal } from "../../capture/fold.ts";
import type { Deps } from "../../deps.ts";
import { CliError } from "../../errors/cli-error.ts";
import { journalPath } from "../../state/journal.ts";
import { appendLog } from "../../state/log.ts";

/** Tags every pending session with HEAD: the same journal entry the post-commit hook writes, folded now. */
export async function runCapture(_opts: Record<string, never>, deps: Deps) {
  const ctx = await deps.repo();
  const head = (await ctx.git.tryRun(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]))?.trim();
  if (!head)
    throw new CliError("this repo has no commit yet, so there is nothing to link sessions to", "commit first, then run `residue capture`");
  mkdirSync(ctx.stateDir, { recursive: true });
  appendFileSync(journalPath(ctx.stateDir), `commit ${head}\n`);
  const discover = discoverer(deps, ctx);
  const result = await foldJournal(ctx, (m) => appendLog(ctx.stateDir, m), discover);
  const commit = ctx.store.peek().commits[head];
  deps.out(
    commit ? `${head.slice(0, 12)}: linked ${commit.sessions.length} session(s)\n` : `${head.slice(0, 12)}: no pending sessions to link\n`,
  );
  return result;
}
