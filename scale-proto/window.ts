// The one range reader: index prefix → the message block a view needs → the entries of the segments
// holding its lines → those segments → those lines → the mapper on that window. Runs unchanged in the Worker (R2 range reads, DecompressionStream)
// and in node (file reads, zlib); `get` and `inflate` are its only I/O.
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { inRanges } from "@residue/formats/structure/ranges";
import {
  decodeMessages,
  decodePrefix,
  decodeSegments,
  type IndexedMessage,
  messageRange,
  type SessionIndex,
  segmentRange,
} from "./index-format.ts";

export type RangeGet = (key: string, offset: number, length: number) => Promise<Uint8Array>;
export type Inflate = (member: Uint8Array) => Promise<Uint8Array>;

export interface ReadStats {
  requests: number;
  bytesRead: number;
  inflated: number;
}

// One read covers the prefix of sessions up to ~500,000 messages (the sparse table is 16 B per 256 messages).
const PREFIX_GUESS = 32 * 1024;

export async function openIndex(get: RangeGet, key: string, stats: ReadStats): Promise<SessionIndex> {
  let bytes = await get(key, 0, PREFIX_GUESS);
  stats.requests++;
  stats.bytesRead += bytes.byteLength;
  let index = decodePrefix(bytes);
  if ("needs" in index) {
    bytes = await get(key, 0, index.needs);
    stats.requests++;
    stats.bytesRead += bytes.byteLength;
    index = decodePrefix(bytes) as SessionIndex;
  }
  return index;
}

export async function readIndexedMessages(get: RangeGet, key: string, index: SessionIndex, from: number, to: number, stats: ReadStats) {
  const { offset, length } = messageRange(index, from, to);
  const bytes = await get(key, offset, length);
  stats.requests++;
  stats.bytesRead += bytes.byteLength;
  return decodeMessages(bytes, to - from + 1);
}

/** The first message whose line is past `line`, among messages whose lines never decrease (binary search by blocks, then within). */
export async function firstAfter(get: RangeGet, key: string, index: SessionIndex, line: number, stats: ReadStats): Promise<number> {
  let block = index.sparse.findLastIndex((s) => s.line <= line);
  if (block < 0) return 0;
  const from = block * 256;
  const to = Math.min(index.messageCount - 1, from + 255);
  const messages = await readIndexedMessages(get, key, index, from, to, stats);
  const within = messages.findIndex((m) => m.line > line);
  block = within < 0 ? to + 1 : from + within;
  return block;
}

/** Lines [from, to] in segments [first, last] (a bound the index gives without reading the segment table). */
export interface LineRange {
  from: number;
  to: number;
  first: number;
  last: number;
}

/** Lines of each range, off-branch lines left out: one read of segment entries and one of data per run of segments. */
export async function readLines(
  get: RangeGet,
  inflate: Inflate,
  keys: { data: string; index: string },
  index: SessionIndex,
  ranges: LineRange[],
  stats: ReadStats,
): Promise<{ n: number; text: string }[]> {
  const out: { n: number; text: string }[] = [];
  const decoder = new TextDecoder();
  // Ranges whose segments touch or overlap are read as one run.
  const runs: { first: number; last: number; ranges: LineRange[] }[] = [];
  for (const r of [...ranges].sort((a, b) => a.first - b.first)) {
    const prev = runs.at(-1);
    if (prev && r.first <= prev.last + 1) {
      prev.last = Math.max(prev.last, r.last);
      prev.ranges.push(r);
    } else runs.push({ first: r.first, last: r.last, ranges: [r] });
  }
  const wanted = (n: number, run: { ranges: LineRange[] }) => run.ranges.some((r) => n >= r.from && n <= r.to);
  for (const run of runs) {
    const { offset, length } = segmentRange(index, run.first, run.last);
    const entryBytes = await get(keys.index, offset, length);
    stats.requests++;
    stats.bytesRead += entryBytes.byteLength;
    // The bound may hold a segment more at each end than the lines need: trimmed before reading data.
    const segments = decodeSegments(entryBytes, run.last - run.first + 1).filter((s) =>
      run.ranges.some((r) => s.firstLine <= r.to && s.firstLine + s.lines - 1 >= r.from),
    );
    const head = segments[0];
    const tail = segments.at(-1);
    if (!head || !tail) continue;
    const bytes = await get(keys.data, head.comp, tail.comp + tail.compLength - head.comp);
    stats.requests++;
    stats.bytesRead += bytes.byteLength;
    for (const segment of segments) {
      const raw = await inflate(bytes.subarray(segment.comp - head.comp, segment.comp - head.comp + segment.compLength));
      stats.inflated += raw.byteLength;
      let n = segment.firstLine;
      let start = 0;
      for (;;) {
        const nl = raw.indexOf(0x0a, start);
        const end = nl < 0 ? raw.byteLength : nl;
        if (end > start && wanted(n, run) && !inRanges(index.skip, n)) out.push({ n, text: decoder.decode(raw.subarray(start, end)) });
        if (nl < 0) break;
        start = nl + 1;
        n++;
      }
    }
  }
  return out.sort((a, b) => a.n - b.n);
}

const FOLD_LABEL = "Earlier conversation, before compaction";

/**
 * Messages [from, to] of the conversation, mapped from their window only. Prototype stand-in for a
 * format's `mapWindow(lines)`: the window's lines are mapped as a text, then numbered back to their
 * transcript lines; the index says which mapped messages are real (and their global index and fold).
 */
export async function readWindow(
  get: RangeGet,
  inflate: Inflate,
  keys: { data: string; index: string },
  agent: string,
  index: SessionIndex,
  from: number,
  to: number,
  stats: ReadStats,
): Promise<Message[]> {
  const lo = Math.max(0, from - 1);
  const hi = Math.min(index.messageCount - 1, to + 1);
  const entries = await readIndexedMessages(get, keys.index, index, lo, hi, stats);
  const at = (i: number) => entries[i - lo] as IndexedMessage;
  const firstLine = from > 0 ? at(from - 1).line + 1 : 1;
  const lastLine = to + 1 < index.messageCount ? at(to + 1).line - 1 : index.lastMainLine;
  const ranges: LineRange[] = [
    {
      from: firstLine,
      to: Math.max(firstLine, lastLine),
      first: from > 0 ? at(from - 1).segment : 0,
      last: to + 1 < index.messageCount ? at(to + 1).segment : index.lastMainSegment,
    },
  ];
  for (let i = from; i <= to; i++) {
    const file = at(i).extraFrom > 0 ? index.files.find((f) => f.from === at(i).extraFrom) : undefined;
    if (file) ranges.push({ from: file.from, to: file.to, first: file.firstSegment, last: file.lastSegment });
  }
  const lines = await readLines(get, inflate, keys, index, ranges, stats);
  const global = lines.map((l) => l.n);
  const conversation = mapSession(agent, lines.map((l) => l.text).join("\n"));
  const byLine = new Map<number, { i: number; entry: IndexedMessage }>();
  for (let i = from; i <= to; i++) byLine.set(at(i).line, { i, entry: at(i) });
  const renumber = (m: Message) => {
    m.line = global[m.line - 1] ?? m.line;
    for (const b of m.blocks) if (b.kind === "tool_call") for (const child of b.children ?? []) renumber(child);
  };
  const out: Message[] = [];
  for (const m of conversation.messages) {
    renumber(m);
    const known = byLine.get(m.line);
    if (!known) continue;
    m.index = known.i;
    if (known.entry.folded) m.fold = FOLD_LABEL;
    else delete m.fold;
    out.push(m);
  }
  return out;
}
