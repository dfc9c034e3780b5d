-- A loan not back by its last day plus return travel is marked overdue once (listings, history,
-- the producer's fleet view) and announced once (booking.overdue).
ALTER TABLE bookings ADD COLUMN overdue_at TIMESTAMP;

-- Partners' webhooks. The secret signs deliveries (Standard Webhooks) so it is kept as issued and
-- shown once, at registration. events is a comma-separated list of event names. failing_since is
-- the first failure of the current run of failures: after a day of them the webhook is disabled.
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failing_since TIMESTAMP,
    disabled_at TIMESTAMP,
    disabled_reason TEXT,
    created_by_user_id BIGINT REFERENCES users (id),
    created_by_api_key_id BIGINT REFERENCES api_keys (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_organization ON webhooks (organization_id, active);

-- One delivery per (webhook, event), its body fixed when the event is fanned out so that every
-- retry carries the same webhook-id and body. Leased like mail (lease_token, leased_until) by the
-- worker of any instance; retried with exponential backoff until delivered or 24 hours pass.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES domain_events (id),
    event_type TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_token TEXT,
    leased_until TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    last_attempt_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_lease ON webhook_deliveries (lease_token);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
