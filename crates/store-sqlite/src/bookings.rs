//! Bookings in SQLite: hubs' booking rules, the bookings themselves with the
//! no-overlap rule, included-hours caps and private calendar generations.
//! Free functions over a connection; `impl BookingStore` at the end calls
//! them.
//!
//! Booking and e-mail instants are Unix seconds. Every write runs as a job
//! of the store's one writer (`writer.rs`), inside its `BEGIN IMMEDIATE`
//! transaction and its own savepoint: the overlap and cap checks see every
//! committed booking, nothing commits between check and write, and a job
//! that fails leaves nothing behind.
//! The triggers of migration 0003 refuse an overlap even if a check here
//! were wrong.

use super::{db, must_exist, one, write_err};
use crate::membership::person_write_err;
use crate::outbox::insert_email;
use crate::rows;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};
use thirdplace_domain::booking::{Booking, BookingRefusal, BookingRules, BookingStatus, Price};
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::sql::{push_keyset_after, Towards};
use thirdplace_store::{
    sql, BookingFilter, BookingStore, BookingView, Cancellation, IncludedCap, OutgoingEmail,
    Refusal, StoreError, StoreResult,
};
use uuid::Uuid;

/// The longest a booking may be (the rules allow at most 24 hours); the
/// database refuses longer ones (migration 0004), which bounds the range
/// the overlap check and the busy-time query look at.
const MAX_BOOKING_SECS: i64 = 24 * 3600;

pub(crate) fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn instant(s: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| sqlx::Error::Decode("instant out of range".into()))
}

pub(crate) fn opt_instant(s: Option<i64>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    s.map(instant).transpose()
}

/// A trigger's `RAISE(ABORT, 'booking_conflict')` or a write error.
pub(crate) fn booking_write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.message().contains("booking_conflict") {
            return StoreError::Refused(Refusal::Booking(BookingRefusal::Conflict));
        }
        if d.is_foreign_key_violation() {
            return StoreError::Reference("reference".into());
        }
    }
    write_err(e)
}

// ------------------------------------------------------------------ rules

pub(crate) async fn booking_rules(
    conn: &mut SqliteConnection,
    hub_id: Uuid,
) -> StoreResult<BookingRules> {
    let r = sqlx::query("SELECT * FROM booking_rules WHERE hub_id = ?")
        .bind(hub_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let Some(r) = r else {
        return Ok(BookingRules::default());
    };
    (|| -> Result<BookingRules, sqlx::Error> {
        Ok(BookingRules {
            cancel_notice_minutes: r.try_get("cancel_notice_minutes")?,
            max_length_minutes: r.try_get("max_length_minutes")?,
            max_days_ahead: r.try_get("max_days_ahead")?,
            non_members_may_book: r.try_get("non_members_may_book")?,
            publish_member_events: r.try_get("publish_member_events")?,
        })
    })()
    .map_err(db)
}

pub(crate) async fn set_booking_rules(
    conn: &mut SqliteConnection,
    hub_id: Uuid,
    rules: &BookingRules,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO booking_rules (hub_id, cancel_notice_minutes, max_length_minutes, \
         max_days_ahead, non_members_may_book, publish_member_events) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (hub_id) DO UPDATE SET cancel_notice_minutes = excluded.cancel_notice_minutes, \
         max_length_minutes = excluded.max_length_minutes, max_days_ahead = excluded.max_days_ahead, \
         non_members_may_book = excluded.non_members_may_book, \
         publish_member_events = excluded.publish_member_events",
    )
    .bind(hub_id)
    .bind(rules.cancel_notice_minutes)
    .bind(rules.max_length_minutes)
    .bind(rules.max_days_ahead)
    .bind(rules.non_members_may_book)
    .bind(rules.publish_member_events)
    .execute(conn)
    .await
    .map_err(|e| match booking_write_err(e) {
        StoreError::Reference(_) => StoreError::Reference("hub_id".into()),
        other => other,
    })?;
    Ok(())
}

// --------------------------------------------------------------- bookings

