// File edits shown as diffs: Claude Code's Edit/MultiEdit/Write, pi's edit/write, Codex's apply_patch.
import { PATCH_FILE } from "./codex.ts";
import { filesTouched } from "./index.ts";

export interface DiffLine {
  kind: "+" | "-" | " " | "@";
  text: string;
}

export interface EditView {
  path: string;
  lines: DiffLine[];
}

const lines = (s: string) => s.replace(/\n$/, "").split("\n");

function replacement(oldText: string, newText: string): DiffLine[] {
  return [...lines(oldText).map((text) => ({ kind: "-" as const, text })), ...lines(newText).map((text) => ({ kind: "+" as const, text }))];
}

export function editView(name: string, input: unknown): EditView[] | null {
  if (typeof input === "string" && /^\*\*\* Begin Patch/.test(input)) return patchView(input);
  if (!input || typeof input !== "object") return null;
  const o = input as Record<string, unknown>;
  const path = filesTouched(o)[0] ?? "";
  const tool = name.toLowerCase();
  if (tool === "edit" && typeof o.old_string === "string" && typeof o.new_string === "string")
    return [{ path, lines: replacement(o.old_string, o.new_string) }];
  if ((tool === "edit" || tool === "multiedit") && Array.isArray(o.edits)) {
    const all = (o.edits as Record<string, unknown>[]).flatMap((e, i) => [
      ...(i > 0 ? [{ kind: "@" as const, text: "…" }] : []),
      ...replacement(String(e.oldText ?? e.old_string ?? ""), String(e.newText ?? e.new_string ?? "")),
    ]);
    return [{ path, lines: all }];
  }
  if (tool === "edit" && typeof o.oldText === "string" && typeof o.newText === "string")
    return [{ path, lines: replacement(o.oldText, o.newText) }];
  if (tool === "write" && typeof o.content === "string")
    return [{ path, lines: lines(o.content).map((text) => ({ kind: "+" as const, text })) }];
  return null;
}

/** Codex's apply_patch envelope: `*** Update File: path`, then unified-diff-like hunks. */
function patchView(patch: string): EditView[] {
  const views: EditView[] = [];
  let current: EditView | null = null;
  for (const line of patch.split("\n")) {
    const file = PATCH_FILE.exec(line);
    if (file) {
      current = { path: file[1] as string, lines: [] };
      views.push(current);
    } else if (!current || line.startsWith("*** ")) continue;
    else if (line.startsWith("@@")) current.lines.push({ kind: "@", text: line });
    else if (line.startsWith("+")) current.lines.push({ kind: "+", text: line.slice(1) });
    else if (line.startsWith("-")) current.lines.push({ kind: "-", text: line.slice(1) });
    else current.lines.push({ kind: " ", text: line.slice(1) });
  }
  return views;
}
