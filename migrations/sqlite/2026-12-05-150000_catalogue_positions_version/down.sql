DROP TRIGGER resources_positions_delete;
DROP TRIGGER resources_positions_deleted;
DROP TRIGGER copies_positions_update;
DROP TRIGGER copies_positions_delete;
DROP TRIGGER copies_positions_insert;
DROP TABLE catalogue_positions_version;
