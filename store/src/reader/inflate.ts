// Inflating one stored segment, web-standard only (the Worker, bun, deno and node all have
// DecompressionStream). A segment is full-flushed raw deflate: it ends without a final block, so one is
// appended. The output is capped: a segment is client data that may inflate without bound.
import { FINAL_BLOCK } from "../gzip-frame.ts";

export type Inflated = { kind: "ok"; bytes: Uint8Array } | { kind: "too-large" } | { kind: "damaged" };

export async function inflateSegment(deflated: Uint8Array, limit: number): Promise<Inflated> {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  // Not awaited: writes settle only as the output is read; a damaged segment rejects them, reported by the read.
  writer.write(deflated as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.write(FINAL_BLOCK).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { kind: "too-large" };
      }
      parts.push(value);
    }
  } catch {
    return { kind: "damaged" };
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { kind: "ok", bytes };
}

/**
 * The lines of an inflated segment that `wanted` keeps, numbered from `firstLine`, or null when the
 * segment does not hold the `lines` lines its entry says (a lying index). A final line without its newline
 * (the transcript's last, still being written) counts.
 */
export function splitLines(raw: Uint8Array, firstLine: number, lines: number, wanted: (n: number) => boolean) {
  const out: { n: number; bytes: Uint8Array }[] = [];
  let start = 0;
  let n = firstLine;
  while (start < raw.byteLength) {
    const nl = raw.indexOf(0x0a, start);
    const end = nl < 0 ? raw.byteLength : nl;
    if (wanted(n)) out.push({ n, bytes: raw.subarray(start, end) });
    n++;
    start = end + 1;
  }
  return n - firstLine === lines ? out : null;
}
