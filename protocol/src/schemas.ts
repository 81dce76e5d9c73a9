// The wire contract between the residue CLI and the API: one module, imported by both.
import { z } from "zod";
import { LayoutObject, LayoutPush } from "./layout.ts";

export * from "./layout.ts";

export const AGENTS = ["claude-code", "pi", "codex", "gemini", "opencode"] as const;

const uuid = z.uuid({ message: "must be a UUID such as 0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44" });
export const SessionId = uuid.transform((id) => id.toLowerCase());

export const FullSha = z
  .string()
  .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/i, "must be a full 40- or 64-character hex commit SHA")
  .transform((s) => s.toLowerCase());
export const ShaPrefix = z
  .string()
  .regex(/^[0-9a-f]{4,64}$/i, "must be 4 to 64 hex characters")
  .transform((s) => s.toLowerCase());

/** Epoch milliseconds; ISO-8601 strings are accepted and converted. */
export const Timestamp = z.union([
  z.number().int().nonnegative().max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const segment = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, "may hold only letters, digits, '.', '_' and '-'")
  .refine((s) => s !== "." && s !== "..", "may not be '.' or '..'");

// DNS labels (RFC 1123): 1–63 letters, digits and inner hyphens; an IPv4 address is such a name too.
const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function validHost(value: string): boolean {
  const match = /^([^:]+)(?::([0-9]{1,5}))?$/.exec(value);
  if (!match) return false;
  const [, name = "", port] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  return name.length <= 253 && name.split(".").every((label) => HOST_LABEL.test(label));
}

export const RepoHost = z
  .string()
  .min(1)
  .max(259)
  .refine(validHost, "must be a host name (letters, digits, inner '-', '.'-separated), optionally with a port 1–65535")
  .transform((h) => h.toLowerCase());
/** An owner path: "acme", or a GitLab subgroup path such as "acme/platform/tools". */
export const RepoOwner = z
  .string()
  .max(400)
  .refine(
    (o) => o.split("/").every((s) => segment.safeParse(s).success),
    "must be '/'-separated names of letters, digits, '.', '_' and '-'",
  );
export const RepoName = segment;

export const RepoRef = z.object({ host: RepoHost, owner: RepoOwner, name: RepoName }).strict();
export type RepoRef = z.infer<typeof RepoRef>;

/** An upload URL for a session's data: the one object of the old layout, or one object of a push (layout.ts). */
export const UploadUrlRequest = z.object({ session_id: SessionId, object: LayoutObject.optional() }).strict();
export const UploadUrlResponse = z.object({ url: z.url(), expires_at: z.string() });
export type UploadUrlResponse = z.infer<typeof UploadUrlResponse>;

/**
 * A redaction rule's name, as `[REDACTED:<name>]` writes it into JSON strings (nothing in it needs escaping):
 * the CLI checks users' pattern names against it, the API the counts it receives.
 */
export const REDACTION_RULE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** How many rules a session's redaction counts may name: more than the rule table holds, never unbounded. */
export const MAX_REDACTION_RULES = 300;

/**
 * Values the CLI redacted from a session before upload, per rule (`[REDACTED:<rule>]`): what was taken out,
 * never what it was. Names are the redaction engine's rule ids.
 */
export const RedactionCounts = z
  .record(
    z.string().regex(REDACTION_RULE_NAME, "rule names are 1–64 lower-case letters, digits and '-'"),
    z.number().int().positive().max(1e9),
  )
  .refine((counts) => Object.keys(counts).length <= MAX_REDACTION_RULES, `at most ${MAX_REDACTION_RULES} rules`);
export type RedactionCounts = z.infer<typeof RedactionCounts>;

export const SessionMeta = z
  .object({
    id: SessionId,
    agent: z.enum(AGENTS),
    agent_version: z.string().max(100).nullish(),
    status: z.enum(["open", "ended"]),
    started_at: Timestamp.nullish(),
    ended_at: Timestamp.nullish(),
    /** When the transcript last changed; an upload older than what is stored does not replace it. */
    data_updated_at: Timestamp,
    byte_size: z.number().int().nonnegative(),
    content_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be 'sha256:' and 64 hex characters"),
    message_count: z.number().int().nonnegative(),
    title: z.string().max(500).nullish(),
    /** Values redacted before upload, per rule; absent from older CLIs (unknown, not zero). */
    redacted: RedactionCounts.optional(),
    /**
     * The push of a session stored in segments (layout.ts); absent when the data is one object (older CLIs).
     * `byte_size` and `content_hash` still describe the whole transcript.
     */
    layout: LayoutPush.optional(),
  })
  .strict();
export type SessionMeta = z.infer<typeof SessionMeta>;

/** How far a transcript had got when a commit was made. */
export const TranscriptPosition = z
  .object({
    line: z.number().int().nonnegative().nullish(),
    byte: z.number().int().nonnegative().nullish(),
    last_message_at: Timestamp.nullish(),
  })
  .strict();
export type TranscriptPosition = z.infer<typeof TranscriptPosition>;

/**
 * Why a session was linked to a commit, shown on the permalink. `files`: the session's tool calls touched
 * these files and the commit changes them; `messages`: no file evidence either way, but the session has new
 * turns since `since_sha` (null: since it was registered or resumed); `manual`: a person linked it.
 */
export const LinkReason = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("files"), files: z.array(z.string().min(1).max(4096)).min(1).max(50) }).strict(),
  z.object({ kind: z.literal("messages"), since_sha: FullSha.nullable() }).strict(),
  z.object({ kind: z.literal("manual") }).strict(),
]);
export type LinkReason = z.infer<typeof LinkReason>;

