//! Events in both SQL backends: the events with their room bookings,
//! registrations with the capacity rule and the waiting list, invitations
//! and the attendance summary. `EventStore` is implemented once, for every
//! [`Backend`]; what differs is named by [`EventsDialect`]: how the list
//! columns (topics, co-organisers) are kept, how a write's error reads and
//! the calendar's filtered list; a room booking is locked and written as
//! every booking is ([`super::bookings`]).
//!
//! Sign-ups for one event are decided one at a time: every transaction that
//! changes who holds a place (sign-up, cancellation, an event change,
//! redeeming an invitation) first reads the event's row with the backend's
//! lock ([`Dialect::LOCK`]: PostgreSQL's `FOR UPDATE`, also across
//! processes; SQLite's one writer holds the write lock anyway), then counts
//! the places taken and gives the next arrival position. An invitation is
//! used by an `UPDATE … WHERE used_at IS NULL`, so of two concurrent
//! redemptions the second finds it used. A transaction that fails writes
//! nothing (an event whose room is taken writes neither event nor booking).

use super::backend::Backend;
use super::bookings::{insert_booking, BookingsDialect};
use super::dialect::{self, Arg, Conn, Dialect, RowOf, Run};
use super::{db, decode, SqlRow};
use crate::{
    EventChange, EventFilter, EventListing, EventNotices, EventStore, OutgoingEmail, Refusal,
    RegistrationCancelled, RegistrationView, StoreError, StoreResult,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::future::Future;
use thirdplace_domain::booking::{usage_month, Booking, MAX_TITLE_CHARS};
use thirdplace_domain::event::{
    decide_status, organisation_key, summarise, Event, EventRefusal, EventStatus, EventSummary,
    EventVisibility, ExternalParticipant, Invitation, Registrant, Registration, RegistrationStatus,
    SummaryRow, Venue,
};
use thirdplace_domain::Email;
use uuid::Uuid;

pub use super::bookings::Ref;

/// What events' queries say differently per backend.
pub trait EventsDialect: BookingsDialect {
    /// The list of texts in column `name` (topics).
    fn texts(r: &RowOf<Self>, name: &str) -> Result<Vec<String>, sqlx::Error>;

    /// The list of ids in column `name` (co-organisers).
    fn ids(r: &RowOf<Self>, name: &str) -> Result<Vec<Uuid>, sqlx::Error>;

    /// The SQL that turns placeholder `param`, bound to a JSON array of
    /// texts, into a list column's value.
    fn texts_from_json(param: &str) -> String;

    /// The same for a list of ids.
    fn ids_from_json(param: &str) -> String;

    /// Whether a registration's insert was refused by the partial unique
    /// indexes that allow one active registration per person or address.
    fn already_registered(e: &sqlx::Error) -> bool;

    /// The calendar's list (`EventStore::list_events`).
    fn list_events(
        conn: &mut Conn<Self>,
        f: &EventFilter,
    ) -> impl Future<Output = StoreResult<Vec<EventListing>>> + Send;
}

/// An event rule's refusal as the store's error.
fn refused(r: EventRefusal) -> StoreError {
    StoreError::Refused(Refusal::Event(r))
}

/// A list as the JSON text the list columns are written from.
fn json<T: ToString>(v: &[T]) -> StoreResult<String> {
    let v: Vec<String> = v.iter().map(T::to_string).collect();
    serde_json::to_string(&v).map_err(db)
}

// ------------------------------------------------------------------ rows

pub fn event<D: EventsDialect>(r: &RowOf<D>) -> Result<Event, sqlx::Error> {
    let venue: String = r.column("venue")?;
    let visibility: String = r.column("visibility")?;
    let status: String = r.column("status")?;
    Ok(Event {
        id: r.column("id")?,
        hub_id: r.column("hub_id")?,
        venue: Venue::from_parts(&venue, r.column("room_id")?, r.column("zone_id")?)
            .ok_or_else(|| decode("venue", &venue))?,
        booking_id: r.column("booking_id")?,
        title: r.column("title")?,
        description: r.column("description")?,
        topics: D::texts(r, "topics")?,
        start: D::instant(r, "starts_at")?,
        end: D::instant(r, "ends_at")?,
        capacity: r.column("capacity")?,
        visibility: EventVisibility::parse(&visibility)
            .ok_or_else(|| decode("visibility", &visibility))?,
        status: EventStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
        organiser_id: r.column("organiser_id")?,
        co_organiser_ids: D::ids(r, "co_organiser_ids")?,
        sequence: r.column("sequence")?,
        created_at: D::instant(r, "created_at")?,
        updated_at: D::instant(r, "updated_at")?,
    })
}

/// An event with what a calendar shows next to it.
pub fn listing<D: EventsDialect>(r: &RowOf<D>) -> Result<EventListing, sqlx::Error> {
    super::event_listing(r, event::<D>(r)?)
}

pub fn registration<D: Dialect>(r: &RowOf<D>) -> Result<Registration, sqlx::Error> {
    let status: String = r.column("status")?;
    let person: Option<Uuid> = r.column("person_id")?;
    let text = |name: &str| -> Result<String, sqlx::Error> {
        Ok(r.column::<Option<String>>(name)?.unwrap_or_default())
    };
    let registrant = match person {
        Some(person_id) => Registrant::Person { person_id },
        None => Registrant::External(ExternalParticipant {
            name: text("external_name")?,
            email: Email::from_stored(text("external_email")?),
            organisation_name: text("external_organisation")?,
        }),
    };
    Ok(Registration {
        id: r.column("id")?,
        event_id: r.column("event_id")?,
        registrant,
        registered_by: r.column("registered_by")?,
        invitation_id: r.column("invitation_id")?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
        position: r.column("position")?,
        created_at: D::instant(r, "created_at")?,
        cancelled_at: D::opt_instant(r, "cancelled_at")?,
        attended: r.column("attended")?,
    })
}

/// A registration with the registrant's name, address and organisation.
fn registration_view<D: Dialect>(r: &RowOf<D>) -> Result<RegistrationView, sqlx::Error> {
    let reg = registration::<D>(r)?;
    let (name, email, org) = match &reg.registrant {
        Registrant::Person { .. } => {
            let first: String = r.column("first_name")?;
            let last: String = r.column("last_name")?;
            (
                format!("{first} {last}"),
                r.column("person_email")?,
                r.column("organisation_name")?,
            )
        }
        Registrant::External(x) => (
            x.name.clone(),
            x.email.to_string(),
            Some(x.organisation_name.clone()),
        ),
    };
    Ok(RegistrationView {
        registration: reg,
        name,
        email,
        organisation_name: org,
    })
}

pub fn invitation<D: Dialect>(r: &RowOf<D>) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        id: r.column("id")?,
        event_id: r.column("event_id")?,
        email: Email::from_stored(r.column("email")?),
        token_hash: r.column("token_hash")?,
        invited_by: r.column("invited_by")?,
        created_at: D::instant(r, "created_at")?,
        used_at: D::opt_instant(r, "used_at")?,
        registration_id: r.column("registration_id")?,
    })
}

