// What a read answers when it finds nothing to show. The API turns these into error bodies and the UI into
// pages, both with the same status, so a missing record is a 404 whichever door it is asked through.

export type Missing = { kind: "missing"; what: "org" | "repo" | "commit" | "session" };
export type AmbiguousRepo = { kind: "ambiguous"; what: "repo"; owner: string; name: string; hosts: string[] };
export type AmbiguousSha = { kind: "ambiguous"; what: "sha" };
export type AmbiguousSession = { kind: "ambiguous"; what: "session" };
export type Invalid<What extends "cursor" | "query"> = { kind: "invalid"; what: What; message: string };

export type NotFound = Missing | AmbiguousRepo | AmbiguousSha | AmbiguousSession | Invalid<"cursor" | "query">;

export const missing = (what: Missing["what"]): Missing => ({ kind: "missing", what });

/** The HTTP status of an outcome that found nothing to show. */
export function statusOf(outcome: NotFound): 400 | 404 | 409 {
  if (outcome.kind === "missing") return 404;
  return outcome.kind === "ambiguous" ? 409 : 400;
}
