-- What an API key may do (comma-separated scopes). New keys default to read; keys made before
-- scopes existed keep what they could do then (everything a member can, no administration).
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read';
UPDATE api_keys SET scopes = 'read,bookings:write,catalogue:write,condition:write,billing:write,webhooks:write';

-- A deactivated user can no longer log in, and their tokens are refused. A password change
-- refuses the tokens issued before it.
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;

-- Failed logins per (normalised) e-mail, so that every instance counts the same attempts.
CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);

-- Who changed what and when (organisations, users, keys, resources, copies, tariffs, the pricing
-- policy, subsidy programmes, webhooks), written in the transaction of the change.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    actor_organization_id BIGINT,
    actor_user_id BIGINT,
    actor_api_key_id BIGINT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    details TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor_organization_id, id);
