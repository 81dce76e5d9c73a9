import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readTranscript } from "@residue/api/storage/session-data";
import { mapSession } from "@residue/formats";
import { mapClaudeCode } from "@residue/formats/claude-code";
import { mapCodex } from "@residue/formats/codex";
import { mapGemini } from "@residue/formats/gemini";
import type { Block, Message } from "@residue/formats/model";
import { mapOpenCode } from "@residue/formats/opencode";
import { mapPi } from "@residue/formats/pi";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cli/test/support/harness.ts";

const F = join(ROOT, "e2e/fixtures");
const read = (p: string) => readFileSync(join(F, p), "utf8");
const CLAUDE = "claude-code/projects/-home-dev-acme-widgets";
const blocks = (messages: Message[]) => messages.flatMap((m) => m.blocks);
const unknownLabels = (list: Block[]) => list.flatMap((b) => (b.kind === "unknown" ? b.records.map((r) => r.label) : []));
const calls = (messages: Message[]) => blocks(messages).filter((b): b is Extract<Block, { kind: "tool_call" }> => b.kind === "tool_call");
const texts = (messages: Message[]) =>
  blocks(messages)
    .filter((b) => b.kind === "text")
    .map((b) => (b as { text: string }).text);

describe("Claude Code mapper", () => {
  it("merges a response split over lines, counts its usage once, and attaches tool results", () => {
    const c = mapClaudeCode(read(`${CLAUDE}/5f0c2b8e-3d4a-4c1e-9b7a-2e6f1d8c4a90.jsonl`));
    expect(c.usage).toEqual({ input: 32, output: 766, cacheRead: 88830, cacheWrite: 5706 });
    expect(c.messages[0]).toMatchObject({ role: "user", index: 0 });
    const all = calls(c.messages);
    expect(all.map((t) => t.name)).toEqual(["Read", "Edit", "Bash", "Bash"]);
    expect(all.every((t) => t.result)).toBe(true);
    expect(all[2]?.result?.isError).toBe(true);
    expect(c.messages.every((m, i) => m.index === i)).toBe(true);
    expect(c.messages.map((m) => m.line)).toEqual([...c.messages.map((m) => m.line)].sort((a, b) => a - b));
  });

  it("handles compaction, interrupts, images, synthetic API errors and sub-agents", () => {
    const main = read(`${CLAUDE}/b7e1a0c4-58d2-4f9b-a3c6-0e2d4f6a8b1c.jsonl`);
    const sub = read(`${CLAUDE}/b7e1a0c4-58d2-4f9b-a3c6-0e2d4f6a8b1c/subagents/agent-a3f9c21.jsonl`);
    const c = mapClaudeCode(`${main}${JSON.stringify({ type: "residue-file", path: "subagents/agent-a3f9c21.jsonl" })}\n${sub}`);
    const kinds = blocks(c.messages).map((b) => b.kind);
    expect(kinds).toContain("image");
    expect(kinds).toContain("summary");
    expect(blocks(c.messages).some((b) => b.kind === "notice" && /Interrupted/.test(b.text))).toBe(true);
    expect(blocks(c.messages).some((b) => b.kind === "notice" && /API Error: 529/.test(b.text))).toBe(true);
    const task = calls(c.messages).find((t) => t.name === "Task");
    expect(task?.children?.length).toBeGreaterThan(0);
    expect(task?.children?.every((m) => m.line > main.split("\n").length - 1)).toBe(true);
    // No sub-agent is left over at the end: the Task call claimed it.
    expect(c.messages.at(-1)?.blocks.some((b) => b.kind === "tool_call" && b.name === "Sub-agent")).toBe(false);
  });

  it("shows only the active branch after a rewind", () => {
    const line = (o: object) => JSON.stringify(o);
    const t = "2026-01-01T00:00:0";
    const text = [
      line({ type: "user", uuid: "u1", parentUuid: null, timestamp: `${t}1Z`, message: { role: "user", content: "first question" } }),
      line({
        type: "assistant",
        uuid: "a1",
        parentUuid: "u1",
        timestamp: `${t}2Z`,
        message: { id: "m1", role: "assistant", content: [{ type: "text", text: "abandoned answer" }] },
      }),
      line({ type: "user", uuid: "u2", parentUuid: null, timestamp: `${t}3Z`, message: { role: "user", content: "rewritten question" } }),
      line({
        type: "assistant",
        uuid: "a2",
        parentUuid: "u2",
        timestamp: `${t}4Z`,
        message: { id: "m2", role: "assistant", content: [{ type: "text", text: "kept answer" }] },
      }),
    ].join("\n");
    const c = mapClaudeCode(text);
    expect(texts(c.messages)).toEqual(["rewritten question", "kept answer"]);
    expect(c.notices.join()).toMatch(/2 message\(s\) on abandoned branches/);
  });

  it("never throws: unknown records become unknown blocks, bad lines a notice, a cut-off tail a notice", () => {
    const good = read("claude-code/basic.jsonl");
    const c = mapClaudeCode(
      `${good}{"type":"brand-new-thing","uuid":"zz","foo":1}\nnot json at all\n{"type":"user","message":{"content":"half`,
    );
    expect(blocks(c.messages).some((b) => b.kind === "unknown" && b.records[0]?.label === "brand-new-thing")).toBe(true);
    expect(c.notices.some((n) => /could not be read/.test(n))).toBe(true);
    expect(c.notices.some((n) => /middle of a line/.test(n))).toBe(true);
    expect(mapClaudeCode("").messages).toEqual([]);
    expect(mapClaudeCode("\u0000\u0001garbage").messages).toEqual([]);
  });
});

