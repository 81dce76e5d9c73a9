// Gemini CLI chats → Conversation. Shapes, newest first:
// - JSONL (~/.gemini/tmp/<project>/chats/session-*.jsonl, since ~0.39): a metadata line, then message records
//   re-appended with the same id when they change (the last version wins); `{$set}` updates metadata, and a
//   `$set` of `messages` replaces the whole history (Gemini CLI rewriting its context); `{$rewindTo: id}` drops
//   that message and every one after it.
// - One JSON document `{sessionId, projectHash, …, messages}` (chats/session-*.json before JSONL).
// - A saved chat (`/chat save`, checkpoint-<tag>.json): the model's history as Gemini API contents
//   `[{role: "user" | "model", parts}]`, or (newer) `{history: [...], …}`.
// - The prompt log (logs.json): `[{sessionId, messageId, type: "user", message, timestamp}]`, prompts only.
// Messages the user rewound, or that a rewrite of the history dropped, stay where they were (folded when rewound).

import { fileKeys, type TranscriptFormat, titleLine, typedLine, type WindowMapping } from "./format.ts";
import { arr, badLineNotices, COMPACTED, foldBlock, jsonDocument, type Line, num, obj, parseJsonl, rawBlock, str, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, type Role, zeroUsage } from "./model.ts";
import { type GeminiContext, type GeminiStructure, geminiStructure, geminiWindow, rewrittenHistory } from "./structure/gemini.ts";

type ToolCall = Extract<Block, { kind: "tool_call" }>;

/** Context Gemini CLI sends as the first user message (date, OS, directory listing): not typed by the user. */
const HARNESS_CONTEXT = /^\s*<session_context>/;

/** The summary Gemini CLI writes when it compresses the history: sent as a user message, written by the model. */
const STATE_SNAPSHOT = /^\s*<state_snapshot>/;

function partsText(content: unknown, thoughts: boolean): string {
  if (typeof content === "string") return thoughts ? "" : content;
  return arr(content)
    .flatMap((p) => {
      const part = obj(p);
      return part && typeof part.text === "string" && (part.thought === true) === thoughts ? [part.text] : [];
    })
    .join("");
}

/** Inline data parts: images shown, other files (a PDF) named by their type. */
function images(content: unknown): Block[] {
  return arr(content).flatMap((p): Block[] => {
    const inline = obj(obj(p)?.inlineData);
    if (!inline || !str(inline.data)) return [];
    const mediaType = str(inline.mimeType) ?? "application/octet-stream";
    return mediaType.startsWith("image/")
      ? [{ kind: "image", mediaType, data: str(inline.data) as string }]
      : [{ kind: "notice", text: `(an attached ${mediaType} file)` }];
  });
}

/** A function response's text: its output, its error, or the response as JSON. */
function responseText(parts: unknown): string {
  return arr(parts)
    .map((r) => {
      const part = obj(r);
      const response = obj(obj(part?.functionResponse)?.response);
      if (!response) return str(part?.text) ?? "";
      const value = response.output ?? response.error ?? response.content ?? response;
      return typeof value === "string" ? value : JSON.stringify(value);
    })
    .filter(Boolean)
    .join("\n");
}

function resultDisplay(v: unknown): string {
  if (typeof v === "string") return v;
  const o = obj(v);
  return str(o?.fileDiff) ?? str(o?.result) ?? (o ? JSON.stringify(o) : "");
}

/**
 * A sub-agent call (0.61+: codebase_investigator, generalist, …) keeps what the sub-agent did in its display:
 * `{isSubagentProgress, agentName, recentActivity: [thought | tool_call], state, result}`. Its full chat is a
 * separate file (chats/<parent session>/<id>.jsonl); this is the part the parent's file holds.
 */
function subagentMessages(display: unknown, timestamp: number | null, line: number): Message[] | undefined {
  const progress = obj(display);
  if (progress?.isSubagentProgress !== true) return undefined;
  const blocks = arr(progress.recentActivity).flatMap((a): Block[] => {
    const act = obj(a) ?? {};
    const content = str(act.content) ?? "";
    if (act.type === "thought") return content.trim() ? [{ kind: act.status === "error" ? "notice" : "thinking", text: content }] : [];
    if (act.type !== "tool_call") return [rawBlock(`sub-agent activity ${String(act.type)}`, act)];
    const status = str(act.status);
    const done = status === "completed" || status === "error" || status === "cancelled";
    let input: unknown = act.args;
    try {
      input = JSON.parse(str(act.args) ?? "");
    } catch {
      // kept as the string it was
    }
    const result = done ? { output: status === "completed" ? "" : (status as string), isError: status !== "completed" } : undefined;
    return [{ kind: "tool_call", id: str(act.id) ?? "", name: str(act.displayName) ?? (content || "tool"), input, result }];
  });
  if (str(progress.result)?.trim()) blocks.push({ kind: "text", text: str(progress.result) as string });
  return blocks.length ? [{ index: 0, role: "assistant", blocks, timestamp, line }] : undefined;
}

