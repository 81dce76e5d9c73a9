// OpenCode sessions → Conversation, as `opencode export <id>` writes them (one JSON document, pretty-printed:
// {info, messages: [{info, parts}]}) or as the residue plugin writes them (JSONL: a session line, then one
// {type: "message", info, parts} a line). Messages of OpenCode before its v2 message format (mid-2025) carry
// role and parts at the top level and tool calls as AI-SDK `tool-invocation` parts.
// Tool parts carry call and result together; compaction may have cleared old outputs (shown as such), and
// its summary is an assistant message marked `summary: true`, after which the earlier messages stay.

import { fileKeys, type TranscriptFormat, titleLine, typedLine, type WindowMapping } from "./format.ts";
import { arr, badLineNotices, COMPACTED, jsonDocument, type Line, num, obj, parseJsonl, rawBlock, str, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, zeroUsage } from "./model.ts";
import { isMessageRecord, type OpenCodeContext, type OpenCodeStructure, openCodeStructure, openCodeWindow } from "./structure/opencode.ts";

interface Entry {
  value: unknown;
  line: number;
}

// Parts that carry no conversation, each safe to hide because:
const HIDDEN_PARTS = new Set([
  "step-start", // a model step's start: a snapshot hash
  "step-finish", // its end: token counts and cost, which the message's own totals include
  "snapshot", // a work-tree snapshot hash for undo
  "patch", // the files a step changed, by hash; the tool calls that changed them are shown
]);

function entries(text: string): { list: Entry[]; notices: string[] } | { lines: Line[]; notices: string[] } {
  const doc = obj(jsonDocument(text));
  if (doc && Array.isArray(doc.messages)) return { list: doc.messages.map((value, i) => ({ value, line: i + 1 })), notices: [] };
  const parsed = parseJsonl(text);
  // Nothing readable from text that began as a document: an export cut short.
  if (!parsed.lines.some((l) => isMessageRecord(l.value)) && parsed.bad.length && text.trimStart().startsWith("{"))
    return { list: [], notices: ["This OpenCode export is not valid JSON (it may be cut short)."] };
  return { lines: parsed.lines, notices: badLineNotices(parsed) };
}

/**
 * A `task` call runs a sub-agent in an OpenCode session of its own. The parent keeps what it said last (in the
 * output, `<task …><task_result>…</task_result></task>`; older versions put the text first) and, in older
 * versions, the sub-agent's tool calls (`metadata.summary`): shown as the conversation under the call.
 */
function taskChildren(output: string, metadata: Record<string, unknown>, line: number): Message[] | undefined {
  const blocks: Block[] = arr(metadata.summary).flatMap((t): Block[] => {
    const part = obj(t);
    const state = obj(part?.state) ?? {};
    if (!part) return [];
    return [{ kind: "tool_call", id: str(part.id) ?? "", name: str(part.tool) ?? "tool", input: { description: state.title } }];
  });
  const said = /<task_(?:result|error)>\n?([\s\S]*?)\n?<\/task_(?:result|error)>/.exec(output)?.[1] ?? output.split("<task_metadata>")[0];
  if (said?.trim()) blocks.push({ kind: "text", text: said.trim() });
  return blocks.length ? [{ index: 0, role: "assistant", blocks, timestamp: null, line }] : undefined;
}

function toolBlock(p: Record<string, unknown>, fallbackId: string, line: number): Block {
  const state = obj(p.state) ?? {};
  const status = str(state.status);
  const output =
    status === "error"
      ? (str(state.error) ?? "")
      : str(state.output) || (obj(state.time)?.compacted ? "(output cleared by compaction)" : "");
  const call: Block = {
    kind: "tool_call",
    id: str(p.callID) ?? fallbackId,
    name: str(p.tool) ?? "tool",
    input: state.input,
    result: status === "completed" || status === "error" ? { output, isError: status === "error" } : undefined,
  };
  const children = p.tool === "task" && status === "completed" ? taskChildren(output, obj(state.metadata) ?? {}, line) : undefined;
  if (children) call.children = children;
  return call;
}

/** The AI-SDK tool invocation of OpenCode's first message format: {state: call | partial-call | result, …}. */
function invocationBlock(p: Record<string, unknown>, fallbackId: string): Block {
  const t = obj(p.toolInvocation) ?? {};
  const result = t.result;
  return {
    kind: "tool_call",
    id: str(t.toolCallId) ?? fallbackId,
    name: str(t.toolName) ?? "tool",
    input: t.args,
    result:
      t.state === "result" ? { output: typeof result === "string" ? result : (JSON.stringify(result) ?? ""), isError: false } : undefined,
  };
}