/** One session's link to a commit: where its transcript had got to, where this commit's part of it starts, and why. */
export const CommitLink = z
  .object({
    session_id: SessionId,
    position: TranscriptPosition.default({}),
    /** Where the turns that led to this commit begin (after the previous linked commit, or the resume point). */
    since: TranscriptPosition.optional(),
    reason: LinkReason.optional(),
  })
  .strict();
export type CommitLink = z.infer<typeof CommitLink>;

export const FileChange = z
  .object({
    path: z.string().min(1).max(4096),
    additions: z.number().int().nonnegative(),
    deletions: z.number().int().nonnegative(),
  })
  .strict();

export const CommitMapping = z
  .object({
    sha: FullSha,
    message: z.string().max(65536),
    author_name: z.string().max(500),
    author_email: z.string().max(500),
    committed_at: Timestamp,
    branch: z.string().max(500).nullish(),
    files: z.array(FileChange).max(20000).default([]),
    /** The commit's parents, in git's order: pages order commits by topology, never by time. */
    parents: z.array(FullSha).max(64).optional(),
    sessions: z.array(CommitLink).min(1, "a commit mapping links at least one session").max(1000),
    /** SHAs this commit replaced through amend or rebase: their rows and links are removed. */
    replaces: z.array(FullSha).max(1000).default([]),
  })
  .strict();
export type CommitMapping = z.infer<typeof CommitMapping>;

export const SessionsUpload = z
  .object({
    repo: RepoRef,
    sessions: z.array(SessionMeta).max(500).default([]),
    commits: z.array(CommitMapping).max(5000).default([]),
  })
  .strict()
  .refine((b) => b.sessions.length + b.commits.length > 0, "send at least one session or commit");
export type SessionsUpload = z.input<typeof SessionsUpload>;

export const SessionsUploadResponse = z.object({
  sessions: z.number(),
  commits: z.number(),
  links: z.number(),
  /** Sessions of the upload someone deleted on the server: refused, with their links (older servers omit it). */
  deleted: z.array(z.string()).default([]),
  /**
   * What the server now holds of each session of the upload stored in segments: the CLI prunes its copy of
   * what this confirms (older servers omit it).
   */
  stored: z
    .array(z.object({ id: z.string(), generation: z.number(), pushes: z.number(), raw_size: z.number(), crc32: z.number() }))
    .default([]),
});

/** The error code of an upload URL refused because the session was deleted on the server (HTTP 410). */
export const SESSION_DELETED = "session_deleted";

