import type { Message } from "@residue/formats/model";

// Which part of a conversation led to a commit; shared with the CLI's `residue show`.
export { type Segments, segment } from "@residue/formats/view";

/**
 * How far a transcript had got at time `at`, by its messages' own stamps: for a link that came without a
 * position (one made by hand). Null when no message is stamped, so the whole conversation shows.
 */
export function lineAt(messages: Message[], at: number): number | null {
  if (!messages.some((m) => m.timestamp !== null)) return null;
  return messages.filter((m) => m.timestamp !== null && m.timestamp <= at).at(-1)?.line ?? 0;
}

/** The last prompt and what answered it: what a part with no new messages shows instead of nothing. */
export function lastExchange(messages: Message[]): Message[] {
  return messages.slice(
    Math.max(
      0,
      messages.findLastIndex((m) => m.role === "user"),
    ),
  );
}

/** The first response carries at most this many messages; the rest load on demand. */
export const FIRST_PAGE = 150;
export const RANGE_PAGE = 200;

/** The `from`/`to`/`tone`/`full` of a range request, clamped to the conversation. */
export function readRange(params: URLSearchParams, total: number) {
  const int = (name: string, fallback: number) => {
    const v = Number(params.get(name));
    return params.has(name) && Number.isInteger(v) && v >= 0 ? v : fallback;
  };
  const from = int("from", 0);
  const to = Math.min(int("to", from + RANGE_PAGE - 1), total - 1);
  return { from, to, tone: params.get("tone") === "later" ? ("later" as const) : ("" as const), full: params.get("full") === "1" };
}
