import type { Deps } from "../../deps.ts";

/** Clears the warnings status, doctor and the hooks repeat (lost transcripts, a recovered queue file) once read. */
export async function runDismiss(deps: Deps) {
  const ctx = await deps.repo();
  const cleared = await ctx.store.update((state) => state.notices.splice(0));
  deps.out(cleared.length ? `Dismissed ${cleared.length} warning(s).\n` : "No warnings to dismiss.\n");
}
