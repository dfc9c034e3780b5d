DROP INDEX bookings_copy_status;
DROP INDEX bookings_loans;
DROP INDEX bookings_venue_status;
DROP TABLE booking_evaluations;
DROP TABLE allocation_requests;
DROP TABLE allocation_round_resources;
DROP TABLE allocation_rounds;
