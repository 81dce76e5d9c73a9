// Reads a transcript's link evidence in the scan's one pass: which lines are messages, where turns begin,
// which files tool calls edited (by the agent's spec), and the positions at given byte offsets.
import { type Agent, type Block, FORMATS, firstUserPrompt, mapSession } from "@residue/formats";
import { editedFiles } from "../agents/edits.ts";
import { AGENT_SPECS } from "../agents/index.ts";
import type { Edit, TranscriptEvidence } from "../capture/link-evidence.ts";
import type { LineObserver, Position } from "./scan.ts";

function toolCalls(blocks: Block[]): Extract<Block, { kind: "tool_call" }>[] {
  return blocks.flatMap((b) => (b.kind === "tool_call" ? [b, ...(b.children ?? []).flatMap((m) => toolCalls(m.blocks))] : []));
}

export interface EvidenceCollector {
  observe: LineObserver;
  /** The evidence, and the position at each requested byte offset (the last whole line ending at or before it). */
  finish(end: Position): { evidence: TranscriptEvidence; atBytes: Map<number, Position> };
}

/** `repoPath` turns a path as the agent wrote it into a repo-relative one, or null when it lies outside the repo. */
export function evidenceCollector(agent: Agent, repoPath: (path: string) => string | null, bytes: number[]): EvidenceCollector {
  const format = FORMATS[agent];
  const tools = AGENT_SPECS[agent].edits;
  const names = [...tools.write, ...tools.shell];
  const marks = [...new Set(bytes)].sort((a, b) => a - b);
  const atBytes = new Map<number, Position>();
  const messageLines: number[] = [];
  const edits: Edit[] = [];
  let turn: Position = { line: 0, byte: 0, last_message_at: null };
  let nextMark = 0;

  const observe: LineObserver = (text, before, after) => {
    while (nextMark < marks.length && after.byte > (marks[nextMark] as number)) atBytes.set(marks[nextMark++] as number, before);
    if (!format.isMessageLine(text)) return;
    messageLines.push(after.line);
    if (firstUserPrompt(agent, text) !== null) turn = before;
    if (!names.some((name) => text.includes(name))) return;
    // `{}` first: a lone line would read as Gemini's older one-document format.
    for (const call of toolCalls(mapSession(agent, `{}\n${text}`).messages.flatMap((m) => m.blocks))) {
      for (const path of editedFiles(tools, call, format.filesTouched)) {
        const file = repoPath(path);
        if (file !== null) edits.push({ line: after.line, file, turn });
      }
    }
  };
  return {
    observe,
    finish(end) {
      for (; nextMark < marks.length; nextMark++) atBytes.set(marks[nextMark] as number, end);
      return { evidence: { messageLines, edits }, atBytes };
    },
  };
}
