DROP TABLE audit_log;
DROP TABLE login_failures;
ALTER TABLE users DROP COLUMN password_changed_at;
ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE api_keys DROP COLUMN scopes;
