// pi session JSONL (~/.pi/agent/sessions/--<cwd>--/<ts>_<uuid>.jsonl) → Conversation.
// v2+ entries form a tree by id/parentId; the leaf is the last entry (possibly a label), and the path from the
// root to it is the conversation that happened. Branches the user left stay, folded where they left off.
// v1 files (before the tree) have no parent links and read in file order; v2 called `custom` `hookMessage`.

import { fileKeys, promptText, type TranscriptFormat, titleLine, typedLine, type WindowMapping } from "./format.ts";
import { arr, badLineNotices, COMPACTED, foldBlock, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, type Role, type Usage, zeroUsage } from "./model.ts";
import { type PiContext, type PiStructure, piStructure, piWindow } from "./structure/pi.ts";
import { inRanges, mergeRanges } from "./structure/ranges.ts";

type ToolCall = Extract<Block, { kind: "tool_call" }>;

// Entries that carry no conversation, each safe to hide because:
const HIDDEN = new Set([
  "session", // the file header: id, cwd, format version, the file it was forked from
  "model_change", // a setting; its model id is kept on the replies that follow
  "thinking_level_change", // a setting
  "custom", // extension state; pi's session-format doc: "does NOT participate in LLM context"
  "session_info", // the session's display name
  "label", // a bookmark on another entry
]);

const BRANCH_SUMMARY = "An abandoned branch, summarized";

/** Maps entries one at a time into messages; tool results find their calls among the entries seen. */
function mapper(model?: string) {
  const messages: Message[] = [];
  const usage = zeroUsage();
  const calls = new Map<string, ToolCall>();

  const push = (role: Role, blocks: Block[], line: Line, extra: Partial<Message> = {}) => {
    if (blocks.length)
      messages.push({ index: messages.length, role, blocks, timestamp: time(line.value.timestamp), line: line.n, ...extra });
  };

  const extensionMessage = (v: Record<string, unknown>, line: Line) => {
    const text = textOf(v.content);
    if (!text.trim()) return;
    // Hidden in pi's UI but sent to the model: kept, folded.
    if (v.display === false)
      push("system", [{ kind: "summary", label: `Extension message (${str(v.customType) ?? "custom"}), hidden in pi`, text }], line);
    else push("system", [{ kind: "notice", text }], line);
  };

  const contentBlocks = (content: unknown): Block[] => {
    const parts = typeof content === "string" ? [{ type: "text", text: content }] : arr(content);
    return parts.flatMap((part): Block[] => {
      const p = obj(part) ?? {};
      if (p.type === "text") return str(p.text)?.trim() ? [{ kind: "text", text: str(p.text) as string }] : [];
      if (p.type === "thinking") {
        if (str(p.thinking)?.trim()) return [{ kind: "thinking", text: str(p.thinking) as string }];
        // Redacted by the provider's safety filters: the opaque payload in the signature is not for people.
        return p.redacted === true ? [{ kind: "notice", text: "(thinking redacted by the provider)" }] : [];
      }
      if (p.type === "image" && str(p.data))
        return [{ kind: "image", mediaType: str(p.mimeType) ?? "image/png", data: str(p.data) as string }];
      if (p.type === "toolCall") {
        const call: ToolCall = { kind: "tool_call", id: str(p.id) ?? "", name: str(p.name) ?? "tool", input: p.arguments };
        calls.set(call.id, call);
        return [call];
      }
      return [rawBlock(`content part ${String(p.type)}`, p)];
    });
  };

  const message = (m: Record<string, unknown>, line: Line) => {
    const role = str(m.role);
    if (role === "user") push("user", contentBlocks(m.content), line);
    else if (role === "assistant") {
      const blocks = contentBlocks(m.content);
      if (str(m.stopReason) === "aborted") blocks.push({ kind: "notice", text: "The reply was aborted." });
      else if (str(m.errorMessage)) blocks.push({ kind: "notice", text: str(m.errorMessage) as string });
      const u = obj(m.usage);
      const msgUsage: Usage | undefined = u
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
      const exit = num(m.exitCode);
      const output = `${str(m.output) ?? ""}${exit ? `\n(exit code ${exit})` : ""}${m.cancelled === true ? "\n(cancelled)" : ""}`;
      const input = { command: m.command };
      const result = { output, isError: (exit ?? 0) !== 0 };
      push("user", [{ kind: "tool_call", id: `bash-${line.n}`, name: "bash (run by the user)", input, result }], line);
    } else if (role === "branchSummary" || role === "compactionSummary") {
      const label = role === "branchSummary" ? BRANCH_SUMMARY : COMPACTED;
      push("system", [{ kind: "summary", label, text: str(m.summary) ?? textOf(m.content) }], line);
    } else if (role === "custom" || role === "hookMessage") extensionMessage(m, line);
    else push("system", [rawBlock(`message ${role ?? "?"}`, m)], line);
  };

  const add = (line: Line) => {
    const v = line.value;
    const type = str(v.type) ?? "";
    if (type === "model_change") model = str(v.modelId) ?? model;
    if (HIDDEN.has(type)) return;
    if (type === "message") message(obj(v.message) ?? {}, line);
    else if (type === "compaction") push("system", [{ kind: "summary", label: COMPACTED, text: str(v.summary) ?? "" }], line);
    else if (type === "branch_summary") push("system", [{ kind: "summary", label: BRANCH_SUMMARY, text: str(v.summary) ?? "" }], line);
    else if (type === "custom_message") extensionMessage(v, line);
    else push("system", [rawBlock(type || "unknown entry", v)], line);
  };

  return { messages, usage, add, push };
}

