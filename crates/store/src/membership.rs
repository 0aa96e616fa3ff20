//! Memberships: plans, the seats organisations buy and who holds them,
//! member profiles and QR cards, check-ins, guests, who is present and the
//! access numbers of a hub.

use crate::{OutboundEvent, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, GuestVisit, HeldSeat, Plan, PresentPerson, Profile, Seat, SeatHolding,
};
use uuid::Uuid;

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

/// Plans, seats, profiles, QR cards, check-ins, guests and presence.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// All plans, archived included, ordered by name.
    async fn list_plans(&self) -> StoreResult<Vec<Plan>>;

    async fn get_plan(&self, id: Uuid) -> StoreResult<Plan>;

    /// `Reference("scope_id")` when the plan's region or hub does not exist.
    async fn insert_plan(&self, p: &Plan) -> StoreResult<()>;

    async fn update_plan(&self, p: &Plan) -> StoreResult<()>;

    /// Inserts all seats of a purchase in one transaction (all or none);
    /// `Reference("plan_id")` / `Reference("organisation_id")` for unknown ids.
    async fn insert_seats(&self, seats: &[Seat]) -> StoreResult<()>;

    async fn get_seat(&self, id: Uuid) -> StoreResult<SeatView>;

    /// An organisation's seats, newest purchase first, then by id.
    async fn list_seats(&self, organisation_id: Uuid) -> StoreResult<Vec<SeatView>> {
        self.list_seats_after(organisation_id, None, i64::MAX).await
    }

    /// At most `limit` of an organisation's seats listed after `after`
    /// (`(created_at, id)` of the last seat of the previous page), in the
    /// order of [`MembershipStore::list_seats`]: keyset paging, no offset.
    async fn list_seats_after(
        &self,
        organisation_id: Uuid,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<SeatView>>;

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

    /// As [`MembershipStore::assign_seat`], but only while nobody else
    /// holds the seat: `Refused(SeatTaken)` when someone does, checked in
    /// the same transaction, so that two lists placed at once never move a
    /// seat from one new holder to the other.
    async fn give_vacant_seat(
        &self,
        seat_id: Uuid,
        holder: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Sets a seat's last day.
    async fn set_seat_end(&self, seat_id: Uuid, end_date: Option<NaiveDate>) -> StoreResult<()>;

    /// The seats a person holds at `at` (whatever their dates), with plans.
    async fn held_seats(&self, person_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<HeldSeat>>;

    /// A person's community profile (the default, invisible, if never set).
    async fn get_profile(&self, person_id: Uuid) -> StoreResult<Profile>;

    async fn set_profile(&self, person_id: Uuid, profile: &Profile) -> StoreResult<()>;

    /// The generation of the person's QR card (0 until first rotated).
    async fn qr_generation(&self, person_id: Uuid) -> StoreResult<i64>;

    /// Invalidates every QR code shown so far; returns the new generation.
    async fn rotate_qr(&self, person_id: Uuid) -> StoreResult<i64>;

    /// Records a check-in and queues its webhook deliveries in one
    /// transaction. `Refusal::AlreadyCheckedIn` when the person already has an
    /// open check-in anywhere (enforced by the database, so two kiosks
    /// scanning at once give one check-in).
    async fn insert_checkin(&self, c: &CheckIn, event: &OutboundEvent) -> StoreResult<()>;

    async fn get_checkin(&self, id: Uuid) -> StoreResult<CheckIn>;

    async fn open_checkin_of(&self, person_id: Uuid) -> StoreResult<Option<CheckIn>>;

    /// Ends an open check-in and its guests' visits at `at` and queues the
    /// event, in one transaction. `NotFound` for an unknown id,
    /// `Refusal::AlreadyCheckedOut` when it has already ended.
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
    /// `GuestRefusal::HostNotCheckedIn` when the host's check-in has ended,
    /// `GuestRefusal::LimitReached` when the limit is reached.
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
}
