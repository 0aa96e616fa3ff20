//! The storage boundary of thirdplace: one trait per capability
//! ([`NetworkStore`], [`PeopleStore`], [`MembershipStore`], [`WebhookStore`],
//! [`BookingStore`], [`OutboxStore`], [`EventStore`], [`PrivacyStore`],
//! [`AuditStore`], [`ThrottleStore`], [`RetentionStore`], [`AccessStore`], [`SsoStore`],
//! [`InvoicingStore`] and [`MetaStore`], each in its own module with the types it takes and gives),
//! their union [`Store`] that both the embedded SQLite backend and the
//! PostgreSQL backend implement, the typed [`StoreError`], and (behind the
//! `testing` feature) the contract suite that every backend runs in its own
//! tests.
//!
//! This crate holds no SQL that only one backend can run. Backends keep
//! their SQL and migrations to themselves; the row mappers and query text
//! that are the same to the letter in both live in `sql` (feature `sql`).
//! Nothing above this crate knows which backend it talks to.

pub mod backup;
pub mod cache;

#[cfg(feature = "sql")]
pub mod sql;

#[cfg(feature = "testing")]
pub mod contract;

pub use thirdplace_domain::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the string names the field
    /// (`email`, `org_number`, `code`, …). Only uniqueness: a rule that says
    /// no is a [`StoreError::Refused`].
    #[error("{0} is already taken")]
    Conflict(String),
    /// A rule the store guards inside its transaction said no (a double
    /// booking, the last network admin, a guest too many, …).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A reference to something that does not exist; names the field.
    #[error("{0} refers to something that does not exist")]
    Reference(String),
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

mod access;
mod audit;
mod bookings;
mod evaluation;
mod events;
mod invoicing;
mod membership;
mod meta;
mod network;
mod outbox;
mod people;
mod privacy;
mod reminders;
mod retention;
mod settlement;
mod sso;
mod throttle;
mod webhooks;

pub use access::*;
#[cfg(feature = "sql")]
pub use audit::sql as audit_sql;
pub use audit::{AuditEntry, AuditFilter, AuditStore};
pub use bookings::*;
pub use evaluation::*;
pub use events::*;
pub use invoicing::*;
pub use membership::*;
pub use meta::*;
pub use network::*;
pub use outbox::*;
pub use people::*;
pub use privacy::*;
pub use reminders::*;
pub use retention::*;
pub use settlement::*;
pub use sso::*;
pub use throttle::*;
pub use webhooks::*;

/// Everything thirdplace keeps: the union of the capability traits, so that
/// the app holds one `Arc<dyn Store>` (methods of the supertraits are called
/// on it without importing them). A backend that implements them all says
/// so with an empty `impl Store for … {}`. Methods take and return domain types;
/// `insert_*` fails with `Conflict` on a taken unique value, a write a rule
/// forbids with `Refused`, and `update_*`
/// with `NotFound` when the id is unknown. Archiving is an update
/// (`archived = true`): nothing that others refer to is ever deleted.
pub trait Store:
    MetaStore
    + NetworkStore
    + PeopleStore
    + MembershipStore
    + WebhookStore
    + BookingStore
    + OutboxStore
    + EventStore
    + PrivacyStore
    + AuditStore
    + ThrottleStore
    + RetentionStore
    + AccessStore
    + SsoStore
    + InvoicingStore
    + ReminderStore
    + SettlementStore
    + EvaluationStore
    + Send
    + Sync
    + 'static
{
}
