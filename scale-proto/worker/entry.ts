// A tiny Worker for the measurements: R2 range reads, the window reader, today's whole-object read, and raw
// download of a multi-member gzip. Bundled with esbuild and run in workerd by measure.ts.
import { mapSession } from "@residue/formats";
import { FINAL_BLOCK, GZIP_HEADER, gzipTrailer } from "@residue/store";
import { firstAfter, openIndex, type ReadStats, readWindow } from "../window.ts";

interface Env {
  B: R2Bucket;
}

const json = (value: unknown) => new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } });

/** A full-flushed segment on its own: deflate-raw of its bytes closed by the empty final block. */
async function inflateSegment(segment: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([segment, FINAL_BLOCK]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function inflate(member: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([member]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const q = (name: string) => url.searchParams.get(name) ?? "";
    const get = async (key: string, offset: number, length: number) => {
      const object = await env.B.get(key, { range: { offset, length } });
      if (!object) throw new Error(`no object ${key}`);
      return new Uint8Array(await object.arrayBuffer());
    };
    if (url.pathname === "/put" && request.method === "PUT") {
      const object = await env.B.put(q("key"), request.body);
      return json({ size: object?.size });
    }
    if (url.pathname === "/raw-seg-pull") {
      // Plain download pulled segment by segment: one R2 range read and one inflation per pull, so at most one
      // segment (≤ a few hundred KB) is held however fast inflation runs ahead of the client.
      const segments = (await (await env.B.get(q("segments")))?.json()) as { comp: number; compLength: number }[];
      const chunks = q("chunks").split(",");
      const sizes = await Promise.all(chunks.map(async (key) => (await env.B.head(key))?.size ?? 0));
      let next = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const segment = segments[next++];
            if (!segment) return controller.close();
            // Segment offsets run across the chunk objects.
            let offset = segment.comp;
            let chunk = 0;
            while (offset >= (sizes[chunk] ?? 0)) offset -= sizes[chunk++] ?? 0;
            const bytes = await get(chunks[chunk] as string, offset, segment.compLength);
            const raw = new Blob([bytes, FINAL_BLOCK]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
            controller.enqueue(new Uint8Array(await new Response(raw).arrayBuffer()));
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
    }
    if (url.pathname === "/synthetic") {
      // Bytes made in the Worker, nothing from R2: what streaming alone costs workerd's memory.
      const total = Number(q("mb")) * 1024 * 1024;
      const block = new TextEncoder().encode(`${"x".repeat(1023)}\n`.repeat(64));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close();
          controller.enqueue(block.slice());
          sent += block.byteLength;
        },
      });
      return new Response(body, { headers: { "content-type": "text/plain" } });
    }
    if (url.pathname === "/echo") return json({ acceptEncoding: request.headers.get("accept-encoding") });
    if (url.pathname === "/head") return json({ size: (await env.B.head(q("key")))?.size ?? null });
    if (url.pathname === "/range") {
      const object = await env.B.get(q("key"), { range: { offset: Number(q("offset")), length: Number(q("length")) } });
      if (!object) return new Response("missing", { status: 404 });
      const body = new Uint8Array(await object.arrayBuffer());
      return json({ size: object.size, range: object.range, length: body.byteLength, first: Array.from(body.subarray(0, 4)) });
    }
    if (url.pathname === "/window") {
      const stats: ReadStats = { requests: 0, bytesRead: 0, inflated: 0 };
      const keys = { data: q("data"), index: q("index") };
      const index = await openIndex(get, keys.index, stats);
      const from = Number(q("from"));
      const to = Math.min(index.messageCount - 1, Number(q("to")));
      const messages = await readWindow(get, inflate, keys, q("agent") || "claude-code", index, from, to, stats);
      return json({ messages: messages.length, first: messages[0]?.index, json: JSON.stringify(messages).length, ...stats });
    }
    if (url.pathname === "/permalink") {
      // A commit's part as the permalink shows it: the last 150 messages up to the commit's line.
      const stats: ReadStats = { requests: 0, bytesRead: 0, inflated: 0 };
      const keys = { data: q("data"), index: q("index") };
      const index = await openIndex(get, keys.index, stats);
      const end = (await firstAfter(get, keys.index, index, Number(q("line")), stats)) - 1;
      const from = Math.max(0, end - 149);
      const messages = await readWindow(get, inflateSegment, keys, "claude-code", index, from, end, stats);
      const body = JSON.stringify(messages);
      return json({ total: index.messageCount, from, to: end, messages: messages.length, json: body.length, ...stats });
    }
    if (url.pathname === "/whole") {
      // Today's view: the whole object inflated up to the cap, as one string, mapped whole.
      const object = await env.B.get(q("data"));
      if (!object) return new Response("missing", { status: 404 });
      const cap = Number(q("cap"));
      const reader = object.body.pipeThrough(new DecompressionStream("gzip")).getReader();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
        if (total >= cap) {
          await reader.cancel();
          break;
        }
      }
      const text = await new Blob(chunks).text();
      const conversation = mapSession("claude-code", text.slice(0, text.lastIndexOf("\n") + 1));
      return json({ messages: conversation.messages.length, inflated: total });
    }
    if (url.pathname === "/inflate-all") {
      // Multi-member gzip through one DecompressionStream: does it read past the first member?
      const object = await env.B.get(q("data"));
      if (!object) return new Response("missing", { status: 404 });
      let inflated = 0;
      try {
        for await (const chunk of object.body.pipeThrough(new DecompressionStream("gzip")) as unknown as AsyncIterable<Uint8Array>)
          inflated += chunk.byteLength;
        return json({ stored: object.size, inflated });
      } catch (error) {
        return json({ stored: object.size, inflated, error: String(error) });
      }
    }
    if (url.pathname === "/raw") {
      const object = await env.B.get(q("data"));
      if (!object) return new Response("missing", { status: 404 });
      const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
      if (gzip)
        return new Response(object.body, {
          headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip", "content-length": String(object.size) },
          encodeBody: "manual",
        });
      return new Response(object.body.pipeThrough(new DecompressionStream("gzip")), {
        headers: { "content-type": "application/x-ndjson" },
      });
    }
    if (url.pathname === "/segment") {
      // One full-flushed segment, inflated on its own: deflate-raw of its bytes and the empty final block.
      const bytes = await get(q("key"), Number(q("offset")), Number(q("length")));
      const stream = new Blob([bytes, FINAL_BLOCK]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      const text = await new Response(stream).text();
      return json({ length: text.length, lines: text.split("\n").length - 1, startsWithRecord: text.startsWith("{") });
    }
    if (url.pathname === "/raw-seg") {
      // The stored chunks framed as one gzip member, streamed chunk after chunk: constant memory, no inflating
      // unless the client does not take gzip.
      const chunks = q("chunks").split(",");
      const heads = await Promise.all(chunks.map((key) => env.B.head(key)));
      const length = GZIP_HEADER.length + heads.reduce((n, h) => n + (h?.size ?? 0), 0) + FINAL_BLOCK.length + 8;
      const { readable, writable } = new FixedLengthStream(length);
      const pump = async () => {
        const writer = writable.getWriter();
        await writer.write(GZIP_HEADER);
        for (const key of chunks) {
          const object = await env.B.get(key);
          if (!object) throw new Error(`missing ${key}`);
          for await (const part of object.body as unknown as AsyncIterable<Uint8Array>) await writer.write(part);
        }
        await writer.write(FINAL_BLOCK);
        await writer.write(gzipTrailer(Number(q("crc")), Number(q("size"))));
        await writer.close();
      };
      const done = pump();
      void done.catch(() => undefined);
      // Workers see "Accept-Encoding: br, gzip" whatever the client sent, so plain is asked for explicitly.
      if (q("plain") !== "1")
        return new Response(readable, {
          headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip", "content-length": String(length) },
          encodeBody: "manual",
        });
      return new Response(readable.pipeThrough(new DecompressionStream("gzip")), { headers: { "content-type": "application/x-ndjson" } });
    }
    return new Response("not found", { status: 404 });
  },
};
