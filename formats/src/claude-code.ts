// Claude Code JSONL (~/.claude/projects/<slug>/<session>.jsonl) → Conversation.
// The transcript is a tree (parentUuid): rewinds leave abandoned branches, and only the active branch,
// walked back from the last message, is shown. A compaction restarts the chain (parentUuid null) and links
// the history before it through logicalParentUuid: that history is kept, folded. Older versions wrote no
// parentUuid at all (file order is the conversation) and kept sub-agents inline (isSidechain) instead of
// in subagents/ files.

import { fileKeys, promptText, type TranscriptFormat, titleLine, typedLine, type WindowMapping } from "./format.ts";
import { arr, badLineNotices, type Line, num, obj, parseJsonl, rawBlock, str, textOf, time } from "./lines.ts";
import { type Block, type Conversation, type Message, type Role, type Usage, zeroUsage } from "./model.ts";
import {
  CHAIN_TYPES,
  type ClaudeCodeContext,
  type ClaudeCodeStructure,
  claudeCodeStructure,
  claudeCodeWindow,
} from "./structure/claude-code.ts";
import { inRanges } from "./structure/ranges.ts";

/**
 * Records with nothing for a reader of the conversation. Claude Code 2.1.331's own reader counts only
 * user, assistant, system, attachment and progress lines as the conversation and every other kind below as
 * session metadata (its transcript loader's table of entry kinds); each was also checked in a real run or
 * its writer's code. Attachments are context given to the model (reminders, file and tool listings, the
 * environment), except queued prompts, which are read apart; progress lines are live updates of hooks,
 * tools and sub-agents whose messages are in the sub-agent's own file.
 */
const HIDDEN = new Set([
  "attachment",
  "progress",
  // Titles and labels of the session, and where the input box was (`summary` is an older title line).
  "summary",
  "custom-title",
  "ai-title",
  "tag",
  "agent-name",
  "agent-color",
  "agent-setting",
  "pr-link",
  "frame-link",
  "last-prompt",
  // Files backed up for rewinds.
  "file-history-snapshot",
  "file-history-delta",
  "attribution-snapshot",
  // The input queue: every prompt it held reaches the transcript as a user line or a queued prompt.
  "queue-operation",
  // Request replay: copies of what the user and assistant lines already hold.
  "api-request",
  "api-request-blob",
  "api-request-shape",
  "api-request-resumed",
  "content-replacement",
  "resume-head-vouch",
  "fork-context-ref",
  "observer-ref",
  // Settings and bookkeeping of the running session.
  "mode",
  "permission-mode",
  "atis-latch",
  "tools-used",
  "cost-state",
  "worktree-state",
  "relocated",
  "isolation-latch",
  "session-owner",
  "dev-mods",
  "memory-mode",
  "bridge-session",
  "history-suppression",
  "ended-by-model",
  "derived-from",
  "data-flow-records",
  "data-flow-incomplete",
  "artifact-comment-monitor",
  "artifact-autoreact-ledger",
]);

/** A prompt the user typed while Claude was busy: an attachment, not a user line. */
const isQueuedPrompt = (v: Record<string, unknown>) =>
  v.type === "attachment" && obj(v.attachment)?.type === "queued_command" && typeof obj(v.attachment)?.prompt === "string";

const kindOf = (v: Record<string, unknown>) => (isQueuedPrompt(v) ? "attachment queued_command" : (str(v.type) ?? "untyped"));

const BEFORE_COMPACTION = "Earlier conversation, before compaction";

interface FileLines {
  name: string;
  lines: Line[];
}

/**
 * The main transcript and each sub-agent file that residue appended behind marker lines, a file's sections
 * joined (`"path":""` marks the main transcript resuming). A window's context names the sub-agent sections when
 * the stream interleaves them, since the window's lines need not hold every marker.
 */
function splitFiles(lines: Line[], sections: ClaudeCodeContext["sections"]): { main: Line[]; subagents: FileLines[] } {
  const main: Line[] = [];
  const subagents: FileLines[] = [];
  const fileOf = (name: string) => {
    const known = subagents.find((f) => f.name === name);
    if (known) return known;
    const file = { name, lines: [] };
    subagents.push(file);
    return file;
  };
  let current: FileLines | null = null;
  for (const line of lines) {
    if (sections) {
      const section = sections.find(([from, to]) => line.n >= from && line.n <= to);
      if (line.value.type !== "residue-file") (section ? fileOf(section[2]).lines : main).push(line);
    } else if (line.value.type === "residue-file") {
      const name = str(line.value.path) ?? "sub-agent";
      current = name === "" ? null : fileOf(name);
    } else (current ? current.lines : main).push(line);
  }
  return { main, subagents };
}

