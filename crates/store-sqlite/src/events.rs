//! Events in SQLite: the events with their room bookings, registrations
//! with the capacity rule and the waiting list, invitations and the
//! attendance summary. Free functions over a connection; `impl EventStore`
//! at the end calls them.
//!
//! Every write runs as a job of the store's one writer (`writer.rs`), inside
//! its `BEGIN IMMEDIATE` transaction: the count of places taken that decides
//! between a place and the waiting list, and the position that records the
//! arrival order, are read and written with the write lock held, so two
//! sign-ups for the last place are decided one after the other. A job that
//! fails is rolled back to its savepoint and leaves nothing behind (an
//! event whose room is taken writes neither event nor booking).
//! The partial unique indexes of migration 0004 refuse a second active
//! registration even if a check here were wrong.

use super::bookings::{booking_write_err, insert_bookings, instant, opt_instant, secs};
use super::{db, decode, must_exist, write_err};
use crate::outbox::{self, insert_email};
use crate::rows;
use crate::SqliteStore;
use crate::WriteOne;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};
use thirdplace_domain::booking::{usage_month, Booking, MAX_TITLE_CHARS};
use thirdplace_domain::event::{
    decide_status, organisation_key, summarise, Event, EventRefusal, EventStatus, EventSummary,
    EventVisibility, ExternalParticipant, Invitation, Registrant, Registration, RegistrationStatus,
    SummaryRow, Venue,
};
use thirdplace_domain::Email;
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::sql::{push_keyset_after, Towards};
use thirdplace_store::{
    sql, EventChange, EventFilter, EventListing, EventNotices, EventStore, OutgoingEmail, Refusal,
    RegistrationCancelled, RegistrationView, StoreError, StoreResult,
};
use uuid::Uuid;

/// An event rule's refusal as the store's error.
fn refused(r: EventRefusal) -> StoreError {
    StoreError::Refused(Refusal::Event(r))
}

fn json(v: serde_json::Value) -> StoreResult<String> {
    serde_json::to_string(&v).map_err(db)
}

fn strings(v: &[String]) -> serde_json::Value {
    serde_json::Value::from(v.to_vec())
}

fn ids(v: &[Uuid]) -> serde_json::Value {
    serde_json::Value::from(v.iter().map(Uuid::to_string).collect::<Vec<_>>())
}

fn topic_keys(topics: &[String]) -> Vec<String> {
    topics.iter().map(|t| t.to_lowercase()).collect()
}

// ------------------------------------------------------------------ rows

fn event(r: &SqliteRow) -> Result<Event, sqlx::Error> {
    let venue: String = r.try_get("venue")?;
    let visibility: String = r.try_get("visibility")?;
    let status: String = r.try_get("status")?;
    let topics: String = r.try_get("topics")?;
    let co: String = r.try_get("co_organiser_ids")?;
    Ok(Event {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        venue: Venue::from_parts(&venue, r.try_get("room_id")?, r.try_get("zone_id")?)
            .ok_or_else(|| decode("venue", &venue))?,
        booking_id: r.try_get("booking_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        topics: serde_json::from_str(&topics).map_err(|e| decode("topics", e))?,
        start: instant(r.try_get("starts_at")?)?,
        end: instant(r.try_get("ends_at")?)?,
        capacity: r.try_get("capacity")?,
        visibility: EventVisibility::parse(&visibility)
            .ok_or_else(|| decode("visibility", &visibility))?,
        status: EventStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
        organiser_id: r.try_get("organiser_id")?,
        co_organiser_ids: serde_json::from_str(&co).map_err(|e| decode("co_organiser_ids", e))?,
        sequence: r.try_get("sequence")?,
        created_at: instant(r.try_get("created_at")?)?,
        updated_at: instant(r.try_get("updated_at")?)?,
    })
}

fn registration(r: &SqliteRow) -> Result<Registration, sqlx::Error> {
    let status: String = r.try_get("status")?;
    let person: Option<Uuid> = r.try_get("person_id")?;
    let registrant = match person {
        Some(person_id) => Registrant::Person { person_id },
        None => Registrant::External(ExternalParticipant {
            name: r
                .try_get::<Option<String>, _>("external_name")?
                .unwrap_or_default(),
            email: Email::from_stored(
                r.try_get::<Option<String>, _>("external_email")?
                    .unwrap_or_default(),
            ),
            organisation_name: r
                .try_get::<Option<String>, _>("external_organisation")?
                .unwrap_or_default(),
        }),
    };
    Ok(Registration {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        registrant,
        registered_by: r.try_get("registered_by")?,
        invitation_id: r.try_get("invitation_id")?,
        status: RegistrationStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
        position: r.try_get("position")?,
        created_at: instant(r.try_get("created_at")?)?,
        cancelled_at: opt_instant(r.try_get("cancelled_at")?)?,
        attended: r.try_get("attended")?,
    })
}

fn invitation(r: &SqliteRow) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        email: Email::from_stored(r.try_get("email")?),
        token_hash: r.try_get("token_hash")?,
        invited_by: r.try_get("invited_by")?,
        created_at: instant(r.try_get("created_at")?)?,
        used_at: opt_instant(r.try_get("used_at")?)?,
        registration_id: r.try_get("registration_id")?,
    })
}

