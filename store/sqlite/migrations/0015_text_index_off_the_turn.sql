-- Writing each turn's messages into the FTS5 index in the turn's own
-- transaction doubled what a turn costs to store (each transaction makes
-- an index segment of its own). The index now takes messages in batches
-- before a search reads it (store.DialogFilter.Text): every message whose
-- rowid is above fts_progress.indexed_through is added then. Messages are
-- only ever inserted, with rising rowids, so the watermark is exact.
DROP TRIGGER messages_fts_insert;
CREATE TABLE fts_progress (indexed_through INTEGER NOT NULL) STRICT;
INSERT INTO fts_progress (indexed_through) SELECT coalesce(max(rowid), 0) FROM messages;
