// Bounded load on loopback, on a server of its own: 1,000 uploads (200 in plain `npm test`), each checked against its metadata.
// Reports throughput; the properties are no errors and every row present exactly once.
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { count, recordFigure, volume } from "./support/figures.ts";
import { rate, LOAD_SECTION as SECTION, stored, upload } from "./support/load.ts";
import { callApi, dedicatedServer, pool } from "./support/server.ts";

const server = dedicatedServer();
const UPLOADS = volume(1_000, 200);

describe("load on loopback", () => {
  it(`takes ${count(UPLOADS)} uploads (URL, gzip PUT, verified metadata), 8 at a time, and serves each back byte for byte`, async () => {
    const target = server();
    const owner = `upload-${randomUUID().slice(0, 8)}`;
    const uploads = Array.from({ length: UPLOADS }, (_, i) => {
      const lines = Array.from({ length: 40 }, (_, k) =>
        JSON.stringify({ type: "user", message: { role: "user", content: `${i}.${k} ${randomUUID()}` } }),
      );
      const data = `${lines.join("\n")}\n`;
      return { ...upload(owner, i, data), data, gzip: gzipSync(data) };
    });
    let bytes = 0;
    const started = performance.now();
    const failures = await pool(uploads, 8, async (u) => {
      const grant = await callApi(target, "POST", "/sessions/upload-url", { session_id: u.id });
      if (grant.status !== 200) return `upload-url ${grant.status}`;
      const { url } = (await grant.json()) as { url: string };
      const put = await fetch(url, { method: "PUT", body: u.gzip, headers: { "content-type": "application/gzip" } });
      if (put.status !== 200) return `PUT ${put.status}`;
      bytes += u.gzip.byteLength;
      const post = await callApi(target, "POST", "/sessions", u.body);
      return post.status === 200 ? null : `POST ${post.status} ${await post.text()}`;
    });
    const ms = performance.now() - started;
    const errors = failures.filter((f) => f !== null);
    recordFigure({
      section: SECTION,
      what: `${count(UPLOADS)} uploads: upload URL + gzip PUT (${(bytes / UPLOADS / 1024).toFixed(1)} KB each, inflating to ${(uploads.reduce((n, u) => n + u.data.length, 0) / UPLOADS / 1024).toFixed(1)} KB) + metadata checked against the object, 8 concurrent`,
      result: `${rate(UPLOADS, ms)} (${(((bytes / ms) * 1000) / 1024 / 1024).toFixed(2)} MB/s of gzip), ${errors.length} errors`,
    });
    expect(errors).toEqual([]);
    expect(await stored(target, owner)).toEqual({ sessions: UPLOADS, commits: UPLOADS, links: UPLOADS });
    for (const u of uploads.filter((_, i) => i % 50 === 0)) {
      // Served gzip-encoded as stored; fetch inflates it back to the transcript.
      const raw = new Uint8Array(await (await callApi(target, "GET", `/sessions/${u.id}`)).arrayBuffer());
      expect(Buffer.compare(Buffer.from(raw), Buffer.from(u.data))).toBe(0);
    }
  }, 900_000);
});
