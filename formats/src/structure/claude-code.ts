// Claude Code's structure pass: fed the transcript line by line, it keeps only each linked line's tree
// fields (uuid, parent, compaction links) and decides what only the whole file can decide — which lines lie
// off the active branch (never shown) and which lie before the last compaction (shown folded) — so that
// any window of lines can be mapped on its own. The walk is the mapper's: from the last chain line back.

import type { Line } from "../lines.ts";
import { clipRanges, type LineRanges, toRanges } from "./ranges.ts";

export const CHAIN_TYPES = new Set(["user", "assistant", "system"]);

/** Lines in the tree: they have a parentUuid field (null for a root). Older versions wrote none. */
export const linked = (value: Record<string, unknown>) => typeof value.uuid === "string" && "parentUuid" in value;

/** What a window of a Claude Code transcript needs from the whole file. */
export interface ClaudeCodeContext {
  /** Linked lines off the active branch: never rendered. */
  skip: LineRanges;
  /** Active lines before a compaction: rendered folded. */
  fold: LineRanges;
  /** Messages on abandoned branches, for the session's notice. */
  abandoned: number;
}

export interface ClaudeCodeStructure extends ClaudeCodeContext {
  /** Files residue appended behind a marker line (sub-agents): name → [marker line, last line]. */
  files: { name: string; from: number; to: number }[];
  lastMainLine: number;
}

interface Node {
  line: number;
  parent: string | undefined;
  boundary: boolean;
  logical: string | undefined;
  /** A chain line a reader would have seen (counted when abandoned). */
  message: boolean;
}

/**
 * A transcript's pass leaves inline sub-agents (sidechain lines) out of the tree; a sub-agent's own lines
 * are all sidechain lines, and are its tree.
 */
export function claudeCodeStructure(of: "transcript" | "sub-agent" = "transcript") {
  const nodes = new Map<string, Node>();
  // Every linked line with its uuid: a uuid written twice puts both lines on (or off) the branch.
  const uuids: { uuid: string; line: number; message: boolean }[] = [];
  /** For a compaction boundary whose logical parent is not in this file: the chain line before it. */
  const before = new Map<string, string | undefined>();
  let leaf: string | undefined;
  const files: ClaudeCodeStructure["files"] = [];
  let lastLine = 0;
  return {
    line({ n, value }: Line) {
      lastLine = n;
      if (value.type === "residue-file") {
        const last = files.at(-1);
        if (last) last.to = n - 1;
        files.push({ name: typeof value.path === "string" ? value.path : "sub-agent", from: n, to: n });
        return;
      }
      if (files.length || !linked(value) || (of === "transcript" && value.isSidechain === true)) return;
      const uuid = value.uuid as string;
      const chain = CHAIN_TYPES.has(String(value.type));
      const boundary = value.subtype === "compact_boundary";
      const message = chain && !value.isMeta;
      nodes.set(uuid, {
        line: n,
        parent: typeof value.parentUuid === "string" && value.parentUuid ? value.parentUuid : undefined,
        boundary,
        logical: typeof value.logicalParentUuid === "string" ? value.logicalParentUuid : undefined,
        message,
      });
      uuids.push({ uuid, line: n, message });
      if (boundary) before.set(uuid, leaf);
      if (chain) leaf = uuid;
    },
    finish(): ClaudeCodeStructure {
      const last = files.at(-1);
      if (last) last.to = lastLine;
      const lastMainLine = files[0] ? files[0].from - 1 : lastLine;
      // No chain line: the transcript has no tree, and every line is shown.
      if (!leaf) return { skip: [], fold: [], abandoned: 0, files, lastMainLine };
      const active = new Set<string>();
      const folded = new Set<string>();
      let compacted = false;
      let uuid: string | undefined = leaf;
      let at = nodes.get(leaf);
      while (at && uuid && !active.has(uuid)) {
        active.add(uuid);
        if (compacted) folded.add(uuid);
        let parent = at.parent;
        if (!parent && at.boundary) {
          parent = at.logical && nodes.has(at.logical) ? at.logical : before.get(uuid);
          compacted ||= parent !== undefined;
        }
        uuid = parent;
        at = parent ? nodes.get(parent) : undefined;
      }
      const off = uuids.filter((u) => !active.has(u.uuid));
      // Abandoned messages are counted once per uuid, as the mapper always did.
      const abandoned = new Set(off.filter((u) => nodes.get(u.uuid)?.message && nodes.get(u.uuid)?.line === u.line).map((u) => u.uuid))
        .size;
      return {
        skip: toRanges(off.map((u) => u.line)),
        fold: toRanges(uuids.filter((u) => folded.has(u.uuid)).map((u) => u.line)),
        abandoned,
        files,
        lastMainLine,
      };
    },
  };
}

/** The context of lines [from, to]: the whole file's sets, cut to the window. */
export function claudeCodeWindow(structure: ClaudeCodeContext, from: number, to: number): ClaudeCodeContext {
  return { skip: clipRanges(structure.skip, from, to), fold: clipRanges(structure.fold, from, to), abandoned: structure.abandoned };
}
