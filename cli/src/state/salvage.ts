// Recovery of a damaged state file: every complete session and commit object still in the text is kept,
// whether the file is truncated, has garbage spliced in or fails the schema in one entry; what the damage
// took is looked for in the copy saved before the last write. Pure.
import { emptyState, ForgottenSession, LocalCommit, LocalSession, type State } from "./model.ts";

/** Every balanced `{…}` in the text that parses as JSON, innermost first. */
export function* jsonObjects(text: string): Generator<unknown> {
  const starts: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") starts.push(i);
    else if (c === "}" && starts.length) {
      const start = starts.pop() as number;
      try {
        yield JSON.parse(text.slice(start, i + 1));
      } catch {
        // a fragment spliced into garbage: its inner objects may still be whole
      }
    }
  }
}

/** Salvages each text in turn, later ones winning: the previous good copy first, then the damaged file. */
export function salvageState(...texts: string[]): { state: State; sessions: number; commits: number } {
  const state = emptyState();
  for (const value of texts.flatMap((text) => [...jsonObjects(text)])) {
    const session = LocalSession.safeParse(value);
    if (session.success) {
      state.sessions[session.data.id] = session.data;
      continue;
    }
    const commit = LocalCommit.safeParse(value);
    if (commit.success && /^[0-9a-f]{40,64}$/.test(commit.data.sha)) {
      state.commits[commit.data.sha] = commit.data;
      continue;
    }
    const forgotten = ForgottenSession.safeParse(value);
    if (forgotten.success && !state.forgotten.some((f) => f.id === forgotten.data.id)) state.forgotten.push(forgotten.data);
  }
  // What the user took back stays taken back, even if an older copy still queues it.
  for (const f of state.forgotten) delete state.sessions[f.id];
  // A commit whose sessions were all lost with the file would wait forever on them.
  for (const [sha, c] of Object.entries(state.commits)) {
    c.sessions = c.sessions.filter((l) => state.sessions[l.session_id]);
    if (c.sessions.length === 0) delete state.commits[sha];
  }
  return { state, sessions: Object.keys(state.sessions).length, commits: Object.keys(state.commits).length };
}