fn summary_row<D: Dialect>(r: &RowOf<D>) -> Result<SummaryRow, sqlx::Error> {
    let status: String = r.column("status")?;
    let person: Option<Uuid> = r.column("person_id")?;
    let org: Option<Uuid> = r.column("organisation_id")?;
    let external_org: Option<String> = r.column("external_organisation")?;
    Ok(SummaryRow {
        status: RegistrationStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
        attended: r.column("attended")?,
        organisation: match person {
            Some(_) => org.map(|o| o.to_string()),
            None => external_org.map(|o| organisation_key(&o)),
        },
        external: person.is_none(),
    })
}

/// Whether the query finds a row.
async fn exists<D: Dialect>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> StoreResult<bool> {
    let found = dialect::optional::<D, _>(conn, sql, args, |_| Ok(())).await?;
    Ok(found.is_some())
}

// ---------------------------------------------------------------- events

pub async fn get_event<D: EventsDialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Event> {
    let sql = "SELECT * FROM events WHERE id = $1";
    let found = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(id)], event::<D>).await?;
    found.ok_or(StoreError::NotFound)
}

/// The event, its row locked until the transaction ends: changes to who
/// holds a place in it wait for each other here.
async fn lock_event<D: EventsDialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Event> {
    let sql = format!("SELECT * FROM events WHERE id = $1{}", D::LOCK);
    let found = dialect::optional::<D, _>(conn, &sql, vec![Arg::Id(id)], event::<D>).await?;
    found.ok_or(StoreError::NotFound)
}

/// The booking an event in a room must come with.
fn check_booking(e: &Event, b: Option<&Booking>) -> StoreResult<Booking> {
    match (e.venue.room_id(), b) {
        (Some(room), Some(b)) if b.room_id == room => Ok(b.clone()),
        _ => Err(StoreError::Reference("room_booking".into())),
    }
}

/// Writes an event's room booking, its room locked first.
async fn add_booking<D: EventsDialect>(conn: &mut Conn<D>, b: &Booking) -> StoreResult<()> {
    D::lock_writers(conn, vec![], vec![b.room_id]).await?;
    // Refuses an overlap (`booking_conflict`); the failed transaction then
    // writes nothing.
    insert_booking::<D>(conn, b).await
}

/// Places taken, people waiting, and the highest arrival position.
async fn counts<D: Dialect>(conn: &mut Conn<D>, event_id: Uuid) -> StoreResult<(i64, i64, i64)> {
    let sql = "SELECT COUNT(CASE WHEN status = 'confirmed' THEN 1 END) AS confirmed, \
               COUNT(CASE WHEN status = 'waitlisted' THEN 1 END) AS waitlisted, \
               COALESCE(MAX(position), 0) AS last FROM event_registrations WHERE event_id = $1";
    let found = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(event_id)], |r| {
        Ok((
            r.column("confirmed")?,
            r.column("waitlisted")?,
            r.column("last")?,
        ))
    })
    .await?;
    found.ok_or(StoreError::NotFound)
}

