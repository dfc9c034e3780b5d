-- Legal identity of organisations (issue 26): what an invoice needs to name its seller and buyer
-- the way French law and EN 16931 require (SIRET, VAT number or exemption, postal address, IBAN,
-- electronic address), and whether the organisation is a public buyer (Chorus Pro) that requires
-- a service code (BT-10) and a commitment number (BT-13) on its invoices.
CREATE TABLE legal_identities (
    organization_id BIGINT PRIMARY KEY NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    siret TEXT NOT NULL,
    vat_id TEXT,
    vat_exemption TEXT,
    address_line TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    iban TEXT,
    bic TEXT,
    electronic_address TEXT,
    public_buyer BOOLEAN NOT NULL DEFAULT FALSE,
    service_code_required BOOLEAN NOT NULL DEFAULT FALSE,
    commitment_required BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL
);

-- An issued invoice is an immutable document (issue 27, finding 8): the parties' legal details
-- are frozen at issue (JSON), with the public buyer's references, so that its XML, PDF and their
-- SHA-256 never change when an organisation renames itself or moves. NULL on invoices issued
-- before this migration (they keep reading the live details).
ALTER TABLE invoices ADD COLUMN parties TEXT;
ALTER TABLE invoices ADD COLUMN buyer_service_code TEXT;
ALTER TABLE invoices ADD COLUMN commitment_number TEXT;
