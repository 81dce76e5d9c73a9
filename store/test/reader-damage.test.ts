// The range reader on stored data that lies or is broken: whatever the index or the segments say, a view
// never throws, shows the messages it can, and says in place what it could not show and why.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "@residue/formats/model";
import { layoutObjectKey } from "@residue/store";
import { BLOCK_RAW_LIMIT, SessionReader } from "@residue/store/reader";
import { describe, expect, it } from "vitest";
import { buildLayout, memorySource } from "./support/layout.ts";

const ROOT = join(import.meta.dirname, "../..");
const ID = "6f1d2c3b-8a4e-4f5a-9b6c-7d8e9f0a1b2c";
const CHUNK = layoutObjectKey(ID, { generation: 1, push: 0, kind: "chunk" });
const INDEX = layoutObjectKey(ID, { generation: 1, push: 0, kind: "index" });

function generated(messages: number) {
  const dir = mkdtempSync(join(tmpdir(), "residue-reader-"));
  const file = join(dir, "session.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, String(messages)]);
  const text = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true });
  return text;
}

const built = () => buildLayout(ID, "claude-code", generated(40), { segmentBytes: 8 * 1024, blockMessages: 8, pageBlocks: 3 });
const noticeOf = (m: Message) => (m.blocks[0]?.kind === "notice" ? m.blocks[0].text : null);

/** Messages of the window are the whole file's, except the notices standing in for some: those are returned. */
function expectRestIntact(got: Message[], full: Message[]) {
  const real = got.filter((m) => noticeOf(m) === null || m.role !== "system");
  for (const m of real) expect(m).toEqual(full[m.index]);
  return got.filter((m) => m.role === "system" && noticeOf(m) !== null);
}

describe("range reader: damaged stored data", () => {
  it("a segment that does not inflate: the messages it holds become a notice, the rest renders", async () => {
    const layout = built();
    const chunk = layout.objects.get(CHUNK) as Uint8Array;
    const page = JSON.parse(
      new TextDecoder().decode((layout.objects.get(INDEX) as Uint8Array).subarray(0, layout.manifest.pages[0]?.length)),
    );
    const [, offset, length] = page.blocks[0].segments[0];
    chunk.fill(0xff, offset, offset + length);
    const reader = new SessionReader(memorySource(layout.objects), ID, "claude-code", layout.manifest);
    const got = await reader.window(0, reader.total - 1);
    const placeholders = expectRestIntact(got.messages, layout.full);
    expect(placeholders.length).toBeGreaterThan(0);
    expect(placeholders.every((m) => noticeOf(m)?.includes("damaged"))).toBe(true);
    expect(got.notices.some((n) => n.includes("damaged"))).toBe(true);
    expect(got.messages.filter((m) => m.role !== "system" || noticeOf(m) === null).length).toBeGreaterThan(layout.full.length / 2);
  });

  it("a page that is not JSON, or names bytes outside its chunk: its messages become a notice", async () => {
    for (const spoil of ["garbage", "outside"] as const) {
      const layout = built();
      const index = layout.objects.get(INDEX) as Uint8Array;
      const second = layout.manifest.pages[1];
      if (!second) throw new Error("the fixture has one page");
      const text = new TextDecoder().decode(index.subarray(second.offset, second.offset + second.length));
      const body = JSON.parse(text);
      body.blocks[0].segments[0][1] = 10 ** 9;
      const replaced = spoil === "garbage" ? "x".repeat(second.length) : JSON.stringify(body).padEnd(second.length, " ");
      index.set(new TextEncoder().encode(replaced).subarray(0, second.length), second.offset);
      const reader = new SessionReader(memorySource(layout.objects), ID, "claude-code", layout.manifest);
      const got = await reader.window(0, reader.total - 1);
      const placeholders = expectRestIntact(got.messages, layout.full);
      expect(placeholders.map((m) => m.index)).toEqual([second.first_message]);
      expect(noticeOf(placeholders[0] as Message)).toContain(
        `Messages ${second.first_message + 1}–${second.first_message + second.messages}`,
      );
    }
  });

  it("objects missing from storage, and a manifest whose pages do not follow each other", async () => {
    const layout = built();
    layout.objects.delete(CHUNK);
    const reader = new SessionReader(memorySource(layout.objects), ID, "claude-code", layout.manifest);
    const got = await reader.window(0, 10);
    expect(got.messages.every((m) => m.role === "system" && noticeOf(m)?.includes("damaged"))).toBe(true);

    const gap = built();
    const pages = gap.manifest.pages.map((p, i) => (i === 2 ? { ...p, first_message: p.first_message + 1 } : p));
    const cut = new SessionReader(memorySource(gap.objects), ID, "claude-code", { ...gap.manifest, pages });
    expect(cut.total).toBe(gap.manifest.pages[2]?.first_message);
    expect(cut.notices[0]).toContain("inconsistent");
    expect((await cut.window(0, gap.full.length)).messages).toEqual(gap.full.slice(0, cut.total));
  });

  it("a block whose lines inflate past the limit is left out with a link to the whole transcript, its neighbours shown", async () => {
    const text = generated(40).split("\n");
    // One huge tool output in the middle (compresses to almost nothing: the limit is on inflated bytes).
    const middle = text.findIndex((l, i) => i > text.length / 2 && l.includes('"tool_result"'));
    const record = JSON.parse(text[middle] as string);
    record.message.content[0].content = "y".repeat(BLOCK_RAW_LIMIT + 1024);
    text[middle] = JSON.stringify(record);
    const layout = buildLayout(ID, "claude-code", text.join("\n"), { segmentBytes: 8 * 1024, blockMessages: 8, pageBlocks: 3 });
    const reader = new SessionReader(memorySource(layout.objects), ID, "claude-code", layout.manifest);
    const got = await reader.window(0, reader.total - 1);
    const placeholders = expectRestIntact(got.messages, layout.full);
    expect(placeholders).toHaveLength(1);
    expect(noticeOf(placeholders[0] as Message)).toContain(`/api/sessions/${ID}`);
    expect(got.notices.some((n) => n.includes("larger than 8 MB"))).toBe(true);
    // The huge segment was never held whole: inflation stops at the limit.
    expect(got.stats.inflated).toBeLessThan(BLOCK_RAW_LIMIT);
  });
});
