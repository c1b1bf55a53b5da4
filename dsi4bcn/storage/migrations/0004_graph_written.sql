-- Whether a graph was ever written to the store: graphs never written yet (first ingest, or after a
-- rebuild emptied the store) are loaded with Oxigraph's bulk loader instead of a transactional update.
ALTER TABLE graph_sync ADD COLUMN written INTEGER NOT NULL DEFAULT 0 CHECK (written IN (0, 1));
UPDATE graph_sync SET written = synced;
