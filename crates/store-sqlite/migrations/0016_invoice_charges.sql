-- What each issued invoice charged (issue 16): one row per charge key
-- ("seat:<holding>:<month>", "booking:<id>", "cancellation:<id>",
-- "event:<id>"), written in the transaction that issues the invoice. The
-- key is unique per operator, so a second run (or two runs at once) never
-- charges the same thing twice. A credit note frees nothing: a correction
-- is invoiced by hand.
CREATE TABLE invoice_charges (
    operator_id BLOB NOT NULL REFERENCES operators (id),
    charge_key  TEXT NOT NULL,
    invoice_id  BLOB NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (operator_id, charge_key)
);
CREATE INDEX invoice_charges_invoice ON invoice_charges (invoice_id);

-- The document as issued (the invoicing crate's document input as JSON:
-- seller, buyer, payment, lines with their periods), so that its Peppol
-- XML and PDF can be written again exactly as issued. NULL on invoices
-- issued without one.
ALTER TABLE invoices ADD COLUMN document TEXT;

-- The document stays as issued too.
DROP TRIGGER invoices_issued_stay_issued;
CREATE TRIGGER invoices_issued_stay_issued BEFORE UPDATE ON invoices
WHEN NEW.id IS NOT OLD.id OR NEW.number IS NOT OLD.number OR NEW.kind IS NOT OLD.kind
  OR NEW.operator_id IS NOT OLD.operator_id OR NEW.organisation_id IS NOT OLD.organisation_id
  OR NEW.seller IS NOT OLD.seller OR NEW.buyer IS NOT OLD.buyer
  OR NEW.net_ore IS NOT OLD.net_ore OR NEW.vat_ore IS NOT OLD.vat_ore
  OR NEW.gross_ore IS NOT OLD.gross_ore OR NEW.issue_date IS NOT OLD.issue_date
  OR NEW.due_date IS NOT OLD.due_date
  OR NEW.buyer_reference IS NOT OLD.buyer_reference
  OR NEW.document IS NOT OLD.document
BEGIN
    SELECT RAISE(ABORT, 'issued invoices are immutable but for their payment state');
END;
