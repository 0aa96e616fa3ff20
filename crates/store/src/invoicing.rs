//! Invoicing's storage (issue 16): issued invoices and credit notes with
//! their lines, the gap-free number series of each operator, payments
//! (by hand or from a bank file) and the bank files imported.
//!
//! What it must never do: change an issued invoice (only its payment state
//! moves; the databases refuse anything else), use a number twice or skip
//! one. Each number is taken inside the transaction that writes its
//! invoice, so a failed issue uses none. The formats (UBL, PDF, SIE,
//! BgMax, OCR references) are the `thirdplace-invoicing` crate's: this
//! store keeps what was issued and what was paid.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// An invoice (faktura) or a credit note (kreditfaktura).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceKind {
    Invoice,
    /// Corrects an issued invoice of the same operator and customer, which
    /// it names; its amounts are positive, as on paper.
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceKind> {
        match s {
            "invoice" => Some(InvoiceKind::Invoice),
            "credit_note" => Some(InvoiceKind::CreditNote),
            _ => None,
        }
    }
}

/// Where an invoice stands on a day, derived from its payments, its
/// credit notes and its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Not yet paid, not yet due.
    Open,
    /// Payments and credit notes together cover it.
    Paid,
    /// Due date passed and not paid.
    Overdue,
    /// Credit notes cover all of it.
    Credited,
    /// The document is itself a credit note.
    CreditNote,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Credited => "credited",
            InvoiceStatus::CreditNote => "credit_note",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Open,
            InvoiceStatus::Paid,
            InvoiceStatus::Overdue,
            InvoiceStatus::Credited,
            InvoiceStatus::CreditNote,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One line of an issued invoice, as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    /// The quantity in thousandths (1 500 = 1.5 hours).
    pub quantity_milli: i64,
    /// UN/ECE rec 20 unit code (`C62` one, `HUR` hour, `MON` month, …).
    pub unit_code: String,
    pub unit_price_ore: i64,
    /// The line's net amount in öre, rounded as the domain decided.
    pub net_ore: i64,
    /// EN 16931 VAT category code (`S` standard, `E` exempt, `Z`, `AE`, …).
    pub vat_category: String,
    pub vat_rate_percent: u8,
    /// Why no VAT is charged (categories other than `S`).
    pub vat_exemption_reason: Option<String>,
    /// What is sold (`seat`, `room_hours`, `late_cancellation`,
    /// `event_fee`, …), for the revenue account and the grouping.
    pub product_kind: String,
    /// The BAS account of the revenue (e.g. 3041).
    pub revenue_account: i64,
    pub seat_id: Option<Uuid>,
    pub booking_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
}

/// What to issue. The number is not in it: the store takes the next of
/// the operator's series inside the transaction that writes the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRequest {
    /// The new invoice's id (unused when the key was seen before).
    pub id: Uuid,
    /// The same key again (of the same operator) returns the invoice it
    /// first issued and issues nothing.
    pub idempotency_key: String,
    pub operator_id: Uuid,
    pub organisation_id: Uuid,
    pub kind: InvoiceKind,
    /// The invoice a credit note corrects (same operator and customer);
    /// `None` for an invoice.
    pub credits_invoice_id: Option<Uuid>,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// ISO 4217; `SEK`.
    pub currency: String,
    /// The buyer's reference (required by Swedish public buyers).
    pub buyer_reference: String,
    /// The seller's details as issued: JSON text, kept as given.
    pub seller: String,
    /// The buyer's details as issued: JSON text, kept as given.
    pub buyer: String,
    pub lines: Vec<InvoiceLine>,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub gross_ore: i64,
    pub issued_at: DateTime<Utc>,
    /// What the invoice charges, as the run's charge keys
    /// (`"booking:<id>"`, …): recorded with it, each at most once per
    /// operator (`Conflict("charge_key")` when one was invoiced before,
    /// and nothing is written).
    pub charge_keys: Vec<String>,
    /// The whole document as issued (JSON text, kept as given), from which
    /// its formats are written again.
    pub document: Option<String>,
}

