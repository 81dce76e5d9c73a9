import assert from "node:assert/strict";
import { test } from "vitest";
import { forgetSession, startSession } from "../src/queue/sessions.ts";
import { emptyState } from "../src/state/model.ts";

const start = (state: ReturnType<typeof emptyState>, now: number) =>
  startSession(state, { agent: "claude-code", dataPath: "/t/a.jsonl", cwd: "/r", agentSessionId: "agent-a", now });

test("a forgotten session leaves the queue and its commits, and its agent's next start does not bring it back", () => {
  const state = emptyState();
  const { session } = start(state, 1);
  assert.ok(session);
  const link = { session_id: session.id, position: {} };
  state.commits.abc = {
    sha: "abc",
    message: "m",
    author_name: "a",
    author_email: "e",
    committed_at: 2,
    branch: null,
    files: [],
    sessions: [link],
    replaces: [],
  };
  state.uploaded_commits.def = [link];
  assert.equal(forgetSession(state, "agent-a", 3)?.id, session.id);
  assert.deepEqual(state.sessions, {});
  assert.deepEqual(state.commits.abc?.sessions, []);
  assert.deepEqual(state.uploaded_commits.def, []);
  assert.equal(start(state, 4).session, null);
  assert.equal(
    startSession(state, { agent: "claude-code", dataPath: "/t/other.jsonl", cwd: "/r", agentSessionId: "agent-b", now: 5 }).session
      ?.agent_session_id,
    "agent-b",
  );
  assert.equal(forgetSession(state, "no-such-session", 6), null);
});
