// The session index: one binary R2 object beside the data. Every view reads a prefix of a few KB (header,
// sparse message table, skip ranges, appended files), then by range only the slices it needs: 256-message
// blocks of the message table (32 B a message, with the segment holding the message's last line) and the
// entries of the segments it will read (48 B a segment). So a view reads the same few KB of index whatever
// the session's size.
import type { Member } from "./member-table.ts";

export interface IndexedMessage {
  /** The transcript line the message ends on (Message.line). */
  line: number;
  /** The line where its records begin (after the previous message's tool results). */
  firstLine: number;
  timestamp: number | null;
  role: "user" | "assistant" | "system";
  folded: boolean;
  /** Lines outside the window it also draws from (a sub-agent's file), 0 when none. */
  extraFrom: number;
  extraTo: number;
  /** The segment holding `line`. */
  segment: number;
}

export interface IndexedFile {
  name: string;
  from: number;
  to: number;
  firstSegment: number;
  lastSegment: number;
}

export interface SessionIndex {
  segmentCount: number;
  skip: [number, number][];
  files: IndexedFile[];
  lastMainLine: number;
  /** The segment holding the last line of the main transcript (before appended files). */
  lastMainSegment: number;
  messageCount: number;
  /** Line and timestamp of every BLOCK-th message: finds the block to read for a line or a time. */
  sparse: { line: number; timestamp: number }[];
  segmentsAt: number;
  messagesAt: number;
}

export const BLOCK = 256;
const MESSAGE_BYTES = 32;
const SEGMENT_BYTES = 48;
const HEADER_FIELDS = 10;
const ROLES = ["user", "assistant", "system"] as const;

/** The segment holding `line`, by binary search on first lines. */
export function segmentOf(segments: Member[], line: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid] as Member).firstLine <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function encodeIndex(
  index: { members: Member[]; skip: [number, number][]; files: { name: string; from: number; to: number }[]; lastMainLine: number },
  messages: Omit<IndexedMessage, "segment">[],
): Uint8Array {
  const segments = index.members;
  const sparse = messages.filter((_, i) => i % BLOCK === 0).map((m) => ({ line: m.line, timestamp: m.timestamp ?? -1 }));
  const files: IndexedFile[] = index.files.map((f) => ({
    ...f,
    firstSegment: segmentOf(segments, f.from),
    lastSegment: segmentOf(segments, f.to),
  }));
  const names = new TextEncoder().encode(JSON.stringify(files));
  const numbers = [...sparse.flatMap((s) => [s.line, s.timestamp]), ...index.skip.flat()];
  const prefixLength = HEADER_FIELDS * 8 + numbers.length * 8 + names.length;
  const segmentsAt = Math.ceil(prefixLength / 8) * 8;
  const messagesAt = segmentsAt + segments.length * SEGMENT_BYTES;
  const out = new Uint8Array(messagesAt + messages.length * MESSAGE_BYTES);
  const view = new DataView(out.buffer);
  const header = [
    segments.length,
    sparse.length,
    index.skip.length,
    names.length,
    messages.length,
    index.lastMainLine,
    segmentOf(segments, index.lastMainLine),
    segmentsAt,
    messagesAt,
    prefixLength,
  ];
  for (const [i, v] of header.entries()) view.setFloat64(i * 8, v, true);
  for (const [i, v] of numbers.entries()) view.setFloat64(HEADER_FIELDS * 8 + i * 8, v, true);
  out.set(names, HEADER_FIELDS * 8 + numbers.length * 8);
  for (const [i, s] of segments.entries())
    for (const [k, v] of [s.comp, s.compLength, s.raw, s.rawLength, s.firstLine, s.lines].entries())
      view.setFloat64(segmentsAt + i * SEGMENT_BYTES + k * 8, v, true);
  for (const [i, m] of messages.entries()) {
    const at = messagesAt + i * MESSAGE_BYTES;
    view.setUint32(at, m.line, true);
    view.setUint32(at + 4, m.line - m.firstLine, true);
    view.setUint32(at + 8, m.extraFrom, true);
    view.setUint32(at + 12, (m.extraTo - m.extraFrom) | (ROLES.indexOf(m.role) << 28) | (m.folded ? 1 << 30 : 0), true);
    view.setFloat64(at + 16, m.timestamp ?? -1, true);
    view.setUint32(at + 24, segmentOf(segments, m.line), true);
  }
  return out;
}

/** The prefix of an index object. `bytes` must hold the whole prefix, else the answer says how much it needs. */
export function decodePrefix(bytes: Uint8Array): SessionIndex | { needs: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = (i: number) => view.getFloat64(i * 8, true);
  const [segments, sparse, skip, names, messageCount, lastMainLine, lastMainSegment, segmentsAt, messagesAt, prefixLength] = Array.from(
    { length: HEADER_FIELDS },
    (_, i) => h(i),
  ) as number[];
  if (bytes.byteLength < (prefixLength as number)) return { needs: prefixLength as number };
  let at = HEADER_FIELDS;
  const next = () => h(at++);
  const out: SessionIndex = {
    segmentCount: segments as number,
    skip: [],
    files: [],
    lastMainLine: lastMainLine as number,
    lastMainSegment: lastMainSegment as number,
    messageCount: messageCount as number,
    sparse: [],
    segmentsAt: segmentsAt as number,
    messagesAt: messagesAt as number,
  };
  for (let i = 0; i < (sparse as number); i++) out.sparse.push({ line: next(), timestamp: next() });
  for (let i = 0; i < (skip as number); i++) out.skip.push([next(), next()]);
  out.files = JSON.parse(new TextDecoder().decode(bytes.subarray(at * 8, at * 8 + (names as number))));
  return out;
}

/** Messages from the bytes of a slice of the message table. */
export function decodeMessages(bytes: Uint8Array, count: number): IndexedMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => {
    const at = i * MESSAGE_BYTES;
    const line = view.getUint32(at, true);
    const extraFrom = view.getUint32(at + 8, true);
    const packed = view.getUint32(at + 12, true);
    const timestamp = view.getFloat64(at + 16, true);
    return {
      line,
      firstLine: line - view.getUint32(at + 4, true),
      extraFrom,
      extraTo: extraFrom + (packed & 0x0fffffff),
      role: ROLES[(packed >>> 28) & 3] ?? "system",
      folded: (packed & (1 << 30)) !== 0,
      timestamp: timestamp < 0 ? null : timestamp,
      segment: view.getUint32(at + 24, true),
    };
  });
}

/** Segments from the bytes of a slice of the segment table. */
export function decodeSegments(bytes: Uint8Array, count: number): Member[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => {
    const f = (k: number) => view.getFloat64(i * SEGMENT_BYTES + k * 8, true);
    return { comp: f(0), compLength: f(1), raw: f(2), rawLength: f(3), firstLine: f(4), lines: f(5) };
  });
}

/** Where messages [from, to] lie in the index object. */
export const messageRange = (index: SessionIndex, from: number, to: number) => ({
  offset: index.messagesAt + from * MESSAGE_BYTES,
  length: (to - from + 1) * MESSAGE_BYTES,
});

/** Where segment entries [from, to] lie in the index object. */
export const segmentRange = (index: SessionIndex, from: number, to: number) => ({
  offset: index.segmentsAt + from * SEGMENT_BYTES,
  length: (to - from + 1) * SEGMENT_BYTES,
});
