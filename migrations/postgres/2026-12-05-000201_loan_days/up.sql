-- The venue's real week (issue 25, point 2): a booking's delivery and pick-up days are kept on
-- it (they fall on days the venue and the depot are open), and an organisation says how school
-- holidays change its week: `ignore` (default), `closed` (closed during holidays), `only` (open
-- only during holidays).

ALTER TABLE organizations ADD COLUMN school_holidays TEXT NOT NULL DEFAULT 'ignore'
    CHECK (school_holidays IN ('ignore', 'closed', 'only'));

ALTER TABLE bookings ADD COLUMN delivery_on DATE NOT NULL DEFAULT DATE '1970-01-01';
ALTER TABLE bookings ADD COLUMN pickup_on DATE NOT NULL DEFAULT DATE '1970-01-01';

-- Existing bookings: the days the rule gave before opening hours counted (all days open).
UPDATE bookings b SET
    delivery_on = b.starts_on - (r.setup_days + LEAST(b.outbound_days, 1)),
    pickup_on = b.ends_on + (r.setup_days + LEAST(b.return_days, 1))
FROM resources r WHERE r.id = b.resource_id;

CREATE INDEX bookings_delivery_on ON bookings (delivery_on);
CREATE INDEX bookings_pickup_on ON bookings (pickup_on);
