ALTER TABLE domain_events DROP COLUMN snapshot;
