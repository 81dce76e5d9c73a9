// The link decision, the edit reading and the commit order, in-process: plain data in, plain data out.
import { mapSession } from "@residue/formats";
import { describe, expect, it } from "vitest";
import { editedFiles, shellWrites } from "../src/agents/edits.ts";
import { AGENT_SPECS } from "../src/agents/index.ts";
import { topological } from "../src/capture/fold.ts";
import {
  advanceCursor,
  type CommitFacts,
  claimEdits,
  decideLink,
  editsLeftAtEnd,
  type SessionView,
  type TranscriptEvidence,
} from "../src/capture/link-evidence.ts";
import { type JournalEntry, parseJournal } from "../src/state/journal.ts";
import { evidenceCollector } from "../src/transcript/evidence.ts";
import { scanTranscript } from "../src/transcript/scan.ts";

const pos = (line: number) => ({ line, byte: line * 100, last_message_at: null });
const span = (from: number, to: number | null = null, at = pos(0)) => ({ from, to, at });
const session = (over: Partial<SessionView> = {}): SessionView => ({
  spans: [span(1000)],
  last_link: null,
  claimed: {},
  ...over,
});
const commit = (sha: string, at: number, files: string[]): CommitFacts => ({ sha, from: at, to: at, files });
const edit = (line: number, file: string, turn = line - 1) => ({ line, file, turn: pos(turn) });

describe("editsLeftAtEnd", () => {
  const ev: TranscriptEvidence = { messageLines: [1, 2, 3, 4], edits: [edit(2, "lexer.ts"), edit(4, "other.ts")] };

  it("names the committed files an ended session edited and no commit took, once", () => {
    const ended = session({ spans: [span(1000, 2000)] });
    expect(decideLink(ended, ev, commit("a", 3000, ["lexer.ts"]), pos(4))).toBeNull();
    const left = editsLeftAtEnd(ended, ev, commit("a", 3000, ["lexer.ts"]));
    expect(left.map((e) => e.file)).toEqual(["lexer.ts"]);
    claimEdits(ended, left);
    expect(editsLeftAtEnd(ended, ev, commit("b", 4000, ["lexer.ts"]))).toEqual([]);
    expect(editsLeftAtEnd(ended, ev, commit("c", 4000, ["other.ts"])).map((e) => e.file)).toEqual(["other.ts"]);
  });

  it("says nothing for an open session, a commit made before the end, or edits before the last resume", () => {
    expect(editsLeftAtEnd(session(), ev, commit("a", 3000, ["lexer.ts"]))).toEqual([]);
    expect(editsLeftAtEnd(session({ spans: [span(1000, 5000)] }), ev, commit("a", 3000, ["lexer.ts"]))).toEqual([]);
    expect(editsLeftAtEnd(session({ spans: [span(1000, 2000, pos(3))] }), ev, commit("a", 3000, ["lexer.ts"]))).toEqual([]);
  });
});