fn booking(r: &SqliteRow) -> Result<Booking, sqlx::Error> {
    let status: String = r.try_get("status")?;
    let vat: i64 = r.try_get("vat_percent")?;
    Ok(Booking {
        id: r.try_get("id")?,
        room_id: r.try_get("room_id")?,
        hub_id: r.try_get("hub_id")?,
        booker_id: r.try_get("booker_id")?,
        organisation_id: r.try_get("organisation_id")?,
        on_behalf_of_organisation: r.try_get("on_behalf")?,
        seat_id: r.try_get("seat_id")?,
        series_id: r.try_get("series_id")?,
        title: r.try_get("title")?,
        start: instant(r.try_get("starts_at")?)?,
        end: instant(r.try_get("ends_at")?)?,
        status: BookingStatus::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown status {status}").into()))?,
        price: Price {
            included_minutes: r.try_get("included_minutes")?,
            billable_minutes: r.try_get("billable_minutes")?,
            price_ex_vat_ore: r.try_get("price_ex_vat_ore")?,
            vat_percent: u8::try_from(vat)
                .map_err(|_| sqlx::Error::Decode("VAT out of range".into()))?,
            vat_ore: r.try_get("vat_ore")?,
            total_ore: r.try_get("total_ore")?,
        },
        created_at: instant(r.try_get("created_at")?)?,
        cancelled_at: opt_instant(r.try_get("cancelled_at")?)?,
        cancelled_by: r.try_get("cancelled_by")?,
        cancel_reason: r.try_get("cancel_reason")?,
        cancellation_charged: r.try_get("cancellation_charged")?,
    })
}

pub(crate) async fn insert_bookings(
    conn: &mut SqliteConnection,
    bookings: &[Booking],
    caps: &[IncludedCap],
) -> StoreResult<()> {
    if bookings.is_empty() {
        return Ok(());
    }
    for b in bookings {
        let inserted = sqlx::query(
            "INSERT INTO bookings (id, room_id, hub_id, booker_id, organisation_id, on_behalf, \
             seat_id, series_id, title, starts_at, ends_at, status, included_minutes, \
             billable_minutes, price_ex_vat_ore, vat_percent, vat_ore, total_ore, usage_month, \
             created_at, cancelled_at, cancelled_by, cancel_reason, cancellation_charged) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(b.id)
        .bind(b.room_id)
        .bind(b.hub_id)
        .bind(b.booker_id)
        .bind(b.organisation_id)
        .bind(b.on_behalf_of_organisation)
        .bind(b.seat_id)
        .bind(b.series_id)
        .bind(&b.title)
        .bind(secs(b.start))
        .bind(secs(b.end))
        .bind(b.status.key())
        .bind(b.price.included_minutes)
        .bind(b.price.billable_minutes)
        .bind(b.price.price_ex_vat_ore)
        .bind(i64::from(b.price.vat_percent))
        .bind(b.price.vat_ore)
        .bind(b.price.total_ore)
        .bind(b.usage_month())
        .bind(secs(b.created_at))
        .bind(b.cancelled_at.map(secs))
        .bind(b.cancelled_by)
        .bind(&b.cancel_reason)
        .bind(b.cancellation_charged)
        .execute(&mut *conn)
        .await;
        if let Err(e) = inserted {
            if let sqlx::Error::Database(d) = &e {
                // SQLite does not say which key failed; find out only then.
                if d.is_foreign_key_violation() {
                    must_exist(conn, "rooms", b.room_id, "room_id").await?;
                    must_exist(conn, "people", b.booker_id, "booker_id").await?;
                    must_exist(conn, "organisations", b.organisation_id, "organisation_id").await?;
                    if let Some(seat) = b.seat_id {
                        must_exist(conn, "seats", seat, "seat_id").await?;
                    }
                }
            }
            return Err(booking_write_err(e));
        }
    }
    for cap in caps {
        let used = used_minutes(conn, cap.seat_id, &cap.month).await?;
        if used > cap.allowance_minutes {
            // The writer rolls the job's savepoint back: nothing is written.
            return Err(StoreError::Refused(Refusal::IncludedHoursSpent));
        }
    }
    Ok(())
}

async fn used_minutes(conn: &mut SqliteConnection, seat_id: Uuid, month: &str) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COALESCE(SUM(included_minutes), 0) FROM bookings \
         WHERE seat_id = ? AND usage_month = ? \
         AND (status = 'confirmed' OR cancellation_charged = 1)",
    )
    .bind(seat_id)
    .bind(month)
    .value(conn)
    .await
}

