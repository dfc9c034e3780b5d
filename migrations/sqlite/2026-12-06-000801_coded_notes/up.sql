-- What the service writes by itself in a booking's history, as a code with its facts (JSON,
-- booking::model::SystemNote), put in each reader's language when read; `note` keeps the
-- actor's own words.
ALTER TABLE booking_events ADD COLUMN system_note TEXT;
-- Why the current proposal decided so, as a code with its facts (JSON,
-- allocation::model::Decision), for each reader's language; `proposed_reason` keeps the English.
ALTER TABLE allocation_requests ADD COLUMN proposed_decision TEXT;
-- Why a booking is flagged, as a code with its facts (JSON, booking::model::FlagReason), for
-- each reader's language (the portal's loan page); `flag_reason` keeps the English.
ALTER TABLE bookings ADD COLUMN flag_code TEXT;
