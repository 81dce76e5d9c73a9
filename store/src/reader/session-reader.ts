// The one range reader of a "segments-v2" session: whoever shows a session (the UI's pages, `residue show`
// and `why`) asks it for counts and windows of messages, and it reads only the index pages and segments
// those need, inflates them, and maps each block's lines with the context the CLI stored for it. Bounds do
// not depend on the session's size: a block of huge lines is left out with a notice, damage shows as a
// notice in place of the messages it holds, and the rest still renders.
import type { Message } from "@residue/formats/model";
import { type Line, parseLine, WINDOWS } from "@residue/formats/windows";
import type { LayoutManifest, LayoutPage } from "@residue/protocol";
import { layoutObjectKey } from "../keys.ts";
import type { BlockEntry, PageBody, SegmentRef } from "../page.ts";
import type { RangeSource } from "../range-source.ts";
import { type Inflated, inflateSegment, splitLines } from "./inflate.ts";
import type { SessionMessages } from "./messages.ts";
import { checkedPage } from "./page-body.ts";
import { readRuns } from "./runs.ts";

/** Transcript bytes one block may inflate to: one huge tool output must not take a 128 MB isolate. */
export const BLOCK_RAW_LIMIT = 8 * 1024 * 1024;
/** Transcript bytes one window maps at most; blocks past it are left out with a notice. */
export const WINDOW_RAW_LIMIT = 24 * 1024 * 1024;

/** What a call cost: the lead's bench reports these per view. */
export interface ReadStats {
  /** Range reads (R2 subrequests in the Worker). */
  reads: number;
  bytesRead: number;
  /** Transcript bytes inflated. */
  inflated: number;
}

export interface WindowOptions {
  /** Which end of the window a budget keeps (the messages nearest a commit). Default "start". */
  keep?: "start" | "end";
  /**
   * Stop once the mapped messages' transcript lines pass this many bytes: whole blocks, at least one. The
   * messages not mapped are simply not returned (a caller shows them behind a fold).
   */
  budget?: number;
}

export interface Window {
  /** Messages of [from, to] in order (a notice message stands in for each block that could not be shown). */
  messages: Message[];
  notices: string[];
  stats: ReadStats;
}

type Planned = { page: LayoutPage; body: PageBody | null; block: BlockEntry | null; first: number; last: number };

const zero = (): ReadStats => ({ reads: 0, bytesRead: 0, inflated: 0 });
const segmentKey = (s: SegmentRef) => `${s[0]}:${s[1]}`;
const MB = 1024 * 1024;

export class SessionReader implements SessionMessages {
  /** Messages of the session (those its index describes consistently). */
  readonly total: number;
  /** What the reader found wrong with the manifest itself. */
  readonly notices: string[] = [];
  /** Everything read so far. */
  readonly stats: ReadStats = zero();
  private readonly pages: LayoutPage[];
  private readonly bodies = new Map<number, PageBody | null>();
  private readonly source: RangeSource;
  private readonly sessionId: string;
  private readonly agent: string;
  private readonly manifest: LayoutManifest;

  constructor(source: RangeSource, sessionId: string, agent: string, manifest: LayoutManifest) {
    this.source = source;
    this.sessionId = sessionId;
    this.agent = agent;
    this.manifest = manifest;
    // Pages must follow each other from message 0; a gap or overlap ends what can be trusted.
    let next = 0;
    const pages: LayoutPage[] = [];
    for (const page of manifest.pages) {
      if (page.first_message !== next) break;
      pages.push(page);
      next += page.messages;
    }
    if (pages.length < manifest.pages.length || next !== manifest.messages)
      this.notices.push(`The stored index of this session is inconsistent: only its first ${next} messages can be shown.`);
    if (!(agent in WINDOWS)) this.notices.push(`Sessions of agent "${agent}" cannot be read by window.`);
    this.pages = pages;
    this.total = next;
  }

  /** How many messages end on a line ≤ `line` (message lines never decrease): what splits a commit's part. */
  async countThrough(line: number): Promise<number> {
    let count = 0;
    for (const [i, page] of this.pages.entries()) {
      if (page.last_line <= line) {
        count += page.messages;
        continue;
      }
      if (page.first_line > line) break;
      const body = (await this.loadPages([i]))[0];
      if (!body) {
        this.notices.push("Part of this session's index is damaged: where a commit falls in it is approximate.");
        break;
      }
      return count + body.messages.slice(0, page.messages).filter(([l]) => l <= line).length;
    }
    return count;
  }

