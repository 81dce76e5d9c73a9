// The decisions of a sync, in-process: plain state in, plain data out, no binary and no server.
import { describe, expect, it } from "vitest";
import { emptyState, type LocalCommit, type LocalSession, type State } from "../src/state/model.ts";
import {
  candidateSessions,
  commitsToPost,
  dataChanged,
  linkedUploaded,
  needsUpload,
  owesIndex,
  redactionCounts,
  requeueLinks,
  type SyncOutcome,
  settle,
  storedLinks,
} from "../src/upload/plan.ts";

function session(id: string, over: Partial<LocalSession> = {}): LocalSession {
  return {
    id,
    agent: "claude-code",
    agent_version: null,
    agent_session_id: null,
    data_path: `/tmp/${id}.jsonl`,
    cwd: "/repo",
    status: "ended",
    started_at: 1,
    ended_at: 2,
    uploaded_hash: null,
    uploaded_status: null,
    indexed_hash: null,
    data_seen: false,
    spans: [],
    last_link: null,
    claimed: {},
    ...over,
  };
}

function commit(sha: string, sessionIds: string[]): LocalCommit {
  return {
    sha,
    message: "m",
    author_name: "a",
    author_email: "a@example.com",
    committed_at: 1,
    branch: "main",
    files: [],
    sessions: sessionIds.map((session_id) => ({ session_id, position: {} })),
    replaces: [],
  };
}

function stateOf(sessions: LocalSession[], commits: LocalCommit[] = []): State {
  const state = emptyState();
  for (const s of sessions) state.sessions[s.id] = s;
  for (const c of commits) state.commits[c.sha] = c;
  return state;
}

function outcome(over: Partial<SyncOutcome>): SyncOutcome {
  return { snapshots: new Map(), uploaded: [], indexed: new Map(), posted: [], lost: [], gone: new Set(), now: 5, ...over };
}

/** One session snapshotted, uploaded and indexed at `hash` this run. */
function sentAndIndexed(s: LocalSession, hash: string): Partial<SyncOutcome> {
  return { snapshots: new Map([[s.id, hash]]), uploaded: [{ session: s, contentHash: hash }], indexed: new Map([[s.id, hash]]) };
}

describe("candidateSessions", () => {
  const state = stateOf(
    [session("open", { status: "open" }), session("linked"), session("uploaded", { uploaded_hash: "h" }), session("uncommitted")],
    [commit("c1", ["linked"])],
  );
  it.each([
    [true, ["open", "linked", "uploaded", "uncommitted"]],
    [false, ["open", "linked", "uploaded"]],
  ])("includeUncommitted=%s → %j", (include, ids) => {
    expect(candidateSessions(state, include).map((s) => s.id)).toEqual(ids);
  });
});

describe("what must go up", () => {
  it.each([
    ["never uploaded", session("s"), "h1", true, true],
    ["unchanged data and status", session("s", { uploaded_hash: "h1", uploaded_status: "ended" }), "h1", false, false],
    ["changed data", session("s", { uploaded_hash: "h0", uploaded_status: "ended" }), "h1", true, true],
    ["status change only", session("s", { uploaded_hash: "h1", uploaded_status: "open" }), "h1", false, true],
  ])("%s", (_, s, hash, bytes, upload) => {
    expect(dataChanged(s, hash)).toBe(bytes);
    expect(needsUpload(s, hash)).toBe(upload);
  });

  it.each([
    ["not on the backend", session("s"), false, false],
    ["sent this run", session("s"), true, true],
    ["uploaded before, index behind", session("s", { uploaded_hash: "h0", indexed_hash: "h0" }), false, true],
    ["index current", session("s", { uploaded_hash: "h1", indexed_hash: "h1" }), false, false],
  ])("search index owed: %s", (_, s, sent, owed) => {
    expect(owesIndex(s, "h1", sent)).toBe(owed);
  });
});

describe("commitsToPost", () => {
  const state = stateOf([
    session("done", { uploaded_hash: "h" }),
    session("sent"),
    session("waiting"),
    session("lost", { data_seen: true }),
  ]);
  it.each([
    ["session uploaded before", ["done"], ["done"]],
    ["session sent this run", ["sent"], ["sent"]],
    ["session left the queue after reaching the server", ["dropped"], ["dropped"]],
    ["lost session: the commit goes up without it", ["sent", "lost"], ["sent"]],
    ["only a lost session: nothing to post", ["lost"], null],
    ["session not uploaded yet: its link waits for it", ["done", "waiting"], ["done"]],
    ["only a session not uploaded yet: the commit waits", ["waiting"], null],
  ])("%s", (_, linked, expected) => {
    state.commits = { c1: commit("c1", linked) };
    const posted = commitsToPost(state, new Set(["sent"]), new Set(["lost"]));
    expect(posted.length ? posted[0]?.sessions.map((l) => l.session_id) : null).toEqual(expected);
    // The plan is a copy: the queue itself changes only when the outcome settles.
    expect(state.commits.c1?.sessions.map((l) => l.session_id)).toEqual(linked);
  });
});

