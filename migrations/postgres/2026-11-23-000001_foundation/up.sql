-- Territory, organisations and accounts (PostgreSQL).
CREATE TABLE communes (
    insee_code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    department TEXT NOT NULL,
    postcode TEXT NOT NULL,
    population INTEGER NOT NULL CHECK (population >= 0),
    epci_siren TEXT NOT NULL,
    epci_name TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    coordinates_source TEXT NOT NULL
);
CREATE INDEX communes_search_name ON communes (search_name text_pattern_ops);
CREATE INDEX communes_department ON communes (department, search_name text_pattern_ops);
CREATE INDEX communes_epci ON communes (epci_siren);

CREATE TABLE organizations (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('agency', 'producer', 'venue', 'partner')),
    venue_type TEXT CHECK (venue_type IS NULL OR venue_type IN ('library', 'social_centre',
        'environment', 'fablab', 'youth', 'culture', 'insertion', 'school', 'museum', 'other')),
    commune_insee TEXT NOT NULL REFERENCES communes (insee_code),
    address TEXT,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organizations_kind ON organizations (kind, id);
CREATE INDEX organizations_commune ON organizations (commune_insee);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE api_keys (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_organization ON api_keys (organization_id);
