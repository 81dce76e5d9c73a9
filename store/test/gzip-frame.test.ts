// Segments compressed apart (fresh compressors, full flushes) and framed by gzip-frame.ts are one gzip
// member of the transcript: what every client inflates, and what the raw API serves without re-compressing.
import { constants, crc32, deflateRawSync, gunzipSync } from "node:zlib";
import { FINAL_BLOCK, GZIP_HEADER, gzipLength, gzipTrailer, layoutObjectKey, sessionPrefix, wholeObjectKey } from "@residue/store";
import { describe, expect, it } from "vitest";

const ID = "0b9c7f1e-3a52-4c55-9a4e-9d3f7f0d2a11";

describe("gzip framing of segments", () => {
  it("frames segments compressed separately as one gzip member of the whole transcript", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `{"n":${i},"text":"${"x".repeat(i % 97)}"}\n`);
    const parts = [lines.slice(0, 120), lines.slice(120, 121), lines.slice(121)].map((ls) => Buffer.from(ls.join("")));
    const segments = parts.map((p) => deflateRawSync(p, { finishFlush: constants.Z_FULL_FLUSH }));
    const crc = parts.reduce((c, p) => crc32(p, c), 0);
    const size = parts.reduce((n, p) => n + p.length, 0);
    const served = Buffer.concat([GZIP_HEADER, ...segments, FINAL_BLOCK, gzipTrailer(crc, size)]);
    expect(served.length).toBe(gzipLength(segments.reduce((n, s) => n + s.length, 0)));
    expect(gunzipSync(served).toString()).toBe(lines.join(""));
  });

  it("writes the size modulo 2^32, as gzip's ISIZE is", () => {
    const trailer = new DataView(gzipTrailer(0xffffffff, 2 ** 32 + 5).buffer);
    expect([trailer.getUint32(0, true), trailer.getUint32(4, true)]).toEqual([0xffffffff, 5]);
  });
});

describe("object keys", () => {
  it("keeps every object of a session under its prefix", () => {
    expect(layoutObjectKey(ID, { generation: 2, push: 7, kind: "chunk" })).toBe(`sessions/${ID}/g2/c7`);
    expect(layoutObjectKey(ID, { generation: 2, push: 7, kind: "index" })).toBe(`sessions/${ID}/g2/i7`);
    expect(layoutObjectKey(ID, { generation: 1, push: 0, kind: "index" }).startsWith(sessionPrefix(ID))).toBe(true);
    expect(wholeObjectKey(ID)).toBe(`sessions/${ID}`);
  });
});