/// A copy of `template` to `to`, with an id of its own.
async fn send_copy<D: Dialect>(
    conn: &mut Conn<D>,
    template: &OutgoingEmail,
    to: &str,
) -> StoreResult<()> {
    let mut e = template.clone();
    e.id = thirdplace_domain::new_id();
    e.to_address = to.to_string();
    super::outbox::insert_email::<D>(conn, &e).await
}

/// A copy of `template` to each registration of the event that holds a
/// place (`confirmed_only`) or any that is not cancelled, in arrival order;
/// how many were sent.
async fn send_copies<D: Dialect>(
    conn: &mut Conn<D>,
    event_id: Uuid,
    confirmed_only: bool,
    template: &OutgoingEmail,
) -> StoreResult<i64> {
    let which = if confirmed_only {
        "r.status = 'confirmed'"
    } else {
        "r.status <> 'cancelled'"
    };
    let sql = format!(
        "SELECT COALESCE(p.email, r.external_email) AS email FROM event_registrations r \
         LEFT JOIN people p ON p.id = r.person_id \
         WHERE r.event_id = $1 AND {which} ORDER BY r.position"
    );
    let args = vec![Arg::Id(event_id)];
    let to = dialect::all::<D, String>(conn, &sql, args, |r| r.column("email")).await?;
    for a in &to {
        send_copy::<D>(conn, template, a).await?;
    }
    Ok(to.len() as i64)
}

async fn address_of<D: Dialect>(conn: &mut Conn<D>, r: &Registration) -> StoreResult<String> {
    match &r.registrant {
        Registrant::External(x) => Ok(x.email.to_string()),
        Registrant::Person { person_id } => {
            let sql = "SELECT email FROM people WHERE id = $1";
            let args = vec![Arg::Id(*person_id)];
            let found = dialect::optional::<D, String>(conn, sql, args, |r| r.column("email"));
            found.await?.ok_or(StoreError::NotFound)
        }
    }
}

/// Gives the free places (capacity minus confirmed) to the first people
/// waiting, in arrival order, each sent a copy of `template`. The caller
/// holds the event's row lock.
async fn fill_places<D: Dialect>(
    conn: &mut Conn<D>,
    event_id: Uuid,
    capacity: i64,
    template: Option<&OutgoingEmail>,
) -> StoreResult<Vec<Registration>> {
    let (confirmed, waitlisted, _) = counts::<D>(conn, event_id).await?;
    let free = capacity - confirmed;
    if free <= 0 || waitlisted == 0 {
        return Ok(Vec::new());
    }
    let sql = "UPDATE event_registrations SET status = 'confirmed' WHERE id IN (\
               SELECT id FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted' \
               ORDER BY position LIMIT $2) RETURNING *";
    let args = vec![Arg::Id(event_id), Arg::Int(free)];
    let mut promoted = dialect::all::<D, _>(conn, sql, args, registration::<D>).await?;
    promoted.sort_by_key(|r| r.position);
    if let Some(t) = template {
        for p in &promoted {
            let to = address_of::<D>(conn, p).await?;
            send_copy::<D>(conn, t, &to).await?;
        }
    }
    Ok(promoted)
}

async fn cancel_room_booking<D: EventsDialect>(
    conn: &mut Conn<D>,
    booking_id: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
    reason: &str,
) -> StoreResult<()> {
    let sql = "UPDATE bookings SET status = 'cancelled', cancelled_at = $1, cancelled_by = $2, \
               cancel_reason = $3, cancellation_charged = FALSE \
               WHERE id = $4 AND status = 'confirmed'";
    let args = vec![
        D::at(at),
        Arg::Id(by),
        Arg::Text(reason),
        Arg::Id(booking_id),
    ];
    D::DB::run(conn, sql, args).await.map_err(D::booking_err)?;
    Ok(())
}

/// Moves the event's room booking with it.
async fn move_booking<D: EventsDialect>(
    conn: &mut Conn<D>,
    booking_id: Uuid,
    room: Uuid,
    e: &Event,
) -> StoreResult<()> {
    D::lock_writers(conn, vec![], vec![room]).await?;
    // The booking's overlap rule refuses a move onto a taken time.
    let sql = "UPDATE bookings SET room_id = $1, starts_at = $2, ends_at = $3, title = $4, \
               usage_month = $5 WHERE id = $6";
    let args = vec![
        Arg::Id(room),
        D::at(e.start),
        D::at(e.end),
        Arg::Owned(e.title.chars().take(MAX_TITLE_CHARS).collect()),
        Arg::Owned(usage_month(e.start)),
        Arg::Id(booking_id),
    ];
    D::DB::run(conn, sql, args).await.map_err(D::booking_err)?;
    Ok(())
}

