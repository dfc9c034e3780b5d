ALTER TABLE bookings DROP COLUMN flag_code;
ALTER TABLE allocation_requests DROP COLUMN proposed_decision;
ALTER TABLE booking_events DROP COLUMN system_note;
