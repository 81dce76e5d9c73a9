// Failed authentications per (scope, client), so guessing a secret costs a lockout instead of a millisecond.

export interface LockoutPolicy {
  /** Failures within one window that lock the client out. */
  limit: number;
  windowMs: number;
  lockoutMs: number;
}

/** Until when (epoch ms) the client is locked out of the scope; 0 when it is not. */
export async function lockedUntil(db: D1Database, scope: string, client: string, now: number): Promise<number> {
  const row = await db
    .prepare("SELECT locked_until FROM auth_failures WHERE scope = ?1 AND client = ?2 AND locked_until > ?3")
    .bind(scope, client, now)
    .first<{ locked_until: number }>();
  return row?.locked_until ?? 0;
}

/**
 * Counts one failure; reaching the limit within the window locks the client out. The count is kept for
 * the rest of the window, so a failure right after a lockout ends locks it out again.
 */
export async function recordFailure(db: D1Database, scope: string, client: string, now: number, policy: LockoutPolicy) {
  const count = "CASE WHEN window_start <= ?3 - ?4 THEN 1 ELSE failures + 1 END";
  await db.batch([
    db
      .prepare(
        `INSERT INTO auth_failures (scope, client, window_start, failures, locked_until)
         VALUES (?1, ?2, ?3, 1, CASE WHEN ?5 <= 1 THEN ?3 + ?6 ELSE 0 END)
         ON CONFLICT (scope, client) DO UPDATE SET
           window_start = CASE WHEN window_start <= ?3 - ?4 THEN ?3 ELSE window_start END,
           failures = ${count},
           locked_until = CASE WHEN ${count} >= ?5 THEN ?3 + ?6 ELSE locked_until END`,
      )
      .bind(scope, client, now, policy.windowMs, policy.limit, policy.lockoutMs),
    // Rows of clients that stopped failing are of no use once their window and lockout are over.
    db.prepare("DELETE FROM auth_failures WHERE window_start <= ?1 - ?2 AND locked_until <= ?1").bind(now, policy.windowMs),
  ]);
}
