// Codex's structure pass: fed the rollout line by line, it notes whether the rollout has response items
// (then they are the conversation and events only echo them; else events are the conversation) and the
// model each turn context sets, which stays on the replies that follow until the next one.

import type { Line } from "../lines.ts";
import type { LineRanges } from "./ranges.ts";

export interface CodexContext {
  fromItems: boolean;
  /** The model in force before the first line mapped. */
  model: string | undefined;
}

export interface CodexStructure {
  fromItems: boolean;
  models: { line: number; model: string }[];
}

/** A line's kind: an enveloped line names it; before the envelope, items were written bare and the first
 * line was a bare session header. */
export function lineKind(v: Record<string, unknown>): string {
  const type = typeof v.type === "string" ? v.type : undefined;
  const payload = v.payload && typeof v.payload === "object" && !Array.isArray(v.payload);
  if (payload && type) return type;
  if (typeof v.record_type === "string") return "state";
  if (type) return "response_item";
  return typeof v.id === "string" ? "session_meta" : "unknown";
}

export function codexStructure() {
  const structure: CodexStructure = { fromItems: false, models: [] };
  return {
    line({ n, value }: Line) {
      const kind = lineKind(value);
      structure.fromItems ||= kind === "response_item";
      const model = kind === "turn_context" ? (value.payload as Record<string, unknown>).model : undefined;
      if (typeof model === "string") structure.models.push({ line: n, model });
    },
    finish: () => structure,
  };
}

/** The context of lines [from, to]: a window needs no lines outside itself. */
export function codexWindow(structure: CodexStructure, from: number, _to: number): { context: CodexContext; extra: LineRanges } {
  return { context: { fromItems: structure.fromItems, model: structure.models.findLast((m) => m.line < from)?.model }, extra: [] };
}