/// Who issues a batch ([`InvoicingStore::issue_invoices`]): each invoice
/// it issues gets an audit entry by `actor_id` with `action`, in the same
/// transaction, its details the number, the customer and the gross amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueAudit {
    pub actor_id: Option<Uuid>,
    /// `invoice.issued`, …
    pub action: String,
    pub at: DateTime<Utc>,
}

/// An issued invoice or credit note with its payment state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedInvoice {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub organisation_id: Uuid,
    /// The number in the operator's series (gap-free).
    pub number: i64,
    /// The series' prefix when it was issued (shown before the number).
    pub series_prefix: String,
    pub kind: InvoiceKind,
    pub credits_invoice_id: Option<Uuid>,
    pub idempotency_key: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub currency: String,
    pub buyer_reference: String,
    pub seller: String,
    pub buyer: String,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub gross_ore: i64,
    pub issued_at: DateTime<Utc>,
    /// The day payments and credit notes came to cover it; `None` while
    /// they do not.
    pub paid_on: Option<NaiveDate>,
    /// What payments linked to it add up to.
    pub paid_ore: i64,
    /// What credit notes referring to it add up to (gross).
    pub credited_ore: i64,
    /// The whole document as issued (JSON text), if it was given.
    pub document: Option<String>,
}

impl IssuedInvoice {
    /// The number as printed: the series' prefix and the number.
    pub fn display_number(&self) -> String {
        format!("{}{}", self.series_prefix, self.number)
    }

    /// What is left to pay (never below zero).
    pub fn outstanding_ore(&self) -> i64 {
        match self.kind {
            InvoiceKind::CreditNote => 0,
            InvoiceKind::Invoice => (self.gross_ore - self.credited_ore - self.paid_ore).max(0),
        }
    }

    /// Where it stands on `on`.
    pub fn status(&self, on: NaiveDate) -> InvoiceStatus {
        match self.kind {
            InvoiceKind::CreditNote => InvoiceStatus::CreditNote,
            InvoiceKind::Invoice if self.credited_ore >= self.gross_ore => InvoiceStatus::Credited,
            InvoiceKind::Invoice if self.paid_on.is_some() => InvoiceStatus::Paid,
            InvoiceKind::Invoice if self.due_date < on => InvoiceStatus::Overdue,
            InvoiceKind::Invoice => InvoiceStatus::Open,
        }
    }
}

/// Which invoices a list shows, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    pub operator_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// Only those with this status on [`on`](Self::on).
    pub status: Option<InvoiceStatus>,
    /// The day statuses are told on (today, in the hub's time zone).
    pub on: Option<NaiveDate>,
    /// The page after the invoice with this id (the last of the page before).
    pub after: Option<Uuid>,
    /// At most this many (0: no limit).
    pub limit: i64,
    /// Only what someone who is not a network admin may see; `None`: all.
    pub visible: Option<InvoiceScope>,
}

/// The invoices a person sees (issue 16, item 5): those of the operators
/// they are staff of, and those to the organisations they administer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceScope {
    pub operator_ids: Vec<Uuid>,
    pub organisation_ids: Vec<Uuid>,
}

/// An issued line that concerns a hub (a booking of one of its rooms, a
/// seat on one of its plans, an event there), with what its hosts may
/// know of its invoice: the number and the customer, not the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubInvoiceLine {
    pub invoice_id: Uuid,
    /// The number as printed (prefix and number).
    pub invoice_number: String,
    pub kind: InvoiceKind,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub issue_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub description: String,
    pub quantity_milli: i64,
    pub unit_code: String,
    /// As on the document (positive on a credit note too).
    pub net_ore: i64,
    pub vat_rate_percent: u8,
    pub product_kind: String,
}

/// How a payment came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentSource {
    /// Marked paid by a person.
    Manual,
    /// A payment of an imported bank file (BgMax).
    BankFile,
}

impl PaymentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentSource::Manual => "manual",
            PaymentSource::BankFile => "bank_file",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentSource> {
        match s {
            "manual" => Some(PaymentSource::Manual),
            "bank_file" => Some(PaymentSource::BankFile),
            _ => None,
        }
    }
}

