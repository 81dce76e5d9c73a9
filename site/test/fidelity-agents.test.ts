// Nothing the user or the model said is lost: for every pi, Codex, Gemini CLI and OpenCode fixture, each text
// the raw file holds as said by the user or the model appears in the mapped conversation. The texts are read
// from the raw file by a deliberately simple reader per format, not by the mapper. Text may sit in a folded
// block (rewound turns, a branch left behind, context the harness added) only when that block is labelled.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { mapSession } from "@residue/formats";
import type { Block, Conversation, Message } from "@residue/formats/model";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cli/test/support/harness.ts";

type Json = Record<string, unknown>;
const AGENTS = ["pi", "codex", "gemini", "opencode"] as const;
type Agent = (typeof AGENTS)[number];

const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const texts = (parts: unknown, keys: string[] = ["text"]): string[] =>
  typeof parts === "string"
    ? [parts]
    : list(parts).flatMap((p) => (isObj(p) ? keys.flatMap((k) => (typeof p[k] === "string" ? [p[k] as string] : [])) : []));

/** Every JSON value of the file: the document, or each line of JSONL. */
function records(raw: string): unknown[] {
  try {
    return [JSON.parse(raw)];
  } catch {
    return raw.split("\n").flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line)] : [];
      } catch {
        return [];
      }
    });
  }
}

// The readers: what the user and the model said, straight from each format's fields.
const SAID: Record<Agent, (raw: string) => string[]> = {
  pi: (raw) =>
    records(raw).flatMap((r) => {
      if (!isObj(r)) return [];
      if (r.type === "compaction" || r.type === "branch_summary") return texts([r], ["summary"]);
      if (r.type === "custom_message") return texts(r.content);
      const m = isObj(r.message) ? r.message : {};
      if (m.role === "user" || m.role === "custom" || m.role === "hookMessage") return texts(m.content);
      if (m.role === "assistant") return texts(m.content, ["text", "thinking"]);
      if (m.role === "branchSummary" || m.role === "compactionSummary") return texts([m], ["summary"]);
      return [];
    }),
  codex: (raw) => {
    const all = records(raw);
    const doc = all.length === 1 && isObj(all[0]) && Array.isArray(all[0].items) ? all[0].items : all;
    return doc.flatMap((r) => {
      if (!isObj(r)) return [];
      const p = isObj(r.payload) ? r.payload : r;
      if (p.type === "message" && (p.role === "user" || p.role === "assistant"))
        // A sub-agent's report to its parent says what the sub-agent said: its status text.
        return texts(p.content).flatMap((t) => {
          const report = /^<subagent_notification>([\s\S]*)<\/subagent_notification>$/.exec(t.trim());
          return report ? Object.values((JSON.parse(report[1] as string) as { status: Json }).status).map(String) : [t];
        });
      if (p.type === "reasoning") return [...texts(p.summary), ...texts(p.content)];
      if (p.type === "user_message" || p.type === "agent_message") return texts([p], ["message"]);
      if (p.type === "agent_reasoning") return texts([p], ["text"]);
      if (r.type === "compacted") return texts([p], ["message"]);
      const review = isObj(p.review_output) ? p.review_output : {};
      if (p.type === "exited_review_mode")
        return [...texts([review], ["overall_explanation"]), ...texts(review.findings, ["title", "body"])];
      const item = isObj(p.item) ? p.item : {};
      if (item.type === "UserMessage" || item.type === "AgentMessage") return texts(item.content);
      return [];
    });
  },
  gemini: (raw) => {
    const message = (m: unknown): string[] => {
      if (!isObj(m)) return [];
      if (Array.isArray(m.parts)) return texts(m.parts);
      if (m.type === "user" || m.type === "gemini")
        return [...texts(m.content), ...texts(m.displayContent), ...texts(m.thoughts, ["description"]), ...texts([m], ["message"])];
      return [];
    };
    return records(raw).flatMap((r) => {
      if (Array.isArray(r)) return r.flatMap(message);
      if (!isObj(r)) return [];
      const set = isObj(r.$set) ? r.$set : {};
      return [
        ...message(r),
        ...list(r.messages).flatMap(message),
        ...list(set.messages).flatMap(message),
        ...list(r.history).flatMap(message),
      ];
    });
  },
  opencode: (raw) =>
    records(raw).flatMap((r) => {
      if (!isObj(r)) return [];
      const messages = Array.isArray(r.messages) ? r.messages : [r];
      return messages
        .flatMap((m) => (isObj(m) ? list(m.parts) : []))
        .flatMap((p) => (isObj(p) && (p.type === "text" || p.type === "reasoning") ? texts([p]) : []));
    }),
};