describe("settle", () => {
  it("ended, uploaded and indexed with no commit waiting: leaves the queue", () => {
    const s = session("s");
    const latest = stateOf([s], [commit("c1", ["s"])]);
    expect(settle(latest, outcome({ ...sentAndIndexed(s, "h1"), posted: [commit("c1", ["s"])] }))).toEqual({ complete: ["s"] });
    expect(latest.sessions).toEqual({});
    expect(latest.commits).toEqual({});
    expect(latest.uploaded_commits.c1?.map((l) => l.session_id)).toEqual(["s"]);
  });

  it("uploaded but not yet indexed: stays for the index, marked uploaded", () => {
    const s = session("s");
    const latest = stateOf([s]);
    expect(settle(latest, outcome({ snapshots: new Map([["s", "h1"]]), uploaded: [{ session: s, contentHash: "h1" }] }))).toEqual({
      complete: [],
    });
    expect(latest.sessions.s).toMatchObject({ uploaded_hash: "h1", uploaded_status: "ended", indexed_hash: null, data_seen: true });
  });

  it("still open: stays after upload", () => {
    const s = session("s", { status: "open" });
    const latest = stateOf([s]);
    expect(settle(latest, outcome(sentAndIndexed(s, "h1")))).toEqual({ complete: [] });
    expect(latest.sessions.s).toMatchObject({ uploaded_hash: "h1", uploaded_status: "open", indexed_hash: "h1" });
  });

  it("partial upload failure: the failed session and its link stay, the rest settles", () => {
    const ok = session("ok");
    const bad = session("bad");
    const latest = stateOf([ok, bad], [commit("c1", ["ok", "bad"])]);
    settle(
      latest,
      outcome({
        snapshots: new Map([
          ["ok", "h1"],
          ["bad", "h2"],
        ]),
        uploaded: [{ session: ok, contentHash: "h1" }],
        indexed: new Map([["ok", "h1"]]),
        posted: [commit("c1", ["ok"])],
      }),
    );
    expect(Object.keys(latest.sessions)).toEqual(["bad"]);
    expect(latest.sessions.bad).toMatchObject({ uploaded_hash: null, data_seen: true });
    expect(latest.commits.c1?.sessions.map((l) => l.session_id)).toEqual(["bad"]);
  });

  it("lost session: dropped with a notice, and its links with it", () => {
    const lost = session("lost-session", { data_seen: true });
    const latest = stateOf([lost], [commit("c1", ["lost-session"])]);
    expect(settle(latest, outcome({ lost: [lost] }))).toEqual({ complete: [] });
    expect(latest.sessions).toEqual({});
    expect(latest.commits).toEqual({});
    expect(latest.notices).toEqual([expect.objectContaining({ key: "lost:lost-session", at: 5 })]);
  });

  it("uploaded before and no data left: the backend holds it all, so it leaves the queue", () => {
    const latest = stateOf([session("s", { uploaded_hash: "h0", uploaded_status: "ended" })]);
    settle(latest, outcome({ gone: new Set(["s"]) }));
    expect(latest.sessions).toEqual({});
  });

  it("keeps what a hook changed meanwhile: a session ended after the snapshot stays for its status", () => {
    const snapshotted = session("s", { status: "open" });
    const latest = stateOf([session("s", { status: "ended", ended_at: 9 })]);
    settle(latest, outcome(sentAndIndexed(snapshotted, "h1")));
    expect(latest.sessions.s).toMatchObject({ status: "ended", uploaded_status: "open" });
  });
});

describe("redactionCounts", () => {
  it("sends the rules that matched, and nothing for a snapshot taken before counts were kept", () => {
    expect(redactionCounts({ "aws-access-token": 2, "generic-api-key": 0 })).toEqual({ "aws-access-token": 2 });
    expect(redactionCounts({})).toEqual({});
    expect(redactionCounts(undefined)).toBeUndefined();
  });

  it("keeps the most frequent rules when there are more than the server takes", () => {
    const counts = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`rule-${i}`, i + 1]));
    const sent = redactionCounts(counts) as Record<string, number>;
    expect(Object.keys(sent)).toHaveLength(300);
    expect(sent["rule-399"]).toBe(400);
    expect(sent["rule-0"]).toBeUndefined();
  });

  it("leaves the counts out rather than fail the push when they do not read as counts", () => {
    expect(redactionCounts({ "Not A Rule": 1 })).toBeUndefined();
    expect(redactionCounts({ "aws-access-token": 1.5 })).toBeUndefined();
  });
});

describe("storedLinks", () => {
  it("leaves out the links to sessions the backend refused as deleted, keeping the commit", () => {
    const c = commit("c1", ["kept", "gone"]);
    expect(storedLinks([c], new Set(["gone"])).map((x) => x.sessions.map((l) => l.session_id))).toEqual([["kept"]]);
    expect(storedLinks([commit("c2", ["gone"])], new Set(["gone"]))[0]?.sessions).toEqual([]);
  });
});

describe("a session laid out anew", () => {
  it("queues its posted links again, with the commit's details from git, and leaves other sessions' links posted", () => {
    const state = stateOf([session("s1"), session("s2")], [commit("c3", ["s2"])]);
    const link = (session_id: string, line: number) => ({ session_id, position: { line } });
    state.uploaded_commits = { c1: [link("s1", 15), link("s2", 4)], c2: [link("s2", 9)], c3: [link("s1", 20)], gone: [link("s1", 30)] };
    expect(linkedUploaded(state, new Set(["s1"]))).toEqual(["c1", "c3", "gone"]);
    const { sessions: _, replaces: __, branch: ___, ...info } = commit("c1", []);
    // "gone": git no longer has it (rebased away and collected), so it stays as it was posted.
    const infos = new Map(["c1", "c3"].map((sha) => [sha, { ...info, sha, parents: [] }]));
    requeueLinks(state, new Set(["s1"]), infos);
    expect(state.commits.c1).toMatchObject({ sha: "c1", branch: null, sessions: [link("s1", 15)], replaces: [] });
    expect(state.commits.c2).toBeUndefined();
    // A commit still queued for another session gets the link beside it, once.
    expect(state.commits.c3?.sessions.map((l) => l.session_id)).toEqual(["s2", "s1"]);
    requeueLinks(state, new Set(["s1"]), infos);
    expect(state.commits.c3?.sessions.map((l) => l.session_id)).toEqual(["s2", "s1"]);
    expect(state.commits.gone).toBeUndefined();
  });
});
