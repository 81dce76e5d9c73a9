// Claude Code JSONL (~/.claude/projects/<slug>/<session>.jsonl) → Conversation.
// The transcript is a tree (parentUuid): rewinds leave abandoned branches, compaction restarts the chain
// (logicalParentUuid). Only the active branch, walked back from the last message, is shown.

import { fileKeys, promptText, type TranscriptFormat, titleLine, typedLine } from "./format.ts";
import { arr, badLineNotices, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import { type Block, type Conversation, type Message, type Role, type Usage, zeroUsage } from "./model.ts";

const CHAIN_TYPES = new Set(["user", "assistant", "system"]);
/** Bookkeeping lines with nothing for a reader. */
const SILENT_TYPES = new Set([
  "summary",
  "file-history-snapshot",
  "progress",
  "queue-operation",
  "attachment",
  "last-prompt",
  "custom-title",
]);

interface FileLines {
  name: string;
  lines: Line[];
}

/** The main transcript and each sub-agent file that residue appended behind a marker line. */
function splitFiles(lines: Line[]): { main: Line[]; subagents: FileLines[] } {
  const main: Line[] = [];
  const subagents: FileLines[] = [];
  let current: FileLines | null = null;
  for (const line of lines) {
    if (line.value.type === "residue-file") {
      current = { name: str(line.value.path) ?? "sub-agent", lines: [] };
      subagents.push(current);
    } else (current ? current.lines : main).push(line);
  }
  return { main, subagents };
}

function activeBranch(lines: Line[]): { active: Set<string> | null; abandoned: number } {
  const byUuid = new Map<string, Line>();
  let leaf: Line | undefined;
  for (const line of lines) {
    const uuid = str(line.value.uuid);
    if (!uuid) continue;
    byUuid.set(uuid, line);
    if (CHAIN_TYPES.has(str(line.value.type) ?? "") && !line.value.isSidechain) leaf = line;
  }
  if (!leaf) return { active: null, abandoned: 0 };
  const active = new Set<string>();
  let at: Line | undefined = leaf;
  while (at) {
    const uuid = str(at.value.uuid) as string;
    if (active.has(uuid)) break;
    active.add(uuid);
    const parent: string | undefined = str(at.value.parentUuid) ?? str(at.value.logicalParentUuid);
    at = parent ? byUuid.get(parent) : undefined;
  }
  const abandoned = [...byUuid.values()].filter(
    (l) => !active.has(str(l.value.uuid) as string) && CHAIN_TYPES.has(str(l.value.type) ?? "") && !l.value.isMeta,
  ).length;
  return { active, abandoned };
}

function usageOf(u: unknown): Partial<Usage> | undefined {
  const o = obj(u);
  if (!o) return undefined;
  return {
    input: num(o.input_tokens) ?? 0,
    output: num(o.output_tokens) ?? 0,
    cacheRead: num(o.cache_read_input_tokens) ?? 0,
    cacheWrite: num(o.cache_creation_input_tokens) ?? 0,
  };
}

function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  return arr(content)
    .map((p) => {
      const part = obj(p);
      if (part?.type === "text") return str(part.text) ?? "";
      if (part?.type === "image") return "[image]";
      return "";
    })
    .join("\n");
}

