// How one push of a session stored in segments joins what the server holds (protocol/src/layout.ts). Pure:
// the route reads the stored manifest and the pushed objects, this says whether the push follows and what
// the manifest becomes. Every check here is on numbers the push states; the objects' bytes are checked
// against those numbers elsewhere (verify-chunk.ts, verify-index.ts).
import { LAYOUT_CONFLICT, type LayoutManifest, type LayoutPage, type LayoutPush } from "@residue/protocol";

export type MergeOutcome =
  /** `replaced`: the push starts a generation, and the objects of whatever was stored before go. */
  | { kind: "merged"; manifest: LayoutManifest; replaced: boolean }
  /** The same push was merged before (a retry whose answer was lost): nothing changes. */
  | { kind: "replay"; manifest: LayoutManifest }
  | { kind: typeof LAYOUT_CONFLICT; message: string }
  | { kind: "mismatch"; message: string };

const EMPTY = { raw_size: 0, crc32: 0, lines: 0, messages: 0, chunks: [], pages: [] } as const;

const sameTotals = (a: LayoutManifest, p: LayoutPush) =>
  a.raw_size === p.raw_size && a.crc32 === p.crc32 && a.lines === p.lines && a.messages === p.messages;

/** Merges `push` into `stored` (null: the session has no segments yet), or says why it cannot. */
export function mergePush(stored: LayoutManifest | null, push: LayoutPush, byteSize: number): MergeOutcome {
  if (stored && stored.generation === push.generation && stored.pushes === push.push + 1 && sameTotals(stored, push))
    return { kind: "replay", manifest: stored };
  const startsGeneration = push.push === 0 && (!stored || push.generation > stored.generation);
  const continues = stored !== null && push.generation === stored.generation && push.push === stored.pushes;
  if (!startsGeneration && !continues) {
    const held = stored ? `generation ${stored.generation} with ${stored.pushes} pushes` : "no segments";
    return {
      kind: LAYOUT_CONFLICT,
      message: `push ${push.push} of generation ${push.generation} does not follow what the server holds (${held}); push again`,
    };
  }
  const base = startsGeneration ? EMPTY : (stored as LayoutManifest);
  const problem = totalsProblem(base, push, byteSize) ?? pagesProblem(base.pages, push);
  if (problem) return { kind: "mismatch", message: `push ${push.push} of generation ${push.generation}: ${problem}` };
  const from = push.pages[0]?.first_message ?? base.messages;
  return {
    kind: "merged",
    replaced: startsGeneration && stored !== null,
    manifest: {
      generation: push.generation,
      pushes: push.push + 1,
      chunks: push.chunk ? [...base.chunks, push.chunk] : [...base.chunks],
      pages: [...base.pages.filter((p) => p.first_message < from), ...push.pages],
      raw_size: push.raw_size,
      crc32: push.crc32,
      lines: push.lines,
      messages: push.messages,
    },
  };
}

/** The push's totals must be the stored ones plus its chunk: no line is lost or counted twice. */
function totalsProblem(base: Pick<LayoutManifest, "raw_size" | "crc32" | "lines">, push: LayoutPush, byteSize: number): string | null {
  if (push.raw_size !== byteSize) return `raw_size ${push.raw_size} is not the session's byte_size ${byteSize}`;
  const chunk = push.chunk;
  if (!chunk) {
    if (push.raw_size !== base.raw_size || push.lines !== base.lines || push.crc32 !== base.crc32)
      return "it adds no chunk, yet its totals differ from the stored ones";
    return null;
  }
  if (chunk.push !== push.push) return `its chunk is numbered ${chunk.push}`;
  if (chunk.raw_bytes === 0 || chunk.lines === 0) return "its chunk is empty (a push without lines has chunk null)";
  if (chunk.first_line !== base.lines + 1) return `its chunk starts at line ${chunk.first_line}, the stored lines end at ${base.lines}`;
  if (push.raw_size !== base.raw_size + chunk.raw_bytes)
    return `raw_size ${push.raw_size} is not the stored ${base.raw_size} plus the chunk's ${chunk.raw_bytes}`;
  if (push.lines !== base.lines + chunk.lines) return `lines ${push.lines} is not the stored ${base.lines} plus the chunk's ${chunk.lines}`;
  return null;
}

const end = (p: LayoutPage) => p.first_message + p.messages;

/**
 * The pages after the merge must cover messages 0 … messages-1 in order, none overlapping; a page of an
 * earlier push may be named again only as it is stored, or cut shorter (a re-map from its middle).
 */
function pagesProblem(storedPages: readonly LayoutPage[], push: LayoutPush): string | null {
  const from = push.pages[0]?.first_message ?? push.messages;
  const kept = storedPages.filter((p) => p.first_message < from);
  const merged = [...kept, ...push.pages];
  let next = 0;
  for (const [i, page] of merged.entries()) {
    if (page.first_message !== next)
      return `page ${i} of the merged index starts at message ${page.first_message}, the one before ends at ${next}`;
    if (page.first_line > page.last_line) return `page ${i} ends at line ${page.last_line}, before its first line ${page.first_line}`;
    next = end(page);
  }
  if (next !== push.messages) return `the pages end at message ${next}, the push holds ${push.messages}`;
  for (const page of push.pages) {
    if (page.push > push.push) return `a page names index i${page.push}, written by no push yet`;
    if (page.push === push.push) continue;
    const same = storedPages.find(
      (s) =>
        s.push === page.push &&
        s.offset === page.offset &&
        s.length === page.length &&
        s.first_message === page.first_message &&
        s.first_line === page.first_line,
    );
    if (!same || page.messages > same.messages)
      return `a page of index i${page.push} at ${page.offset} is not a stored page, or is longer than stored`;
  }
  return null;
}

/** Pages this push wrote must lie within its index object. */
export function pagesOutside(push: LayoutPush): string | null {
  const outside = push.pages.find((p) => p.push === push.push && p.offset + p.length > push.index.bytes);
  return outside
    ? `page at ${outside.offset} (${outside.length} bytes) lies past the end of index i${push.push} (${push.index.bytes} bytes)`
    : null;
}
