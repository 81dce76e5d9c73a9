// The "segments-v2" storage layout of a session, as the CLI describes each push of it and the API keeps it
// (D1 `sessions.manifest`). The transcript is one gzip member whose deflate stream is cut by full flushes
// into segments of whole lines; each push stores the segments it added as one chunk object and the pages
// of the session's index it (re)wrote as one index object. Design and measurements: docs/scale-design.md.
import { z } from "zod";

export const SEGMENTS_LAYOUT = "segments-v2";

/** An index page is read whole by a view: small enough that reading it costs a view nothing. */
export const MAX_PAGE_BYTES = 1024 * 1024;
/** Pages one push may describe (a 1 GB first push writes ~150). */
export const MAX_PAGES_PER_PUSH = 20_000;
/** Pushes of one generation before the CLI starts a new one (a whole upload). Bounds the manifest. */
export const MAX_PUSHES = 4096;

const count = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 48);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex characters");

/** The chunk object a push added: its stored (deflate) bytes and the transcript bytes they hold. */
export const LayoutChunk = z
  .object({
    push: z.number().int().nonnegative().max(MAX_PUSHES),
    bytes: count,
    raw_bytes: count,
    /** SHA-256 of the transcript bytes this chunk holds (its segments inflated). */
    raw_sha256: sha256Hex,
    first_line: z.number().int().positive(),
    lines: count,
  })
  .strict();
export type LayoutChunk = z.infer<typeof LayoutChunk>;

/**
 * One page of the index: a range of the index object `i<push>` holding messages and blocks (store's
 * PageBody). A reader uses its first `messages` messages only: a later push that re-maps from the middle of
 * a page names the page again, cut short.
 */
export const LayoutPage = z
  .object({
    push: z.number().int().nonnegative().max(MAX_PUSHES),
    offset: count,
    length: z.number().int().positive().max(MAX_PAGE_BYTES),
    /** The global index of its first message, and how many messages it holds (whole blocks). */
    first_message: count,
    messages: z.number().int().positive(),
    /** Lines of its first and last message (Message.line): where a commit's position falls. */
    first_line: z.number().int().nonnegative(),
    last_line: z.number().int().nonnegative(),
    /** The latest message time in it (ms), for links made by hand that carry only a time. */
    last_at: z.number().nullable(),
  })
  .strict();
export type LayoutPage = z.infer<typeof LayoutPage>;

/** The whole transcript so far: what frames the chunks as one gzip member, and what the CLI compares to prune. */
const Totals = {
  raw_size: count,
  /** CRC32 of all transcript bytes (the gzip trailer's). */
  crc32: z.number().int().nonnegative().max(0xffffffff),
  lines: count,
  messages: count,
};

/**
 * What one push added. `push` is the number of pushes of this generation already stored (0 starts a
 * generation: everything before it is replaced). `pages` replace every stored page from their first
 * message on (the first may be a stored page named again, cut short); pages before it stay. `chunk` is
 * null when the push added no lines.
 */
export const LayoutPush = z
  .object({
    generation: z.number().int().positive().max(1_000_000),
    push: z.number().int().nonnegative().max(MAX_PUSHES),
    chunk: LayoutChunk.nullable(),
    index: z.object({ bytes: count, sha256: sha256Hex }).strict(),
    pages: z.array(LayoutPage).max(MAX_PAGES_PER_PUSH),
    ...Totals,
  })
  .strict();
export type LayoutPush = z.infer<typeof LayoutPush>;

/** A session's stored layout: what the API keeps after merging each push, and what readers are given. */
export const LayoutManifest = z
  .object({
    generation: z.number().int().positive(),
    /** Pushes stored in this generation: objects c<n>/i<n> exist for n below it. */
    pushes: z.number().int().nonnegative(),
    chunks: z.array(LayoutChunk),
    /** In message order, none overlapping: where each message's page is. */
    pages: z.array(LayoutPage),
    ...Totals,
  })
  .strict();
export type LayoutManifest = z.infer<typeof LayoutManifest>;

/** Which object of a layout an upload URL is for. */
export const LayoutObject = z
  .object({
    generation: z.number().int().positive().max(1_000_000),
    push: z.number().int().nonnegative().max(MAX_PUSHES),
    kind: z.enum(["chunk", "index"]),
  })
  .strict();
export type LayoutObject = z.infer<typeof LayoutObject>;

/** The error code of a push whose `push`/`generation` no longer follows what is stored (another push won). */
export const LAYOUT_CONFLICT = "layout_conflict";
