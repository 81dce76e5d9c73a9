// What search indexes of a conversation: per message, what was said (prompts and replies, not tool
// output), the tools called, the files they touched and the commands they ran. Extracted on the client,
// with the same mapper the UI renders, so the server never parses a 50 MB transcript.
import type { SearchDocument } from "@residue/protocol";
import { filesTouched } from "./index.ts";
import type { Block, Conversation, Message } from "./model.ts";

export type { SearchDocument };

const MAX_TEXT = 4000;
const COMMAND_KEYS = ["command", "cmd"];

function collect(blocks: Block[], into: { text: string[]; tools: string[]; files: string[]; commands: string[] }) {
  for (const b of blocks) {
    if (b.kind === "text" || b.kind === "summary") into.text.push(b.text);
    if (b.kind !== "tool_call") continue;
    into.tools.push(b.name);
    const input = b.input && typeof b.input === "object" ? (b.input as Record<string, unknown>) : {};
    into.files.push(...filesTouched(b.input));
    for (const k of COMMAND_KEYS) {
      const v = input[k];
      if (typeof v === "string") into.commands.push(v);
      else if (Array.isArray(v)) into.commands.push(v.join(" "));
    }
    for (const child of b.children ?? []) collect(child.blocks, into);
  }
}

function document(m: Message): SearchDocument | null {
  const parts = { text: [] as string[], tools: [] as string[], files: [] as string[], commands: [] as string[] };
  collect(m.blocks, parts);
  const doc = {
    i: m.index,
    role: m.role,
    text: parts.text.join("\n").slice(0, MAX_TEXT),
    tools: [...new Set(parts.tools)].join(" "),
    files: [...new Set(parts.files)].join(" ").slice(0, MAX_TEXT),
    commands: parts.commands.join("\n").slice(0, MAX_TEXT),
    at: m.timestamp,
    line: m.line,
  };
  return doc.text || doc.tools || doc.files || doc.commands ? doc : null;
}

export function searchDocuments(conversation: Conversation): SearchDocument[] {
  return conversation.messages.map(document).filter((d): d is SearchDocument => d !== null);
}