pub(crate) async fn get_booking(conn: &mut SqliteConnection, id: Uuid) -> StoreResult<Booking> {
    sqlx::query("SELECT * FROM bookings WHERE id = ?")
        .bind(id)
        .one(&mut *conn, booking)
        .await
}

pub(crate) async fn busy_times(
    conn: &mut SqliteConnection,
    room_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let r = sqlx::query(
        // No booking is longer than MAX_BOOKING_SECS (a trigger refuses
        // longer ones), so only those starting that long before `from` can
        // reach into the range: an index range on (room_id, starts_at).
        "SELECT starts_at, ends_at FROM bookings \
         WHERE room_id = ? AND status = 'confirmed' AND starts_at > ? AND starts_at < ? \
         AND ends_at > ? ORDER BY starts_at",
    )
    .bind(room_id)
    .bind(secs(from) - MAX_BOOKING_SECS)
    .bind(secs(to))
    .bind(secs(from))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    rows(&r, |r| {
        Ok((
            instant(r.try_get("starts_at")?)?,
            instant(r.try_get("ends_at")?)?,
        ))
    })
}

pub(crate) async fn seat_minutes_used(
    conn: &mut SqliteConnection,
    seat_ids: &[Uuid],
    month: &str,
) -> StoreResult<Vec<(Uuid, i64)>> {
    if seat_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT seat_id, SUM(included_minutes) AS used FROM bookings \
         WHERE (status = 'confirmed' OR cancellation_charged = 1) AND usage_month = ",
    );
    q.push_bind(month).push(" AND seat_id IN (");
    let mut sep = q.separated(", ");
    for id in seat_ids {
        sep.push_bind(id);
    }
    q.push(") GROUP BY seat_id ORDER BY seat_id");
    let r = q.build().fetch_all(&mut *conn).await.map_err(db)?;
    rows(&r, |r| Ok((r.try_get("seat_id")?, r.try_get("used")?)))
}

pub(crate) async fn cancel_booking(
    conn: &mut SqliteConnection,
    id: Uuid,
    c: &Cancellation,
    notice: Option<&OutgoingEmail>,
) -> StoreResult<Booking> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM bookings WHERE id = ?")
        .bind(id)
        .optional_value(&mut *conn)
        .await?;
    match status.as_deref() {
        None => return Err(StoreError::NotFound),
        Some("cancelled") => {
            return Err(StoreError::Refused(Refusal::Booking(
                BookingRefusal::AlreadyCancelled,
            )))
        }
        Some(_) => {}
    }
    // An event's room booking follows its event (moved and cancelled with
    // it); cancelling it alone would leave the event in a room it no longer
    // holds.
    let of_event: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM events WHERE booking_id = ? AND status <> 'cancelled' LIMIT 1",
    )
    .bind(id)
    .optional_value(&mut *conn)
    .await?;
    if of_event.is_some() {
        return Err(StoreError::Refused(Refusal::Booking(
            BookingRefusal::EventBooking,
        )));
    }
    let r = sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?, \
         cancel_reason = ?, cancellation_charged = ? WHERE id = ? RETURNING *",
    )
    .bind(secs(c.at))
    .bind(c.by)
    .bind(&c.reason)
    .bind(c.charged)
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(booking_write_err)?;
    let b = one(rows(&r, booking)?)?;
    if let Some(e) = notice {
        insert_email(conn, e).await?;
    }
    Ok(b)
}

fn view(r: &SqliteRow) -> Result<BookingView, sqlx::Error> {
    sql::booking_view(r, booking(r)?)
}