describe("decideLink", () => {
  const chat: TranscriptEvidence = { messageLines: [1, 2, 3, 4], edits: [] };

  it("links a conversation that edited nothing on its new messages, and not again without new ones", () => {
    const s = session();
    const first = decideLink(s, chat, commit("a", 2000, ["x.ts"]), pos(4));
    expect(first).toMatchObject({ since: pos(0), position: pos(4), reason: { kind: "messages", since_sha: null } });
    advanceCursor(s, "a", first as NonNullable<typeof first>);
    expect(decideLink(s, chat, commit("b", 3000, ["y.ts"]), pos(4))).toBeNull();
    const more = { ...chat, messageLines: [...chat.messageLines, 5] };
    expect(decideLink(s, more, commit("b", 3000, ["y.ts"]), pos(5))).toMatchObject({
      since: pos(4),
      reason: { kind: "messages", since_sha: "a" },
    });
  });

  it("links only commits made while it was registered: not before, not after it ended, again once resumed", () => {
    const resumed = session({ spans: [span(1000, 2000), span(5000, null, pos(3))] });
    const more: TranscriptEvidence = { messageLines: [1, 2, 3, 4, 5], edits: [] };
    expect(decideLink(session({ spans: [span(5000)] }), chat, commit("a", 4999, []), pos(4))).toBeNull();
    expect(decideLink(resumed, more, commit("a", 1500, []), pos(2))).toMatchObject({ since: pos(0) });
    expect(decideLink(resumed, more, commit("b", 3000, []), pos(4))).toBeNull();
    expect(decideLink(resumed, more, commit("c", 6000, []), pos(5))).toMatchObject({ since: pos(3) });
    // A whole second (no millisecond from the hook) overlapping the resume counts.
    expect(decideLink(session({ spans: [span(5500)] }), chat, { sha: "a", from: 5000, to: 5999, files: [] }, pos(4))).not.toBeNull();
  });

  it("counts only what was said after the resume point", () => {
    const old: TranscriptEvidence = { messageLines: [1, 2, 3], edits: [edit(2, "x.ts")] };
    expect(decideLink(session({ spans: [span(1000, null, pos(3))] }), old, commit("a", 2000, ["x.ts"]), pos(3))).toBeNull();
  });

  it("does not link a session whose edits are all in other files, even with new messages", () => {
    const ev: TranscriptEvidence = { messageLines: [1, 2], edits: [edit(2, "mine.ts")] };
    expect(decideLink(session(), ev, commit("a", 2000, ["theirs.ts"]), pos(2))).toBeNull();
  });

  it("links each of two commits the user split the work into, each from the turn that touched its files", () => {
    const ev: TranscriptEvidence = { messageLines: [1, 2, 3, 4], edits: [edit(2, "a.ts", 0), edit(4, "b.ts", 2)] };
    const s = session();
    const first = decideLink(s, ev, commit("c1", 2000, ["a.ts"]), pos(4));
    expect(first).toMatchObject({ since: pos(0), reason: { kind: "files", files: ["a.ts"] } });
    advanceCursor(s, "c1", first as NonNullable<typeof first>);
    const second = decideLink(s, ev, commit("c2", 2001, ["b.ts"]), pos(4));
    expect(second).toMatchObject({ since: pos(2), position: pos(4), reason: { kind: "files", files: ["b.ts"] } });
    advanceCursor(s, "c2", second as NonNullable<typeof second>);
    // Both files are in commits now, nothing new was said: a third commit of a.ts is someone else's.
    expect(decideLink(s, ev, commit("c3", 2002, ["a.ts"]), pos(4))).toBeNull();
  });

  it("ends the part at the position given (the agent's own commit inside a turn)", () => {
    const ev: TranscriptEvidence = { messageLines: [1, 2, 3, 4], edits: [edit(2, "a.ts"), edit(4, "a.ts")] };
    const s = session();
    const d = decideLink(s, ev, commit("c1", 2000, ["a.ts"]), pos(3));
    expect(d).toMatchObject({ position: pos(3), reason: { kind: "files", files: ["a.ts"] } });
    advanceCursor(s, "c1", d as NonNullable<typeof d>);
    // The edit after that commit is still owed to a later one.
    expect(decideLink(s, ev, commit("c2", 3000, ["a.ts"]), pos(4))).toMatchObject({ since: pos(3) });
  });
});

describe("shellWrites / editedFiles", () => {
  it("reads redirections, tee and sed -i, and not reads, fd copies, quoted text or heredoc bodies", () => {
    expect(shellWrites("echo hi > out.txt && cat a.txt | tee -a log.txt other.txt")).toEqual(["out.txt", "log.txt", "other.txt"]);
    expect(shellWrites("sed -i 's/a/b/' src/x.ts src/y.ts; sed -n 1p z.ts")).toEqual(["src/x.ts", "src/y.ts"]);
    expect(shellWrites("sed -i.bak -e 's/a/b/' f.ts")).toEqual(["f.ts"]);
    expect(shellWrites("npm test 2>&1 >/dev/null < in.txt; echo 'a > b'")).toEqual([]);
    expect(shellWrites("cat > new.ts <<'EOF'\nconst a = b > c;\nEOF\necho done >> notes.md")).toEqual(["new.ts", "notes.md"]);
    expect(shellWrites("FOO=1 sudo tee /etc/x.conf")).toEqual(["/etc/x.conf"]);
  });

  it("reads each agent's own edit tools, from its spec", () => {
    const touched = (agent: keyof typeof AGENT_SPECS, name: string, input: unknown) =>
      editedFiles(AGENT_SPECS[agent].edits, { name, input }, AGENT_SPECS[agent].format.filesTouched);
    expect(touched("claude-code", "Edit", { file_path: "/r/a.ts" })).toEqual(["/r/a.ts"]);
    expect(touched("claude-code", "Read", { file_path: "/r/a.ts" })).toEqual([]);
    expect(touched("claude-code", "Bash", { command: "echo x > b.ts" })).toEqual(["b.ts"]);
    expect(touched("codex", "apply_patch", "*** Begin Patch\n*** Update File: src/c.ts\n@@\n*** End Patch")).toEqual(["src/c.ts"]);
    expect(touched("codex", "shell", { command: ["apply_patch", "*** Begin Patch\n*** Add File: d.ts\n+x\n*** End Patch"] })).toEqual([
      "d.ts",
    ]);
    expect(touched("codex", "shell", { command: ["bash", "-lc", "sed -i 's/a/b/' e.ts"] })).toEqual(["e.ts"]);
    expect(touched("gemini", "replace", { file_path: "/r/f.ts" })).toEqual(["/r/f.ts"]);
    expect(touched("gemini", "run_shell_command", { command: "tee g.ts" })).toEqual(["g.ts"]);
    expect(touched("opencode", "write", { filePath: "/r/h.ts" })).toEqual(["/r/h.ts"]);
    expect(touched("opencode", "patch", { patchText: "*** Begin Patch\n*** Delete File: i.ts\n*** End Patch" })).toEqual(["i.ts"]);
    expect(touched("pi", "write", { path: "j.ts" })).toEqual(["j.ts"]);
  });

  it("finds edits, messages and turns in a Claude Code transcript in one scan", async () => {
    const lines = [
      { type: "user", uuid: "1", timestamp: "2026-01-01T00:00:01Z", message: { role: "user", content: "make a" } },
      {
        type: "assistant",
        uuid: "2",
        parentUuid: "1",
        timestamp: "2026-01-01T00:00:02Z",
        message: {
          id: "m1",
          role: "assistant",
          content: [{ type: "tool_use", id: "t1", name: "Write", input: { file_path: "/repo/a.ts" } }],
        },
      },
      { type: "queue-operation", timestamp: "2026-01-01T00:00:03Z" },
      { type: "user", uuid: "3", parentUuid: "2", timestamp: "2026-01-01T00:00:04Z", message: { role: "user", content: "now b" } },
      {
        type: "assistant",
        uuid: "4",
        parentUuid: "3",
        timestamp: "2026-01-01T00:00:05Z",
        message: {
          id: "m2",
          role: "assistant",
          content: [{ type: "tool_use", id: "t2", name: "Bash", input: { command: "echo > b.ts" } }],
        },
      },
    ].map((l) => `${JSON.stringify(l)}\n`);
    const collector = evidenceCollector("claude-code", (p) => (p.startsWith("/repo/") ? p.slice(6) : p), [lines[0]?.length ?? 0]);
    const scan = await scanTranscript(
      (async function* () {
        yield Buffer.from(lines.join(""));
      })(),
      "claude-code",
      [],
      collector.observe,
    );
    const { evidence, atBytes } = collector.finish({ line: scan.last_line, byte: scan.byte_size, last_message_at: scan.last_at });
    expect(evidence.messageLines).toEqual([1, 2, 4, 5]);
    expect(evidence.edits.map((e) => [e.line, e.file, e.turn.line])).toEqual([
      [2, "a.ts", 0],
      [5, "b.ts", 3],
    ]);
    expect(atBytes.get(lines[0]?.length ?? 0)?.line).toBe(1);
  });
});

