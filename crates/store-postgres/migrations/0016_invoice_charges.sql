-- What each issued invoice charged (issue 16): one row per charge key
-- ("seat:<holding>:<month>", "booking:<id>", "cancellation:<id>",
-- "event:<id>"), written in the transaction that issues the invoice. The
-- key is unique per operator, so a second run (or two runs at once) never
-- charges the same thing twice. A credit note frees nothing: a correction
-- is invoiced by hand.
CREATE TABLE invoice_charges (
    operator_id UUID NOT NULL REFERENCES operators (id),
    charge_key  TEXT NOT NULL,
    invoice_id  UUID NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (operator_id, charge_key)
);
CREATE INDEX invoice_charges_invoice ON invoice_charges (invoice_id);

-- The document as issued (the invoicing crate's document input as JSON:
-- seller, buyer, payment, lines with their periods), so that its Peppol
-- XML and PDF can be written again exactly as issued. NULL on invoices
-- issued without one. (The trigger of 0015 keeps every column but
-- paid_on as issued, this one too.)
ALTER TABLE invoices ADD COLUMN document TEXT;
