// A session stored in the segments layout, built in memory from a transcript the way the CLI lays it out:
// full-flushed segments of whole lines in one chunk, message-aligned blocks mapped with their window
// context, blocks grouped into JSON pages. Sizes are small so that tiny fixtures span many segments,
// blocks and pages. Tests read it back through a counting memory RangeSource.
import { createHash } from "node:crypto";
import { constants, crc32, deflateRawSync } from "node:zlib";
import type { Message } from "@residue/formats/model";
import { type Line, parseLine, WINDOWS } from "@residue/formats/windows";
import type { LayoutManifest, LayoutPage } from "@residue/protocol";
import { type BlockEntry, layoutObjectKey, type PageBody, type RangeSource, type SegmentRef } from "@residue/store";

export interface BuildOptions {
  segmentBytes?: number;
  blockMessages?: number;
  pageBlocks?: number;
}

export interface Built {
  manifest: LayoutManifest;
  objects: Map<string, Uint8Array>;
  /** The whole-file mapping: what every window must equal. */
  full: Message[];
}

export function buildLayout(sessionId: string, agent: keyof typeof WINDOWS, text: string, options: BuildOptions = {}): Built {
  const { segmentBytes = 2048, blockMessages = 3, pageBlocks = 2 } = options;
  const format = WINDOWS[agent];
  const raw = text.split("\n").map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
  if (raw.at(-1) === "") raw.pop();
  const lines = raw.flatMap((r, i) => {
    const line = parseLine(r, i + 1);
    return line && line !== "bad" ? [line as Line] : [];
  });
  const pass = format.structure();
  for (const line of lines) pass.line(line);
  const structure = pass.finish();
  const last = raw.length;
  const full = format.mapLines(lines, format.window(structure, 1, last).context).messages;

  // Segments: whole lines, cut once they pass segmentBytes.
  const segments: { first: number; lines: number; deflated: Buffer; offset: number }[] = [];
  let offset = 0;
  for (let i = 0; i < raw.length; ) {
    const start = i;
    let size = 0;
    while (i < raw.length && (i === start || size < segmentBytes)) size += Buffer.byteLength(raw[i++] as string);
    const deflated = deflateRawSync(Buffer.from(raw.slice(start, i).join("")), { finishFlush: constants.Z_FULL_FLUSH });
    segments.push({ first: start + 1, lines: i - start, deflated, offset });
    offset += deflated.length;
  }
  const touching = (ranges: [number, number][]): SegmentRef[] =>
    segments
      .filter((s) => ranges.some(([a, b]) => s.first <= b && s.first + s.lines - 1 >= a))
      .map((s) => [0, s.offset, s.deflated.length, s.first, s.lines]);

  // Blocks start where a message starts a new line (messages made from one line are mapped together).
  const starts = full.flatMap((m, i) => (i === 0 || (full[i - 1] as Message).line !== m.line ? [i] : []));
  const blocks: BlockEntry[] = [];
  for (let s = 0; s < starts.length; ) {
    const a = starts[s] as number;
    let e = s + 1;
    while (e < starts.length && (starts[e] as number) - a < blockMessages) e++;
    const b = (starts[e] ?? full.length) - 1;
    const from = a > 0 ? (full[a - 1] as Message).line + 1 : 1;
    const to = b + 1 < full.length ? (full[b + 1] as Message).line - 1 : last;
    const { context, extra } = format.window(structure, from, to);
    blocks.push({ first: a, count: b - a + 1, from, to, extra, context, segments: touching([[from, to], ...extra]) });
    s = e;
  }

  const pages: LayoutPage[] = [];
  const bodies: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < blocks.length; i += pageBlocks) {
    const group = blocks.slice(i, i + pageBlocks);
    const first = (group[0] as BlockEntry).first;
    const count = group.reduce((n, b) => n + b.count, 0);
    const messages = full.slice(first, first + count);
    const body: PageBody = { messages: messages.map((m) => [m.line, m.timestamp]), blocks: group };
    const bytes = Buffer.from(JSON.stringify(body));
    const stamps = messages.flatMap((m) => (m.timestamp === null ? [] : [m.timestamp]));
    pages.push({
      push: 0,
      offset: at,
      length: bytes.length,
      first_message: first,
      messages: count,
      first_line: (messages[0] as Message).line,
      last_line: (messages.at(-1) as Message).line,
      last_at: stamps.length ? Math.max(...stamps) : null,
    });
    bodies.push(bytes);
    at += bytes.length;
  }

  const chunk = Buffer.concat(segments.map((s) => s.deflated));
  const transcript = Buffer.from(raw.join(""));
  const manifest: LayoutManifest = {
    generation: 1,
    pushes: 1,
    chunks: [
      {
        push: 0,
        bytes: chunk.length,
        raw_bytes: transcript.length,
        raw_sha256: createHash("sha256").update(transcript).digest("hex"),
        first_line: 1,
        lines: last,
      },
    ],
    pages,
    raw_size: transcript.length,
    crc32: crc32(transcript),
    lines: last,
    messages: full.length,
  };
  const objects = new Map<string, Uint8Array>([
    [layoutObjectKey(sessionId, { generation: 1, push: 0, kind: "chunk" }), chunk],
    [layoutObjectKey(sessionId, { generation: 1, push: 0, kind: "index" }), Buffer.concat(bodies)],
  ]);
  return { manifest, objects, full };
}

/** Objects in memory, read by range like R2: a missing object or a range past its end rejects. */
export function memorySource(objects: Map<string, Uint8Array>): RangeSource {
  return {
    async read(key, offset, length) {
      const bytes = objects.get(key);
      if (!bytes || offset + length > bytes.byteLength) throw new Error(`no range ${offset}+${length} of ${key}`);
      return bytes.slice(offset, offset + length);
    },
  };
}