describe("scan positions", () => {
  it("count physical lines, blank ones included, as the mappers number messages", async () => {
    const at = (s: number) => `2026-01-01T00:00:0${s}Z`;
    const text = [
      JSON.stringify({ type: "user", uuid: "1", timestamp: at(1), message: { role: "user", content: "first" } }),
      "",
      "",
      JSON.stringify({
        type: "assistant",
        uuid: "2",
        parentUuid: "1",
        timestamp: at(2),
        message: { id: "m", role: "assistant", content: [{ type: "text", text: "reply" }] },
      }),
      "",
      JSON.stringify({ type: "user", uuid: "3", parentUuid: "2", timestamp: at(3), message: { role: "user", content: "second" } }),
      "",
    ].join("\n");
    const scan = await scanTranscript(
      (async function* () {
        yield Buffer.from(text);
      })(),
      "claude-code",
      [Date.parse(at(2))],
    );
    const lines = mapSession("claude-code", text).messages.map((m) => m.line);
    expect(lines).toEqual([1, 4, 6]);
    expect(scan.positions.get(Date.parse(at(2)))?.line).toBe(4);
    expect(scan.last_line).toBe(6);
    expect(scan.message_count).toBe(3);
  });
});

describe("journal and commit order", () => {
  const sha = (c: string) => c.repeat(40);

  it("reads the hook's time and parents, and old lines without them", () => {
    const { entries, damaged } = parseJournal(
      `commit ${sha("a")}\ncommit ${sha("b")} ${sha("a")} t=1795500000123\ncommit ${sha("c")} ${sha("b")} t=1795500000\ncommit ${sha("d")} t=1795500000999\n`,
    );
    expect(damaged).toBe(false);
    expect(entries).toEqual([
      { kind: "commit", sha: sha("a") },
      { kind: "commit", sha: sha("b"), at: 1795500000123, precise: true, parents: [sha("a")] },
      { kind: "commit", sha: sha("c"), at: 1795500000000, precise: false, parents: [sha("b")] },
      { kind: "commit", sha: sha("d"), at: 1795500000999, precise: true, parents: [] },
    ]);
    expect(parseJournal(`commit ${sha("a")} t=soon\n`).damaged).toBe(true);
  });

  it("puts parents before children whatever the journal's order, and a rewrite after its commits", () => {
    const entries: JournalEntry[] = [
      { kind: "rewrite", from: sha("b"), to: sha("e"), by: "amend" },
      { kind: "commit", sha: sha("c"), parents: [sha("b")] },
      { kind: "commit", sha: sha("b"), parents: [sha("a")] },
      { kind: "commit", sha: sha("e"), parents: [sha("a")] },
    ];
    const order = topological(entries, (e) => e.parents ?? []).map((e) => (e.kind === "commit" ? e.sha[0] : `${e.from[0]}→${e.to[0]}`));
    expect(order).toEqual(["b", "c", "e", "b→e"]);
  });
});
