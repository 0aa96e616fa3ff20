//! The open calendar: member-proposed events (workshops, talks, meetups),
//! who may see them and sign up, the capacity rule with its waiting list,
//! invitations for people from other organisations, and the attendance
//! summary that feeds the cross-organisation indicators.
//!
//! The stores enforce the capacity rule inside the transaction that writes
//! a registration (see [`Roster`] for the same rule in memory); this module
//! never sees a database or a clock of its own.
//!
//! **Arrival order.** Every registration of an event gets a `position`: one
//! more than the highest so far, assigned by the database in the writing
//! transaction. The waiting list moves up in that order.

use crate::booking::{Booking, BookingStatus, Price};
use crate::entities::{optional_text, parse_id, parse_int, Principal, DESCRIPTION_MAX};
use crate::error::{invalid, FieldError, ValidationErrors};
use crate::hours::HUB_TIME_ZONE;
use crate::membership::{parse_expertise, HeldSeat};
use crate::text::{Email, Text};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// Most places an event may have.
pub const MAX_CAPACITY: i64 = 1000;
/// Longest title.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest event (a two-day conference fits; a standing booking does not).
pub const MAX_LENGTH_DAYS: i64 = 7;
/// Most co-organisers besides the organiser.
pub const MAX_CO_ORGANISERS: usize = 10;
/// How far ahead an event may start: two years, the longest a hub lets
/// its rooms be booked ahead (`BookingRulesInput::max_days_ahead`).
pub const MAX_DAYS_AHEAD: i64 = 730;

/// Who may find an event in the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventVisibility {
    /// In the open calendar and its feeds, for anyone.
    Public,
    /// For signed-in members of the network (and invited people).
    MembersOnly,
    /// Only for people who were invited (and its organisers and hosts).
    InvitationOnly,
}

impl EventVisibility {
    pub fn key(self) -> &'static str {
        match self {
            EventVisibility::Public => "public",
            EventVisibility::MembersOnly => "members_only",
            EventVisibility::InvitationOnly => "invitation_only",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "public" => Some(EventVisibility::Public),
            "members_only" => Some(EventVisibility::MembersOnly),
            "invitation_only" => Some(EventVisibility::InvitationOnly),
            _ => None,
        }
    }
}

/// Where an event stands: a member's proposal, published by the hub's
/// host (or automatically), or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Proposed, not yet published: only its organisers and hosts see it.
    Proposed,
    Published,
    Cancelled,
}

impl EventStatus {
    pub fn key(self) -> &'static str {
        match self {
            EventStatus::Proposed => "proposed",
            EventStatus::Published => "published",
            EventStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "proposed" => Some(EventStatus::Proposed),
            "published" => Some(EventStatus::Published),
            "cancelled" => Some(EventStatus::Cancelled),
            _ => None,
        }
    }
}

/// Where an event takes place. An event in a room books the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Venue {
    /// A bookable room of the hub: the event holds a booking of it.
    Room(Uuid),
    /// An activity zone of the hub (the circle, the clearing, …): not booked.
    Zone(Uuid),
    /// Online, organised from the hub.
    Online,
}

impl Venue {
    pub fn key(self) -> &'static str {
        match self {
            Venue::Room(_) => "room",
            Venue::Zone(_) => "zone",
            Venue::Online => "online",
        }
    }

    pub fn room_id(self) -> Option<Uuid> {
        match self {
            Venue::Room(id) => Some(id),
            _ => None,
        }
    }

    pub fn zone_id(self) -> Option<Uuid> {
        match self {
            Venue::Zone(id) => Some(id),
            _ => None,
        }
    }

    /// From the stored columns.
    pub fn from_parts(kind: &str, room_id: Option<Uuid>, zone_id: Option<Uuid>) -> Option<Self> {
        match (kind, room_id, zone_id) {
            ("room", Some(id), _) => Some(Venue::Room(id)),
            ("zone", _, Some(id)) => Some(Venue::Zone(id)),
            ("online", _, _) => Some(Venue::Online),
            _ => None,
        }
    }
}

/// A workshop, talk or meetup in the open calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    /// The hub it belongs to (also for online events: whose calendar).
    pub hub_id: Uuid,
    pub venue: Venue,
    /// The room booking an event in a room holds; set by the store.
    pub booking_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    /// Topic tags, under the same rules as profiles' expertise tags.
    pub topics: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Confirmed places; more sign-ups go on the waiting list.
    pub capacity: i64,
    pub visibility: EventVisibility,
    pub status: EventStatus,
    /// The member who proposed it.
    pub organiser_id: Uuid,
    pub co_organiser_ids: Vec<Uuid>,
    /// Raised by the store on every change (iCalendar `SEQUENCE`).
    pub sequence: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Event {
    /// The organiser and the co-organisers.
    pub fn is_organiser(&self, person_id: Uuid) -> bool {
        self.organiser_id == person_id || self.co_organiser_ids.contains(&person_id)
    }

    pub fn has_started(&self, now: DateTime<Utc>) -> bool {
        now >= self.start
    }

    /// The event as changed by a validated form: what the form holds is
    /// taken over; identity, status, organiser, booking, sequence and
    /// creation stay (the store raises the sequence when it saves).
    pub fn changed_to(&self, new: &Event, now: DateTime<Utc>) -> Event {
        Event {
            id: self.id,
            status: self.status,
            organiser_id: self.organiser_id,
            booking_id: self.booking_id,
            sequence: self.sequence,
            created_at: self.created_at,
            updated_at: now,
            ..new.clone()
        }
    }

    /// Whether a change moves it in time or space (registered people are
    /// told by e-mail).
    pub fn moved_from(&self, old: &Event) -> bool {
        self.start != old.start || self.end != old.end || self.venue != old.venue
    }

    /// The booking an event in a room holds: confirmed, booked by the
    /// organiser and billed to `organisation_id` at `price` (events are
    /// usually free of charge: `Price::default()`).
    pub fn room_booking(&self, organisation_id: Uuid, price: Price) -> Option<Booking> {
        let room_id = self.venue.room_id()?;
        Some(Booking {
            id: crate::new_id(),
            room_id,
            hub_id: self.hub_id,
            booker_id: self.organiser_id,
            organisation_id,
            on_behalf_of_organisation: false,
            seat_id: None,
            series_id: None,
            title: self
                .title
                .chars()
                .take(crate::booking::MAX_TITLE_CHARS)
                .collect(),
            start: self.start,
            end: self.end,
            status: BookingStatus::Confirmed,
            price,
            created_at: self.updated_at,
            cancelled_at: None,
            cancelled_by: None,
            cancel_reason: String::new(),
            cancellation_charged: false,
        })
    }
}

