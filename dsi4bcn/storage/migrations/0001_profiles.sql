-- Organisations and projects, each an ActivityPub actor with its own key pair.
-- The editable profile is kept as canonical JSON (the shape the admin API accepts and returns);
-- published documents are rendered from it.
CREATE TABLE actors (
    slug TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'project')),
    organisation TEXT REFERENCES actors (slug),
    profile TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL,
    deleted TEXT,
    CHECK ((kind = 'project') = (organisation IS NOT NULL))
);

CREATE INDEX actors_by_organisation ON actors (organisation) WHERE organisation IS NOT NULL;

-- Node-wide settings and the instance actor's key.
CREATE TABLE node_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
