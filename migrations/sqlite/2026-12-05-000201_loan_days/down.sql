DROP INDEX bookings_pickup_on;
DROP INDEX bookings_delivery_on;
ALTER TABLE bookings DROP COLUMN pickup_on;
ALTER TABLE bookings DROP COLUMN delivery_on;
ALTER TABLE organizations DROP COLUMN school_holidays;
