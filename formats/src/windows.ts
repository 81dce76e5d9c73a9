// The formats whose sessions can be read a window at a time: each maps any window of its lines, given the
// context its structure pass computed over the whole file, exactly as the whole-file mapping shows it.

import { claudeCodeWindows } from "./claude-code.ts";
import { codexWindows } from "./codex.ts";
import type { Agent, WindowMapping } from "./format.ts";
import { geminiWindows } from "./gemini.ts";
import { openCodeWindows } from "./opencode.ts";
import { piWindows } from "./pi.ts";

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
