-- Sessions stored in segments (protocol/src/layout.ts, docs/scale-design.md): which layout a session's data
-- is in, and for "segments-v2" the manifest of its chunk and index objects (JSON, validated on the way in and
-- out). Every session stored before keeps its one object ("gzip-v1") and is read as before.
ALTER TABLE sessions ADD COLUMN layout TEXT NOT NULL DEFAULT 'gzip-v1';
ALTER TABLE sessions ADD COLUMN manifest TEXT;
