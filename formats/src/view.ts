// How a conversation is shown, wherever it is shown (the UI's pages, `residue show` in a terminal).
import type { LinkReason } from "@residue/protocol";
import { filesTouched } from "./index.ts";
import type { Message } from "./model.ts";

// Which part of a conversation led to a commit: messages up to the previous commit of the same session
// are "earlier", those after it up to this commit's transcript position are "this commit's", the rest "later".
export interface Segments {
  earlier: Message[];
  current: Message[];
  later: Message[];
}

export function segment(messages: Message[], previousLine: number | null, thisLine: number | null): Segments {
  if (thisLine === null) return { earlier: [], current: messages, later: [] };
  const from = previousLine ?? 0;
  return {
    earlier: messages.filter((m) => m.line <= from),
    current: messages.filter((m) => m.line > from && m.line <= thisLine),
    later: messages.filter((m) => m.line > thisLine),
  };
}

/** What a run of records no mapper knows is called, wherever it is shown. */
export const unknownLine = (count: number) => (count === 1 ? "1 record of an unknown kind" : `${count} records of unknown kinds`);

/** One line that says what a tool call did: the command, the file, the pattern. */
export function toolSummary(name: string, input: unknown): string {
  const o = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const pick = (...keys: string[]) => keys.map((k) => o[k]).find((v) => typeof v === "string" || Array.isArray(v));
  // A patch given as the input is shown as itself (and as a diff), not by the files it names.
  const v = pick("command", "cmd") ?? filesTouched(o)[0] ?? pick("pattern", "query", "url", "description", "prompt");
  const text = Array.isArray(v) ? v.join(" ") : typeof v === "string" ? v : typeof input === "string" ? input : "";
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line || name;
}

/** Files named before "and N more": a reason may carry 50. */
const NAMED_FILES = 3;

/** Why a session is linked to a commit, in a few words; null when the CLI that made the link did not say. */
export function reasonText(reason: LinkReason | null | undefined): string | null {
  if (!reason) return null;
  if (reason.kind === "manual") return "linked by hand";
  if (reason.kind === "messages") return reason.since_sha ? `new turns since ${reason.since_sha.slice(0, 7)}` : "new turns in this session";
  const named = reason.files.slice(0, NAMED_FILES).join(", ");
  const more = reason.files.length - NAMED_FILES;
  return `edited ${named}${more > 0 ? ` and ${more} more file${more === 1 ? "" : "s"}` : ""}, changed here`;
}
