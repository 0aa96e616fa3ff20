-- Payment reminders of overdue invoices (issue 16): one row per reminder
-- sent, written in the transaction that puts its e-mail in the outbox. At
-- most one per invoice and day, so that a retry, a second click or two
-- processes at once never send two.
CREATE TABLE invoice_reminders (
    id              BLOB PRIMARY KEY,
    invoice_id      BLOB NOT NULL REFERENCES invoices (id),
    sent_on         TEXT NOT NULL,
    sent_at         TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    outstanding_ore INTEGER NOT NULL,
    UNIQUE (invoice_id, sent_on)
);
