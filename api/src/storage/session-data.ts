// Stored session data as the transcript it holds: gzip (as the CLI uploads it) or plain. The bytes come
// from the client and a small gzip may inflate to gigabytes, so they are only ever streamed, and every
// reader says how far it will go.

const concat = (chunks: Uint8Array[], total: number) => {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
};

/** The transcript bytes of a stored object's body, inflated when it is gzip (told by its magic bytes). */
export async function transcriptStream(body: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const { gzip, stream } = await peekGzip(body);
  return gzip ? stream.pipeThrough(new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>) : stream;
}

/** Whether a stored object's body is gzip (its magic bytes), and the body itself, whole, to pass on. */
export async function peekGzip(body: ReadableStream<Uint8Array>): Promise<{ gzip: boolean; stream: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  while (size < 2) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value);
    size += value.byteLength;
  }
  const first = concat(head, size);
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.byteLength > 0) controller.enqueue(first);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { gzip: first[0] === 0x1f && first[1] === 0x8b, stream: replay };
}

export interface TranscriptText {
  text: string;
  /** The transcript goes on past `maxBytes`; `text` ends at the last whole line before it. */
  truncated: boolean;
  /** The data is damaged (a gzip stream that does not inflate); `text` is what came before. */
  damaged: boolean;
}

/** At most `maxBytes` of the transcript as text, cut at a line end when cut at all. */
export async function readTranscript(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<TranscriptText> {
  const reader = (await transcriptStream(body)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  let damaged = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - total));
        total = maxBytes;
        truncated = true;
        await reader.cancel();
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    damaged = true;
  }
  let bytes = concat(chunks, total);
  if (truncated) bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
  return { text: new TextDecoder().decode(bytes), truncated, damaged };
}

export interface TranscriptDigest {
  /** Bytes read, at most `maxBytes + 1`. */
  size: number;
  /** `sha256:<hex>` of the whole transcript; null when it went past `maxBytes` or is damaged. */
  hash: string | null;
}

/** Size and SHA-256 of the transcript, streamed (workerd's DigestStream), reading at most `maxBytes + 1`. */
export async function digestTranscript(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<TranscriptDigest> {
  const reader = (await transcriptStream(body)).getReader();
  // workerd's crypto; the DOM typings of `crypto` that the project also loads do not know it.
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  const writer = digest.getWriter();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        await writer.abort();
        return { size, hash: null };
      }
      await writer.write(value);
    }
  } catch {
    await writer.abort().catch(() => undefined);
    return { size, hash: null };
  }
  await writer.close();
  const hex = [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { size, hash: `sha256:${hex}` };
}
