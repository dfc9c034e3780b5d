DROP INDEX condition_reports_booking;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE invoice_sequences;
DROP TABLE booking_quotes;
DROP TABLE subsidy_programs;
ALTER TABLE components DROP COLUMN unit_cost_cents;
DROP TABLE pricing_policy;
DROP TABLE tariffs;
