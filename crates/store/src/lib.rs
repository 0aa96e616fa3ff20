//! The storage boundary of thirdplace: one trait, [`Store`], that both the
//! embedded SQLite backend and the PostgreSQL backend implement, the typed
//! [`StoreError`], and (behind the `testing` feature) the contract suite
//! that every backend runs in its own tests.
//!
//! This crate holds no SQL. Backends keep their SQL and migrations to
//! themselves; nothing above this crate knows which backend it talks to.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use thirdplace_domain::booking::{Booking, BookingRules};
use thirdplace_domain::event::{
    Event, EventStatus, EventSummary, EventVisibility, Invitation, Registration,
};
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, GuestVisit, HeldSeat, Plan, PresentPerson, Profile, Seat, SeatHolding,
    Webhook, WebhookDelivery, WebhookEvent,
};
use thirdplace_domain::{Hub, Municipality, Operator, Organisation, Person, Region, Room, Zone};
use uuid::Uuid;

#[cfg(feature = "testing")]
pub mod contract;
#[cfg(feature = "testing")]
pub mod contract_bookings;
#[cfg(feature = "testing")]
pub mod contract_events;
#[cfg(feature = "testing")]
pub mod contract_membership;
#[cfg(feature = "testing")]
pub mod contract_privacy;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the string names the field
    /// (`email`, `org_number`, `code`, …).
    #[error("{0} is already taken")]
    Conflict(String),
    /// A reference to something that does not exist; names the field.
    #[error("{0} refers to something that does not exist")]
    Reference(String),
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A hub with the names a listing shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct HubListing {
    pub hub: Hub,
    pub municipality_name: String,
    pub central_town: String,
    pub region_id: Uuid,
    pub region_name: String,
    pub operator_name: String,
}

/// A signed-in browser session. Only a hash of the cookie's secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub person_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A personal access token for the API. Only a hash of the secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A seat as an organisation admin sees it: with its plan's name and its
/// current holder, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatView {
    pub seat: Seat,
    pub plan_name: String,
    pub holder: Option<SeatHolder>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatHolder {
    pub person_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub since: DateTime<Utc>,
}

/// An event to fan out to every active webhook subscribed to it, written in
/// the same transaction as the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEvent {
    pub event: WebhookEvent,
    /// The JSON body as it will be sent and signed.
    pub payload: String,
    pub at: DateTime<Utc>,
}

/// A delivery handed to a worker, with the webhook it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub delivery: WebhookDelivery,
    pub webhook: Webhook,
}

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

/// Which bookings to list; `None` means any. Bookings are listed by start.
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

/// An e-mail waiting in the database's outbox. It is sent through SMTP when
/// the server has SMTP configured; otherwise admins read it in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Given up on after too many attempts; kept for admins.
    pub failed: bool,
}

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

/// [`Store::calendar_feed_changes`] from the record's rows `(feed_version,
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

/// What erasing a person (GDPR art. 17, "radering") writes in their place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub person_id: Uuid,
    /// The instant that divides past (kept) from future (cancelled).
    pub at: DateTime<Utc>,
    /// The name left on the kept records, e.g. "Raderad".
    pub placeholder_name: String,
    /// A unique address that cannot receive mail, e.g. `erased-<uuid>@invalid`.
    pub placeholder_email: String,
    /// Per event (by id): sent to each person who moves up from its
    /// waiting list when the erased person's place is freed.
    pub promotions: Vec<(Uuid, OutgoingEmail)>,
}

/// What an erasure cancelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Erased {
    pub cancelled_bookings: Vec<Uuid>,
    pub cancelled_registrations: Vec<RegistrationCancelled>,
}