/** Which lines a mapping shows and folds: a structure pass's context, or (no context) the lines' own walk. */
interface Branch {
  skip: (line: Line) => boolean;
  fold: (line: Line) => boolean;
  abandoned: number;
  /** Results whose calls were made before these lines (shown on them there). */
  answeredEarlier: Set<string>;
}

function branchOf(context: ClaudeCodeContext): Branch {
  return {
    skip: (line) => inRanges(context.skip, line.n),
    fold: (line) => inRanges(context.fold, line.n),
    abandoned: context.abandoned,
    answeredEarlier: new Set(context.answeredEarlier),
  };
}

/** The context of lines that are read whole: a transcript's, or a sub-agent's. */
function ownContext(lines: Line[], of: "transcript" | "sub-agent"): ClaudeCodeContext {
  const pass = claudeCodeStructure(of, { windows: false });
  for (const line of lines) pass.line(line);
  return pass.finish();
}

/**
 * Sub-agent conversations kept inline (isSidechain), one per root: each chain of sidechain lines from a
 * line whose parent is not a sidechain line (null, in the versions that wrote them).
 */
function inlineSubagents(lines: Line[]): Line[][] {
  const side = new Map<string, Line>();
  for (const line of lines) if (line.value.isSidechain === true && str(line.value.uuid)) side.set(str(line.value.uuid) as string, line);
  // Each line's root, remembered for every line on the way up: long sub-agents stay linear.
  const roots = new Map<string, string>();
  const rootOf = (line: Line): string => {
    const path = new Set<string>();
    let at = line;
    let root = str(at.value.uuid) as string;
    for (;;) {
      const uuid = str(at.value.uuid) as string;
      const known = roots.get(uuid);
      if (known) {
        root = known;
        break;
      }
      path.add(uuid);
      root = uuid;
      const parent = side.get(str(at.value.parentUuid) ?? "");
      if (!parent || path.has(str(parent.value.uuid) as string)) break;
      at = parent;
    }
    for (const uuid of path) roots.set(uuid, root);
    return root;
  };
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    if (line.value.isSidechain !== true) continue;
    const root = str(line.value.uuid) ? rootOf(line) : "";
    const group = groups.get(root);
    if (group) group.push(line);
    else groups.set(root, [line]);
  }
  return [...groups.values()];
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

