// One entry point: raw session text of any supported agent → Conversation.
import { mapClaudeCode } from "./claude-code.ts";
import { mapCodex } from "./codex.ts";
import { mapGemini } from "./gemini.ts";
import type { Conversation } from "./model.ts";
import { mapOpenCode } from "./opencode.ts";
import { mapPi } from "./pi.ts";

export type { Block, Conversation, Message, ToolResult, Usage } from "./model.ts";

const MAPPERS: Record<string, (text: string) => Conversation> = {
  "claude-code": mapClaudeCode,
  pi: mapPi,
  codex: mapCodex,
  gemini: mapGemini,
  opencode: mapOpenCode,
};

export function mapSession(agent: string, text: string): Conversation {
  const mapper = MAPPERS[agent];
  if (!mapper)
    return {
      agent,
      messages: [],
      notices: [`No mapper for agent '${agent}'; the raw data is available from the API.`],
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    };
  try {
    return mapper(text);
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
