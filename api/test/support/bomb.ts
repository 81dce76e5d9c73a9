// A decompression bomb that is also a valid transcript: one Claude Code line, mostly a run of one letter
// (what deflate shrinks ~1000×), repeated until the gzip inflates to `inflatedBytes`; built streaming so
// the test process never holds the inflated data.
import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";

export interface Bomb {
  gzip: Uint8Array<ArrayBuffer>;
  byteSize: number;
  contentHash: string;
  lines: number;
}

export async function gzipBomb(inflatedBytes: number): Promise<Bomb> {
  const line = `${JSON.stringify({
    type: "user",
    timestamp: "2026-11-20T10:00:00.000Z",
    message: { role: "user", content: `Inflate me. ${"z".repeat(64 * 1024)}` },
  })}\n`;
  const block = Buffer.from(line.repeat(Math.floor((1024 * 1024) / line.length)));
  const blocks = Math.ceil(inflatedBytes / block.length);
  const hash = createHash("sha256");
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  for (let i = 0; i < blocks; i++) {
    hash.update(block);
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await ended;
  const bytes = Buffer.concat(out);
  return {
    gzip: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Uint8Array<ArrayBuffer>,
    byteSize: block.length * blocks,
    contentHash: `sha256:${hash.digest("hex")}`,
    lines: (block.length / line.length) * blocks,
  };
}
