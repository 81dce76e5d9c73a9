// One session's metadata and stored data. The data is client bytes that may inflate without bound, so it
// is either handed on as the stored stream (the raw API) or read inflated up to a stated size (the UI).
import { commitsOfSession, type SessionCommitLink } from "../db/commits.ts";
import { findRepoById, type RepoRow } from "../db/repos.ts";
import { deleteSession, getSession, type SessionRow, sessionRepoId } from "../db/sessions.ts";
import { readTranscript, type TranscriptText } from "../storage/session-data.ts";
import { deleteSessionObjects } from "../storage/session-objects.ts";
import { type Missing, missing } from "./outcome.ts";

export type SessionDataOutcome = { kind: "found"; session: SessionRow; object: R2ObjectBody | null } | Missing;

/**
 * The session and its stored whole object; `object` is null when its data was never uploaded, or is stored
 * in segments (`session.layout`), which are read by range instead.
 */
export async function readSessionData(db: D1Database, bucket: R2Bucket, id: string): Promise<SessionDataOutcome> {
  const session = await getSession(db, id);
  if (!session) return missing("session");
  return { kind: "found", session, object: session.layout.kind === "whole" ? await bucket.get(session.r2_key) : null };
}

export type TranscriptOutcome = { kind: "found"; session: SessionRow; transcript: TranscriptText | null } | Missing;

/** At most `maxBytes` of a session's transcript, inflated; `transcript` is null when its data was never uploaded. */
export async function readSessionTranscript(db: D1Database, bucket: R2Bucket, id: string, maxBytes: number): Promise<TranscriptOutcome> {
  const data = await readSessionData(db, bucket, id);
  if (data.kind === "missing") return data;
  return { kind: "found", session: data.session, transcript: data.object ? await readTranscript(data.object.body, maxBytes) : null };
}

export type RemovedOutcome = { kind: "done"; session: SessionRow } | Missing;

/**
 * Deletes a session everywhere the server holds it (rows, links, search rows, stored object) and keeps it
 * deleted: the API's DELETE and the UI's delete button both come here.
 */
export async function removeSession(db: D1Database, bucket: R2Bucket, id: string, now: number): Promise<RemovedOutcome> {
  const session = await getSession(db, id);
  if (!session) return missing("session");
  await deleteSession(db, id, now);
  await deleteSessionObjects(bucket, id);
  return { kind: "done", session };
}

export type SessionPlaceOutcome = { kind: "found"; session: SessionRow; repo: RepoRow; commits: SessionCommitLink[] } | Missing;

/** A session with its repo and the commits it is linked to: what deleting it would take away. */
export async function readSessionPlace(db: D1Database, id: string): Promise<SessionPlaceOutcome> {
  const [session, repoId] = await Promise.all([getSession(db, id), sessionRepoId(db, id)]);
  const repo = repoId === null ? null : await findRepoById(db, repoId);
  if (!session || !repo) return missing("session");
  return { kind: "found", session, repo, commits: await commitsOfSession(db, repo.id, id) };
}