/// The event's row: inserted, or (with `reminded_again`, whether the
/// event moved) updated.
async fn write_event_row<D: EventsDialect>(
    conn: &mut Conn<D>,
    e: &Event,
    update: Option<bool>,
) -> StoreResult<()> {
    let (topics, keys) = (D::texts_from_json("$8"), D::texts_from_json("$9"));
    let co = D::ids_from_json("$16");
    let sql = match update {
        None => format!(
            "INSERT INTO events (hub_id, venue, room_id, zone_id, booking_id, title, \
             description, topics, topic_keys, starts_at, ends_at, capacity, visibility, status, \
             organiser_id, co_organiser_ids, sequence, updated_at, id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, {topics}, {keys}, $10, $11, $12, $13, $14, \
             $15, {co}, $17, $18, $19, $20)"
        ),
        Some(_) => format!(
            "UPDATE events SET hub_id = $1, venue = $2, room_id = $3, zone_id = $4, \
             booking_id = $5, title = $6, description = $7, topics = {topics}, \
             topic_keys = {keys}, starts_at = $10, ends_at = $11, capacity = $12, \
             visibility = $13, status = $14, organiser_id = $15, co_organiser_ids = {co}, \
             sequence = $17, updated_at = $18, \
             reminded_at = CASE WHEN $20 THEN NULL ELSE reminded_at END WHERE id = $19"
        ),
    };
    let topic_keys: Vec<String> = e.topics.iter().map(|t| t.to_lowercase()).collect();
    let args = vec![
        Arg::Id(e.hub_id),
        Arg::Text(e.venue.key()),
        Arg::OptId(e.venue.room_id()),
        Arg::OptId(e.venue.zone_id()),
        Arg::OptId(e.booking_id),
        Arg::Text(&e.title),
        Arg::Text(&e.description),
        Arg::Owned(json(&e.topics)?),
        Arg::Owned(json(&topic_keys)?),
        D::at(e.start),
        D::at(e.end),
        Arg::Int(e.capacity),
        Arg::Text(e.visibility.key()),
        Arg::Text(e.status.key()),
        Arg::Id(e.organiser_id),
        Arg::Owned(json(&e.co_organiser_ids)?),
        Arg::Int(e.sequence),
        D::at(e.updated_at),
        Arg::Id(e.id),
        match update {
            None => D::at(e.created_at),
            // A moved event is reminded of again.
            Some(reminded_again) => Arg::Bool(reminded_again),
        },
    ];
    let Err(err) = D::DB::run(conn, &sql, args).await else {
        return Ok(());
    };
    if update.is_some() {
        return Err(D::write_err(err));
    }
    let mut refs = vec![("hubs", e.hub_id, "hub_id")];
    refs.extend(e.venue.room_id().map(|r| ("rooms", r, "room_id")));
    refs.extend(e.venue.zone_id().map(|z| ("zones", z, "zone_id")));
    refs.push(("people", e.organiser_id, "organiser_id"));
    Err(D::insert_err(conn, err, refs).await)
}

pub async fn insert_event<D: EventsDialect>(
    conn: &mut Conn<D>,
    e: &Event,
    room_booking: Option<&Booking>,
) -> StoreResult<Event> {
    let mut e = e.clone();
    e.booking_id = None;
    if e.venue.room_id().is_some() {
        let b = check_booking(&e, room_booking)?;
        add_booking::<D>(conn, &b).await?;
        e.booking_id = Some(b.id);
    }
    write_event_row::<D>(conn, &e, None).await?;
    Ok(e)
}

pub async fn update_event<D: EventsDialect>(
    conn: &mut Conn<D>,
    e: &Event,
    room_booking: Option<&Booking>,
    notices: &EventNotices,
) -> StoreResult<EventChange> {
    let old = lock_event::<D>(conn, e.id).await?;
    if old.status == EventStatus::Cancelled || e.status == EventStatus::Cancelled {
        return Err(refused(EventRefusal::EventCancelled));
    }
    let (confirmed, _, _) = counts::<D>(conn, e.id).await?;
    if e.capacity < confirmed {
        return Err(refused(EventRefusal::CapacityBelowRegistrations {
            confirmed: 0,
        }));
    }
    let mut new = e.clone();
    new.created_at = old.created_at;
    new.sequence = old.sequence + 1;
    new.booking_id = old.booking_id;
    match (old.booking_id, new.venue.room_id()) {
        (Some(b), Some(room)) => move_booking::<D>(conn, b, room, &new).await?,
        (Some(b), None) => {
            let (at, by) = (new.updated_at, new.organiser_id);
            cancel_room_booking::<D>(conn, b, at, by, "event moved").await?;
            new.booking_id = None;
        }
        (None, Some(_)) => {
            let b = check_booking(&new, room_booking)?;
            add_booking::<D>(conn, &b).await?;
            new.booking_id = Some(b.id);
        }
        (None, None) => {}
    }
    write_event_row::<D>(conn, &new, Some(new.start != old.start)).await?;
    if let Some(t) = &notices.changed {
        send_copies::<D>(conn, new.id, false, t).await?;
    }
    let promoted = fill_places::<D>(conn, new.id, new.capacity, notices.promoted.as_ref()).await?;
    Ok(EventChange {
        event: new,
        promoted,
    })
}

