import type { Message } from "@residue/formats/model";
import type { SessionMessages, WindowOptions } from "@residue/store/reader";

// Which part of a conversation led to a commit; shared with the CLI's `residue show`.
export { type Segments, segment } from "@residue/formats/view";

/** The first response carries at most this many messages; the rest load on demand. */
export const FIRST_PAGE = 150;
export const RANGE_PAGE = 200;
/**
 * Transcript bytes a permalink maps at most before the rest goes behind its fold: mapping costs CPU by the
 * byte, and the Free plan gives a request 10 ms (docs/scale-design.md §11). Whole blocks, at least one.
 */
export const FIRST_PAGE_BYTES = 256 * 1024;

/** Messages [from, to]: an inclusive run of global message indexes. */
export interface Span {
  from: number;
  to: number;
}

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

/** A page of a range: the messages shown (at most `size`, nearest the kept end) and the span left behind a fold. */
export interface RangePage {
  messages: Message[];
  hidden: Span | null;
  notices: string[];
}

/** Reads the page of `span` a view shows, and only it; a budget may show fewer, the rest joining the fold. */
export async function readPage(
  source: SessionMessages,
  span: Span,
  size: number,
  keep: "start" | "end",
  budget?: number,
): Promise<RangePage> {
  if (span.to < span.from) return { messages: [], hidden: null, notices: [] };
  const wanted =
    keep === "end"
      ? { from: Math.max(span.from, span.to - size + 1), to: span.to }
      : { from: span.from, to: Math.min(span.to, span.from + size - 1) };
  const options: WindowOptions = budget === undefined ? { keep } : { keep, budget };
  const read = await source.window(wanted.from, wanted.to, options);
  const first = read.messages[0]?.index ?? wanted.to + 1;
  const last = read.messages.at(-1)?.index ?? wanted.from - 1;
  const hidden = keep === "end" ? { from: span.from, to: first - 1 } : { from: last + 1, to: span.to };
  return { messages: read.messages, hidden: hidden.to >= hidden.from ? hidden : null, notices: read.notices };
}

/**
 * A session's part of a commit, by counts: messages [0, earlier) came before it, [earlier, earlier+current)
 * led to it, the last `later` came after. A part with no new messages shows the exchange it ends on (the
 * last prompt and what answered it) rather than a marker with nothing under it.
 */
export interface CommitPart {
  total: number;
  earlier: number;
  current: number;
  later: number;
  /** Earlier messages folded away: all of them, or those before the recap. */
  folded: Span | null;
  /** The current part's last page, or the recap's. */
  shown: RangePage;
  notices: string[];
}

/** How many windows back a recap looks for the last prompt before giving up and showing what it read. */
const RECAP_WINDOWS = 4;

/**
 * The part of a session a commit shows: after `since` (the line the part starts after) up to `position`
 * (the commit's line; by the commit's time when the link has none).
 */
export async function commitPart(
  source: SessionMessages,
  since: number | null,
  position: number | null,
  committedAt: number,
): Promise<CommitPart> {
  const total = source.total;
  const end = position ?? (await source.lineAt(committedAt));
  const earlier = end === null ? 0 : await source.countThrough(since ?? 0);
  const through = end === null ? total : await source.countThrough(end);
  const current = Math.max(0, through - earlier);
  const later = total - through;
  if (current > 0 || total === 0) {
    const shown = await readPage(source, { from: earlier, to: through - 1 }, FIRST_PAGE, "end", FIRST_PAGE_BYTES);
    return { total, earlier, current, later, folded: earlier > 0 ? { from: 0, to: earlier - 1 } : null, shown, notices: shown.notices };
  }
  const recapFrom = await lastPrompt(source, earlier);
  const shown = await readPage(source, { from: recapFrom, to: earlier - 1 }, FIRST_PAGE, "end", FIRST_PAGE_BYTES);
  return { total, earlier, current, later, folded: recapFrom > 0 ? { from: 0, to: recapFrom - 1 } : null, shown, notices: shown.notices };
}

/** Where the exchange ending before message `end` starts: its last user message (0 when there is none). */
async function lastPrompt(source: SessionMessages, end: number): Promise<number> {
  let to = end - 1;
  for (let n = 0; n < RECAP_WINDOWS && to >= 0; n++) {
    // Searched backwards a budget at a time: a long tool-driven stretch costs no more than a first page.
    const { messages } = await source.window(Math.max(0, to - FIRST_PAGE + 1), to, { keep: "end", budget: FIRST_PAGE_BYTES });
    const user = messages.findLast((m) => m.role === "user");
    if (user) return user.index;
    const first = messages[0]?.index ?? 0;
    if (first > to) break;
    to = first - 1;
  }
  return Math.max(0, to + 1);
}
