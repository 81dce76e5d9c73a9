// Signed-in UI browsers. The cookie is signed, but only a row here makes it valid: signing out deletes it.

export function insertUiSession(db: D1Database, id: string, expiresAt: number, now: number) {
  return db.batch([
    db.prepare("INSERT INTO ui_sessions (id, expires_at) VALUES (?1, ?2)").bind(id, expiresAt),
    db.prepare("DELETE FROM ui_sessions WHERE expires_at <= ?1").bind(now),
  ]);
}

export async function uiSessionExists(db: D1Database, id: string, now: number): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS ok FROM ui_sessions WHERE id = ?1 AND expires_at > ?2").bind(id, now).first()) !== null;
}

export function deleteUiSession(db: D1Database, id: string) {
  return db.prepare("DELETE FROM ui_sessions WHERE id = ?1").bind(id).run();
}