describe("pi mapper", () => {
  it("follows the tree to the leaf, folds the branch the user left, keeps summaries of compaction and branches", () => {
    const c = mapPi(read("pi/sessions/--home-dev-acme-widgets--/2026-03-04T16-20-00-000Z_7e3b9d51-0a2c-4f6e-b8d4-19c7a5e3f2b0.jsonl"));
    const summaries = blocks(c.messages).filter((b): b is Extract<Block, { kind: "summary" }> => b.kind === "summary");
    expect(summaries.map((s) => s.label)).toEqual([
      "A branch the user left (2 message(s))",
      "An abandoned branch, summarized",
      "Conversation compacted: summary (the messages before it are kept above)",
    ]);
    // The abandoned reply is folded, not a message of its own, and not lost.
    expect(texts(c.messages)).not.toContain("I'll add a `baseDelayMs` option with default 100.");
    expect(summaries[0]?.text).toContain("I'll add a `baseDelayMs` option with default 100.");
    expect(c.notices.join()).toMatch(/abandoned branches are folded/);
    expect(blocks(c.messages).some((b) => b.kind === "image")).toBe(true);
    expect(blocks(c.messages).some((b) => b.kind === "notice" && /aborted/.test(b.text))).toBe(true);
  });

  it("attaches results to parallel tool calls and flags failures", () => {
    const c = mapPi(read("pi/sessions/--home-dev-acme-widgets--/2026-03-02T10-02-11-381Z_0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44.jsonl"));
    const all = calls(c.messages);
    expect(all.filter((t) => t.name === "edit")).toHaveLength(3);
    expect(all.every((t) => t.result)).toBe(true);
    expect(all.some((t) => t.result?.isError)).toBe(true);
    expect(c.usage.output).toBeGreaterThan(0);
  });
});

