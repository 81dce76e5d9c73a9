// The formats whose sessions can be read a window at a time: each maps any window of its lines, given the
// context its structure pass computed over the whole file, exactly as the whole-file mapping shows it.

import { claudeCodeWindows } from "./claude-code.ts";
import { codexWindows } from "./codex.ts";
import type { Agent, WindowMapping } from "./format.ts";
import { geminiWindows } from "./gemini.ts";
import type { Line } from "./lines.ts";
import type { Conversation } from "./model.ts";
import { openCodeWindows } from "./opencode.ts";
import { piWindows } from "./pi.ts";
import { collapseUnknownRuns } from "./unknown-runs.ts";

export type { StructurePass, WindowMapping } from "./format.ts";
export { type Line, parseLine } from "./lines.ts";

// biome-ignore lint/suspicious/noExplicitAny: each format's context is its own; the reader hands back what the pass gave.
export const WINDOWS: Record<Agent, WindowMapping<any, any>> = {
  "claude-code": claudeCodeWindows,
  pi: piWindows,
  codex: codexWindows,
  opencode: openCodeWindows,
  gemini: geminiWindows,
};

/**
 * A window's messages as a reader is shown them: the format's mapping of its lines with each run of unknown
 * records collapsed to one line, as `mapSession` collapses the whole file. The writer counts blocks with it
 * and the reader maps blocks with it, so both agree with the whole-file view.
 */
export function mapWindow(agent: Agent, lines: Line[], context: unknown): Conversation {
  const conversation = WINDOWS[agent].mapLines(lines, context);
  return { ...conversation, messages: collapseUnknownRuns(conversation.messages) };
}
