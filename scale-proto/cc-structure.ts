// The structure pass for Claude Code: one streaming read of each line's tree fields (uuid, parentUuid, type,
// compaction links), small state, no message content. It decides what only the whole file can decide —
// which lines are on abandoned branches and which lie before a compaction — so that any window of lines
// can then be mapped on its own. The same walk as formats/src/claude-code.ts (activeBranch), kept as line ranges.

const CHAIN_TYPES = new Set(["user", "assistant", "system"]);
const TREE = /"parentUuid"/;

interface Node {
  line: number;
  parent: string | null;
  chain: boolean;
  boundary: boolean;
  logical: string | null;
}

export interface Structure {
  /** Linked lines off the active branch, as sorted [from, to] ranges: never rendered. */
  skip: [number, number][];
  /** Active lines before the last compaction: rendered folded. */
  fold: [number, number][];
  /** Files residue appended behind a marker line (sub-agents): name → [marker line, last line]. */
  files: { name: string; from: number; to: number }[];
  lastMainLine: number;
}

export function createStructurePass() {
  const nodes = new Map<string, Node>();
  const before = new Map<string, string | undefined>();
  let leaf: string | undefined;
  let lastChain: string | undefined;
  const files: Structure["files"] = [];
  let inFiles = false;
  let lastLine = 0;
  return {
    line(text: string, n: number) {
      lastLine = n;
      if (text.startsWith('{"type":"residue-file"')) {
        const name = (JSON.parse(text) as { path?: string }).path ?? "sub-agent";
        const last = files.at(-1);
        if (last) last.to = n - 1;
        files.push({ name, from: n, to: n });
        inFiles = true;
        return;
      }
      if (inFiles || !TREE.test(text)) return;
      const v = JSON.parse(text) as Record<string, unknown>;
      if (typeof v.uuid !== "string" || !("parentUuid" in v) || v.isSidechain === true) return;
      const chain = CHAIN_TYPES.has(String(v.type));
      const boundary = v.subtype === "compact_boundary";
      nodes.set(v.uuid, {
        line: n,
        parent: typeof v.parentUuid === "string" ? v.parentUuid : null,
        chain,
        boundary,
        logical: typeof v.logicalParentUuid === "string" ? v.logicalParentUuid : null,
      });
      if (boundary) before.set(v.uuid, lastChain);
      if (chain) {
        leaf = v.uuid;
        lastChain = v.uuid;
      }
    },
    finish(): Structure {
      const last = files.at(-1);
      if (last) last.to = lastLine;
      const lastMainLine = files[0] ? files[0].from - 1 : lastLine;
      const active = new Set<number>();
      const folded: number[] = [];
      let compacted = false;
      let at = leaf ? nodes.get(leaf) : undefined;
      let uuid = leaf;
      const seen = new Set<string>();
      while (at && uuid && !seen.has(uuid)) {
        seen.add(uuid);
        active.add(at.line);
        if (compacted) folded.push(at.line);
        let parent = at.parent ?? undefined;
        if (!parent && at.boundary) {
          parent = at.logical && nodes.has(at.logical) ? at.logical : before.get(uuid);
          compacted ||= parent !== undefined;
        }
        uuid = parent;
        at = parent ? nodes.get(parent) : undefined;
      }
      const offBranch = [...nodes.values()].filter((n) => !active.has(n.line)).map((n) => n.line);
      return { skip: ranges(offBranch), fold: ranges(folded), files, lastMainLine };
    },
  };
}

/** Sorted line numbers as [from, to] runs. */
function ranges(lines: number[]): [number, number][] {
  const sorted = [...lines].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out.at(-1);
    if (last && last[1] === n - 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}