pub async fn cancel_event<D: EventsDialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
    notice: Option<&OutgoingEmail>,
) -> StoreResult<Event> {
    let old = lock_event::<D>(conn, id).await?;
    if old.status == EventStatus::Cancelled {
        return Err(refused(EventRefusal::EventCancelled));
    }
    if let Some(b) = old.booking_id {
        cancel_room_booking::<D>(conn, b, at, by, "event cancelled").await?;
    }
    let sql = "UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = $1 \
               WHERE id = $2 RETURNING *";
    let args = vec![D::at(at), Arg::Id(id)];
    let e = dialect::optional::<D, _>(conn, sql, args, event::<D>).await?;
    let e = e.ok_or(StoreError::NotFound)?;
    if let Some(t) = notice {
        send_copies::<D>(conn, id, false, t).await?;
    }
    Ok(e)
}

/// The start of the calendar's list (`EventsDialect::list_events`): the
/// events with their hub's and place's names and, unless `without_counts`,
/// the places taken and people waiting; each filter follows as ` AND …`,
/// then [`LISTING_ORDER`] and the limit.
pub fn listing_select(without_counts: bool) -> String {
    let counts = if without_counts {
        "CAST(0 AS BIGINT) AS confirmed, CAST(0 AS BIGINT) AS waitlisted"
    } else {
        "(SELECT COUNT(*) FROM event_registrations x WHERE x.event_id = e.id \
          AND x.status = 'confirmed') AS confirmed, \
         (SELECT COUNT(*) FROM event_registrations x WHERE x.event_id = e.id \
          AND x.status = 'waitlisted') AS waitlisted"
    };
    format!(
        "SELECT e.*, h.name AS hub_name, COALESCE(r.name, z.name) AS place_name, {counts} \
         FROM events e JOIN hubs h ON h.id = e.hub_id \
         LEFT JOIN rooms r ON r.id = e.room_id LEFT JOIN zones z ON z.id = e.zone_id \
         WHERE TRUE"
    )
}

/// The calendar list's order, before its limit.
pub const LISTING_ORDER: &str = " ORDER BY e.starts_at, e.id LIMIT ";

/// See [`crate::Store::calendar_feed_changes`].
pub async fn calendar_feed_changes<D: Dialect>(
    conn: &mut Conn<D>,
    after: i64,
    upto: i64,
) -> StoreResult<Option<Vec<Uuid>>> {
    if upto - after > crate::KEPT_FEED_CHANGES {
        return Ok(None);
    }
    let sql = "SELECT feed_version, event_id FROM calendar_changes \
               WHERE feed_version > $1 AND feed_version <= $2 ORDER BY feed_version";
    let args = vec![Arg::Int(after), Arg::Int(upto)];
    let rows = dialect::all::<D, _>(conn, sql, args, |r| {
        Ok((r.column("feed_version")?, r.column("event_id")?))
    })
    .await?;
    Ok(crate::feed_changes(after, upto, rows))
}

/// The pages' version, or with `feed` the feeds' (see the migration).
pub async fn calendar_version<D: Dialect>(conn: &mut Conn<D>, feed: bool) -> StoreResult<i64> {
    let sql = if feed {
        "SELECT feed_version AS v FROM calendar_version WHERE id = 1"
    } else {
        "SELECT version AS v FROM calendar_version WHERE id = 1"
    };
    let found = dialect::optional::<D, i64>(conn, sql, Vec::new(), |r| r.column("v")).await?;
    found.ok_or(StoreError::NotFound)
}

// --------------------------------------------------------- registrations

