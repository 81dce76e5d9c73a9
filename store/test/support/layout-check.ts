// Reads a segments layout back the plain way (whole objects in memory, no range reader) to check what the
// writer produced: the chunks framed as one gzip member, and every block of every page re-mapped alone.
import { createReadStream } from "node:fs";
import { inflateRawSync } from "node:zlib";
import type { Message } from "@residue/formats/model";
import { parseLine, WINDOWS } from "@residue/formats/windows";
import type { LayoutManifest, LayoutPage, LayoutPush } from "@residue/protocol";
import type { PageBody } from "@residue/store";
import type { WindowedAgent } from "@residue/store/writer";

/** What a server holds of one generation: its merged manifest and objects by push. */
export interface Stored {
  manifest: LayoutManifest;
  chunks: Map<number, Buffer>;
  indexes: Map<number, Buffer>;
}

/** The contract's merge: push n appends and replaces pages from its first one on; push 0 starts over. */
export function merge(stored: Stored | null, push: LayoutPush, chunk: Buffer, index: Buffer): Stored {
  const base = push.push === 0 || !stored ? null : stored;
  if (base && base.manifest.pushes !== push.push) throw new Error(`push ${push.push} does not follow ${base.manifest.pushes}`);
  const from = push.pages[0]?.first_message ?? Number.POSITIVE_INFINITY;
  const pages: LayoutPage[] = [...(base?.manifest.pages.filter((p) => p.first_message < from) ?? []), ...push.pages];
  const { generation, raw_size, crc32, lines, messages } = push;
  const manifest: LayoutManifest = {
    generation,
    pushes: push.push + 1,
    chunks: [...(base?.manifest.chunks ?? []), ...(push.chunk ? [push.chunk] : [])],
    pages,
    raw_size,
    crc32,
    lines,
    messages,
  };
  const chunks = new Map(base?.chunks ?? []);
  const indexes = new Map(base?.indexes ?? []);
  chunks.set(push.push, chunk);
  indexes.set(push.push, index);
  return { manifest, chunks, indexes };
}

export function linesOf(stored: Stored, ref: [number, number, number, number, number]): string[] {
  const [push, offset, length] = ref;
  const deflated = (stored.chunks.get(push) as Buffer).subarray(offset, offset + length);
  return inflateRawSync(Buffer.concat([deflated, Buffer.from([3, 0])]))
    .toString("utf8")
    .split("\n")
    .slice(0, ref[4]);
}

const comparable = (m: Message) => JSON.stringify({ ...m, index: 0 });

/**
 * Every block of every page, mapped from its own stored lines with its context, against the whole-file
 * mapping's messages: the list of blocks that differ (empty when the layout is right), and how many messages
 * the pages named.
 */
export function checkBlocks(agent: WindowedAgent, stored: Stored, full: Message[]) {
  const format = WINDOWS[agent];
  const differing: string[] = [];
  let named = 0;
  for (const page of stored.manifest.pages) {
    const index = stored.indexes.get(page.push) as Buffer;
    const body = JSON.parse(index.subarray(page.offset, page.offset + page.length).toString("utf8")) as PageBody;
    const end = page.first_message + page.messages;
    for (const block of body.blocks) {
      if (block.first >= end) break;
      const want = full.slice(block.first, block.first + block.count);
      const wanted = body.messages.slice(block.first - page.first_message, block.first - page.first_message + block.count);
      const lines = block.segments.flatMap((ref) =>
        linesOf(stored, ref).flatMap((text, i) => {
          const n = ref[3] + i;
          const inside = (n >= block.from && n <= block.to) || block.extra.some(([a, b]) => n >= a && n <= b);
          const line = inside ? parseLine(text, n) : null;
          return line && line !== "bad" ? [line] : [];
        }),
      );
      const lineSet = new Set(wanted.map(([line]) => line));
      const got = format.mapLines(lines, block.context).messages.filter((m) => lineSet.has(m.line));
      const same =
        got.length === want.length &&
        got.every((m, i) => comparable(m) === comparable(want[i] as Message)) &&
        wanted.every(([line, at], i) => line === want[i]?.line && at === want[i]?.timestamp);
      if (!same) differing.push(`[${block.first}, ${block.first + block.count - 1}] lines ${block.from}-${block.to}`);
      named += block.count;
    }
  }
  return { differing, named };
}

/** The transcript's bytes as the stored chunks hold them, in push order. */
export function storedBytes(stored: Stored): Buffer {
  const refs = [...stored.chunks.keys()].sort((a, b) => a - b);
  return Buffer.concat(refs.map((push) => stored.chunks.get(push) as Buffer));
}

export async function* fileInput(path: string) {
  yield* createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>;
}
