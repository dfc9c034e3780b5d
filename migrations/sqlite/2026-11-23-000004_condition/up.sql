-- Condition and wear: hand-over reports, maintenance, flags on bookings a copy can no longer
-- serve, and an outbox of domain events for notifications.
CREATE TABLE condition_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    copy_id BIGINT NOT NULL REFERENCES copies (id),
    booking_id BIGINT REFERENCES bookings (id),
    stage TEXT NOT NULL CHECK (stage IN ('dispatch', 'delivery', 'return', 'inspection')),
    grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
    notes TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    missing_units INTEGER NOT NULL,
    damaged_units INTEGER NOT NULL,
    reported_by_organization BIGINT NOT NULL REFERENCES organizations (id),
    reported_by_user BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX condition_reports_copy ON condition_reports (copy_id, id);

CREATE TABLE condition_report_lines (
    report_id BIGINT NOT NULL REFERENCES condition_reports (id),
    component_id BIGINT NOT NULL REFERENCES components (id),
    expected_quantity INTEGER NOT NULL,
    present_quantity INTEGER NOT NULL CHECK (present_quantity >= 0),
    damaged INTEGER NOT NULL CHECK (damaged >= 0),
    PRIMARY KEY (report_id, component_id)
);

CREATE TABLE maintenance_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    copy_id BIGINT NOT NULL REFERENCES copies (id),
    kind TEXT NOT NULL CHECK (kind IN ('repair', 'refurbishment', 'content_update', 'cleaning')),
    starts_on DATE NOT NULL,
    ends_on DATE,
    cost_cents BIGINT NOT NULL CHECK (cost_cents >= 0),
    notes TEXT NOT NULL,
    automatic BOOLEAN NOT NULL,
    report_id BIGINT REFERENCES condition_reports (id),
    completed_at TIMESTAMP,
    grade_after INTEGER CHECK (grade_after IS NULL OR grade_after BETWEEN 1 AND 5),
    created_by_organization BIGINT REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX maintenance_copy ON maintenance_records (copy_id, starts_on);

ALTER TABLE copies ADD COLUMN needs_inspection BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE copies ADD COLUMN retired_on DATE;
ALTER TABLE bookings ADD COLUMN flagged_at TIMESTAMP;
ALTER TABLE bookings ADD COLUMN flag_reason TEXT;

CREATE TABLE domain_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP
);
CREATE INDEX domain_events_pending ON domain_events (processed_at, id);

-- Occupation look-ups bind `active` as a parameter, which a partial index (WHERE active) cannot
-- serve: index every row by copy and days instead.
DROP INDEX occupations_copy;
CREATE INDEX occupations_copy_days ON occupations (copy_id, starts_on, ends_on);
