-- Photos and documents of a resource (issue 24): what a producer hands every host (setup guide,
-- teacher booklet, crate list) and what a venue looks at before asking. Kept in the database so
-- that every instance serves them and a backup holds them; the content type is the one sniffed
-- from the bytes. Photos carry two resized variants (a thumbnail and a page size, JPEG).
CREATE TABLE resource_media (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    original BLOB NOT NULL,
    thumbnail BLOB,
    page BLOB,
    created_at TIMESTAMP NOT NULL,
    created_by_organization BIGINT NOT NULL REFERENCES organizations (id)
);
CREATE INDEX resource_media_resource ON resource_media (resource_id, id);
