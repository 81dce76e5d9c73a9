// The raw transcript of a session stored in segments, streamed from its chunks (docs/scale-design.md §9).
// gzip: header ‖ every chunk as stored ‖ empty final block ‖ CRC32 and size — one gzip member, no byte
// inflated or compressed. plain: each chunk inflated as the client reads, one piece at a time, so the
// Worker never holds more than a piece and its output whatever the session's size.
import type { LayoutManifest } from "@residue/protocol";
import { FINAL_BLOCK, GZIP_HEADER, gzipTrailer, layoutObjectKey } from "@residue/store";
import { closedDeflate } from "./verify-chunk.ts";

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

/**
 * One chunk inflated on demand: a piece of stored bytes is written to the inflater only while it has no
 * output waiting, so nothing is inflated ahead of the reader (a DecompressionStream fed by a pipe would
 * inflate as fast as R2 delivers: §9 measured 1.3 GB held for a 1 GB session).
 */
class ChunkInflater {
  private readonly source: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly output: ReadableStreamDefaultReader<Uint8Array>;
  private reading: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  private feeding: Promise<void> | null = null;
  private fed = false;

  constructor(body: ReadableStream<Uint8Array>) {
    const inflate = new DecompressionStream("deflate-raw") as TransformStream<Uint8Array, Uint8Array>;
    this.source = closedDeflate(body).getReader();
    this.writer = inflate.writable.getWriter();
    this.output = inflate.readable.getReader();
  }

  private async feed(): Promise<void> {
    const { done, value } = await this.source.read();
    if (done) {
      this.fed = true;
      await this.writer.close();
    } else await this.writer.write(value);
  }

  /** The next piece of the chunk's transcript bytes; null at its end. */
  async next(): Promise<Uint8Array | null> {
    this.reading ??= this.output.read();
    for (;;) {
      const read = this.reading.then((result) => ({ result }));
      const waits: Promise<{ result: ReadableStreamReadResult<Uint8Array> } | null>[] = [read];
      if (!this.fed) {
        this.feeding ??= this.feed();
        waits.push(this.feeding.then(() => null));
      }
      const first = await Promise.race(waits);
      if (first === null) {
        this.feeding = null;
        continue;
      }
      this.reading = null;
      return first.result.done ? null : first.result.value;
    }
  }

  async cancel() {
    await Promise.allSettled([this.source.cancel(), this.output.cancel(), this.writer.abort()]);
  }
}

/** The transcript itself, each chunk inflated as the client reads it; `first` is chunk 0, already opened. */
export function plainDownload(
  bucket: R2Bucket,
  sessionId: string,
  manifest: LayoutManifest,
  first: ReadableStream<Uint8Array> | null,
): ReadableStream<Uint8Array> {
  let index = first ? 1 : 0;
  let inflater: ChunkInflater | null = first ? new ChunkInflater(first) : null;
  return pulled(
    async () => {
      for (;;) {
        if (!inflater) {
          if (index >= manifest.chunks.length) return null;
          inflater = new ChunkInflater(await chunkBody(bucket, sessionId, manifest, index++));
        }
        const piece = await inflater.next();
        if (piece) return piece;
        inflater = null;
      }
    },
    async () => {
      await inflater?.cancel();
    },
  );
}
