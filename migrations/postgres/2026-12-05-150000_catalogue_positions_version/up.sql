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
VALUES (1, md5(random()::text || clock_timestamp()::text), 0);

-- The bump runs at commit (deferred constraint triggers): the version row is then the last lock
-- a writing transaction takes, so two writers can never wait for each other through it.
CREATE FUNCTION bump_catalogue_positions_version() RETURNS trigger AS $$
BEGIN
    UPDATE catalogue_positions_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER copies_positions_insert_delete
AFTER INSERT OR DELETE ON copies
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER copies_positions_update
AFTER UPDATE OF resource_id, latitude, longitude, status ON copies
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (OLD.resource_id IS DISTINCT FROM NEW.resource_id
   OR OLD.latitude IS DISTINCT FROM NEW.latitude
   OR OLD.longitude IS DISTINCT FROM NEW.longitude
   OR (OLD.status = 'retired') IS DISTINCT FROM (NEW.status = 'retired'))
EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER resources_positions_deleted
AFTER UPDATE OF deleted_at ON resources
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN ((OLD.deleted_at IS NULL) IS DISTINCT FROM (NEW.deleted_at IS NULL))
EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER resources_positions_delete
AFTER DELETE ON resources
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bump_catalogue_positions_version();