/// An event as typed in a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventInput {
    #[serde(default)]
    pub hub_id: String,
    /// `room`, `zone` or `online`.
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub room_id: String,
    #[serde(default)]
    pub zone_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Comma-separated tags.
    #[serde(default)]
    pub topics: String,
    /// RFC 3339 (`2026-11-24T10:00:00+01:00`) or Swedish civil time
    /// (`2026-11-24T10:00`).
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub visibility: String,
    #[serde(default)]
    pub co_organiser_ids: Vec<String>,
}

/// An instant given as RFC 3339, or as civil time in Swedish time
/// (`YYYY-MM-DDTHH:MM`, as an `<input type="datetime-local">` sends it).
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let bad = || {
        invalid(
            "invalid_datetime",
            "is not a date and time (2026-11-24T10:00)",
        )
    };
    let local = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .map_err(|_| bad())?;
    // A time that does not exist (the spring-forward hour) is refused; an
    // ambiguous one (the autumn hour that comes twice) is the first.
    HUB_TIME_ZONE
        .from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| {
            invalid(
                "nonexistent_time",
                "does not exist in Swedish time that day",
            )
        })
}

impl EventInput {
    /// A new event proposed by `organiser_id` at `now`: validated, with
    /// status `proposed` and sequence 0. Every field's problem at once.
    pub fn validate(
        &self,
        id: Uuid,
        organiser_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Event, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let hub_id = e.check("hub_id", parse_id(&self.hub_id));
        let venue = match self.venue.trim() {
            "room" => e.check("room_id", parse_id(&self.room_id).map(Venue::Room)),
            "zone" => e.check("zone_id", parse_id(&self.zone_id).map(Venue::Zone)),
            "online" => Some(Venue::Online),
            "" => {
                e.add("venue", "required", "must be chosen");
                None
            }
            _ => {
                e.add("venue", "invalid_choice", "must be room, zone or online");
                None
            }
        };
        let title = e.check(
            "title",
            Text::parse(&self.title, MAX_TITLE_CHARS).map(Text::into_string),
        );
        let description = e.check(
            "description",
            optional_text(&self.description, DESCRIPTION_MAX),
        );
        let topics = e.check("topics", parse_expertise(&self.topics));
        let start = e.check("start", parse_instant(&self.start));
        let end = e.check("end", parse_instant(&self.end));
        if let (Some(s), Some(en)) = (start, end) {
            if let Err(r) = check_times(s, en, now) {
                e.add(r.field(), r.code(), r.message());
            }
        }
        let capacity = e.check("capacity", parse_int(&self.capacity, 1, MAX_CAPACITY));
        let visibility = match EventVisibility::parse(&self.visibility) {
            Some(v) => Some(v),
            None => {
                e.add(
                    "visibility",
                    "invalid_choice",
                    "must be public, members_only or invitation_only",
                );
                None
            }
        };
        let co: Option<Vec<Uuid>> = e.check(
            "co_organiser_ids",
            self.co_organiser_ids
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_id(s))
                .collect(),
        );
        let co = co.map(|mut co| {
            co.retain(|id| *id != organiser_id);
            co.sort();
            co.dedup();
            co
        });
        if co.as_ref().is_some_and(|c| c.len() > MAX_CO_ORGANISERS) {
            e.add(
                "co_organiser_ids",
                "too_many",
                format!("at most {MAX_CO_ORGANISERS} co-organisers"),
            );
        }
        e.into_result()?;
        Ok(Event {
            id,
            hub_id: hub_id.unwrap(),
            venue: venue.unwrap(),
            booking_id: None,
            title: title.unwrap(),
            description: description.unwrap(),
            topics: topics.unwrap(),
            start: start.unwrap(),
            end: end.unwrap(),
            capacity: capacity.unwrap(),
            visibility: visibility.unwrap(),
            status: EventStatus::Proposed,
            organiser_id,
            co_organiser_ids: co.unwrap(),
            sequence: 0,
            created_at: now,
            updated_at: now,
        })
    }
}

/// An event's times: it ends after it starts, is not in the past, starts
/// at most [`MAX_DAYS_AHEAD`] days from now and is at most
/// [`MAX_LENGTH_DAYS`] long.
pub fn check_times(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), EventRefusal> {
    if end <= start {
        return Err(EventRefusal::EndBeforeStart);
    }
    if start < now {
        return Err(EventRefusal::InThePast);
    }
    if start > now + Duration::days(MAX_DAYS_AHEAD) {
        return Err(EventRefusal::TooFarAhead);
    }
    if end - start > Duration::days(MAX_LENGTH_DAYS) {
        return Err(EventRefusal::TooLong);
    }
    Ok(())
}

/// A new capacity may not leave confirmed people without a place.
pub fn check_capacity(capacity: i64, confirmed: i64) -> Result<(), EventRefusal> {
    if capacity < confirmed {
        return Err(EventRefusal::CapacityBelowRegistrations { confirmed });
    }
    Ok(())
}

// ------------------------------------------------------------ refusals

/// Why an event cannot be saved, seen or signed up for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRefusal {
    EndBeforeStart,
    InThePast,
    /// Starts more than [`MAX_DAYS_AHEAD`] days from now.
    TooFarAhead,
    TooLong,
    CapacityBelowRegistrations {
        confirmed: i64,
    },
    /// The person already holds a place or a waiting-list spot.
    AlreadyRegistered,
    EventStarted,
    EventCancelled,
    /// Proposed and not yet published.
    NotPublished,
    /// The person may not see the event (members only, invitation only).
    NotVisible,
    /// Signing up needs an account or an invitation.
    SignInRequired,
    /// A colleague is someone of the member's own organisation.
    ColleagueOtherOrganisation,
    InvitationUsed,
    InvitationInvalid,
    /// The event's room is booked for part of that time.
    RoomConflict,
    /// Only organisers, the hub's hosts and network admins may.
    NotOrganiser,
    AlreadyCancelled,
}

