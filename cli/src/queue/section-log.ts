// A session of several files (Claude Code's main transcript and its sub-agent files) is stored as one
// stream: an append-only log of sections. Each snapshot appends, file by file (the main file first, then the
// others in name order), the whole lines each file gained since the last one, behind a marker line whenever
// a section's file differs from the previous section's (`{"type":"residue-file","path":""}` when the main
// file resumes). The stored stream therefore only ever grows at its end, so a grown session continues its
// stored generation instead of being uploaded again. The first snapshot lays out the main file, then each
// other file once: the layout sessions were stored in before the log existed.

import { z } from "zod";

const Count = z.number().int().nonnegative();

/** Where one file stands in the log: the whole lines laid out, and the SHA-256 of those bytes of the file. */
export const FileMark = z.object({
  /** "" is the main file; others by their name in the session (e.g. `subagents/agent-1.jsonl`). */
  name: z.string(),
  bytes: Count,
  lines: Count,
  sha256: z.string(),
});
export type FileMark = z.infer<typeof FileMark>;

/** Read back from the snapshot's meta, which is a file on disk: what does not parse is no log at all. */
export const SectionLog = z.object({
  files: z.array(FileMark),
  /** In stream order: each section's file and how many of its lines it holds. */
  sections: z.array(z.tuple([z.string(), Count])),
});
export type SectionLog = z.infer<typeof SectionLog>;

export const MAIN = "";

export function markerLine(name: string) {
  return `${JSON.stringify({ type: "residue-file", path: name })}\n`;
}

/** Whether a section of `name` after `previous` (undefined: the stream's first) is opened by a marker line. */
export function needsMarker(previous: string | undefined, name: string) {
  return previous === undefined ? name !== MAIN : previous !== name;
}

/** The log with `lines` more lines of `name` at its end (joined to the last section when it is the same file). */
export function appendSection(log: SectionLog, name: string, lines: number): SectionLog {
  const last = log.sections.at(-1);
  if (last?.[0] === name) return { ...log, sections: [...log.sections.slice(0, -1), [name, last[1] + lines]] };
  return { ...log, sections: [...log.sections, [name, lines]] };
}

/**
 * The stream's line holding line `line` of the main file. Links record positions in the main file's own
 * lines (the evidence reads that file), while the stored stream numbers its own: the CLI translates them when it
 * posts the links, from the log it lays the stream out with. The log only grows at its end, so a translation
 * never changes later. A line past the main lines laid out lands where the next snapshot will put it: each
 * snapshot lays out the main file first, right after the stream's end (and a marker when the end is another file's).
 */
export function streamLine(log: SectionLog | null | undefined, line: number): number {
  if (!log || line <= 0) return line;
  let end = { stream: 0, main: 0, name: undefined as string | undefined };
  for (const span of spans(log)) {
    if (span.name === MAIN && line <= span.main + span.lines) return span.stream + line - span.main;
    end = { stream: span.stream + span.lines, main: span.main + (span.name === MAIN ? span.lines : 0), name: span.name };
  }
  return end.stream + (needsMarker(end.name, MAIN) ? 1 : 0) + line - end.main;
}

/**
 * The main file's line at or before stream line `line`: the inverse of `streamLine` for a position read in the
 * stored stream itself (a kept snapshot, once the agent deleted the transcript). A marker or another file's line
 * stands where the main file stood when that section began.
 */
export function mainLine(log: SectionLog | null | undefined, line: number): number {
  if (!log || line <= 0) return line;
  let main = 0;
  for (const span of spans(log)) {
    if (line <= span.stream) return span.main;
    if (span.name === MAIN && line <= span.stream + span.lines) return span.main + line - span.stream;
    main = span.main + (span.name === MAIN ? span.lines : 0);
  }
  return main;
}

/** Each section with the stream lines and main-file lines before its first line (its marker counted). */
function* spans(log: SectionLog) {
  let stream = 0;
  let main = 0;
  let previous: string | undefined;
  for (const [name, lines] of log.sections) {
    if (needsMarker(previous, name)) stream++;
    yield { name, lines, stream, main };
    if (name === MAIN) main += lines;
    stream += lines;
    previous = name;
  }
}
