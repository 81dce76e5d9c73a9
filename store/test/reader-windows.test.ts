// The range reader against sessions laid out as the CLI stores them: every window of every JSONL fixture
// of every agent, read through index pages and segments only, equals the whole-file mapping; counts and
// positions equal what the whole message list gives.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Message } from "@residue/formats/model";
import { WINDOWS } from "@residue/formats/windows";
import { SessionReader } from "@residue/store/reader";
import { describe, expect, it } from "vitest";
import { buildLayout, memorySource } from "./support/layout.ts";

const ROOT = join(import.meta.dirname, "../..");
const FIXTURES = join(ROOT, "e2e/fixtures");
const ID = "6f1d2c3b-8a4e-4f5a-9b6c-7d8e9f0a1b2c";

const jsonlFixtures = (agent: string) =>
  readdirSync(join(FIXTURES, agent), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".jsonl"))
    .map((e) => join(e.parentPath, e.name));

/** The site's lineAt over a whole message list: the oracle for the reader's. */
const lineAtOf = (messages: Message[], at: number) =>
  messages.some((m) => m.timestamp !== null) ? (messages.filter((m) => m.timestamp !== null && m.timestamp <= at).at(-1)?.line ?? 0) : null;

const open = (built: ReturnType<typeof buildLayout>, agent: string) =>
  new SessionReader(memorySource(built.objects), ID, agent, built.manifest);

for (const agent of Object.keys(WINDOWS) as (keyof typeof WINDOWS)[]) {
  describe(`${agent}: windows read by range`, () => {
    for (const file of jsonlFixtures(agent)) {
      it(`${relative(FIXTURES, file)}: every window equals the whole-file mapping; counts and positions agree`, async () => {
        const built = buildLayout(ID, agent, readFileSync(file, "utf8"));
        const { full } = built;
        const reader = open(built, agent);
        expect(reader.total).toBe(full.length);
        expect(reader.notices).toEqual([]);
        const differing: string[] = [];
        for (let a = 0; a < full.length; a++)
          for (const b of new Set([a, Math.min(full.length - 1, a + 4), full.length - 1])) {
            const got = await reader.window(a, b);
            if (JSON.stringify(got.messages) !== JSON.stringify(full.slice(a, b + 1))) differing.push(`[${a}, ${b}]`);
            const ours = got.notices.filter((n) => n.includes("stored index") || n.includes("stored data"));
            if (ours.length) differing.push(`[${a}, ${b}] ${ours.join(" ")}`);
          }
        expect(differing).toEqual([]);
        for (const line of new Set(full.flatMap((m) => [m.line - 1, m.line, m.line + 1])))
          expect(await reader.countThrough(line)).toBe(full.filter((m) => m.line <= line).length);
        for (const at of new Set(full.flatMap((m) => (m.timestamp === null ? [] : [m.timestamp - 1, m.timestamp, m.timestamp + 1]))))
          expect(await reader.lineAt(at)).toBe(lineAtOf(full, at));
        expect(await reader.lineAt(0)).toBe(lineAtOf(full, 0));
      });
    }
  });
}

describe("claude-code: a generated long session (rewinds, compactions, sub-agent files)", () => {
  const dir = mkdtempSync(join(tmpdir(), "residue-reader-"));
  const file = join(dir, "session.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, "600"]);
  const text = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true });
  const built = buildLayout(ID, "claude-code", text, { segmentBytes: 16 * 1024, blockMessages: 16, pageBlocks: 4 });
  const { full } = built;

  it("windows of 1, 10 and 150 messages anywhere equal the whole file; each reads a few ranges", async () => {
    const reader = open(built, "claude-code");
    expect(full.length).toBeGreaterThan(1000);
    const differing: string[] = [];
    const reads: number[] = [];
    for (let a = 0; a < full.length; a += 37)
      for (const size of [1, 10, 150]) {
        const b = Math.min(full.length - 1, a + size - 1);
        const fresh = open(built, "claude-code");
        const got = await fresh.window(a, b);
        reads.push(got.stats.reads);
        if (JSON.stringify(got.messages) !== JSON.stringify(full.slice(a, b + 1))) differing.push(`[${a}, ${b}]`);
      }
    expect(differing).toEqual([]);
    // One index read for the pages and one chunk read for the segments: everything is in one push's objects.
    expect(Math.max(...reads)).toBe(2);
    expect(reader.total).toBe(full.length);
  }, 120_000);

  it("a byte budget keeps whole blocks nearest the end, at least one, and reads no more than it maps", async () => {
    const reader = open(built, "claude-code");
    const a = full.length - 400;
    const b = full.length - 251;
    const all = await open(built, "claude-code").window(a, b);
    const budgeted = await reader.window(a, b, { keep: "end", budget: 16 * 1024 });
    expect(budgeted.messages.length).toBeGreaterThan(0);
    expect(budgeted.messages.length).toBeLessThan(150);
    expect(budgeted.messages.at(-1)?.index).toBe(b);
    expect(budgeted.messages).toEqual(full.slice(b + 1 - budgeted.messages.length, b + 1));
    expect(budgeted.stats.inflated).toBeLessThan(all.stats.inflated);
    const start = await open(built, "claude-code").window(a, b, { keep: "start", budget: 1 });
    expect(start.messages[0]?.index).toBe(a);
    expect(start.messages).toEqual(full.slice(a, a + start.messages.length));
  });
});
