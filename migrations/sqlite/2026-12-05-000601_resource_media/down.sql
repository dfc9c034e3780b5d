DROP TABLE resource_media;
