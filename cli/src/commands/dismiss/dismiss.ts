import type { Deps } from "../../deps.ts";
import { openRepo } from "../../repo/context.ts";

/** Clears the warnings status, doctor and the hooks repeat (lost transcripts, a recovered queue file) once read. */
export async function runDismiss(deps: Deps) {
  const ctx = await openRepo(deps.cwd, deps.now);
  const cleared = await ctx.store.update((state) => state.notices.splice(0));
  deps.out(cleared.length ? `Dismissed ${cleared.length} warning(s).\n` : "No warnings to dismiss.\n");
}
