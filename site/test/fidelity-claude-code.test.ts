// Nothing said in a Claude Code transcript is lost: every prompt and reply of every fixture, of every version's
// shape, is in the mapped conversation, except turns on branches the user rewound away from, which the
// conversation says it left out. In-process, on the same mapSession the UI and search use.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifyRecords, mapSession } from "@residue/formats";
import type { Block, Message } from "@residue/formats/model";
import { SHOWN_PER_RUN } from "@residue/formats/unknown-runs";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cli/test/support/harness.ts";

const DIR = join(ROOT, "e2e/fixtures/claude-code");
type Json = Record<string, unknown>;

/** A session file as the CLI uploads it: its sub-agents' files appended, each behind a marker line. */
function upload(file: string): string {
  const subDir = join(DIR, file.replace(/\.jsonl$/, ""), "subagents");
  const subs = existsSync(subDir) ? readdirSync(subDir).filter((f) => f.endsWith(".jsonl")) : [];
  return [
    readFileSync(join(DIR, file), "utf8"),
    ...subs.map((f) => `${JSON.stringify({ type: "residue-file", path: `subagents/${f}` })}\n${readFileSync(join(subDir, f), "utf8")}`),
  ].join("");
}

const records = (text: string): Json[] =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json);

/** What a person said or was told, by line: prompts (typed or queued) and the assistant's text. */
function said(r: Json): string[] {
  const content = (r.message as Json | undefined)?.content;
  const parts = typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? (content as Json[]) : [];
  const texts = parts.filter((p) => p.type === "text" && typeof p.text === "string").map((p) => (p.text as string).trim());
  if (r.type === "attachment") {
    const a = r.attachment as Json;
    return a.type === "queued_command" && typeof a.prompt === "string" ? [a.prompt] : [];
  }
  // Meta lines are Claude Code's own injections; an interruption is shown as a notice of its own words.
  if (r.type !== "user" && r.type !== "assistant") return [];
  if (r.isMeta) return [];
  return texts.filter((t) => t && !t.startsWith("[Request interrupted by user"));
}

function shown(messages: Message[]): string[] {
  const of = (b: Block): string[] =>
    b.kind === "text" || b.kind === "thinking" || b.kind === "summary" || b.kind === "notice"
      ? [b.text]
      : b.kind === "tool_call"
        ? (b.children ?? []).flatMap((m) => m.blocks.flatMap(of))
        : [];
  return messages.flatMap((m) => m.blocks.flatMap(of));
}

/** The uuids on the branch that ends at the last main message (a rewind leaves other branches behind). */
function kept(rs: Json[]): Set<string> {
  const main = rs.filter((r) => !r.isSidechain && typeof r.uuid === "string");
  const byUuid = new Map(main.map((r) => [r.uuid as string, r]));
  const on = new Set<string>();
  let at = main.filter((r) => ["user", "assistant", "system"].includes(r.type as string)).at(-1);
  while (at && !on.has(at.uuid as string)) {
    on.add(at.uuid as string);
    at = byUuid.get((at.parentUuid ?? at.logicalParentUuid) as string);
  }
  return on;
}

const fixtures = readdirSync(DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".jsonl") && !f.includes("/subagents/"))
  .sort();

describe("Claude Code fidelity", () => {
  it("has fixtures of every shape", () => {
    expect(fixtures.filter((f) => f.startsWith("versions/")).length).toBeGreaterThanOrEqual(9);
  });

  for (const file of fixtures) {
    it(`shows every prompt and reply of ${file}, or says it folded a rewound branch`, () => {
      const text = upload(file);
      const conversation = mapSession("claude-code", text);
      const rs = records(text).filter((r) => r.type !== "residue-file");
      const branch = kept(rs);
      const tree = rs.some((r) => !r.isSidechain && "parentUuid" in r);
      const haystack = shown(conversation.messages).join("\n");
      const missing = rs.filter((r) => said(r).some((t) => !haystack.includes(t)));
      const rewound = missing.filter((r) => tree && !r.isSidechain && typeof r.uuid === "string" && !branch.has(r.uuid as string));
      expect(missing.map(said)).toEqual(rewound.map(said));
      const folded = conversation.notices.join(" ").match(/(\d+) message\(s\) on abandoned branches/);
      if (rewound.length) expect(Number(folded?.[1])).toBeGreaterThanOrEqual(rewound.length);
      else expect(folded).toBeNull();
    });
  }
});

