// The range reader on what the CLI's writer really stores, merged as the server merges pushes: every window
// of every JSONL fixture, pushed whole and grown over several pushes, and of a generated session of many
// segments, blocks and pages, equals the whole-file mapping; a view reads a handful of ranges.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { formatOf } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { layoutObjectKey } from "@residue/store";
import { SessionReader } from "@residue/store/reader";
import { type WindowedAgent, type WriterState, writeSession } from "@residue/store/writer";
import { afterAll, describe, expect, it } from "vitest";
import { memorySource } from "./support/layout.ts";
import { merge, type Stored } from "./support/layout-check.ts";

const ROOT = join(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "e2e/fixtures");
const ID = "2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d";
const work = mkdtempSync(join(tmpdir(), "residue-reader-writer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** Pushes `texts` one after another (each the transcript as it had grown), merged as the server does. */
async function pushAll(agent: WindowedAgent, texts: string[]) {
  let confirmed: WriterState | null = null;
  let stored: Stored | null = null;
  for (const text of texts) {
    const n = ++counter;
    const gzipPath = join(work, `${n}.gz`);
    const indexPath = join(work, `${n}.idx`);
    const written = await writeSession({ agent, input: [Buffer.from(text)], confirmed, gzipPath, indexPath });
    const gz = readFileSync(gzipPath);
    const chunk = written.chunk ? gz.subarray(written.chunk.offset, written.chunk.offset + written.chunk.length) : Buffer.alloc(0);
    stored = merge(stored, written.layout, chunk, readFileSync(indexPath));
    confirmed = written.state;
  }
  const s = stored as Stored;
  const { generation } = s.manifest;
  const objects = new Map<string, Uint8Array>();
  for (const [push, bytes] of s.chunks) objects.set(layoutObjectKey(ID, { generation, push, kind: "chunk" }), bytes);
  for (const [push, bytes] of s.indexes) objects.set(layoutObjectKey(ID, { generation, push, kind: "index" }), bytes);
  return { manifest: s.manifest, objects };
}

const wholeLines = (text: string) => text.slice(0, text.lastIndexOf("\n") + 1);
/** The transcript as it was after its first `share` of lines: an earlier push of the same session. */
const grownTo = (text: string, share: number) => {
  const lines = wholeLines(text).split("\n").slice(0, -1);
  return `${lines.slice(0, Math.max(1, Math.floor(lines.length * share))).join("\n")}\n`;
};

/** Windows of every start and a few sizes that differ from the whole file's messages. */
async function differingWindows(open: () => SessionReader, full: Message[], step: number, sizes: number[]) {
  const differing: string[] = [];
  const reads: number[] = [];
  for (let a = 0; a < full.length; a += step)
    for (const size of sizes) {
      const b = Math.min(full.length - 1, a + size - 1);
      const got = await open().window(a, b);
      reads.push(got.stats.reads);
      if (JSON.stringify(got.messages) !== JSON.stringify(full.slice(a, b + 1))) differing.push(`[${a}, ${b}]`);
    }
  return { differing, reads };
}

const jsonlFixtures = readdirSync(FIXTURES, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".jsonl") && e.parentPath.endsWith("versions"))
  .map((e) => join(e.parentPath, e.name));

describe("the range reader on the writer's layout", () => {
  for (const file of jsonlFixtures) {
    const agent = relative(FIXTURES, file).split("/")[0] as WindowedAgent;
    const text = readFileSync(file, "utf8");
    it(`${relative(FIXTURES, file)}: pushed whole, and grown over three pushes, every window equals the whole file`, async () => {
      const full = (formatOf(agent)?.map(wholeLines(text)).messages ?? []) as Message[];
      for (const texts of [[text], [grownTo(text, 0.3), grownTo(text, 0.7), text]]) {
        const { manifest, objects } = await pushAll(agent, texts);
        const open = () => new SessionReader(memorySource(objects), ID, agent, manifest);
        expect(open().total).toBe(full.length);
        const { differing } = await differingWindows(open, full, 1, [1, 3, full.length]);
        expect(differing).toEqual([]);
        for (const m of full) expect(await open().countThrough(m.line)).toBe(full.filter((x) => x.line <= m.line).length);
      }
    });
  }

  it("a generated session of many segments, blocks and pages, grown in two pushes: windows equal, a few reads each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "residue-reader-"));
    const file = join(dir, "session.jsonl");
    execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, "600"]);
    const text = readFileSync(file, "utf8");
    rmSync(dir, { recursive: true });
    const full = (formatOf("claude-code")?.map(wholeLines(text)).messages ?? []) as Message[];
    const { manifest, objects } = await pushAll("claude-code", [grownTo(text, 0.6), text]);
    expect(manifest.chunks.length).toBe(2);
    expect(manifest.pages.length).toBeGreaterThanOrEqual(2);
    const open = () => new SessionReader(memorySource(objects), ID, "claude-code", manifest);
    const { differing, reads } = await differingWindows(open, full, 97, [1, 64, 150]);
    expect(differing).toEqual([]);
    // Pages and segments of at most two pushes: each run of them one read.
    expect(Math.max(...reads)).toBeLessThanOrEqual(4);
    console.log(
      `generated session: ${full.length} messages, ${manifest.raw_size} bytes, ${manifest.pages.length} pages; reads per window ≤ ${Math.max(...reads)}`,
    );
  }, 300_000);
});
