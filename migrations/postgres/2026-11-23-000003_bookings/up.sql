-- Booking calendars. Every period during which a copy is unavailable (a booking's occupied period,
-- later a maintenance) is one row of `occupations`; two active rows of one copy never overlap.
CREATE TABLE bookings (
    id BIGSERIAL PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    copy_id BIGINT NOT NULL REFERENCES copies (id),
    venue_id BIGINT NOT NULL REFERENCES organizations (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    occupied_from DATE NOT NULL,
    occupied_to DATE NOT NULL,
    outbound_days INTEGER NOT NULL,
    return_days INTEGER NOT NULL,
    distance_km DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'cancelled',
        'in_transit', 'delivered', 'returned', 'closed', 'expired')),
    hold_expires_at TIMESTAMP,
    requested_by BIGINT REFERENCES users (id),
    waitlist_entry_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (occupied_from <= starts_on AND occupied_to >= ends_on)
);
CREATE INDEX bookings_venue ON bookings (venue_id, starts_on);
CREATE INDEX bookings_resource ON bookings (resource_id, starts_on);
CREATE INDEX bookings_copy ON bookings (copy_id, occupied_from);
CREATE INDEX bookings_holds ON bookings (status, hold_expires_at);

CREATE TABLE occupations (
    id BIGSERIAL PRIMARY KEY,
    copy_id BIGINT NOT NULL REFERENCES copies (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('booking', 'maintenance')),
    booking_id BIGINT REFERENCES bookings (id),
    maintenance_id BIGINT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX occupations_copy ON occupations (copy_id, starts_on, ends_on) WHERE active;
CREATE INDEX occupations_booking ON occupations (booking_id);

CREATE TABLE booking_events (
    id BIGSERIAL PRIMARY KEY,
    booking_id BIGINT NOT NULL REFERENCES bookings (id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_organization_id BIGINT REFERENCES organizations (id),
    actor_user_id BIGINT REFERENCES users (id),
    actor_api_key_id BIGINT REFERENCES api_keys (id),
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

CREATE TABLE waitlist_entries (
    id BIGSERIAL PRIMARY KEY,
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    venue_id BIGINT NOT NULL REFERENCES organizations (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'fulfilled', 'cancelled')),
    booking_id BIGINT REFERENCES bookings (id),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX waitlist_waiting ON waitlist_entries (resource_id, status, id);
CREATE INDEX waitlist_venue ON waitlist_entries (venue_id, id);

-- Digest of the secret that lets a calendar app read a venue's feed without a login.
ALTER TABLE organizations ADD COLUMN calendar_token_hash TEXT;
CREATE UNIQUE INDEX organizations_calendar_token ON organizations (calendar_token_hash);

-- The database itself refuses two active occupations of one copy on a common day, whatever the
-- application does and however many instances write at once.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE occupations ADD CONSTRAINT occupations_no_overlap
    EXCLUDE USING gist (copy_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&) WHERE (active);
