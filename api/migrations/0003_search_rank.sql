-- Rank by bm25 with prose weighted over tool names, paths and commands, so `ORDER BY rank` can be
-- answered by FTS5 alone before any join.
INSERT INTO search_fts (search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 4.0, 2.0)');
