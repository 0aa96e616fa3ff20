//! Events and their calendar: events with their room bookings,
//! registrations and waiting lists, invitations, reminders, and the
//! versions and record of changes that cached calendars and feeds are
//! validated against.

use crate::{OutgoingEmail, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::booking::Booking;
use thirdplace_domain::event::{
    Event, EventStatus, EventSummary, EventVisibility, Invitation, Registration,
};
use uuid::Uuid;

/// Which events to list; `None` means any. Listed by start, then id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Events that end after this instant…
    pub from: Option<DateTime<Utc>>,
    /// …and start before this one.
    pub to: Option<DateTime<Utc>>,
    pub hub_ids: Option<Vec<Uuid>>,
    /// Events with this topic tag (case-insensitive).
    pub topic: Option<String>,
    pub visibilities: Option<Vec<EventVisibility>>,
    pub statuses: Option<Vec<EventStatus>>,
    /// Events this person organises, co-organises or holds an active
    /// registration for (a member's own calendar).
    pub involving: Option<Uuid>,
    /// Events listed after this `(start, id)`, for the next page of a
    /// calendar (keyset paging: the order above, without an offset).
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
    /// Only these events.
    pub ids: Option<Vec<Uuid>>,
    /// Leave [`EventListing::confirmed`] and `waitlisted` at 0, sparing a
    /// count per event: for what shows no places left (the feeds).
    pub without_counts: bool,
}

/// How many feed versions the record of changes keeps (see the
/// `calendar_changes` migrations).
pub const KEPT_FEED_CHANGES: i64 = 10_000;

/// [`EventStore::calendar_feed_changes`] from the record's rows `(feed_version,
/// event_id)` after `after` up to `upto`: complete only with one row per
/// version, each naming an event.
pub fn feed_changes(after: i64, upto: i64, rows: Vec<(i64, Option<Uuid>)>) -> Option<Vec<Uuid>> {
    if upto < after || upto - after > KEPT_FEED_CHANGES || rows.len() as i64 != upto - after {
        return None;
    }
    let mut ids = rows
        .into_iter()
        .map(|(_, id)| id)
        .collect::<Option<Vec<Uuid>>>()?;
    ids.sort_unstable();
    ids.dedup();
    Some(ids)
}

/// An event with what a calendar shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventListing {
    pub event: Event,
    pub hub_name: String,
    /// The room's or zone's name; `None` online.
    pub place_name: Option<String>,
    /// Places taken.
    pub confirmed: i64,
    pub waitlisted: i64,
}

/// A registration with the participant's name, address and organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationView {
    pub registration: Registration,
    /// First and last name of a person; an invited person's name.
    pub name: String,
    pub email: String,
    /// The person's organisation, or the one an invited person gave.
    pub organisation_name: Option<String>,
}

/// E-mails an event change sends. Each is a template: the store sends a
/// copy to each person concerned, with their address as `to_address` and
/// an id of its own, in the transaction that makes the change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventNotices {
    /// To everyone who moves up from the waiting list.
    pub promoted: Option<OutgoingEmail>,
    /// To everyone holding an active registration (pass it when the event
    /// moves: [`thirdplace_domain::event::Event::moved_from`]).
    pub changed: Option<OutgoingEmail>,
}

/// A saved event change and who moved up from the waiting list.
#[derive(Debug, Clone, PartialEq)]
pub struct EventChange {
    pub event: Event,
    pub promoted: Vec<Registration>,
}

/// A cancelled registration and who moved up into the freed place.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationCancelled {
    pub registration: Registration,
    pub promoted: Vec<Registration>,
}

