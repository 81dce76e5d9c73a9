// The writer against the whole-file mapping: every block of every JSONL fixture and of a generated long
// session, re-mapped from its stored lines with its context, shows exactly the whole file's messages; the
// chunks of successive pushes framed as gzip are the transcript byte for byte; growth uploads little more
// than its new segments; a rewritten prefix starts a new generation.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { mapSession } from "@residue/formats";
import { searchDocuments } from "@residue/formats/search-text";
import { MAX_PUSHES, type SearchDocument } from "@residue/protocol";
import { FINAL_BLOCK, GZIP_HEADER, gzipTrailer } from "@residue/store";
import { type WindowedAgent, type WriterState, writeSession } from "@residue/store/writer";
import { afterAll, describe, expect, it } from "vitest";
import { checkBlocks, merge, type Stored, storedBytes } from "./support/layout-check.ts";

const ROOT = join(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "e2e/fixtures");
const work = mkdtempSync(join(tmpdir(), "residue-writer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** One push of `text` after `stored`, as the server would merge it. */
async function push(agent: WindowedAgent, text: string | Buffer, confirmed: WriterState | null, stored: Stored | null) {
  const n = ++counter;
  const gzipPath = join(work, `${n}.gz`);
  const indexPath = join(work, `${n}.idx`);
  const docs: SearchDocument[] = [];
  const written = await writeSession({
    agent,
    input: [Buffer.from(text)],
    confirmed,
    gzipPath,
    indexPath,
    onDocuments: (d) => docs.push(...d),
  });
  const gz = readFileSync(gzipPath);
  const chunk = written.chunk ? gz.subarray(written.chunk.offset, written.chunk.offset + written.chunk.length) : Buffer.alloc(0);
  const index = readFileSync(indexPath);
  expect(chunk.length).toBe(written.layout.chunk?.bytes ?? 0);
  expect(index.length).toBe(written.layout.index.bytes);
  // The local file is the whole transcript as one .gz, whatever the push holds.
  expect(gunzipSync(gz).equals(Buffer.from(text))).toBe(true);
  return { written, stored: merge(stored, written.layout, chunk, index), docs, chunk, index };
}

const wholeLines = (text: string) => text.slice(0, text.lastIndexOf("\n") + 1);

function expectStoredEquals(stored: Stored, text: string) {
  const body = storedBytes(stored);
  const { crc32, raw_size } = stored.manifest;
  const served = Buffer.concat([GZIP_HEADER, body, FINAL_BLOCK, gzipTrailer(crc32, raw_size)]);
  expect(gunzipSync(served).toString("utf8")).toBe(wholeLines(text));
}

function expectBlocksRight(agent: WindowedAgent, stored: Stored, text: string) {
  const full = mapSession(agent, wholeLines(text)).messages;
  const { differing, named } = checkBlocks(agent, stored, full);
  expect(differing).toEqual([]);
  expect(named).toBe(full.length);
  expect(stored.manifest.messages).toBe(full.length);
}

const jsonlFixtures = readdirSync(FIXTURES, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".jsonl") && e.parentPath.endsWith("versions"))
  .map((e) => join(e.parentPath, e.name));

describe("every JSONL fixture", () => {
  it("has fixtures of every agent", () => {
    const agents = new Set(jsonlFixtures.map((f) => relative(FIXTURES, f).split("/")[0]));
    expect([...agents].sort()).toEqual(["claude-code", "codex", "gemini", "opencode", "pi"]);
  });

  for (const file of jsonlFixtures) {
    const agent = relative(FIXTURES, file).split("/")[0] as WindowedAgent;
    const text = readFileSync(file, "utf8");
    it(`${relative(FIXTURES, file)}: one push, then grown line by line in three pushes, maps every block as the whole file`, async () => {
      const first = await push(agent, text, null, null);
      expectStoredEquals(first.stored, text);
      expectBlocksRight(agent, first.stored, text);
      // Search documents come from the windows, block by block: the same as from the whole-file mapping.
      expect(first.docs).toEqual(searchDocuments(mapSession(agent, wholeLines(text))));

      const lines = text.split("\n");
      const cuts = [Math.floor(lines.length / 3), Math.floor((2 * lines.length) / 3), lines.length - 1];
      let confirmed: WriterState | null = null;
      let stored: Stored | null = null;
      let docs: SearchDocument[] = [];
      for (const cut of cuts) {
        const part = `${lines.slice(0, cut).join("\n")}\n`;
        const next = await push(agent, cut === lines.length - 1 ? text : part, confirmed, stored);
        expect(next.written.layout.generation).toBe(1);
        docs = [...docs.filter((d) => d.i < next.written.documentsFrom), ...next.docs];
        confirmed = next.written.state;
        stored = next.stored;
        expectStoredEquals(stored, cut === lines.length - 1 ? text : part);
        expectBlocksRight(agent, stored, cut === lines.length - 1 ? text : part);
      }
      expect(docs).toEqual(first.docs);
    });
  }
});

describe("a generated long session (rewind, compactions, sub-agent file)", () => {
  const file = join(work, "long.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, "500"]);
  const text = readFileSync(file, "utf8");

  it("grown by about 5 %, pushes ≤ 1.2× its new segments' bytes, and every block still maps as the whole file", async () => {
    const cut = text.lastIndexOf("\n", Math.floor(text.length * 0.95)) + 1;
    const first = await push("claude-code", text.slice(0, cut), null, null);
    expectBlocksRight("claude-code", first.stored, text.slice(0, cut));
    const grown = await push("claude-code", text, first.written.state, first.stored);
    expect(grown.written.layout.push).toBe(1);
    const chunk = grown.written.layout.chunk?.bytes ?? 0;
    expect(chunk).toBeGreaterThan(0);
    expect(chunk + grown.written.layout.index.bytes).toBeLessThanOrEqual(1.2 * chunk);
    expectStoredEquals(grown.stored, text);
    expectBlocksRight("claude-code", grown.stored, text);
    console.log(
      `growth of ${text.length - cut} raw bytes: chunk ${chunk} B, index ${grown.written.layout.index.bytes} B (first push: ${first.written.layout.chunk?.bytes} B chunk, ${first.written.layout.index.bytes} B index, ${first.written.layout.pages.length} pages)`,
    );
  }, 120_000);

  it("a rewritten prefix (another redaction, an agent rewriting its file) starts a new generation, uploaded whole", async () => {
    const first = await push("claude-code", text, null, null);
    const rewritten = text.replace("\n", " \n");
    const next = await push("claude-code", rewritten, first.written.state, first.stored);
    expect([next.written.layout.generation, next.written.layout.push]).toEqual([2, 0]);
    expect(next.written.layout.chunk?.raw_bytes).toBe(Buffer.byteLength(rewritten));
    expectStoredEquals(next.stored, rewritten);
    expectBlocksRight("claude-code", next.stored, rewritten);
  }, 120_000);

  it("a generation that reached MAX_PUSHES starts the next one", async () => {
    const first = await push("claude-code", text.slice(0, text.length / 2), null, null);
    const full = { ...first.written.state, pushes: MAX_PUSHES };
    const next = await push("claude-code", text, full, null);
    expect([next.written.layout.generation, next.written.layout.push]).toEqual([2, 0]);
    expectBlocksRight("claude-code", next.stored, text);
  }, 120_000);
});

describe("growth that changes what came before", () => {
  it("an unfinished last line waits for the next push", async () => {
    const text = readFileSync(join(FIXTURES, "claude-code/versions/rewind.jsonl"), "utf8");
    const half = text.slice(0, Math.floor(text.length / 2));
    const first = await push("claude-code", half, null, null);
    expect(first.written.layout.raw_size).toBe(Buffer.byteLength(wholeLines(half)));
    const next = await push("claude-code", text, first.written.state, first.stored);
    expect(next.written.layout.push).toBe(1);
    expectStoredEquals(next.stored, text);
    expectBlocksRight("claude-code", next.stored, text);
  });

  it("a rewind appended later maps again from the first block whose lines it moved off the branch", async () => {
    const dir = mkdtempSync(join(work, "rewind-"));
    const file = join(dir, "s.jsonl");
    execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, "300"]);
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n").filter(Boolean);
    // A new prompt whose parent is a line early in the session: everything after that line leaves the branch.
    const early = JSON.parse(lines.find((l, i) => i > 40 && JSON.parse(l).type === "assistant" && JSON.parse(l).uuid) as string);
    const prompt = {
      ...JSON.parse(lines.find((l) => JSON.parse(l).type === "user" && typeof JSON.parse(l).message?.content === "string") as string),
      uuid: "rewound-0000",
      parentUuid: early.uuid,
      message: { role: "user", content: "let us try that again" },
    };
    const grown = `${text}${JSON.stringify(prompt)}\n`;
    writeFileSync(file, grown);
    const first = await push("claude-code", text, null, null);
    const next = await push("claude-code", grown, first.written.state, first.stored);
    expect(next.written.layout.generation).toBe(1);
    expect(next.written.documentsFrom).toBeLessThan(first.written.layout.messages - 5);
    expectBlocksRight("claude-code", next.stored, grown);
  }, 120_000);
});