/// Registers in the caller's transaction, with the event's row locked: the
/// double sign-up check, the count and the position see every sign-up
/// committed before, and none can commit in between.
async fn register_in<D: EventsDialect>(
    conn: &mut Conn<D>,
    r: &Registration,
    now: DateTime<Utc>,
    invitation_id: Option<Uuid>,
) -> StoreResult<Registration> {
    let e = lock_event::<D>(conn, r.event_id).await?;
    match e.status {
        EventStatus::Cancelled => return Err(refused(EventRefusal::EventCancelled)),
        EventStatus::Proposed => return Err(refused(EventRefusal::NotPublished)),
        EventStatus::Published => {}
    }
    if e.has_started(now) {
        return Err(refused(EventRefusal::EventStarted));
    }
    let (person, external) = match &r.registrant {
        Registrant::Person { person_id } => (Some(*person_id), None),
        Registrant::External(x) => (None, Some(x)),
    };
    let sql = "SELECT 1 FROM event_registrations WHERE event_id = $1 AND status <> 'cancelled' \
               AND (person_id = $2 OR external_email = $3)";
    let args = vec![
        Arg::Id(e.id),
        Arg::OptId(person),
        Arg::OptText(external.map(|x| x.email.as_str())),
    ];
    if exists::<D>(conn, sql, args).await? {
        return Err(refused(EventRefusal::AlreadyRegistered));
    }
    let (confirmed, waitlisted, last) = counts::<D>(conn, e.id).await?;
    let mut out = r.clone();
    out.status = decide_status(e.capacity, confirmed, waitlisted);
    out.position = last + 1;
    out.invitation_id = invitation_id;
    out.cancelled_at = None;
    let sql = "INSERT INTO event_registrations (id, event_id, position, person_id, \
               external_name, external_email, external_organisation, registered_by, \
               invitation_id, status, created_at, cancelled_at, attended) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)";
    let args = vec![
        Arg::Id(out.id),
        Arg::Id(out.event_id),
        Arg::Int(out.position),
        Arg::OptId(person),
        Arg::OptText(external.map(|x| x.name.as_str())),
        Arg::OptText(external.map(|x| x.email.as_str())),
        Arg::OptText(external.map(|x| x.organisation_name.as_str())),
        Arg::OptId(out.registered_by),
        Arg::OptId(out.invitation_id),
        Arg::Text(out.status.key()),
        D::at(out.created_at),
        Arg::Bool(out.attended),
    ];
    let Err(err) = D::DB::run(conn, sql, args).await else {
        return Ok(out);
    };
    if D::already_registered(&err) {
        return Err(refused(EventRefusal::AlreadyRegistered));
    }
    let mut refs: Vec<Ref> = Vec::new();
    refs.extend(person.map(|p| ("people", p, "person_id")));
    refs.extend(out.registered_by.map(|p| ("people", p, "registered_by")));
    Err(D::insert_err(conn, err, refs).await)
}

pub async fn get_registration<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
) -> StoreResult<Registration> {
    let sql = "SELECT * FROM event_registrations WHERE id = $1";
    let found = dialect::optional::<D, _>(conn, sql, vec![Arg::Id(id)], registration::<D>);
    found.await?.ok_or(StoreError::NotFound)
}

pub async fn list_registrations<D: Dialect>(
    conn: &mut Conn<D>,
    event_id: Uuid,
    after: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<RegistrationView>> {
    let sql = "SELECT r.*, p.first_name, p.last_name, p.email AS person_email, \
               o.name AS organisation_name FROM event_registrations r \
               LEFT JOIN people p ON p.id = r.person_id \
               LEFT JOIN organisations o ON o.id = p.organisation_id \
               WHERE r.event_id = $1 AND r.position > $2 ORDER BY r.position LIMIT $3";
    let args = vec![
        Arg::Id(event_id),
        Arg::Int(after.unwrap_or(i64::MIN)),
        Arg::Int(limit.max(0)),
    ];
    dialect::all::<D, _>(conn, sql, args, registration_view::<D>).await
}

pub async fn registration_of<D: Dialect>(
    conn: &mut Conn<D>,
    event_id: Uuid,
    person_id: Uuid,
) -> StoreResult<Option<Registration>> {
    let sql = "SELECT * FROM event_registrations WHERE event_id = $1 AND person_id = $2 \
               AND status <> 'cancelled'";
    let args = vec![Arg::Id(event_id), Arg::Id(person_id)];
    dialect::optional::<D, _>(conn, sql, args, registration::<D>).await
}

/// Cancels a registration in the caller's transaction, giving its place
/// to the first one waiting (sent a copy of `promotion`).
pub async fn cancel_registration<D: EventsDialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    at: DateTime<Utc>,
    promotion: Option<&OutgoingEmail>,
) -> StoreResult<RegistrationCancelled> {
    let sql = "SELECT event_id FROM event_registrations WHERE id = $1";
    let event_id =
        dialect::optional::<D, Uuid>(conn, sql, vec![Arg::Id(id)], |r| r.column("event_id"))
            .await?;
    let event_id = event_id.ok_or(StoreError::NotFound)?;
    // The event first, as every writer of its registrations does.
    let e = lock_event::<D>(conn, event_id).await?;
    let sql = "UPDATE event_registrations SET status = 'cancelled', cancelled_at = $1 \
               WHERE id = $2 AND status <> 'cancelled' RETURNING *";
    let args = vec![D::at(at), Arg::Id(id)];
    let reg = dialect::optional::<D, _>(conn, sql, args, registration::<D>).await?;
    let Some(reg) = reg else {
        return Err(refused(EventRefusal::AlreadyCancelled));
    };
    let promoted = if e.status == EventStatus::Published && !e.has_started(at) {
        fill_places::<D>(conn, e.id, e.capacity, promotion).await?
    } else {
        Vec::new()
    };
    Ok(RegistrationCancelled {
        registration: reg,
        promoted,
    })
}

