// OpenCode sessions: as `opencode export <id>` writes them ({info, messages: [{info, parts}]}), or as the
// residue plugin writes them (JSONL: a session line, then one {type: "message", info, parts} a line).
// Tool parts carry call and result together; compaction may have cleared old outputs (shown as such).

import { fileKeys, type TranscriptFormat, titleLine, typedLine } from "./format.ts";
import { arr, badLineNotices, num, obj, parseJsonl, rawBlock, str, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, zeroUsage } from "./model.ts";

interface Entry {
  value: unknown;
  line: number;
}

function entries(text: string): { list: Entry[]; notices: string[] } {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") && !trimmed.includes("\n")) {
    try {
      const doc = obj(JSON.parse(trimmed));
      if (doc && Array.isArray(doc.messages)) return { list: doc.messages.map((value, i) => ({ value, line: i + 1 })), notices: [] };
    } catch {
      return { list: [], notices: ["This OpenCode export is not valid JSON (it may be cut short)."] };
    }
  }
  const parsed = parseJsonl(text);
  const list = parsed.lines.filter((l) => l.value.type === "message").map((l) => ({ value: l.value as unknown, line: l.n }));
  return { list, notices: badLineNotices(parsed) };
}

export function mapOpenCode(text: string): Conversation {
  const { list, notices } = entries(text);
  const messages: Message[] = [];
  const usage = zeroUsage();
  list.forEach(({ value: entry, line }, i) => {
    const e = obj(entry);
    const info = obj(e?.info) ?? {};
    const role = str(info.role) === "user" ? "user" : "assistant";
    const blocks: Block[] = [];
    for (const part of arr(e?.parts)) {
      const p = obj(part);
      if (!p) continue;
      switch (p.type) {
        case "text":
          if (str(p.text)?.trim() && !p.synthetic) blocks.push({ kind: "text", text: str(p.text) as string });
          break;
        case "reasoning":
          if (str(p.text)?.trim()) blocks.push({ kind: "thinking", text: str(p.text) as string });
          break;
        case "tool": {
          const state = obj(p.state) ?? {};
          const status = str(state.status);
          const output =
            status === "error"
              ? (str(state.error) ?? "")
              : (str(state.output) ?? (obj(state.time)?.compacted ? "(output cleared by compaction)" : ""));
          blocks.push({
            kind: "tool_call",
            id: str(p.callID) ?? `tool-${i}`,
            name: str(p.tool) ?? "tool",
            input: state.input,
            result: status === "completed" || status === "error" ? { output, isError: status === "error" } : undefined,
          });
          break;
        }
        case "file":
          if (/^data:image\/(png|jpeg|gif|webp);base64,/.test(str(p.url) ?? "")) {
            const [head, data] = (str(p.url) as string).split(",", 2);
            blocks.push({ kind: "image", mediaType: head?.slice(5, -7) ?? "image/png", data: data ?? "" });
          } else blocks.push({ kind: "notice", text: `Attached file: ${str(p.filename) ?? str(p.url) ?? "?"}` });
          break;
        case "compaction":
          blocks.push({ kind: "notice", text: "Conversation compacted." });
          break;
        case "step-start":
        case "step-finish":
        case "snapshot":
        case "patch":
          break;
        default:
          blocks.push(rawBlock(`part ${String(p.type)}`, p));
      }
    }
    const tokens = obj(info.tokens);
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
        timestamp: time(obj(info.time)?.created),
        line,
        model: str(info.modelID),
        usage: u,
      });
    }
  });
  return { agent: "opencode", messages, notices, usage };
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
