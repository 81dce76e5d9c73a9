-- Full-text search over conversations (one row per message, extracted by the CLI with the shared mapper)
-- and commit messages. search_docs holds the rows and their facets; search_fts indexes their text.
CREATE TABLE search_docs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('message', 'commit')),
  repo_id INTEGER NOT NULL,
  session_id TEXT,           -- kind = 'message'
  message_index INTEGER,     -- kind = 'message': the page anchor #m-<index>
  line INTEGER,              -- kind = 'message': transcript line, compared with commit positions
  role TEXT,
  sha TEXT,                  -- kind = 'commit'
  at INTEGER,
  text TEXT NOT NULL,
  tools TEXT NOT NULL,
  files TEXT NOT NULL,
  commands TEXT NOT NULL
);
CREATE INDEX search_docs_by_session ON search_docs (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX search_docs_by_commit ON search_docs (repo_id, sha) WHERE sha IS NOT NULL;

CREATE VIRTUAL TABLE search_fts USING fts5 (
  text, tools, files, commands,
  content = 'search_docs', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_docs_after_insert AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts (rowid, text, tools, files, commands) VALUES (new.id, new.text, new.tools, new.files, new.commands);
END;

CREATE TRIGGER search_docs_after_delete AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts (search_fts, rowid, text, tools, files, commands) VALUES ('delete', old.id, old.text, old.tools, old.files, old.commands);
END;