/**
 * The conversation of some lines of a session — the whole file, or a window of it with the branch entries
 * its folds need — numbered as in the file. `context` (from the structure pass over the whole file) says
 * which entries are the path and which branches fold where: the window does not walk the tree itself.
 */
export function mapPiLines(lines: Line[], context: PiContext): Conversation {
  const byLine = new Map(lines.map((l) => [l.n, l]));
  const folds = new Map(context.folds.map((f) => [`${f.at}${f.before ? "<" : ">"}`, f]));
  const folding = mergeRanges(context.folds.flatMap((f) => f.lines));
  const main = mapper(context.model);
  let folded = 0;
  const fold = (at: Line, before: boolean) => {
    const entries = folds.get(`${at.n}${before ? "<" : ">"}`);
    if (!entries) return;
    const branch = mapper();
    for (const [a, b] of entries.lines)
      for (let n = a; n <= b; n++) {
        const l = byLine.get(n);
        if (l) branch.add(l);
      }
    addUsage(main.usage, branch.usage);
    if (!branch.messages.length) return;
    folded += branch.messages.length;
    main.push("system", [foldBlock(`A branch the user left (${branch.messages.length} message(s))`, branch.messages)], at);
  };
  for (const line of lines) {
    if (inRanges(folding, line.n) || inRanges(context.skip, line.n)) continue;
    // A branch off the very start (the first prompt edited) folds before the first message.
    fold(line, true);
    main.add(line);
    fold(line, false);
  }
  const notices: string[] = [];
  if (folded) notices.push(`${folded} message(s) on abandoned branches are folded where each branch left off.`);
  return { agent: "pi", messages: main.messages, notices, usage: main.usage };
}

export function mapPi(text: string): Conversation {
  const parsed = parseJsonl(text);
  const pass = piStructure();
  for (const line of parsed.lines) pass.line(line);
  const conversation = mapPiLines(parsed.lines, piWindow(pass.finish(), 1, parsed.lines.at(-1)?.n ?? 0).context);
  return { ...conversation, notices: [...badLineNotices(parsed), ...conversation.notices] };
}

export const piWindows: WindowMapping<PiStructure, PiContext> = { structure: piStructure, window: piWindow, mapLines: mapPiLines };

export const piFormat: TranscriptFormat = {
  map: mapPi,
  prompt(record, message) {
    if (record.type !== "message" || message?.role !== "user") return null;
    return titleLine(promptText(message.content));
  },
  isMessageLine: typedLine("message"),
  filesTouched: fileKeys("path"),
  kinds: { known: new Set(["message", "compaction", "branch_summary", "custom_message"]), hidden: HIDDEN },
};
