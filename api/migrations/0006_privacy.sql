-- What users decide about their record: how much was redacted, and what they took back.

-- Values the CLI redacted from the session before upload, per rule, as a JSON object validated on the way
-- in and out. NULL for uploads from CLIs that did not count (unknown, not zero).
ALTER TABLE sessions ADD COLUMN redacted TEXT;

-- A session someone deleted: a later push of the same id (a teammate's clone, a stale local queue) is
-- refused instead of re-creating it. No foreign key: the tombstone outlives every row of the session.
CREATE TABLE session_tombstones (
  id TEXT PRIMARY KEY,
  deleted_at INTEGER NOT NULL
) WITHOUT ROWID;
