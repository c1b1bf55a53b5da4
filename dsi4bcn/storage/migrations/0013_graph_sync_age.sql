-- Since when each graph has waited to be written to the store (Unix seconds), so that /metrics can say how
-- far the graph sync lags behind SQLite. Kept by triggers, so that every writer of graph_sync (the stores,
-- the triggers of 0010, a rebuild) sets it without knowing: a graph waits from the moment it stops being
-- synced, or from the moment a new version of a graph that was set aside is marked, whichever is later.
ALTER TABLE graph_sync ADD COLUMN unsynced_since REAL;
UPDATE graph_sync SET unsynced_since = (julianday('now') - 2440587.5) * 86400.0 WHERE synced = 0;
CREATE INDEX graph_sync_waiting ON graph_sync (unsynced_since) WHERE synced = 0 AND failed IS NULL;

CREATE TRIGGER graph_sync_waits_from_insert AFTER INSERT ON graph_sync
WHEN NEW.synced = 0
BEGIN
    UPDATE graph_sync SET unsynced_since = (julianday('now') - 2440587.5) * 86400.0 WHERE graph = NEW.graph;
END;

CREATE TRIGGER graph_sync_waits_from_update AFTER UPDATE OF synced, failed ON graph_sync
WHEN NEW.synced = 0 AND (OLD.synced = 1 OR (OLD.failed IS NOT NULL AND NEW.failed IS NULL))
BEGIN
    UPDATE graph_sync SET unsynced_since = (julianday('now') - 2440587.5) * 86400.0 WHERE graph = NEW.graph;
END;