describe("Claude Code shapes", () => {
  const map = (file: string) => mapSession("claude-code", upload(`versions/${file}`));
  const texts = (messages: Message[]) => messages.flatMap((m) => m.blocks.flatMap((b) => (b.kind === "text" ? [b.text] : [])));

  it("reads a transcript without parent links in file order", () => {
    const c = map("no-parent-links.jsonl");
    expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(c.notices).toEqual([]);
  });

  it("keeps the history before a compaction, folded under a label", () => {
    const c = map("compaction-logical-parent.jsonl");
    const folded = c.messages.filter((m) => m.fold);
    expect(texts(folded)).toEqual([
      "Port the retry helper from lodash to our own code",
      "I wrote src/retry.ts with the same signature and tests in test/retry.test.ts.",
      "Also cover the jitter option",
      "Jitter is now covered: retry(fn, {jitter: true}) spreads delays by up to 20%.",
    ]);
    expect(new Set(folded.map((m) => m.fold))).toEqual(new Set(["Earlier conversation, before compaction"]));
    // Folded messages come first and stay in place: commit positions still find them.
    expect(c.messages.findIndex((m) => !m.fold)).toBe(folded.length);
    expect(c.notices).toEqual([]);
  });

  it("puts an inline sub-agent's conversation under the Task call that started it", () => {
    const c = map("sidechain-inline.jsonl");
    const task = c.messages.flatMap((m) => m.blocks).find((b) => b.kind === "tool_call" && b.name === "Task");
    expect(task?.kind === "tool_call" && task.children?.map((m) => m.role)).toEqual(["user", "assistant", "assistant"]);
    expect(texts(c.messages)).toEqual([
      "Which options do callers pass to fetchWithRetry?",
      "Only src/a.ts sets an option (retries: 3); src/b.ts relies on the defaults.",
    ]);
    expect(c.notices).toEqual([]);
  });

  it("shows a queued prompt as the user's", () => {
    const c = map("queued-prompt.jsonl");
    expect(c.messages.map((m) => [m.role, texts([m])[0]])).toContainEqual(["user", "and print what it would upload"]);
  });

  it("collapses each run of unknown records into one block, and hides bookkeeping", () => {
    const c = map("unknown-kinds.jsonl");
    const unknown = c.messages.flatMap((m) => m.blocks.flatMap((b) => (b.kind === "unknown" ? [b.records.map((r) => r.label)] : [])));
    expect(unknown).toEqual([
      ["hologram-state", "telemetry-latch", "quantum-ledger"],
      ["hologram-state"],
      ["assistant server_widget", "assistant server_gadget"],
    ]);
    expect(c.messages.map((m) => m.index)).toEqual(c.messages.map((_, i) => i));
    // A long run keeps every kind, and the records themselves only for the first few.
    const run = Array.from({ length: 25 }, (_, i) => JSON.stringify({ type: `future-${i % 2}`, n: i })).join("\n");
    const [long] = mapSession("claude-code", run).messages.flatMap((m) => m.blocks);
    expect(long?.kind === "unknown" && long.records.map((r) => r.json !== "")).toEqual([
      ...Array(SHOWN_PER_RUN).fill(true),
      ...Array(25 - SHOWN_PER_RUN).fill(false),
    ]);
    for (const file of ["real-2.1.331.jsonl", "bookkeeping-2.0.jsonl"])
      expect(
        map(file)
          .messages.flatMap((m) => m.blocks)
          .filter((b) => b.kind === "unknown"),
        file,
      ).toEqual([]);
  });

  it("counts the record kinds it recognised, hid and did not know", () => {
    const read = (file: string) => readFileSync(join(DIR, "versions", file), "utf8");
    expect(classifyRecords("claude-code", read("unknown-kinds.jsonl"))).toEqual({
      recognised: { user: 2, assistant: 2 },
      hidden: {},
      unknown: {
        "hologram-state": 2,
        "telemetry-latch": 1,
        "quantum-ledger": 1,
        "assistant server_widget": 1,
        "assistant server_gadget": 1,
      },
    });
    const real = classifyRecords("claude-code", read("real-2.1.331.jsonl"));
    expect(real.unknown).toEqual({});
    expect(Object.keys(real.hidden).sort()).toEqual(
      [
        "api-request",
        "api-request-blob",
        "api-request-shape",
        "atis-latch",
        "attachment",
        "cost-state",
        "last-prompt",
        "mode",
        "queue-operation",
        "tools-used",
      ].sort(),
    );
    expect(classifyRecords("claude-code", read("queued-prompt.jsonl")).recognised).toMatchObject({ "attachment queued_command": 1 });
  });
});

describe("a session pushed while it grew (the CLI's section log)", () => {
  /** The main transcript and each sub-agent file in two runs each: main, sub-agents, main again (behind `"path":""`), sub-agents. */
  function sections(file: string): string {
    const subDir = join(DIR, file.replace(/\.jsonl$/, ""), "subagents");
    const halves = (text: string) => {
      const lines = text.split("\n").filter(Boolean);
      const mid = Math.ceil(lines.length / 2);
      return [lines.slice(0, mid), lines.slice(mid)];
    };
    const main = halves(readFileSync(join(DIR, file), "utf8"));
    const subs = readdirSync(subDir).map((f) => ({ name: `subagents/${f}`, parts: halves(readFileSync(join(subDir, f), "utf8")) }));
    const marker = (path: string) => JSON.stringify({ type: "residue-file", path });
    const out = [...(main[0] ?? [])];
    for (const s of subs) out.push(marker(s.name), ...(s.parts[0] ?? []));
    out.push(marker(""), ...(main[1] ?? []));
    for (const s of subs) out.push(marker(s.name), ...(s.parts[1] ?? []));
    return `${out.join("\n")}\n`;
  }
  const file = "projects/-home-dev-acme-widgets/b7e1a0c4-58d2-4f9b-a3c6-0e2d4f6a8b1c.jsonl";

  it("shows what the single layout shows, the sub-agent's messages on its Task call", () => {
    const single = mapSession("claude-code", upload(file));
    const log = mapSession("claude-code", sections(file));
    expect(shown(log.messages)).toEqual(shown(single.messages));
    const task = log.messages.flatMap((m) => m.blocks).find((b) => b.kind === "tool_call" && b.name === "Task");
    expect(task?.kind === "tool_call" && task.children?.length).toBeGreaterThan(0);
    expect(log.messages.length).toBe(single.messages.length);
  });
});