impl EventRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            EventRefusal::EndBeforeStart => "end_before_start",
            EventRefusal::InThePast => "in_the_past",
            EventRefusal::TooFarAhead => "too_far_ahead",
            EventRefusal::TooLong => "too_long",
            EventRefusal::CapacityBelowRegistrations { .. } => "capacity_below_registrations",
            EventRefusal::AlreadyRegistered => "already_registered",
            EventRefusal::EventStarted => "event_started",
            EventRefusal::EventCancelled => "event_cancelled",
            EventRefusal::NotPublished => "event_not_published",
            EventRefusal::NotVisible => "not_visible",
            EventRefusal::SignInRequired => "sign_in_required",
            EventRefusal::ColleagueOtherOrganisation => "colleague_other_organisation",
            EventRefusal::InvitationUsed => "invitation_used",
            EventRefusal::InvitationInvalid => "invitation_invalid",
            EventRefusal::RoomConflict => "booking_conflict",
            EventRefusal::NotOrganiser => "not_organiser",
            EventRefusal::AlreadyCancelled => "already_cancelled",
        }
    }

    /// The refusal a stable code names, if it is one of this module's
    /// (refusals with data get it zeroed).
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "capacity_below_registrations" => {
                EventRefusal::CapacityBelowRegistrations { confirmed: 0 }
            }
            "already_registered" => EventRefusal::AlreadyRegistered,
            "event_started" => EventRefusal::EventStarted,
            "event_cancelled" => EventRefusal::EventCancelled,
            "event_not_published" => EventRefusal::NotPublished,
            "invitation_used" => EventRefusal::InvitationUsed,
            "invitation_invalid" => EventRefusal::InvitationInvalid,
            "booking_conflict" => EventRefusal::RoomConflict,
            "already_cancelled" => EventRefusal::AlreadyCancelled,
            _ => return None,
        })
    }

    /// The form field a refusal is about, for the ones a form can show there.
    pub fn field(&self) -> &'static str {
        match self {
            EventRefusal::EndBeforeStart | EventRefusal::TooLong => "end",
            EventRefusal::InThePast | EventRefusal::TooFarAhead => "start",
            EventRefusal::CapacityBelowRegistrations { .. } => "capacity",
            EventRefusal::RoomConflict => "room_id",
            _ => "",
        }
    }

    /// A sentence for people (English; the web layer translates by code).
    pub fn message(&self) -> String {
        match self {
            EventRefusal::EndBeforeStart => "The event ends before it starts.".into(),
            EventRefusal::InThePast => "That time has already passed.".into(),
            EventRefusal::TooFarAhead => format!(
                "An event may start at most {MAX_DAYS_AHEAD} days (two years) from now."
            ),
            EventRefusal::TooLong => format!("An event may last at most {MAX_LENGTH_DAYS} days."),
            EventRefusal::CapacityBelowRegistrations { confirmed } if *confirmed > 0 => format!(
                "{confirmed} people already have a place: the capacity cannot be lower than that."
            ),
            EventRefusal::CapacityBelowRegistrations { .. } => {
                "More people already have a place than the new capacity allows.".into()
            }
            EventRefusal::AlreadyRegistered => "You are already signed up for this event.".into(),
            EventRefusal::EventStarted => "The event has already started: sign-up is closed.".into(),
            EventRefusal::EventCancelled => "The event is cancelled.".into(),
            EventRefusal::NotPublished => "The event is not published yet.".into(),
            EventRefusal::NotVisible => "There is no such event.".into(),
            EventRefusal::SignInRequired => "Sign in to sign up, or use the invitation link you were sent.".into(),
            EventRefusal::ColleagueOtherOrganisation => "You can sign up colleagues from your own organisation. Invite people from other organisations instead.".into(),
            EventRefusal::InvitationUsed => "This invitation has already been used.".into(),
            EventRefusal::InvitationInvalid => "This invitation link is not valid.".into(),
            EventRefusal::RoomConflict => "The room is already booked for part of that time.".into(),
            EventRefusal::NotOrganiser => "Only the event's organisers and the hub's hosts can do that.".into(),
            EventRefusal::AlreadyCancelled => "It is already cancelled.".into(),
        }
    }
}

// -------------------------------------------------------- who may see

/// Who is looking at (or signing up for) an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Viewer {
    /// Signed in as this person.
    pub person_id: Option<Uuid>,
    /// Holds a seat (a membership) somewhere in the network.
    pub member: bool,
    /// Holds an invitation to the event, or is registered for it.
    pub invited: bool,
    /// An organiser, a host of the event's hub or a network admin.
    pub manages: bool,
}

/// Whether the viewer may see the event at all. Proposals are for those who
/// manage it; cancelled events stay visible to whoever could see them
/// (calendars show them as cancelled).
pub fn may_see(event: &Event, viewer: &Viewer) -> bool {
    if viewer.manages {
        return true;
    }
    if event.status == EventStatus::Proposed {
        return false;
    }
    match event.visibility {
        EventVisibility::Public => true,
        EventVisibility::MembersOnly => viewer.member || viewer.invited,
        EventVisibility::InvitationOnly => viewer.invited,
    }
}

/// Whether `p` is a member by role alone: hosting a hub or running the
/// network makes one, whatever seats one holds. Callers ask this first so
/// that they read the held seats only when it matters.
pub fn member_by_role(p: &Principal) -> bool {
    p.is_network_admin || !p.hosted_hub_ids.is_empty()
}

/// Whether `p` is a member: holds a seat (`held` are the seats they hold
/// now), hosts a hub or runs the network.
pub fn is_member(p: &Principal, held: &[HeldSeat]) -> bool {
    member_by_role(p) || !held.is_empty()
}