/// Everything thirdplace keeps. Methods take and return domain types;
/// `insert_*` fails with `Conflict` on a taken unique value and `update_*`
/// with `NotFound` when the id is unknown. Archiving is an update
/// (`archived = true`): nothing that others refer to is ever deleted.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend_name(&self) -> &'static str;
    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;

    async fn list_regions(&self) -> StoreResult<Vec<Region>>;
    async fn get_region(&self, id: Uuid) -> StoreResult<Region>;
    async fn insert_region(&self, r: &Region) -> StoreResult<()>;
    async fn update_region(&self, r: &Region) -> StoreResult<()>;

    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>>;
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality>;
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()>;
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()>;

    async fn list_operators(&self) -> StoreResult<Vec<Operator>>;
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator>;
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()>;
    async fn update_operator(&self, o: &Operator) -> StoreResult<()>;

    /// All hubs, archived ones included, ordered by name.
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>>;
    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing>;
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()>;
    async fn update_hub(&self, h: &Hub) -> StoreResult<()>;

    /// A hub's zones, archived included, ordered by name.
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>>;
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone>;
    async fn insert_zone(&self, z: &Zone) -> StoreResult<()>;
    async fn update_zone(&self, z: &Zone) -> StoreResult<()>;

    /// A hub's rooms, archived included, ordered by name.
    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>>;
    async fn get_room(&self, id: Uuid) -> StoreResult<Room>;
    async fn insert_room(&self, r: &Room) -> StoreResult<()>;
    async fn update_room(&self, r: &Room) -> StoreResult<()>;

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>>;
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation>;
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()>;
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()>;

    /// People, optionally only those of one organisation, by first then last name.
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>>;
    async fn get_person(&self, id: Uuid) -> StoreResult<Person>;
    /// By e-mail address (already lower-cased by the domain).
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>>;
    /// Inserts the person and their roles in one transaction.
    async fn insert_person(&self, p: &Person) -> StoreResult<()>;
    /// Replaces the person and their roles in one transaction.
    async fn update_person(&self, p: &Person) -> StoreResult<()>;

    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>>;
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()>;

    async fn insert_session(&self, s: &Session) -> StoreResult<()>;
    /// The active (unexpired, not archived) person behind a session.
    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Signs a person out everywhere except, optionally, one session.
    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()>;

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn count_login_failures(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64>;
    async fn clear_login_failures(&self, email: &str) -> StoreResult<()>;

    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()>;
    /// A person's tokens, newest first, revoked ones included.
    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>>;
    /// Revokes one of the person's tokens; `NotFound` if it is not theirs.
    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The active person behind an unrevoked token.
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>>;

    /// The value under `key`, inserting `value` first if there is none; with
    /// several processes racing, all get the first value written.
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String>;

    // ------------------------------------------------------------ plans

    /// All plans, archived included, ordered by name.
    async fn list_plans(&self) -> StoreResult<Vec<Plan>>;
    async fn get_plan(&self, id: Uuid) -> StoreResult<Plan>;
    /// `Reference("scope_id")` when the plan's region or hub does not exist.
    async fn insert_plan(&self, p: &Plan) -> StoreResult<()>;
    async fn update_plan(&self, p: &Plan) -> StoreResult<()>;

    // ------------------------------------------------------------ seats

    /// Inserts all seats of a purchase in one transaction (all or none);
    /// `Reference("plan_id")` / `Reference("organisation_id")` for unknown ids.
    async fn insert_seats(&self, seats: &[Seat]) -> StoreResult<()>;
    async fn get_seat(&self, id: Uuid) -> StoreResult<SeatView>;
    /// An organisation's seats, newest purchase first, then by id.
    async fn list_seats(&self, organisation_id: Uuid) -> StoreResult<Vec<SeatView>>;
    /// Who held the seat when, oldest first.
    async fn seat_history(&self, seat_id: Uuid) -> StoreResult<Vec<SeatHolding>>;
    /// Gives the seat to `holder` (or to nobody) from `at`: in one
    /// transaction the current holding ends at `at` and a new one begins.
    /// Giving it to its current holder changes nothing. `NotFound` for an
    /// unknown seat; `Reference("person_id")` when the person is unknown,
    /// archived or not (any longer) in the seat's organisation.
    async fn assign_seat(
        &self,
        seat_id: Uuid,
        holder: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sets a seat's last day.
    async fn set_seat_end(&self, seat_id: Uuid, end_date: Option<NaiveDate>) -> StoreResult<()>;
    /// The seats a person holds at `at` (whatever their dates), with plans.
    async fn held_seats(&self, person_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<HeldSeat>>;

    // ------------------------------------------------- profile and card

    /// A person's community profile (the default, invisible, if never set).
    async fn get_profile(&self, person_id: Uuid) -> StoreResult<Profile>;
    async fn set_profile(&self, person_id: Uuid, profile: &Profile) -> StoreResult<()>;
    /// The generation of the person's QR card (0 until first rotated).
    async fn qr_generation(&self, person_id: Uuid) -> StoreResult<i64>;
    /// Invalidates every QR code shown so far; returns the new generation.
    async fn rotate_qr(&self, person_id: Uuid) -> StoreResult<i64>;

    // --------------------------------------------------------- check-ins

    /// Records a check-in and queues its webhook deliveries in one
    /// transaction. `Conflict("checkin")` when the person already has an
    /// open check-in anywhere (enforced by the database, so two kiosks
    /// scanning at once give one check-in).
    async fn insert_checkin(&self, c: &CheckIn, event: &OutboundEvent) -> StoreResult<()>;
    async fn get_checkin(&self, id: Uuid) -> StoreResult<CheckIn>;
    async fn open_checkin_of(&self, person_id: Uuid) -> StoreResult<Option<CheckIn>>;
    /// Ends an open check-in and its guests' visits at `at` and queues the
    /// event, in one transaction. `NotFound` for an unknown id,
    /// `Conflict("checked_out")` when it has already ended.
    async fn checkout(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        auto_closed: bool,
        event: &OutboundEvent,
    ) -> StoreResult<CheckIn>;
    /// Every open check-in (for closing forgotten ones at closing time).
    async fn list_open_checkins(&self) -> StoreResult<Vec<CheckIn>>;
    /// Registers a guest of an open check-in if fewer than `max_guests` of
    /// its guests are still here, checked in the same transaction.
    /// `Conflict("not_checked_in")` when the host's check-in has ended,
    /// `Conflict("guest_limit")` when the limit is reached.
    async fn insert_guest_visit(
        &self,
        g: &GuestVisit,
        max_guests: i64,
        event: &OutboundEvent,
    ) -> StoreResult<()>;
    /// The guests of one check-in, in order of arrival.
    async fn list_guests(&self, checkin_id: Uuid) -> StoreResult<Vec<GuestVisit>>;
    /// The people checked in at a hub now, in order of arrival, with their
    /// organisation's name and profile.
    async fn present_at(&self, hub_id: Uuid) -> StoreResult<Vec<PresentPerson>>;
    /// Guests at a hub now, in order of arrival.
    async fn present_guests(&self, hub_id: Uuid) -> StoreResult<Vec<GuestVisit>>;
    /// A person's visits, newest first, at most `limit`.
    async fn list_checkins_of(&self, person_id: Uuid, limit: i64) -> StoreResult<Vec<CheckIn>>;
    /// The hub's access numbers: people and organisations holding a seat at
    /// `now` that is active on `today` and opens the hub (of `region_id`),
    /// open check-ins, and check-ins and guest visits on the civil days
    /// (Europe/Stockholm) from `first_day` to `today`. Visits are counted
    /// per hub and day as they are written, so this costs the same with a
    /// hundred or a million recorded visits.
    async fn access_summary(
        &self,
        hub_id: Uuid,
        region_id: Uuid,
        today: NaiveDate,
        now: DateTime<Utc>,
        first_day: NaiveDate,
    ) -> StoreResult<AccessSummary>;

    // ---------------------------------------------------------- webhooks

    /// All webhooks, oldest first.
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>>;
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook>;
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()>;
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()>;
    /// Hands out up to `limit` deliveries due at `now` (not delivered, not
    /// failed), counting an attempt and hiding each from other workers until
    /// `now + lease`. Several processes never get the same delivery at once.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>>;
    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;
    /// Records a failed attempt: tried again at `next_attempt_at`, or given
    /// up (`failed`) and kept for an admin to retry.
    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()>;
    /// Makes a delivery due again now (an admin's retry).
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;
    /// Deliveries, newest first, optionally of one webhook.
    async fn list_deliveries(
        &self,
        webhook_id: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>>;

    // ---------------------------------------------------------- bookings

    /// A hub's booking rules; the defaults when it has none of its own.
    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules>;
    /// Sets a hub's booking rules (`Reference("hub_id")` if unknown).
    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()>;
    /// Writes bookings all or nothing. Fails with `Conflict("booking_conflict")`
    /// when one overlaps a confirmed booking of its room (the database
    /// enforces this inside the transaction), and with
    /// `Conflict("included_hours")` when a cap would be exceeded.
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
    /// transaction. `Conflict("already_cancelled")` if it was cancelled;
    /// `Conflict("event_booking")` for the room booking of an event that is
    /// not cancelled (it follows the event: [`Store::cancel_event`]).
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

    // ------------------------------------------------------------ e-mail

    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()>;
    /// The outbox, newest first.
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>>;
    /// Hands out up to `limit` e-mails due at `now`, hiding each from other
    /// senders until `now + lease` and counting an attempt.
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>>;
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()>;

    // ------------------------------------------------------------ events

    /// Writes a new event and, for an event in a room, `room_booking`, in
    /// one transaction; the stored event refers to the booking
    /// (`booking_id`). `Conflict("booking_conflict")` when the room is
    /// booked for part of the time (the database's no-overlap rule), and
    /// nothing is written. `Reference("room_booking")` for an event in a
    /// room without a booking; `Reference(field)` for unknown ids.
    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event>;
    async fn get_event(&self, id: Uuid) -> StoreResult<Event>;
    /// Saves a changed event (all fields but id, booking, sequence and
    /// creation) in one transaction, raising the stored sequence by one.
    /// Its room booking follows: moved to the new room and times
    /// (`Conflict("booking_conflict")` if taken), cancelled when the event
    /// leaves its room, and `room_booking` inserted when it comes into one.
    /// `Conflict("capacity_below_registrations")` when fewer places than
    /// confirmed people; new places go to the waiting list in arrival order.
    /// `Conflict("event_cancelled")` for a cancelled event, or when `e`
    /// says cancelled (that is [`Store::cancel_event`]'s).
    async fn update_event(
        &self,
        e: &Event,
        room_booking: Option<&Booking>,
        notices: &EventNotices,
    ) -> StoreResult<EventChange>;
    /// Cancels an event and its room booking (cancelled by `by`, not
    /// charged), raises its sequence and sends a copy of `notice` to
    /// everyone holding an active registration, in one transaction.
    /// Registrations are kept as they were. `Conflict("event_cancelled")`
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
    /// ignored. `NotFound` for an unknown event; `Conflict` with
    /// `already_registered` (an active registration of the same person or
    /// invited address), `event_cancelled`, `event_not_published` or
    /// `event_started` (at `now`).
    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration>;
    async fn get_registration(&self, id: Uuid) -> StoreResult<Registration>;
    /// An event's registrations, cancelled included, in arrival order.
    async fn list_registrations(&self, event_id: Uuid) -> StoreResult<Vec<RegistrationView>>;
    /// A person's active (confirmed or waitlisted) registration for an event.
    async fn registration_of(
        &self,
        event_id: Uuid,
        person_id: Uuid,
    ) -> StoreResult<Option<Registration>>;
    /// Cancels a registration and fills the places that are then free with
    /// the first people waiting, in arrival order (unless the event is
    /// cancelled or has started at `at`), sending each a copy of
    /// `promotion`, in one transaction. `Conflict("already_cancelled")`.
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
    /// as [`Store::register`] does, with `invitation_id` set.
    /// `Conflict("invitation_invalid")` for an unknown token,
    /// `Conflict("invitation_used")` when it was used (also by a
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
    /// Returns how many were queued. `Conflict("reminder_sent")` when it
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
    /// Erases a person in one transaction: name, e-mail and password
    /// replaced or removed, archived, roles, sessions, API tokens, login
    /// failures and profile removed (the card and calendar feed generations
    /// move on so that old codes and feed addresses stop working), future
    /// bookings cancelled uncharged (their included minutes free again),
    /// future event registrations cancelled with the waiting list promoted,
    /// unsent e-mails to them deleted (sent ones lose address and body), and
    /// the names of guests they registered erased. Past bookings, check-ins,
    /// seat history and events stay, pointing at the anonymous person.
    /// `Conflict("last_network_admin")` for the last network admin;
    /// `NotFound` for an unknown person. Nothing is written on an error.
    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased>;
    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary>;
}
