-- Calls for collaboration of local actors (docs/calls.md): the canonical editable call as JSON, its id
-- (also its page and its named graph), its author (a local organisation or project), when it was
-- published, last changed, closed and deleted. A deleted call keeps its row, so that its id answers 410
-- and is never reused, but loses its content.
CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    local TEXT NOT NULL REFERENCES actors (slug),
    body TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL,
    closed TEXT,
    deleted TEXT,
    CHECK ((deleted IS NULL) OR (body = '{}'))
);
CREATE INDEX calls_by_local ON calls (local, published);
CREATE INDEX calls_live ON calls (published) WHERE deleted IS NULL;

-- An erased profile takes its calls with it: their content goes and their graphs are written again
-- (that is, dropped), in the erasure's own transaction. Peers erase them with the profile's Delete.
CREATE TRIGGER calls_of_erased_profile AFTER UPDATE OF deleted ON actors
WHEN NEW.deleted IS NOT NULL
BEGIN
    INSERT INTO graph_sync (graph) SELECT iri FROM calls WHERE local = NEW.slug AND deleted IS NULL
        ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL;
    UPDATE calls SET deleted = NEW.deleted, body = '{}' WHERE local = NEW.slug AND deleted IS NULL;
END;