// ---------------------------------------------------------------- events

async fn load_event(conn: &mut SqliteConnection, id: Uuid) -> StoreResult<Event> {
    sqlx::query("SELECT * FROM events WHERE id = ?")
        .bind(id)
        .one(conn, event)
        .await
}

pub(crate) async fn get_event(pool: &SqlitePool, id: Uuid) -> StoreResult<Event> {
    sqlx::query("SELECT * FROM events WHERE id = ?")
        .bind(id)
        .one(pool, event)
        .await
}

/// The booking an event in a room must come with.
fn check_booking(e: &Event, b: Option<&Booking>) -> StoreResult<Booking> {
    match (e.venue.room_id(), b) {
        (Some(room), Some(b)) if b.room_id == room => Ok(b.clone()),
        _ => Err(StoreError::Reference("room_booking".into())),
    }
}

pub(crate) async fn insert_event(
    conn: &mut SqliteConnection,
    e: &Event,
    room_booking: Option<&Booking>,
) -> StoreResult<Event> {
    let mut e = e.clone();
    e.booking_id = None;
    if e.venue.room_id().is_some() {
        let b = check_booking(&e, room_booking)?;
        // Refuses an overlap (`booking_conflict`); the writer then rolls
        // the whole job back.
        insert_bookings(conn, std::slice::from_ref(&b), &[]).await?;
        e.booking_id = Some(b.id);
    }
    let written = sqlx::query(
        "INSERT INTO events (id, hub_id, venue, room_id, zone_id, booking_id, title, description, \
         topics, topic_keys, starts_at, ends_at, capacity, visibility, status, organiser_id, \
         co_organiser_ids, sequence, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.id)
    .bind(e.hub_id)
    .bind(e.venue.key())
    .bind(e.venue.room_id())
    .bind(e.venue.zone_id())
    .bind(e.booking_id)
    .bind(&e.title)
    .bind(&e.description)
    .bind(json(strings(&e.topics))?)
    .bind(json(strings(&topic_keys(&e.topics)))?)
    .bind(secs(e.start))
    .bind(secs(e.end))
    .bind(e.capacity)
    .bind(e.visibility.key())
    .bind(e.status.key())
    .bind(e.organiser_id)
    .bind(json(ids(&e.co_organiser_ids))?)
    .bind(e.sequence)
    .bind(secs(e.created_at))
    .bind(secs(e.updated_at))
    .execute(&mut *conn)
    .await;
    if let Err(err) = written {
        if let sqlx::Error::Database(d) = &err {
            if d.is_foreign_key_violation() {
                must_exist(conn, "hubs", e.hub_id, "hub_id").await?;
                if let Some(room) = e.venue.room_id() {
                    must_exist(conn, "rooms", room, "room_id").await?;
                }
                if let Some(zone) = e.venue.zone_id() {
                    must_exist(conn, "zones", zone, "zone_id").await?;
                }
                must_exist(conn, "people", e.organiser_id, "organiser_id").await?;
            }
        }
        return Err(write_err(err));
    }
    Ok(e)
}

/// Places taken, people waiting, and the highest arrival position.
async fn counts(conn: &mut SqliteConnection, event_id: Uuid) -> StoreResult<(i64, i64, i64)> {
    let r = sqlx::query(
        "SELECT COALESCE(SUM(status = 'confirmed'), 0) AS confirmed, \
         COALESCE(SUM(status = 'waitlisted'), 0) AS waitlisted, \
         COALESCE(MAX(position), 0) AS last FROM event_registrations WHERE event_id = ?",
    )
    .bind(event_id)
    .fetch_one(conn)
    .await
    .map_err(db)?;
    (|| -> Result<_, sqlx::Error> {
        Ok((
            r.try_get("confirmed")?,
            r.try_get("waitlisted")?,
            r.try_get("last")?,
        ))
    })()
    .map_err(db)
}

/// A copy of `template` to `to`, with an id of its own.
async fn send_copy(
    conn: &mut SqliteConnection,
    template: &OutgoingEmail,
    to: &str,
) -> StoreResult<()> {
    let mut e = template.clone();
    e.id = thirdplace_domain::new_id();
    e.to_address = to.to_string();
    insert_email(conn, &e).await
}

/// The addresses of the given registrations, in their order.
async fn address_of(conn: &mut SqliteConnection, r: &Registration) -> StoreResult<String> {
    match &r.registrant {
        Registrant::External(x) => Ok(x.email.to_string()),
        Registrant::Person { person_id } => {
            sqlx::query_scalar("SELECT email FROM people WHERE id = ?")
                .bind(person_id)
                .value(conn)
                .await
        }
    }
}

/// Gives the free places (capacity minus confirmed) to the first people
/// waiting, in arrival order, each sent a copy of `template`.
async fn fill_places(
    conn: &mut SqliteConnection,
    event_id: Uuid,
    capacity: i64,
    template: Option<&OutgoingEmail>,
) -> StoreResult<Vec<Registration>> {
    let (confirmed, waitlisted, _) = counts(conn, event_id).await?;
    let free = capacity - confirmed;
    if free <= 0 || waitlisted == 0 {
        return Ok(Vec::new());
    }
    let mut promoted = sqlx::query(
        "UPDATE event_registrations SET status = 'confirmed' WHERE id IN (\
         SELECT id FROM event_registrations WHERE event_id = ? AND status = 'waitlisted' \
         ORDER BY position LIMIT ?) RETURNING *",
    )
    .bind(event_id)
    .bind(free)
    .all(&mut *conn, registration)
    .await?;
    promoted.sort_by_key(|r| r.position);
    if let Some(t) = template {
        for p in &promoted {
            let to = address_of(conn, p).await?;
            send_copy(conn, t, &to).await?;
        }
    }
    Ok(promoted)
}

/// A copy of `template` to everyone holding an active registration.
async fn notify_active(
    conn: &mut SqliteConnection,
    event_id: Uuid,
    template: &OutgoingEmail,
) -> StoreResult<()> {
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(p.email, r.external_email) FROM event_registrations r \
         LEFT JOIN people p ON p.id = r.person_id \
         WHERE r.event_id = ? AND r.status <> 'cancelled' ORDER BY r.position",
    )
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    for a in to {
        send_copy(conn, template, &a).await?;
    }
    Ok(())
}

