-- Since when each graph has waited to be written to the store (Unix seconds), so that /metrics can say how
-- far the graph sync lags behind SQLite: from the moment it stops being synced, or from the moment a new
-- version of a graph that was set aside is marked. storage/graphstate.py writes it with each change; the
-- trigger below gives it to rows that other writers (the triggers of 0010 to 0012) mark unsynced again. A
-- row those triggers insert has none, and counts as pending without an age: an insert trigger, even one
-- whose WHEN is false, made adding 100,000 graphs four to five times slower (measured).
ALTER TABLE graph_sync ADD COLUMN unsynced_since REAL;
UPDATE graph_sync SET unsynced_since = (julianday('now') - 2440587.5) * 86400.0 WHERE synced = 0;
CREATE INDEX graph_sync_waiting ON graph_sync (unsynced_since) WHERE synced = 0 AND failed IS NULL;
-- Graphs set aside are counted at every scrape too: by an index, not a scan of every graph.
CREATE INDEX graph_sync_set_aside ON graph_sync (graph) WHERE synced = 0 AND failed IS NOT NULL;

CREATE TRIGGER graph_sync_waits_from_update AFTER UPDATE OF synced, failed ON graph_sync
WHEN NEW.synced = 0 AND (OLD.synced = 1 OR (OLD.failed IS NOT NULL AND NEW.failed IS NULL))
    AND NEW.unsynced_since IS OLD.unsynced_since
BEGIN
    UPDATE graph_sync SET unsynced_since = (julianday('now') - 2440587.5) * 86400.0 WHERE graph = NEW.graph;
END;