/// Events, registrations, invitations, reminders and calendar versions.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Writes a new event and, for an event in a room, `room_booking`, in
    /// one transaction; the stored event refers to the booking
    /// (`booking_id`). Refused with `BookingRefusal::Conflict` (the room's
    /// booking) when the room is booked for part of the time (the database's
    /// no-overlap rule), and
    /// nothing is written. `Reference("room_booking")` for an event in a
    /// room without a booking; `Reference(field)` for unknown ids.
    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event>;

    async fn get_event(&self, id: Uuid) -> StoreResult<Event>;

    /// Saves a changed event (all fields but id, booking, sequence and
    /// creation) in one transaction, raising the stored sequence by one.
    /// Its room booking follows: moved to the new room and times
    /// (`BookingRefusal::Conflict` if taken), cancelled when the event
    /// leaves its room, and `room_booking` inserted when it comes into one.
    /// `EventRefusal::CapacityBelowRegistrations` when fewer places than
    /// confirmed people; new places go to the waiting list in arrival order.
    /// `EventRefusal::EventCancelled` for a cancelled event, or when `e`
    /// says cancelled (that is [`EventStore::cancel_event`]'s).
    async fn update_event(
        &self,
        e: &Event,
        room_booking: Option<&Booking>,
        notices: &EventNotices,
    ) -> StoreResult<EventChange>;

    /// Cancels an event and its room booking (cancelled by `by`, not
    /// charged), raises its sequence and sends a copy of `notice` to
    /// everyone holding an active registration, in one transaction.
    /// Registrations are kept as they were. `EventRefusal::EventCancelled`
    /// if it already was.
    async fn cancel_event(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        by: Uuid,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Event>;

    async fn list_events(&self, f: &EventFilter) -> StoreResult<Vec<EventListing>>;

    /// A number that every committed change to what the open calendar
    /// shows raises (events, sign-ups, hubs, rooms, zones, regions), as
    /// seen by any process on the same database: the validator of cached
    /// feeds and calendar pages. Read it before the data it validates.
    async fn calendar_version(&self) -> StoreResult<i64>;

    /// The same for what the iCalendar feeds show: every change above but
    /// sign-ups and their cancellations (feeds do not show places left).
    async fn calendar_feed_version(&self) -> StoreResult<i64>;

    /// The events written or removed in the feed versions after `after` up
    /// to `upto`, each once: what a feed kept at `after` must list again to
    /// be at `upto`. `None` when something else feeds show changed in
    /// between (a hub, room, zone, municipality or region), or the record
    /// no longer reaches back to `after` (it keeps the last 10 000
    /// changes): then only a whole new listing will do.
    async fn calendar_feed_changes(&self, after: i64, upto: i64) -> StoreResult<Option<Vec<Uuid>>>;

    /// Signs up `r.registrant` for `r.event_id`, deciding inside the
    /// transaction (one at a time per event) whether it gets a place or the
    /// waiting list ([`thirdplace_domain::event::decide_status`]) and its
    /// arrival position; `r.status`, `r.position` and `r.invitation_id` are
    /// ignored. `NotFound` for an unknown event; refused with the
    /// `EventRefusal` `AlreadyRegistered` (an active registration of the
    /// same person or invited address), `EventCancelled`, `NotPublished` or
    /// `EventStarted` (at `now`).
    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration>;

    async fn get_registration(&self, id: Uuid) -> StoreResult<Registration>;

    /// An event's registrations, cancelled included, in arrival order.
    async fn list_registrations(&self, event_id: Uuid) -> StoreResult<Vec<RegistrationView>> {
        self.list_registrations_after(event_id, None, i64::MAX)
            .await
    }

    /// At most `limit` of an event's registrations after the arrival
    /// position `after` (the last of the previous page), in arrival order:
    /// keyset paging, no offset.
    async fn list_registrations_after(
        &self,
        event_id: Uuid,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<RegistrationView>>;

    /// A person's active (confirmed or waitlisted) registration for an event.
    async fn registration_of(
        &self,
        event_id: Uuid,
        person_id: Uuid,
    ) -> StoreResult<Option<Registration>>;

    /// Cancels a registration and fills the places that are then free with
    /// the first people waiting, in arrival order (unless the event is
    /// cancelled or has started at `at`), sending each a copy of
    /// `promotion`, in one transaction. `EventRefusal::AlreadyCancelled`.
    async fn cancel_registration(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled>;

    /// Marks whether the person came. `NotFound` for an unknown id.
    async fn set_attended(&self, registration_id: Uuid, attended: bool) -> StoreResult<()>;

    /// Writes invitations, each with the e-mail that carries its link, in
    /// one transaction: all or none. `Conflict("token_hash")` if a hash is
    /// taken, `Reference` for an unknown event or inviter.
    async fn insert_invitations(&self, sent: &[(Invitation, OutgoingEmail)]) -> StoreResult<()>;

    /// The invitation behind a link's token (hashed by the caller).
    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Invitation>;

    /// An event's invitations, oldest first.
    async fn list_invitations(&self, event_id: Uuid) -> StoreResult<Vec<Invitation>>;

    /// Uses an invitation once: in one transaction marks it used and
    /// registers `r` (an external participant) for the invitation's event
    /// as [`EventStore::register`] does, with `invitation_id` set.
    /// `EventRefusal::InvitationInvalid` for an unknown token,
    /// `EventRefusal::InvitationUsed` when it was used (also by a
    /// concurrent redemption); if the registration is refused, the
    /// invitation stays unused.
    async fn redeem_invitation(
        &self,
        token_hash: &str,
        r: &Registration,
        now: DateTime<Utc>,
    ) -> StoreResult<Registration>;

    /// Published events starting after `now` and at most `ahead` later
    /// whose reminder has not been sent, by start, at most `limit`.
    async fn events_due_for_reminder(
        &self,
        now: DateTime<Utc>,
        ahead: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Event>>;

    /// Sends an event's reminder once: in one transaction marks it sent at
    /// `at` and queues a copy of `template` to everyone holding a place.
    /// Returns how many were queued. `Refusal::ReminderSent` when it
    /// was sent before (by this or another process); moving an event to
    /// another start makes it due again.
    async fn send_event_reminder(
        &self,
        event_id: Uuid,
        at: DateTime<Utc>,
        template: &OutgoingEmail,
    ) -> StoreResult<i64>;

    /// Places taken, attendance, waiting list, organisations and external
    /// participants ([`thirdplace_domain::event::summarise`]).
    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary>;
}
