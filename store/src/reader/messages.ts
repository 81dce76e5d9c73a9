// What every reader of a session's messages asks, whatever the session's stored layout: the UI's pages and
// `residue show`/`why` ask this and never look at how the transcript is stored.
import type { Conversation, Message } from "@residue/formats/model";
import type { ReadStats, Window, WindowOptions } from "./session-reader.ts";

export interface SessionMessages {
  readonly total: number;
  /** What the reader should know about the session as a whole (damage, a cut transcript). */
  readonly notices: string[];
  /** What reading by range cost so far (nothing for a conversation already in memory). */
  readonly stats: ReadStats;
  /** Messages ending on a line ≤ `line`: what splits a commit's part (message lines never decrease). */
  countThrough(line: number): Promise<number>;
  /** How far the transcript had got at time `at`, by its messages' stamps; null when none is stamped. */
  lineAt(at: number): Promise<number | null>;
  /** Messages [from, to], clamped to the session. */
  window(from: number, to: number, options?: WindowOptions): Promise<Window>;
}

/** Stamps of a list of messages: the line of the last one stamped at or before `at`. */
export function lineAt(messages: Message[], at: number): number | null {
  if (!messages.some((m) => m.timestamp !== null)) return null;
  return messages.filter((m) => m.timestamp !== null && m.timestamp <= at).at(-1)?.line ?? 0;
}

/**
 * A conversation mapped whole (the "gzip-v1" layout, read bounded, and whole-document formats): already in
 * memory, so a budget changes nothing and nothing is read.
 */
export function wholeMessages(conversation: Conversation): SessionMessages {
  const { messages } = conversation;
  return {
    total: messages.length,
    notices: conversation.notices,
    stats: { reads: 0, bytesRead: 0, inflated: 0 },
    countThrough: async (line) => messages.filter((m) => m.line <= line).length,
    lineAt: async (at) => lineAt(messages, at),
    window: async (from, to) => ({
      messages: messages.slice(Math.max(0, from), to + 1),
      notices: [],
      stats: { reads: 0, bytesRead: 0, inflated: 0 },
    }),
  };
}