/// Whether a proposal is published at once: a host's of its hub (or a
/// network admin's) always; any member's where the hub publishes members'
/// events without waiting for a host (`hub_publishes_member_events`).
pub fn published_at_once(p: &Principal, e: &Event, hub_publishes_member_events: bool) -> bool {
    p.can_edit_hub(e.hub_id) || hub_publishes_member_events
}

/// Whether `p` manages an event: its organisers, the hub's hosts and
/// network admins do.
pub fn manages(p: &Principal, e: &Event) -> bool {
    e.is_organiser(p.person_id) || p.can_edit_hub(e.hub_id)
}

/// Whether the viewer may sign up (themself or, as a member, a colleague)
/// now. Capacity is not checked here: a full event puts people on the
/// waiting list, decided by the store.
pub fn may_register(
    event: &Event,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> Result<(), EventRefusal> {
    if !may_see(event, viewer) {
        return Err(EventRefusal::NotVisible);
    }
    match event.status {
        EventStatus::Cancelled => return Err(EventRefusal::EventCancelled),
        EventStatus::Proposed => return Err(EventRefusal::NotPublished),
        EventStatus::Published => {}
    }
    if event.has_started(now) {
        return Err(EventRefusal::EventStarted);
    }
    if viewer.person_id.is_none() && !viewer.invited {
        return Err(EventRefusal::SignInRequired);
    }
    Ok(())
}

/// A member signs up a colleague: someone of their own organisation.
pub fn check_colleague(
    member_org: Option<Uuid>,
    colleague_org: Option<Uuid>,
) -> Result<(), EventRefusal> {
    match (member_org, colleague_org) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(EventRefusal::ColleagueOtherOrganisation),
    }
}

// ------------------------------------------------------- registrations

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Holds a place.
    Confirmed,
    /// On the waiting list; moves up in arrival order.
    Waitlisted,
    Cancelled,
}

impl RegistrationStatus {
    pub fn key(self) -> &'static str {
        match self {
            RegistrationStatus::Confirmed => "confirmed",
            RegistrationStatus::Waitlisted => "waitlisted",
            RegistrationStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "confirmed" => Some(RegistrationStatus::Confirmed),
            "waitlisted" => Some(RegistrationStatus::Waitlisted),
            "cancelled" => Some(RegistrationStatus::Cancelled),
            _ => None,
        }
    }

    pub fn is_active(self) -> bool {
        self != RegistrationStatus::Cancelled
    }
}

/// Who a registration is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Registrant {
    /// A person with an account (the member, or a colleague they signed up).
    Person { person_id: Uuid },
    /// Someone from another organisation, through an invitation, without an
    /// account: an external participant.
    External(ExternalParticipant),
}

impl Registrant {
    pub fn person_id(&self) -> Option<Uuid> {
        match self {
            Registrant::Person { person_id } => Some(*person_id),
            Registrant::External(_) => None,
        }
    }
}

/// An invited person's own details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalParticipant {
    pub name: String,
    pub email: Email,
    pub organisation_name: String,
}

/// What an invited person types in.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExternalParticipantInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub organisation_name: String,
}

impl ExternalParticipantInput {
    pub fn validate(&self) -> Result<ExternalParticipant, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", Text::parse(&self.name, 120).map(Text::into_string));
        let email = e.check("email", Email::parse(&self.email));
        let org = e.check(
            "organisation_name",
            Text::parse(&self.organisation_name, 120).map(Text::into_string),
        );
        e.into_result()?;
        Ok(ExternalParticipant {
            name: name.unwrap(),
            email: email.unwrap(),
            organisation_name: org.unwrap(),
        })
    }
}

/// A sign-up for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: Uuid,
    pub event_id: Uuid,
    pub registrant: Registrant,
    /// The member who signed up a colleague (`None` when people signed up
    /// themselves or came through an invitation).
    pub registered_by: Option<Uuid>,
    /// The invitation it was made with; set by the store.
    pub invitation_id: Option<Uuid>,
    /// Decided by the store when it writes the registration.
    pub status: RegistrationStatus,
    /// Arrival order within the event, 1, 2, …; set by the store.
    pub position: i64,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Marked by the organiser or host afterwards.
    pub attended: bool,
}

impl Registration {
    /// A registration to hand to the store; status and position are the
    /// store's to decide.
    pub fn new(
        event_id: Uuid,
        registrant: Registrant,
        registered_by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Self {
        Registration {
            id: crate::new_id(),
            event_id,
            registrant,
            registered_by,
            invitation_id: None,
            status: RegistrationStatus::Waitlisted,
            position: 0,
            created_at: now,
            cancelled_at: None,
            attended: false,
        }
    }
}

/// The status of a new sign-up when `confirmed` people hold a place and
/// `waitlisted` wait: a place only if one is free and nobody is waiting
/// (nobody jumps the queue).
pub fn decide_status(capacity: i64, confirmed: i64, waitlisted: i64) -> RegistrationStatus {
    if confirmed < capacity && waitlisted == 0 {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waitlisted
    }
}

/// Places still free when `confirmed` people hold one; never below zero,
/// so a count read apart from the capacity cannot show a negative.
pub fn places_left(capacity: i64, confirmed: i64) -> i64 {
    (capacity - confirmed).max(0)
}

/// Who moves up from the waiting list when places are free: the first
/// waiting people in arrival order, as many as there are free places.
/// Returns their ids in that order.
pub fn promote(registrations: &[Registration], capacity: i64) -> Vec<Uuid> {
    let confirmed = registrations
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .count() as i64;
    let free = places_left(capacity, confirmed) as usize;
    let mut waiting: Vec<&Registration> = registrations
        .iter()
        .filter(|r| r.status == RegistrationStatus::Waitlisted)
        .collect();
    waiting.sort_by_key(|r| (r.position, r.id));
    waiting.into_iter().take(free).map(|r| r.id).collect()
}

/// An event's sign-ups in memory: the capacity rule and the waiting list as
/// the stores keep them, for property tests and previews.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub capacity: i64,
    pub registrations: Vec<Registration>,
}

