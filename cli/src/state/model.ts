// The local queue: sessions waiting to be uploaded and commits waiting to be linked on the backend.

import { AGENTS, LinkReason } from "@residue/protocol";
import { z } from "zod";

export const Position = z.object({ line: z.number(), byte: z.number(), last_message_at: z.number().nullable() });
export type Position = z.infer<typeof Position>;

export const LocalSession = z.object({
  id: z.string(),
  agent: z.enum(AGENTS),
  agent_version: z.string().nullable().default(null),
  /** The agent's own id for the session, when it differs from ours. */
  agent_session_id: z.string().nullable().default(null),
  data_path: z.string(),
  cwd: z.string(),
  status: z.enum(["open", "ended"]),
  started_at: z.number(),
  ended_at: z.number().nullable().default(null),
  /** content_hash of the last successful upload; unchanged data is not uploaded again. */
  uploaded_hash: z.string().nullable().default(null),
  /** status sent with that upload, so an end after an upload still reaches the backend. */
  uploaded_status: z.enum(["open", "ended"]).nullable().default(null),
  /** content_hash last indexed for search; behind uploaded_hash means indexing is still owed. */
  indexed_hash: z.string().nullable().default(null),
  /** The transcript existed once: if it is gone with no copy kept, the session is lost, not still to come. */
  data_seen: z.boolean().default(false),
  /**
   * When it was registered or resumed, the transcript's size then, and when it ended: it is linked only to
   * commits made within one of these spans, with what it said from that span's start. Empty in entries from
   * before: one span from `started_at` (byte 0) to `ended_at` stands in.
   */
  spans: z.array(z.object({ from: z.number(), byte: z.number(), to: z.number().nullable() })).default([]),
  /** The last commit linked to it and where the transcript stood then: the next commit's part starts there. */
  last_link: z.object({ sha: z.string(), position: Position }).nullable().default(null),
  /** Per file a linked commit changed: the line up to which the session's edits of it are in a commit. */
  claimed: z.record(z.string(), z.number()).default({}),
});
export type LocalSession = z.infer<typeof LocalSession>;

export const SessionLink = z.object({
  session_id: z.string(),
  position: Position.partial().default({}),
  /** Where this commit's part of the transcript begins. */
  since: Position.partial().optional(),
  reason: LinkReason.optional(),
});
export type SessionLink = z.infer<typeof SessionLink>;

export const FileStat = z.object({ path: z.string(), additions: z.number(), deletions: z.number() });

export const LocalCommit = z.object({
  sha: z.string(),
  message: z.string(),
  author_name: z.string(),
  author_email: z.string(),
  committed_at: z.number(),
  /** Absent in entries queued before parents were recorded. */
  parents: z.array(z.string()).optional(),
  branch: z.string().nullable(),
  files: z.array(FileStat),
  sessions: z.array(SessionLink),
  /** SHAs this commit replaced through amend/rebase; removed from the backend when this one is linked. */
  replaces: z.array(z.string()).default([]),
});
export type LocalCommit = z.infer<typeof LocalCommit>;

/** Something the user must hear about until they say so (`residue dismiss`): repeated by status, doctor and hooks. */
export const Notice = z.object({ key: z.string(), message: z.string(), at: z.number() });
export type Notice = z.infer<typeof Notice>;

/** What recognises a forgotten session when its agent reports it again: our id, the agent's id, the transcript. */
export const ForgottenSession = z.object({
  id: z.string(),
  agent_session_id: z.string().nullable(),
  data_path: z.string(),
  at: z.number(),
});
export type ForgottenSession = z.infer<typeof ForgottenSession>;

export const State = z.object({
  version: z.literal(1),
  sessions: z.record(z.string(), LocalSession),
  commits: z.record(z.string(), LocalCommit),
  /** Commits already on the backend, kept briefly so a later amend/rebase can remap them. */
  uploaded_commits: z.record(z.string(), z.array(SessionLink)).default({}),
  notices: z.array(Notice).default([]),
  /** Unpushed commits that were decided to link no session, newest last: not decided again. */
  unlinked_commits: z.array(z.string()).default([]),
  /** Sessions the user took back (`residue forget`, a delete on the server): never registered or uploaded again. */
  forgotten: z.array(ForgottenSession).default([]),
});
export type State = z.infer<typeof State>;

export const emptyState = (): State => ({
  version: 1,
  sessions: {},
  commits: {},
  uploaded_commits: {},
  notices: [],
  unlinked_commits: [],
  forgotten: [],
});
