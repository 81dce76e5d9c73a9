// A pushed chunk holds client bytes the server will serve as part of one gzip member: before it joins the
// manifest it is inflated once, streamed, and must hold exactly the transcript bytes the push names —
// their size, lines, SHA-256, and the CRC32 continued from the stored run (what the served member's
// trailer says). Only the new chunk is read: the CPU follows the growth, never the session's size.

import { crc32 } from "node:zlib";
import type { LayoutChunk } from "@residue/protocol";
import { FINAL_BLOCK } from "@residue/store";

/** The stored object's bytes followed by the empty final block: the chunk's segments as one deflate stream. */
export function closedDeflate(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let closed = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (closed) return;
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        closed = true;
        controller.enqueue(FINAL_BLOCK);
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

export interface ChunkExpectation {
  chunk: LayoutChunk;
  /** CRC32 of the transcript before this chunk (the stored manifest's; 0 when the chunk starts a generation). */
  crcBefore: number;
  /** The push's total CRC32, which this chunk must bring the run to. */
  crcAfter: number;
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Why chunk object `key` does not hold what the push says; null when it does. */
export async function chunkMismatch(
  bucket: R2Bucket,
  key: string,
  { chunk, crcBefore, crcAfter }: ChunkExpectation,
): Promise<string | null> {
  const object = await bucket.get(key);
  if (!object) return `chunk c${chunk.push} was not uploaded`;
  if (object.size !== chunk.bytes) {
    await object.body.cancel();
    return `chunk c${chunk.push} holds ${object.size} bytes, the push says ${chunk.bytes}`;
  }
  const reader = closedDeflate(object.body)
    .pipeThrough(new DecompressionStream("deflate-raw") as TransformStream<Uint8Array, Uint8Array>)
    .getReader();
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  const writer = digest.getWriter();
  let size = 0;
  let lines = 0;
  let last = 0x0a;
  let crc = crcBefore;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // A small chunk may inflate to gigabytes: stop as soon as it holds more than it should.
      if (size > chunk.raw_bytes) {
        await reader.cancel();
        await writer.abort();
        return `chunk c${chunk.push} inflates to more than the ${chunk.raw_bytes} bytes the push says`;
      }
      for (let at = value.indexOf(0x0a); at !== -1; at = value.indexOf(0x0a, at + 1)) lines++;
      last = value[value.byteLength - 1] ?? last;
      crc = crc32(value, crc);
      await writer.write(value);
    }
  } catch {
    await writer.abort().catch(() => undefined);
    return `chunk c${chunk.push} is not a run of full-flushed deflate segments (it does not inflate)`;
  }
  await writer.close();
  if (last !== 0x0a) lines++;
  const sha = hex(await digest.digest);
  if (size !== chunk.raw_bytes) return `chunk c${chunk.push} inflates to ${size} bytes, the push says ${chunk.raw_bytes}`;
  if (lines !== chunk.lines) return `chunk c${chunk.push} holds ${lines} lines, the push says ${chunk.lines}`;
  if (sha !== chunk.raw_sha256) return `chunk c${chunk.push}'s bytes have SHA-256 ${sha}, the push says ${chunk.raw_sha256}`;
  if (crc >>> 0 !== crcAfter) return `chunk c${chunk.push} brings the CRC32 to ${crc >>> 0}, the push says ${crcAfter}`;
  return null;
}