impl Roster {
    pub fn new(capacity: i64) -> Self {
        Roster {
            capacity,
            registrations: Vec::new(),
        }
    }

    fn count(&self, s: RegistrationStatus) -> i64 {
        self.registrations.iter().filter(|r| r.status == s).count() as i64
    }

    /// Signs up `r`: `AlreadyRegistered` when the person holds an active
    /// registration; otherwise confirmed or waitlisted.
    pub fn register(&mut self, mut r: Registration) -> Result<RegistrationStatus, EventRefusal> {
        if self
            .registrations
            .iter()
            .any(|x| x.status.is_active() && same_registrant(&x.registrant, &r.registrant))
        {
            return Err(EventRefusal::AlreadyRegistered);
        }
        r.position = self
            .registrations
            .iter()
            .map(|x| x.position)
            .max()
            .unwrap_or(0)
            + 1;
        r.status = decide_status(
            self.capacity,
            self.count(RegistrationStatus::Confirmed),
            self.count(RegistrationStatus::Waitlisted),
        );
        let s = r.status;
        self.registrations.push(r);
        Ok(s)
    }

    /// Cancels a registration and fills freed places; returns who moved up.
    pub fn cancel(&mut self, id: Uuid) -> Result<Vec<Uuid>, EventRefusal> {
        let r = self
            .registrations
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or(EventRefusal::NotVisible)?;
        if !r.status.is_active() {
            return Err(EventRefusal::AlreadyCancelled);
        }
        r.status = RegistrationStatus::Cancelled;
        Ok(self.fill())
    }

    /// Changes the capacity (not below the confirmed) and fills new places.
    pub fn set_capacity(&mut self, capacity: i64) -> Result<Vec<Uuid>, EventRefusal> {
        check_capacity(capacity, self.count(RegistrationStatus::Confirmed))?;
        self.capacity = capacity;
        Ok(self.fill())
    }

    fn fill(&mut self) -> Vec<Uuid> {
        let up = promote(&self.registrations, self.capacity);
        for r in self.registrations.iter_mut() {
            if up.contains(&r.id) {
                r.status = RegistrationStatus::Confirmed;
            }
        }
        up
    }
}

/// The same person, or the same invited e-mail address.
pub fn same_registrant(a: &Registrant, b: &Registrant) -> bool {
    match (a, b) {
        (Registrant::Person { person_id: x }, Registrant::Person { person_id: y }) => x == y,
        (Registrant::External(x), Registrant::External(y)) => x.email == y.email,
        _ => false,
    }
}

// --------------------------------------------------------- invitations

/// A one-time invitation to an event for someone without an account. The
/// link carries a secret token; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: Uuid,
    pub event_id: Uuid,
    /// Where the link was sent (the invited person may register with
    /// another address).
    pub email: Email,
    #[serde(skip_serializing)]
    pub token_hash: String,
    pub invited_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// The registration made with it.
    pub registration_id: Option<Uuid>,
}

// ------------------------------------------------------------- summary

/// One registration as the summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub status: RegistrationStatus,
    pub attended: bool,
    /// The person's organisation id, or an invited person's organisation
    /// name; `None` when unknown.
    pub organisation: Option<String>,
    pub external: bool,
}

/// An event's numbers: the raw material of the cross-organisation
/// indicators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventSummary {
    /// People holding a place (confirmed).
    pub registered: i64,
    /// People marked as having come.
    pub attended: i64,
    pub waitlisted: i64,
    /// Distinct organisations among those holding a place.
    pub organisations: i64,
    /// Invited people from outside (holding a place).
    pub external_participants: i64,
}

