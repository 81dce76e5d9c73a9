// Gemini CLI JSONL's structure pass: fed the chat line by line, it replays what only the whole file can
// decide — records re-appended with the same id (the last version wins, in the place of the first), `$set`
// rewrites of the whole history, and `$rewindTo`, which folds a message and every one after it even when it
// comes much later. It keeps ids and line numbers only: the result is the chat's messages in reading order,
// each as the line (and, for a rewrite, the place in that line's history) holding its last version.

import type { Line } from "../lines.ts";
import type { LineRanges } from "./ranges.ts";

/** One message of the chat: its last version is line `n` (or element `sub` of the history that line rewrote). */
export interface GeminiItem {
  n: number;
  sub: number | null;
  rewound: boolean;
}

export interface GeminiContext {
  items: GeminiItem[];
  /** How often Gemini CLI rewrote its history (dropping messages), for the chat's notice. */
  rewrites: number;
}

export type GeminiStructure = GeminiContext;

// Records that carry no conversation, each safe to hide because:
// - the metadata line (`isMetadata`): the session's ids, start time and kind (main or subagent);
// - `{$set}` without `messages`: metadata updates (lastUpdated, summary, directories, memory scratchpad);
// - a user record of function responses only (left out by the mapper): the tool results, already shown on
//   the calls they answer.
const isMetadata = (v: Record<string, unknown>) => v.type === undefined && typeof v.sessionId === "string";

const record = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The history a `$set` (or the header) gives, if it gives one. */
export function rewrittenHistory(v: Record<string, unknown>): unknown[] | undefined {
  const messages = record(v.$set)?.messages ?? v.messages;
  return Array.isArray(messages) ? messages : undefined;
}

export function geminiStructure() {
  const items: (GeminiItem & { id: string })[] = [];
  const live = new Map<string, GeminiItem & { id: string }>();
  let rewrites = 0;
  const add = (id: string, n: number, sub: number | null) => {
    const at = live.get(id);
    if (at) {
      at.n = n;
      at.sub = sub;
    } else {
      const item = { id, n, sub, rewound: false };
      items.push(item);
      live.set(id, item);
    }
  };
  return {
    line({ n, value: v }: Line) {
      if (typeof v.$rewindTo === "string") {
        // Gemini CLI drops the named message and all after it; an unknown id drops everything.
        const order = [...live.values()];
        const from = order.findIndex((i) => i.id === v.$rewindTo);
        for (const i of order.slice(from === -1 ? 0 : from)) {
          i.rewound = true;
          live.delete(i.id);
        }
      } else if (record(v.$set) || isMetadata(v)) {
        const history = rewrittenHistory(v);
        if (!history) return;
        // A whole new history: messages it keeps stay as they were first written (a rewrite may have
        // shortened them), messages it adds follow, messages it drops stay where they are.
        const next = history.flatMap((m, sub) => {
          const id = record(m)?.id;
          return typeof id === "string" && id ? [{ id, sub }] : [];
        });
        const ids = new Set(next.map((m) => m.id));
        if ([...live.keys()].some((id) => !ids.has(id))) rewrites++;
        for (const id of [...live.keys()]) if (!ids.has(id)) live.delete(id);
        for (const m of next) if (!live.has(m.id)) add(m.id, n, m.sub);
      } else add(typeof v.id === "string" ? v.id : `line-${n}`, n, null);
    },
    finish: (): GeminiStructure => ({ items: items.map(({ n, sub, rewound }) => ({ n, sub, rewound })), rewrites }),
  };
}

/** The context of lines [from, to]: the messages whose last version lies in them, in reading order. */
export function geminiWindow(structure: GeminiStructure, from: number, to: number): { context: GeminiContext; extra: LineRanges } {
  return { context: { items: structure.items.filter((i) => i.n >= from && i.n <= to), rewrites: structure.rewrites }, extra: [] };
}
