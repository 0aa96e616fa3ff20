//! Settlement between operators (issue 16, item 6): the network's tariff,
//! kept in one row, and the month's use of one operator's hubs by another
//! operator's members, from which `thirdplace_invoicing::settlement` makes
//! the statement.
//!
//! Who is whose: a member's **home** operator is the one that sells the
//! seat they used — the seat's own selling operator, else its plan's, else
//! (a hub's plan) that hub's operator, as the invoice run decides who
//! invoices a seat. The **host** is the operator of the hub. Only use where
//! they differ is returned, and only where the home is known.
//!
//! What counts:
//! - every check-in, on its civil day in Europe/Stockholm;
//! - confirmed bookings made with a seat, on the civil day they start, at
//!   their recorded amount without VAT (what the host's prices made of
//!   them when booked). A late cancellation that was charged counts as
//!   the booking it was — the room was held for the member and the
//!   customer pays for it — and one cancelled without charge does not. A
//!   booking without a seat is between the booker's organisation and the
//!   hub's operator, which invoices it: no other operator is involved.
//!
//! What it must never do: decide amounts. The tariff's bounds and the
//! statement are the invoicing crate's; this store keeps and reads.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// The network's tariff as kept (both 0 until an admin sets it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettlementTariff {
    /// Per person and visit day at another operator's hubs, in öre.
    pub visit_day_ore: i64,
    /// The host's share of a booking's amount, per mille (0–1000).
    pub booking_share_per_mille: i64,
}

/// A check-in at a hub of another operator than the member's home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementVisit {
    pub checkin_id: Uuid,
    pub person_id: Uuid,
    pub home_operator_id: Uuid,
    pub host_operator_id: Uuid,
    pub hub_name: String,
    pub checked_in_at: DateTime<Utc>,
    /// The civil day of the check-in (Europe/Stockholm).
    pub date: NaiveDate,
}

/// A booking at a hub of another operator than the seat's home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementBookingFact {
    pub booking_id: Uuid,
    pub home_operator_id: Uuid,
    pub host_operator_id: Uuid,
    pub hub_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The civil day it starts (Europe/Stockholm).
    pub date: NaiveDate,
    /// The recorded amount without VAT.
    pub amount_ore: i64,
    /// Cancelled late and charged (else confirmed).
    pub cancellation_charged: bool,
}

/// The use between operators on some days, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettlementFacts {
    pub visits: Vec<SettlementVisit>,
    pub bookings: Vec<SettlementBookingFact>,
}

#[async_trait]
pub trait SettlementStore: Send + Sync {
    /// The network's tariff.
    async fn settlement_tariff(&self) -> StoreResult<SettlementTariff>;

    /// Sets the network's tariff (its bounds checked by the caller; the
    /// databases refuse a negative amount or a share beyond 1000).
    async fn set_settlement_tariff(&self, t: &SettlementTariff) -> StoreResult<()>;

    /// The check-ins and bookings between operators on the civil days
    /// `from..=to` (Europe/Stockholm); see the module's documentation.
    async fn settlement_facts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<SettlementFacts>;
}
