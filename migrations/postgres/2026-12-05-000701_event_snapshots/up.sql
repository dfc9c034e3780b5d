-- What an event is about, as it was when the event was recorded (JSON): fan-out reads it
-- instead of the live row, so a payload never shows a later state.
ALTER TABLE domain_events ADD COLUMN snapshot TEXT;
