// The searchable text of a session kept as one object (a whole JSON document: Gemini `.json`, OpenCode
// export), extracted here with the same mapper the UI renders, so the server indexes plain rows and never
// parses a large transcript within a Worker's CPU budget. JSONL sessions get theirs from the segment writer,
// window by window, at any size (queue/segments.ts).
import { readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { mapSession } from "@residue/formats";
import { searchDocuments } from "@residue/formats/search-text";
import type { SearchDocument } from "@residue/protocol";

/** Mapping needs the whole transcript in memory; beyond this a session is uploaded but not indexed. */
export const DEFAULT_INDEX_LIMIT_BYTES = 200 * 1024 * 1024;

export function searchDocsFromSnapshot(gzipPath: string, agent: string, limitBytes = DEFAULT_INDEX_LIMIT_BYTES): SearchDocument[] | null {
  // A gzip snapshot is ~10× smaller than its text: a cheap first check before inflating.
  if (statSync(gzipPath).size * 4 > limitBytes) return null;
  const raw = gunzipSync(readFileSync(gzipPath));
  if (raw.length > limitBytes) return null;
  return searchDocuments(mapSession(agent, raw.toString("utf8")));
}
