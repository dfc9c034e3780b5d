DROP TRIGGER resources_positions_delete ON resources;
DROP TRIGGER resources_positions_deleted ON resources;
DROP TRIGGER copies_positions_update ON copies;
DROP TRIGGER copies_positions_insert_delete ON copies;
DROP FUNCTION bump_catalogue_positions_version();
DROP TABLE catalogue_positions_version;
