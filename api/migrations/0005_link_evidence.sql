-- Why each commit–session link exists, and the commit graph that orders a session's commits.

-- Where this commit's part of the conversation begins (the transcript position after which its turns
-- start), why the link was made (a LinkReason as JSON, validated on the way in and out), and who made it.
-- Links from CLIs that send no evidence keep NULLs and origin 'auto'.
ALTER TABLE commit_sessions ADD COLUMN since_line INTEGER;
ALTER TABLE commit_sessions ADD COLUMN since_byte INTEGER;
ALTER TABLE commit_sessions ADD COLUMN since_last_message_at INTEGER;
ALTER TABLE commit_sessions ADD COLUMN reason TEXT;
ALTER TABLE commit_sessions ADD COLUMN origin TEXT NOT NULL DEFAULT 'auto' CHECK (origin IN ('auto', 'manual'));

-- The commit's parents in git's order as a JSON array of SHAs; NULL when the CLI did not say (pages then
-- fall back to time), '[]' for a root commit.
ALTER TABLE commits ADD COLUMN parents TEXT;

-- A link a person removed: an automatic link posted again for the same pair must not bring it back.
-- No foreign keys: the tombstone outlives the commit and the link rows it names (a commit is deleted with
-- its last session and re-created by the next push).
CREATE TABLE link_tombstones (
  repo_id INTEGER NOT NULL,
  sha TEXT NOT NULL,
  session_id TEXT NOT NULL,
  removed_at INTEGER NOT NULL,
  PRIMARY KEY (repo_id, sha, session_id)
) WITHOUT ROWID;
