// Codex CLI rollouts → Conversation. Three generations of file:
// - since Sept 2025 (openai/codex#3380): JSONL `{timestamp, type, payload}` lines (~/.codex/sessions/YYYY/MM/DD/);
// - the Rust CLI before that: JSONL of bare items, a bare session header first, `record_type: "state"` lines;
// - the TypeScript CLI (spring 2025): one JSON document `{session, items}` (~/.codex/sessions/rollout-*.json).
// Response items are the conversation; event messages repeat them (and, since ~0.147, `item_completed` echoes
// them again), so events are the conversation only in a rollout that has no response items. Encrypted reasoning
// is never rendered, only its summary.

import { promptText, type TranscriptFormat, titleLine, typedLine, type WindowMapping } from "./format.ts";
import { arr, badLineNotices, COMPACTED, jsonDocument, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import type { Block, Conversation, Message, Role, Usage } from "./model.ts";
import { zeroUsage } from "./model.ts";
import { type CodexContext, type CodexStructure, codexStructure, codexWindow, lineKind } from "./structure/codex.ts";

type ToolCall = Extract<Block, { kind: "tool_call" }>;

interface Rec {
  line: Line;
  type: string;
  payload: Record<string, unknown>;
}

// Top-level lines that carry no conversation, each safe to hide because:
const HIDDEN = new Set([
  "session_meta", // ids, cwd, git state and the harness's own instructions
  "turn_context", // per-turn settings; its model is kept on the replies that follow
  "world_state", // the harness's snapshot of the environment (0.148+)
  "token_usage_record", // per-response usage; the cumulative `token_count` event gives the totals
  "state", // pre-envelope rollouts' `record_type: "state"` lines (resume bookkeeping)
]);

// Event messages that are bookkeeping or repeat what response items hold, each safe to hide because:
const HIDDEN_EVENTS = new Set([
  "token_count", // cumulative usage: read into the conversation's usage
  "task_started", // turn boundaries; `task_complete` repeats the last reply
  "task_complete",
  "turn_started",
  "turn_complete",
  "thread_settings_applied", // an echo of settings (model, cwd, approvals)
  "session_configured",
  "exec_command_begin", // progress of calls whose response items hold call and output
  "exec_command_end",
  "patch_apply_begin",
  "patch_apply_end",
  "mcp_tool_call_begin",
  "mcp_tool_call_end",
  "web_search_begin",
  "web_search_end",
  "turn_diff", // the diff of what the turn's patches changed; the patches are shown
  "context_compacted", // a marker; the `compacted` line carries the summary
  "item_started", // the start of an item that `item_completed` (or a response item) holds whole
  "agent_reasoning_section_break",
]);

// Events that repeat response items: hidden when the rollout has those, the conversation when it has none.
const ECHOES = new Set(["user_message", "agent_message", "agent_reasoning", "agent_reasoning_raw_content", "item_completed"]);

// Events that say something the response items do not, shown as a notice.
const NOTICE_EVENTS: Record<string, (p: Record<string, unknown>) => string> = {
  turn_aborted: (p) => `The turn was interrupted${str(p.reason) ? ` (${p.reason})` : ""}.`,
  thread_rolled_back: (p) => `The user rolled back ${num(p.num_turns) ?? "some"} turn(s); they are kept above.`,
  error: (p) => str(p.message) ?? "Error.",
  stream_error: (p) => str(p.message) ?? "Stream error.",
  warning: (p) => str(p.message) ?? "Warning.",
  background_event: (p) => str(p.message) ?? "",
  entered_review_mode: (p) => `Review started${str(p.user_facing_hint) ? `: ${p.user_facing_hint}` : ""}.`,
  undo_completed: (p) => str(p.message) ?? `Undo ${p.success === false ? "failed" : "done"}.`,
};

/** What a /review concluded (`exited_review_mode`): written by the reviewing model in a thread of its own. */
function reviewBlocks(out: Record<string, unknown>): Block[] {
  const findings = arr(out.findings).map((f) => {
    const finding = obj(f) ?? {};
    return [str(finding.title) && `**${finding.title}**`, str(finding.body)].filter(Boolean).join("\n");
  });
  const text = [str(out.overall_explanation), ...findings].filter(Boolean).join("\n\n");
  return text.trim() ? [{ kind: "text", text }] : [];
}

/**
 * Context the harness sends as a user message, wrapped whole in one tag (environment, skills, a shell command the
 * user ran) or headed as AGENTS.md instructions: not typed as a prompt. A prompt that merely starts with a tag
 * (`<div> is broken`) is not wrapped whole, and stays a prompt.
 */
const HARNESS_CONTEXT = /^\s*(?:<([a-z_ -]+)>[\s\S]*<\/\1>\s*$|# AGENTS\.md instructions)/i;

/** A sub-agent's report to its parent, sent as a user message: `{agent_path, status: {completed: "…"}}`. */
const SUBAGENT_NOTIFICATION = /^\s*<subagent_notification>([\s\S]*)<\/subagent_notification>\s*$/;

/** The records of a rollout that is one JSON document (the TypeScript CLI's), or undefined. */
function documentRecords(text: string): Rec[] | undefined {
  const doc = obj(jsonDocument(text));
  if (!doc || !Array.isArray(doc.items)) return undefined;
  const timestamp = obj(doc.session)?.timestamp;
  return doc.items.flatMap((item, i) =>
    obj(item) ? [{ line: { n: i + 1, value: { timestamp } }, type: "response_item", payload: obj(item) as Record<string, unknown> }] : [],
  );
}

function lineRecord(line: Line): Rec {
  const v = line.value;
  const payload = obj(v.payload);
  return { line, type: lineKind(v), payload: payload && str(v.type) ? payload : v };
}

function parseJson(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function outputOf(raw: unknown): { output: string; isError: boolean } {
  if (Array.isArray(raw)) return { output: textOf(raw), isError: false };
  const o = obj(parseJson(raw));
  // Older shell outputs: a JSON string {output, metadata: {exit_code}}.
  if (o && typeof o.output === "string") {
    const exit = num(obj(o.metadata)?.exit_code);
    return { output: o.output, isError: exit !== undefined && exit !== 0 };
  }
  if (o && (typeof o.content === "string" || Array.isArray(o.content)))
    return { output: typeof o.content === "string" ? o.content : textOf(o.content), isError: o.success === false };
  return { output: typeof raw === "string" ? raw : (JSON.stringify(raw) ?? ""), isError: false };
}

const plain = (blocks: Block[]) => blocks.flatMap((b) => (b.kind === "text" ? [b.text] : [])).join("\n");

/** Content parts of a message; newer events name their types in PascalCase (`Text`), items in snake case. */
function contentBlocks(content: unknown): Block[] {
  if (typeof content === "string") return content.trim() ? [{ kind: "text", text: content }] : [];
  return arr(content).flatMap((part): Block[] => {
    const p = obj(part) ?? {};
    const type = str(p.type)?.toLowerCase();
    if (type === "input_text" || type === "output_text" || type === "text")
      return str(p.text)?.trim() ? [{ kind: "text", text: str(p.text) as string }] : [];
    if (type === "refusal") return [{ kind: "notice", text: `Refused: ${str(p.refusal) ?? ""}` }];
    if (type === "input_image") {
      const m = /^data:([^;,]+);base64,(.*)$/s.exec(str(p.image_url) ?? "");
      return m ? [{ kind: "image", mediaType: m[1] as string, data: m[2] as string }] : [{ kind: "notice", text: "(an image)" }];
    }
    return [rawBlock(`content part ${String(p.type)}`, p)];
  });
}

const reasoningText = (...lists: unknown[]) =>
  lists
    .flatMap((l) => arr(l))
    .map((s) => (typeof s === "string" ? s : (str(obj(s)?.text) ?? "")))
    .filter((t) => t.trim())
    .join("\n");

/**
 * The conversation of some lines of a rollout — the whole file or a window of it — numbered as in the file.
 * `context` (from the structure pass over the whole file) says whether events are the conversation and
 * which model is in force where the lines start.
 */
export function mapCodexLines(lines: Line[], context: CodexContext): Conversation {
  return mapRecords(lines.map(lineRecord), context);
}

export function mapCodex(text: string): Conversation {
  const recs = documentRecords(text);
  if (recs) return mapRecords(recs, { fromItems: recs.length > 0, model: undefined });
  const parsed = parseJsonl(text);
  const pass = codexStructure();
  for (const line of parsed.lines) pass.line(line);
  const conversation = mapCodexLines(parsed.lines, codexWindow(pass.finish(), 1, parsed.lines.at(-1)?.n ?? 0).context);
  return { ...conversation, notices: badLineNotices(parsed) };
}

export const codexWindows: WindowMapping<CodexStructure, CodexContext> = {
  structure: codexStructure,
  window: codexWindow,
  mapLines: mapCodexLines,
};

function mapRecords(recs: Rec[], context: CodexContext): Conversation {
  const { fromItems } = context;
  const messages: Message[] = [];
  const calls = new Map<string, ToolCall>();
  const spawned = new Map<string, ToolCall>();
  let usage: Usage = zeroUsage();
  let model = context.model;

  const push = (role: Role, blocks: Block[], line: Line) => {
    if (!blocks.length) return;
    const last = messages.at(-1);
    // Consecutive assistant items (reasoning, calls, text) read as one reply.
    if (role === "assistant" && last?.role === "assistant") {
      last.blocks.push(...blocks);
      last.line = line.n;
      return;
    }
    const m: Message = { index: messages.length, role, blocks, timestamp: time(line.value.timestamp), line: line.n };
    if (role === "assistant" && model) m.model = model;
    messages.push(m);
  };

  const userText = (text: string, line: Line) => {
    if (!text.trim()) return;
    if (HARNESS_CONTEXT.test(text)) push("system", [{ kind: "summary", label: "Context Codex sent with the prompt", text }], line);
    else push("user", [{ kind: "text", text }], line);
  };

  // The sub-agent's own messages are in its own rollout; what the parent's holds of it is its final report,
  // shown as the conversation under the spawn_agent call that started it.
  const subagentReport = (json: string, text: string, line: Line) => {
    const report = obj(parseJson(json.trim())) ?? {};
    const status = obj(report.status) ?? {};
    const [state, said] = Object.entries(status).find(([, v]) => typeof v === "string") ?? [];
    const call = spawned.get(str(report.agent_path) ?? "");
    if (!call || typeof said !== "string") return userText(text, line);
    const block: Block = state === "completed" ? { kind: "text", text: said } : { kind: "notice", text: `${state}: ${said}` };
    const children = call.children ?? [];
    children.push({ index: children.length, role: "assistant", blocks: [block], timestamp: time(line.value.timestamp), line: line.n });
    call.children = children;
  };

  const item = (p: Record<string, unknown>, line: Line) => {
    const type = str(p.type) ?? "";
    if (type === "message") {
      const role = str(p.role);
      // Codex's own instructions (permissions, skills, collaboration mode): not said by the user or the model.
      if (role === "developer" || role === "system") return;
      const blocks = contentBlocks(p.content);
      if (role !== "user") return push("assistant", blocks, line);
      const text = plain(blocks);
      const report = SUBAGENT_NOTIFICATION.exec(text);
      if (report) return subagentReport(report[1] as string, text, line);
      if (HARNESS_CONTEXT.test(text)) return userText(text, line);
      return push("user", blocks, line);
    }
    if (type === "reasoning") {
      const thought = reasoningText(p.summary, p.content);
      return push("assistant", thought ? [{ kind: "thinking", text: thought }] : [], line);
    }
    // Snapshots of the work tree for /undo: no conversation.
    if (type === "ghost_snapshot") return;
    if (type === "compaction" || type === "compaction_summary")
      return push("system", [{ kind: "notice", text: "Conversation compacted here (its summary is encrypted)." }], line);
    if (type === "image_generation_call" && str(p.result))
      return push("assistant", [{ kind: "image", mediaType: "image/png", data: str(p.result) as string }], line);
    if (type.endsWith("_call")) {
      const call: ToolCall = {
        kind: "tool_call",
        id: str(p.call_id) ?? str(p.id) ?? `call-${line.n}`,
        name: str(p.name) ?? (type === "local_shell_call" ? "shell" : type.slice(0, -"_call".length)),
        input: p.arguments !== undefined ? parseJson(p.arguments) : (p.input ?? p.action),
      };
      calls.set(call.id, call);
      return push("assistant", [call], line);
    }
    if (type.endsWith("_output")) {
      const call = calls.get(str(p.call_id) ?? "");
      const result = outputOf(p.output ?? p.result);
      if (call) call.result = result;
      else push("system", [{ kind: "notice", text: `Output of an unknown call: ${result.output.slice(0, 500)}` }], line);
      const agent = str(obj(parseJson(result.output))?.agent_id);
      if (call?.name === "spawn_agent" && agent) spawned.set(agent, call);
      return;
    }
    push("system", [rawBlock(`response_item ${type}`, p)], line);
  };

  // The conversation as events tell it, for rollouts without response items.
  const echo = (p: Record<string, unknown>, line: Line) => {
    const type = str(p.type);
    if (type === "user_message") return userText(str(p.message) ?? "", line);
    if (type === "agent_message") return push("assistant", contentBlocks(str(p.message) ?? ""), line);
    if (type === "agent_reasoning" || type === "agent_reasoning_raw_content") {
      const thought = str(p.text) ?? "";
      return push("assistant", thought.trim() ? [{ kind: "thinking", text: thought }] : [], line);
    }
    const it = obj(p.item) ?? {};
    if (it.type === "UserMessage") return userText(plain(contentBlocks(it.content)), line);
    if (it.type === "AgentMessage") return push("assistant", contentBlocks(it.content), line);
    if (it.type === "Reasoning") {
      const thought = reasoningText(it.summary_text, it.raw_content);
      return push("assistant", thought ? [{ kind: "thinking", text: thought }] : [], line);
    }
    push("system", [rawBlock(`item_completed ${String(it.type)}`, p)], line);
  };

  for (const { line, type, payload: p } of recs) {
    if (type === "turn_context") model = str(p.model) ?? model;
    if (HIDDEN.has(type)) continue;
    if (type === "response_item") item(p, line);
    else if (type === "compacted") {
      const summary = str(p.message) ?? "";
      push(
        "system",
        [summary.trim() ? { kind: "summary", label: COMPACTED, text: summary } : { kind: "notice", text: "Conversation compacted." }],
        line,
      );
    } else if (type === "event_msg") {
      const kind = str(p.type) ?? "";
      if (kind === "token_count") {
        const total = obj(obj(p.info)?.total_token_usage);
        if (total)
          usage = {
            input: num(total.input_tokens) ?? 0,
            output: num(total.output_tokens) ?? 0,
            cacheRead: num(total.cached_input_tokens) ?? 0,
            cacheWrite: num(total.cache_write_input_tokens) ?? 0,
          };
      } else if (ECHOES.has(kind)) {
        if (!fromItems) echo(p, line);
      } else if (kind === "exited_review_mode") {
        const out = obj(p.review_output);
        if (out) push("assistant", reviewBlocks(out), line);
        else push("system", [{ kind: "notice", text: "The review ended without a result." }], line);
      } else if (NOTICE_EVENTS[kind]) {
        const notice = NOTICE_EVENTS[kind](p);
        if (notice) push("system", [{ kind: "notice", text: notice }], line);
      } else if (!HIDDEN_EVENTS.has(kind)) push("system", [rawBlock(`event_msg ${kind}`, p)], line);
    } else push("system", [rawBlock(type, p)], line);
  }
  return { agent: "codex", messages, notices: [], usage };
}

/** A file header of apply_patch's envelope, which takes the patch itself as the tool input. */
export const PATCH_FILE = /^\*\*\* (?:Update|Add|Delete) File: (.+)$/;

export const codexFormat: TranscriptFormat = {
  map: mapCodex,
  prompt(record) {
    // Older rollouts echo the prompt as an event; newer ones only as a user message item; the oldest wrote items bare.
    const payload = (record.payload ?? record) as { type?: string; message?: string; role?: string; content?: unknown };
    const text =
      payload.type === "user_message"
        ? (payload.message ?? "")
        : payload.type === "message" && payload.role === "user"
          ? promptText(payload.content)
          : null;
    return text === null || HARNESS_CONTEXT.test(text) ? null : titleLine(text);
  },
  isMessageLine: typedLine("response_item", "message"),
  filesTouched: (input) => (typeof input === "string" ? input.split("\n").flatMap((line) => PATCH_FILE.exec(line)?.[1] ?? []) : []),
  // Events are read one by one (shown, used for usage, or hidden in HIDDEN_EVENTS); an unknown one shows as
  // an unknown record and is counted under its own label.
  kinds: { of: lineKind, known: new Set(["response_item", "compacted", "event_msg"]), hidden: HIDDEN },
};