/// A payment received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: Uuid,
    pub operator_id: Uuid,
    /// The invoice it pays; `None` while no invoice matched it.
    pub invoice_id: Option<Uuid>,
    pub amount_ore: i64,
    pub paid_on: NaiveDate,
    /// The reference the payer gave (an OCR reference, a note).
    pub reference: String,
    pub source: PaymentSource,
    pub bank_file_id: Option<Uuid>,
    /// Identifies a bank file's payment, so that it counts once.
    pub bank_key: Option<String>,
    pub payer: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
    /// When a person (or a full match) settled it; `None` while an
    /// unmatched or partial payment waits for someone.
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
}

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub id: Uuid,
    pub operator_id: Uuid,
    /// The invoice it pays, when known; else the store looks for the
    /// operator's invoice numbered [`invoice_number`](Self::invoice_number).
    pub invoice_id: Option<Uuid>,
    /// The invoice number the reference names (read from an OCR reference
    /// by the caller), if any.
    pub invoice_number: Option<i64>,
    pub amount_ore: i64,
    pub paid_on: NaiveDate,
    pub reference: String,
    pub source: PaymentSource,
    pub bank_key: Option<String>,
    pub payer: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
}

/// A bank file to import: its payments are recorded together, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankFileImport {
    pub id: Uuid,
    pub operator_id: Uuid,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub fingerprint: String,
    pub file_name: String,
    pub imported_at: DateTime<Utc>,
    pub imported_by: Option<Uuid>,
    /// Its payments (source [`PaymentSource::BankFile`]).
    pub payments: Vec<NewPayment>,
}

/// What importing a bank file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankFileOutcome {
    /// The same file was imported before (this id): nothing changed.
    AlreadyImported(Uuid),
    Imported {
        /// Payments that paid an invoice in full.
        matched: u64,
        /// Payments linked to an invoice that they do not (yet) cover.
        partial: u64,
        /// Payments no invoice matched.
        unmatched: u64,
        /// Payments seen before in another file, skipped.
        skipped: u64,
    },
}

/// Who held a seat, from when until when (`until` exclusive, `None`
/// while held), with the holder's name as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunHolding {
    pub person_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// A seat an operator sells, with its plan's price and its holders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSeat {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub plan_name: String,
    pub monthly_price_ore: i64,
    pub vat_rate_percent: i64,
    pub included_hours_per_month: i64,
    pub start_date: NaiveDate,
    /// The last valid day.
    pub end_date: Option<NaiveDate>,
    pub holdings: Vec<RunHolding>,
}

/// A booking a run looks at: a confirmed one (charged beyond the included
/// hours), or a cancelled one whose late cancellation was charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunBooking {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub seat_id: Option<Uuid>,
    /// The operator of the booking's hub: the one that invoices it.
    pub operator_id: Uuid,
    pub room_name: String,
    pub hub_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The room's hourly price and VAT rate.
    pub hourly_price_ore: i64,
    pub vat_rate_percent: i64,
    pub booker_first_name: String,
    pub booker_last_name: String,
    /// Cancelled late and charged (else confirmed).
    pub cancellation_charged: bool,
    /// The price (excluding VAT) recorded when it was booked.
    pub price_ex_vat_ore: i64,
}

/// What one operator's invoice run needs from the store for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    /// The organisations with a seat the operator sells in the period, or
    /// a booking at one of its hubs, by name.
    pub customers: Vec<thirdplace_domain::Organisation>,
    /// The operator's seats valid some day of the period.
    pub seats: Vec<RunSeat>,
    /// The customers' confirmed bookings starting from a day before the
    /// period to a day after (at any operator's hubs, since they use the
    /// included hours of a seat too), and charged late cancellations.
    pub bookings: Vec<RunBooking>,
    /// The charge keys the operator has invoiced before.
    pub invoiced: Vec<String>,
}

