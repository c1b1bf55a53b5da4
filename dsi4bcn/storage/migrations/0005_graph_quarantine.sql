-- A graph that cannot be written (its content or provenance fails in the store) is set aside with the
-- reason instead of failing its whole batch forever; a new version of it (or a rebuild) tries again.
ALTER TABLE graph_sync ADD COLUMN failed TEXT;
DROP INDEX graph_sync_pending;
CREATE INDEX graph_sync_pending ON graph_sync (graph) WHERE synced = 0 AND failed IS NULL;