function mapLines(lines: Line[], subagents: FileLines[]): { messages: Message[]; usage: Usage; notices: string[] } {
  const { active, abandoned } = activeBranch(lines);
  const messages: Message[] = [];
  const notices: string[] = [];
  const usage = zeroUsage();
  const calls = new Map<string, Extract<Block, { kind: "tool_call" }>>();
  const countedUsage = new Set<string>();
  let lastAssistantId: string | undefined;

  const push = (role: Role, blocks: Block[], line: Line, extra: Partial<Message> = {}) => {
    if (blocks.length === 0) return;
    messages.push({ index: messages.length, role, blocks, timestamp: time(line.value.timestamp), line: line.n, ...extra });
    lastAssistantId = undefined;
  };

  for (const line of lines) {
    const v = line.value;
    const type = str(v.type) ?? "";
    const uuid = str(v.uuid);
    if (active && uuid && CHAIN_TYPES.has(type) && !active.has(uuid)) continue;
    if (SILENT_TYPES.has(type)) continue;
    const message = obj(v.message);

    if (type === "assistant") {
      const id = str(message?.id);
      const model = str(message?.model);
      if (model === "<synthetic>") {
        push("system", [{ kind: "notice", text: textOf(message?.content) || "The API returned an error." }], line);
        continue;
      }
      const blocks: Block[] = [];
      for (const part of arr(message?.content)) {
        const p = obj(part);
        if (!p) continue;
        if (p.type === "text" && str(p.text)?.trim()) blocks.push({ kind: "text", text: str(p.text) as string });
        else if (p.type === "thinking" && str(p.thinking)?.trim()) blocks.push({ kind: "thinking", text: str(p.thinking) as string });
        else if (p.type === "tool_use") {
          const call: Extract<Block, { kind: "tool_call" }> = {
            kind: "tool_call",
            id: str(p.id) ?? "",
            name: str(p.name) ?? "tool",
            input: p.input,
          };
          calls.set(call.id, call);
          blocks.push(call);
        } else if (p.type !== "redacted_thinking") blocks.push(rawBlock(`assistant ${String(p.type)}`, p));
      }
      // One API response is split over several lines sharing message.id (with the same usage repeated).
      const u = usageOf(message?.usage);
      if (id && !countedUsage.has(id) && u) {
        countedUsage.add(id);
        usage.input += u.input ?? 0;
        usage.output += u.output ?? 0;
        usage.cacheRead += u.cacheRead ?? 0;
        usage.cacheWrite += u.cacheWrite ?? 0;
      }
      const previous = messages.at(-1);
      if (id && previous && lastAssistantId === id) {
        previous.blocks.push(...blocks);
        previous.line = line.n;
        continue;
      }
      if (blocks.length) {
        push("assistant", blocks, line, { model, usage: u as Usage | undefined });
        lastAssistantId = id;
      }
      continue;
    }

    if (type === "user") {
      if (v.isMeta) continue;
      const content = message?.content;
      if (v.isCompactSummary) {
        push("system", [{ kind: "summary", label: "Conversation compacted: summary", text: textOf(content) }], line);
        continue;
      }
      const blocks: Block[] = [];
      const parts = typeof content === "string" ? [{ type: "text", text: content }] : arr(content);
      for (const part of parts) {
        const p = obj(part);
        if (!p) continue;
        if (p.type === "tool_result") {
          const call = calls.get(str(p.tool_use_id) ?? "");
          const result = { output: resultText(p.content), isError: p.is_error === true, detail: v.toolUseResult };
          if (call) call.result = result;
          else blocks.push({ kind: "notice", text: `Result of an unknown tool call: ${result.output.slice(0, 500)}` });
          const agentId = str(obj(v.toolUseResult)?.agentId);
          if (call && agentId) {
            const sub = subagents.find((s) => s.name.includes(agentId));
            if (sub) {
              call.children = mapLines(sub.lines, []).messages;
              sub.name = "";
            }
          }
        } else if (p.type === "text") {
          const text = str(p.text) ?? "";
          if (/^\[Request interrupted by user/.test(text)) blocks.push({ kind: "notice", text: "Interrupted by the user." });
          else if (text.trim()) blocks.push({ kind: "text", text });
        } else if (p.type === "image") {
          const source = obj(p.source);
          const data = str(source?.data);
          if (data) blocks.push({ kind: "image", mediaType: str(source?.media_type) ?? "image/png", data });
        } else blocks.push(rawBlock(`user ${String(p.type)}`, p));
      }
      const onlyNotices = blocks.every((b) => b.kind === "notice");
      push(onlyNotices ? "system" : "user", blocks, line);
      continue;
    }

    if (type === "system") {
      const subtype = str(v.subtype);
      if (subtype === "turn_duration") continue;
      if (subtype === "compact_boundary") push("system", [{ kind: "notice", text: "Conversation compacted." }], line);
      else if (str(v.content)) push("system", [{ kind: "notice", text: str(v.content) as string }], line);
      continue;
    }

    push("system", [rawBlock(type || "unknown record", v)], line);
  }
  if (abandoned) notices.push(`${abandoned} message(s) on abandoned branches (rewound) are not shown.`);
  return { messages, usage, notices };
}

export function mapClaudeCode(text: string): Conversation {
  const parsed = parseJsonl(text);
  const { main, subagents } = splitFiles(parsed.lines);
  const { messages, usage, notices } = mapLines(main, subagents);
  // Sub-agent transcripts no Task call claimed are still shown, at the end.
  for (const sub of subagents.filter((s) => s.name)) {
    const children = mapLines(sub.lines, []).messages;
    const first = sub.lines[0];
    if (first && children.length) {
      messages.push({
        index: messages.length,
        role: "system",
        blocks: [{ kind: "tool_call", id: sub.name, name: "Sub-agent", input: { file: sub.name }, children }],
        timestamp: time(first.value.timestamp),
        line: first.n,
      });
    }
  }
  return { agent: "claude-code", messages, notices: [...badLineNotices(parsed), ...notices], usage };
}

export const claudeCodeFormat: TranscriptFormat = {
  map: mapClaudeCode,
  prompt(record, message) {
    if (record.type !== "user" || record.isMeta || record.isSidechain || record.isCompactSummary) return null;
    return titleLine(promptText(message?.content));
  },
  isMessageLine: typedLine("user", "assistant"),
  filesTouched: fileKeys("file_path", "notebook_path"),
};
