// Where a session's objects live in R2. Session ids are validated UUIDs and the numbers are integers, so
// no key escapes its session's prefix.
import type { LayoutObject } from "@residue/protocol";

/** Every object of a session starts with this: deleting a session deletes what is listed under it. */
export const sessionPrefix = (sessionId: string) => `sessions/${sessionId}/`;

/** The one object of the old layout ("gzip-v1": a gzip or plain transcript). */
export const wholeObjectKey = (sessionId: string) => `sessions/${sessionId}`;

/** Chunk `c<push>` (segments: raw deflate, no gzip header) or index `i<push>` (pages) of a generation. */
export const layoutObjectKey = (sessionId: string, object: LayoutObject) =>
  `${sessionPrefix(sessionId)}g${object.generation}/${object.kind === "chunk" ? "c" : "i"}${object.push}`;
