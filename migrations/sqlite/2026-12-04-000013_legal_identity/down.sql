ALTER TABLE invoices DROP COLUMN commitment_number;
ALTER TABLE invoices DROP COLUMN buyer_service_code;
ALTER TABLE invoices DROP COLUMN parties;
DROP TABLE legal_identities;
