// The one message model every agent's raw transcript is mapped to: rendered by the UI, indexed by search,
// printed by the CLI. Mappers are pure and never throw on input they do not understand.

export interface ToolResult {
  output: string;
  isError: boolean;
  /** Structured detail some agents keep beside the text (e.g. a patch). */
  detail?: unknown;
}

export type Block =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string }
  | {
      kind: "tool_call";
      id: string;
      name: string;
      input: unknown;
      result?: ToolResult;
      /** A sub-agent's conversation, spawned by this call. */
      children?: Message[];
    }
  | { kind: "image"; mediaType: string; data: string }
  | { kind: "summary"; text: string; label: string }
  | { kind: "notice"; text: string }
  /** Records the mapper did not know, kept for the curious: consecutive ones travel as one block. */
  | { kind: "unknown"; records: UnknownRecord[] };

export interface UnknownRecord {
  /** The record's kind as the agent named it. */
  label: string;
  /** The record itself; empty past the first records of a long run (unknown-runs.ts). */
  json: string;
}

export type Role = "user" | "assistant" | "system";

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface Message {
  /** Position in the rendered conversation; the anchor is `#m-<index>`. */
  index: number;
  role: Role;
  blocks: Block[];
  timestamp: number | null;
  model?: string;
  usage?: Usage;
  /** 1-based line of the raw transcript this message ends on: compared with commit positions. */
  line: number;
  /** Shown folded under this label (e.g. the conversation before a compaction): kept, but out of the way. */
  fold?: string;
}

export interface Conversation {
  agent: string;
  messages: Message[];
  /** Things the reader should know: lines that could not be read, a truncated file. */
  notices: string[];
  usage: Usage;
}

export const zeroUsage = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

export function addUsage(into: Usage, u: Partial<Usage> | undefined) {
  if (!u) return;
  into.input += u.input ?? 0;
  into.output += u.output ?? 0;
  into.cacheRead += u.cacheRead ?? 0;
  into.cacheWrite += u.cacheWrite ?? 0;
}
