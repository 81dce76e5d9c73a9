// The plain download's core, fed real full-flushed deflate segments through byte streams cut at arbitrary
// places (as R2 bodies arrive): bytes exact, one segment inflated per read, nothing read ahead of the
// reader, and a run that does not match its manifest ends in an error before its last byte.
import { createHash } from "node:crypto";
import { constants, crc32, deflateRawSync } from "node:zlib";
import type { LayoutChunk, LayoutManifest } from "@residue/protocol";
import { describe, expect, it } from "vitest";
import { acceptsGzip, clientAcceptEncoding } from "../src/http/accept-encoding.ts";
import { nextFlushEnd, SegmentSplitter } from "../src/storage/segment-splitter.ts";
import { plainTranscript } from "../src/storage/segments-download.ts";

const segment = (raw: Buffer, level = 6) => deflateRawSync(raw, { level, finishFlush: constants.Z_FULL_FLUSH });

/** Raw bytes whose stored (level 0) deflate holds `00 00 ff ff` inside the segment: a false segment end. */
const withFalseEnd = () =>
  Buffer.concat([Buffer.from("binary tool output "), Buffer.from([0, 0, 0xff, 0xff, 0x41]), Buffer.from(" end\n")]);

interface Chunk {
  raws: Buffer[];
  stored: Buffer;
}

function chunk(raws: Buffer[], levels: number[] = []): Chunk {
  return { raws, stored: Buffer.concat(raws.map((raw, i) => segment(raw, levels[i] ?? 6))) };
}

const lines = (seed: string, count: number) =>
  Buffer.from(Array.from({ length: count }, (_, i) => `${JSON.stringify({ seed, i, text: "y".repeat((i * 53) % 700) })}\n`).join(""));

function manifestOf(chunks: Chunk[]): LayoutManifest {
  let crc = 0;
  let size = 0;
  const layoutChunks = chunks.map((c, push): LayoutChunk => {
    const raw = Buffer.concat(c.raws);
    crc = crc32(raw, crc);
    size += raw.length;
    return {
      push,
      bytes: c.stored.length,
      raw_bytes: raw.length,
      raw_sha256: createHash("sha256").update(raw).digest("hex"),
      first_line: 1,
      lines: 1,
    };
  });
  return { generation: 1, pushes: chunks.length, chunks: layoutChunks, pages: [], raw_size: size, crc32: crc, lines: 1, messages: 1 };
}

/** A byte stream of `bytes` in pieces of `piece` bytes, pulled one at a time; `delivered` counts what it gave. */
function source(bytes: Buffer, piece: number, tally: { delivered: number }) {
  let at = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        const next = bytes.subarray(at, at + piece);
        at += next.length;
        tally.delivered += next.length;
        controller.enqueue(new Uint8Array(next));
      },
    },
    { highWaterMark: 0 },
  );
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  const pieces: Uint8Array[] = [];
  for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
  return pieces;
}

describe("cutting a chunk back into its segments", () => {
  it("finds each segment end, however the stored bytes arrive, and steps over a false one", () => {
    const raws = [lines("a", 40), withFalseEnd(), lines("b", 3), lines("c", 200)];
    const c = chunk(raws, [6, 0, 1, 6]);
    const falseEnd = segment(raws[0] as Buffer).length + nextFlushEnd(segment(withFalseEnd(), 0), 0, segment(withFalseEnd(), 0).length);
    expect(falseEnd).toBeLessThan(segment(raws[0] as Buffer).length + segment(withFalseEnd(), 0).length);
    for (const piece of [1, 3, 7, 4096, c.stored.length]) {
      const splitter = new SegmentSplitter();
      const out: Buffer[] = [];
      for (let at = 0; at < c.stored.length; at += piece) {
        splitter.push(c.stored.subarray(at, at + piece));
        for (let next = splitter.next(); next; next = splitter.next()) out.push(Buffer.from(next));
      }
      const rest = splitter.end();
      if (rest.length > 0) out.push(Buffer.from(rest));
      expect(out.map((b) => b.toString("hex"))).toEqual(raws.map((b) => b.toString("hex")));
    }
  });

  it("refuses stored bytes that do not end a segment", () => {
    const c = chunk([lines("a", 30)]);
    const splitter = new SegmentSplitter();
    splitter.push(c.stored.subarray(0, c.stored.length - 9));
    expect(splitter.next()).toBeNull();
    expect(() => splitter.end()).toThrow(/do not end a run/);
  });
});

