-- Invoicing (issue 16): operators as sellers, organisations as buyers, the
-- selling operator and VAT rate of plans and seats, issued invoices and
-- credit notes with their lines, payments and imported bank files.
-- Amounts are integer öre; dates 'YYYY-MM-DD' text; instants RFC 3339 text.

-- Operators as sellers. The legal name falls back to the operator's name,
-- the Peppol id to its organisation number (scheme 0007).
ALTER TABLE operators ADD COLUMN legal_name TEXT;
ALTER TABLE operators ADD COLUMN vat_number TEXT;
ALTER TABLE operators ADD COLUMN f_tax_approved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN street_address TEXT;
ALTER TABLE operators ADD COLUMN postal_code TEXT;
ALTER TABLE operators ADD COLUMN city TEXT;
ALTER TABLE operators ADD COLUMN country TEXT NOT NULL DEFAULT 'SE';
ALTER TABLE operators ADD COLUMN bankgiro TEXT;
ALTER TABLE operators ADD COLUMN plusgiro TEXT;
ALTER TABLE operators ADD COLUMN invoice_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN invoice_number_start INTEGER NOT NULL DEFAULT 1;
ALTER TABLE operators ADD COLUMN payment_terms_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE operators ADD COLUMN ocr_length_digit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN peppol_scheme TEXT NOT NULL DEFAULT '0007';
ALTER TABLE operators ADD COLUMN peppol_id TEXT;
ALTER TABLE operators ADD COLUMN account_seat INTEGER NOT NULL DEFAULT 3041;
ALTER TABLE operators ADD COLUMN account_room_hours INTEGER NOT NULL DEFAULT 3041;
ALTER TABLE operators ADD COLUMN account_late_cancellation INTEGER NOT NULL DEFAULT 3041;
ALTER TABLE operators ADD COLUMN account_event_fee INTEGER NOT NULL DEFAULT 3041;

-- Organisations as buyers.
ALTER TABLE organisations ADD COLUMN buyer_reference TEXT;
ALTER TABLE organisations ADD COLUMN cost_centre TEXT;
ALTER TABLE organisations ADD COLUMN invoice_street TEXT;
ALTER TABLE organisations ADD COLUMN invoice_postal_code TEXT;
ALTER TABLE organisations ADD COLUMN invoice_city TEXT;
ALTER TABLE organisations ADD COLUMN invoice_country TEXT NOT NULL DEFAULT 'SE';
ALTER TABLE organisations ADD COLUMN invoice_email TEXT;
ALTER TABLE organisations ADD COLUMN peppol_scheme TEXT NOT NULL DEFAULT '0007';
ALTER TABLE organisations ADD COLUMN peppol_id TEXT;

-- Who sells a plan (NULL on rows older than invoicing) and at which VAT
-- rate; a seat keeps the selling operator its plan had when it was bought.
ALTER TABLE plans ADD COLUMN selling_operator_id BLOB REFERENCES operators (id);
ALTER TABLE plans ADD COLUMN vat_rate_percent INTEGER NOT NULL DEFAULT 25;
ALTER TABLE seats ADD COLUMN selling_operator_id BLOB REFERENCES operators (id);

-- The next number of each operator's series. Issuing takes it inside the
-- writer's transaction (BEGIN IMMEDIATE: one writer at a time), so numbers
-- are gap-free: a failed issue rolls the counter back with the invoice.
CREATE TABLE invoice_counters (
    operator_id BLOB PRIMARY KEY REFERENCES operators (id),
    next_number INTEGER NOT NULL
);

-- Issued invoices and credit notes. Never updated but for `paid_on`
-- (the triggers below), never deleted. Seller and buyer are JSON text
-- captured when issued, so a later change of either shows on no invoice.
CREATE TABLE invoices (
    id                 BLOB PRIMARY KEY,
    operator_id        BLOB NOT NULL REFERENCES operators (id),
    organisation_id    BLOB NOT NULL REFERENCES organisations (id),
    number             INTEGER NOT NULL,
    series_prefix      TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    credits_invoice_id BLOB REFERENCES invoices (id),
    idempotency_key    TEXT NOT NULL,
    issue_date         TEXT NOT NULL,
    due_date           TEXT NOT NULL,
    period_start       TEXT NOT NULL,
    period_end         TEXT NOT NULL,
    currency           TEXT NOT NULL,
    buyer_reference    TEXT NOT NULL,
    seller             TEXT NOT NULL,
    buyer              TEXT NOT NULL,
    net_ore            INTEGER NOT NULL,
    vat_ore            INTEGER NOT NULL,
    gross_ore          INTEGER NOT NULL,
    issued_at          TEXT NOT NULL,
    paid_on            TEXT,
    CONSTRAINT invoices_number_key UNIQUE (operator_id, number),
    CONSTRAINT invoices_idempotency_key UNIQUE (operator_id, idempotency_key),
    CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL))
);
CREATE INDEX invoices_organisation ON invoices (organisation_id, id);
CREATE INDEX invoices_credits ON invoices (credits_invoice_id);
CREATE INDEX invoices_due ON invoices (due_date) WHERE paid_on IS NULL;

