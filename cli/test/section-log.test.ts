// The section log of a session of several files, on real files: the first read lays out the main file and then
// each other file once (the layout stored sessions have), a later read replays what is stored and appends each
// file's new whole lines, a rewritten file starts the log again, and main-file lines translate to stored lines.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { mainLine, markerLine, SectionLog, streamLine } from "../src/queue/section-log.ts";
import { openSectionLog, type SessionFiles } from "../src/queue/sources.ts";

function session() {
  const dir = mkdtempSync(join(tmpdir(), "residue-sections-"));
  mkdirSync(join(dir, "s", "subagents"), { recursive: true });
  const files: SessionFiles = { main: join(dir, "s.jsonl"), extra: [] };
  const sub = (name: string) => ({ path: join(dir, "s", "subagents", name), name: `subagents/${name}` });
  return { files, sub };
}

async function read(files: SessionFiles, log: SectionLog | null) {
  const opened = openSectionLog(files, log);
  const stream = await text(opened.stream);
  return { stream, log: opened.log() };
}

describe("a session's section log", () => {
  it("lays out the first read as the main file and each other file once, withholding unfinished lines", async () => {
    const { files, sub } = session();
    const a = sub("agent-a.jsonl");
    files.extra = [a];
    writeFileSync(files.main, "m1\nm2\nm3-unfinished");
    writeFileSync(a.path, "a1\n");
    const first = await read(files, null);
    expect(first.stream).toBe(`m1\nm2\n${markerLine("subagents/agent-a.jsonl")}a1\n`);
    expect(first.log?.sections).toEqual([
      ["", 2],
      ["subagents/agent-a.jsonl", 1],
    ]);
    expect(first.log?.files.map((f) => [f.name, f.bytes, f.lines])).toEqual([
      ["", 6, 2],
      ["subagents/agent-a.jsonl", 3, 1],
    ]);
  });

  it("replays what is stored, then appends each file's new lines (the main file behind its own marker)", async () => {
    const { files, sub } = session();
    const [a, b] = [sub("agent-a.jsonl"), sub("agent-b.jsonl")];
    files.extra = [a];
    writeFileSync(files.main, "m1\nm2\n");
    writeFileSync(a.path, "a1\n");
    const first = await read(files, null);
    appendFileSync(files.main, "m3\n");
    appendFileSync(a.path, "a2\n");
    writeFileSync(b.path, "b1\n");
    files.extra = [a, b];
    const second = await read(files, first.log);
    const added = `${markerLine("")}m3\n${markerLine("subagents/agent-a.jsonl")}a2\n${markerLine("subagents/agent-b.jsonl")}b1\n`;
    expect(second.stream).toBe(first.stream + added);
    expect(second.log?.sections).toEqual([
      ["", 2],
      ["subagents/agent-a.jsonl", 1],
      ["", 1],
      ["subagents/agent-a.jsonl", 1],
      ["subagents/agent-b.jsonl", 1],
    ]);
    // Nothing new: the same stream, the same log. Only the main file grown: it joins no marker after a sub-agent's.
    expect(await read(files, second.log)).toEqual(second);
    appendFileSync(files.main, "m4\n");
    const third = await read(files, second.log);
    expect(third.stream).toBe(`${second.stream}${markerLine("")}m4\n`);
    appendFileSync(files.main, "m5\n");
    const fourth = await read(files, third.log);
    expect(fourth.stream).toBe(`${third.stream}m5\n`);
    expect(fourth.log?.sections.at(-1)).toEqual(["", 2]);
  });

  it("answers null when a file's stored lines changed (rewritten or deleted): the log starts again", async () => {
    const { files, sub } = session();
    const a = sub("agent-a.jsonl");
    files.extra = [a];
    writeFileSync(files.main, "m1\n");
    writeFileSync(a.path, "a1\n");
    const first = await read(files, null);
    writeFileSync(a.path, "A1\na2\n");
    expect((await read(files, first.log)).log).toBeNull();
    files.extra = [];
    expect((await read(files, first.log)).log).toBeNull();
    // Read again without the log: today's layout of the files as they are.
    files.extra = [a];
    expect((await read(files, null)).stream).toBe(`m1\n${markerLine("subagents/agent-a.jsonl")}A1\na2\n`);
  });

  it("translates main-file lines to stored lines, and lines not laid out yet to where the next read puts them", () => {
    const log: SectionLog = {
      files: [],
      sections: [
        ["", 3],
        ["subagents/agent-a.jsonl", 2],
        ["", 2],
      ],
    };
    // Stored: m1 m2 m3 | marker a1 a2 | marker m4 m5
    expect([1, 2, 3, 4, 5].map((n) => streamLine(log, n))).toEqual([1, 2, 3, 8, 9]);
    expect(streamLine(log, 6)).toBe(10);
    const endsInSubagent: SectionLog = { files: [], sections: [...log.sections, ["subagents/agent-a.jsonl", 1]] };
    // Stored: … m5 | marker a3; the next read lays out m6 behind a marker.
    expect(streamLine(endsInSubagent, 6)).toBe(13);
    expect(streamLine(null, 6)).toBe(6);
  });

  it("maps stored lines back to main-file lines: a marker or another file's line stands where the main file stood", () => {
    const log: SectionLog = {
      files: [],
      sections: [
        ["", 10],
        ["subagents/agent-a.jsonl", 5],
        ["", 5],
      ],
    };
    // Stored: m1…m10 | marker a1…a5 | marker m11…m15 (22 lines); the stream's last line is the main file's 15th.
    expect(mainLine(log, 22)).toBe(15);
    expect(streamLine(log, mainLine(log, 22))).toBe(22);
    for (let main = 1; main <= 15; main++) expect(mainLine(log, streamLine(log, main))).toBe(main);
    expect([11, 12, 16, 17].map((n) => mainLine(log, n))).toEqual([10, 10, 10, 10]);
    expect(mainLine(null, 22)).toBe(22);
  });

  it("reads a log only when it is one", () => {
    expect(SectionLog.safeParse({ sections: {} }).success).toBe(false);
    expect(SectionLog.safeParse({ files: [], sections: [["", -1]] }).success).toBe(false);
    expect(SectionLog.safeParse({ files: [], sections: [["", 2]] }).success).toBe(true);
  });

  it("fails on a file it cannot open for any reason but its absence, instead of dropping the file's lines", async () => {
    const { files, sub } = session();
    const [a, b] = [sub("agent-a.jsonl"), sub("agent-b.jsonl")];
    files.extra = [a, b];
    writeFileSync(files.main, "m1\n");
    writeFileSync(a.path, "a1\n");
    writeFileSync(b.path, "b1\n");
    const first = await read(files, null);
    // Opening a symlink to itself fails with ELOOP: the file is there, it just cannot be read now.
    rmSync(a.path);
    symlinkSync(a.path, a.path);
    await expect(read(files, first.log)).rejects.toThrow(/ELOOP/);
    // A file truly gone still only ends the log (the session is laid out anew without it).
    rmSync(a.path);
    expect((await read(files, first.log)).log).toBeNull();
  });
});
