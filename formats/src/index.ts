// One entry point per question about raw session text of any supported agent: its conversation, its title,
// the files its tool calls name. Each agent's answers live in its own mapper file as a TranscriptFormat.

import { claudeCodeFormat } from "./claude-code.ts";
import { codexFormat } from "./codex.ts";
import { type Agent, type TranscriptFormat, typeKind } from "./format.ts";
import { geminiFormat } from "./gemini.ts";
import { parseJsonl } from "./lines.ts";
import type { Conversation } from "./model.ts";
import { openCodeFormat } from "./opencode.ts";
import { piFormat } from "./pi.ts";
import { collapseUnknownRuns, unknownRecords } from "./unknown-runs.ts";

export type { Agent, KindRules, TranscriptFormat } from "./format.ts";
export type { Block, Conversation, Message, ToolResult, Usage } from "./model.ts";

export const FORMATS = {
  "claude-code": claudeCodeFormat,
  pi: piFormat,
  codex: codexFormat,
  gemini: geminiFormat,
  opencode: openCodeFormat,
} satisfies Record<Agent, TranscriptFormat>;

/** The format of a known agent; agent names come from stored data, so anything else gets none. */
export function formatOf(agent: string): TranscriptFormat | undefined {
  return Object.hasOwn(FORMATS, agent) ? FORMATS[agent as Agent] : undefined;
}

export function mapSession(agent: string, text: string): Conversation {
  const format = formatOf(agent);
  if (!format)
    return {
      agent,
      messages: [],
      notices: [`No mapper for agent '${agent}'; the raw data is available from the API.`],
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    };
  try {
    const conversation = format.map(text);
    return { ...conversation, messages: collapseUnknownRuns(conversation.messages) };
  } catch (error) {
    // A mapper bug must not take the page down.
    return {
      agent,
      messages: [],
      notices: [`This transcript could not be read (${(error as Error).message}).`],
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    };
  }
}

/** The session title, if this raw line is the user's prompt. Only lines that mention a user are parsed. */
export function firstUserPrompt(agent: Agent, line: string): string | null {
  if (!line.includes("user")) return null;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line);
  } catch {
    return null;
  }
  if (!record || typeof record !== "object") return null;
  return FORMATS[agent].prompt(record, record.message as { role?: string; content?: unknown } | undefined);
}

/**
 * The files a tool call's input names. A block does not say which agent made it (the UI renders blocks
 * alone), and no agent's convention misreads another's, so every agent's is asked. The one list of
 * "which tool input names a file": why, search extraction and the UI all use it.
 */
export function filesTouched(input: unknown): string[] {
  return [...new Set(Object.values(FORMATS).flatMap((f) => f.filesTouched(input)))];
}

/** How many records of each kind a mapper shows, hides on purpose, or does not know. */
export interface RecordKinds {
  recognised: Record<string, number>;
  hidden: Record<string, number>;
  unknown: Record<string, number>;
}

/**
 * Counts a transcript's records by their kind: read by the mapper, hidden on purpose, or unknown. Unknown
 * also counts the parts of known records the reader is shown as unknown (labelled by the mapper), whether
 * or not a mapper shows or silently drops a whole record it does not know.
 */
export function classifyRecords(agent: Agent, text: string): RecordKinds {
  const { kinds } = FORMATS[agent];
  const counts: RecordKinds = { recognised: {}, hidden: {}, unknown: {} };
  const bump = (into: Record<string, number>, kind: string) => {
    into[kind] = (into[kind] ?? 0) + 1;
  };
  const seen = new Set<string>();
  for (const { value } of parseJsonl(text).lines) {
    const kind = (kinds.of ?? typeKind)(value);
    seen.add(kind);
    bump(kinds.known.has(kind) ? counts.recognised : kinds.hidden.has(kind) ? counts.hidden : counts.unknown, kind);
  }
  // Unknown whole records are counted above, under the kind their unknown block is labelled with.
  for (const label of unknownRecords(mapSession(agent, text).messages)) if (!seen.has(label)) bump(counts.unknown, label);
  return counts;
}
