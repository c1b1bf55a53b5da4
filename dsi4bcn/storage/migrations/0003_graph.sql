-- The aggregated graph: profiles received from peer nodes (kept raw, so the graph can be rebuilt), which
-- named graphs still need writing to the Oxigraph store, and the peers this node aggregates.

CREATE TABLE remote_profiles (
    actor TEXT PRIMARY KEY,
    peer TEXT NOT NULL,
    document TEXT,
    ntriples TEXT,
    activity_id TEXT,
    key_id TEXT,
    received TEXT NOT NULL,
    updated TEXT NOT NULL,
    deleted TEXT,
    CHECK ((deleted IS NULL) = (document IS NOT NULL))
);
CREATE INDEX remote_profiles_by_peer ON remote_profiles (peer);

-- One row per named graph of the store; `synced` is 0 until the graph process has written its version.
CREATE TABLE graph_sync (
    graph TEXT PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    synced INTEGER NOT NULL DEFAULT 0 CHECK (synced IN (0, 1))
);
CREATE INDEX graph_sync_pending ON graph_sync (graph) WHERE synced = 0;

CREATE TABLE peers (
    actor TEXT PRIMARY KEY,
    origin TEXT NOT NULL UNIQUE,
    inbox TEXT NOT NULL,
    profiles TEXT,
    follow_id TEXT NOT NULL,
    added TEXT NOT NULL,
    backfill_total INTEGER NOT NULL DEFAULT 0,
    backfill_done INTEGER NOT NULL DEFAULT 0,
    last_sync TEXT,
    last_error TEXT
);
