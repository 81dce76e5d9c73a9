// A transcript as a gzip stream of independently compressed members, each holding whole lines (BGZF's idea;
// the concatenation is still a valid .gz of the raw bytes), and the member table that locates them.
import { createReadStream } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Member } from "./member-table.ts";

export type { Member };

/**
 * Streams a transcript file into members of about `target` raw bytes, cut after a line end (a line longer
 * than `target` gets a member of its own). `emit` receives each compressed member in order.
 */
export async function writeMembers(
  path: string,
  target: number,
  emit: (gz: Buffer, member: Member) => void,
  level = 6,
  startLine = 1,
  startComp = 0,
  startRaw = 0,
): Promise<Member[]> {
  const members: Member[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pendingLines = 0;
  let comp = startComp;
  let raw = startRaw;
  let line = startLine;
  const cut = (upTo: Buffer[], bytes: number, lines: number) => {
    const rawBytes = Buffer.concat(upTo, bytes);
    const gz = gzipSync(rawBytes, { level });
    const member: Member = { comp, compLength: gz.length, raw, rawLength: bytes, firstLine: line, lines };
    members.push(member);
    emit(gz, member);
    comp += gz.length;
    raw += bytes;
    line += lines;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) break;
      const piece = chunk.subarray(from, nl + 1);
      pending.push(piece);
      pendingBytes += piece.length;
      pendingLines++;
      from = nl + 1;
      if (pendingBytes >= target) {
        cut(pending, pendingBytes, pendingLines);
        pending = [];
        pendingBytes = 0;
        pendingLines = 0;
      }
    }
    if (from < chunk.length) {
      // Copied: the read stream may reuse its buffer.
      const rest = Buffer.from(chunk.subarray(from));
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  // The tail: whole lines plus, for a transcript still being written, an unfinished last line.
  if (pendingBytes > 0) cut(pending, pendingBytes, pendingLines + (pending.at(-1)?.at(-1) === 0x0a ? 0 : 1));
  return members;
}

/** Inflates a run of consecutive members read in one range (node's gunzip reads every member of the run). */
export function inflateRun(bytes: Uint8Array): Buffer {
  return gunzipSync(bytes);
}