CREATE TABLE invoice_lines (
    invoice_id           BLOB NOT NULL REFERENCES invoices (id),
    position             INTEGER NOT NULL,
    description          TEXT NOT NULL,
    quantity_milli       INTEGER NOT NULL,
    unit_code            TEXT NOT NULL,
    unit_price_ore       INTEGER NOT NULL,
    net_ore              INTEGER NOT NULL,
    vat_category         TEXT NOT NULL,
    vat_rate_percent     INTEGER NOT NULL,
    vat_exemption_reason TEXT,
    product_kind         TEXT NOT NULL,
    revenue_account      INTEGER NOT NULL,
    seat_id              BLOB,
    booking_id           BLOB,
    event_id             BLOB,
    PRIMARY KEY (invoice_id, position)
);

CREATE TRIGGER invoices_issued_stay_issued BEFORE UPDATE ON invoices
WHEN NEW.id IS NOT OLD.id OR NEW.number IS NOT OLD.number OR NEW.kind IS NOT OLD.kind
  OR NEW.operator_id IS NOT OLD.operator_id OR NEW.organisation_id IS NOT OLD.organisation_id
  OR NEW.seller IS NOT OLD.seller OR NEW.buyer IS NOT OLD.buyer
  OR NEW.net_ore IS NOT OLD.net_ore OR NEW.vat_ore IS NOT OLD.vat_ore
  OR NEW.gross_ore IS NOT OLD.gross_ore OR NEW.issue_date IS NOT OLD.issue_date
  OR NEW.due_date IS NOT OLD.due_date
  OR NEW.buyer_reference IS NOT OLD.buyer_reference
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable but for their payment state');
END;
CREATE TRIGGER invoices_are_kept BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable but for their payment state');
END;
CREATE TRIGGER invoice_lines_are_kept_as_issued BEFORE UPDATE ON invoice_lines
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable but for their payment state');
END;
CREATE TRIGGER invoice_lines_are_kept BEFORE DELETE ON invoice_lines
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable but for their payment state');
END;

-- Bank files imported (BgMax), by the SHA-256 of their content: the same
-- file again changes nothing.
CREATE TABLE bank_files (
    id          BLOB PRIMARY KEY,
    operator_id BLOB NOT NULL REFERENCES operators (id),
    fingerprint TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by BLOB REFERENCES people (id),
    CONSTRAINT bank_files_fingerprint_key UNIQUE (operator_id, fingerprint)
);

-- Payments received, by hand or from a bank file. `invoice_id` is NULL for
-- a payment no invoice matched; unmatched and partial payments wait for a
-- person until `resolved_at`. `bank_key` identifies a payment of a bank
-- file, so one payment seen in two files counts once.
CREATE TABLE invoice_payments (
    id           BLOB PRIMARY KEY,
    operator_id  BLOB NOT NULL REFERENCES operators (id),
    invoice_id   BLOB REFERENCES invoices (id),
    amount_ore   INTEGER NOT NULL,
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('manual', 'bank_file')),
    bank_file_id BLOB REFERENCES bank_files (id),
    bank_key     TEXT,
    payer        TEXT,
    recorded_at  TEXT NOT NULL,
    recorded_by  BLOB REFERENCES people (id),
    resolved_at  TEXT,
    resolved_by  BLOB REFERENCES people (id),
    CONSTRAINT invoice_payments_bank_key UNIQUE (operator_id, bank_key)
);
CREATE INDEX invoice_payments_invoice ON invoice_payments (invoice_id);
CREATE INDEX invoice_payments_open ON invoice_payments (operator_id) WHERE resolved_at IS NULL;
