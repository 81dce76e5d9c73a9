// OpenCode's structure pass (the residue plugin's JSONL): the only thing a window cannot see is how many
// messages lie before it — a tool part without a call id is named by its message's place in the session.

import type { Line } from "../lines.ts";
import type { LineRanges } from "./ranges.ts";

export interface OpenCodeContext {
  /** Messages before the first line mapped. */
  before: number;
}

export interface OpenCodeStructure {
  /** The lines of the session's messages, in order. */
  messages: number[];
}

export const isMessageRecord = (value: Record<string, unknown>) => value.type === "message";

export function openCodeStructure() {
  const structure: OpenCodeStructure = { messages: [] };
  return {
    line({ n, value }: Line) {
      if (isMessageRecord(value)) structure.messages.push(n);
    },
    finish: () => structure,
  };
}

/** The context of lines [from, to]: a window needs no lines outside itself. */
export function openCodeWindow(structure: OpenCodeStructure, from: number, _to: number): { context: OpenCodeContext; extra: LineRanges } {
  let lo = 0;
  let hi = structure.messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((structure.messages[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return { context: { before: lo }, extra: [] };
}
