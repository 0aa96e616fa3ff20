//! Payment reminders of overdue invoices (issue 16): each reminder is kept
//! with the e-mail it put in the outbox. When one may be sent is the
//! `thirdplace-invoicing` crate's rule (`reminder`); the store keeps the
//! guarantee that a retry never sends two.

use crate::{OutgoingEmail, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A reminder that was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceReminder {
    pub id: Uuid,
    pub invoice_id: Uuid,
    /// The operator's civil day it went.
    pub sent_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub to_address: String,
    /// What was left to pay when it went.
    pub outstanding_ore: i64,
}

/// A reminder to send, with the e-mail that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    pub reminder: InvoiceReminder,
    /// Refused (`Refused(ReminderSent)`) when the invoice has a reminder
    /// sent after this day: the interval between reminders.
    pub quiet_after: NaiveDate,
    pub email: OutgoingEmail,
}

/// The reminders of one unpaid invoice, in short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSummary {
    pub invoice_id: Uuid,
    pub last_sent_on: NaiveDate,
    pub count: i64,
}

#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Records the reminder and queues its e-mail, both or neither.
    /// `NotFound` for an unknown invoice; `Refused(ReminderSent)` when one
    /// went after `quiet_after` (or two requests race on one day).
    async fn send_invoice_reminder(&self, r: &NewReminder) -> StoreResult<InvoiceReminder>;

    /// The reminders of an invoice, oldest first.
    async fn invoice_reminders(&self, invoice_id: Uuid) -> StoreResult<Vec<InvoiceReminder>>;

    /// The last reminder and the number sent, per invoice not yet paid
    /// (of one operator, or all).
    async fn reminder_summaries(
        &self,
        operator_id: Option<Uuid>,
    ) -> StoreResult<Vec<ReminderSummary>>;
}
