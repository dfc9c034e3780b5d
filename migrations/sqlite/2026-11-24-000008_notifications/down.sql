DROP INDEX domain_events_subject;
DROP TABLE notifications;
ALTER TABLE users DROP COLUMN muted_notifications;
ALTER TABLE users DROP COLUMN locale;