/// The organisation key of an invited person's organisation name: the same
/// organisation typed twice with other case or spaces counts once.
pub fn organisation_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn summarise(rows: &[SummaryRow]) -> EventSummary {
    let mut s = EventSummary::default();
    let mut orgs = HashSet::new();
    for r in rows {
        match r.status {
            RegistrationStatus::Confirmed => {
                s.registered += 1;
                if r.external {
                    s.external_participants += 1;
                }
                if let Some(o) = &r.organisation {
                    orgs.insert(o.clone());
                }
            }
            RegistrationStatus::Waitlisted => s.waitlisted += 1,
            RegistrationStatus::Cancelled => {}
        }
        if r.attended && r.status.is_active() {
            s.attended += 1;
        }
    }
    s.organisations = orgs.len() as i64;
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2026-11-23T09:00:00+01:00";

    fn input() -> EventInput {
        EventInput {
            hub_id: Uuid::from_u128(2).to_string(),
            venue: "room".into(),
            room_id: Uuid::from_u128(3).to_string(),
            zone_id: String::new(),
            title: "  Workshop: AI i offentlig sektor ".into(),
            description: "Vi testar verktyg.".into(),
            topics: "AI, offentlig sektor, ai".into(),
            start: "2026-11-24T10:00".into(),
            end: "2026-11-24T12:00:00+01:00".into(),
            capacity: "10".into(),
            visibility: "public".into(),
            co_organiser_ids: vec![
                Uuid::from_u128(8).to_string(),
                Uuid::from_u128(7).to_string(),
                Uuid::from_u128(8).to_string(),
                String::new(),
            ],
        }
    }

    fn event() -> Event {
        input()
            .validate(Uuid::from_u128(1), Uuid::from_u128(9), t(NOW))
            .unwrap()
    }

    fn principal(id: u128) -> Principal {
        Principal {
            person_id: Uuid::from_u128(id),
            first_name: "Anna".into(),
            email: crate::text::Email::parse("anna@example.se").unwrap(),
            organisation_id: None,
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
        }
    }

    fn held_seat() -> HeldSeat {
        use crate::membership::{Plan, PlanScope, Seat, Validity};
        HeldSeat {
            seat: Seat {
                id: Uuid::from_u128(40),
                plan_id: Uuid::from_u128(41),
                organisation_id: Uuid::from_u128(42),
                start_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                end_date: None,
                created_at: t("2026-01-01T00:00:00Z"),
                selling_operator_id: None,
            },
            plan: Plan {
                id: Uuid::from_u128(41),
                name: "Flex".into(),
                description: String::new(),
                scope: PlanScope::Network,
                monthly_price_ore: 0,
                included_hours_per_month: 0,
                max_guests: 0,
                validity: Validity::MonthlyRolling,
                archived: false,
                selling_operator_id: None,
                vat_rate_percent: 25,
            },
            organisation_name: "Kommunen".into(),
        }
    }

    #[test]
    fn hosts_proposals_are_published_at_once_and_members_where_the_hub_says_so() {
        let e = event();
        let host = Principal {
            hosted_hub_ids: vec![e.hub_id],
            ..principal(21)
        };
        assert!(published_at_once(&host, &e, false));
        let admin = Principal {
            is_network_admin: true,
            ..principal(22)
        };
        assert!(published_at_once(&admin, &e, false));
        assert!(
            !published_at_once(&principal(9), &e, false),
            "the organiser waits"
        );
        assert!(published_at_once(&principal(9), &e, true));
    }

    #[test]
    fn places_left_are_the_free_ones_and_never_negative() {
        assert_eq!(places_left(10, 0), 10);
        assert_eq!(places_left(10, 7), 3);
        assert_eq!(places_left(10, 10), 0);
        assert_eq!(places_left(5, 8), 0);
    }

    #[test]
    fn members_hold_a_seat_host_a_hub_or_run_the_network() {
        let nobody = principal(20);
        assert!(!member_by_role(&nobody));
        assert!(!is_member(&nobody, &[]));
        assert!(is_member(&nobody, &[held_seat()]));
        let host = Principal {
            hosted_hub_ids: vec![Uuid::from_u128(2)],
            ..principal(21)
        };
        assert!(member_by_role(&host) && is_member(&host, &[]));
        let admin = Principal {
            is_network_admin: true,
            ..principal(22)
        };
        assert!(member_by_role(&admin) && is_member(&admin, &[]));
    }

    #[test]
    fn organisers_the_hubs_hosts_and_network_admins_manage_an_event() {
        let e = event();
        assert!(manages(&principal(9), &e), "the organiser");
        assert!(manages(&principal(7), &e), "a co-organiser");
        assert!(!manages(&principal(20), &e), "someone else");
        let host = Principal {
            hosted_hub_ids: vec![e.hub_id],
            ..principal(21)
        };
        assert!(manages(&host, &e));
        let other_host = Principal {
            hosted_hub_ids: vec![Uuid::from_u128(99)],
            ..principal(23)
        };
        assert!(!manages(&other_host, &e));
        let admin = Principal {
            is_network_admin: true,
            ..principal(22)
        };
        assert!(manages(&admin, &e));
    }

    #[test]
    fn a_valid_proposal_becomes_a_proposed_event() {
        let e = event();
        assert_eq!(e.title, "Workshop: AI i offentlig sektor");
        assert_eq!(e.topics, vec!["AI", "offentlig sektor"]);
        assert_eq!(e.start, t("2026-11-24T09:00:00Z"));
        assert_eq!(e.end, t("2026-11-24T11:00:00Z"));
        assert_eq!(e.venue, Venue::Room(Uuid::from_u128(3)));
        assert_eq!(e.status, EventStatus::Proposed);
        assert_eq!(e.sequence, 0);
        assert_eq!(
            e.co_organiser_ids,
            vec![Uuid::from_u128(7), Uuid::from_u128(8)]
        );
        assert!(e.is_organiser(Uuid::from_u128(9)) && e.is_organiser(Uuid::from_u128(7)));
        // Summer time: civil 10:00 is 08:00 UTC.
        let mut i = input();
        i.start = "2027-06-01T10:00".into();
        i.end = "2027-06-01T11:00".into();
        let e = i.validate(Uuid::nil(), Uuid::nil(), t(NOW)).unwrap();
        assert_eq!(e.start, t("2027-06-01T08:00:00Z"));
    }

    #[test]
    fn bad_input_names_every_field() {
        let code = |f: &dyn Fn(&mut EventInput), field: &str| {
            let mut i = input();
            f(&mut i);
            let e = i.validate(Uuid::nil(), Uuid::nil(), t(NOW)).unwrap_err();
            e.for_field(field)
                .unwrap_or_else(|| panic!("no error on {field}: {e}"))
                .code
        };
        assert_eq!(
            code(&|i| i.end = "2026-11-24T09:00".into(), "end"),
            "end_before_start"
        );
        assert_eq!(
            code(&|i| i.end = "2026-11-24T10:00".into(), "end"),
            "end_before_start"
        );
        assert_eq!(
            code(
                &|i| {
                    i.start = "2026-11-22T10:00".into();
                },
                "start"
            ),
            "in_the_past"
        );
        assert_eq!(
            code(&|i| i.end = "2026-12-24T10:00".into(), "end"),
            "too_long"
        );
        assert_eq!(
            code(
                &|i| {
                    i.start = "2028-11-23T10:00".into();
                    i.end = "2028-11-23T12:00".into();
                },
                "start"
            ),
            "too_far_ahead"
        );
        assert_eq!(
            code(&|i| i.title = "Workshop \u{202E}gpj.exe".into(), "title"),
            "bidi_override"
        );
        assert_eq!(
            code(&|i| i.capacity = "0".into(), "capacity"),
            "out_of_range"
        );
        assert_eq!(
            code(&|i| i.capacity = "1001".into(), "capacity"),
            "out_of_range"
        );
        assert_eq!(
            code(&|i| i.capacity = "tio".into(), "capacity"),
            "not_a_number"
        );
        assert_eq!(code(&|i| i.title = " ".into(), "title"), "required");
        assert_eq!(code(&|i| i.title = "x".repeat(121), "title"), "too_long");
        assert_eq!(
            code(&|i| i.visibility = "secret".into(), "visibility"),
            "invalid_choice"
        );
        assert_eq!(
            code(&|i| i.venue = "moon".into(), "venue"),
            "invalid_choice"
        );
        assert_eq!(code(&|i| i.room_id = String::new(), "room_id"), "required");
        assert_eq!(
            code(&|i| i.start = "i morgon".into(), "start"),
            "invalid_datetime"
        );
        // The hour that does not exist on the spring-forward night.
        assert_eq!(
            code(&|i| i.start = "2027-03-28T02:30".into(), "start"),
            "nonexistent_time"
        );
        assert_eq!(
            code(
                &|i| i.topics = (0..11)
                    .map(|n| format!("t{n}"))
                    .collect::<Vec<_>>()
                    .join(","),
                "topics"
            ),
            "too_many"
        );
        // Everything at once.
        let e = EventInput::default()
            .validate(Uuid::nil(), Uuid::nil(), t(NOW))
            .unwrap_err();
        for f in [
            "hub_id",
            "venue",
            "title",
            "start",
            "end",
            "capacity",
            "visibility",
        ] {
            assert!(e.for_field(f).is_some(), "{f}: {e}");
        }
        // Online needs no room.
        let mut i = input();
        i.venue = "online".into();
        i.room_id = String::new();
        assert_eq!(
            i.validate(Uuid::nil(), Uuid::nil(), t(NOW)).unwrap().venue,
            Venue::Online
        );
    }

    #[test]
    fn an_event_in_a_room_books_it_and_a_change_keeps_identity() {
        let e = event();
        let b = e
            .room_booking(Uuid::from_u128(50), Price::default())
            .unwrap();
        assert_eq!(
            (b.room_id, b.hub_id, b.booker_id, b.start, b.end),
            (Uuid::from_u128(3), e.hub_id, e.organiser_id, e.start, e.end)
        );
        assert_eq!(b.status, BookingStatus::Confirmed);
        let mut online = e.clone();
        online.venue = Venue::Online;
        assert!(online.room_booking(Uuid::nil(), Price::default()).is_none());
        let mut moved = e.clone();
        moved.id = Uuid::from_u128(99);
        moved.start += Duration::hours(1);
        moved.end += Duration::hours(1);
        moved.status = EventStatus::Cancelled;
        let c = e.changed_to(&moved, t("2026-11-23T10:00:00Z"));
        assert_eq!(c.id, e.id);
        assert_eq!(c.status, EventStatus::Proposed);
        assert_eq!(c.start, moved.start);
        assert!(c.moved_from(&e));
        assert!(!e.moved_from(&e));
    }

    #[test]
    fn refusals_have_codes_and_messages() {
        for (r, code) in [
            (EventRefusal::EndBeforeStart, "end_before_start"),
            (
                EventRefusal::CapacityBelowRegistrations { confirmed: 4 },
                "capacity_below_registrations",
            ),
            (EventRefusal::AlreadyRegistered, "already_registered"),
            (EventRefusal::EventStarted, "event_started"),
            (EventRefusal::EventCancelled, "event_cancelled"),
            (EventRefusal::NotVisible, "not_visible"),
            (EventRefusal::InvitationUsed, "invitation_used"),
            (EventRefusal::InvitationInvalid, "invitation_invalid"),
            (EventRefusal::RoomConflict, "booking_conflict"),
            (EventRefusal::SignInRequired, "sign_in_required"),
        ] {
            assert_eq!(r.code(), code);
            assert!(r.message().ends_with('.'), "{code}");
        }
        assert_eq!(
            EventRefusal::from_code("already_registered"),
            Some(EventRefusal::AlreadyRegistered)
        );
        assert_eq!(EventRefusal::from_code("email"), None);
        assert!(EventRefusal::CapacityBelowRegistrations { confirmed: 4 }
            .message()
            .contains('4'));
    }

    #[test]
    fn visibility_decides_who_sees_and_signs_up() {
        let now = t(NOW);
        let mut e = event();
        let anyone = Viewer::default();
        let member = Viewer {
            person_id: Some(Uuid::from_u128(20)),
            member: true,
            ..Viewer::default()
        };
        let invited = Viewer {
            invited: true,
            ..Viewer::default()
        };
        let organiser = Viewer {
            person_id: Some(e.organiser_id),
            manages: true,
            ..Viewer::default()
        };
        // A proposal: its organisers only.
        assert!(!may_see(&e, &member) && may_see(&e, &organiser));
        assert_eq!(
            may_register(&e, &organiser, now),
            Err(EventRefusal::NotPublished)
        );
        e.status = EventStatus::Published;
        let table = [
            (EventVisibility::Public, [true, true, true]),
            (EventVisibility::MembersOnly, [false, true, true]),
            (EventVisibility::InvitationOnly, [false, false, true]),
        ];
        for (v, seen) in table {
            e.visibility = v;
            for (viewer, s) in [anyone, member, invited].iter().zip(seen) {
                assert_eq!(may_see(&e, viewer), s, "{v:?} {viewer:?}");
            }
            assert!(may_see(&e, &organiser));
        }
        e.visibility = EventVisibility::Public;
        // Anyone sees a public event, but signing up needs an account or an
        // invitation.
        assert_eq!(
            may_register(&e, &anyone, now),
            Err(EventRefusal::SignInRequired)
        );
        assert_eq!(may_register(&e, &member, now), Ok(()));
        assert_eq!(may_register(&e, &invited, now), Ok(()));
        assert_eq!(
            may_register(&e, &member, e.start),
            Err(EventRefusal::EventStarted)
        );
        e.visibility = EventVisibility::InvitationOnly;
        assert_eq!(
            may_register(&e, &member, now),
            Err(EventRefusal::NotVisible)
        );
        e.status = EventStatus::Cancelled;
        assert_eq!(
            may_register(&e, &invited, now),
            Err(EventRefusal::EventCancelled)
        );
        let org = Some(Uuid::from_u128(50));
        assert_eq!(check_colleague(org, org), Ok(()));
        assert_eq!(
            check_colleague(org, Some(Uuid::from_u128(51))),
            Err(EventRefusal::ColleagueOtherOrganisation)
        );
        assert_eq!(
            check_colleague(None, None),
            Err(EventRefusal::ColleagueOtherOrganisation)
        );
    }

    #[test]
    fn external_participants_give_name_email_and_organisation() {
        let p = ExternalParticipantInput {
            name: " Eva Ek ".into(),
            email: "Eva@Region.SE".into(),
            organisation_name: "Region Kalmar län".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(p.email, "eva@region.se");
        assert_eq!(p.name, "Eva Ek");
        let e = ExternalParticipantInput {
            email: "inte en adress".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.for_field("email").unwrap().code, "invalid_email");
        assert_eq!(e.errors.len(), 3);
    }

    fn person(n: u128) -> Registrant {
        Registrant::Person {
            person_id: Uuid::from_u128(n),
        }
    }

    fn reg(n: u128) -> Registration {
        let mut r = Registration::new(Uuid::from_u128(1), person(n), None, t(NOW));
        r.id = Uuid::from_u128(1000 + n);
        r
    }

    #[test]
    fn a_full_event_waitlists_and_moves_up_in_order() {
        let mut roster = Roster::new(2);
        for n in 1..=4 {
            roster.register(reg(n)).unwrap();
        }
        assert_eq!(
            roster.register(reg(3)),
            Err(EventRefusal::AlreadyRegistered)
        );
        let statuses: Vec<_> = roster.registrations.iter().map(|r| r.status).collect();
        use RegistrationStatus::*;
        assert_eq!(statuses, vec![Confirmed, Confirmed, Waitlisted, Waitlisted]);
        assert_eq!(
            roster.cancel(Uuid::from_u128(1001)),
            Ok(vec![Uuid::from_u128(1003)])
        );
        assert_eq!(
            roster.cancel(Uuid::from_u128(1001)),
            Err(EventRefusal::AlreadyCancelled)
        );
        // A waitlisted person leaving moves nobody up.
        assert_eq!(roster.cancel(Uuid::from_u128(1004)), Ok(vec![]));
        // Cancelled people may sign up again, at the end of the queue.
        assert_eq!(roster.register(reg(1)), Ok(Waitlisted));
        assert_eq!(
            roster.set_capacity(1),
            Err(EventRefusal::CapacityBelowRegistrations { confirmed: 2 })
        );
        assert_eq!(roster.set_capacity(5), Ok(vec![Uuid::from_u128(1001)]));
        assert_eq!(roster.register(reg(5)), Ok(Confirmed));
    }

    #[test]
    fn the_summary_counts_places_attendance_and_organisations() {
        let row = |status, attended, org: Option<&str>, external| SummaryRow {
            status,
            attended,
            organisation: org.map(str::to_string),
            external,
        };
        use RegistrationStatus::*;
        let s = summarise(&[
            row(Confirmed, true, Some("a"), false),
            row(Confirmed, false, Some("a"), false),
            row(
                Confirmed,
                true,
                Some(&organisation_key(" Region  Kalmar ")),
                true,
            ),
            row(Confirmed, false, Some("region kalmar"), true),
            row(Waitlisted, false, Some("b"), false),
            row(Cancelled, true, Some("c"), false),
            row(Confirmed, false, None, false),
        ]);
        assert_eq!(
            s,
            EventSummary {
                registered: 5,
                attended: 2,
                waitlisted: 1,
                organisations: 2,
                external_participants: 2,
            }
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        SignUp(u128),
        Cancel(usize),
        Capacity(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (1u128..40).prop_map(Op::SignUp),
            3 => (0usize..64).prop_map(Op::Cancel),
            1 => (1i64..12).prop_map(Op::Capacity),
        ]
    }

    proptest! {
        #[test]
        fn confirmed_never_exceed_capacity_and_the_queue_keeps_arrival_order(
            capacity in 1i64..8,
            ops in proptest::collection::vec(op(), 1..150),
        ) {
            let mut roster = Roster::new(capacity);
            let mut n = 0u128;
            for op in ops {
                match op {
                    Op::SignUp(p) => {
                        n += 1;
                        let mut r = Registration::new(Uuid::from_u128(1), person(p), None, t(NOW));
                        r.id = Uuid::from_u128(10_000 + n);
                        let had = roster.registrations.iter()
                            .any(|x| x.status.is_active() && x.registrant == person(p));
                        prop_assert_eq!(roster.register(r).is_err(), had);
                    }
                    Op::Cancel(i) => {
                        let active: Vec<Uuid> = roster.registrations.iter()
                            .filter(|r| r.status.is_active()).map(|r| r.id).collect();
                        if !active.is_empty() {
                            let before: Vec<(Uuid, i64)> = roster.registrations.iter()
                                .filter(|r| r.status == RegistrationStatus::Waitlisted)
                                .map(|r| (r.id, r.position)).collect();
                            let up = roster.cancel(active[i % active.len()]).unwrap();
                            // Those who move up are the first waiting, in order.
                            let mut waiting = before;
                            waiting.retain(|(id, _)| roster.registrations.iter()
                                .any(|r| r.id == *id && r.status != RegistrationStatus::Cancelled));
                            waiting.sort_by_key(|(_, p)| *p);
                            let expected: Vec<Uuid> = waiting.iter().take(up.len()).map(|(id, _)| *id).collect();
                            prop_assert_eq!(up, expected);
                        }
                    }
                    Op::Capacity(c) => {
                        let confirmed = roster.registrations.iter()
                            .filter(|r| r.status == RegistrationStatus::Confirmed).count() as i64;
                        prop_assert_eq!(roster.set_capacity(c).is_ok(), c >= confirmed);
                    }
                }
                let confirmed: Vec<i64> = roster.registrations.iter()
                    .filter(|r| r.status == RegistrationStatus::Confirmed).map(|r| r.position).collect();
                let waiting: Vec<i64> = roster.registrations.iter()
                    .filter(|r| r.status == RegistrationStatus::Waitlisted).map(|r| r.position).collect();
                prop_assert!(confirmed.len() as i64 <= roster.capacity);
                // Nobody waits while a place is free…
                if !waiting.is_empty() {
                    prop_assert_eq!(confirmed.len() as i64, roster.capacity);
                    // …and everyone waiting came after everyone with a place.
                    prop_assert!(confirmed.iter().max() < waiting.iter().min());
                }
            }
        }
    }
}