pub(crate) async fn list_bookings(
    conn: &mut SqliteConnection,
    f: &BookingFilter,
) -> StoreResult<Vec<BookingView>> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT b.*, r.name AS room_name, h.name AS hub_name, p.first_name AS booker_first_name, \
         p.last_name AS booker_last_name, o.name AS organisation_name \
         FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN hubs h ON h.id = b.hub_id \
         JOIN people p ON p.id = b.booker_id JOIN organisations o ON o.id = b.organisation_id \
         WHERE 1 = 1",
    );
    if let Some(hubs) = &f.hub_ids {
        if hubs.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND b.hub_id IN (");
        let mut sep = q.separated(", ");
        for id in hubs {
            sep.push_bind(id);
        }
        q.push(")");
    }
    if let Some(room) = f.room_id {
        q.push(" AND b.room_id = ").push_bind(room);
    }
    if let Some(booker) = f.booker_id {
        q.push(" AND b.booker_id = ").push_bind(booker);
    }
    if let Some(from) = f.from {
        q.push(" AND b.ends_at > ").push_bind(secs(from));
    }
    if let Some(to) = f.to {
        q.push(" AND b.starts_at < ").push_bind(secs(to));
    }
    if !f.include_cancelled {
        q.push(" AND b.status = 'confirmed'");
    }
    if let Some((start, id)) = f.after {
        push_keyset_after(
            &mut q,
            "b.starts_at",
            Towards::Greater,
            "b.id",
            Towards::Greater,
            secs(start),
            id,
        );
    }
    q.push(" ORDER BY b.starts_at, b.id LIMIT ")
        .push_bind(f.limit.max(0));
    let r = q.build().fetch_all(&mut *conn).await.map_err(db)?;
    rows(&r, view)
}

// --------------------------------------------------------- calendar feeds

pub(crate) async fn calendar_generation(
    conn: &mut SqliteConnection,
    person_id: Uuid,
) -> StoreResult<i64> {
    let g: Option<i64> =
        sqlx::query_scalar("SELECT calendar_generation FROM member_profiles WHERE person_id = ?")
            .bind(person_id)
            .optional_value(&mut *conn)
            .await?;
    Ok(g.unwrap_or(0))
}

pub(crate) async fn rotate_calendar(
    conn: &mut SqliteConnection,
    person_id: Uuid,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO member_profiles (person_id, calendar_generation) VALUES (?, 1) \
         ON CONFLICT (person_id) DO UPDATE SET calendar_generation = calendar_generation + 1 \
         RETURNING calendar_generation",
    )
    .bind(person_id)
    .fetch_one(conn)
    .await
    .map_err(person_write_err)
}

#[async_trait]
impl BookingStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules> {
        booking_rules(&mut *self.readers.get().await, hub_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()> {
        let rules = *rules;
        write!(self, |conn| set_booking_rules(conn, hub_id, &rules).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_bookings(&self, b: &[Booking], caps: &[IncludedCap]) -> StoreResult<()> {
        let (b, caps) = (b.to_vec(), caps.to_vec());
        write!(self, |conn| insert_bookings(conn, &b, &caps).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_booking(&self, id: Uuid) -> StoreResult<Booking> {
        get_booking(&mut *self.readers.get().await, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn busy_times(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        busy_times(&mut *self.readers.get().await, room_id, from, to).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn seat_minutes_used(
        &self,
        seat_ids: &[Uuid],
        month: &str,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        seat_minutes_used(&mut *self.readers.get().await, seat_ids, month).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_booking(
        &self,
        id: Uuid,
        c: &Cancellation,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Booking> {
        let (c, notice) = (c.clone(), notice.cloned());
        write!(self, |conn| cancel_booking(conn, id, &c, notice.as_ref())
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_bookings(&self, f: &BookingFilter) -> StoreResult<Vec<BookingView>> {
        list_bookings(&mut *self.readers.get().await, f).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        calendar_generation(&mut *self.readers.get().await, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rotate_calendar(&self, person_id: Uuid) -> StoreResult<i64> {
        write!(self, |conn| rotate_calendar(conn, person_id).await)
    }
}