/// Invoicing: issued invoices, the number series, payments.
#[async_trait]
pub trait InvoicingStore: Send + Sync {
    /// Issues an invoice or credit note, numbered with the next number of
    /// the operator's series (starting at its `invoice_number_start`),
    /// with its lines, in one transaction. The same idempotency key again
    /// returns the first result. `Reference` for an unknown operator or
    /// organisation (`operator_id`, `organisation_id`) or a credit note's
    /// invoice that is not an invoice of the same operator and customer
    /// (`credits_invoice_id`); nothing is written and no number used.
    async fn issue_invoice(&self, req: &IssueRequest) -> StoreResult<IssuedInvoice>;

    /// Issues many invoices and credit notes in one transaction, all or
    /// nothing, each as [`issue_invoice`](Self::issue_invoice) would: numbered
    /// in the order given from the series (taken inside the transaction), a
    /// key seen before (or earlier in the batch) returning the invoice it
    /// first issued. With `audit`, each invoice issued now gets its audit
    /// entry in the same transaction. The result is in the order of `reqs`.
    /// Errors as `issue_invoice`'s, for any request of the batch; a charge
    /// key twice in the batch is `Conflict("charge_key")` too.
    async fn issue_invoices(
        &self,
        reqs: &[IssueRequest],
        audit: Option<&IssueAudit>,
    ) -> StoreResult<Vec<IssuedInvoice>>;

    /// What the operator's invoice run for the days `from..=to` (civil
    /// dates) needs: see [`RunFacts`]. `NotFound` for an unknown operator.
    async fn run_facts(
        &self,
        operator_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<RunFacts>;

    /// The invoice `id`; `NotFound` if none.
    async fn invoice(&self, id: Uuid) -> StoreResult<IssuedInvoice>;

    /// The operator's invoice numbered `number`, if any.
    async fn invoice_by_number(
        &self,
        operator_id: Uuid,
        number: i64,
    ) -> StoreResult<Option<IssuedInvoice>>;

    /// The lines of an invoice, in order.
    async fn invoice_lines(&self, invoice_id: Uuid) -> StoreResult<Vec<InvoiceLine>>;

    /// Invoices newest first, as `filter` says.
    async fn list_invoices(&self, filter: &InvoiceFilter) -> StoreResult<Vec<IssuedInvoice>>;

    /// The lines of issued invoices and credit notes whose period meets
    /// the days `from..=to` and that concern the hub: bookings of its
    /// rooms, seats on plans of the hub, events at the hub. In order of
    /// issue, then as on the document.
    async fn hub_invoice_lines(
        &self,
        hub_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<HubInvoiceLine>>;

    /// Invoices not paid or credited whose due date is before `on`
    /// (of one operator, or all), oldest due first.
    async fn overdue_invoices(
        &self,
        operator_id: Option<Uuid>,
        on: NaiveDate,
    ) -> StoreResult<Vec<IssuedInvoice>>;

    /// Records a payment and updates its invoice's paid state. A payment
    /// that matches no invoice, or does not cover it, waits to be resolved.
    /// A bank payment whose `bank_key` was recorded before is `Conflict("bank_key")`.
    async fn record_payment(&self, p: &NewPayment) -> StoreResult<Payment>;

    /// Imports a bank file's payments in one transaction, once per
    /// fingerprint (and operator).
    async fn import_bank_file(&self, f: &BankFileImport) -> StoreResult<BankFileOutcome>;

    /// The payments of an invoice, oldest first.
    async fn invoice_payments(&self, invoice_id: Uuid) -> StoreResult<Vec<Payment>>;

    /// Unmatched and partial payments waiting for a person (of one
    /// operator, or all), oldest first.
    async fn payments_to_resolve(&self, operator_id: Option<Uuid>) -> StoreResult<Vec<Payment>>;

    /// Settles a waiting payment: links it to `invoice_id` (an invoice of
    /// its operator; `None` keeps its link, e.g. a partial payment
    /// accepted as is) and marks it resolved. `NotFound` for an unknown
    /// payment, `Reference("invoice_id")` for an invoice not the operator's.
    async fn resolve_payment(
        &self,
        payment_id: Uuid,
        invoice_id: Option<Uuid>,
        by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<Payment>;
}