function partBlocks(p: Record<string, unknown>, id: string, line: number): Block[] {
  switch (p.type) {
    case "text": {
      const text = str(p.text) ?? "";
      if (!text.trim()) return [];
      // Text OpenCode adds itself (file contents it read for an @-mention, notes to the model): kept, folded.
      return p.synthetic ? [{ kind: "summary", label: "Added by OpenCode", text }] : [{ kind: "text", text }];
    }
    case "reasoning":
      return str(p.text)?.trim() ? [{ kind: "thinking", text: str(p.text) as string }] : [];
    case "tool":
      return [toolBlock(p, id, line)];
    case "tool-invocation":
      return [invocationBlock(p, id)];
    case "file": {
      const url = str(p.url) ?? "";
      const image = /^data:(image\/(?:png|jpeg|gif|webp));base64,(.*)$/s.exec(url);
      if (image) return [{ kind: "image", mediaType: image[1] as string, data: image[2] as string }];
      return [{ kind: "notice", text: `Attached file: ${str(p.filename) ?? (url || "?")}` }];
    }
    case "source-url":
      return [{ kind: "notice", text: `Source: ${str(p.title) ?? ""} ${str(p.url) ?? ""}`.trim() }];
    case "agent":
      return [{ kind: "notice", text: `Asked the @${str(p.name) ?? "?"} agent.` }];
    case "subtask":
      // A sub-agent task the user started with a command; its conversation is a separate OpenCode session.
      return [
        { kind: "tool_call", id, name: `subtask (${str(p.agent) ?? "agent"})`, input: { description: p.description, prompt: p.prompt } },
      ];
    case "retry": {
      const error = obj(p.error);
      const message = str(obj(error?.data)?.message) ?? str(error?.message) ?? "";
      return [{ kind: "notice", text: `Retried the request (attempt ${num(p.attempt) ?? "?"})${message ? `: ${message}` : "."}` }];
    }
    case "compaction":
      return [
        { kind: "notice", text: `Conversation compacted${p.auto ? " (automatically)" : ""}; the messages before it are kept above.` },
      ];
    default:
      return HIDDEN_PARTS.has(str(p.type) ?? "") ? [] : [rawBlock(`part ${String(p.type)}`, p)];
  }
}

export function mapOpenCode(text: string): Conversation {
  const read = entries(text);
  if ("list" in read) return { ...mapEntries(read.list, 0), notices: read.notices };
  const pass = openCodeStructure();
  for (const line of read.lines) pass.line(line);
  const conversation = mapOpenCodeLines(read.lines, openCodeWindow(pass.finish(), 1, read.lines.at(-1)?.n ?? 0).context);
  return { ...conversation, notices: read.notices };
}

/**
 * The conversation of some lines of a plugin session — the whole file or a window of it — numbered as in
 * the file; `context` says how many messages come before them.
 */
export function mapOpenCodeLines(lines: Line[], context: OpenCodeContext): Conversation {
  const list = lines.filter((l) => isMessageRecord(l.value)).map((l) => ({ value: l.value as unknown, line: l.n }));
  return mapEntries(list, context.before);
}

export const openCodeWindows: WindowMapping<OpenCodeStructure, OpenCodeContext> = {
  structure: openCodeStructure,
  window: openCodeWindow,
  mapLines: mapOpenCodeLines,
};

/** Messages in order; `before` of the session's messages come before the first. */
function mapEntries(list: Entry[], before: number): Conversation {
  const messages: Message[] = [];
  const usage = zeroUsage();
  list.forEach(({ value: entry, line }, at) => {
    const i = before + at;
    const e = obj(entry) ?? {};
    // v2 messages keep their fields in `info`; the first format kept them at the top, with `metadata`.
    const info = obj(e.info) ?? e;
    const meta = obj(info.metadata);
    const role = str(info.role) === "user" ? "user" : "assistant";
    let blocks = arr(e.parts).flatMap((part, j) =>
      obj(part) ? partBlocks(obj(part) as Record<string, unknown>, `tool-${i}-${j}`, line) : [],
    );
    // The summary a compaction writes: what the model is told about the messages before it.
    if (role === "assistant" && (info.summary === true || obj(meta?.assistant)?.summary === true)) {
      const summary = blocks.flatMap((b) => (b.kind === "text" ? [b.text] : [])).join("\n\n");
      blocks = [
        ...(summary ? [{ kind: "summary" as const, label: COMPACTED, text: summary }] : []),
        ...blocks.filter((b) => b.kind !== "text"),
      ];
    }
    const error = obj(info.error) ?? obj(obj(meta?.assistant)?.error);
    if (error) blocks.push({ kind: "notice", text: str(obj(error.data)?.message) ?? str(error.name) ?? "The reply failed." });
    const tokens = obj(info.tokens) ?? obj(obj(meta?.assistant)?.tokens);
    const u = tokens
      ? {
          input: num(tokens.input) ?? 0,
          output: num(tokens.output) ?? 0,
          cacheRead: num(obj(tokens.cache)?.read) ?? 0,
          cacheWrite: num(obj(tokens.cache)?.write) ?? 0,
        }
      : undefined;
    addUsage(usage, u);
    if (blocks.length) {
      messages.push({
        index: messages.length,
        role,
        blocks,
        timestamp: time(obj(info.time)?.created ?? obj(meta?.time)?.created),
        line,
        model: str(info.modelID) ?? str(obj(meta?.assistant)?.modelID),
        usage: u,
      });
    }
  });
  return { agent: "opencode", messages, notices: [], usage };
}

export const openCodeFormat: TranscriptFormat = {
  map: mapOpenCode,
  prompt(record) {
    const info = record.info as { role?: string } | undefined;
    if (record.type !== "message" || info?.role !== "user") return null;
    const parts = Array.isArray(record.parts) ? (record.parts as { type?: string; text?: string; synthetic?: boolean }[]) : [];
    return titleLine(parts.find((p) => p.type === "text" && !p.synthetic)?.text ?? "");
  },
  isMessageLine: typedLine("message"),
  filesTouched: fileKeys("filePath"),
  // The plugin's first line describes the session (title, times); messages follow it.
  kinds: { known: new Set(["message"]), hidden: new Set(["session"]) },
};
