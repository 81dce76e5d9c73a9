// Claude Code's structure pass: fed the transcript line by line, it keeps only each linked line's tree
// fields (uuid, parent, compaction links) and decides what only the whole file can decide — which lines lie
// off the active branch (never shown) and which lie before the last compaction (shown folded) — so that
// any window of lines can be mapped on its own. The walk is the mapper's: from the last chain line back.

import type { Line } from "../lines.ts";
import { clipRanges, inRanges, type LineRanges, mergeRanges, toRanges } from "./ranges.ts";

export const CHAIN_TYPES = new Set(["user", "assistant", "system"]);

/** Lines in the tree: they have a parentUuid field (null for a root). Older versions wrote none. */
const linked = (value: Record<string, unknown>) => typeof value.uuid === "string" && "parentUuid" in value;

/** What a window of a Claude Code transcript needs from the whole file. */
export interface ClaudeCodeContext {
  /** Linked lines off the active branch: never rendered. */
  skip: LineRanges;
  /** Active lines before a compaction: rendered folded. */
  fold: LineRanges;
  /** Messages on abandoned branches, for the session's notice. */
  abandoned: number;
  /** Tool results in the lines whose calls lie before them: shown on those calls, not as unknown results. */
  answeredEarlier: string[];
  /**
   * Sub-agent files among the lines that a call elsewhere shows (as its children): not shown again on their own.
   * Absent when none.
   */
  claimed?: string[];
  /**
   * The sub-agent sections among the lines, when the stream resumes the main transcript after one: lines are told
   * apart by these, since a window's lines need not hold the marker lines. Absent otherwise (markers tell).
   */
  sections?: [from: number, to: number, name: string][];
}

