-- Posts (Notes) of profiles this node aggregates from its peers: the checked, bounded note as JSON,
-- its author (a remote profile's actor), when the origin says it was published and when it arrived.
CREATE TABLE remote_notes (
    id TEXT PRIMARY KEY,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    published TEXT NOT NULL,
    received TEXT NOT NULL
);
CREATE INDEX remote_notes_by_author ON remote_notes (author, published);
CREATE INDEX remote_notes_by_published ON remote_notes (published);

-- A profile's posts go with it, whichever way it goes: erased (a tombstone replaces it), deleted
-- (its peer removed, its domain blocked).
CREATE TRIGGER remote_notes_erased AFTER UPDATE OF deleted ON remote_profiles
WHEN NEW.deleted IS NOT NULL
BEGIN
    DELETE FROM remote_notes WHERE author = NEW.actor;
END;

CREATE TRIGGER remote_notes_dropped AFTER DELETE ON remote_profiles
BEGIN
    DELETE FROM remote_notes WHERE author = OLD.actor;
END;
