// pi session v3 JSONL (~/.pi/agent/sessions/--<cwd>--/<ts>_<uuid>.jsonl) → Conversation.
// Entries form a tree by id/parentId; the leaf is the last entry (possibly a label), and only the path from
// the root to it is the conversation that happened. Compactions and abandoned branches appear as summaries.

import { fileKeys, promptText, type TranscriptFormat, titleLine, typedLine } from "./format.ts";
import { arr, badLineNotices, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, type Role, zeroUsage } from "./model.ts";

const SILENT = new Set(["session", "thinking_level_change", "custom", "session_info", "label", "model_change"]);

function activePath(lines: Line[]): { path: Line[]; abandoned: number } {
  const entries = lines.filter((l) => str(l.value.id));
  const byId = new Map(entries.map((l) => [str(l.value.id) as string, l]));
  const leaf = entries.at(-1);
  if (!leaf) return { path: lines, abandoned: 0 };
  const onPath = new Set<Line>();
  let at: Line | undefined = leaf;
  while (at && !onPath.has(at)) {
    onPath.add(at);
    const parent = str(at.value.parentId);
    at = parent ? byId.get(parent) : undefined;
  }
  const abandoned = entries.filter((l) => !onPath.has(l) && l.value.type === "message").length;
  return { path: lines.filter((l) => !str(l.value.id) || onPath.has(l)), abandoned };
}

export function mapPi(text: string): Conversation {
  const parsed = parseJsonl(text);
  const { path, abandoned } = activePath(parsed.lines);
  const messages: Message[] = [];
  const usage = zeroUsage();
  const calls = new Map<string, Extract<Block, { kind: "tool_call" }>>();
  let model: string | undefined;

  const push = (role: Role, blocks: Block[], line: Line, extra: Partial<Message> = {}) => {
    if (blocks.length)
      messages.push({ index: messages.length, role, blocks, timestamp: time(line.value.timestamp), line: line.n, ...extra });
  };

  for (const line of path) {
    const v = line.value;
    const type = str(v.type) ?? "";
    if (type === "model_change") model = str(v.modelId) ?? model;
    if (SILENT.has(type)) continue;
    if (type === "compaction") {
      push("system", [{ kind: "summary", label: "Conversation compacted: summary", text: str(v.summary) ?? "" }], line);
      continue;
    }
    if (type === "branch_summary") {
      push("system", [{ kind: "summary", label: "An abandoned branch, summarized", text: str(v.summary) ?? "" }], line);
      continue;
    }
    if (type === "custom_message") {
      if (v.display !== false) push("system", [{ kind: "notice", text: textOf(v.content) }], line);
      continue;
    }
    if (type !== "message") {
      push("system", [rawBlock(type || "unknown entry", v)], line);
      continue;
    }
    const m = obj(v.message) ?? {};
    const role = str(m.role);
    if (role === "user") {
      const blocks: Block[] = [];
      const parts = typeof m.content === "string" ? [{ type: "text", text: m.content }] : arr(m.content);
      for (const part of parts) {
        const p = obj(part);
        if (p?.type === "text" && str(p.text)?.trim()) blocks.push({ kind: "text", text: str(p.text) as string });
        else if (p?.type === "image" && str(p.data))
          blocks.push({ kind: "image", mediaType: str(p.mimeType) ?? "image/png", data: str(p.data) as string });
      }
      push("user", blocks, line);
    } else if (role === "assistant") {
      const blocks: Block[] = [];
      for (const part of arr(m.content)) {
        const p = obj(part);
        if (p?.type === "text" && str(p.text)?.trim()) blocks.push({ kind: "text", text: str(p.text) as string });
        else if (p?.type === "thinking" && str(p.thinking)?.trim()) blocks.push({ kind: "thinking", text: str(p.thinking) as string });
        else if (p?.type === "toolCall") {
          const call: Extract<Block, { kind: "tool_call" }> = {
            kind: "tool_call",
            id: str(p.id) ?? "",
            name: str(p.name) ?? "tool",
            input: p.arguments,
          };
          calls.set(call.id, call);
          blocks.push(call);
        }
      }
      if (str(m.stopReason) === "aborted") blocks.push({ kind: "notice", text: "The reply was aborted." });
      if (str(m.errorMessage) && str(m.stopReason) !== "aborted") blocks.push({ kind: "notice", text: str(m.errorMessage) as string });
      const u = obj(m.usage);
      const msgUsage = u
        ? { input: num(u.input) ?? 0, output: num(u.output) ?? 0, cacheRead: num(u.cacheRead) ?? 0, cacheWrite: num(u.cacheWrite) ?? 0 }
        : undefined;
      addUsage(usage, msgUsage);
      push("assistant", blocks, line, { model: str(m.model) ?? model, usage: msgUsage });
    } else if (role === "toolResult") {
      const call = calls.get(str(m.toolCallId) ?? "");
      const result = { output: textOf(m.content), isError: m.isError === true, detail: m.details };
      if (call) call.result = result;
      else push("system", [{ kind: "notice", text: `Result of an unknown tool call: ${result.output.slice(0, 500)}` }], line);
    } else if (role === "bashExecution") {
      const output = `${str(m.output) ?? ""}${num(m.exitCode) ? `\n(exit code ${m.exitCode})` : ""}`;
      push(
        "user",
        [
          {
            kind: "tool_call",
            id: `bash-${line.n}`,
            name: "bash (run by the user)",
            input: { command: m.command },
            result: { output, isError: (num(m.exitCode) ?? 0) !== 0 },
          },
        ],
        line,
      );
    } else if (role === "branchSummary" || role === "compactionSummary") {
      push(
        "system",
        [
          {
            kind: "summary",
            label: role === "branchSummary" ? "An abandoned branch, summarized" : "Conversation compacted: summary",
            text: str(m.summary) ?? textOf(m.content),
          },
        ],
        line,
      );
    } else if (role === "custom") {
      if (m.display !== false) push("system", [{ kind: "notice", text: textOf(m.content) }], line);
    } else push("system", [rawBlock(`message ${role ?? "?"}`, m)], line);
  }
  const notices = badLineNotices(parsed);
  if (abandoned) notices.push(`${abandoned} message(s) on abandoned branches are not shown.`);
  return { agent: "pi", messages, notices, usage };
}

export const piFormat: TranscriptFormat = {
  map: mapPi,
  prompt(record, message) {
    if (record.type !== "message" || message?.role !== "user") return null;
    return titleLine(promptText(message.content));
  },
  isMessageLine: typedLine("message"),
  filesTouched: fileKeys("path"),
  kinds: { known: new Set(["message", "compaction", "branch_summary", "custom_message"]), hidden: SILENT },
};