async fn cancel_room_booking(
    conn: &mut SqliteConnection,
    booking_id: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
    reason: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?, \
         cancel_reason = ?, cancellation_charged = 0 WHERE id = ? AND status = 'confirmed'",
    )
    .bind(secs(at))
    .bind(by)
    .bind(reason)
    .bind(booking_id)
    .execute(conn)
    .await
    .map_err(booking_write_err)?;
    Ok(())
}

pub(crate) async fn update_event(
    conn: &mut SqliteConnection,
    e: &Event,
    room_booking: Option<&Booking>,
    notices: &EventNotices,
) -> StoreResult<EventChange> {
    let old = load_event(conn, e.id).await?;
    if old.status == EventStatus::Cancelled || e.status == EventStatus::Cancelled {
        return Err(refused(EventRefusal::EventCancelled));
    }
    let (confirmed, _, _) = counts(conn, e.id).await?;
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
        (Some(b), Some(room)) => {
            // The booking's triggers refuse a move onto a taken time.
            sqlx::query(
                "UPDATE bookings SET room_id = ?, starts_at = ?, ends_at = ?, title = ?, \
                 usage_month = ? WHERE id = ?",
            )
            .bind(room)
            .bind(secs(new.start))
            .bind(secs(new.end))
            .bind(new.title.chars().take(MAX_TITLE_CHARS).collect::<String>())
            .bind(usage_month(new.start))
            .bind(b)
            .execute(&mut *conn)
            .await
            .map_err(booking_write_err)?;
        }
        (Some(b), None) => {
            cancel_room_booking(conn, b, new.updated_at, new.organiser_id, "event moved").await?;
            new.booking_id = None;
        }
        (None, Some(_)) => {
            let b = check_booking(&new, room_booking)?;
            insert_bookings(conn, std::slice::from_ref(&b), &[]).await?;
            new.booking_id = Some(b.id);
        }
        (None, None) => {}
    }
    sqlx::query(
        "UPDATE events SET hub_id = ?, venue = ?, room_id = ?, zone_id = ?, booking_id = ?, \
         title = ?, description = ?, topics = ?, topic_keys = ?, starts_at = ?, ends_at = ?, \
         capacity = ?, visibility = ?, status = ?, organiser_id = ?, co_organiser_ids = ?, \
         sequence = ?, updated_at = ?, \
         reminded_at = CASE WHEN ? THEN NULL ELSE reminded_at END WHERE id = ?",
    )
    .bind(new.hub_id)
    .bind(new.venue.key())
    .bind(new.venue.room_id())
    .bind(new.venue.zone_id())
    .bind(new.booking_id)
    .bind(&new.title)
    .bind(&new.description)
    .bind(json(strings(&new.topics))?)
    .bind(json(strings(&topic_keys(&new.topics)))?)
    .bind(secs(new.start))
    .bind(secs(new.end))
    .bind(new.capacity)
    .bind(new.visibility.key())
    .bind(new.status.key())
    .bind(new.organiser_id)
    .bind(json(ids(&new.co_organiser_ids))?)
    .bind(new.sequence)
    .bind(secs(new.updated_at))
    // A moved event is reminded of again.
    .bind(new.start != old.start)
    .bind(new.id)
    .execute(&mut *conn)
    .await
    .map_err(write_err)?;
    if let Some(t) = &notices.changed {
        notify_active(conn, new.id, t).await?;
    }
    let promoted = fill_places(conn, new.id, new.capacity, notices.promoted.as_ref()).await?;
    Ok(EventChange {
        event: new,
        promoted,
    })
}

