// The message table, window by window: message-aligned blocks of a session, each with the window its
// messages are mapped from (as the reader will map it) and the context the structure pass gives it. A
// window [from, to] of messages a..b starts after message a-1's line and ends before message b+1's, so
// every block's messages are exactly the whole-file mapping's (site/test/formats-windows.test.ts).
import type { Message } from "@residue/formats/model";
import type { Line, WindowMapping } from "@residue/formats/windows";

/** A block holds at most this many messages, and about this many bytes of lines (more for one huge message). */
export const BLOCK_MESSAGES = 64;
export const BLOCK_BYTES = 256 * 1024;
/** Lines mapped at once to find blocks: several blocks, so re-mapping the unfinished end costs little. */
const SCOUT_BYTES = 4 * BLOCK_BYTES;

export interface MappedBlock {
  first: number;
  from: number;
  to: number;
  extra: [number, number][];
  context: unknown;
  /** Its messages, with their global index. */
  messages: Message[];
}

/** A window's messages cannot be told apart by line: the layout cannot hold this session (it goes up whole). */
export class NotWindowable extends Error {}

export interface BlockSource {
  /** Raw end offset of each line (index 0 = 0), for byte budgets. */
  lineEnds: Float64Array;
  lastLine: number;
  read(ranges: [number, number][]): Line[];
}

/**
 * Maps the session from message `first`, whose window starts at line `from`, to its end, block by block.
 * The messages of a scouted window are taken up to the last whole block that is followed by another
 * message in it: the window's last message may continue past it, so it is mapped again with the next.
 */
export function* mapBlocks<S, C>(
  format: WindowMapping<S, C>,
  structure: S,
  source: BlockSource,
  start: { first: number; from: number },
): Generator<MappedBlock> {
  const { lineEnds, lastLine } = source;
  const bytes = (a: number, b: number) => (lineEnds[b] as number) - (lineEnds[a - 1] as number);
  let { first, from } = start;
  let scout = SCOUT_BYTES;
  while (from <= lastLine) {
    let end = from;
    while (end < lastLine && bytes(from, end) < scout) end++;
    const atEnd = end === lastLine;
    const window = format.window(structure, from, end);
    const lines = source.read([[from, end], ...window.extra]);
    const messages = format.mapLines(lines, window.context).messages.filter((m) => m.line >= from && m.line <= end);
    const groups = lineGroups(messages);
    // The window's last message may go on past it: its end line is not known yet, so it bounds nothing.
    const blocks = cutBlocks(atEnd ? groups : groups.slice(0, -1), from, bytes, atEnd);
    if (blocks.length === 0) {
      if (atEnd) return;
      // One message larger than the scouted window: look further.
      scout *= 2;
      continue;
    }
    for (const block of blocks) {
      const to = block.next ? block.next - 1 : lastLine;
      const { context, extra } = format.window(structure, from, to);
      yield { first, from, to, extra, context, messages: block.messages.map((m, i) => ({ ...m, index: first + i })) };
      first += block.messages.length;
      from = (block.messages.at(-1) as Message).line + 1;
    }
    scout = SCOUT_BYTES;
    if (blocks.at(-1)?.next === undefined) return;
  }
}

/** Messages in runs sharing one line (an entry and what is folded after it): never split between blocks. */
function lineGroups(messages: Message[]): Message[][] {
  const groups: Message[][] = [];
  for (const m of messages) {
    const last = groups.at(-1);
    const previous = last?.at(-1);
    if (previous && m.line < previous.line) throw new NotWindowable(`message lines go back (${previous.line} then ${m.line})`);
    if (last && previous?.line === m.line) last.push(m);
    else groups.push([m]);
  }
  return groups;
}

/**
 * Whole blocks of the groups: each closed when the next group would pass the budget, and followed by a
 * group (whose line bounds its window). The unfinished end waits for the next window, except at the end.
 */
function cutBlocks(groups: Message[][], from: number, bytes: (a: number, b: number) => number, atEnd: boolean) {
  const blocks: { messages: Message[]; next?: number }[] = [];
  let current: Message[] = [];
  let start = from;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] as Message[];
    const line = (group.at(-1) as Message).line;
    const fits = current.length + group.length <= BLOCK_MESSAGES && bytes(start, line) <= BLOCK_BYTES;
    if (current.length > 0 && !fits) {
      blocks.push({ messages: current, next: (group[0] as Message).line });
      start = (current.at(-1) as Message).line + 1;
      current = [];
    }
    current.push(...group);
  }
  if (atEnd && current.length > 0) blocks.push({ messages: current });
  return blocks;
}
