-- Images the node serves at /media/<sha256>.<ext>: uploaded, shipped with the demo, or copies of the
-- images of received profiles (source 'cache', removed once no received profile names them).
CREATE TABLE media (
    sha256 TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('upload', 'demo', 'cache')),
    created TEXT NOT NULL
);

-- The logo (icon) and header image (image) each live received profile names, kept with the profile by the
-- ingest (written, erased and dropped in the same transaction).
CREATE TABLE profile_images (
    actor TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('icon', 'image')),
    url TEXT NOT NULL,
    PRIMARY KEY (actor, role)
);
CREATE INDEX profile_images_by_url ON profile_images (url);

-- The copy fetched of each image URL: its media row once fetched, else the last failure and when to try
-- again (each URL fails alone and is retried with backoff).
CREATE TABLE remote_media (
    url TEXT PRIMARY KEY,
    sha256 TEXT,
    fetched TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    due TEXT NOT NULL
);
CREATE INDEX remote_media_due ON remote_media (due) WHERE sha256 IS NULL;
