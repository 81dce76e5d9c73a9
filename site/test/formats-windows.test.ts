// Window mapping: a session is read a window of lines at a time, so every window of messages [a, b] of
// every JSONL fixture, mapped from its own lines (and the lines outside it the structure pass says it
// needs) with the context the structure pass gives for them, must show exactly what the whole-file
// mapping shows for those messages. Only the global index is the shared reader's to relabel (it comes from
// the session's message table). Every format in WINDOWS (every agent) is checked, with no exceptions.
import { execFileSync } from "node:child_process";
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { formatOf } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import type { ClaudeCodeStructure } from "@residue/formats/structure/claude-code";
import { type Line, parseLine, WINDOWS, type WindowMapping } from "@residue/formats/windows";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../cli/test/support/harness.ts";

const FIXTURES = join(ROOT, "e2e/fixtures");

const jsonlFixtures = (agent: string) =>
  readdirSync(join(FIXTURES, agent), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".jsonl"))
    .map((e) => join(e.parentPath, e.name));

const parsed = (text: string) =>
  text.split("\n").flatMap((raw, i) => {
    const line = parseLine(raw, i + 1);
    return line && line !== "bad" ? [line] : [];
  });

const comparable = (m: Message) => JSON.stringify({ ...m, index: 0 });

/** Whether messages [a, b] of `full`, mapped from their window's lines alone, differ from `full`'s. */
function windowDiffers(format: WindowMapping<unknown, unknown>, structure: unknown, lines: Line[], full: Message[], a: number, b: number) {
  const last = lines.at(-1)?.n ?? 0;
  const from = a > 0 ? (full[a - 1] as Message).line + 1 : 1;
  const to = b + 1 < full.length ? (full[b + 1] as Message).line - 1 : last;
  const want = full.slice(a, b + 1);
  const wanted = new Set(want.map((m) => m.line));
  const { context, extra } = format.window(structure, from, to);
  const window = lines.filter((l) => (l.n >= from && l.n <= to) || extra.some(([x, y]) => l.n >= x && l.n <= y));
  const got = format.mapLines(window, context).messages.filter((m) => wanted.has(m.line));
  return got.length !== want.length || got.some((m, i) => comparable(m) !== comparable(want[i] as Message));
}

function structureOf(format: WindowMapping<unknown, unknown>, lines: Line[]) {
  const pass = format.structure();
  for (const line of lines) pass.line(line);
  return pass.finish();
}

for (const [agent, format] of Object.entries(WINDOWS)) {
  describe(`${agent}: windows mapped with their context`, () => {
    it("has JSONL fixtures to check", () => expect(jsonlFixtures(agent).length).toBeGreaterThan(0));

    for (const file of jsonlFixtures(agent)) {
      const text = readFileSync(file, "utf8");
      const lines = parsed(text);

      it(`${relative(FIXTURES, file)}: the structure pass fed a stream line by line gives the whole file's`, async () => {
        const streamed = format.structure();
        let n = 0;
        for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
          const line = parseLine(raw, ++n);
          if (line && line !== "bad") streamed.line(line);
        }
        const whole = format.structure();
        for (const line of lines) whole.line(line);
        expect(streamed.finish()).toEqual(whole.finish());
      });

      it(`${relative(FIXTURES, file)}: every window of messages equals the whole-file mapping`, () => {
        const structure = structureOf(format, lines);
        const last = lines.at(-1)?.n ?? 0;
        const full = format.mapLines(lines, format.window(structure, 1, last).context).messages;
        // The whole-file mapping through its context is what every reader has always been shown.
        expect(full).toEqual(formatOf(agent)?.map(text).messages);
        // Messages made from one line (an entry and the branch folded after it) are read together.
        const starts = full.flatMap((m, i) => (i === 0 || (full[i - 1] as Message).line !== m.line ? [i] : []));
        const differing: string[] = [];
        let windows = 0;
        for (let s = 0; s < starts.length; s++) {
          for (let e = s; e < starts.length; e++) {
            windows++;
            const a = starts[s] as number;
            const b = (starts[e + 1] ?? full.length) - 1;
            if (windowDiffers(format, structure, lines, full, a, b)) differing.push(`[${a}, ${b}]`);
          }
        }
        expect(windows).toBeGreaterThan(0);
        expect(differing).toEqual([]);
      });
    }
  });
}

