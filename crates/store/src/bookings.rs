//! Room bookings: each hub's booking rules, writing bookings under the
//! no-overlap rule and seats' included hours, cancelling and listing them,
//! and the generation of a person's private calendar feed address.

use crate::{OutgoingEmail, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::booking::{Booking, BookingRules};
use uuid::Uuid;

/// A booking with the names lists show next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingView {
    pub booking: Booking,
    pub room_name: String,
    pub hub_name: String,
    pub booker_first_name: String,
    pub booker_last_name: String,
    pub organisation_name: String,
}

/// Which bookings to list; `None` means any. Bookings are listed by start,
/// then id (a stable order to page through).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookingFilter {
    pub hub_ids: Option<Vec<Uuid>>,
    pub room_id: Option<Uuid>,
    pub booker_id: Option<Uuid>,
    /// Bookings that end after this instant…
    pub from: Option<DateTime<Utc>>,
    /// …and start before this one.
    pub to: Option<DateTime<Utc>>,
    pub include_cancelled: bool,
    /// Bookings listed after this `(start, id)`: the last booking of the
    /// previous page (keyset paging, no offset).
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// A seat's included minutes for a month, checked inside the transaction
/// that writes bookings using them: the minutes used by charged bookings of
/// that seat and month must not exceed `allowance_minutes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludedCap {
    pub seat_id: Uuid,
    /// `YYYY-MM`, Swedish time.
    pub month: String,
    pub allowance_minutes: i64,
}

/// Who cancels a booking, when, why, and whether it is still charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub at: DateTime<Utc>,
    pub by: Uuid,
    pub reason: String,
    pub charged: bool,
}

/// Booking rules, bookings and personal calendar feed addresses.
#[async_trait]
pub trait BookingStore: Send + Sync {
    /// A hub's booking rules; the defaults when it has none of its own.
    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules>;

    /// Sets a hub's booking rules (`Reference("hub_id")` if unknown).
    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()>;

    /// Writes bookings all or nothing. Refused with `BookingRefusal::Conflict`
    /// when one overlaps a confirmed booking of its room (the database
    /// enforces this inside the transaction), and with
    /// `Refusal::IncludedHoursSpent` when a cap would be exceeded.
    async fn insert_bookings(&self, bookings: &[Booking], caps: &[IncludedCap]) -> StoreResult<()>;

    async fn get_booking(&self, id: Uuid) -> StoreResult<Booking>;

    /// The confirmed bookings of a room that overlap `[from, to)`, as
    /// `(start, end)` by start.
    async fn busy_times(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>>;

    /// Included minutes used per seat in a month (`YYYY-MM`) by charged
    /// bookings; seats with none are left out.
    async fn seat_minutes_used(
        &self,
        seat_ids: &[Uuid],
        month: &str,
    ) -> StoreResult<Vec<(Uuid, i64)>>;

    /// Cancels a confirmed booking and queues `notice` (if any) in the same
    /// transaction. Refused with `BookingRefusal::AlreadyCancelled` if it was
    /// cancelled,
    /// `BookingRefusal::EventBooking` for the room booking of an event that is
    /// not cancelled (it follows the event: [`EventStore::cancel_event`](crate::EventStore::cancel_event)).
    async fn cancel_booking(
        &self,
        id: Uuid,
        c: &Cancellation,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Booking>;

    async fn list_bookings(&self, f: &BookingFilter) -> StoreResult<Vec<BookingView>>;

    /// The generation of a person's private calendar feed address.
    async fn calendar_generation(&self, person_id: Uuid) -> StoreResult<i64>;

    /// Voids the person's feed address; returns the new generation.
    async fn rotate_calendar(&self, person_id: Uuid) -> StoreResult<i64>;
}
