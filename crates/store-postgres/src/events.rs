//! Events in PostgreSQL: the events with their room bookings,
//! registrations with the capacity rule and the waiting list, invitations
//! and the attendance summary: `impl EventStore`, with the steps its
//! transactions share as functions over a connection.
//!
//! Sign-ups for one event are decided one at a time, also across processes:
//! every transaction that changes who holds a place (sign-up, cancellation,
//! an event change, redeeming an invitation) first locks the event's row
//! (`FOR UPDATE`), then counts the places taken and gives the next arrival
//! position. A second transaction waits for the first to commit and then
//! sees its registration. An invitation is used by an `UPDATE … WHERE
//! used_at IS NULL`, so of two concurrent redemptions the second finds it
//! used. The room booking's overlap rule is the exclusion constraint of
//! migration 0003.

use crate::bookings::{booking_write_err, insert_booking, lock_rooms};
use crate::outbox::{self, insert_email};
use crate::rows;
use crate::WriteOne;
use crate::{db, decode, write_err, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use thirdplace_domain::booking::{usage_month, Booking, MAX_TITLE_CHARS};
use thirdplace_domain::event::{
    decide_status, organisation_key, summarise, Event, EventRefusal, EventStatus, EventSummary,
    EventVisibility, ExternalParticipant, Invitation, Registrant, Registration, RegistrationStatus,
    SummaryRow, Venue,
};
use thirdplace_domain::Email;
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{
    sql, EventChange, EventFilter, EventListing, EventNotices, EventStore, OutgoingEmail, Refusal,
    RegistrationCancelled, RegistrationView, StoreError, StoreResult,
};
use uuid::Uuid;

/// An event rule's refusal as the store's error.
fn refused(r: EventRefusal) -> StoreError {
    StoreError::Refused(Refusal::Event(r))
}

fn topic_keys(topics: &[String]) -> Vec<String> {
    topics.iter().map(|t| t.to_lowercase()).collect()
}

/// A registration write's error: the partial unique indexes say "already
/// registered".
fn registration_write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if matches!(
            d.constraint(),
            Some("event_registrations_one_person" | "event_registrations_one_external")
        ) {
            return refused(EventRefusal::AlreadyRegistered);
        }
    }
    write_err(e)
}

// ------------------------------------------------------------------ rows

