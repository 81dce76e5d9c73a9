// The files that make up one session's raw data. Most agents write one file; Claude Code also writes
// sub-agent transcripts beside it (<session>/subagents/*.jsonl), which are captured with it: appended after
// the main transcript, each behind a one-line marker naming the file, so line and byte positions recorded
// at commits still point into the main transcript unchanged.
import { createReadStream, existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";

export interface SessionFiles {
  main: string;
  extra: { path: string; name: string }[];
}

export function sessionFiles(agent: string, dataPath: string): SessionFiles {
  const extra: SessionFiles["extra"] = [];
  if (agent === "claude-code") {
    const dir = join(dirname(dataPath), basename(dataPath, ".jsonl"), "subagents");
    if (existsSync(dir)) {
      for (const name of readdirSync(dir)
        .filter((n) => n.endsWith(".jsonl"))
        .sort()) {
        extra.push({ path: join(dir, name), name: `subagents/${name}` });
      }
    }
  }
  return { main: dataPath, extra };
}

export function markerLine(name: string) {
  return `${JSON.stringify({ type: "residue-file", path: name })}\n`;
}

/** One stream of the main file, then each extra file behind its marker line. */
export function openSessionData(files: SessionFiles): Readable {
  async function* chunks() {
    let endsWithNewline = true;
    for (const part of [
      { path: files.main, marker: null as string | null },
      ...files.extra.map((e) => ({ path: e.path, marker: markerLine(e.name) })),
    ]) {
      if (part.marker) {
        if (!endsWithNewline) yield Buffer.from("\n");
        yield Buffer.from(part.marker);
      }
      for await (const chunk of createReadStream(part.path) as AsyncIterable<Buffer>) {
        if (chunk.length) endsWithNewline = chunk[chunk.length - 1] === 10;
        yield chunk;
      }
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