function toolCall(c: Record<string, unknown>, line: number): ToolCall {
  const status = str(c.status);
  const output = responseText(c.result) || resultDisplay(c.resultDisplay);
  const call: ToolCall = {
    kind: "tool_call",
    id: str(c.id) ?? "",
    name: str(c.displayName) ?? str(c.name) ?? "tool",
    input: c.args,
    result: status || output ? { output, isError: status === "error" || status === "cancelled" } : undefined,
  };
  const children = subagentMessages(c.resultDisplay, time(c.timestamp), line);
  if (children) call.children = children;
  return call;
}

function recordMessage(v: Record<string, unknown>, line: number): Omit<Message, "index"> | null {
  const type = str(v.type);
  const base = { timestamp: time(v.timestamp), line };
  if (type === "user") {
    const sent = partsText(v.content, false);
    const typed = partsText(v.displayContent, false);
    if (HARNESS_CONTEXT.test(sent))
      return { ...base, role: "system", blocks: [{ kind: "summary", label: "Context Gemini CLI sent with the prompt", text: sent }] };
    if (STATE_SNAPSHOT.test(sent)) return { ...base, role: "system", blocks: [{ kind: "summary", label: COMPACTED, text: sent }] };
    // What the user typed, and what was sent when Gemini CLI expanded it (@file references).
    const blocks: Block[] = [];
    if (typed.trim()) blocks.push({ kind: "text", text: typed });
    if (sent.trim() && sent !== typed)
      blocks.push(typed.trim() ? { kind: "summary", label: "As sent to the model", text: sent } : { kind: "text", text: sent });
    blocks.push(...images(v.content));
    // A user record of function responses only repeats the results already on the calls.
    return blocks.length ? { ...base, role: "user", blocks } : null;
  }
  if (type === "gemini" || type === "model") {
    const blocks: Block[] = [];
    for (const thought of arr(v.thoughts)) {
      const t = obj(thought);
      const body = [str(t?.subject), str(t?.description)].filter(Boolean).join(": ");
      if (body) blocks.push({ kind: "thinking", text: body });
    }
    const thought = partsText(v.content, true);
    if (thought.trim()) blocks.push({ kind: "thinking", text: thought });
    const text = partsText(v.content, false);
    if (text.trim()) blocks.push({ kind: "text", text });
    for (const c of arr(v.toolCalls)) if (obj(c)) blocks.push(toolCall(obj(c) as Record<string, unknown>, line));
    // Records Gemini CLI writes from its history (a rewrite) keep calls as parts rather than `toolCalls`.
    if (!arr(v.toolCalls).length)
      for (const p of arr(v.content)) {
        const call = obj(obj(p)?.functionCall);
        if (call) blocks.push({ kind: "tool_call", id: str(call.id) ?? "", name: str(call.name) ?? "tool", input: call.args });
      }
    const tokens = obj(v.tokens);
    const usage = tokens
      ? { input: num(tokens.input) ?? 0, output: num(tokens.output) ?? 0, cacheRead: num(tokens.cached) ?? 0, cacheWrite: 0 }
      : undefined;
    return blocks.length ? { ...base, role: "assistant", blocks, model: str(v.model), usage } : null;
  }
  if (type === "info" || type === "error" || type === "warning") {
    const text = partsText(v.content, false);
    // Binary content the user attached (a PDF, an image) arrives as an `info` record of inline data.
    const blocks: Block[] = [...(text.trim() ? [{ kind: "notice" as const, text }] : []), ...images(v.content)];
    return blocks.length ? { ...base, role: "system", blocks } : null;
  }
  return { ...base, role: "system", blocks: [rawBlock(type ?? "unknown record", v)] };
}

/** A saved chat: Gemini API contents; function calls in model turns, their responses in the next user turn. */
function contentsMessages(contents: unknown[]): Omit<Message, "index">[] {
  const calls: ToolCall[] = [];
  return contents.flatMap((c, i): Omit<Message, "index">[] => {
    const content = obj(c) ?? {};
    const parts = arr(content.parts);
    const role: Role = content.role === "model" ? "assistant" : "user";
    const blocks: Block[] = [];
    for (const p of parts) {
      const part = obj(p) ?? {};
      const call = obj(part.functionCall);
      const response = obj(part.functionResponse);
      if (typeof part.text === "string" && part.text.trim()) blocks.push({ kind: part.thought ? "thinking" : "text", text: part.text });
      else if (call) {
        const block: ToolCall = { kind: "tool_call", id: str(call.id) ?? `call-${i}`, name: str(call.name) ?? "tool", input: call.args };
        calls.push(block);
        blocks.push(block);
      } else if (response) {
        const owner = calls.find((b) => !b.result && (b.id === str(response.id) || b.name === str(response.name)));
        const result = { output: responseText([part]), isError: obj(response.response)?.error !== undefined };
        if (owner) owner.result = result;
        else blocks.push({ kind: "notice", text: `Result of an unknown tool call: ${result.output.slice(0, 500)}` });
      } else if (!part.inlineData) blocks.push(rawBlock("part", part));
    }
    blocks.push(...images(parts));
    return blocks.length ? [{ role, blocks, timestamp: null, line: i + 1 }] : [];
  });
}

