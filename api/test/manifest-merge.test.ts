// Pure pieces of the segments layout, tested without a server: how a push merges into the stored manifest,
// and the strict parsers of object names and Range headers.
import { LAYOUT_CONFLICT, type LayoutManifest } from "@residue/protocol";
import { describe, expect, it } from "vitest";
import { parseRange } from "../src/http/range.ts";
import { MAX_MANIFEST_BYTES, mergePush } from "../src/storage/manifest-merge.ts";
import { parseObjectName } from "../src/storage/object-name.ts";
import { emptyRun, jsonLines, nextPush } from "./support/segments.ts";

const merged = (outcome: ReturnType<typeof mergePush>): LayoutManifest => {
  if (outcome.kind !== "merged") throw new Error(`${outcome.kind}: ${"message" in outcome ? outcome.message : ""}`);
  return outcome.manifest;
};

describe("mergePush", () => {
  const first = nextPush(emptyRun(), jsonLines("a", 7));
  const stored = merged(mergePush(null, first.layout, first.after.raw.length));

  it("starts a generation, appends growth, and keeps the pages before a re-map (cut short where it falls)", () => {
    expect(stored).toMatchObject({ generation: 1, pushes: 1, messages: 7, raw_size: first.after.raw.length });
    const second = nextPush(first.after, jsonLines("b", 2, 7), { remapFrom: 5 });
    const grown = merged(mergePush(stored, second.layout, second.after.raw.length));
    expect(grown.chunks.map((c) => c.push)).toEqual([0, 1]);
    expect(grown.pages.map((p) => [p.push, p.first_message, p.messages])).toEqual([
      [0, 0, 3],
      [0, 3, 2],
      [1, 5, 3],
      [1, 8, 1],
    ]);
    expect(mergePush(grown, second.layout, second.after.raw.length).kind).toBe("replay");
  });

  it("refuses a push that does not follow as a conflict, and one whose numbers do not add up as a mismatch", () => {
    const second = nextPush(first.after, jsonLines("b", 2, 7));
    expect(mergePush(null, second.layout, second.after.raw.length).kind).toBe(LAYOUT_CONFLICT);
    expect(mergePush(stored, { ...second.layout, generation: 2 }, second.after.raw.length).kind).toBe(LAYOUT_CONFLICT);
    expect(mergePush(stored, { ...nextPush(emptyRun(), jsonLines("c", 1)).layout }, 0).kind).toBe(LAYOUT_CONFLICT);
    expect(mergePush(stored, second.layout, second.after.raw.length + 1)).toMatchObject({ kind: "mismatch", message: /byte_size/ });
    expect(mergePush(stored, { ...second.layout, chunk: null }, second.after.raw.length)).toMatchObject({
      kind: "mismatch",
      message: /no chunk/,
    });
  });

  it("a new generation replaces everything; no push names a page of a push yet to come", () => {
    const fresh = nextPush(emptyRun(2), jsonLines("d", 2));
    const outcome = mergePush(stored, fresh.layout, fresh.after.raw.length);
    expect(outcome).toMatchObject({ kind: "merged", replaced: true });
    expect(merged(outcome).pages.every((p) => p.push === 0)).toBe(true);
    const ahead = { ...fresh.layout, pages: fresh.layout.pages.map((p) => ({ ...p, push: 1 })) };
    expect(mergePush(stored, ahead, fresh.after.raw.length)).toMatchObject({ kind: "mismatch", message: /written by no push yet/ });
  });

  it("refuses a manifest larger than a D1 row keeps", () => {
    const many = nextPush(emptyRun(), jsonLines("e", 20_000), { pageSize: 1 });
    expect(mergePush(null, many.layout, many.after.raw.length)).toMatchObject({
      kind: "mismatch",
      message: new RegExp(`more than the ${MAX_MANIFEST_BYTES}`),
    });
  });
});

describe("object names and ranges", () => {
  it("parse only canonical names within bounds", () => {
    expect(parseObjectName("3", "c12")).toEqual({ generation: 3, push: 12, kind: "chunk" });
    expect(parseObjectName("1", "i0")).toEqual({ generation: 1, push: 0, kind: "index" });
    for (const [g, n] of [
      ["0", "c1"],
      ["01", "c1"],
      ["1", "c01"],
      ["1", "c4097"],
      ["1", "x1"],
      ["1", "c1.json"],
      ["1e3", "c1"],
      ["1", "C1"],
    ])
      expect(parseObjectName(g as string, n as string), `${g}/${n}`).toBeNull();
  });

  it("read one `bytes=first-last` or `bytes=first-` range, and nothing else", () => {
    expect(parseRange(undefined)).toBeNull();
    expect(parseRange("bytes=0-9")).toEqual({ offset: 0, length: 10 });
    expect(parseRange("bytes=5-")).toMatchObject({ offset: 5 });
    for (const header of ["bytes=9-0", "bytes=-5", "bytes=0-1,3-4", "bytes 0-1", "bytes=0x1-2", "items=0-1", ""])
      expect(parseRange(header), header).toBe("invalid");
  });
});
