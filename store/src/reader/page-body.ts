// An index page as read from storage: client-written JSON, so every field a reader relies on is checked
// against the manifest (objects that exist, ranges inside them) before anything is read by it.
import type { LayoutManifest, LayoutPage } from "@residue/protocol";
import type { BlockEntry, PageBody, SegmentRef } from "../page.ts";

const isInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function segmentRef(v: unknown, chunkBytes: Map<number, number>): v is SegmentRef {
  if (!Array.isArray(v) || v.length !== 5 || !v.every(isInt)) return false;
  const [push, offset, length, firstLine, lines] = v as number[] as SegmentRef;
  const bytes = chunkBytes.get(push);
  return bytes !== undefined && length > 0 && offset + length <= bytes && firstLine > 0 && lines > 0;
}

function blockEntry(v: unknown, chunkBytes: Map<number, number>): v is BlockEntry {
  if (!v || typeof v !== "object") return false;
  const b = v as Record<string, unknown>;
  return (
    isInt(b.first) &&
    isInt(b.count) &&
    (b.count as number) > 0 &&
    isInt(b.from) &&
    isInt(b.to) &&
    (b.from as number) <= (b.to as number) &&
    Array.isArray(b.extra) &&
    b.extra.every((r) => Array.isArray(r) && r.length === 2 && r.every(isInt) && (r[0] as number) <= (r[1] as number)) &&
    Array.isArray(b.segments) &&
    b.segments.every((s) => segmentRef(s, chunkBytes))
  );
}

/**
 * The page's body when it is whole and consistent: its messages are numbered from the page's first, its
 * blocks cover them in order without gaps, and its segments lie inside stored chunks. Null otherwise.
 */
export function checkedPage(text: string, page: LayoutPage, manifest: LayoutManifest): PageBody | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!body || typeof body !== "object") return null;
  const { messages, blocks } = body as Record<string, unknown>;
  if (!Array.isArray(messages) || !Array.isArray(blocks) || messages.length < page.messages) return null;
  const wellFormed = messages.every(
    (m) => Array.isArray(m) && m.length === 2 && isInt(m[0]) && (m[1] === null || (typeof m[1] === "number" && Number.isFinite(m[1]))),
  );
  const chunkBytes = new Map(manifest.chunks.map((c) => [c.push, c.bytes]));
  if (!wellFormed || !blocks.every((b) => blockEntry(b, chunkBytes))) return null;
  let next = page.first_message;
  for (const b of blocks as BlockEntry[]) {
    if (b.first !== next) return null;
    next += b.count;
  }
  return next === page.first_message + messages.length ? (body as PageBody) : null;
}
