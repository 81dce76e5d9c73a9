// The session index: one small binary R2 object beside the members, read by range. A fixed-size prefix
// (header, member table, sparse message table, skip/fold ranges, appended files) is read in one request;
// the message table, 24 bytes a message, is read by the block a view needs.
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
}

export interface SessionIndex {
  members: Member[];
  skip: [number, number][];
  fold: [number, number][];
  files: { name: string; from: number; to: number }[];
  lastMainLine: number;
  messageCount: number;
  /** Line and timestamp of every BLOCK-th message: finds the block to read for a line or a time. */
  sparse: { line: number; timestamp: number }[];
  /** Byte offset of the message table in the index object. */
  messagesAt: number;
}

export const BLOCK = 256;
const MESSAGE_BYTES = 24;
const ROLES = ["user", "assistant", "system"] as const;

export function encodeIndex(index: Omit<SessionIndex, "sparse" | "messagesAt" | "messageCount">, messages: IndexedMessage[]): Uint8Array {
  const sparse = messages.filter((_, i) => i % BLOCK === 0).map((m) => ({ line: m.line, timestamp: m.timestamp ?? -1 }));
  const names = new TextEncoder().encode(JSON.stringify(index.files));
  const numbers = [
    ...index.members.flatMap((m) => [m.comp, m.compLength, m.raw, m.rawLength, m.firstLine, m.lines]),
    ...sparse.flatMap((s) => [s.line, s.timestamp]),
    ...index.skip.flat(),
    ...index.fold.flat(),
  ];
  const headerBytes = 8 * 8;
  const prefix = headerBytes + numbers.length * 8 + names.length;
  const messagesAt = Math.ceil(prefix / 8) * 8;
  const out = new Uint8Array(messagesAt + messages.length * MESSAGE_BYTES);
  const view = new DataView(out.buffer);
  const header = [
    index.members.length,
    sparse.length,
    index.skip.length,
    index.fold.length,
    names.length,
    messages.length,
    index.lastMainLine,
    messagesAt,
  ];
  for (const [i, v] of header.entries()) view.setFloat64(i * 8, v, true);
  for (const [i, v] of numbers.entries()) view.setFloat64(headerBytes + i * 8, v, true);
  out.set(names, headerBytes + numbers.length * 8);
  messages.forEach((m, i) => {
    const at = messagesAt + i * MESSAGE_BYTES;
    view.setUint32(at, m.line, true);
    view.setUint32(at + 4, m.line - m.firstLine, true);
    view.setUint32(at + 8, m.extraFrom, true);
    view.setUint32(at + 12, (m.extraTo - m.extraFrom) | (ROLES.indexOf(m.role) << 28) | (m.folded ? 1 << 30 : 0), true);
    view.setFloat64(at + 16, m.timestamp ?? -1, true);
  });
  return out;
}

/** The prefix of an index object: everything but the message table. `bytes` must hold the whole prefix. */
export function decodePrefix(bytes: Uint8Array): SessionIndex | { needs: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = (i: number) => view.getFloat64(i * 8, true);
  const [members, sparse, skip, fold, names, messageCount, lastMainLine, messagesAt] = [0, 1, 2, 3, 4, 5, 6, 7].map(h) as number[];
  if (bytes.byteLength < (messagesAt as number)) return { needs: messagesAt as number };
  let at = 8;
  const next = () => h(at++);
  const out: SessionIndex = {
    members: [],
    skip: [],
    fold: [],
    files: [],
    lastMainLine: lastMainLine as number,
    messageCount: messageCount as number,
    sparse: [],
    messagesAt: messagesAt as number,
  };
  for (let i = 0; i < (members as number); i++)
    out.members.push({ comp: next(), compLength: next(), raw: next(), rawLength: next(), firstLine: next(), lines: next() });
  for (let i = 0; i < (sparse as number); i++) out.sparse.push({ line: next(), timestamp: next() });
  for (let i = 0; i < (skip as number); i++) out.skip.push([next(), next()]);
  for (let i = 0; i < (fold as number); i++) out.fold.push([next(), next()]);
  out.files = JSON.parse(new TextDecoder().decode(bytes.subarray(at * 8, at * 8 + (names as number))));
  return out;
}

/** Messages [from, from + count) from the bytes of that slice of the message table. */
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
    };
  });
}

/** Where messages [from, to] lie in the index object. */
export const messageRange = (index: SessionIndex, from: number, to: number) => ({
  offset: index.messagesAt + from * MESSAGE_BYTES,
  length: (to - from + 1) * MESSAGE_BYTES,
});
