-- Server state the hardening needs. Times are Unix epoch milliseconds.

-- One row per upload URL: a local URL is accepted once (used_at), and objects whose session never
-- arrived are found and deleted after a grace period.
CREATE TABLE upload_grants (
  nonce TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX upload_grants_by_expiry ON upload_grants (expires_at);

-- Signed-in UI browsers: a cookie is valid only while its row exists, so signing out revokes it.
CREATE TABLE ui_sessions (
  id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);

-- Failed authentications per client and scope ('bearer', 'login'), for lockouts.
CREATE TABLE auth_failures (
  scope TEXT NOT NULL,
  client TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, client)
) WITHOUT ROWID;
