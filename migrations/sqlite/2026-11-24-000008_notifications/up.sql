-- Users read their mail in French (default) or English.
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en'));
-- The mail kinds a user turned off (comma-separated event names; empty = every kind).
ALTER TABLE users ADD COLUMN muted_notifications TEXT NOT NULL DEFAULT '';

-- One mail per (event, recipient), rendered when the outbox event is fanned out, then sent by the
-- worker of any instance: it leases a batch (lease_token, leased_until), sends, and records the
-- outcome. A lease that expires (a crash mid-send) is taken again: at least once. Failures are
-- retried with exponential backoff for 24 hours, then the mail is dead (kept for the agency).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    event_id BIGINT NOT NULL REFERENCES domain_events (id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_token TEXT,
    leased_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    UNIQUE (event_id, recipient)
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_lease ON notifications (lease_token);

-- Events announced once per subject (reminders) are looked up by subject and kind.
CREATE INDEX domain_events_subject ON domain_events (subject_type, subject_id, kind);
