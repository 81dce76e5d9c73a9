import { LayoutManifest, RedactionCounts, SEGMENTS_LAYOUT, type SessionMeta, type SessionSummary } from "@residue/protocol";
import { sessionObjectKey } from "../storage/keys.ts";
import { deleteSessionDocs } from "./search.ts";

export const SESSION_SUMMARY_COLUMNS =
  "s.id, s.agent, s.agent_version, s.status, s.started_at, s.ended_at, s.byte_size, s.message_count, s.title";

/** Stored counts are shown only if they still read as counts: the column is text a migration could not check. */
export function storedRedaction(text: string | null | undefined): RedactionCounts | null {
  if (!text) return null;
  try {
    const parsed = RedactionCounts.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Newer data (by data_updated_at) replaces older; replaying an upload changes nothing; a deleted session stays
 * deleted. New data posted without a layout (an older CLI) is one whole object again: the session goes back
 * to "gzip-v1". A push in segments sets its layout afterwards (storeManifest), behind its guard.
 */
export function upsertSession(db: D1Database, repoId: number, s: SessionMeta, now: number) {
  return db
    .prepare(
      `INSERT INTO sessions (id, repo_id, agent, agent_version, status, started_at, ended_at, data_updated_at, r2_key,
         byte_size, content_hash, message_count, title, uploaded_at, redacted)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15
       WHERE NOT EXISTS (SELECT 1 FROM session_tombstones t WHERE t.id = ?1)
       ON CONFLICT (id) DO UPDATE SET agent = excluded.agent, agent_version = excluded.agent_version,
         status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at,
         data_updated_at = excluded.data_updated_at, byte_size = excluded.byte_size,
         content_hash = excluded.content_hash, message_count = excluded.message_count, title = excluded.title,
         uploaded_at = excluded.uploaded_at, redacted = excluded.redacted,
         layout = CASE WHEN ?16 OR excluded.content_hash = sessions.content_hash THEN sessions.layout ELSE 'gzip-v1' END,
         manifest = CASE WHEN ?16 OR excluded.content_hash = sessions.content_hash THEN sessions.manifest ELSE NULL END
       WHERE excluded.data_updated_at >= sessions.data_updated_at`,
    )
    .bind(
      s.id,
      repoId,
      s.agent,
      s.agent_version ?? null,
      s.status,
      s.started_at ?? null,
      s.ended_at ?? null,
      s.data_updated_at,
      sessionObjectKey(s.id),
      s.byte_size,
      s.content_hash,
      s.message_count,
      s.title ?? null,
      now,
      s.redacted ? JSON.stringify(s.redacted) : null,
      s.layout ? 1 : 0,
    );
}

/** What a push in segments expects to find stored: `generation:pushes`, or "" when no segments are. */
export const layoutState = (manifest: LayoutManifest | null) => (manifest ? `${manifest.generation}:${manifest.pushes}` : "");

/**
 * A statement that fails (and so rolls back the whole D1 batch, one transaction) unless the session's
 * stored layout is still the one a push was checked against: of two pushes of the same number, one wins.
 */
export function layoutGuard(db: D1Database, id: string, expected: LayoutManifest | null) {
  return db
    .prepare(
      `SELECT CASE WHEN coalesce((SELECT CASE WHEN layout = '${SEGMENTS_LAYOUT}' AND json_valid(manifest)
         THEN json_extract(manifest, '$.generation') || ':' || json_extract(manifest, '$.pushes') END
         FROM sessions WHERE id = ?1), '') <> ?2 THEN json('${LAYOUT_GUARD_FAILED}') END`,
    )
    .bind(id, layoutState(expected));
}

/** The guard's failure as D1 reports it (SQLite's error for the malformed JSON it evaluates). */
const LAYOUT_GUARD_FAILED = "layout moved on";
export const isLayoutGuardFailure = (error: unknown) => error instanceof Error && /malformed JSON/i.test(error.message);

export function storeManifest(db: D1Database, id: string, manifest: LayoutManifest) {
  return db.prepare(`UPDATE sessions SET layout = '${SEGMENTS_LAYOUT}', manifest = ?2 WHERE id = ?1`).bind(id, JSON.stringify(manifest));
}

/** Which of these ids have a row in `table` (both given here, never by a caller's input). */
async function idsIn(db: D1Database, table: "sessions" | "session_tombstones", ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { results } = await db
    .prepare(`SELECT id FROM ${table} WHERE id IN (SELECT value FROM json_each(?1))`)
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}

export const existingSessionIds = (db: D1Database, ids: string[]) => idsIn(db, "sessions", ids);

export interface StoredVersion {
  content_hash: string;
  data_updated_at: number;
  layout: StoredLayout;
}

/** What is stored of each of these sessions that exists: which data, how new, and in which layout. */
export async function storedVersions(db: D1Database, ids: string[]): Promise<Map<string, StoredVersion>> {
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare("SELECT id, content_hash, data_updated_at, layout, manifest FROM sessions WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .all<Omit<StoredVersion, "layout"> & { id: string; layout: string; manifest: string | null }>();
  return new Map(results.map(({ id, layout, manifest, ...version }) => [id, { ...version, layout: storedLayout(layout, manifest) }]));
}

/** How a session's data is stored: one object (gzip or plain), or segments described by a manifest. */
export type StoredLayout = { kind: "whole" } | { kind: "segments"; manifest: LayoutManifest } | { kind: "damaged" };

/** A stored manifest is used only if it still reads as one: the column is text no migration could check. */
export function storedLayout(layout: string, manifest: string | null): StoredLayout {
  if (layout !== SEGMENTS_LAYOUT) return { kind: "whole" };
  try {
    const parsed = LayoutManifest.safeParse(JSON.parse(manifest ?? ""));
    return parsed.success ? { kind: "segments", manifest: parsed.data } : { kind: "damaged" };
  } catch {
    return { kind: "damaged" };
  }
}

export interface SessionRow extends SessionSummary {
  r2_key: string;
  content_hash: string;
  layout: StoredLayout;
}

export async function getSession(db: D1Database, id: string): Promise<SessionRow | null> {
  const row = await db
    .prepare(
      `SELECT ${SESSION_SUMMARY_COLUMNS}, s.r2_key, s.content_hash, s.redacted, s.layout, s.manifest FROM sessions s WHERE s.id = ?1`,
    )
    .bind(id)
    .first<Omit<SessionRow, "redacted" | "layout"> & { redacted: string | null; layout: string; manifest: string | null }>();
  if (!row) return null;
  const { manifest, layout, ...rest } = row;
  return { ...rest, redacted: storedRedaction(row.redacted), layout: storedLayout(layout, manifest) };
}

/** A repo's sessions whose id starts with the prefix (at most two: enough to tell a unique match from an ambiguous one). */
export async function findSessionsByPrefix(db: D1Database, repoId: number, prefix: string): Promise<SessionSummary[]> {
  const { results } = await db
    .prepare(
      `SELECT ${SESSION_SUMMARY_COLUMNS} FROM sessions s WHERE s.repo_id = ?1 AND s.id >= ?2 AND s.id < ?2 || 'g' ORDER BY s.id LIMIT 2`,
    )
    .bind(repoId, prefix)
    .all<SessionSummary>();
  return results;
}

/** The repo a session belongs to; null when there is no such session. */
export async function sessionRepoId(db: D1Database, id: string): Promise<number | null> {
  const row = await db.prepare("SELECT repo_id FROM sessions WHERE id = ?1").bind(id).first<{ repo_id: number }>();
  return row?.repo_id ?? null;
}

/**
 * Removes the session, its links and its search rows, and leaves a tombstone so no later push brings it
 * back. Its commits stay: they are git's record, and their permalinks keep working without it.
 */
export async function deleteSession(db: D1Database, id: string, now: number) {
  await db.batch([
    db.prepare("DELETE FROM commit_sessions WHERE session_id = ?1").bind(id),
    db.prepare("DELETE FROM sessions WHERE id = ?1").bind(id),
    deleteSessionDocs(db, id),
    db
      .prepare(
        "INSERT INTO session_tombstones (id, deleted_at) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET deleted_at = excluded.deleted_at",
      )
      .bind(id, now),
  ]);
}

/** Which of these sessions were deleted: their uploads are refused. */
export const deletedSessionIds = (db: D1Database, ids: string[]) => idsIn(db, "session_tombstones", ids);
