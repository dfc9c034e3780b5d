DROP TABLE write_gate;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE organizations;
DROP TABLE communes;