describe("the plain transcript of a session stored in chunks", () => {
  const chunks = [
    chunk([lines("p0", 300), lines("p0b", 120)]),
    chunk([withFalseEnd(), lines("p1", 500)], [0, 6]),
    chunk([lines("p2", 10)]),
  ];
  const transcript = Buffer.concat(chunks.flatMap((c) => c.raws));

  it("is the transcript byte for byte, one segment per read", async () => {
    const manifest = manifestOf(chunks);
    const tally = { delivered: 0 };
    const pieces = await readAll(plainTranscript(manifest, async (i) => source((chunks[i] as Chunk).stored, 1000, tally), "s"));
    expect(Buffer.concat(pieces).equals(transcript)).toBe(true);
    expect(pieces.map((p) => p.byteLength)).toEqual(chunks.flatMap((c) => c.raws.map((r) => r.length)));
    expect(tally.delivered).toBe(chunks.reduce((n, c) => n + c.stored.length, 0));
  });

  it("reads stored bytes only as the reader asks: one read takes one segment and the one after it", async () => {
    const big = [chunk(Array.from({ length: 12 }, (_, i) => lines(`s${i}`, 400)))];
    const tally = { delivered: 0 };
    const opened: number[] = [];
    const reader = plainTranscript(
      manifestOf(big),
      async (i) => {
        opened.push(i);
        return source((big[0] as Chunk).stored, 512, tally);
      },
      "s",
    ).getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBe((big[0] as Chunk).raws[0]?.length);
    const twoSegments = segment((big[0] as Chunk).raws[0] as Buffer).length + segment((big[0] as Chunk).raws[1] as Buffer).length;
    // Nothing is pulled while the reader waits: the bytes delivered are the two segments and one piece at most.
    await new Promise((resolve) => setImmediate(resolve));
    expect(tally.delivered).toBeLessThanOrEqual(twoSegments + 512);
    expect(tally.delivered).toBeLessThan((big[0] as Chunk).stored.length / 4);
    await reader.cancel();
    expect(opened).toEqual([0]);
  });

  it("ends in an error, before its last piece, when the segments do not add up to the manifest", async () => {
    const manifest = { ...manifestOf(chunks), crc32: (manifestOf(chunks).crc32 + 1) >>> 0 };
    const reader = plainTranscript(manifest, async (i) => source((chunks[i] as Chunk).stored, 64, { delivered: 0 }), "s").getReader();
    let got = 0;
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          got += value.byteLength;
        }
      })(),
    ).rejects.toThrow(/do not add up/);
    expect(got).toBeLessThan(transcript.length);

    const short = {
      ...manifestOf(chunks),
      chunks: manifestOf(chunks).chunks.map((c, i) => (i === 1 ? { ...c, raw_bytes: c.raw_bytes + 1 } : c)),
    };
    await expect(
      readAll(plainTranscript(short, async (i) => source((chunks[i] as Chunk).stored, 64, { delivered: 0 }), "s")),
    ).rejects.toThrow(/chunk c1 of session s inflates to \d+ bytes, its manifest says/);
  });
});

describe("whether a client takes gzip", () => {
  it("reads the Accept-Encoding it sent: gzip or * with a weight above zero", () => {
    for (const yes of ["gzip", "br, gzip", "gzip;q=0.5", "deflate, *", "GZIP ; q=1", "x-gzip"]) expect(acceptsGzip(yes), yes).toBe(true);
    for (const no of [null, "", "identity", "br", "gzip;q=0", "*;q=0", "gzip;q=0.0, br"]) expect(acceptsGzip(no), String(no)).toBe(false);
  });
  it("asks the client's own header that Cloudflare keeps in cf, before the one it rewrote", () => {
    const request = new Request("http://x/", { headers: { "accept-encoding": "br, gzip" } });
    expect(clientAcceptEncoding(request)).toBe("br, gzip");
    Object.defineProperty(request, "cf", { value: { clientAcceptEncoding: "identity" } });
    expect(clientAcceptEncoding(request)).toBe("identity");
  });
});