function indexed(list: Omit<Message, "index">[], notices: string[]): Conversation {
  const messages = list.map((m, index) => ({ ...m, index }) as Message);
  const usage = zeroUsage();
  for (const m of messages) addUsage(usage, m.usage);
  return { agent: "gemini", messages, notices, usage };
}

export function mapGemini(text: string): Conversation {
  const doc = jsonDocument(text);
  // Saved chats were a bare array of contents, and are now `{history, …}`.
  const history = obj(doc)?.history;
  if (Array.isArray(history)) return indexed(contentsMessages(history), []);
  if (Array.isArray(doc)) {
    const first = obj(doc[0]);
    if (first && "parts" in first) return indexed(contentsMessages(doc), []);
    const prompts = doc.flatMap((d, i) => {
      const entry = obj(d);
      return entry ? [recordMessage({ ...entry, content: entry.message ?? entry.content }, i + 1)] : [];
    });
    return indexed(
      prompts.filter((m) => m !== null),
      ["This is Gemini CLI's prompt log: it holds the prompts, not the replies."],
    );
  }
  const single = obj(doc);
  let lines: Line[];
  let notices: string[] = [];
  if (single && Array.isArray(single.messages) && !single.$set) {
    // The single-document chat of older versions: one record per message, in order.
    lines = single.messages.flatMap((m, i) => (obj(m) ? [{ n: i + 1, value: obj(m) as Record<string, unknown> }] : []));
  } else {
    const parsed = parseJsonl(text);
    lines = parsed.lines;
    notices = badLineNotices(parsed);
  }
  const pass = geminiStructure();
  for (const line of lines) pass.line(line);
  const conversation = mapGeminiLines(lines, geminiWindow(pass.finish(), 1, lines.at(-1)?.n ?? 0).context);
  return { ...conversation, notices: [...notices, ...conversation.notices] };
}

/**
 * The conversation of some lines of a JSONL chat — the whole file or a window of it — numbered as in the
 * file. `context` (from the structure pass over the whole file) lists the messages to show, in reading
 * order, each at the line of its last version, and which were rewound: the window does not replay itself.
 */
export function mapGeminiLines(lines: Line[], context: GeminiContext): Conversation {
  const byLine = new Map(lines.map((l) => [l.n, l.value]));
  const out: Omit<Message, "index">[] = [];
  let rewound: Omit<Message, "index">[] = [];
  let rewoundCount = 0;
  const flush = () => {
    if (!rewound.length) return;
    const at = rewound.at(-1) as Omit<Message, "index">;
    rewoundCount += rewound.length;
    const label = `Rewound by the user (${rewound.length} message(s))`;
    out.push({
      role: "system",
      blocks: [
        foldBlock(
          label,
          rewound.map((m, index) => ({ ...m, index })),
        ),
      ],
      timestamp: at.timestamp,
      line: at.line,
    });
    rewound = [];
  };
  for (const item of context.items) {
    const value = byLine.get(item.n);
    const version = value && item.sub !== null ? obj(rewrittenHistory(value)?.[item.sub]) : value;
    const m = version && recordMessage(version, item.n);
    if (!m) continue;
    if (item.rewound) rewound.push(m);
    else {
      flush();
      out.push(m);
    }
  }
  flush();
  const notices: string[] = [];
  if (rewoundCount) notices.push(`${rewoundCount} message(s) the user rewound are folded where they were.`);
  if (context.rewrites)
    notices.push("Gemini CLI rewrote its context during this session; the messages it dropped are still shown where they were.");
  return indexed(out, notices);
}

export const geminiWindows: WindowMapping<GeminiStructure, GeminiContext> = {
  structure: geminiStructure,
  window: geminiWindow,
  mapLines: mapGeminiLines,
};

export const geminiFormat: TranscriptFormat = {
  map: mapGemini,
  prompt(record) {
    if (record.type !== "user") return null;
    const text = partsText(record.displayContent ?? record.content ?? record.message, false);
    return HARNESS_CONTEXT.test(text) ? null : titleLine(text);
  },
  isMessageLine: typedLine("user", "gemini"),
  filesTouched: fileKeys("file_path"),
  // The session header and `$set` metadata updates hold no message; `$rewindTo` changes what is shown.
  kinds: {
    of: (r) => ("$rewindTo" in r ? "$rewindTo" : "$set" in r ? "$set" : typeof r.type === "string" ? r.type : "session header"),
    known: new Set(["user", "gemini", "model", "info", "error", "warning", "$rewindTo"]),
    hidden: new Set(["$set", "session header"]),
  },
};
