// The one commit-page cursor of the API and the UI: opaque to clients (base64url of [committed_at, sha]),
// so the position it encodes can change without breaking links anyone kept.
import { z } from "zod";
import type { CommitCursor } from "../db/commits.ts";

const Position = z.tuple([z.number().int(), z.string().regex(/^[0-9a-f]{40,64}$/)]);

export function encodeCursor(c: CommitCursor): string {
  return btoa(JSON.stringify([c.committedAt, c.sha]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The position a cursor names; null when it is not one this server returned. */
export function decodeCursor(raw: string): CommitCursor | null {
  try {
    const [committedAt, sha] = Position.parse(JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/"))));
    return { committedAt, sha };
  } catch {
    return null;
  }
}
