import type { Message } from "@residue/formats/model";

// Which part of a conversation led to a commit; shared with the CLI's `residue show`.
export { type Segments, segment } from "@residue/formats/view";

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
