-- The version of what proximity search reads (copies' positions, which copies are retired, which
-- resources are deleted). Each instance keeps the positions in memory and reloads them when this
-- number has moved, so every instance answers from what the database says (issue 28).
-- `epoch` tells databases apart (a process may serve several, as the tests do).
CREATE TABLE catalogue_positions_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO catalogue_positions_version (id, epoch, version)
VALUES (1, lower(hex(randomblob(16))), 0);

CREATE TRIGGER copies_positions_insert AFTER INSERT ON copies
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER copies_positions_delete AFTER DELETE ON copies
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER copies_positions_update
AFTER UPDATE OF resource_id, latitude, longitude, status ON copies
WHEN OLD.resource_id IS NOT NEW.resource_id
  OR OLD.latitude IS NOT NEW.latitude
  OR OLD.longitude IS NOT NEW.longitude
  OR (OLD.status = 'retired') IS NOT (NEW.status = 'retired')
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resources_positions_deleted
AFTER UPDATE OF deleted_at ON resources
WHEN (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER resources_positions_delete AFTER DELETE ON resources
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
END;