pub(crate) async fn cancel_event(
    conn: &mut SqliteConnection,
    id: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
    notice: Option<&OutgoingEmail>,
) -> StoreResult<Event> {
    let old = load_event(conn, id).await?;
    if old.status == EventStatus::Cancelled {
        return Err(refused(EventRefusal::EventCancelled));
    }
    if let Some(b) = old.booking_id {
        cancel_room_booking(conn, b, at, by, "event cancelled").await?;
    }
    let e = sqlx::query(
        "UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = ? \
         WHERE id = ? RETURNING *",
    )
    .bind(secs(at))
    .bind(id)
    .one(&mut *conn, event)
    .await?;
    if let Some(t) = notice {
        notify_active(conn, id, t).await?;
    }
    Ok(e)
}

fn listing(r: &SqliteRow) -> Result<EventListing, sqlx::Error> {
    sql::event_listing(r, event(r)?)
}

/// Adds ` AND column IN (…)` with `values` bound; `false` when there are
/// none, so that nothing can match.
fn push_in<'a, T>(
    q: &mut QueryBuilder<'a, Sqlite>,
    column: &str,
    values: impl IntoIterator<Item = T>,
) -> bool
where
    T: 'a + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite>,
{
    let mut values = values.into_iter().peekable();
    if values.peek().is_none() {
        return false;
    }
    q.push(" AND ").push(column).push(" IN (");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    q.push(")");
    true
}

