// The CLI's writer of the segments layout: from a session's redacted transcript (a JSONL format) and the
// layout the server confirmed last time, one push — the new segments (a byte range of the local segmented
// .gz), the index pages from the first block that changed, the LayoutPush describing both, the state to
// keep once the server confirms it, and the search documents of the messages mapped again. Two passes,
// neither holding the transcript: bytes → segments + structure pass; then windows read back by segment.
import { createHash } from "node:crypto";
import { searchDocuments } from "@residue/formats/search-text";
import { mergeRanges } from "@residue/formats/structure/ranges";
import { parseLine, WINDOWS } from "@residue/formats/windows";
import { type LayoutPage, type LayoutPush, MAX_PUSHES, type SearchDocument } from "@residue/protocol";
import type { SegmentRef } from "../page.ts";
import { mapBlocks } from "./blocks.ts";
import { lineReader, segmentsFor } from "./lines.ts";
import { pageWriter } from "./pages.ts";
import { type LocalSegment, type SegmentedFile, segmentWriter } from "./segments.ts";
import type { StoredBlock, WriterState } from "./state.ts";

export { NotWindowable } from "./blocks.ts";
export type { LocalSegment } from "./segments.ts";
export type { StoredBlock, WriterState } from "./state.ts";

export type WindowedAgent = keyof typeof WINDOWS;

export interface WriteOptions {
  agent: WindowedAgent;
  /** The redacted transcript, as it is now. */
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** What the server confirmed holding after the last push (null: nothing yet). */
  confirmed: WriterState | null;
  /** Generations up to this one may be held by the server already (a push was refused): a new one is numbered after it. */
  after?: number;
  /** Where to write the local segmented .gz (the whole transcript) and this push's index object. */
  gzipPath: string;
  indexPath: string;
  /** Search documents of the messages mapped again, block by block (global message indexes). */
  onDocuments?: (docs: SearchDocument[]) => void;
}

export interface WrittenPush {
  layout: LayoutPush;
  /** This push's chunk: a byte range of the local .gz (null when no whole line was added). */
  chunk: { offset: number; length: number } | null;
  /** The state to keep once the server's `stored` answer equals this push's totals. */
  state: WriterState;
  /** Documents from this message on were given to onDocuments; those before it are unchanged. */
  documentsFrom: number;
  /** Where each local segment lies in the .gz, for reading it back. */
  segments: LocalSegment[];
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const blockDigest = (from: number, to: number, window: { extra: unknown; context: unknown }) =>
  sha256(JSON.stringify([from, to, window.extra, window.context]));

/** Pass one: lines → local segments, the stored prefix's hash, the structure pass. */
async function firstPass(options: WriteOptions) {
  const format = WINDOWS[options.agent];
  const previous = options.confirmed;
  const cuts = previous ? previous.segments.map(([, , , first, lines]) => first + lines - 1) : [];
  const writer = segmentWriter(options.gzipPath, cuts);
  const structure = format.structure();
  const hash = createHash("sha256");
  // The bytes after the stored ones: the chunk's, when this push continues the generation.
  const growth = createHash("sha256");
  let prefix: string | null = null;
  let raw = 0;
  let n = 0;
  let carry: Buffer[] = [];
  const line = (bytes: Buffer) => {
    writer.line(bytes);
    hash.update(bytes);
    if (raw >= (previous?.raw_size ?? 0)) growth.update(bytes);
    raw += bytes.length;
    if (previous && raw === previous.raw_size) prefix = hash.copy().digest("hex");
    const parsed = parseLine(bytes.toString("utf8", 0, bytes.length - 1), ++n);
    if (parsed && parsed !== "bad") structure.line(parsed);
  };
  for await (const input of options.input) {
    const chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let from = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl + 1);
      line(carry.length ? Buffer.concat([...carry, piece]) : piece);
      carry = [];
      from = nl + 1;
    }
    if (from < chunk.length) carry.push(Buffer.from(chunk.subarray(from)));
  }
  if (previous && previous.raw_size === 0) prefix = createHash("sha256").digest("hex");
  const file = writer.close(Buffer.concat(carry));
  return { file, structure: structure.finish(), prefix, all: hash.digest("hex"), grown: growth.digest("hex") };
}

/** Whether this push adds to the stored generation: same agent, same stored bytes, same segment cuts, room left. */
function continues(previous: WriterState | null, agent: string, prefix: string | null, file: SegmentedFile): previous is WriterState {
  if (!previous || previous.agent !== agent || prefix !== previous.prefix_sha256 || previous.pushes >= MAX_PUSHES) return false;
  return previous.segments.every(([, , , first, lines], i) => file.segments[i]?.firstLine === first && file.segments[i]?.lines === lines);
}

/** The first stored block to map again: the first whose window or context changed, at the latest the last one. */
function restartAt(previous: WriterState, digestOf: (b: StoredBlock) => string) {
  const pages = previous.pages;
  for (let p = 0; p < pages.length; p++) {
    const blocks = (pages[p] as WriterState["pages"][number]).blocks;
    for (let b = 0; b < blocks.length; b++) {
      const last = p === pages.length - 1 && b === blocks.length - 1;
      if (last || digestOf(blocks[b] as StoredBlock) !== (blocks[b] as StoredBlock).digest) return { page: p, block: b };
    }
  }
  return null;
}

