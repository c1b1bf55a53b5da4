-- Federation state: remote actors and keys we know, follows both ways, the inbox, the outbox,
-- posts, the delivery queue, delivery failures per host, and blocked domains.

CREATE TABLE remote_actors (
    id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    document TEXT NOT NULL,
    fetched TEXT NOT NULL
);

CREATE TABLE remote_keys (
    key_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    fetched TEXT NOT NULL
);
CREATE INDEX remote_keys_by_owner ON remote_keys (owner);

-- Remote actors following local ones. `local` is the local actor's slug, '' for the instance actor.
CREATE TABLE followers (
    local TEXT NOT NULL,
    actor TEXT NOT NULL,
    follow_id TEXT NOT NULL,
    follow TEXT NOT NULL,
    accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    created TEXT NOT NULL,
    PRIMARY KEY (local, actor)
);
CREATE INDEX followers_by_actor ON followers (actor);

-- Local actors following remote ones.
CREATE TABLE following (
    local TEXT NOT NULL,
    actor TEXT NOT NULL,
    follow_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created TEXT NOT NULL,
    PRIMARY KEY (local, actor)
);

-- Every verified activity received, processed once (its id is the key, so a replay stores nothing).
CREATE TABLE inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    key_id TEXT NOT NULL,
    received TEXT NOT NULL,
    processed TEXT,
    outcome TEXT
);
CREATE INDEX inbox_unprocessed ON inbox (seq) WHERE processed IS NULL;

-- Activities local actors sent (`public` ones are listed in their outbox collection).
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id TEXT NOT NULL UNIQUE,
    local TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    public INTEGER NOT NULL CHECK (public IN (0, 1)),
    published TEXT NOT NULL
);
CREATE INDEX outbox_by_actor ON outbox (local, public, seq);

-- Posts (Notes) of local actors, served at their ids.
CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    local TEXT NOT NULL,
    body TEXT NOT NULL,
    published TEXT NOT NULL,
    deleted TEXT
);

-- One row per (activity, inbox) still owed. Deleted when delivered or given up.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id TEXT NOT NULL REFERENCES outbox (activity_id),
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    last_error TEXT,
    created TEXT NOT NULL,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt);

-- Days on which deliveries to a host failed; cleared when the host answers again.
CREATE TABLE host_failures (
    host TEXT NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (host, day)
);

CREATE TABLE blocked_domains (
    domain TEXT PRIMARY KEY,
    reason TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