function mapChain(lines: Line[], subagents: FileLines[], branch: Branch): { messages: Message[]; usage: Usage; notices: string[] } {
  const messages: Message[] = [];
  const notices: string[] = [];
  const usage = zeroUsage();
  const calls = new Map<string, Extract<Block, { kind: "tool_call" }>>();
  const countedUsage = new Set<string>();
  let lastAssistantId: string | undefined;

  const push = (role: Role, blocks: Block[], line: Line, extra: Partial<Message> = {}) => {
    if (blocks.length === 0) return;
    const fold = branch.fold(line) ? { fold: BEFORE_COMPACTION } : {};
    messages.push({ index: messages.length, role, blocks, timestamp: time(line.value.timestamp), line: line.n, ...extra, ...fold });
    lastAssistantId = undefined;
  };

  for (const line of lines) {
    const v = line.value;
    const type = str(v.type) ?? "";
    if (branch.skip(line)) continue;
    if (isQueuedPrompt(v)) {
      push("user", [{ kind: "text", text: str(obj(v.attachment)?.prompt) as string }], line);
      continue;
    }
    if (HIDDEN.has(type)) continue;
    if (type === "continued-in") {
      push(
        "system",
        [{ kind: "notice", text: `This conversation continues in session ${str(v.continuedInSessionId) ?? "(unknown)"}.` }],
        line,
      );
      continue;
    }
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
          else if (!branch.answeredEarlier.has(str(p.tool_use_id) ?? ""))
            blocks.push({ kind: "notice", text: `Result of an unknown tool call: ${result.output.slice(0, 500)}` });
          const agentId = str(obj(v.toolUseResult)?.agentId);
          if (call && agentId) {
            const sub = subagents.find((s) => s.name.includes(agentId));
            if (sub) {
              call.children = mapOwn(sub.lines);
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
  if (branch.abandoned) notices.push(`${branch.abandoned} message(s) on abandoned branches (rewound) are not shown.`);
  return { messages, usage, notices };
}

/** A sub-agent's lines, read whole: always all of them, so they decide their own branch. */
const mapOwn = (lines: Line[]) => mapChain(lines, [], branchOf(ownContext(lines, "sub-agent"))).messages;

type ToolCall = Extract<Block, { kind: "tool_call" }>;

/** Calls that start a sub-agent (the tool was renamed from Task to Agent), with the line they were made on. */
function spawningCalls(messages: Message[]): { call: ToolCall; line: number }[] {
  return messages.flatMap((m) =>
    m.blocks.flatMap((b) => (b.kind === "tool_call" && (b.name === "Task" || b.name === "Agent") ? [{ call: b, line: m.line }] : [])),
  );
}

/**
 * The Task call an inline sub-agent answered: the one whose prompt its first message repeats, else the
 * earliest one before it that has no sub-agent yet.
 */
function spawnerOf(group: Line[], calls: { call: ToolCall; line: number }[]): ToolCall | undefined {
  const firstUser = group.find((l) => l.value.type === "user");
  const prompt = firstUser ? textOf(obj(firstUser.value.message)?.content).trim() : "";
  const free = calls.filter((c) => !c.call.children && c.line <= (group[0] as Line).n);
  const byPrompt = free.find((c) => prompt !== "" && str(obj(c.call.input)?.prompt)?.trim() === prompt);
  return (byPrompt ?? free[0])?.call;
}

/**
 * The conversation of some lines of a transcript — the whole file, or a window of it with the residue
 * files of its sub-agents — numbered as in the file. `context` (from the structure pass over the whole
 * file) says which lines are shown and folded: the window does not pick a branch itself.
 */
export function mapClaudeCodeLines(lines: Line[], context: ClaudeCodeContext): Conversation {
  const { main, subagents } = splitFiles(lines, context.sections);
  const { messages, usage, notices } = mapChain(
    main.filter((l) => l.value.isSidechain !== true),
    subagents,
    branchOf(context),
  );
  const leftovers: { name: string; lines: Line[]; children: Message[] }[] = [];
  const calls = spawningCalls(messages);
  for (const group of inlineSubagents(main)) {
    const children = mapOwn(group);
    const call = spawnerOf(group, calls);
    if (call) call.children = children;
    else leftovers.push({ name: "inline sub-agent", lines: group, children });
  }
  // A file a call elsewhere shows (outside these lines) is not shown again.
  const claimed = new Set(context.claimed ?? []);
  const files = subagents.filter((s) => s.name && !claimed.has(s.name)).map((sub) => ({ ...sub, children: mapOwn(sub.lines) }));
  // Sub-agent conversations no Task call claimed are still shown: inline ones at the end, files where their
  // first line is (the end, unless a later section of the main transcript follows).
  for (const { name, lines, children, atEnd } of [
    ...leftovers.map((l) => ({ ...l, atEnd: true })),
    ...files.map((f) => ({ ...f, atEnd: false })),
  ]) {
    const first = lines[0];
    if (first && children.length) {
      const message: Message = {
        index: 0,
        role: "system",
        blocks: [{ kind: "tool_call", id: name, name: "Sub-agent", input: { file: name }, children }],
        timestamp: time(first.value.timestamp),
        line: first.n,
      };
      let at = messages.length;
      while (!atEnd && at > 0 && (messages[at - 1] as Message).line > first.n) at--;
      messages.splice(at, 0, message);
    }
  }
  messages.forEach((m, i) => {
    m.index = i;
  });
  return { agent: "claude-code", messages, notices, usage };
}

export function mapClaudeCode(text: string): Conversation {
  const parsed = parseJsonl(text);
  const conversation = mapClaudeCodeLines(parsed.lines, ownContext(parsed.lines, "transcript"));
  return { ...conversation, notices: [...badLineNotices(parsed), ...conversation.notices] };
}

export const claudeCodeFormat: TranscriptFormat = {
  map: mapClaudeCode,
  prompt(record, message) {
    if (record.type !== "user" || record.isMeta || record.isSidechain || record.isCompactSummary) return null;
    return titleLine(promptText(message?.content));
  },
  isMessageLine: typedLine("user", "assistant"),
  filesTouched: fileKeys("file_path", "notebook_path"),
  kinds: { of: kindOf, known: new Set([...CHAIN_TYPES, "continued-in", "attachment queued_command"]), hidden: HIDDEN },
};

export const claudeCodeWindows: WindowMapping<ClaudeCodeStructure, ClaudeCodeContext> = {
  structure: () => claudeCodeStructure(),
  window: claudeCodeWindow,
  mapLines: mapClaudeCodeLines,
};
