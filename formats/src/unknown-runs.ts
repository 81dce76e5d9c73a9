// Records no mapper knows must not bury the conversation: every run of consecutive ones, within a message
// or as messages of their own, becomes one quiet line that lists them. Shared by every agent (mapSession).
import type { Block, Message, UnknownRecord } from "./model.ts";

/** Records of one run shown in full; the rest are listed by kind only, so a long run stays small on a page. */
export const SHOWN_PER_RUN = 20;

const listed = (records: UnknownRecord[], from: number) =>
  records.map((r, i) => (from + i < SHOWN_PER_RUN ? r : { label: r.label, json: "" }));

/** Appends blocks to `into`, runs of unknown ones as one block. Only blocks made here are appended to. */
function mergeBlocks(blocks: Block[], into: Block[] = []): Block[] {
  for (const block of blocks) {
    const last = into.at(-1);
    if (block.kind === "unknown" && last?.kind === "unknown") last.records.push(...listed(block.records, last.records.length));
    else if (block.kind === "unknown") into.push({ kind: "unknown", records: listed(block.records, 0) });
    else if (block.kind === "tool_call" && block.children) into.push({ ...block, children: collapseUnknownRuns(block.children) });
    else into.push(block);
  }
  return into;
}

const onlyUnknown = (m: Message) => m.blocks.length > 0 && m.blocks.every((b) => b.kind === "unknown");

/** The same messages with each run of unknown records as one block (and one message), renumbered. */
export function collapseUnknownRuns(messages: Message[]): Message[] {
  const out: Message[] = [];
  for (const message of messages) {
    const last = out.at(-1);
    if (last && onlyUnknown(last) && onlyUnknown(message) && last.fold === message.fold) {
      mergeBlocks(message.blocks, last.blocks);
      last.line = message.line;
    } else out.push({ ...message, index: out.length, blocks: mergeBlocks(message.blocks) });
  }
  return out;
}

/** Every unknown record in these messages, sub-agents' included: what a reader would find unexplained. */
export function unknownRecords(messages: Message[]): string[] {
  return messages.flatMap((m) =>
    m.blocks.flatMap((b) =>
      b.kind === "unknown" ? b.records.map((r) => r.label) : b.kind === "tool_call" ? unknownRecords(b.children ?? []) : [],
    ),
  );
}
