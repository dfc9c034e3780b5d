-- Dated search from memory (issue 28). Two things each instance keeps and must know when to
-- refresh:
--
-- 1. What search filters on besides dates and positions — resources' kind, producer, words,
--    themes and audiences, and which copies can be lent at all (not in maintenance, not under an
--    open repair). They change rarely, so they move the catalogue's version like positions do
--    (the instance then reloads them whole).
-- 2. The copies' occupations, which change with every booking. Each change is logged with the
--    copy and the writing transaction's id (`tx`); an instance remembers the oldest transaction
--    still running when it last read (its snapshot's xmin) and reloads only the copies logged by
--    transactions from that one on: every change committed since is among them, whatever order
--    the writers committed in. Rows older than a day are pruned by the background jobs.

CREATE TABLE occupation_changes (
    id BIGSERIAL PRIMARY KEY,
    copy_id BIGINT NOT NULL,
    tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    changed_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX occupation_changes_tx ON occupation_changes (tx);
CREATE INDEX occupation_changes_changed_at ON occupation_changes (changed_at);

CREATE FUNCTION log_occupation_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.copy_id IS DISTINCT FROM NEW.copy_id) THEN
        INSERT INTO occupation_changes (copy_id) VALUES (OLD.copy_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO occupation_changes (copy_id) VALUES (NEW.copy_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER occupations_log_change
AFTER INSERT OR UPDATE OR DELETE ON occupations
FOR EACH ROW EXECUTE FUNCTION log_occupation_change();

-- A copy entering or leaving maintenance can or cannot be lent (retirement already moved it).
CREATE CONSTRAINT TRIGGER copies_search_lendable
AFTER UPDATE OF status ON copies
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN ((OLD.status = 'maintenance') IS DISTINCT FROM (NEW.status = 'maintenance'))
EXECUTE FUNCTION bump_catalogue_positions_version();

-- An open-ended repair (no end, not completed) keeps its copy out of dated search.
CREATE CONSTRAINT TRIGGER maintenance_search_insert_delete
AFTER INSERT OR DELETE ON maintenance_records
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER maintenance_search_update
AFTER UPDATE OF copy_id, ends_on, completed_at ON maintenance_records
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (OLD.copy_id IS DISTINCT FROM NEW.copy_id
   OR (OLD.ends_on IS NULL) IS DISTINCT FROM (NEW.ends_on IS NULL)
   OR (OLD.completed_at IS NULL) IS DISTINCT FROM (NEW.completed_at IS NULL))
EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER resources_search_insert
AFTER INSERT ON resources
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER resources_search_update
AFTER UPDATE OF kind, producer_id, search_text ON resources
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW
WHEN (OLD.kind IS DISTINCT FROM NEW.kind
   OR OLD.producer_id IS DISTINCT FROM NEW.producer_id
   OR OLD.search_text IS DISTINCT FROM NEW.search_text)
EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER resource_themes_search
AFTER INSERT OR UPDATE OR DELETE ON resource_themes
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bump_catalogue_positions_version();

CREATE CONSTRAINT TRIGGER resource_audiences_search
AFTER INSERT OR UPDATE OR DELETE ON resource_audiences
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION bump_catalogue_positions_version();
