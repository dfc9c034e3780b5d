-- Day plans a driver can drive (issue 14): venues' opening hours, the agency's vans, and the
-- plans made from them, kept so that a printed sheet and a driver's calendar stay what was planned.

-- Weekly opening hours: one row per opening span (a library open 09:00–12:00 and 14:00–18:00 on
-- Tuesdays has two rows). Minutes after midnight; ISO weekday, 1 = Monday.
CREATE TABLE opening_hours (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_minute INTEGER NOT NULL CHECK (opens_minute BETWEEN 0 AND 1440),
    closes_minute INTEGER NOT NULL CHECK (closes_minute BETWEEN 0 AND 1440),
    CHECK (opens_minute < closes_minute)
);
CREATE INDEX opening_hours_organization ON opening_hours (organization_id, weekday);

-- Dates that differ from the week: rows without minutes close the day; rows with minutes replace
-- that day's weekly spans.
CREATE TABLE opening_exceptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    on_date DATE NOT NULL,
    opens_minute INTEGER CHECK (opens_minute BETWEEN 0 AND 1440),
    closes_minute INTEGER CHECK (closes_minute BETWEEN 0 AND 1440),
    note TEXT,
    CHECK ((opens_minute IS NULL AND closes_minute IS NULL) OR (opens_minute < closes_minute))
);
CREATE INDEX opening_exceptions_organization ON opening_exceptions (organization_id, on_date);

-- The vans of the network: where they leave from, what they carry, when they drive.
CREATE TABLE vans (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    depot_organization_id BIGINT NOT NULL REFERENCES organizations (id),
    volume_m3 DOUBLE PRECISION NOT NULL CHECK (volume_m3 > 0),
    weight_kg DOUBLE PRECISION NOT NULL CHECK (weight_kg > 0),
    shift_start_minute INTEGER NOT NULL,
    shift_end_minute INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (0 <= shift_start_minute AND shift_start_minute < shift_end_minute AND shift_end_minute <= 1440)
);
CREATE INDEX vans_depot ON vans (depot_organization_id);

-- A planned day, as answered: the printable sheet and the calendar read it back unchanged.
CREATE TABLE tour_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    depot_organization_id BIGINT NOT NULL REFERENCES organizations (id),
    plan_date DATE NOT NULL,
    created_by_organization_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    plan TEXT NOT NULL
);
CREATE INDEX tour_plans_depot ON tour_plans (depot_organization_id, plan_date);
