-- Money, first part: what a producer charges for each resource, and the network's pricing policy
-- (the share of the city price each commune class pays, and the share of transport recharged).
-- Amounts in integer cents; rates in whole percent.
CREATE TABLE tariffs (
    resource_id BIGINT PRIMARY KEY NOT NULL REFERENCES resources (id),
    per_loan_cents BIGINT NOT NULL CHECK (per_loan_cents >= 0),
    per_week_cents BIGINT NOT NULL CHECK (per_week_cents >= 0),
    deposit_cents BIGINT NOT NULL CHECK (deposit_cents >= 0),
    updated_by_organization BIGINT NOT NULL REFERENCES organizations (id),
    updated_at TIMESTAMP NOT NULL
);

-- One row (id = 1): the policy in force. Until the agency sets it, every class pays the full
-- price and bears the full transport cost.
CREATE TABLE pricing_policy (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    rate_village INTEGER NOT NULL CHECK (rate_village BETWEEN 0 AND 100),
    rate_small_town INTEGER NOT NULL CHECK (rate_small_town BETWEEN 0 AND 100),
    rate_medium_town INTEGER NOT NULL CHECK (rate_medium_town BETWEEN 0 AND 100),
    rate_large_city INTEGER NOT NULL CHECK (rate_large_city BETWEEN 0 AND 100),
    transport_village INTEGER NOT NULL CHECK (transport_village BETWEEN 0 AND 100),
    transport_small_town INTEGER NOT NULL CHECK (transport_small_town BETWEEN 0 AND 100),
    transport_medium_town INTEGER NOT NULL CHECK (transport_medium_town BETWEEN 0 AND 100),
    transport_large_city INTEGER NOT NULL CHECK (transport_large_city BETWEEN 0 AND 100),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO pricing_policy VALUES (1, 100, 100, 100, 100, 100, 100, 100, 100, CURRENT_TIMESTAMP);

-- What replacing one unit of a component costs: the price of a unit lost or damaged on a loan.
ALTER TABLE components ADD COLUMN unit_cost_cents BIGINT NOT NULL DEFAULT 0 CHECK (unit_cost_cents >= 0);

-- Funders' programmes (region, department, inter-communal area). committed_cents is the sum of
-- the subsidies frozen on approved quotes; the CHECK is the last guard against an overdrawn budget
-- (the service commits with a conditional update first).
CREATE TABLE subsidy_programs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    funder TEXT NOT NULL,
    rate_percent INTEGER NOT NULL CHECK (rate_percent BETWEEN 0 AND 100),
    budget_cents BIGINT NOT NULL CHECK (budget_cents >= 0),
    committed_cents BIGINT NOT NULL DEFAULT 0 CHECK (committed_cents >= 0 AND committed_cents <= budget_cents),
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL CHECK (valid_to >= valid_from),
    -- Comma-separated lists; NULL = every value.
    commune_classes TEXT,
    epci_sirens TEXT,
    venue_types TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The quote frozen when a booking is approved, with what its labels say (class, rates, full
-- transport cost). A cancel or reject deletes it and gives its subsidy back to the programme;
-- invoices are built from it plus the damage found since.
CREATE TABLE booking_quotes (
    booking_id BIGINT PRIMARY KEY NOT NULL REFERENCES bookings (id),
    rental_cents BIGINT NOT NULL,
    class_discount_cents BIGINT NOT NULL,
    transport_cents BIGINT NOT NULL,
    subsidy_cents BIGINT NOT NULL CHECK (subsidy_cents <= 0),
    subsidy_program_id BIGINT REFERENCES subsidy_programs (id),
    deposit_cents BIGINT NOT NULL,
    venue_class TEXT NOT NULL,
    class_rate_percent INTEGER NOT NULL,
    recharge_percent INTEGER NOT NULL,
    transport_cost_cents BIGINT NOT NULL,
    frozen_at TIMESTAMP NOT NULL
);
CREATE INDEX booking_quotes_program ON booking_quotes (subsidy_program_id);

-- Invoices and credit notes: immutable once written. One gapless sequence per seller and year
-- (invoice_sequences, bumped in the issuing transaction); UNIQUE guards make a repeat impossible.
CREATE TABLE invoice_sequences (
    seller_id BIGINT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (seller_id, year)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    number TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    seller_id BIGINT NOT NULL REFERENCES organizations (id),
    buyer_id BIGINT NOT NULL REFERENCES organizations (id),
    booking_id BIGINT NOT NULL REFERENCES bookings (id),
    year INTEGER NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 1),
    issued_on DATE NOT NULL,
    total_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- The n-th invoice of a booking (0, then 1 after a credit note, ...): one live invoice at most.
    correction INTEGER NOT NULL,
    credits_invoice_id BIGINT UNIQUE REFERENCES invoices (id),
    issued_by_organization BIGINT NOT NULL REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (seller_id, year, sequence),
    UNIQUE (seller_id, number)
);
CREATE UNIQUE INDEX invoices_one_per_booking ON invoices (booking_id, correction) WHERE kind = 'invoice';
CREATE INDEX invoices_buyer ON invoices (buyer_id, year);
CREATE INDEX invoices_seller_year ON invoices (seller_id, year, id);
CREATE INDEX invoices_booking ON invoices (booking_id);

-- Damage is read per booking from its reports.
CREATE INDEX condition_reports_booking ON condition_reports (booking_id);

CREATE TABLE invoice_lines (
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rental', 'class_discount', 'transport', 'damage', 'subsidy')),
    label TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, position)
);
