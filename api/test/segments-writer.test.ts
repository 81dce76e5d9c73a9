// The CLI's writer (@residue/store/writer) against the server: its pushes of a generated long session —
// first, grown, then rewritten (a new generation) — are accepted, confirmed, served back byte for byte,
// and each page the manifest names reads back by range as the writer wrote it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LayoutManifest } from "@residue/protocol";
import type { PageBody } from "@residue/store";
import { type WriterState, writeSession } from "@residue/store/writer";
import { afterAll, describe, expect, it } from "vitest";
import { api, json, postJson, sessionMeta, sha256, uniqueRepo } from "./support/client.ts";
import { putObject } from "./support/segments.ts";

const ROOT = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "residue-api-writer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** One push as the CLI makes it: write, upload the chunk's byte range and the index, post the metadata. */
async function push(id: string, text: string, confirmed: WriterState | null) {
  const n = ++counter;
  const gzipPath = join(work, `${n}.gz`);
  const indexPath = join(work, `${n}.idx`);
  const written = await writeSession({ agent: "claude-code", input: [Buffer.from(text)], confirmed, gzipPath, indexPath });
  const { generation, push: number } = written.layout;
  if (written.chunk) {
    const gz = readFileSync(gzipPath);
    const bytes = gz.subarray(written.chunk.offset, written.chunk.offset + written.chunk.length);
    expect((await putObject(id, { generation, push: number, kind: "chunk" }, bytes)).status).toBe(200);
  }
  expect((await putObject(id, { generation, push: number, kind: "index" }, readFileSync(indexPath))).status).toBe(200);
  const meta = sessionMeta(text, { id, content_hash: sha256(text), layout: written.layout });
  const res = await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  const { raw_size, crc32, pushes } = (await json(await api(`/sessions/${id}/layout`))).manifest as LayoutManifest;
  expect(body.stored).toEqual([{ id, generation, pushes: number + 1, raw_size, crc32 }]);
  expect([raw_size, crc32, pushes]).toEqual([written.layout.raw_size, written.layout.crc32, number + 1]);
  return written;
}

async function expectServed(id: string, text: string) {
  expect(await (await api(`/sessions/${id}`)).text()).toBe(text);
  expect(await (await api(`/sessions/${id}?plain=1`)).text()).toBe(text);
  const manifest = (await json(await api(`/sessions/${id}/layout`))).manifest as LayoutManifest;
  for (const page of manifest.pages) {
    const res = await api(`/sessions/${id}/objects/${manifest.generation}/i${page.push}`, {
      headers: { range: `bytes=${page.offset}-${page.offset + page.length - 1}` },
    });
    expect(res.status).toBe(206);
    const body = JSON.parse(await res.text()) as PageBody;
    expect(body.messages.length).toBeGreaterThanOrEqual(page.messages);
  }
}

describe("the CLI's writer against the server", () => {
  const file = join(work, "long.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, "300"]);
  const text = readFileSync(file, "utf8");

  it("a first push, its growth and a rewritten generation are stored and served exactly", async () => {
    const id = crypto.randomUUID();
    const cut = text.lastIndexOf("\n", Math.floor(text.length * 0.6)) + 1;
    const first = await push(id, text.slice(0, cut), null);
    await expectServed(id, text.slice(0, cut));
    const grown = await push(id, text, first.state);
    expect(grown.layout.push).toBe(1);
    await expectServed(id, text);
    // An agent rewrote its file: the writer starts a new generation, and the server replaces the old one.
    const rewritten = text.replace("user", "User");
    const next = await push(id, rewritten, grown.state);
    expect(next.layout).toMatchObject({ generation: 2, push: 0 });
    await expectServed(id, rewritten);
  }, 180_000);
});
