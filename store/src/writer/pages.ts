// Index pages: mapped blocks, in order, packed into pages of whole blocks (UTF-8 JSON PageBody, ~128 KB), and
// written one after another into the push's index object. A view reads the one page holding its messages.
import { createHash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { type LayoutPage, MAX_PAGE_BYTES } from "@residue/protocol";
import type { BlockEntry } from "../page.ts";
import type { StoredBlock } from "./state.ts";

/** A page is closed before it passes this: small enough that a view's read of it costs nothing. */
export const PAGE_BYTES = 128 * 1024;

export interface PageSink {
  add(block: BlockEntry, messages: [number, number | null][], stored: StoredBlock): void;
  /** The pages written, each with its blocks as the next push needs them; and the index object's size and hash. */
  close(): { pages: { page: LayoutPage; blocks: StoredBlock[] }[]; bytes: number; sha256: string };
}

export function pageWriter(path: string, push: number): PageSink {
  const fd = openSync(path, "w", 0o600);
  const hash = createHash("sha256");
  const pages: { page: LayoutPage; blocks: StoredBlock[] }[] = [];
  let offset = 0;
  let messages: string[] = [];
  let blocks: string[] = [];
  let stored: StoredBlock[] = [];
  let size = 0;
  let lastAt: number | null = null;
  let lines: number[] = [];

  const flush = () => {
    if (blocks.length === 0) return;
    const body = Buffer.from(`{"messages":[${messages.join(",")}],"blocks":[${blocks.join(",")}]}`);
    if (body.length > MAX_PAGE_BYTES) throw new RangeError(`an index page of ${body.length} bytes (one block's context is too large)`);
    writeSync(fd, body);
    hash.update(body);
    const first = stored[0] as StoredBlock;
    pages.push({
      page: {
        push,
        offset,
        length: body.length,
        first_message: first.first,
        messages: messages.length,
        first_line: lines[0] as number,
        last_line: lines.at(-1) as number,
        last_at: lastAt,
      },
      blocks: stored,
    });
    offset += body.length;
    messages = [];
    blocks = [];
    stored = [];
    lines = [];
    size = 0;
    lastAt = null;
  };

  return {
    add(block, entries, info) {
      const json = JSON.stringify(block);
      const listed = entries.map((e) => JSON.stringify(e));
      const adds = json.length + listed.reduce((n, e) => n + e.length + 1, 1);
      if (size > 0 && size + adds > PAGE_BYTES) flush();
      blocks.push(json);
      messages.push(...listed);
      stored.push(info);
      lines.push(...entries.map((e) => e[0]));
      for (const [, at] of entries) if (at !== null && (lastAt === null || at > lastAt)) lastAt = at;
      size += adds;
    },
    close() {
      flush();
      closeSync(fd);
      return { pages, bytes: offset, sha256: hash.digest("hex") };
    },
  };
}
