// The pure pieces behind the hardening: URL redaction, state salvage, lock holders, the journal parser.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redact } from "../src/redact.ts";
import { parseJournal } from "../src/state/journal.ts";
import { formatHolder, holderAlive, parseHolder, processStart } from "../src/state/lock.ts";
import { emptyState, type LocalSession } from "../src/state/model.ts";
import { salvageState } from "../src/state/salvage.ts";

describe("redact", () => {
  it("removes userinfo from every URL in the text, and nothing else", () => {
    expect(redact("push to https://alice:t0k3n@github.com/a/b.git failed; see http://x:y@h:8787/api")).toBe(
      "push to https://***@github.com/a/b.git failed; see http://***@h:8787/api",
    );
    expect(redact("git@github.com:acme/widgets.git and https://github.com/a/b")).toBe(
      "git@github.com:acme/widgets.git and https://github.com/a/b",
    );
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), fc.stringMatching(/^[A-Za-z0-9._~%-]{1,40}$/), (url, secret) => {
        const withCreds = url.replace("://", `://user:${secret}@`);
        expect(redact(`x ${withCreds} y`)).not.toContain(`:${secret}@`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("salvageState", () => {
  const session = (id: string): LocalSession => ({
    id,
    agent: "pi",
    agent_version: null,
    agent_session_id: null,
    data_path: `/t/${id}.jsonl`,
    cwd: "/t",
    status: "open",
    started_at: 1,
    ended_at: null,
    uploaded_hash: null,
    uploaded_status: null,
    indexed_hash: null,
    data_seen: true,
    spans: [],
    last_link: null,
    claimed: {},
  });

  it("keeps every whole session and commit of a truncated file, and drops links to sessions lost with it", () => {
    const state = emptyState();
    for (const id of ["a", "b"]) state.sessions[id] = session(id);
    const commit = (sha: string, ids: string[]) => ({
      sha,
      message: "m",
      author_name: "n",
      author_email: "e",
      committed_at: 1,
      branch: null,
      files: [],
      sessions: ids.map((session_id) => ({ session_id, position: {} })),
      replaces: [],
    });
    state.commits["1".repeat(40)] = commit("1".repeat(40), ["a", "gone"]);
    state.commits["2".repeat(40)] = commit("2".repeat(40), ["gone"]);
    state.commits["3".repeat(40)] = commit("3".repeat(40), ["b"]);
    const text = JSON.stringify(state, null, 1);
    const cut = salvageState(text.slice(0, text.indexOf("3".repeat(40)) + 60));
    expect(Object.keys(cut.state.sessions)).toEqual(["a", "b"]);
    expect(Object.keys(cut.state.commits)).toEqual(["1".repeat(40)]);
    expect(cut.state.commits["1".repeat(40)]?.sessions.map((l) => l.session_id)).toEqual(["a"]);
    // Garbage spliced in, even with braces and quotes, loses only what it overwrote.
    const spliced = salvageState(`${text.replace('"sessions": {', '"sessions": {"x": "}{\\"", ')}{"}garbage`);
    expect(Object.keys(spliced.state.sessions)).toEqual(["a", "b"]);
    expect(salvageState("\u0000\u0001 not json at all {").sessions).toBe(0);
    // With the copy from before the last write, what the damage took comes back; the damaged file's newer entries win.
    const newer = structuredClone(state);
    (newer.sessions.a as LocalSession).status = "ended";
    const newerText = JSON.stringify(newer, null, 1);
    const both = salvageState(text, newerText.slice(0, newerText.indexOf('"commits"')));
    expect(Object.keys(both.state.sessions)).toEqual(["a", "b"]);
    expect(both.state.sessions.a?.status).toBe("ended");
    expect(Object.keys(both.state.commits)).toEqual(["1".repeat(40), "3".repeat(40)]);
  });

  it("keeps a forgotten session forgotten even when the copy from before the last write still queues it", () => {
    const before = emptyState();
    before.sessions.a = session("a");
    const after = emptyState();
    after.forgotten.push({ id: "a", agent_session_id: null, data_path: "/t/a.jsonl", at: 2 });
    const afterText = JSON.stringify(after, null, 1);
    const salvaged = salvageState(JSON.stringify(before), afterText.slice(0, afterText.lastIndexOf("]")));
    expect(salvaged.state.sessions).toEqual({});
    expect(salvaged.state.forgotten.map((f) => f.id)).toEqual(["a"]);
  });
});

describe("lock holders", () => {
  it("round-trips, and tells this live process from a dead or reused pid", () => {
    const me = { pid: process.pid, start: processStart(process.pid) };
    expect(parseHolder(formatHolder(me))).toEqual(me);
    expect(holderAlive(me)).toBe(true);
    expect(holderAlive({ pid: process.pid, start: "1" })).toBe(false);
    expect(holderAlive({ pid: 2 ** 22 + 1, start: null })).toBe(false);
    expect(parseHolder("")).toBeNull();
    expect(parseHolder("12 -\n")).toEqual({ pid: 12, start: null });
  });
});

it("parseJournal flags unreadable lines so a torn entry is rebuilt from git", () => {
  const sha = "a".repeat(40);
  expect(parseJournal(`commit ${sha}\n`)).toEqual({ entries: [{ kind: "commit", sha }], damaged: false });
  expect(parseJournal(`commit ${sha}\ncommit ${sha.slice(0, 12)}`).damaged).toBe(true);
});
