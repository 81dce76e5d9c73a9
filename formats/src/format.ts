// What one agent's transcript format is, for every reader of it (UI, search extraction, CLI): the mapper,
// the title, whether a session has said anything, and which files its tool calls name. Each agent's mapper
// file exports one of these; `index.ts` keys them by the agent enum so a missing piece fails to compile.
import type { AGENTS } from "@residue/protocol";
import type { Line } from "./lines.ts";
import type { Conversation } from "./model.ts";
import type { LineRanges } from "./structure/ranges.ts";

export type Agent = (typeof AGENTS)[number];

export interface TranscriptFormat {
  map(text: string): Conversation;
  /** The user's prompt, when this parsed raw line is one: the first one found titles the session. */
  prompt(record: Record<string, unknown>, message: { role?: string; content?: unknown } | undefined): string | null;
  /** Whether a raw line is a message: a transcript with none is an abandoned start or a resume prelude. */
  isMessageLine(line: string): boolean;
  /** The files a tool call's input names, in this agent's tool conventions. */
  filesTouched(input: unknown): string[];
  /** How this agent's records are told apart, for counting what a mapper recognised, hid or did not know. */
  kinds: KindRules;
}

export interface KindRules {
  /** A raw record's kind (default: its `type`). */
  of?(record: Record<string, unknown>): string;
  /** Kinds the mapper reads into the conversation. */
  known: ReadonlySet<string>;
  /** Kinds the mapper hides on purpose: checked to carry nothing a reader of the conversation needs. */
  hidden: ReadonlySet<string>;
}

/** The kind of a record that names it in `type`: every agent's, unless its rules say otherwise. */
export const typeKind = (record: Record<string, unknown>) => (typeof record.type === "string" ? record.type : "untyped");

const MAX_TITLE = 200;

/** A prompt as a one-line title, or null for what is not one (command wrappers, interruptions, blanks). */
export function titleLine(text: string): string | null {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line || line.startsWith("<") || line.startsWith("[Request interrupted")) return null;
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

/** The first text part of a message's content (a string, or parts typed text/input_text). */
export function promptText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (part && typeof part === "object" && (part as { type?: string }).type?.match(/^(text|input_text)$/)) {
        const t = (part as { text?: unknown }).text;
        if (typeof t === "string") return t;
      }
    }
  }
  return "";
}

/** A line whose `"type"` is one of these (matched on the raw text: no parse for a yes/no). */
export function typedLine(...types: string[]): (line: string) => boolean {
  const pattern = new RegExp(`"type"\\s*:\\s*"(${types.join("|")})"`);
  return (line) => pattern.test(line);
}

/** Tool inputs that name their file under one of these keys. */
export function fileKeys(...keys: string[]): (input: unknown) => string[] {
  return (input) => {
    const o = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
    return keys.flatMap((k) => (typeof o[k] === "string" ? [o[k] as string] : []));
  };
}

/** A structure pass: fed a transcript's lines one at a time in file order, with small state, then asked once. */
export interface StructurePass<S> {
  line(line: Line): void;
  finish(): S;
}

/**
 * How a format maps a window of its lines on their own. The structure pass reads the whole file once and
 * decides what only the whole file can (which lines count, the state in force where a window starts);
 * `window` cuts that down to lines [from, to]; `mapLines` maps the window's lines, numbered as in the file.
 */
export interface WindowMapping<S, C> {
  structure(): StructurePass<S>;
  /** A window's context, and the lines outside [from, to] it also needs (read with it, in file order). */
  window(structure: S, from: number, to: number): { context: C; extra: LineRanges };
  mapLines(lines: Line[], context: C): Conversation;
}
