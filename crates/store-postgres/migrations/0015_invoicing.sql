-- Invoicing (issue 16): operators as sellers, organisations as buyers, the
-- selling operator and VAT rate of plans and seats, issued invoices and
-- credit notes with their lines, payments and imported bank files.
-- Amounts are integer öre (BIGINT); dates DATE; instants TIMESTAMPTZ.

-- Operators as sellers. The legal name falls back to the operator's name,
-- the Peppol id to its organisation number (scheme 0007).
ALTER TABLE operators ADD COLUMN legal_name TEXT;
ALTER TABLE operators ADD COLUMN vat_number TEXT;
ALTER TABLE operators ADD COLUMN f_tax_approved BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE operators ADD COLUMN street_address TEXT;
ALTER TABLE operators ADD COLUMN postal_code TEXT;
ALTER TABLE operators ADD COLUMN city TEXT;
ALTER TABLE operators ADD COLUMN country TEXT NOT NULL DEFAULT 'SE';
ALTER TABLE operators ADD COLUMN bankgiro TEXT;
ALTER TABLE operators ADD COLUMN plusgiro TEXT;
ALTER TABLE operators ADD COLUMN invoice_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN invoice_number_start BIGINT NOT NULL DEFAULT 1;
ALTER TABLE operators ADD COLUMN payment_terms_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE operators ADD COLUMN ocr_length_digit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE operators ADD COLUMN peppol_scheme TEXT NOT NULL DEFAULT '0007';
ALTER TABLE operators ADD COLUMN peppol_id TEXT;
ALTER TABLE operators ADD COLUMN account_seat BIGINT NOT NULL DEFAULT 3041;
ALTER TABLE operators ADD COLUMN account_room_hours BIGINT NOT NULL DEFAULT 3041;
ALTER TABLE operators ADD COLUMN account_late_cancellation BIGINT NOT NULL DEFAULT 3041;
ALTER TABLE operators ADD COLUMN account_event_fee BIGINT NOT NULL DEFAULT 3041;

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
ALTER TABLE plans ADD COLUMN selling_operator_id UUID REFERENCES operators (id);
ALTER TABLE plans ADD COLUMN vat_rate_percent SMALLINT NOT NULL DEFAULT 25;
ALTER TABLE seats ADD COLUMN selling_operator_id UUID REFERENCES operators (id);

-- The next number of each operator's series. Issuing takes it inside the
-- issuing transaction, whose UPDATE of the counter row locks it until
-- commit (processes sharing the database wait in turn), so numbers
-- are gap-free: a failed issue rolls the counter back with the invoice.
CREATE TABLE invoice_counters (
    operator_id UUID PRIMARY KEY REFERENCES operators (id),
    next_number BIGINT NOT NULL
);

-- Issued invoices and credit notes. Never updated but for `paid_on`
-- (the triggers below), never deleted. Seller and buyer are JSON text
-- captured when issued, so a later change of either shows on no invoice.
CREATE TABLE invoices (
    id                 UUID PRIMARY KEY,
    operator_id        UUID NOT NULL REFERENCES operators (id),
    organisation_id    UUID NOT NULL REFERENCES organisations (id),
    number             BIGINT NOT NULL,
    series_prefix      TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    credits_invoice_id UUID REFERENCES invoices (id),
    idempotency_key    TEXT NOT NULL,
    issue_date         DATE NOT NULL,
    due_date           DATE NOT NULL,
    period_start       DATE NOT NULL,
    period_end         DATE NOT NULL,
    currency           TEXT NOT NULL,
    buyer_reference    TEXT NOT NULL,
    seller             TEXT NOT NULL,
    buyer              TEXT NOT NULL,
    net_ore            BIGINT NOT NULL,
    vat_ore            BIGINT NOT NULL,
    gross_ore          BIGINT NOT NULL,
    issued_at          TIMESTAMPTZ NOT NULL,
    paid_on            DATE,
    CONSTRAINT invoices_number_key UNIQUE (operator_id, number),
    CONSTRAINT invoices_idempotency_key UNIQUE (operator_id, idempotency_key),
    CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL))
);
CREATE INDEX invoices_organisation ON invoices (organisation_id, id);
CREATE INDEX invoices_credits ON invoices (credits_invoice_id);
CREATE INDEX invoices_due ON invoices (due_date) WHERE paid_on IS NULL;

CREATE TABLE invoice_lines (
    invoice_id           UUID NOT NULL REFERENCES invoices (id),
    position             BIGINT NOT NULL,
    description          TEXT NOT NULL,
    quantity_milli       BIGINT NOT NULL,
    unit_code            TEXT NOT NULL,
    unit_price_ore       BIGINT NOT NULL,
    net_ore              BIGINT NOT NULL,
    vat_category         TEXT NOT NULL,
    vat_rate_percent     SMALLINT NOT NULL,
    vat_exemption_reason TEXT,
    product_kind         TEXT NOT NULL,
    revenue_account      BIGINT NOT NULL,
    seat_id              UUID,
    booking_id           UUID,
    event_id             UUID,
    PRIMARY KEY (invoice_id, position)
);

-- Issued rows stay as issued: only the payment state (`paid_on`) changes.
CREATE FUNCTION invoices_stay_issued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'invoices'
       AND (to_jsonb(NEW) - 'paid_on') = (to_jsonb(OLD) - 'paid_on') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'issued invoices are immutable but for their payment state';
END $$;
CREATE TRIGGER invoices_issued_stay_issued BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_stay_issued();
CREATE TRIGGER invoice_lines_are_kept BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoices_stay_issued();
CREATE TRIGGER invoices_not_truncated BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_stay_issued();

-- Bank files imported (BgMax), by the SHA-256 of their content: the same
-- file again changes nothing.
CREATE TABLE bank_files (
    id          UUID PRIMARY KEY,
    operator_id UUID NOT NULL REFERENCES operators (id),
    fingerprint TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by UUID REFERENCES people (id),
    CONSTRAINT bank_files_fingerprint_key UNIQUE (operator_id, fingerprint)
);

-- Payments received, by hand or from a bank file. `invoice_id` is NULL for
-- a payment no invoice matched; unmatched and partial payments wait for a
-- person until `resolved_at`. `bank_key` identifies a payment of a bank
-- file, so one payment seen in two files counts once.
CREATE TABLE invoice_payments (
    id           UUID PRIMARY KEY,
    operator_id  UUID NOT NULL REFERENCES operators (id),
    invoice_id   UUID REFERENCES invoices (id),
    amount_ore   BIGINT NOT NULL,
    paid_on      DATE NOT NULL,
    reference    TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('manual', 'bank_file')),
    bank_file_id UUID REFERENCES bank_files (id),
    bank_key     TEXT,
    payer        TEXT,
    recorded_at  TIMESTAMPTZ NOT NULL,
    recorded_by  UUID REFERENCES people (id),
    resolved_at  TIMESTAMPTZ,
    resolved_by  UUID REFERENCES people (id),
    CONSTRAINT invoice_payments_bank_key UNIQUE (operator_id, bank_key)
);
CREATE INDEX invoice_payments_invoice ON invoice_payments (invoice_id);
CREATE INDEX invoice_payments_open ON invoice_payments (operator_id) WHERE resolved_at IS NULL;
