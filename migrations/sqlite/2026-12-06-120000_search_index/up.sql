-- Dated search from memory (issue 28); see the PostgreSQL migration for the design. On SQLite
-- one writer at a time commits, so the log's ids grow in commit order and an instance reads the
-- changes after the last id it saw.

CREATE TABLE occupation_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    copy_id BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX occupation_changes_changed_at ON occupation_changes (changed_at);

CREATE TRIGGER occupations_log_insert AFTER INSERT ON occupations
BEGIN
    INSERT INTO occupation_changes (copy_id) VALUES (NEW.copy_id);
END;

CREATE TRIGGER occupations_log_update AFTER UPDATE ON occupations
BEGIN
    INSERT INTO occupation_changes (copy_id) SELECT OLD.copy_id WHERE OLD.copy_id IS NOT NEW.copy_id;
    INSERT INTO occupation_changes (copy_id) VALUES (NEW.copy_id);
END;

CREATE TRIGGER occupations_log_delete AFTER DELETE ON occupations
BEGIN
    INSERT INTO occupation_changes (copy_id) VALUES (OLD.copy_id);
END;

CREATE TRIGGER copies_search_lendable
AFTER UPDATE OF status ON copies
WHEN (OLD.status = 'maintenance') IS NOT (NEW.status = 'maintenance')
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER maintenance_search_insert AFTER INSERT ON maintenance_records
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER maintenance_search_delete AFTER DELETE ON maintenance_records
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER maintenance_search_update
AFTER UPDATE OF copy_id, ends_on, completed_at ON maintenance_records
WHEN OLD.copy_id IS NOT NEW.copy_id
  OR (OLD.ends_on IS NULL) IS NOT (NEW.ends_on IS NULL)
  OR (OLD.completed_at IS NULL) IS NOT (NEW.completed_at IS NULL)
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resources_search_insert AFTER INSERT ON resources
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resources_search_update
AFTER UPDATE OF kind, producer_id, search_text ON resources
WHEN OLD.kind IS NOT NEW.kind
  OR OLD.producer_id IS NOT NEW.producer_id
  OR OLD.search_text IS NOT NEW.search_text
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resource_themes_search_insert AFTER INSERT ON resource_themes
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resource_themes_search_update AFTER UPDATE ON resource_themes
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resource_themes_search_delete AFTER DELETE ON resource_themes
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resource_audiences_search_insert AFTER INSERT ON resource_audiences
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resource_audiences_search_update AFTER UPDATE ON resource_audiences
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resource_audiences_search_delete AFTER DELETE ON resource_audiences
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;
