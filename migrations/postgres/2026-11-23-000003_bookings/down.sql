DROP INDEX organizations_calendar_token;
ALTER TABLE organizations DROP COLUMN calendar_token_hash;
DROP TABLE waitlist_entries;
DROP TABLE booking_events;
DROP TABLE occupations;
DROP TABLE bookings;