// ----------------------------------------------------------- invitations

pub async fn insert_invitation<D: EventsDialect>(
    conn: &mut Conn<D>,
    i: &Invitation,
) -> StoreResult<()> {
    let sql = "INSERT INTO event_invitations (id, event_id, email, token_hash, invited_by, \
               created_at, used_at, registration_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    let args = vec![
        Arg::Id(i.id),
        Arg::Id(i.event_id),
        Arg::Text(i.email.as_str()),
        Arg::Text(&i.token_hash),
        Arg::Id(i.invited_by),
        D::at(i.created_at),
        D::opt_at(i.used_at),
        Arg::OptId(i.registration_id),
    ];
    let Err(err) = D::DB::run(conn, sql, args).await else {
        return Ok(());
    };
    let refs = vec![
        ("events", i.event_id, "event_id"),
        ("people", i.invited_by, "invited_by"),
    ];
    Err(D::insert_err(conn, err, refs).await)
}

/// Uses the invitation and registers with it, in the caller's transaction:
/// a refused registration fails the transaction, so the invitation stays
/// unused.
pub async fn redeem_invitation<D: EventsDialect>(
    conn: &mut Conn<D>,
    token_hash: &str,
    r: &Registration,
    now: DateTime<Utc>,
) -> StoreResult<Registration> {
    // A concurrent redemption waits on the row and then finds it used.
    let sql = "UPDATE event_invitations SET used_at = $1 WHERE token_hash = $2 \
               AND used_at IS NULL RETURNING id, event_id";
    let args = vec![D::at(now), Arg::Text(token_hash)];
    let used = dialect::optional::<D, (Uuid, Uuid)>(conn, sql, args, |r| {
        Ok((r.column("id")?, r.column("event_id")?))
    })
    .await?;
    let Some((invitation_id, event_id)) = used else {
        let sql = "SELECT 1 FROM event_invitations WHERE token_hash = $1";
        let known = exists::<D>(conn, sql, vec![Arg::Text(token_hash)]).await?;
        return Err(refused(if known {
            EventRefusal::InvitationUsed
        } else {
            EventRefusal::InvitationInvalid
        }));
    };
    let mut reg = r.clone();
    reg.event_id = event_id;
    let reg = register_in::<D>(conn, &reg, now, Some(invitation_id)).await?;
    let sql = "UPDATE event_invitations SET registration_id = $1 WHERE id = $2";
    dialect::run::<D>(conn, sql, vec![Arg::Id(reg.id), Arg::Id(invitation_id)]).await?;
    Ok(reg)
}

// ------------------------------------------------------------- reminders

