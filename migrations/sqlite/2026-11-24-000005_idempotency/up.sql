-- Idempotency-Key: the first answer to a keyed POST, kept 24 h so that a partner's retry replays it
-- instead of acting twice. The unique key is claimed BEFORE the effect runs, so that concurrent
-- duplicates, on any instance, agree on which one acts.
CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER,
    response_content_type TEXT,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