  /**
   * The line of the last message stamped at or before `at` (0 when none is), null when no message is stamped:
   * formats/view's `lineAt` for links made by hand. Pages are searched from the end by their latest time;
   * exact unless message times go back across more than a few pages.
   */
  async lineAt(at: number): Promise<number | null> {
    const stamped = this.pages.flatMap((page, i) => (page.last_at === null ? [] : [i]));
    if (stamped.length === 0) return null;
    const settled = stamped.findLast((i) => (this.pages[i]?.last_at as number) <= at) ?? -1;
    // Pages after the last one wholly before `at` may still hold earlier stamps; a few are looked at.
    const candidates = [...stamped.filter((i) => i > settled).slice(0, 4), ...(settled >= 0 ? [settled] : [])].sort((a, b) => b - a);
    const bodies = await this.loadPages(candidates);
    for (const [k, i] of candidates.entries()) {
      const page = this.pages[i] as LayoutPage;
      const hit = bodies[k]?.messages.slice(0, page.messages).findLast(([, t]) => t !== null && t <= at);
      if (hit) return hit[0];
    }
    return 0;
  }

  /** Messages [from, to] (clamped to the session), mapped from their blocks' lines only. */
  async window(from: number, to: number, options: WindowOptions = {}): Promise<Window> {
    const before = { ...this.stats };
    const notices: string[] = [];
    const lo = Math.max(0, from);
    const hi = Math.min(this.total - 1, to);
    const planned = lo > hi ? [] : await this.plan(lo, hi);
    if (options.keep === "end") planned.reverse();
    const segments = new Map<string, Inflated>();
    // Without a budget every block is wanted: their segments are read in as few reads as possible at once.
    if (options.budget === undefined)
      await this.fetch(
        planned.flatMap((p) => (p.block && this.fits(p.block) ? p.block.segments : [])),
        segments,
      );
    const parts: Message[][] = [];
    let bytes = 0;
    for (const p of planned) {
      if (options.budget !== undefined && parts.length > 0 && bytes >= options.budget) break;
      if (!p.block || bytes >= WINDOW_RAW_LIMIT) {
        parts.push([this.placeholder(p, p.block ? "window" : "damaged")]);
        notices.push(p.block ? windowNotice(this.sessionId) : DAMAGED);
        continue;
      }
      const mapped = await this.mapBlock(p, segments, notices);
      bytes += mapped.bytes;
      parts.push(mapped.messages);
    }
    if (options.keep === "end") parts.reverse();
    const stats = {
      reads: this.stats.reads - before.reads,
      bytesRead: this.stats.bytesRead - before.bytesRead,
      inflated: this.stats.inflated - before.inflated,
    };
    return { messages: parts.flat(), notices: [...new Set(notices)], stats };
  }

  /** The blocks (or damaged pages) holding messages [lo, hi], in order. */
  private async plan(lo: number, hi: number): Promise<Planned[]> {
    const wanted = this.pages.flatMap((page, i) => (page.first_message + page.messages - 1 < lo || page.first_message > hi ? [] : [i]));
    const bodies = await this.loadPages(wanted);
    return wanted.flatMap((i, k): Planned[] => {
      const page = this.pages[i] as LayoutPage;
      const body = bodies[k] ?? null;
      const end = page.first_message + page.messages - 1;
      if (!body) return [{ page, body, block: null, first: Math.max(lo, page.first_message), last: Math.min(hi, end) }];
      return body.blocks.flatMap((block) => {
        const first = Math.max(lo, block.first);
        const last = Math.min(hi, end, block.first + block.count - 1);
        return first > last ? [] : [{ page, body, block, first, last }];
      });
    });
  }

  /** Bodies of pages (by position in the manifest), read once per call site and kept: null when damaged. */
  private async loadPages(indexes: number[]): Promise<(PageBody | null)[]> {
    const missing = indexes.filter((i) => !this.bodies.has(i)).map((i) => ({ ...(this.pages[i] as LayoutPage), i }));
    const decoder = new TextDecoder();
    for (const run of readRuns(missing)) {
      const bytes = await this.read("index", run);
      for (const page of run.items) {
        const text = bytes ? decoder.decode(bytes.subarray(page.offset - run.offset, page.offset - run.offset + page.length)) : null;
        this.bodies.set(page.i, text === null ? null : checkedPage(text, page, this.manifest));
      }
    }
    return indexes.map((i) => this.bodies.get(i) ?? null);
  }

  /** Bytes of a range of object c<push>/i<push>, or null when the source does not have them. */
  private async read(kind: "chunk" | "index", range: { push: number; offset: number; length: number }) {
    const key = layoutObjectKey(this.sessionId, { generation: this.manifest.generation, push: range.push, kind });
    this.stats.reads++;
    try {
      const bytes = await this.source.read(key, range.offset, range.length);
      this.stats.bytesRead += bytes.byteLength;
      return bytes.byteLength === range.length ? bytes : null;
    } catch {
      return null;
    }
  }

  /** Whether a block's stored bytes could inflate within the limit (deflate never shrinks raw bytes below that). */
  private fits(block: BlockEntry) {
    return block.segments.reduce((n, s) => n + s[2], 0) <= BLOCK_RAW_LIMIT;
  }

