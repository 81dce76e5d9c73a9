// Upload URLs handed out: each local URL is accepted once, and a grant whose session never arrived marks
// an object to sweep.

export function insertGrant(db: D1Database, nonce: string, sessionId: string, expiresAt: number) {
  return db
    .prepare("INSERT INTO upload_grants (nonce, session_id, expires_at) VALUES (?1, ?2, ?3)")
    .bind(nonce, sessionId, expiresAt)
    .run();
}

/** Marks the grant used; false when it is unknown, for another session, expired or already used. */
export async function useGrant(db: D1Database, nonce: string, sessionId: string, now: number): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE upload_grants SET used_at = ?3
       WHERE nonce = ?1 AND session_id = ?2 AND used_at IS NULL AND expires_at >= ?3 RETURNING nonce`,
    )
    .bind(nonce, sessionId, now)
    .first();
  return row !== null;
}

/**
 * Sessions that were granted an upload but have no row, and whose newest grant expired before `cutoff`:
 * whatever was uploaded for them is an orphan. A newer grant protects an upload still in progress.
 */
export async function orphanedSessions(db: D1Database, cutoff: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT g.session_id FROM upload_grants g
       WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = g.session_id)
       GROUP BY g.session_id HAVING max(g.expires_at) < ?1 LIMIT ?2`,
    )
    .bind(cutoff, limit)
    .all<{ session_id: string }>();
  return results.map((r) => r.session_id);
}

/** Forgets the grants of swept sessions, and expired grants of sessions that arrived (nothing to sweep there). */
export function forgetGrants(db: D1Database, sweptSessionIds: string[], cutoff: number) {
  return db.batch([
    db.prepare("DELETE FROM upload_grants WHERE session_id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(sweptSessionIds)),
    db
      .prepare(
        "DELETE FROM upload_grants WHERE expires_at < ?1 AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = upload_grants.session_id)",
      )
      .bind(cutoff),
  ]);
}
