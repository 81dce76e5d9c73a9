// The raw transcript of a session stored in segments, streamed from its chunks (docs/scale-design.md §9).
// gzip: header ‖ every chunk as stored ‖ empty final block ‖ CRC32 and size — one gzip member, no byte
// inflated or compressed. plain: each chunk cut back into its segments and one segment inflated per read,
// so the Worker never holds more than a segment and its output whatever the session's size.
import { crc32 } from "node:zlib";
import type { LayoutChunk, LayoutManifest } from "@residue/protocol";
import { FINAL_BLOCK, GZIP_HEADER, gzipTrailer, layoutObjectKey } from "@residue/store";
import { SegmentSplitter } from "./segment-splitter.ts";

/** A stored chunk the manifest names is gone or not what it was: the download stops with this, never hangs. */
export class MissingChunkError extends Error {}

/** The session's chunks in order, each fetched only when the one before is used up. */
async function chunkBody(
  bucket: R2Bucket,
  sessionId: string,
  manifest: LayoutManifest,
  index: number,
): Promise<ReadableStream<Uint8Array>> {
  const chunk = manifest.chunks[index];
  if (!chunk) throw new MissingChunkError(`session ${sessionId} names no chunk ${index}`);
  const object = await bucket.get(layoutObjectKey(sessionId, { generation: manifest.generation, push: chunk.push, kind: "chunk" }));
  if (!object) throw new MissingChunkError(`chunk c${chunk.push} of session ${sessionId} is missing from storage`);
  if (object.size !== chunk.bytes) {
    await object.body.cancel();
    throw new MissingChunkError(
      `chunk c${chunk.push} of session ${sessionId} holds ${object.size} bytes, its manifest says ${chunk.bytes}`,
    );
  }
  return object.body;
}

/** A pull-only stream of the pieces `next` gives until it gives null; an error ends the stream with it. */
function pulled(next: () => Promise<Uint8Array | null>, cancel: () => Promise<void>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = await next();
          if (piece === null) controller.close();
          else controller.enqueue(piece);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel,
    },
    { highWaterMark: 0 },
  );
}

/**
 * The transcript as one gzip member, written into `out`: the chunks are piped through as stored (R2 body to
 * response, stream to stream in workerd, no JS per piece), after the header and before the closing bytes.
 * `first` is chunk 0, opened before answering. An error aborts `out`: the client sees a cut body.
 */
export async function writeGzip(
  bucket: R2Bucket,
  sessionId: string,
  manifest: LayoutManifest,
  first: ReadableStream<Uint8Array> | null,
  out: WritableStream<Uint8Array>,
): Promise<void> {
  const write = async (bytes: Uint8Array) => {
    const writer = out.getWriter();
    await writer.write(bytes);
    writer.releaseLock();
  };
  try {
    await write(GZIP_HEADER);
    for (let index = 0; index < manifest.chunks.length; index++) {
      const body = index === 0 && first ? first : await chunkBody(bucket, sessionId, manifest, index);
      await body.pipeTo(out, { preventClose: true });
    }
    const tail = new Uint8Array(FINAL_BLOCK.length + 8);
    tail.set(FINAL_BLOCK);
    tail.set(gzipTrailer(manifest.crc32, manifest.raw_size), FINAL_BLOCK.length);
    await write(tail);
    await out.close();
  } catch (error) {
    await out.abort(error).catch(() => undefined);
  }
}

/** Chunk 0 of the session, opened before a download answers, so data that is gone fails with a status. */
export const firstChunk = (bucket: R2Bucket, sessionId: string, manifest: LayoutManifest) =>
  manifest.chunks.length > 0 ? chunkBody(bucket, sessionId, manifest, 0) : Promise.resolve(null);

/** Chunk `index` of a session's manifest, opened for reading: R2 in the Worker, any byte source in tests. */
export type OpenChunk = (index: number) => Promise<ReadableStream<Uint8Array>>;

/**
 * The transcript itself, one segment inflated per pull (a few hundred KB, or one long line), so the Worker
 * holds a segment and its output however large the session is and however slowly the client reads: a chunk
 * is opened, and read further, only when the segments before are given out. The sizes and the CRC32 are
 * checked as it goes; the last piece is given out only once the whole run matches the manifest, so a wrong
 * byte ends in a cut body, never a whole-looking wrong one.
 */
export function plainTranscript(manifest: LayoutManifest, open: OpenChunk, sessionId: string): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let splitter = new SegmentSplitter();
  let chunkBytes = 0;
  let size = 0;
  let crc = 0;
  let held: Uint8Array | null = null;

  /** The next segment's transcript bytes in order; null after the last chunk. */
  const segment = async (): Promise<Uint8Array | null> => {
    for (;;) {
      if (!reader) {
        if (index >= manifest.chunks.length) return null;
        reader = (await open(index)).getReader();
        index++;
        splitter = new SegmentSplitter();
        chunkBytes = 0;
      }
      const ready = splitter.next();
      if (ready) return counted(ready);
      const { done, value } = await reader.read();
      if (!done) {
        splitter.push(value);
        continue;
      }
      reader = null;
      const rest = counted(splitter.end());
      const chunk = manifest.chunks[index - 1] as LayoutChunk;
      if (chunkBytes !== chunk.raw_bytes)
        throw new MissingChunkError(
          `chunk c${chunk.push} of session ${sessionId} inflates to ${chunkBytes} bytes, its manifest says ${chunk.raw_bytes}`,
        );
      if (rest.byteLength > 0) return rest;
    }
  };
  const counted = (raw: Uint8Array) => {
    chunkBytes += raw.byteLength;
    size += raw.byteLength;
    crc = crc32(raw, crc);
    return raw;
  };

  return pulled(
    async () => {
      for (;;) {
        const next = await segment();
        if (next === null) {
          if (size !== manifest.raw_size || crc >>> 0 !== manifest.crc32)
            throw new MissingChunkError(`session ${sessionId}'s stored segments do not add up to the transcript its manifest describes`);
          const last = held;
          held = null;
          return last;
        }
        const out = held;
        held = next;
        if (out) return out;
      }
    },
    async () => {
      await reader?.cancel();
    },
  );
}

/** The transcript of a session stored in segments, read from R2; `first` is chunk 0, already opened. */
export const plainDownload = (bucket: R2Bucket, sessionId: string, manifest: LayoutManifest, first: ReadableStream<Uint8Array> | null) =>
  plainTranscript(
    manifest,
    (index) => (index === 0 && first ? Promise.resolve(first) : chunkBody(bucket, sessionId, manifest, index)),
    sessionId,
  );
