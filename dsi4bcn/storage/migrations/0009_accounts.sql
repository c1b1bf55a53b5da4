-- People who manage the node in a browser. An admin manages everything; an editor one organisation (its
-- slug, which may not exist yet) and its projects. The password is an argon2id hash.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    organisation TEXT,
    password_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    CHECK ((role = 'editor') = (organisation IS NOT NULL))
);

-- One-time links where a person sets a password and so creates their account. Only a hash of the token is
-- kept. The first admin's invitation names no email: they give it when they accept.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    organisation TEXT,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    created_by TEXT NOT NULL,
    used TEXT
);

-- Signed-in browsers: a hash of the cookie's value, the CSRF token of the session's forms, and its end.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account);

-- Personal API tokens: the same permissions as their owner; only a hash is kept.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    last_used TEXT
);
CREATE INDEX api_tokens_by_account ON api_tokens (account);

-- Who changed what and when: an account's email or "admin token", a stable action code, its target.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
