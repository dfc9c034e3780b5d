-- Browser sessions of the portal: one row per logged-in browser, so that logout, deactivation and
-- a password change end a session on every instance at once. Only a digest (SHA-256, hex) of the
-- cookie's token is stored; the CSRF token of the session's forms sits beside it.
CREATE TABLE browser_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);
