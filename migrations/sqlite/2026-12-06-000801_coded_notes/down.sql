ALTER TABLE allocation_requests DROP COLUMN proposed_decision;
ALTER TABLE booking_events DROP COLUMN system_note;
