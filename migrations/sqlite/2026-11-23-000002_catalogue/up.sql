-- Shared catalogue: resources, their physical copies and kit components.
CREATE TABLE resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    producer_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL CHECK (kind IN ('exhibition', 'trunk', 'kit', 'model')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    search_text TEXT NOT NULL,
    floor_area_m2 DOUBLE PRECISION CHECK (floor_area_m2 IS NULL OR floor_area_m2 >= 0),
    weight_kg DOUBLE PRECISION CHECK (weight_kg IS NULL OR weight_kg >= 0),
    volume_m3 DOUBLE PRECISION CHECK (volume_m3 IS NULL OR volume_m3 >= 0),
    crates INTEGER CHECK (crates IS NULL OR crates >= 0),
    setup_days INTEGER NOT NULL DEFAULT 0 CHECK (setup_days >= 0),
    turnaround_days INTEGER NOT NULL DEFAULT 0 CHECK (turnaround_days >= 0),
    production_cost_cents BIGINT CHECK (production_cost_cents IS NULL OR production_cost_cents >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX resources_live ON resources (deleted_at, id);
CREATE INDEX resources_producer ON resources (producer_id, id);
CREATE INDEX resources_kind ON resources (kind, id);

CREATE TABLE resource_themes (
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    theme TEXT NOT NULL,
    PRIMARY KEY (resource_id, theme)
);
CREATE INDEX resource_themes_theme ON resource_themes (theme, resource_id);

CREATE TABLE resource_audiences (
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    audience TEXT NOT NULL,
    PRIMARY KEY (resource_id, audience)
);
CREATE INDEX resource_audiences_audience ON resource_audiences (audience, resource_id);

CREATE TABLE copies (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    producer_id BIGINT NOT NULL REFERENCES organizations (id),
    asset_tag TEXT NOT NULL,
    home_commune_insee TEXT NOT NULL REFERENCES communes (insee_code),
    status TEXT NOT NULL CHECK (status IN ('available', 'on_loan', 'in_transit', 'maintenance', 'retired')),
    condition_grade INTEGER NOT NULL CHECK (condition_grade BETWEEN 1 AND 5),
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    retirement_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (producer_id, asset_tag)
);
CREATE INDEX copies_resource ON copies (resource_id);
CREATE INDEX copies_position ON copies (latitude, longitude);

CREATE TABLE components (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (resource_id, name)
);
