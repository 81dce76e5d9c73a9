// `residue forget <session>`: takes a queued session back before it is uploaded (or before it is uploaded
// again): out of the queue and its commit links, its local copy deleted, and never recorded again here.
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { FIND_IDS, forgetQueued, queuedSession, uploadedNote } from "./queued.ts";

export async function runForget(key: string, deps: Deps) {
  const ctx = await deps.repo();
  const state = ctx.store.peek();
  const session = queuedSession(state, key);
  if (!session) {
    const lower = key.toLowerCase();
    const gone = state.forgotten.find((f) => f.id.startsWith(lower) || f.agent_session_id === key || f.data_path === key);
    if (gone && lower.length >= 4) {
      deps.out(`${gone.id} was forgotten already; nothing to do.\n`);
      return;
    }
    throw new CliError(
      `no queued session '${key}' in ${ctx.top}`,
      `${FIND_IDS}; one uploaded and gone from the queue is removed from the server with \`residue delete <id>\``,
      EXIT.usage,
    );
  }
  const [dropped] = await forgetQueued(ctx, [session.id], deps.now());
  if (!dropped) throw new CliError(`session ${session.id} left the queue meanwhile`, FIND_IDS);
  deps.out(
    `Forgot ${dropped.text}: removed from the queue and its commit links, local copy deleted; its agent's hooks will not record it again.\n` +
      "  The agent's own transcript file is left as it is.\n" +
      uploadedNote(dropped.session),
  );
}
