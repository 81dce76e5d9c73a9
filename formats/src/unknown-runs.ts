// Records no mapper knows must not bury the conversation: every run of consecutive ones, within a message
// or as messages of their own, becomes one quiet line that lists them. Shared by every agent (mapSession).
import type { Block, Message } from "./model.ts";

function mergeBlocks(blocks: Block[]): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    const last = out.at(-1);
    if (block.kind === "unknown" && last?.kind === "unknown")
      out[out.length - 1] = { kind: "unknown", records: [...last.records, ...block.records] };
    else if (block.kind === "tool_call" && block.children) out.push({ ...block, children: collapseUnknownRuns(block.children) });
    else out.push(block);
  }
  return out;
}

const onlyUnknown = (m: Message) => m.blocks.length > 0 && m.blocks.every((b) => b.kind === "unknown");

/** The same messages with each run of unknown records as one block (and one message), renumbered. */
export function collapseUnknownRuns(messages: Message[]): Message[] {
  const out: Message[] = [];
  for (const message of messages) {
    const m = { ...message, blocks: mergeBlocks(message.blocks) };
    const last = out.at(-1);
    if (last && onlyUnknown(last) && onlyUnknown(m) && last.fold === m.fold) {
      out[out.length - 1] = { ...last, blocks: mergeBlocks([...last.blocks, ...m.blocks]), line: m.line };
    } else out.push(m);
  }
  return out.map((m, index) => (m.index === index ? m : { ...m, index }));
}

/** Every unknown record in these messages, sub-agents' included: what a reader would find unexplained. */
export function unknownRecords(messages: Message[]): string[] {
  return messages.flatMap((m) =>
    m.blocks.flatMap((b) =>
      b.kind === "unknown" ? b.records.map((r) => r.label) : b.kind === "tool_call" ? unknownRecords(b.children ?? []) : [],
    ),
  );
}
