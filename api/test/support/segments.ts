// Sessions in the segments layout, built by hand the way the CLI's writer stores them: each push's new lines
// cut into full-flushed raw-deflate segments (one chunk object), and small JSON pages (one index object).
// One message per line keeps the pages easy to follow; the server never reads what a page says.
import { createHash } from "node:crypto";
import { constants, crc32, deflateRawSync } from "node:zlib";
import type { LayoutPage, LayoutPush } from "@residue/protocol";
import { postJson, sessionMeta, sha256, uniqueRepo } from "./client.ts";

const hex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

export interface Stored {
  generation: number;
  pushes: number;
  raw: Buffer;
  lines: number;
  crc32: number;
  pages: LayoutPage[];
}

export const emptyRun = (generation = 1): Stored => ({ generation, pushes: 0, raw: Buffer.alloc(0), lines: 0, crc32: 0, pages: [] });

/** Segments of whole lines of about `segmentBytes` raw, each deflated on its own and full-flushed. */
export function chunkOf(lines: string[], segmentBytes = 200): Buffer {
  const segments: Buffer[] = [];
  let current = "";
  for (const line of lines) {
    current += line;
    if (current.length >= segmentBytes) {
      segments.push(deflateRawSync(Buffer.from(current), { finishFlush: constants.Z_FULL_FLUSH }));
      current = "";
    }
  }
  if (current) segments.push(deflateRawSync(Buffer.from(current), { finishFlush: constants.Z_FULL_FLUSH }));
  return Buffer.concat(segments);
}

export interface Push {
  layout: LayoutPush;
  chunk: Buffer | null;
  index: Buffer;
  /** The run after this push, and the whole transcript so far. */
  after: Stored;
}

/**
 * The next push of `run`: `newLines` (each ending in "\n") in one chunk, and one page per `pageSize`
 * messages from message `remapFrom` on (default: the stored end). A re-map from the middle of a stored
 * page names that page again, cut short.
 */
export function nextPush(run: Stored, newLines: string[], opts: { remapFrom?: number; pageSize?: number } = {}): Push {
  const push = run.pushes;
  const raw = Buffer.concat([run.raw, Buffer.from(newLines.join(""))]);
  const added = Buffer.from(newLines.join(""));
  const chunk = newLines.length > 0 ? chunkOf(newLines) : null;
  const lines = run.lines + newLines.length;
  const from = opts.remapFrom ?? run.lines;
  const kept = run.pages.filter((p) => p.first_message < from);
  const pages: LayoutPage[] = [];
  const straddling = kept.at(-1);
  if (straddling && straddling.first_message + straddling.messages > from)
    pages.push({ ...straddling, messages: from - straddling.first_message, last_line: from - 1 });
  const pageSize = opts.pageSize ?? 3;
  const bodies: Buffer[] = [];
  let offset = 0;
  for (let first = from; first < lines; first += pageSize) {
    const messages = Math.min(pageSize, lines - first);
    const body = Buffer.from(JSON.stringify({ messages: Array.from({ length: messages }, (_, i) => [first + i, null]), blocks: [] }));
    pages.push({
      push,
      offset,
      length: body.length,
      first_message: first,
      messages,
      first_line: first,
      last_line: first + messages - 1,
      last_at: null,
    });
    bodies.push(body);
    offset += body.length;
  }
  const index = Buffer.concat(bodies);
  const crc = newLines.length > 0 ? crc32(added, run.crc32) : run.crc32;
  const layout: LayoutPush = {
    generation: run.generation,
    push,
    chunk: chunk && {
      push,
      bytes: chunk.length,
      raw_bytes: added.length,
      raw_sha256: hex(added),
      first_line: run.lines + 1,
      lines: newLines.length,
    },
    index: { bytes: index.length, sha256: hex(index) },
    pages,
    raw_size: raw.length,
    crc32: crc,
    lines,
    messages: lines,
  };
  const merged = [...run.pages.filter((p) => p.first_message < (pages[0]?.first_message ?? lines)), ...pages];
  return { layout, chunk, index, after: { generation: run.generation, pushes: push + 1, raw, lines, crc32: crc, pages: merged } };
}

/** `count` JSONL lines, distinct per `seed`. */
export const jsonLines = (seed: string, count: number, from = 0) =>
  Array.from(
    { length: count },
    (_, i) => `${JSON.stringify({ type: "user", n: from + i, text: `${seed} line ${from + i} ${"x".repeat((i * 37) % 90)}` })}\n`,
  );

/** Gets an upload URL for one object of a push and PUTs the bytes there; the URL's response status. */
export async function putObject(
  sessionId: string,
  object: { generation: number; push: number; kind: "chunk" | "index" },
  bytes: Uint8Array,
) {
  const res = await postJson("/sessions/upload-url", { session_id: sessionId, object });
  if (res.status !== 200) return res;
  const { url } = (await res.json()) as { url: string };
  return fetch(url, { method: "PUT", body: new Uint8Array(bytes) });
}

/** Uploads a push's objects as the CLI does. */
export async function uploadPush(sessionId: string, push: Push) {
  const { generation, push: n } = push.layout;
  if (push.chunk) {
    const put = await putObject(sessionId, { generation, push: n, kind: "chunk" }, push.chunk);
    if (put.status !== 200) throw new Error(`PUT chunk: ${put.status} ${await put.text()}`);
  }
  const put = await putObject(sessionId, { generation, push: n, kind: "index" }, push.index);
  if (put.status !== 200) throw new Error(`PUT index: ${put.status} ${await put.text()}`);
}

/** The metadata post of a push: the session's meta over the whole transcript so far, with the push's layout. */
export function postPush(sessionId: string, push: Push, repo = uniqueRepo(), layout: LayoutPush = push.layout) {
  const meta = sessionMeta(push.after.raw.toString(), { id: sessionId, content_hash: sha256(push.after.raw), layout });
  return postJson("/sessions", { repo, sessions: [meta] });
}
