-- Calls for collaboration of profiles this node aggregates (docs/calls.md): each proposal as received and
-- checked, in the canonical form (JSON) and as N-Triples for its graph, its author (a received profile),
-- the peer it came through, when its origin last changed it, when it arrived, and when it stops taking
-- answers (the earlier of hasEnd and its deadline). A call its author deleted keeps its row without content, so that a late Create or
-- Update cannot bring it back.
CREATE TABLE remote_calls (
    iri TEXT PRIMARY KEY,
    author TEXT NOT NULL,
    peer TEXT NOT NULL,
    document TEXT,
    ntriples TEXT,
    ends TEXT,
    updated TEXT NOT NULL,
    received TEXT NOT NULL,
    deleted TEXT,
    CHECK ((deleted IS NULL) = (document IS NOT NULL AND ntriples IS NOT NULL))
);
CREATE INDEX remote_calls_by_author ON remote_calls (author);
CREATE INDEX remote_calls_live ON remote_calls (received) WHERE deleted IS NULL;

-- A profile's calls go with it, whichever way it goes (erased, its peer removed, its domain blocked), and
-- their graphs are written again (that is, dropped), in the same transaction.
CREATE TRIGGER remote_calls_erased AFTER UPDATE OF deleted ON remote_profiles
WHEN NEW.deleted IS NOT NULL
BEGIN
    INSERT INTO graph_sync (graph) SELECT iri FROM remote_calls WHERE author = NEW.actor AND deleted IS NULL
        ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL;
    DELETE FROM remote_calls WHERE author = NEW.actor;
END;

CREATE TRIGGER remote_calls_dropped AFTER DELETE ON remote_profiles
BEGIN
    INSERT INTO graph_sync (graph) SELECT iri FROM remote_calls WHERE author = OLD.actor AND deleted IS NULL
        ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL;
    DELETE FROM remote_calls WHERE author = OLD.actor;
END;
