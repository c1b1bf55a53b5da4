-- Key rotation (docs/key-rotation.md). Each local actor's key has a number: 1 is published as
-- `#main-key`, later ones as `#key-N`, so that a receiver's cache keyed by key id never mixes two keys.
-- The instance actor's number is the node setting `instance_key_number` (absent: 1).
ALTER TABLE actors ADD COLUMN key_number INTEGER NOT NULL DEFAULT 1;

-- Keys replaced by a rotation. `local` is the actor's slug, '' for the instance actor. Until `dropped`,
-- the key is still published beside the new one (so signatures made with it before the rotation still
-- verify); the private key is kept only to sign the rotation's `Update` (`update_id`) and is erased when
-- the grace period ends (`expires`, Unix seconds).
CREATE TABLE retired_keys (
    local TEXT NOT NULL,
    number INTEGER NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    update_id TEXT,
    retired TEXT NOT NULL,
    expires REAL NOT NULL,
    dropped TEXT,
    PRIMARY KEY (local, number)
);
CREATE INDEX retired_keys_pending ON retired_keys (expires) WHERE dropped IS NULL;
