import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mapSession } from "@residue/formats";
import { mapClaudeCode } from "@residue/formats/claude-code";
import { mapCodex } from "@residue/formats/codex";
import { mapGemini } from "@residue/formats/gemini";
import type { Block, Message } from "@residue/formats/model";
import { mapOpenCode } from "@residue/formats/opencode";
import { mapPi } from "@residue/formats/pi";
import { describe, expect, it } from "vitest";
import { readTranscript } from "../../api/src/storage/session-data.ts";
import { ROOT } from "../../cli/test/support/harness.ts";

const F = join(ROOT, "e2e/fixtures");
const read = (p: string) => readFileSync(join(F, p), "utf8");
const CLAUDE = "claude-code/projects/-home-dev-acme-widgets";
const blocks = (messages: Message[]) => messages.flatMap((m) => m.blocks);
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
  it("follows the tree to the leaf, keeps summaries of compaction and abandoned branches", () => {
    const c = mapPi(read("pi/sessions/--home-dev-acme-widgets--/2026-03-04T16-20-00-000Z_7e3b9d51-0a2c-4f6e-b8d4-19c7a5e3f2b0.jsonl"));
    const summaries = blocks(c.messages).filter((b) => b.kind === "summary");
    expect(summaries.map((s) => (s as { label: string }).label)).toEqual([
      "An abandoned branch, summarized",
      "Conversation compacted: summary",
    ]);
    expect(texts(c.messages)).not.toContain("I'll add a `baseDelayMs` option.");
    expect(c.notices.join()).toMatch(/abandoned branches/);
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
      l({ $rewindTo: "2" }),
      l({ $set: { summary: "x" } }),
    ].join("\n");
    const c = mapGemini(text);
    expect(texts(c.messages)).toEqual(["Refactor the parser", "Done refactoring."]);
    expect(calls(c.messages)[0]).toMatchObject({ name: "read_file", result: { output: "code", isError: false } });
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