  /** Reads and inflates the segments not yet in `into`. */
  private async fetch(refs: SegmentRef[], into: Map<string, Inflated>) {
    const wanted = refs.filter((s) => !into.has(segmentKey(s))).map((s) => ({ push: s[0], offset: s[1], length: s[2], ref: s }));
    for (const run of readRuns(wanted)) {
      const bytes = await this.read("chunk", run);
      for (const { ref } of run.items) {
        const at = ref[1] - run.offset;
        const inflated = bytes ? await inflateSegment(bytes.subarray(at, at + ref[2]), BLOCK_RAW_LIMIT) : ({ kind: "damaged" } as const);
        if (inflated.kind === "ok") this.stats.inflated += inflated.bytes.byteLength;
        into.set(segmentKey(ref), inflated);
      }
    }
  }

  /** A block's messages within [p.first, p.last], mapped from its lines, or a notice in their place. */
  private async mapBlock(p: Planned, segments: Map<string, Inflated>, notices: string[]) {
    const block = p.block as BlockEntry;
    if (!this.fits(block)) {
      notices.push(largeNotice(this.sessionId));
      return { messages: [this.placeholder(p, "large")], bytes: 0 };
    }
    await this.fetch(block.segments, segments);
    const inRange = (n: number) => (n >= block.from && n <= block.to) || block.extra.some(([a, b]) => n >= a && n <= b);
    const lines: Line[] = [];
    const bad: number[] = [];
    const decoder = new TextDecoder();
    let raw = 0;
    let bytes = 0;
    for (const ref of block.segments) {
      const inflated = segments.get(segmentKey(ref)) as Inflated;
      if (inflated.kind === "ok") raw += inflated.bytes.byteLength;
      const kept = inflated.kind === "ok" ? splitLines(inflated.bytes, ref[3], ref[4], inRange) : null;
      if (inflated.kind === "too-large" || raw > BLOCK_RAW_LIMIT) {
        notices.push(largeNotice(this.sessionId));
        return { messages: [this.placeholder(p, "large")], bytes: 0 };
      }
      if (!kept) {
        notices.push(DAMAGED);
        return { messages: [this.placeholder(p, "damaged")], bytes: 0 };
      }
      for (const { n, bytes: b } of kept) {
        bytes += b.byteLength;
        const line = parseLine(decoder.decode(b), n);
        if (line === "bad") bad.push(n);
        else if (line) lines.push(line);
      }
    }
    if (bad.length)
      notices.push(
        `${bad.length} line(s) could not be read and are left out (line ${bad.slice(0, 5).join(", ")}${bad.length > 5 ? ", …" : ""}).`,
      );
    lines.sort((a, b) => a.n - b.n);
    // A window's mapping may also show messages of lines it read for context: the page says which are its own.
    const own = new Set(
      p.body?.messages.slice(block.first - p.page.first_message, block.first - p.page.first_message + block.count).map(([l]) => l),
    );
    let mapped: Message[];
    try {
      const conversation = WINDOWS[this.agent as keyof typeof WINDOWS].mapLines(lines, block.context);
      mapped = conversation.messages.filter((m) => own.has(m.line));
      notices.push(...conversation.notices);
    } catch {
      notices.push(DAMAGED);
      return { messages: [this.placeholder(p, "damaged")], bytes };
    }
    if (mapped.length !== block.count)
      notices.push(
        `Messages ${block.first + 1}–${block.first + block.count} map to ${mapped.length} message(s) where the stored index counts ${block.count}: they are shown as mapped.`,
      );
    const messages = mapped.map((m, i) => ({ ...m, index: block.first + i })).filter((m) => m.index >= p.first && m.index <= p.last);
    return { messages, bytes };
  }

  /** One message standing for messages [p.first, p.last] that are not shown, saying why. */
  private placeholder(p: Planned, why: "large" | "damaged" | "window"): Message {
    const entry = p.body?.messages[p.first - p.page.first_message];
    const span = p.first === p.last ? `Message ${p.first + 1}` : `Messages ${p.first + 1}–${p.last + 1}`;
    const text = {
      large: `${span} left out: their transcript lines are larger than ${BLOCK_RAW_LIMIT / MB} MB (a huge tool output, most likely). The whole transcript: /api/sessions/${this.sessionId}`,
      damaged: `${span} could not be read: the stored data of this session is damaged there.`,
      window: `${span} left out: this view already holds ${WINDOW_RAW_LIMIT / MB} MB of transcript. Open them in a smaller range, or get the whole transcript: /api/sessions/${this.sessionId}`,
    }[why];
    return {
      index: p.first,
      role: "system",
      blocks: [{ kind: "notice", text }],
      timestamp: entry?.[1] ?? null,
      line: entry?.[0] ?? p.page.first_line,
    };
  }
}

const DAMAGED = "Part of the stored data of this session is damaged: the messages it held are replaced by a notice; the rest is shown.";
const largeNotice = (id: string) =>
  `Some messages are larger than ${BLOCK_RAW_LIMIT / MB} MB and are left out of this view; the whole transcript is at GET /api/sessions/${id}.`;
const windowNotice = (id: string) =>
  `This range holds more than ${WINDOW_RAW_LIMIT / MB} MB of transcript: the rest is left out; the whole transcript is at GET /api/sessions/${id}.`;
