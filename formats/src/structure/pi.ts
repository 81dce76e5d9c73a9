// pi's structure pass: fed the session line by line, it keeps each entry's id and parent (and the models
// set along the way) and decides what only the whole file can: the path from the root to the leaf (the
// last entry with an id) is the conversation; every other entry lies on a branch the user left, read only
// folded into the path entry it branched off. A window then gets the branches that fold into its path
// entries (wherever they lie in the file) and the model in force where it starts.

import type { Line } from "../lines.ts";
import { clipRanges, type LineRanges, mergeRanges, toRanges } from "./ranges.ts";

/** Branch entries folded at a path line: after its entry, or (`before`) ahead of the first entry. */
export interface PiFold {
  at: number;
  before: boolean;
  lines: LineRanges;
}

export interface PiContext {
  /** Entries off the path: read only inside their fold. */
  skip: LineRanges;
  folds: PiFold[];
  /** The model set on the path before the first line mapped (pi writes it once, not on each reply). */
  model: string | undefined;
}

export interface PiStructure {
  skip: LineRanges;
  folds: PiFold[];
  /** Models set on the path, by line. */
  models: { line: number; model: string }[];
}

interface Entry {
  n: number;
  id: string | undefined;
  parent: string | undefined;
  model: string | undefined;
}

export function piStructure() {
  const entries: Entry[] = [];
  const byId = new Map<string, Entry>();
  let tree = false;
  return {
    line({ n, value }: Line) {
      if (value.type === "session") return;
      tree ||= "parentId" in value;
      const id = typeof value.id === "string" && value.id ? value.id : undefined;
      const entry: Entry = {
        n,
        id,
        parent: typeof value.parentId === "string" ? value.parentId : undefined,
        model: value.type === "model_change" && typeof value.modelId === "string" ? value.modelId : undefined,
      };
      entries.push(entry);
      if (id) byId.set(id, entry);
    },
    finish(): PiStructure {
      const models = (on: (e: Entry) => boolean) =>
        entries.flatMap((e) => (e.model !== undefined && on(e) ? [{ line: e.n, model: e.model }] : []));
      // Only a file whose entries link to parents is a tree; v1 files are a plain sequence.
      if (!tree) return { skip: [], folds: [], models: models(() => true) };
      const parent = (e: Entry) => byId.get(e.parent ?? "");
      const onPath = new Set<Entry>();
      const leaf = entries.findLast((e) => e.id);
      for (let at = leaf; at && !onPath.has(at); at = parent(at)) onPath.add(at);
      // An entry without an id cannot be placed in the tree: it is read where it stands.
      const placed = (e: Entry) => !e.id || onPath.has(e);
      const left = new Map<Entry | null, number[]>();
      for (const e of entries) {
        if (placed(e)) continue;
        const seen = new Set<Entry>();
        let at = parent(e);
        while (at && !onPath.has(at) && !seen.has(at)) {
          seen.add(at);
          at = parent(at);
        }
        const key = at && onPath.has(at) ? at : null;
        left.set(key, [...(left.get(key) ?? []), e.n]);
      }
      const first = entries.find(placed);
      const folds: PiFold[] = [...left].flatMap(([key, lines]) => {
        const at = key ?? first;
        return at ? [{ at: at.n, before: key === null, lines: toRanges(lines) }] : [];
      });
      return {
        skip: toRanges(entries.filter((e) => !placed(e)).map((e) => e.n)),
        folds: folds.sort((a, b) => a.at - b.at || Number(b.before) - Number(a.before)),
        models: models(placed),
      };
    },
  };
}

/** The context of lines [from, to], and the lines outside it that its folds need. */
export function piWindow(structure: PiStructure, from: number, to: number): { context: PiContext; extra: LineRanges } {
  const folds = structure.folds.filter((f) => f.at >= from && f.at <= to);
  const lines = mergeRanges(folds.flatMap((f) => f.lines));
  const extra = [...clipRanges(lines, 1, from - 1), ...clipRanges(lines, to + 1, Number.POSITIVE_INFINITY)];
  const model = structure.models.findLast((m) => m.line < from)?.model;
  return { context: { skip: clipRanges(structure.skip, from, to), folds, model }, extra };
}