/** A compaction comes every 2,000 turns: 2,100 hold one. Generated once for the tests below. */
let generated: string | undefined;
function generatedSession() {
  if (generated) return generated;
  const dir = mkdtempSync(join(tmpdir(), "residue-windows-"));
  const file = join(dir, "session.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, "2100"]);
  generated = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true });
  return generated;
}

/** Every message alone, and every run of 8, mapped from its window: the messages that differ from the whole file's. */
function checkWindows(text: string) {
  const format = WINDOWS["claude-code"];
  const lines = parsed(text);
  const structure = structureOf(format, lines) as ClaudeCodeStructure;
  const full = format.mapLines(lines, format.window(structure, 1, lines.at(-1)?.n ?? 0).context).messages;
  expect(full).toEqual(formatOf("claude-code")?.map(text).messages);
  // What the windows must get right is there: branches left, history folded, sub-agents' own files.
  expect(structure.skip.length).toBeGreaterThan(0);
  expect(full.some((m) => m.fold)).toBe(true);
  expect(full.some((m) => m.blocks.some((b) => b.kind === "tool_call" && b.children?.length))).toBe(true);
  const differing: string[] = [];
  for (let a = 0; a < full.length; a++)
    for (const b of [a, Math.min(full.length - 1, a + 7)])
      if (windowDiffers(format, structure, lines, full, a, b)) differing.push(`[${a}, ${b}]`);
  expect(differing).toEqual([]);
  return { full, structure };
}

/**
 * The same session laid out as the CLI's section log lays out a session pushed while it grew: the main
 * transcript in runs, each sub-agent file's lines split over several sections between them (the main one
 * resuming behind a `"path":""` marker).
 */
function interleaved(text: string, runs: number) {
  const main: string[] = [];
  const files = new Map<string, string[]>();
  let current = main;
  for (const raw of text.split("\n").slice(0, -1)) {
    const marker = raw.includes('"type":"residue-file"') ? (JSON.parse(raw) as { path: string }).path : null;
    if (marker === null) current.push(raw);
    else {
      current = [];
      files.set(marker, current);
    }
  }
  const out: string[] = [];
  let previous = "";
  const section = (name: string, part: string[]) => {
    if (!part.length) return;
    if (name !== previous) out.push(JSON.stringify({ type: "residue-file", path: name }));
    out.push(...part);
    previous = name;
  };
  for (let r = 0; r < runs; r++) {
    const cut = (xs: string[]) => xs.slice(Math.floor((xs.length * r) / runs), Math.floor((xs.length * (r + 1)) / runs));
    section("", cut(main));
    for (const [name, lines] of files) section(name, cut(lines));
  }
  return `${out.join("\n")}\n`;
}

/** The stream's last line of the main transcript: a marker names the file the lines after it belong to. */
function lastMainLine(log: string) {
  let file = "";
  let last = 0;
  log
    .split("\n")
    .slice(0, -1)
    .forEach((raw, i) => {
      if (raw.includes('"type":"residue-file"')) file = (JSON.parse(raw) as { path: string }).path;
      else if (file === "") last = i + 1;
    });
  return last;
}

/** Messages as a reader sees them, whatever lines they came from. */
const withoutLines = (messages: Message[]) => JSON.stringify(messages, (key, value) => (key === "line" ? undefined : value));

describe("claude-code: windows of a generated long session (rewind, compaction, sub-agent files)", () => {
  it("every message alone, and every run of 8, maps as in the whole file", () => {
    checkWindows(generatedSession());
  }, 300_000);

  it("laid out as a section log (main and sub-agent sections interleaved), it maps as in the whole file, with the messages of the single layout", () => {
    const text = generatedSession();
    const log = interleaved(text, 4);
    const { full, structure } = checkWindows(log);
    expect(structure.interleaved).toBe(true);
    expect(structure.lastMainLine).toBe(lastMainLine(log));
    expect(structure.lastMainLine).toBeGreaterThan(structure.files[0]?.from ?? 0);
    expect(new Set(structure.files.map((f) => f.name)).size).toBeLessThan(structure.files.length);
    // The same conversation as the layout of one section per file: only the lines it names moved.
    expect(withoutLines(full)).toBe(withoutLines(formatOf("claude-code")?.map(text).messages ?? []));
  }, 300_000);
});
