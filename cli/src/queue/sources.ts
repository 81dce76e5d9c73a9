// The files that make up one session's raw data. Most agents write one file; some write more beside it
// (Claude Code's sub-agent transcripts: each agent's spec says), which are captured with it: appended after
// the main transcript, each behind a one-line marker naming the file, so line and byte positions recorded
// at commits still point into the main transcript unchanged.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { AGENT_SPECS } from "../agents/index.ts";
import type { ExtraFile } from "../agents/spec.ts";
import type { Agent } from "./sessions.ts";

export interface SessionFiles {
  main: string;
  extra: ExtraFile[];
}

export function sessionFiles(agent: Agent, dataPath: string): SessionFiles {
  return { main: dataPath, extra: AGENT_SPECS[agent].extraFiles(dataPath) };
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