/** A stored page named again with only its blocks before `keep` (a later push maps the rest again). */
function cutShort(stored: WriterState["pages"][number], keep: number): WriterState["pages"][number] {
  const blocks = stored.blocks.slice(0, keep);
  const last = blocks.at(-1) as StoredBlock;
  const times = blocks.map((b) => b.last_at).filter((t): t is number => t !== null);
  const page: LayoutPage = {
    ...stored.page,
    messages: last.first + last.count - stored.page.first_message,
    last_line: last.last_line,
    last_at: times.length ? Math.max(...times) : null,
  };
  return { page, blocks };
}

export async function writeSession(options: WriteOptions): Promise<WrittenPush> {
  const format = WINDOWS[options.agent];
  const { file, structure, prefix, all, grown } = await firstPass(options);
  const previous = continues(options.confirmed, options.agent, prefix, file) ? options.confirmed : null;
  const generation = previous ? previous.generation : Math.max(options.confirmed?.generation ?? 0, options.after ?? 0) + 1;
  const push = previous ? previous.pushes : 0;

  // Segments the server holds keep their place; the new ones are this push's chunk, a range of the .gz.
  const kept = previous ? previous.segments.length : 0;
  const added = file.segments.slice(kept);
  const chunkStart = added[0]?.at ?? 0;
  const refs: SegmentRef[] = [
    ...(previous?.segments ?? []),
    ...added.map((s): SegmentRef => [push, s.at - chunkStart, s.length, s.firstLine, s.lines]),
  ];
  const last = added.at(-1);
  const chunk = last ? { offset: chunkStart, length: last.at + last.length - chunkStart } : null;

  const windowDigest = (b: { from: number; to: number }) => blockDigest(b.from, b.to, format.window(structure, b.from, b.to));
  const restart = previous ? restartAt(previous, windowDigest) : null;
  const keptPages = previous && restart ? previous.pages.slice(0, restart.page) : [];
  const restartPage = restart && previous ? (previous.pages[restart.page] as WriterState["pages"][number]) : null;
  if (restartPage && restart && restart.block > 0) keptPages.push(cutShort(restartPage, restart.block));
  // Without a stored page (a first push, a new generation, no message yet) everything is mapped.
  const from = restartPage && restart ? (restartPage.blocks[restart.block] as StoredBlock) : { first: 0, from: 1 };

  const located = refs.map((ref) => ({ ref, firstLine: ref[3], lines: ref[4] }));
  const reader = lineReader(options.gzipPath, file.segments);
  const pages = pageWriter(options.indexPath, push);
  let messages = from.first;
  try {
    const source = { lineEnds: file.lineEnds, lastLine: file.lines, read: reader.read };
    for (const block of mapBlocks(options.agent, structure, source, { first: from.first, from: from.from })) {
      const lines = mergeRanges([[block.from, block.to], ...block.extra]);
      const segments = segmentsFor(located, lines).map((s) => s.ref);
      const count = block.messages.length;
      const times = block.messages.map((m) => m.timestamp).filter((t): t is number => t !== null);
      pages.add(
        { first: block.first, count, from: block.from, to: block.to, extra: block.extra, context: block.context, segments },
        block.messages.map((m) => [m.line, m.timestamp]),
        {
          first: block.first,
          count,
          from: block.from,
          to: block.to,
          digest: blockDigest(block.from, block.to, block),
          last_line: (block.messages.at(-1) as { line: number }).line,
          last_at: times.length ? Math.max(...times) : null,
        },
      );
      options.onDocuments?.(searchDocuments({ agent: options.agent, messages: block.messages, notices: [], usage: zero }));
      messages = block.first + count;
    }
  } finally {
    reader.close();
  }
  const index = pages.close();
  // A page cut short is named again first: the server replaces every page from its first message on.
  const pushed = [...(restart && restart.block > 0 ? keptPages.slice(-1) : []), ...index.pages];
  const layout: LayoutPush = {
    generation,
    push,
    chunk:
      chunk && added[0]
        ? {
            push,
            bytes: chunk.length,
            raw_bytes: file.rawSize - added[0].raw,
            raw_sha256: previous ? grown : all,
            first_line: added[0].firstLine,
            lines: file.lines - added[0].firstLine + 1,
          }
        : null,
    index: { bytes: index.bytes, sha256: index.sha256 },
    pages: pushed.map((p) => p.page),
    raw_size: file.rawSize,
    crc32: file.crc32,
    lines: file.lines,
    messages,
  };
  const state: WriterState = {
    agent: options.agent,
    generation,
    pushes: push + 1,
    raw_size: file.rawSize,
    crc32: file.crc32,
    lines: file.lines,
    messages,
    prefix_sha256: all,
    segments: refs,
    pages: [...keptPages, ...index.pages],
  };
  return { layout, chunk, state, documentsFrom: from.first, segments: file.segments };
}

const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
