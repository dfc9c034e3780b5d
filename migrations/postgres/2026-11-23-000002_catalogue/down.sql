DROP TABLE components;
DROP TABLE copies;
DROP TABLE resource_audiences;
DROP TABLE resource_themes;
DROP TABLE resources;