export const SessionSummary = z.object({
  id: z.string(),
  agent: z.string(),
  agent_version: z.string().nullable(),
  status: z.enum(["open", "ended"]),
  started_at: z.number().nullable(),
  ended_at: z.number().nullable(),
  byte_size: z.number(),
  message_count: z.number(),
  title: z.string().nullable(),
  /** Values redacted before upload, per rule; null or absent when the uploading CLI did not say. */
  redacted: RedactionCounts.nullish(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const LinkedSession = SessionSummary.extend({
  position: TranscriptPosition,
  since: TranscriptPosition.nullish(),
  reason: LinkReason.nullish(),
});

export const CommitSummary = z.object({
  sha: z.string(),
  message: z.string(),
  author_name: z.string(),
  author_email: z.string(),
  committed_at: z.number(),
  branch: z.string().nullable(),
  files_changed: z.number(),
  additions: z.number(),
  deletions: z.number(),
  sessions: z.array(LinkedSession),
});
export type CommitSummary = z.infer<typeof CommitSummary>;

export const RepoInfo = z.object({
  host: z.string(),
  owner: z.string(),
  name: z.string(),
  commit_count: z.number(),
  session_count: z.number(),
  last_activity_at: z.number(),
});

export const RepoCommitsResponse = z.object({ repo: RepoInfo, commits: z.array(CommitSummary), next_cursor: z.string().nullable() });
export const CommitDetailResponse = z.object({
  repo: RepoInfo,
  commit: CommitSummary.extend({ files: z.array(FileChange) }),
});

export type CommitDetail = z.infer<typeof CommitDetailResponse>;

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One message's searchable text, extracted by the CLI with the shared mapper (@residue/formats search-text). */
export const SearchDocument = z
  .object({
    i: z.number().int().nonnegative(),
    role: z.string().max(20),
    text: z.string().max(8000),
    tools: z.string().max(4000),
    files: z.string().max(8000),
    commands: z.string().max(8000),
    at: z.number().int().nonnegative().nullable(),
    line: z.number().int().nonnegative(),
  })
  .strict();

export type SearchDocument = z.infer<typeof SearchDocument>;

export const SearchDocumentsUpload = z.object({ docs: z.array(SearchDocument).max(200_000) }).strict();

/** A time in a query string: epoch milliseconds, an ISO date (2026-11-24) or date-time. */
const QueryTime = z.string().transform((s, ctx) => {
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: "custom", message: "must be a date such as 2026-11-24 or epoch milliseconds" });
    return z.NEVER;
  }
  return t;
});

export const SearchQuery = z.object({
  q: z.string().min(1, "q is required").max(500),
  org: RepoOwner.optional(),
  repo: RepoName.optional(),
  agent: z.enum(AGENTS).optional(),
  author: z.string().min(1).max(200).optional(),
  since: QueryTime.optional(),
  until: QueryTime.optional(),
  cursor: z
    .string()
    .regex(/^\d{1,6}$/, "not a cursor this server returned")
    .optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

/** A message's anchor on a page: qualified by its session, since a commit page shows several sessions. */
export function messageAnchor(sessionId: string, index: number): string {
  return `m-${sessionId}-${index}`;
}

export const SnippetPart = z.object({ text: z.string(), hit: z.boolean() });

export const SearchHit = z.object({
  kind: z.enum(["message", "commit"]),
  repo: z.object({ host: z.string(), owner: z.string(), name: z.string() }),
  snippet: z.array(SnippetPart),
  session: SessionSummary.nullable(),
  message_index: z.number().nullable(),
  anchor: z.string().nullable(),
  /** The commit the message led to (or the commit itself), when there is one. */
  commit: z.object({ sha: z.string(), message: z.string() }).nullable(),
  commits: z.array(z.object({ sha: z.string(), message: z.string() })),
});
export type SearchHit = z.infer<typeof SearchHit>;
export const SearchResponse = z.object({ hits: z.array(SearchHit), next_cursor: z.string().nullable() });

// --- Manual links (added with `residue link` / `residue unlink`; nothing above this line changed) ---

/** What `PUT` / `DELETE /api/repos/<org>/<repo>/commits/<sha>/sessions/<id or prefix>` answer. */
export const LinkChangeResponse = z.object({
  sha: z.string(),
  session_id: z.string(),
  linked: z.boolean(),
  /** False when the pair already was as asked (linked by hand, or not linked). */
  changed: z.boolean(),
});
export type LinkChangeResponse = z.infer<typeof LinkChangeResponse>;

/** The handshake (docs/distribution.md): the CLI names its version on every API request, the server its own on every answer. */
export const CLI_VERSION_HEADER = "X-Residue-Version";
export const SERVER_VERSION_HEADER = "X-Residue-Server-Version";
