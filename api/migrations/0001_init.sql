-- Sessions are stored once; commits reference them through commit_sessions (many-to-many).
-- Times are Unix epoch milliseconds.

CREATE TABLE repos (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  owner TEXT NOT NULL,          -- owner path: "acme" or a GitLab subgroup path "acme/platform/tools"
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  UNIQUE (host, owner, name)
);
CREATE INDEX repos_by_owner ON repos (owner, name);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  repo_id INTEGER NOT NULL REFERENCES repos (id),
  agent TEXT NOT NULL,
  agent_version TEXT,
  status TEXT NOT NULL CHECK (status IN ('open', 'ended')),
  started_at INTEGER,
  ended_at INTEGER,
  data_updated_at INTEGER NOT NULL, -- when the client last saw the transcript change; newer wins
  r2_key TEXT NOT NULL,
  byte_size INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  message_count INTEGER NOT NULL,
  title TEXT,
  uploaded_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_repo ON sessions (repo_id, started_at DESC);

CREATE TABLE commits (
  repo_id INTEGER NOT NULL REFERENCES repos (id),
  sha TEXT NOT NULL,
  message TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  committed_at INTEGER NOT NULL,
  branch TEXT,
  files_changed INTEGER NOT NULL,
  additions INTEGER NOT NULL,
  deletions INTEGER NOT NULL,
  PRIMARY KEY (repo_id, sha)
) WITHOUT ROWID;
CREATE INDEX commits_timeline ON commits (repo_id, committed_at DESC, sha DESC);

CREATE TABLE commit_files (
  repo_id INTEGER NOT NULL,
  sha TEXT NOT NULL,
  path TEXT NOT NULL,
  additions INTEGER NOT NULL,
  deletions INTEGER NOT NULL,
  PRIMARY KEY (repo_id, sha, path),
  FOREIGN KEY (repo_id, sha) REFERENCES commits (repo_id, sha) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX commit_files_by_path ON commit_files (repo_id, path);

-- Where the transcript had got to when the commit was made, so a page can mark the turns that led to it.
CREATE TABLE commit_sessions (
  repo_id INTEGER NOT NULL,
  sha TEXT NOT NULL,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  transcript_line INTEGER,
  transcript_byte INTEGER,
  last_message_at INTEGER,
  PRIMARY KEY (repo_id, sha, session_id),
  FOREIGN KEY (repo_id, sha) REFERENCES commits (repo_id, sha) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX commit_sessions_by_session ON commit_sessions (session_id, repo_id, sha);