fn event(r: &PgRow) -> Result<Event, sqlx::Error> {
    let venue: String = r.try_get("venue")?;
    let visibility: String = r.try_get("visibility")?;
    let status: String = r.try_get("status")?;
    Ok(Event {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        venue: Venue::from_parts(&venue, r.try_get("room_id")?, r.try_get("zone_id")?)
            .ok_or_else(|| decode("venue", &venue))?,
        booking_id: r.try_get("booking_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        topics: r.try_get("topics")?,
        start: r.try_get("starts_at")?,
        end: r.try_get("ends_at")?,
        capacity: r.try_get("capacity")?,
        visibility: EventVisibility::parse(&visibility)
            .ok_or_else(|| decode("visibility", &visibility))?,
        status: EventStatus::parse(&status).ok_or_else(|| decode("status", &status))?,
        organiser_id: r.try_get("organiser_id")?,
        co_organiser_ids: r.try_get("co_organiser_ids")?,
        sequence: r.try_get("sequence")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn registration(r: &PgRow) -> Result<Registration, sqlx::Error> {
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
        created_at: r.try_get("created_at")?,
        cancelled_at: r.try_get("cancelled_at")?,
        attended: r.try_get("attended")?,
    })
}

fn invitation(r: &PgRow) -> Result<Invitation, sqlx::Error> {
    Ok(Invitation {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        email: Email::from_stored(r.try_get("email")?),
        token_hash: r.try_get("token_hash")?,
        invited_by: r.try_get("invited_by")?,
        created_at: r.try_get("created_at")?,
        used_at: r.try_get("used_at")?,
        registration_id: r.try_get("registration_id")?,
    })
}

// ---------------------------------------------------------------- events

/// The event, its row locked until the transaction ends: changes to who
/// holds a place in it wait for each other here.
async fn lock_event(conn: &mut PgConnection, id: Uuid) -> StoreResult<Event> {
    sqlx::query("SELECT * FROM events WHERE id = $1 FOR UPDATE")
        .bind(id)
        .one(conn, event)
        .await
}

/// The booking an event in a room must come with.
fn check_booking(e: &Event, b: Option<&Booking>) -> StoreResult<Booking> {
    match (e.venue.room_id(), b) {
        (Some(room), Some(b)) if b.room_id == room => Ok(b.clone()),
        _ => Err(StoreError::Reference("room_booking".into())),
    }
}

/// Places taken, people waiting, and the highest arrival position.
async fn counts(conn: &mut PgConnection, event_id: Uuid) -> StoreResult<(i64, i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE status = 'confirmed') AS confirmed, \
         COUNT(*) FILTER (WHERE status = 'waitlisted') AS waitlisted, \
         COALESCE(MAX(position), 0)::BIGINT AS last FROM event_registrations WHERE event_id = $1",
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
async fn send_copy(conn: &mut PgConnection, template: &OutgoingEmail, to: &str) -> StoreResult<()> {
    let mut e = template.clone();
    e.id = thirdplace_domain::new_id();
    e.to_address = to.to_string();
    insert_email(conn, &e).await
}

async fn address_of(conn: &mut PgConnection, r: &Registration) -> StoreResult<String> {
    match &r.registrant {
        Registrant::External(x) => Ok(x.email.to_string()),
        Registrant::Person { person_id } => {
            sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
                .bind(person_id)
                .value(conn)
                .await
        }
    }
}

/// Gives the free places (capacity minus confirmed) to the first people
/// waiting, in arrival order, each sent a copy of `template`. The caller
/// holds the event's row lock.
async fn fill_places(
    conn: &mut PgConnection,
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
         SELECT id FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted' \
         ORDER BY position LIMIT $2) RETURNING *",
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
    conn: &mut PgConnection,
    event_id: Uuid,
    template: &OutgoingEmail,
) -> StoreResult<()> {
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(p.email, r.external_email) FROM event_registrations r \
         LEFT JOIN people p ON p.id = r.person_id \
         WHERE r.event_id = $1 AND r.status <> 'cancelled' ORDER BY r.position",
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
    conn: &mut PgConnection,
    booking_id: Uuid,
    at: DateTime<Utc>,
    by: Uuid,
    reason: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = $1, cancelled_by = $2, \
         cancel_reason = $3, cancellation_charged = FALSE WHERE id = $4 AND status = 'confirmed'",
    )
    .bind(at)
    .bind(by)
    .bind(reason)
    .bind(booking_id)
    .execute(conn)
    .await
    .map_err(booking_write_err)?;
    Ok(())
}

fn listing(r: &PgRow) -> Result<EventListing, sqlx::Error> {
    sql::event_listing(r, event(r)?)
}

/// See [`thirdplace_store::Store::calendar_feed_changes`].
pub(crate) async fn calendar_feed_changes(
    pool: &PgPool,
    after: i64,
    upto: i64,
) -> StoreResult<Option<Vec<Uuid>>> {
    if upto - after > thirdplace_store::KEPT_FEED_CHANGES {
        return Ok(None);
    }
    let rows: Vec<(i64, Option<Uuid>)> = sqlx::query_as(
        "SELECT feed_version, event_id FROM calendar_changes \
         WHERE feed_version > $1 AND feed_version <= $2 ORDER BY feed_version",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(thirdplace_store::feed_changes(after, upto, rows))
}

/// The pages' version, or with `feed` the feeds' (see the migration).
pub(crate) async fn calendar_version(pool: &PgPool, feed: bool) -> StoreResult<i64> {
    sqlx::query_scalar(if feed {
        "SELECT feed_version FROM calendar_version WHERE id = 1"
    } else {
        "SELECT version FROM calendar_version WHERE id = 1"
    })
    .value(pool)
    .await
}

// --------------------------------------------------------- registrations

/// Registers in the caller's transaction, with the event's row locked: the
/// double sign-up check, the count and the position see every sign-up
/// committed before, and none can commit in between.
async fn register_in(
    conn: &mut PgConnection,
    r: &Registration,
    now: DateTime<Utc>,
    invitation_id: Option<Uuid>,
) -> StoreResult<Registration> {
    let e = lock_event(conn, r.event_id).await?;
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
    let taken: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM event_registrations WHERE event_id = $1 AND status <> 'cancelled' \
         AND (person_id = $2 OR external_email = $3)",
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
    sqlx::query(
        "INSERT INTO event_registrations (id, event_id, position, person_id, external_name, \
         external_email, external_organisation, registered_by, invitation_id, status, \
         created_at, cancelled_at, attended) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)",
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
    .bind(out.created_at)
    .bind(out.attended)
    .execute(&mut *conn)
    .await
    .map_err(registration_write_err)?;
    Ok(out)
}

fn registration_view(r: &PgRow) -> Result<RegistrationView, sqlx::Error> {
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
}

pub(crate) async fn cancel_registration(
    pool: &PgPool,
    id: Uuid,
    at: DateTime<Utc>,
    promotion: Option<&OutgoingEmail>,
) -> StoreResult<RegistrationCancelled> {
    let mut tx = pool.begin().await.map_err(db)?;
    let c = cancel_registration_in(&mut tx, id, at, promotion).await?;
    tx.commit().await.map_err(db)?;
    Ok(c)
}

/// [`cancel_registration`] inside the caller's transaction.
pub(crate) async fn cancel_registration_in(
    tx: &mut PgConnection,
    id: Uuid,
    at: DateTime<Utc>,
    promotion: Option<&OutgoingEmail>,
) -> StoreResult<RegistrationCancelled> {
    let event_id: Option<Uuid> =
        sqlx::query_scalar("SELECT event_id FROM event_registrations WHERE id = $1")
            .bind(id)
            .optional_value(&mut *tx)
            .await?;
    let event_id = event_id.ok_or(StoreError::NotFound)?;
    // The event first, as every writer of its registrations does.
    let e = lock_event(&mut *tx, event_id).await?;
    let r = sqlx::query(
        "UPDATE event_registrations SET status = 'cancelled', cancelled_at = $1 \
         WHERE id = $2 AND status <> 'cancelled' RETURNING *",
    )
    .bind(at)
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let Some(reg) = rows(&r, registration)?.into_iter().next() else {
        return Err(refused(EventRefusal::AlreadyCancelled));
    };
    let promoted = if e.status == EventStatus::Published && !e.has_started(at) {
        fill_places(&mut *tx, e.id, e.capacity, promotion).await?
    } else {
        Vec::new()
    };
    Ok(RegistrationCancelled {
        registration: reg,
        promoted,
    })
}

// ----------------------------------------------------------- invitations

pub(crate) async fn insert_invitation(conn: &mut PgConnection, i: &Invitation) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO event_invitations (id, event_id, email, token_hash, invited_by, created_at, \
         used_at, registration_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(i.id)
    .bind(i.event_id)
    .bind(i.email.as_str())
    .bind(&i.token_hash)
    .bind(i.invited_by)
    .bind(i.created_at)
    .bind(i.used_at)
    .bind(i.registration_id)
    .execute(&mut *conn)
    .await
    .map_err(write_err)?;
    Ok(())
}

// ------------------------------------------------------------- reminders

// --------------------------------------------------------------- summary

#[async_trait]
impl EventStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event> {
        let mut e = e.clone();
        e.booking_id = None;
        let mut tx = self.pool.begin().await.map_err(db)?;
        if e.venue.room_id().is_some() {
            let b = check_booking(&e, room_booking)?;
            lock_rooms(&mut tx, vec![b.room_id]).await?;
            // Refuses an overlap (`booking_conflict`); dropping the transaction
            // then writes nothing.
            insert_booking(&mut tx, &b).await?;
            e.booking_id = Some(b.id);
        }
        sqlx::query(
            "INSERT INTO events (id, hub_id, venue, room_id, zone_id, booking_id, title, description, \
             topics, topic_keys, starts_at, ends_at, capacity, visibility, status, organiser_id, \
             co_organiser_ids, sequence, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20)",
        )
        .bind(e.id)
        .bind(e.hub_id)
        .bind(e.venue.key())
        .bind(e.venue.room_id())
        .bind(e.venue.zone_id())
        .bind(e.booking_id)
        .bind(&e.title)
        .bind(&e.description)
        .bind(&e.topics)
        .bind(topic_keys(&e.topics))
        .bind(e.start)
        .bind(e.end)
        .bind(e.capacity)
        .bind(e.visibility.key())
        .bind(e.status.key())
        .bind(e.organiser_id)
        .bind(&e.co_organiser_ids)
        .bind(e.sequence)
        .bind(e.created_at)
        .bind(e.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(write_err)?;
        tx.commit().await.map_err(db)?;
        Ok(e)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_event(&self, id: Uuid) -> StoreResult<Event> {
        sqlx::query("SELECT * FROM events WHERE id = $1")
            .bind(id)
            .one(&self.pool, event)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_event(
        &self,
        e: &Event,
        room_booking: Option<&Booking>,
        notices: &EventNotices,
    ) -> StoreResult<EventChange> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let old = lock_event(&mut tx, e.id).await?;
        if old.status == EventStatus::Cancelled || e.status == EventStatus::Cancelled {
            return Err(refused(EventRefusal::EventCancelled));
        }
        let (confirmed, _, _) = counts(&mut tx, e.id).await?;
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
                lock_rooms(&mut tx, vec![room]).await?;
                // The exclusion constraint refuses a move onto a taken time.
                sqlx::query(
                    "UPDATE bookings SET room_id = $1, starts_at = $2, ends_at = $3, title = $4, \
                     usage_month = $5 WHERE id = $6",
                )
                .bind(room)
                .bind(new.start)
                .bind(new.end)
                .bind(new.title.chars().take(MAX_TITLE_CHARS).collect::<String>())
                .bind(usage_month(new.start))
                .bind(b)
                .execute(&mut *tx)
                .await
                .map_err(booking_write_err)?;
            }
            (Some(b), None) => {
                cancel_room_booking(&mut tx, b, new.updated_at, new.organiser_id, "event moved")
                    .await?;
                new.booking_id = None;
            }
            (None, Some(_)) => {
                let b = check_booking(&new, room_booking)?;
                lock_rooms(&mut tx, vec![b.room_id]).await?;
                insert_booking(&mut tx, &b).await?;
                new.booking_id = Some(b.id);
            }
            (None, None) => {}
        }
        sqlx::query(
            "UPDATE events SET hub_id = $1, venue = $2, room_id = $3, zone_id = $4, booking_id = $5, \
             title = $6, description = $7, topics = $8, topic_keys = $9, starts_at = $10, \
             ends_at = $11, capacity = $12, visibility = $13, status = $14, organiser_id = $15, \
             co_organiser_ids = $16, sequence = $17, updated_at = $18, \
             reminded_at = CASE WHEN $20 THEN NULL ELSE reminded_at END WHERE id = $19",
        )
        .bind(new.hub_id)
        .bind(new.venue.key())
        .bind(new.venue.room_id())
        .bind(new.venue.zone_id())
        .bind(new.booking_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.topics)
        .bind(topic_keys(&new.topics))
        .bind(new.start)
        .bind(new.end)
        .bind(new.capacity)
        .bind(new.visibility.key())
        .bind(new.status.key())
        .bind(new.organiser_id)
        .bind(&new.co_organiser_ids)
        .bind(new.sequence)
        .bind(new.updated_at)
        .bind(new.id)
        .bind(new.start != old.start)
        .execute(&mut *tx)
        .await
        .map_err(write_err)?;
        if let Some(t) = &notices.changed {
            notify_active(&mut tx, new.id, t).await?;
        }
        let promoted =
            fill_places(&mut tx, new.id, new.capacity, notices.promoted.as_ref()).await?;
        tx.commit().await.map_err(db)?;
        Ok(EventChange {
            event: new,
            promoted,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_event(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        by: Uuid,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Event> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let old = lock_event(&mut tx, id).await?;
        if old.status == EventStatus::Cancelled {
            return Err(refused(EventRefusal::EventCancelled));
        }
        if let Some(b) = old.booking_id {
            cancel_room_booking(&mut tx, b, at, by, "event cancelled").await?;
        }
        let e = sqlx::query(
            "UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = $1 \
             WHERE id = $2 RETURNING *",
        )
        .bind(at)
        .bind(id)
        .one(&mut *tx, event)
        .await?;
        if let Some(t) = notice {
            notify_active(&mut tx, id, t).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(e)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_events(&self, f: &EventFilter) -> StoreResult<Vec<EventListing>> {
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT e.*, h.name AS hub_name, COALESCE(r.name, z.name) AS place_name, {} \
             FROM events e JOIN hubs h ON h.id = e.hub_id \
             LEFT JOIN rooms r ON r.id = e.room_id LEFT JOIN zones z ON z.id = e.zone_id \
             WHERE TRUE",
            if f.without_counts {
                "0::BIGINT AS confirmed, 0::BIGINT AS waitlisted"
            } else {
                "(SELECT COUNT(*) FROM event_registrations x WHERE x.event_id = e.id \
                  AND x.status = 'confirmed') AS confirmed, \
                 (SELECT COUNT(*) FROM event_registrations x WHERE x.event_id = e.id \
                  AND x.status = 'waitlisted') AS waitlisted"
            }
        ));
        if let Some(from) = f.from {
            q.push(" AND e.ends_at > ").push_bind(from);
        }
        if let Some(to) = f.to {
            q.push(" AND e.starts_at < ").push_bind(to);
        }
        if let Some(hubs) = &f.hub_ids {
            if hubs.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND e.hub_id = ANY(")
                .push_bind(hubs.clone())
                .push(")");
        }
        if let Some(ids) = &f.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND e.id = ANY(").push_bind(ids.clone()).push(")");
        }
        if let Some(topic) = &f.topic {
            q.push(" AND e.topic_keys @> ARRAY[")
                .push_bind(topic.trim().to_lowercase())
                .push("]::TEXT[]");
        }
        if let Some(vs) = &f.visibilities {
            if vs.is_empty() {
                return Ok(Vec::new());
            }
            let keys: Vec<String> = vs.iter().map(|v| v.key().to_string()).collect();
            q.push(" AND e.visibility = ANY(").push_bind(keys).push(")");
        }
        if let Some(ss) = &f.statuses {
            if ss.is_empty() {
                return Ok(Vec::new());
            }
            let keys: Vec<String> = ss.iter().map(|s| s.key().to_string()).collect();
            q.push(" AND e.status = ANY(").push_bind(keys).push(")");
        }
        if let Some(p) = f.involving {
            q.push(" AND (e.organiser_id = ")
                .push_bind(p)
                .push(" OR ")
                .push_bind(p)
                .push(" = ANY(e.co_organiser_ids) OR EXISTS (SELECT 1 FROM event_registrations x ")
                .push("WHERE x.event_id = e.id AND x.status <> 'cancelled' AND x.person_id = ")
                .push_bind(p)
                .push("))");
        }
        if let Some((start, id)) = f.after {
            q.push(" AND (e.starts_at, e.id) > (")
                .push_bind(start)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY e.starts_at, e.id LIMIT ")
            .push_bind(f.limit.max(0));
        let r = q.build().fetch_all(&self.pool).await.map_err(db)?;
        rows(&r, listing)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_version(&self) -> StoreResult<i64> {
        calendar_version(&self.pool, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_version(&self) -> StoreResult<i64> {
        calendar_version(&self.pool, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_feed_changes(&self, after: i64, upto: i64) -> StoreResult<Option<Vec<Uuid>>> {
        calendar_feed_changes(&self.pool, after, upto).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let out = register_in(&mut tx, r, now, None).await?;
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_registration(&self, id: Uuid) -> StoreResult<Registration> {
        sqlx::query("SELECT * FROM event_registrations WHERE id = $1")
            .bind(id)
            .one(&self.pool, registration)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_registrations_after(
        &self,
        event_id: Uuid,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<RegistrationView>> {
        sqlx::query(
            "SELECT r.*, p.first_name, p.last_name, p.email AS person_email, \
             o.name AS organisation_name FROM event_registrations r \
             LEFT JOIN people p ON p.id = r.person_id \
             LEFT JOIN organisations o ON o.id = p.organisation_id \
             WHERE r.event_id = $1 AND r.position > $2 ORDER BY r.position LIMIT $3",
        )
        .bind(event_id)
        .bind(after.unwrap_or(i64::MIN))
        .bind(limit.max(0))
        .all(&self.pool, registration_view)
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn registration_of(
        &self,
        event_id: Uuid,
        person_id: Uuid,
    ) -> StoreResult<Option<Registration>> {
        sqlx::query(
            "SELECT * FROM event_registrations WHERE event_id = $1 AND person_id = $2 \
             AND status <> 'cancelled'",
        )
        .bind(event_id)
        .bind(person_id)
        .optional(&self.pool, registration)
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_registration(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        cancel_registration(&self.pool, id, at, promotion).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_attended(&self, id: Uuid, attended: bool) -> StoreResult<()> {
        sqlx::query("UPDATE event_registrations SET attended = $1 WHERE id = $2")
            .bind(attended)
            .bind(id)
            .write_one(&self.pool, db)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_invitations(&self, sent: &[(Invitation, OutgoingEmail)]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for (i, mail) in sent {
            insert_invitation(&mut tx, i).await?;
            outbox::insert_email(&mut tx, mail).await?;
        }
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Invitation> {
        sqlx::query("SELECT * FROM event_invitations WHERE token_hash = $1")
            .bind(token_hash)
            .one(&self.pool, invitation)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_invitations(&self, event_id: Uuid) -> StoreResult<Vec<Invitation>> {
        sqlx::query("SELECT * FROM event_invitations WHERE event_id = $1 ORDER BY created_at, id")
            .bind(event_id)
            .all(&self.pool, invitation)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn redeem_invitation(
        &self,
        token_hash: &str,
        r: &Registration,
        now: DateTime<Utc>,
    ) -> StoreResult<Registration> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A concurrent redemption waits on the row and then finds it used.
        let used = sqlx::query(
            "UPDATE event_invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             RETURNING id, event_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(used) = used else {
            let known: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM event_invitations WHERE token_hash = $1")
                    .bind(token_hash)
                    .optional_value(&mut *tx)
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
        // A refused registration drops the transaction: the invitation stays
        // unused.
        let reg = register_in(&mut tx, &reg, now, Some(invitation_id)).await?;
        sqlx::query("UPDATE event_invitations SET registration_id = $1 WHERE id = $2")
            .bind(reg.id)
            .bind(invitation_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(reg)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn events_due_for_reminder(
        &self,
        now: DateTime<Utc>,
        ahead: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Event>> {
        sqlx::query(
            "SELECT * FROM events WHERE status = 'published' AND reminded_at IS NULL \
             AND starts_at > $1 AND starts_at <= $2 ORDER BY starts_at, id LIMIT $3",
        )
        .bind(now)
        .bind(now + ahead)
        .bind(limit.max(0))
        .all(&self.pool, event)
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn send_event_reminder(
        &self,
        event_id: Uuid,
        at: DateTime<Utc>,
        template: &OutgoingEmail,
    ) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Of two processes sending at once, the second finds it sent.
        let marked: Option<i32> = sqlx::query_scalar(
            "UPDATE events SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
             RETURNING 1",
        )
        .bind(at)
        .bind(event_id)
        .optional_value(&mut *tx)
        .await?;
        if marked.is_none() {
            let known: Option<i32> = sqlx::query_scalar("SELECT 1 FROM events WHERE id = $1")
                .bind(event_id)
                .optional_value(&mut *tx)
                .await?;
            return Err(match known {
                Some(_) => StoreError::Refused(Refusal::ReminderSent),
                None => StoreError::NotFound,
            });
        }
        let to: Vec<String> = sqlx::query_scalar(
            "SELECT COALESCE(p.email, r.external_email) FROM event_registrations r \
             LEFT JOIN people p ON p.id = r.person_id \
             WHERE r.event_id = $1 AND r.status = 'confirmed' ORDER BY r.position",
        )
        .bind(event_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        for a in &to {
            send_copy(&mut tx, template, a).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(to.len() as i64)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary> {
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM events WHERE id = $1")
            .bind(event_id)
            .optional_value(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let r = sqlx::query(
            "SELECT r.status, r.attended, r.person_id, p.organisation_id, r.external_organisation \
             FROM event_registrations r LEFT JOIN people p ON p.id = r.person_id \
             WHERE r.event_id = $1",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let rows = rows(&r, |r| {
            let status: String = r.try_get("status")?;
            let person: Option<Uuid> = r.try_get("person_id")?;
            let org: Option<Uuid> = r.try_get("organisation_id")?;
            let external_org: Option<String> = r.try_get("external_organisation")?;
            Ok(SummaryRow {
                status: RegistrationStatus::parse(&status)
                    .ok_or_else(|| decode("status", &status))?,
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
}
