-- Each batch of graphs the graph sync writes gets the next number in synced_seq, so that the other worker
-- processes of a node (serve --workers N) can ask which graphs were written since the last batch they read,
-- by an index, and refresh their directory and matching indexes from them.
ALTER TABLE graph_sync ADD COLUMN synced_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX graph_sync_synced_seq ON graph_sync (synced_seq) WHERE synced_seq > 0;