pub async fn events_due_for_reminder<D: EventsDialect>(
    conn: &mut Conn<D>,
    now: DateTime<Utc>,
    ahead: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<Event>> {
    let sql = "SELECT * FROM events WHERE status = 'published' AND reminded_at IS NULL \
               AND starts_at > $1 AND starts_at <= $2 ORDER BY starts_at, id LIMIT $3";
    let args = vec![D::at(now), D::at(now + ahead), Arg::Int(limit.max(0))];
    dialect::all::<D, _>(conn, sql, args, event::<D>).await
}

pub async fn send_event_reminder<D: Dialect>(
    conn: &mut Conn<D>,
    event_id: Uuid,
    at: DateTime<Utc>,
    template: &OutgoingEmail,
) -> StoreResult<i64> {
    // Of two processes sending at once, the second finds it sent.
    let sql = "UPDATE events SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
               RETURNING 1";
    if !exists::<D>(conn, sql, vec![D::at(at), Arg::Id(event_id)]).await? {
        let sql = "SELECT 1 FROM events WHERE id = $1";
        return Err(
            match exists::<D>(conn, sql, vec![Arg::Id(event_id)]).await? {
                true => StoreError::Refused(Refusal::ReminderSent),
                false => StoreError::NotFound,
            },
        );
    }
    send_copies::<D>(conn, event_id, true, template).await
}

// --------------------------------------------------------------- summary

pub async fn event_summary<D: Dialect>(
    conn: &mut Conn<D>,
    event_id: Uuid,
) -> StoreResult<EventSummary> {
    let sql = "SELECT 1 FROM events WHERE id = $1";
    if !exists::<D>(conn, sql, vec![Arg::Id(event_id)]).await? {
        return Err(StoreError::NotFound);
    }
    let sql = "SELECT r.status, r.attended, r.person_id, p.organisation_id, \
               r.external_organisation FROM event_registrations r \
               LEFT JOIN people p ON p.id = r.person_id WHERE r.event_id = $1";
    let rows = dialect::all::<D, _>(conn, sql, vec![Arg::Id(event_id)], summary_row::<D>).await?;
    Ok(summarise(&rows))
}

// ------------------------------------------------------------ the store

#[async_trait]
impl<B: Backend> EventStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event> {
        let (e, b) = (e.clone(), room_booking.cloned());
        self.transaction(move |c| {
            Box::pin(async move { insert_event::<B::D>(c, &e, b.as_ref()).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_event(&self, id: Uuid) -> StoreResult<Event> {
        get_event::<B::D>(&mut *self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_event(
        &self,
        e: &Event,
        room_booking: Option<&Booking>,
        notices: &EventNotices,
    ) -> StoreResult<EventChange> {
        let (e, b, n) = (e.clone(), room_booking.cloned(), notices.clone());
        self.transaction(move |c| {
            Box::pin(async move { update_event::<B::D>(c, &e, b.as_ref(), &n).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_event(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        by: Uuid,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Event> {
        let notice = notice.cloned();
        self.transaction(move |c| {
            Box::pin(async move { cancel_event::<B::D>(c, id, at, by, notice.as_ref()).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_events(&self, f: &EventFilter) -> StoreResult<Vec<EventListing>> {
        // SQLite's kept read connection: a feed brought up to date after a
        // change lists one event, and sqlx's pool sometimes took 30 ms to
        // hand over a connection for it.
        B::D::list_events(&mut *self.reader().await?, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_version(&self) -> StoreResult<i64> {
        calendar_version::<B::D>(&mut *self.reader().await?, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_version(&self) -> StoreResult<i64> {
        calendar_version::<B::D>(&mut *self.reader().await?, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_changes(&self, after: i64, upto: i64) -> StoreResult<Option<Vec<Uuid>>> {
        calendar_feed_changes::<B::D>(&mut *self.reader().await?, after, upto).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration> {
        let r = r.clone();
        self.transaction(move |c| {
            Box::pin(async move { register_in::<B::D>(c, &r, now, None).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_registration(&self, id: Uuid) -> StoreResult<Registration> {
        get_registration::<B::D>(&mut *self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_registrations_after(
        &self,
        event_id: Uuid,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<RegistrationView>> {
        let mut conn = self.reader().await?;
        list_registrations::<B::D>(&mut conn, event_id, after, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn registration_of(
        &self,
        event_id: Uuid,
        person_id: Uuid,
    ) -> StoreResult<Option<Registration>> {
        registration_of::<B::D>(&mut *self.reader().await?, event_id, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_registration(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        let promotion = promotion.cloned();
        self.transaction(move |c| {
            Box::pin(
                async move { cancel_registration::<B::D>(c, id, at, promotion.as_ref()).await },
            )
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_attended(&self, id: Uuid, attended: bool) -> StoreResult<()> {
        let sql = "UPDATE event_registrations SET attended = $1 WHERE id = $2";
        self.write(move |c| {
            Box::pin(async move {
                dialect::found::<B::D>(c, sql, vec![Arg::Bool(attended), Arg::Id(id)]).await
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_invitations(&self, sent: &[(Invitation, OutgoingEmail)]) -> StoreResult<()> {
        let sent = sent.to_vec();
        self.transaction(move |c| {
            Box::pin(async move {
                for (i, mail) in &sent {
                    insert_invitation::<B::D>(c, i).await?;
                    super::outbox::insert_email::<B::D>(c, mail).await?;
                }
                Ok(())
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Invitation> {
        let sql = "SELECT * FROM event_invitations WHERE token_hash = $1";
        let args = vec![Arg::Text(token_hash)];
        let mut conn = self.reader().await?;
        let found = dialect::optional::<B::D, _>(&mut conn, sql, args, invitation::<B::D>);
        found.await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_invitations(&self, event_id: Uuid) -> StoreResult<Vec<Invitation>> {
        let sql = "SELECT * FROM event_invitations WHERE event_id = $1 ORDER BY created_at, id";
        let args = vec![Arg::Id(event_id)];
        let mut conn = self.reader().await?;
        dialect::all::<B::D, _>(&mut conn, sql, args, invitation::<B::D>).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn redeem_invitation(
        &self,
        token_hash: &str,
        r: &Registration,
        now: DateTime<Utc>,
    ) -> StoreResult<Registration> {
        let (token_hash, r) = (token_hash.to_string(), r.clone());
        self.transaction(move |c| {
            Box::pin(async move { redeem_invitation::<B::D>(c, &token_hash, &r, now).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn events_due_for_reminder(
        &self,
        now: DateTime<Utc>,
        ahead: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Event>> {
        let mut conn = self.reader().await?;
        events_due_for_reminder::<B::D>(&mut conn, now, ahead, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn send_event_reminder(
        &self,
        event_id: Uuid,
        at: DateTime<Utc>,
        template: &OutgoingEmail,
    ) -> StoreResult<i64> {
        let template = template.clone();
        self.transaction(move |c| {
            Box::pin(async move { send_event_reminder::<B::D>(c, event_id, at, &template).await })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary> {
        event_summary::<B::D>(&mut *self.reader().await?, event_id).await
    }
}