export interface ClaudeCodeStructure extends ClaudeCodeContext {
  /**
   * The sections of files residue appended behind a marker line (sub-agents), in line order: [marker line, last
   * line]. A file grown over several snapshots has several sections, between sections of the main transcript.
   */
  files: { name: string; from: number; to: number }[];
  /** Some main lines come after a sub-agent's section (behind a `"path":""` marker). */
  interleaved: boolean;
  /** The stream's last line of the main transcript (0: none); sections of sub-agents may come before and after it. */
  lastMainLine: number;
  /** Lines whose tool result names the sub-agent it ran: its file is read with any window holding the line. */
  spawns: { line: number; agentId: string }[];
  /** Tool results on the active branch, each with the line of the call it answers (a call's result is often a line
   * that is itself the next message, or past it). */
  results: { line: number; call: number; id: string }[];
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
 * are all sidechain lines, and are its tree. Only windows need the tool links (results, sub-agent files):
 * mapping the whole file (`windows: false`) skips their cost.
 */
export function claudeCodeStructure(of: "transcript" | "sub-agent" = "transcript", { windows = true } = {}) {
  const nodes = new Map<string, Node>();
  // Every linked line with its uuid: a uuid written twice puts both lines on (or off) the branch.
  const uuids: { uuid: string; line: number; message: boolean }[] = [];
  /** For a compaction boundary whose logical parent is not in this file: the chain line before it. */
  const before = new Map<string, string | undefined>();
  let leaf: string | undefined;
  const files: ClaudeCodeStructure["files"] = [];
  const spawns: ClaudeCodeStructure["spawns"] = [];
  const callLines = new Map<string, number>();
  const results: ClaudeCodeStructure["results"] = [];
  let lastLine = 0;
  let lastMainLine = 0;
  /** The sub-agent section being read (null: the main transcript's lines). */
  let open: ClaudeCodeStructure["files"][number] | null = null;
  let interleaved = false;
  return {
    line({ n, value }: Line) {
      lastLine = n;
      if (value.type === "residue-file") {
        if (open) open.to = n - 1;
        open = null;
        const name = typeof value.path === "string" ? value.path : "sub-agent";
        if (name === "") interleaved = true;
        else {
          open = { name, from: n, to: n };
          files.push(open);
        }
        return;
      }
      if (open) return;
      lastMainLine = n;
      const agentId = (value.toolUseResult as Record<string, unknown> | undefined)?.agentId;
      if (windows && typeof agentId === "string" && value.type === "user") spawns.push({ line: n, agentId });
      if (windows && of === "transcript" && value.isSidechain !== true) toolLinks(value, n, callLines, results);
      if (!linked(value) || (of === "transcript" && value.isSidechain === true)) return;
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
      if (open) open.to = lastLine;
      const links = { files, interleaved, lastMainLine, spawns };
      // No chain line: the transcript has no tree, and every line is shown.
      if (!leaf)
        return { skip: [], fold: [], abandoned: 0, answeredEarlier: [], ...links, results, claimed: claimedFiles(files, spawns, results) };
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
      const skip = toRanges(off.map((u) => u.line));
      const onBranch = results.filter((r) => !inRanges(skip, r.line) && !inRanges(skip, r.call));
      return {
        skip,
        fold: toRanges(uuids.filter((u) => folded.has(u.uuid)).map((u) => u.line)),
        abandoned,
        answeredEarlier: [],
        ...links,
        results: onBranch,
        claimed: claimedFiles(files, spawns, onBranch),
      };
    },
  };
}

/** Sub-agent files a result on the active branch names (the mapper shows them as that call's children). */
function claimedFiles(files: ClaudeCodeStructure["files"], spawns: ClaudeCodeStructure["spawns"], results: ClaudeCodeStructure["results"]) {
  const answered = new Set(results.map((r) => r.line));
  const ids = spawns.filter((s) => answered.has(s.line)).map((s) => s.agentId);
  return [...new Set(files.filter((f) => ids.some((id) => f.name.includes(id))).map((f) => f.name))];
}

/**
 * The context of lines [from, to] (the whole file's sets, cut to it), and the lines past it that it needs:
 * the results of its calls, the files of the sub-agents it spawned, and every section of a sub-agent file that
 * has one among its lines (a sub-agent is mapped from all its lines, and shown where its first section is).
 */
export function claudeCodeWindow(
  structure: ClaudeCodeStructure,
  from: number,
  to: number,
): { context: ClaudeCodeContext; extra: LineRanges } {
  const inside = (n: number) => n >= from && n <= to;
  const later = structure.results.filter((r) => inside(r.call) && r.line > to).map((r) => r.line);
  // A sub-agent's file is named by the result of the call that ran it.
  const ids = structure.spawns.filter((s) => inside(s.line) || later.includes(s.line)).map((s) => s.agentId);
  const present = new Set(structure.files.filter((f) => f.from <= to && f.to >= from).map((f) => f.name));
  const sections = structure.files.filter(
    (f) => (f.from < from || f.to > to) && (present.has(f.name) || ids.some((id) => f.name.includes(id))),
  );
  const answeredEarlier = structure.results.filter((r) => inside(r.line) && r.call < from).map((r) => r.id);
  const extra = mergeRanges([...toRanges(later), ...sections.map((f): [number, number] => [f.from, f.to])]);
  const read = mergeRanges([[from, to], ...extra]);
  const claimed = (structure.claimed ?? []).filter((name) => present.has(name));
  const own = structure.files.filter((f) => read.some(([a, b]) => f.from <= b && f.to >= a));
  return {
    context: {
      skip: clipRanges(structure.skip, from, to),
      fold: clipRanges(structure.fold, from, to),
      abandoned: structure.abandoned,
      answeredEarlier,
      ...(claimed.length ? { claimed } : {}),
      ...(structure.interleaved && own.length ? { sections: own.map((f): [number, number, string] => [f.from, f.to, f.name]) } : {}),
    },
    extra,
  };
}

/** Calls an assistant line makes and results a user line gives, paired as the mapper pairs them (by id, call first). */
function toolLinks(value: Record<string, unknown>, n: number, callLines: Map<string, number>, results: ClaudeCodeStructure["results"]) {
  const message = value.message as Record<string, unknown> | undefined;
  const parts = Array.isArray(message?.content) ? (message.content as (Record<string, unknown> | null)[]) : [];
  if (value.type === "assistant" && message?.model !== "<synthetic>") {
    for (const p of parts) if (p?.type === "tool_use") callLines.set(typeof p.id === "string" ? p.id : "", n);
  } else if (value.type === "user" && !value.isMeta && !value.isCompactSummary) {
    for (const p of parts) {
      const id = p?.type === "tool_result" && typeof p.tool_use_id === "string" ? p.tool_use_id : undefined;
      const call = id === undefined ? undefined : callLines.get(id);
      if (id !== undefined && call !== undefined) results.push({ line: n, call, id });
    }
  }
}
