// OpenCode sessions as `opencode export <id>` writes them: {info, messages: [{info, parts}]}. Tool parts
// carry call and result together; compaction may have cleared old outputs (shown as such).

import { arr, num, obj, rawBlock, str, time } from "./lines.ts";
import { addUsage, type Block, type Conversation, type Message, zeroUsage } from "./model.ts";

export function mapOpenCode(text: string): Conversation {
  let doc: Record<string, unknown> | undefined;
  try {
    doc = obj(JSON.parse(text));
  } catch {
    return {
      agent: "opencode",
      messages: [],
      notices: ["This OpenCode export is not valid JSON (it may be cut short)."],
      usage: zeroUsage(),
    };
  }
  const messages: Message[] = [];
  const usage = zeroUsage();
  arr(doc?.messages).forEach((entry, i) => {
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
        line: i + 1,
        model: str(info.modelID),
        usage: u,
      });
    }
  });
  return { agent: "opencode", messages, notices: [], usage };
}