function blocksOf(messages: Message[]): Block[] {
  return messages.flatMap((m) => m.blocks.flatMap((b) => [b, ...(b.kind === "tool_call" ? blocksOf(b.children ?? []) : [])]));
}

/** Where a said text shows: in a block of its own, folded in a labelled block, or nowhere. */
function whereShown(c: Conversation, said: string): "shown" | "folded" | "lost" {
  const all = blocksOf(c.messages);
  if (all.some((b) => (b.kind === "text" || b.kind === "thinking" || b.kind === "notice") && b.text.includes(said))) return "shown";
  if (all.some((b) => b.kind === "summary" && b.label.trim() !== "" && b.text.includes(said))) return "folded";
  return "lost";
}

function fixtures(dir: string, agent: Agent): { agent: Agent; file: string }[] {
  const base = join(dir, agent);
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.jsonl?$/.test(e.name))
    .map((e) => ({ agent, file: join(e.parentPath, e.name) }));
}

const SHARED = "/work/shared/fixtures";
const seen = new Set<string>();
const FILES = [join(ROOT, "e2e/fixtures"), SHARED]
  .flatMap((dir) => AGENTS.flatMap((agent) => fixtures(dir, agent)))
  // The shared set is copied into e2e/fixtures; each distinct file is checked once.
  .filter(({ file }) => {
    const text = readFileSync(file, "utf8");
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });

const name = (file: string) => (file.startsWith(SHARED) ? `shared/${relative(SHARED, file)}` : relative(join(ROOT, "e2e/fixtures"), file));

// Record kinds planted in the fixtures as "from a future version": the only ones that may stay raw.
const FUTURE = /^(time_travel|hologram|part hologram|inter_agent_communication|item_completed CommandExecution)$/;

describe("every text said in a pi, Codex, Gemini CLI or OpenCode session survives mapping", () => {
  it("finds fixtures of all four agents", () => {
    for (const agent of AGENTS) expect(FILES.filter((f) => f.agent === agent).length, agent).toBeGreaterThanOrEqual(3);
  });

  it.each(FILES.map((f) => [name(f.file), f] as const))("%s", (_, { agent, file }) => {
    const raw = readFileSync(file, "utf8");
    const said = [...new Set(SAID[agent](raw).map((t) => t.trim()))].filter(Boolean);
    expect(said.length, "the reader finds what was said").toBeGreaterThan(0);
    const c = mapSession(agent, raw);
    const lost = said.filter((t) => whereShown(c, t) === "lost");
    expect(lost).toEqual([]);
    // Bookkeeping is hidden and known records are read: only the planted future kinds stay raw.
    const raws = blocksOf(c.messages).flatMap((b) => (b.kind === "unknown" ? b.records.map((r) => r.label) : []));
    expect(raws.filter((l) => !FUTURE.test(l))).toEqual([]);
    // Folding what the conversation left behind is said in a notice.
    const rewound = blocksOf(c.messages).some((b) => b.kind === "summary" && /rewound|branch the user left/i.test(b.label));
    if (rewound) expect(c.notices.join(" ")).toMatch(/folded/);
  });

  it("fails when a mapper loses a message", () => {
    const file = FILES.find((f) => f.file.endsWith("v3-every-entry.jsonl"));
    expect(file).toBeDefined();
    const raw = readFileSync(file?.file as string, "utf8");
    const c = mapSession("pi", raw);
    const dropped = { ...c, messages: c.messages.filter((m) => m.role !== "user") };
    expect(whereShown(c, "Inject a clock instead.")).toBe("shown");
    expect(whereShown(dropped, "Inject a clock instead.")).toBe("lost");
    // A branch the user left is folded, labelled, and still there.
    expect(whereShown(c, "Write a haiku about flaky tests.")).toBe("folded");
  });
});
