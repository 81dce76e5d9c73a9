// Gemini CLI chats (~/.gemini/tmp/<project>/chats/session-*.jsonl; older versions: one JSON document).
// Records are re-appended with the same id when they change (the last version wins); `$set` updates
// metadata and `$rewindTo` drops every record after the named one.

import { fileKeys, type TranscriptFormat, titleLine, typedLine } from "./format.ts";
import { arr, badLineNotices, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, zeroUsage } from "./model.ts";

function records(text: string): { lines: Line[]; notices: string[] } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") && !trimmed.includes("\n{")) {
    try {
      const doc = JSON.parse(text) as { messages?: unknown[] };
      return {
        lines: arr(doc.messages).flatMap((m, i) => (obj(m) ? [{ n: i + 1, value: obj(m) as Record<string, unknown> }] : [])),
        notices: [],
      };
    } catch {
      // fall through to JSONL
    }
  }
  const parsed = parseJsonl(text);
  return { lines: parsed.lines, notices: badLineNotices(parsed) };
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return arr(content)
    .map((p) => str(obj(p)?.text) ?? "")
    .join("");
}

export function mapGemini(text: string): Conversation {
  const { lines, notices } = records(text);
  const order: string[] = [];
  const latest = new Map<string, Line>();
  lines.forEach((line, i) => {
    const v = line.value;
    const rewind = str(v.$rewindTo);
    if (rewind) {
      const at = order.indexOf(rewind);
      if (at !== -1) for (const id of order.splice(at + 1)) latest.delete(id);
      return;
    }
    // `$set` updates session metadata; the first line is the session header (no `type`).
    if (v.$set || (v.type === undefined && (v.sessionId !== undefined || v.startTime !== undefined))) return;
    const id = str(v.id) ?? `line-${i}`;
    if (!latest.has(id)) order.push(id);
    latest.set(id, line);
  });

  const messages: Message[] = [];
  const usage = zeroUsage();
  for (const id of order) {
    const line = latest.get(id);
    if (!line) continue;
    const v = line.value;
    const type = str(v.type);
    const blocks: Block[] = [];
    if (type === "user") {
      const t = contentText(v.content);
      if (t.trim()) blocks.push({ kind: "text", text: t });
      if (blocks.length) messages.push({ index: messages.length, role: "user", blocks, timestamp: time(v.timestamp), line: line.n });
      continue;
    }
    if (type === "gemini" || type === "model") {
      for (const thought of arr(v.thoughts)) {
        const t = obj(thought);
        const body = [str(t?.subject), str(t?.description)].filter(Boolean).join(": ");
        if (body) blocks.push({ kind: "thinking", text: body });
      }
      const t = contentText(v.content);
      if (t.trim()) blocks.push({ kind: "text", text: t });
      for (const c of arr(v.toolCalls)) {
        const call = obj(c);
        if (!call) continue;
        const result = arr(call.result)
          .map((r) => textOf(obj(obj(obj(r)?.functionResponse)?.response)?.output ?? obj(r)?.output ?? ""))
          .join("\n");
        blocks.push({
          kind: "tool_call",
          id: str(call.id) ?? "",
          name: str(call.displayName) ?? str(call.name) ?? "tool",
          input: call.args,
          result: call.status || result ? { output: result || str(call.resultDisplay) || "", isError: call.status === "error" } : undefined,
        });
      }
      const tokens = obj(v.tokens);
      const u = tokens
        ? { input: num(tokens.input) ?? 0, output: num(tokens.output) ?? 0, cacheRead: num(tokens.cached) ?? 0, cacheWrite: 0 }
        : undefined;
      addUsage(usage, u);
      if (blocks.length)
        messages.push({
          index: messages.length,
          role: "assistant",
          blocks,
          timestamp: time(v.timestamp),
          line: line.n,
          model: str(v.model),
          usage: u,
        });
      continue;
    }
    if (type === "info" || type === "error" || type === "warning") {
      const t = contentText(v.content);
      if (t)
        messages.push({
          index: messages.length,
          role: "system",
          blocks: [{ kind: "notice", text: t }],
          timestamp: time(v.timestamp),
          line: line.n,
        });
      continue;
    }
    messages.push({
      index: messages.length,
      role: "system",
      blocks: [rawBlock(type ?? "unknown record", v)],
      timestamp: time(v.timestamp),
      line: line.n,
    });
  }
  return { agent: "gemini", messages, notices, usage };
}

export const geminiFormat: TranscriptFormat = {
  map: mapGemini,
  prompt(record) {
    if (record.type !== "user") return null;
    const parts = Array.isArray(record.content) ? record.content : [];
    const text =
      typeof record.content === "string"
        ? record.content
        : parts.map((p) => (p && typeof p === "object" ? ((p as { text?: string }).text ?? "") : "")).join("");
    return titleLine(text);
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