pub(crate) async fn list_events(
    conn: &mut SqliteConnection,
    f: &EventFilter,
) -> StoreResult<Vec<EventListing>> {
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT e.*, h.name AS hub_name, COALESCE(r.name, z.name) AS place_name, {} \
         FROM events e JOIN hubs h ON h.id = e.hub_id \
         LEFT JOIN rooms r ON r.id = e.room_id LEFT JOIN zones z ON z.id = e.zone_id \
         WHERE 1 = 1",
        if f.without_counts {
            "0 AS confirmed, 0 AS waitlisted"
        } else {
            "(SELECT COUNT(*) FROM event_registrations x WHERE x.event_id = e.id \
              AND x.status = 'confirmed') AS confirmed, \
             (SELECT COUNT(*) FROM event_registrations x WHERE x.event_id = e.id \
              AND x.status = 'waitlisted') AS waitlisted"
        }
    ));
    if let Some(from) = f.from {
        q.push(" AND e.ends_at > ").push_bind(secs(from));
    }
    if let Some(to) = f.to {
        q.push(" AND e.starts_at < ").push_bind(secs(to));
    }
    if let Some(hubs) = &f.hub_ids {
        if !push_in(&mut q, "e.hub_id", hubs.iter().copied()) {
            return Ok(Vec::new());
        }
    }
    if let Some(ids) = &f.ids {
        if !push_in(&mut q, "e.id", ids.iter().copied()) {
            return Ok(Vec::new());
        }
    }
    if let Some(topic) = &f.topic {
        q.push(" AND EXISTS (SELECT 1 FROM json_each(e.topic_keys) j WHERE j.value = ")
            .push_bind(topic.trim().to_lowercase())
            .push(")");
    }
    if let Some(vs) = &f.visibilities {
        if !push_in(&mut q, "e.visibility", vs.iter().map(|v| v.key())) {
            return Ok(Vec::new());
        }
    }
    if let Some(ss) = &f.statuses {
        if !push_in(&mut q, "e.status", ss.iter().map(|s| s.key())) {
            return Ok(Vec::new());
        }
    }
    if let Some(p) = f.involving {
        q.push(" AND (e.organiser_id = ")
            .push_bind(p)
            .push(" OR EXISTS (SELECT 1 FROM json_each(e.co_organiser_ids) j WHERE j.value = ")
            .push_bind(p.to_string())
            .push(") OR EXISTS (SELECT 1 FROM event_registrations x WHERE x.event_id = e.id ")
            .push("AND x.status <> 'cancelled' AND x.person_id = ")
            .push_bind(p)
            .push("))");
    }
    if let Some((start, id)) = f.after {
        push_keyset_after(
            &mut q,
            "e.starts_at",
            Towards::Greater,
            "e.id",
            Towards::Greater,
            secs(start),
            id,
        );
    }
    q.push(" ORDER BY e.starts_at, e.id LIMIT ")
        .push_bind(f.limit.max(0));
    let r = q.build().fetch_all(&mut *conn).await.map_err(db)?;
    rows(&r, listing)
}

/// See [`thirdplace_store::Store::calendar_feed_changes`].
pub(crate) async fn calendar_feed_changes(
    conn: &mut SqliteConnection,
    after: i64,
    upto: i64,
) -> StoreResult<Option<Vec<Uuid>>> {
    if upto - after > thirdplace_store::KEPT_FEED_CHANGES {
        return Ok(None);
    }
    let rows: Vec<(i64, Option<Uuid>)> = sqlx::query_as(
        "SELECT feed_version, event_id FROM calendar_changes \
         WHERE feed_version > ? AND feed_version <= ? ORDER BY feed_version",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(conn)
    .await
    .map_err(db)?;
    Ok(thirdplace_store::feed_changes(after, upto, rows))
}

/// The pages' version, or with `feed` the feeds' (see the migration).
pub(crate) async fn calendar_version(conn: &mut SqliteConnection, feed: bool) -> StoreResult<i64> {
    sqlx::query_scalar(if feed {
        "SELECT feed_version FROM calendar_version WHERE id = 1"
    } else {
        "SELECT version FROM calendar_version WHERE id = 1"
    })
    .value(conn)
    .await
}

// --------------------------------------------------------- registrations

/// Registers inside the writer's transaction: the event's state, the
/// double sign-up check, the count and the position are all read with the
/// write lock held.
async fn register_in(
    conn: &mut SqliteConnection,
    r: &Registration,
    now: DateTime<Utc>,
    invitation_id: Option<Uuid>,
) -> StoreResult<Registration> {
    let e = load_event(conn, r.event_id).await?;
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
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM event_registrations WHERE event_id = ? AND status <> 'cancelled' \
         AND (person_id = ? OR external_email = ?)",
    )
    .bind(e.id)
    .bind(person)
    .bind(external.map(|x| x.email.as_str()))
    .optional_value(&mut *conn)
    .await?;
    if taken.is_some() {
        return Err(refused(EventRefusal::AlreadyRegistered));
    }
    let (confirmed, waitlisted, last) = counts(conn, e.id).await?;
    let mut out = r.clone();
    out.status = decide_status(e.capacity, confirmed, waitlisted);
    out.position = last + 1;
    out.invitation_id = invitation_id;
    out.cancelled_at = None;
    let written = sqlx::query(
        "INSERT INTO event_registrations (id, event_id, position, person_id, external_name, \
         external_email, external_organisation, registered_by, invitation_id, status, \
         created_at, cancelled_at, attended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
    )
    .bind(out.id)
    .bind(out.event_id)
    .bind(out.position)
    .bind(person)
    .bind(external.map(|x| x.name.as_str()))
    .bind(external.map(|x| x.email.as_str()))
    .bind(external.map(|x| x.organisation_name.as_str()))
    .bind(out.registered_by)
    .bind(out.invitation_id)
    .bind(out.status.key())
    .bind(secs(out.created_at))
    .bind(out.attended)
    .execute(&mut *conn)
    .await;
    if let Err(err) = written {
        if let sqlx::Error::Database(d) = &err {
            if d.message().contains("event_registrations.person_id")
                || d.message().contains("event_registrations.external_email")
            {
                return Err(refused(EventRefusal::AlreadyRegistered));
            }
            if d.is_foreign_key_violation() {
                if let Some(p) = person {
                    must_exist(conn, "people", p, "person_id").await?;
                }
                if let Some(p) = out.registered_by {
                    must_exist(conn, "people", p, "registered_by").await?;
                }
            }
        }
        return Err(write_err(err));
    }
    Ok(out)
}

