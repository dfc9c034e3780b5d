-- Allocation rounds: the agency opens a round on contested resources for a period; venues
-- request dates; the service proposes a plan under a policy (equity or first come) and the agency
-- confirms it, booking every assignment (approved) in one transaction.
CREATE TABLE allocation_rounds (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL CHECK (period_to >= period_from),
    status TEXT NOT NULL CHECK (status IN ('open', 'confirmed')),
    -- The policy of the last proposal; NULL while there is none (or a new request voided it).
    proposal_policy TEXT CHECK (proposal_policy IN ('equity', 'first_come')),
    proposed_at TIMESTAMP,
    created_by_organization BIGINT NOT NULL REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE allocation_round_resources (
    round_id BIGINT NOT NULL REFERENCES allocation_rounds (id),
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    PRIMARY KEY (round_id, resource_id)
);

-- A venue's wish in a round. The last proposal is kept on the request itself: the copy it
-- would get (NULL = unassigned), why, and the order in which the policy considered it.
CREATE TABLE allocation_requests (
    id BIGSERIAL PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES allocation_rounds (id),
    venue_id BIGINT NOT NULL REFERENCES organizations (id),
    resource_id BIGINT NOT NULL REFERENCES resources (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL CHECK (ends_on >= starts_on),
    requested_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    proposed_copy_id BIGINT REFERENCES copies (id),
    proposed_reason TEXT,
    proposed_rank INTEGER,
    booking_id BIGINT REFERENCES bookings (id),
    UNIQUE (round_id, venue_id, resource_id, starts_on, ends_on)
);
CREATE INDEX allocation_requests_round ON allocation_requests (round_id, venue_id);

-- What a venue reports once a loan has reached it: visitors, sessions, audiences and a
-- satisfaction score (1-5). One per booking, editable for 30 days after it is first written.
CREATE TABLE booking_evaluations (
    booking_id BIGINT PRIMARY KEY NOT NULL REFERENCES bookings (id),
    -- The loan's venue and dates, copied (fixed once a loan is delivered) so that totals over a
    -- period read this table alone.
    venue_id BIGINT NOT NULL REFERENCES organizations (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    visitors INTEGER NOT NULL CHECK (visitors >= 0),
    sessions INTEGER NOT NULL CHECK (sessions >= 0),
    -- Comma-separated audience names (see the API's EvaluationAudience).
    audiences TEXT NOT NULL,
    satisfaction INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
    comment TEXT,
    written_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX booking_evaluations_period ON booking_evaluations (starts_on, ends_on, venue_id);

-- A venue's requested bookings are counted on every request (max_open_requests_per_venue): an
-- index on the pair, or the count reads every booking the venue ever made.
CREATE INDEX bookings_venue_status ON bookings (venue_id, status);
-- Coverage and the observatory count loans (by status) meeting a period, per venue, with their
-- km: a covering index, so that a year of half a million loans is read from the index alone.
CREATE INDEX bookings_loans ON bookings (status, starts_on, ends_on, venue_id, distance_km);
-- The stays of a few copies around some days (chaining, on every request): copy and status
-- first, so that SQLite's planner, which has no statistics, prefers it to the index above.
CREATE INDEX bookings_copy_status ON bookings (copy_id, status, starts_on, ends_on);