describe("pi mapper, past and present shapes", () => {
  it("reads a v1 file (no parent links) in file order, and v2 extension messages under their old role", () => {
    const v1 = mapPi(read("pi/versions/v1-linear.jsonl"));
    expect(v1.messages.map((m) => m.line)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(texts(v1.messages)).toEqual([
      "List the TODO comments in src/.",
      "One TODO: src/a.ts line 3 asks for a retry.",
      "Add the retry then.",
      "Added a retry loop around fetch in src/a.ts.",
    ]);
    const v2 = mapPi(read("pi/versions/v2-hook-message.jsonl"));
    expect(blocks(v2.messages).map((b) => b.kind)).toEqual(["text", "notice", "summary", "text"]);
  });

  it("hides bookkeeping entries and leaves an unknown one raw", () => {
    const c = mapPi(read("pi/versions/v3-every-entry.jsonl"));
    expect(unknownLabels(blocks(c.messages))).toEqual(["time_travel"]);
    expect(c.messages.at(-1)?.blocks[0]?.kind).toBe("unknown");
    expect(blocks(c.messages).some((b) => b.kind === "notice" && b.text === "Connection reset")).toBe(true);
  });
});

describe("Codex mapper", () => {
  it("reads response items, skips duplicate events, never renders encrypted reasoning", () => {
    const text = read("codex/rollout-2026-11-22T10-00-00-6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f.jsonl");
    const c = mapCodex(text);
    expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(texts(c.messages).filter((t) => /TZ=UTC/.test(t))).toHaveLength(1);
    expect(JSON.stringify(c)).not.toContain("gAAAAA");
    expect(calls(c.messages).map((t) => t.name)).toEqual(["shell", "apply_patch"]);
    expect(calls(c.messages)[0]?.input).toEqual({ command: ["bash", "-lc", "cat .github/workflows/ci.yml"] });
    expect(c.usage).toMatchObject({ input: 5200, output: 410 });
  });
});

describe("Codex mapper, past and present shapes", () => {
  it("reads the TypeScript CLI's JSON document and the Rust CLI's rollouts from before the envelope", () => {
    const ts = mapCodex(read("codex/versions/ts-cli-2025-04.json"));
    expect(ts.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(calls(ts.messages)[0]?.result?.output).toBe("export function retry() {}\n");
    const bare = mapCodex(read("codex/versions/rs-pre-envelope.jsonl"));
    expect(bare.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(calls(bare.messages).map((t) => [t.name, t.result?.isError])).toEqual([
      ["shell", true],
      ["shell", false],
    ]);
  });

  it("reads every response item kind once, hides bookkeeping, never shows Codex's own instructions", () => {
    const text = read("codex/versions/rs-every-item.jsonl");
    const c = mapCodex(text);
    expect(calls(c.messages).map((t) => t.name)).toEqual(["web_search", "shell_command", "apply_patch", "mcp__docs__lookup"]);
    expect(texts(c.messages).filter((t) => /keep-alive on the HTTP agent/.test(t))).toHaveLength(1);
    expect(JSON.stringify(c)).not.toMatch(/gAAAAA|permissions instructions/);
    expect(unknownLabels(blocks(c.messages))).toEqual(["inter_agent_communication"]);
    expect(blocks(c.messages).some((b) => b.kind === "image")).toBe(true);
    expect(c.usage).toMatchObject({ input: 9000, output: 700, cacheRead: 4000 });
    // A prompt that starts with a tag is still the user's prompt; harness context is wrapped whole in one.
    const prompt = {
      type: "response_item",
      payload: { type: "message", role: "user", content: [{ type: "input_text", text: "<div> is not centred" }] },
    };
    expect(texts(mapCodex(JSON.stringify(prompt)).messages)).toEqual(["<div> is not centred"]);
  });

  it("shows what a /review found, and undo and review notices", () => {
    const c = mapCodex(read("codex/versions/rs-review-undo.jsonl"));
    expect(texts(c.messages).at(-1)).toMatch(/^The size reaches the cache as a string\.\n\n\*\*\[P1\] CACHE_SIZE is never parsed/);
    expect(blocks(c.messages).flatMap((b) => (b.kind === "notice" ? [b.text] : []))).toEqual([
      "Review started: current changes.",
      "Restored the snapshot from before the last turn.",
      "Review started: current changes.",
      "The review ended without a result.",
    ]);
  });

  it("reads the conversation from events when a rollout has no response items", () => {
    const c = mapCodex(read("codex/versions/events-only.jsonl"));
    expect(texts(c.messages)).toEqual([
      "Summarise the README.",
      "It documents install, usage and the config file.",
      "And the license?",
      "MIT.",
    ]);
  });

  it("shows a sub-agent's report under the spawn_agent call that started it", () => {
    const c = mapCodex(read("codex/versions/real-0.169.0-subagent-parent.jsonl"));
    const spawn = calls(c.messages).find((t) => t.name === "spawn_agent");
    expect(spawn?.children?.flatMap((m) => m.blocks)).toEqual([{ kind: "text", text: "Sub-agent says: hello.txt has one line." }]);
    expect(texts(c.messages).some((t) => t.includes("subagent_notification"))).toBe(false);
  });
});

describe("Gemini CLI mapper", () => {
  it("keeps the last version of re-appended records and applies rewinds", () => {
    const l = (o: object) => JSON.stringify(o);
    const text = [
      l({ sessionId: "s", projectHash: "p", startTime: "2026-11-01T00:00:00Z" }),
      l({ id: "1", type: "user", timestamp: "2026-11-01T00:00:01Z", content: "Refactor the parser" }),
      l({ id: "2", type: "gemini", timestamp: "2026-11-01T00:00:02Z", content: "draft", model: "gemini-2.5-pro" }),
      l({
        id: "2",
        type: "gemini",
        timestamp: "2026-11-01T00:00:03Z",
        content: "Done refactoring.",
        toolCalls: [
          {
            id: "c1",
            name: "read_file",
            args: { path: "p.ts" },
            status: "success",
            result: [{ functionResponse: { response: { output: "code" } } }],
          },
        ],
      }),
      l({ id: "3", type: "user", timestamp: "2026-11-01T00:00:04Z", content: "oops" }),
      // Gemini CLI drops the named message and every one after it.
      l({ $rewindTo: "3" }),
      l({ $set: { summary: "x" } }),
    ].join("\n");
    const c = mapGemini(text);
    expect(texts(c.messages)).toEqual(["Refactor the parser", "Done refactoring."]);
    expect(blocks(c.messages).at(-1)).toMatchObject({
      kind: "summary",
      label: "Rewound by the user (1 message(s))",
      text: "**User:** oops",
    });
    expect(calls(c.messages)[0]).toMatchObject({ name: "read_file", result: { output: "code", isError: false } });
  });
});

describe("Gemini CLI mapper, past and present shapes", () => {
  it("reads the single-document chats, saved chats in both forms, and the prompt log", () => {
    const doc = mapGemini(read("gemini/versions/json-document-0.20.json"));
    expect(calls(doc.messages).map((t) => [t.name, t.result?.isError])).toEqual([
      ["ReadFile", false],
      ["Edit", true],
    ]);
    expect(doc.usage).toMatchObject({ input: 1700, output: 90, cacheRead: 200 });
    const saved = mapGemini(read("gemini/versions/checkpoint-array.json"));
    expect(calls(saved.messages)[0]?.result?.output).toBe("src/a.ts:1: const cfg = load()");
    expect(blocks(saved.messages).map((b) => b.kind)).toEqual(["text", "thinking", "text", "tool_call", "text"]);
    expect(texts(mapGemini(read("gemini/versions/checkpoint-history.json")).messages)).toEqual([
      "Is the build green?",
      "Yes, the last run passed.",
    ]);
    expect(mapGemini(read("gemini/versions/logs.json")).notices[0]).toMatch(/prompt log/);
  });

  it("keeps what a history rewrite dropped, reads its snapshot as a compaction summary, shows what the user typed", () => {
    const c = mapGemini(read("gemini/versions/jsonl-rewind-rewrite.jsonl"));
    expect(texts(c.messages)).toEqual([
      "Summarise @README.md",
      "A widget library (README).",
      "Now translate it to German.",
      "Eine Widget-Bibliothek.",
      "Thanks!",
    ]);
    const labels = blocks(c.messages).flatMap((b) => (b.kind === "summary" ? [b.label] : []));
    expect(labels).toEqual([
      "Context Gemini CLI sent with the prompt",
      "As sent to the model",
      "Rewound by the user (2 message(s))",
      "Conversation compacted: summary (the messages before it are kept above)",
    ]);
    expect(c.notices.join(" ")).toMatch(/rewrote its context/);
    expect(blocks(c.messages).some((b) => b.kind === "notice" && b.text === "(an attached application/pdf file)")).toBe(true);
  });

  it("shows what a sub-agent did, as the parent's file holds it, under the call that ran it", () => {
    const c = mapGemini(read("gemini/versions/jsonl-subagent-0.61.jsonl"));
    const agent = calls(c.messages)[0];
    expect(agent?.name).toBe("Codebase Investigator Agent");
    expect(agent?.children?.flatMap((m) => m.blocks).map((b) => b.kind)).toEqual(["thinking", "tool_call", "tool_call", "notice", "text"]);
    expect(calls(agent?.children ?? []).map((t) => [t.name, t.input, t.result?.isError])).toEqual([
      ["SearchText", { pattern: "RETRY_POLICY" }, false],
      ["ReadFile", { file_path: "src/config/retry.ts" }, true],
    ]);
  });
});

describe("OpenCode mapper", () => {
  it("reads an export: text, reasoning, tool parts with results and errors, token usage", () => {
    const doc = {
      info: { id: "ses_1", title: "Fix build" },
      messages: [
        { info: { id: "m1", role: "user", time: { created: 1763800000000 } }, parts: [{ type: "text", text: "Fix the build" }] },
        {
          info: {
            id: "m2",
            role: "assistant",
            modelID: "claude-sonnet-4-5",
            time: { created: 1763800001000 },
            tokens: { input: 10, output: 5, cache: { read: 100, write: 0 } },
          },
          parts: [
            { type: "step-start" },
            { type: "reasoning", text: "Check the config" },
            { type: "tool", tool: "bash", callID: "c1", state: { status: "completed", input: { command: "npm run build" }, output: "ok" } },
            { type: "tool", tool: "edit", callID: "c2", state: { status: "error", input: { filePath: "a.ts" }, error: "no match" } },
            { type: "text", text: "Fixed." },
            { type: "mystery", x: 1 },
          ],
        },
      ],
    };
    const c = mapOpenCode(JSON.stringify(doc));
    expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(calls(c.messages).map((t) => [t.name, t.result?.isError])).toEqual([
      ["bash", false],
      ["edit", true],
    ]);
    expect(blocks(c.messages).map((b) => b.kind)).toEqual(["text", "thinking", "tool_call", "tool_call", "text", "unknown"]);
    expect(c.usage).toEqual({ input: 10, output: 5, cacheRead: 100, cacheWrite: 0 });
    expect(mapOpenCode("{cut").notices[0]).toMatch(/not valid JSON/);
    // The plugin's JSONL: a session line, then one message a line; lines give commit positions.
    const jsonl = [{ type: "session", info: doc.info }, ...doc.messages.map((m) => ({ type: "message", ...m }))]
      .map((l) => JSON.stringify(l))
      .join("\n");
    const fromJsonl = mapOpenCode(jsonl);
    expect(fromJsonl.messages.map((m) => [m.role, m.line])).toEqual([
      ["user", 2],
      ["assistant", 3],
    ]);
  });
});

describe("OpenCode mapper, past and present shapes", () => {
  it("reads the pretty-printed export opencode writes, and the first message format", () => {
    const real = mapOpenCode(read("opencode/versions/real-export-1.18.33.json"));
    expect(real.messages.map((m) => m.role)).toEqual(["user", "assistant", "assistant"]);
    expect(calls(real.messages)[0]).toMatchObject({ name: "bash", result: { output: "hello residue\n", isError: false } });
    const v1 = mapOpenCode(read("opencode/versions/message-v1-2025-06.json"));
    expect(calls(v1.messages).map((t) => [t.name, t.result?.output])).toEqual([
      ["grep", "src/cli/cmd/run.ts"],
      ["read", undefined],
    ]);
    expect(v1.usage).toMatchObject({ input: 500, output: 60 });
  });

  it("reads every part type: compaction summaries, sub-tasks, retries; bookkeeping parts hidden", () => {
    const c = mapOpenCode(read("opencode/versions/plugin-every-part.jsonl"));
    expect(unknownLabels(blocks(c.messages))).toEqual(["part hologram"]);
    expect(blocks(c.messages).some((b) => b.kind === "summary" && /^Conversation compacted: summary/.test(b.label))).toBe(true);
    expect(calls(c.messages).find((t) => t.name === "bash")?.result?.output).toBe("(output cleared by compaction)");
    expect(calls(c.messages).some((t) => t.name === "subtask (reviewer)")).toBe(true);
    // A task's sub-agent: its last words (and, in older versions, its tool calls) under the call.
    const tasks = calls(c.messages).filter((t) => t.name === "task");
    expect(tasks.map((t) => t.children?.flatMap((m) => m.blocks).map((b) => (b.kind === "text" ? b.text : b.kind)))).toEqual([
      ["test/clock.test.ts also formats the current date."],
      ["tool_call", "tool_call", "No fixture uses Date."],
    ]);
    expect(c.messages.at(-1)?.blocks).toEqual([{ kind: "notice", text: "API key expired" }]);
  });
});

describe("mapSession", () => {
  it("reads gzip as the CLI uploads it, and survives unknown agents", async () => {
    const { gzipSync } = await import("node:zlib");
    const text = read("claude-code/basic.jsonl");
    const stream = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
    expect((await readTranscript(stream(gzipSync(text)), 1e6)).text).toBe(text);
    expect((await readTranscript(stream(new TextEncoder().encode(text)), 1e6)).text).toBe(text);
    expect(mapSession("clippy", text).notices[0]).toContain("No mapper");
  });
  it("reads at most the bytes it is given, cut at a line end, however far a gzip inflates", async () => {
    const { gzipSync } = await import("node:zlib");
    const line = `${JSON.stringify({ type: "user", message: { role: "user", content: "x".repeat(90) } })}\n`;
    const bomb = gzipSync(line.repeat(200_000));
    const read = await readTranscript(new Blob([bomb]).stream(), 10_000);
    expect(read.truncated).toBe(true);
    expect(read.text.length).toBeLessThanOrEqual(10_000);
    expect(read.text.endsWith("\n")).toBe(true);
    expect(
      read.text
        .split("\n")
        .filter(Boolean)
        .every((l) => l === line.trim()),
    ).toBe(true);
    const damaged = await readTranscript(new Blob([bomb.subarray(0, 2000)]).stream(), 1e9);
    expect(damaged.damaged).toBe(true);
  });
});
