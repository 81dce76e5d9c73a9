// The one form of Range header the object route serves: a single `bytes=first-last` (or `first-`). Anything
// else is refused rather than guessed at, so a client never gets other bytes than it asked for.

export type ByteRange = { offset: number; length: number };

/** null: no Range header (the whole object); "invalid": a header this route does not serve. */
export function parseRange(header: string | undefined): ByteRange | "invalid" | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d{1,15})-(\d{1,15})?$/.exec(header.trim());
  if (!match) return "invalid";
  const first = Number(match[1]);
  const last = match[2] === undefined ? Number.MAX_SAFE_INTEGER - 1 : Number(match[2]);
  if (last < first) return "invalid";
  return { offset: first, length: last - first + 1 };
}
