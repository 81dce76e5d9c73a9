// A commit's part of a session, by counts, against what the page computed from the whole message list
// before sessions were read by range (segment(), the last exchange, the first page of 150): the same for a
// conversation in memory, and the same counts through the range reader, which shows the nearest messages.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { lineAt, SessionReader, wholeMessages } from "@residue/store/reader";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { buildLayout, memorySource } from "../../store/test/support/layout.ts";
import { type CommitPart, commitPart, FIRST_PAGE, segment } from "../src/lib/conversation-view.ts";

const ID = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";

/** What SessionConversation.astro computed from the whole list before: counts, the fold, the first page. */
function before(messages: Message[], since: number | null, position: number | null, at: number) {
  const parts = segment(messages, since, position ?? lineAt(messages, at));
  const recap =
    parts.current.length === 0
      ? parts.earlier.slice(
          Math.max(
            0,
            parts.earlier.findLastIndex((m) => m.role === "user"),
          ),
        )
      : [];
  const folded = parts.earlier.length - recap.length;
  const range = parts.current.length === 0 ? recap : parts.current;
  return {
    earlier: parts.earlier.length,
    current: parts.current.length,
    later: parts.later.length,
    folded,
    shown: range.slice(-FIRST_PAGE),
  };
}

const counts = (p: CommitPart) => ({ earlier: p.earlier, current: p.current, later: p.later, folded: p.folded ? p.folded.to + 1 : 0 });

describe("a commit's part, by counts", () => {
  const dir = mkdtempSync(join(tmpdir(), "residue-part-"));
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), join(dir, "t.jsonl"), "60"]);
  const text = readFileSync(join(dir, "t.jsonl"), "utf8");
  rmSync(dir, { recursive: true });
  const full = mapSession("claude-code", text).messages;
  const layout = buildLayout(ID, "claude-code", text, { segmentBytes: 16 * 1024, blockMessages: 8, pageBlocks: 4 });
  const lines = full.map((m) => m.line);
  const stamps = full.flatMap((m) => (m.timestamp === null ? [] : [m.timestamp]));
  const cases: [number | null, number | null, number][] = [];
  for (let i = 0; i < lines.length; i += 7) {
    cases.push(
      [null, lines[i] as number, 0],
      [lines[Math.floor(i / 2)] as number, lines[i] as number, 0],
      [lines[i] as number, lines[i] as number, 0],
    );
    cases.push([lines[Math.floor(i / 3)] as number, null, stamps[Math.floor((i * stamps.length) / lines.length)] as number]);
  }
  cases.push([null, null, 0], [null, 0, 0], [lines.at(-1) as number, 1, 0]);

  it("in memory: the same counts, fold and first page as before", async () => {
    for (const [since, position, at] of cases) {
      const want = before(full, since, position, at);
      const got = await commitPart(
        wholeMessages({ agent: "claude-code", messages: full, notices: [], usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }),
        since,
        position,
        at,
      );
      expect({ ...counts(got), shown: got.shown.messages }, `${since} ${position} ${at}`).toEqual({ ...want });
    }
  });

  it("through the range reader: the same counts and fold; the nearest messages within the budget", async () => {
    for (const [since, position, at] of cases) {
      const want = before(full, since, position, at);
      const got = await commitPart(
        new SessionReader(memorySource(layout.objects), ID, "claude-code", layout.manifest),
        since,
        position,
        at,
      );
      const { shown, ...wanted } = want;
      expect(counts(got), `${since} ${position} ${at}`).toEqual(wanted);
      const hidden = got.shown.hidden ? got.shown.hidden.to - got.shown.hidden.from + 1 : 0;
      expect(got.shown.messages).toEqual(shown.slice(shown.length - got.shown.messages.length));
      expect(hidden + got.shown.messages.length).toBe(want.current || want.earlier - want.folded);
    }
  });
});
