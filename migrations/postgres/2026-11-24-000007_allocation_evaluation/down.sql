DROP TABLE booking_evaluations;
DROP TABLE allocation_requests;
DROP TABLE allocation_round_resources;
DROP TABLE allocation_rounds;