pub(crate) async fn register(
    conn: &mut SqliteConnection,
    r: &Registration,
    now: DateTime<Utc>,
) -> StoreResult<Registration> {
    register_in(conn, r, now, None).await
}

pub(crate) async fn get_registration(pool: &SqlitePool, id: Uuid) -> StoreResult<Registration> {
    sqlx::query("SELECT * FROM event_registrations WHERE id = ?")
        .bind(id)
        .one(pool, registration)
        .await
}

pub(crate) async fn list_registrations(
    pool: &SqlitePool,
    event_id: Uuid,
    after: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<RegistrationView>> {
    let r = sqlx::query(
        "SELECT r.*, p.first_name, p.last_name, p.email AS person_email, \
         o.name AS organisation_name FROM event_registrations r \
         LEFT JOIN people p ON p.id = r.person_id \
         LEFT JOIN organisations o ON o.id = p.organisation_id \
         WHERE r.event_id = ? AND r.position > ? ORDER BY r.position LIMIT ?",
    )
    .bind(event_id)
    .bind(after.unwrap_or(i64::MIN))
    .bind(limit.max(0))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows(&r, |r| {
        let reg = registration(r)?;
        let (name, email, org) = match &reg.registrant {
            Registrant::Person { .. } => {
                let first: String = r.try_get("first_name")?;
                let last: String = r.try_get("last_name")?;
                (
                    format!("{first} {last}"),
                    r.try_get("person_email")?,
                    r.try_get("organisation_name")?,
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
    })
}

pub(crate) async fn cancel_registration(
    conn: &mut SqliteConnection,
    id: Uuid,
    at: DateTime<Utc>,
    promotion: Option<&OutgoingEmail>,
) -> StoreResult<RegistrationCancelled> {
    let r = sqlx::query(
        "UPDATE event_registrations SET status = 'cancelled', cancelled_at = ? \
         WHERE id = ? AND status <> 'cancelled' RETURNING *",
    )
    .bind(secs(at))
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let Some(reg) = rows(&r, registration)?.into_iter().next() else {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM event_registrations WHERE id = ?")
                .bind(id)
                .optional_value(&mut *conn)
                .await?;
        return Err(match found {
            Some(_) => refused(EventRefusal::AlreadyCancelled),
            None => StoreError::NotFound,
        });
    };
    let e = load_event(conn, reg.event_id).await?;
    let promoted = if e.status == EventStatus::Published && !e.has_started(at) {
        fill_places(conn, e.id, e.capacity, promotion).await?
    } else {
        Vec::new()
    };
    Ok(RegistrationCancelled {
        registration: reg,
        promoted,
    })
}

pub(crate) async fn set_attended(
    conn: &mut SqliteConnection,
    id: Uuid,
    attended: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE event_registrations SET attended = ? WHERE id = ?")
        .bind(attended)
        .bind(id)
        .write_one(conn, db)
        .await
}

// ----------------------------------------------------------- invitations

pub(crate) async fn insert_invitation(
    conn: &mut SqliteConnection,
    i: &Invitation,
) -> StoreResult<()> {
    let written = sqlx::query(
        "INSERT INTO event_invitations (id, event_id, email, token_hash, invited_by, created_at, \
         used_at, registration_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(i.id)
    .bind(i.event_id)
    .bind(i.email.as_str())
    .bind(&i.token_hash)
    .bind(i.invited_by)
    .bind(secs(i.created_at))
    .bind(i.used_at.map(secs))
    .bind(i.registration_id)
    .execute(&mut *conn)
    .await;
    if let Err(err) = written {
        if let sqlx::Error::Database(d) = &err {
            if d.is_foreign_key_violation() {
                must_exist(conn, "events", i.event_id, "event_id").await?;
                must_exist(conn, "people", i.invited_by, "invited_by").await?;
            }
        }
        return Err(write_err(err));
    }
    Ok(())
}

pub(crate) async fn invitation_by_token(
    pool: &SqlitePool,
    token_hash: &str,
) -> StoreResult<Invitation> {
    sqlx::query("SELECT * FROM event_invitations WHERE token_hash = ?")
        .bind(token_hash)
        .one(pool, invitation)
        .await
}

pub(crate) async fn list_invitations(
    pool: &SqlitePool,
    event_id: Uuid,
) -> StoreResult<Vec<Invitation>> {
    sqlx::query("SELECT * FROM event_invitations WHERE event_id = ? ORDER BY created_at, id")
        .bind(event_id)
        .all(pool, invitation)
        .await
}

pub(crate) async fn redeem_invitation(
    conn: &mut SqliteConnection,
    token_hash: &str,
    r: &Registration,
    now: DateTime<Utc>,
) -> StoreResult<Registration> {
    let used = sqlx::query(
        "UPDATE event_invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL \
         RETURNING id, event_id",
    )
    .bind(secs(now))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some(used) = used else {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM event_invitations WHERE token_hash = ?")
                .bind(token_hash)
                .optional_value(&mut *conn)
                .await?;
        return Err(refused(if known.is_some() {
            EventRefusal::InvitationUsed
        } else {
            EventRefusal::InvitationInvalid
        }));
    };
    let invitation_id: Uuid = used.try_get("id").map_err(db)?;
    let mut reg = r.clone();
    reg.event_id = used.try_get("event_id").map_err(db)?;
    // A refused registration fails the job: the writer rolls back the
    // invitation's use too.
    let reg = register_in(conn, &reg, now, Some(invitation_id)).await?;
    sqlx::query("UPDATE event_invitations SET registration_id = ? WHERE id = ?")
        .bind(reg.id)
        .bind(invitation_id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(reg)
}

pub(crate) async fn registration_of(
    pool: &SqlitePool,
    event_id: Uuid,
    person_id: Uuid,
) -> StoreResult<Option<Registration>> {
    sqlx::query(
        "SELECT * FROM event_registrations WHERE event_id = ? AND person_id = ? \
         AND status <> 'cancelled'",
    )
    .bind(event_id)
    .bind(person_id)
    .optional(pool, registration)
    .await
}

// ------------------------------------------------------------- reminders

pub(crate) async fn events_due_for_reminder(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    ahead: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<Event>> {
    sqlx::query(
        "SELECT * FROM events WHERE status = 'published' AND reminded_at IS NULL \
         AND starts_at > ? AND starts_at <= ? ORDER BY starts_at, id LIMIT ?",
    )
    .bind(secs(now))
    .bind(secs(now + ahead))
    .bind(limit.max(0))
    .all(pool, event)
    .await
}

pub(crate) async fn send_event_reminder(
    conn: &mut SqliteConnection,
    event_id: Uuid,
    at: DateTime<Utc>,
    template: &OutgoingEmail,
) -> StoreResult<i64> {
    // Of two processes sending at once, the second finds it sent.
    let marked: Option<i64> = sqlx::query_scalar(
        "UPDATE events SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL \
         RETURNING 1",
    )
    .bind(secs(at))
    .bind(event_id)
    .optional_value(&mut *conn)
    .await?;
    if marked.is_none() {
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM events WHERE id = ?")
            .bind(event_id)
            .optional_value(&mut *conn)
            .await?;
        return Err(match known {
            Some(_) => StoreError::Refused(Refusal::ReminderSent),
            None => StoreError::NotFound,
        });
    }
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(p.email, r.external_email) FROM event_registrations r \
         LEFT JOIN people p ON p.id = r.person_id \
         WHERE r.event_id = ? AND r.status = 'confirmed' ORDER BY r.position",
    )
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    for a in &to {
        send_copy(conn, template, a).await?;
    }
    Ok(to.len() as i64)
}

// --------------------------------------------------------------- summary

pub(crate) async fn event_summary(pool: &SqlitePool, event_id: Uuid) -> StoreResult<EventSummary> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM events WHERE id = ?")
        .bind(event_id)
        .optional_value(pool)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    let r = sqlx::query(
        "SELECT r.status, r.attended, r.person_id, p.organisation_id, r.external_organisation \
         FROM event_registrations r LEFT JOIN people p ON p.id = r.person_id \
         WHERE r.event_id = ?",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let rows = rows(&r, |r| {
        let status: String = r.try_get("status")?;
        let person: Option<Uuid> = r.try_get("person_id")?;
        let org: Option<Uuid> = r.try_get("organisation_id")?;
        let external_org: Option<String> = r.try_get("external_organisation")?;
        Ok(SummaryRow {
            status: RegistrationStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
            attended: r.try_get("attended")?,
            organisation: match person {
                Some(_) => org.map(|o| o.to_string()),
                None => external_org.map(|o| organisation_key(&o)),
            },
            external: person.is_none(),
        })
    })?;
    Ok(summarise(&rows))
}

#[async_trait]
impl EventStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event> {
        let (e, b) = (e.clone(), room_booking.cloned());
        write!(self, |conn| insert_event(conn, &e, b.as_ref()).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_event(&self, id: Uuid) -> StoreResult<Event> {
        get_event(&self.pool, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_event(
        &self,
        e: &Event,
        room_booking: Option<&Booking>,
        notices: &EventNotices,
    ) -> StoreResult<EventChange> {
        let (e, b, n) = (e.clone(), room_booking.cloned(), notices.clone());
        write!(self, |conn| update_event(conn, &e, b.as_ref(), &n).await)
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
        write!(self, |conn| cancel_event(conn, id, at, by, notice.as_ref())
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_events(&self, f: &EventFilter) -> StoreResult<Vec<EventListing>> {
        // A kept read connection: a feed brought up to date after a change
        // lists one event, and sqlx's pool sometimes took 30 ms to hand
        // over a connection for it.
        list_events(&mut *self.readers.get().await, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_version(&self) -> StoreResult<i64> {
        let mut conn = self.readers.get().await;
        calendar_version(&mut conn, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_version(&self) -> StoreResult<i64> {
        let mut conn = self.readers.get().await;
        calendar_version(&mut conn, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_changes(&self, after: i64, upto: i64) -> StoreResult<Option<Vec<Uuid>>> {
        let mut conn = self.readers.get().await;
        calendar_feed_changes(&mut conn, after, upto).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration> {
        let r = r.clone();
        write!(self, |conn| register(conn, &r, now).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_registration(&self, id: Uuid) -> StoreResult<Registration> {
        get_registration(&self.pool, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_registrations_after(
        &self,
        event_id: Uuid,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<RegistrationView>> {
        list_registrations(&self.pool, event_id, after, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn registration_of(
        &self,
        event_id: Uuid,
        person_id: Uuid,
    ) -> StoreResult<Option<Registration>> {
        registration_of(&self.pool, event_id, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_registration(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        let promotion = promotion.cloned();
        write!(self, |conn| cancel_registration(
            conn,
            id,
            at,
            promotion.as_ref()
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_attended(&self, registration_id: Uuid, attended: bool) -> StoreResult<()> {
        write!(self, |conn| set_attended(conn, registration_id, attended)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_invitations(&self, sent: &[(Invitation, OutgoingEmail)]) -> StoreResult<()> {
        let sent = sent.to_vec();
        write!(self, |conn| {
            for (i, mail) in &sent {
                insert_invitation(conn, i).await?;
                outbox::insert_email(conn, mail).await?;
            }
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Invitation> {
        invitation_by_token(&self.pool, token_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_invitations(&self, event_id: Uuid) -> StoreResult<Vec<Invitation>> {
        list_invitations(&self.pool, event_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn redeem_invitation(
        &self,
        token_hash: &str,
        r: &Registration,
        now: DateTime<Utc>,
    ) -> StoreResult<Registration> {
        let (token_hash, r) = (token_hash.to_string(), r.clone());
        write!(self, |conn| redeem_invitation(conn, &token_hash, &r, now)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn events_due_for_reminder(
        &self,
        now: DateTime<Utc>,
        ahead: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Event>> {
        events_due_for_reminder(&self.pool, now, ahead, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn send_event_reminder(
        &self,
        event_id: Uuid,
        at: DateTime<Utc>,
        template: &OutgoingEmail,
    ) -> StoreResult<i64> {
        let template = template.clone();
        write!(self, |conn| send_event_reminder(
            conn, event_id, at, &template
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary> {
        event_summary(&self.pool, event_id).await
    }
}
