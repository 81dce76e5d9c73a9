// Codex CLI rollout JSONL (~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl) → Conversation.
// `response_item` lines are the conversation; `event_msg` lines duplicate them and are skipped, except the
// cumulative token count. Encrypted reasoning is never rendered, only its summary.

import { promptText, type TranscriptFormat, titleLine, typedLine } from "./format.ts";
import { arr, badLineNotices, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import type { Block, Conversation, Message, Role, Usage } from "./model.ts";
import { zeroUsage } from "./model.ts";

function parseArguments(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function outputOf(raw: unknown): { output: string; isError: boolean } {
  const parsed = parseArguments(raw);
  const o = obj(parsed);
  if (o && typeof o.output === "string") {
    const exit = num(obj(o.metadata)?.exit_code);
    return { output: o.output, isError: exit !== undefined && exit !== 0 };
  }
  return { output: typeof raw === "string" ? raw : JSON.stringify(raw), isError: false };
}

export function mapCodex(text: string): Conversation {
  const parsed = parseJsonl(text);
  const messages: Message[] = [];
  const calls = new Map<string, Extract<Block, { kind: "tool_call" }>>();
  let usage: Usage = zeroUsage();
  let model: string | undefined;

  const push = (role: Role, blocks: Block[], line: Line) => {
    if (!blocks.length) return;
    const last = messages.at(-1);
    // Consecutive assistant items (reasoning, calls, text) read as one reply.
    if (role === "assistant" && last?.role === "assistant") {
      last.blocks.push(...blocks);
      last.line = line.n;
      return;
    }
    messages.push({
      index: messages.length,
      role,
      blocks,
      timestamp: time(line.value.timestamp),
      line: line.n,
      model: role === "assistant" ? model : undefined,
    });
  };

  for (const line of parsed.lines) {
    const type = str(line.value.type);
    const p = obj(line.value.payload) ?? {};
    if (type === "turn_context") model = str(p.model) ?? model;
    if (type === "event_msg" && p.type === "token_count") {
      const total = obj(obj(p.info)?.total_token_usage);
      if (total)
        usage = {
          input: num(total.input_tokens) ?? 0,
          output: num(total.output_tokens) ?? 0,
          cacheRead: num(total.cached_input_tokens) ?? 0,
          cacheWrite: 0,
        };
    }
    if (type === "compacted") {
      push("system", [{ kind: "summary", label: "Conversation compacted: summary", text: str(p.message) ?? "" }], line);
      continue;
    }
    if (type !== "response_item") continue;
    switch (p.type) {
      case "message": {
        const role = str(p.role);
        const text = textOf(p.content);
        // Environment context and instructions arrive as tagged user items: not something the user typed.
        if (role === "user" && /^\s*<(environment_context|user_instructions|INSTRUCTIONS)/.test(text)) break;
        if (role === "developer" || role === "system") break;
        if (text.trim()) push(role === "user" ? "user" : "assistant", [{ kind: "text", text }], line);
        break;
      }
      case "reasoning": {
        const summary = arr(p.summary)
          .map((s) => str(obj(s)?.text) ?? "")
          .filter(Boolean)
          .join("\n");
        if (summary) push("assistant", [{ kind: "thinking", text: summary }], line);
        break;
      }
      case "function_call":
      case "custom_tool_call":
      case "local_shell_call": {
        const call: Extract<Block, { kind: "tool_call" }> = {
          kind: "tool_call",
          id: str(p.call_id) ?? `call-${line.n}`,
          name: str(p.name) ?? "shell",
          input: p.type === "function_call" ? parseArguments(p.arguments) : (p.input ?? p.action),
        };
        calls.set(call.id, call);
        push("assistant", [call], line);
        break;
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        const call = calls.get(str(p.call_id) ?? "");
        if (call) call.result = outputOf(p.output);
        break;
      }
      default:
        push("system", [rawBlock(`response_item ${String(p.type)}`, p)], line);
    }
  }
  return { agent: "codex", messages, notices: badLineNotices(parsed), usage };
}

/** A file header of apply_patch's envelope, which takes the patch itself as the tool input. */
export const PATCH_FILE = /^\*\*\* (?:Update|Add|Delete) File: (.+)$/;

export const codexFormat: TranscriptFormat = {
  map: mapCodex,
  prompt(record) {
    // Older rollouts echo the prompt as an event; newer ones only as a user message item.
    const payload = record.payload as { type?: string; message?: string; role?: string; content?: unknown } | undefined;
    if (record.type === "event_msg" && payload?.type === "user_message") return titleLine(payload.message ?? "");
    if (record.type === "response_item" && payload?.type === "message" && payload.role === "user")
      return titleLine(promptText(payload.content));
    return null;
  },
  isMessageLine: typedLine("response_item"),
  filesTouched: (input) => (typeof input === "string" ? input.split("\n").flatMap((line) => PATCH_FILE.exec(line)?.[1] ?? []) : []),
  // What mapCodex skips: session and turn settings, the model's environment (world_state), events that
  // echo response items, per-response token usage (token counts are read for usage only). world_state and
  // token_usage_record were checked in a real run of 0.169.0.
  kinds: {
    known: new Set(["response_item", "compacted"]),
    hidden: new Set(["session_meta", "turn_context", "world_state", "event_msg", "token_usage_record"]),
  },
};
