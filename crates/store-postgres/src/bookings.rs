//! Bookings in PostgreSQL: hubs' booking rules, the bookings themselves,
//! included-hours caps and private calendar generations: `impl BookingStore`,
//! with the steps that other capabilities' transactions share as functions
//! over a connection.
//!
//! No overlap: the exclusion constraint `bookings_no_overlap` (migration
//! 0003) refuses the second of two overlapping confirmed bookings of a room,
//! also when they come from different processes at the same moment.
//! Included-hours caps: the writing transaction locks the seat rows
//! (`FOR UPDATE`, in id order) before it writes, so two bookings using one
//! seat are checked one after the other.

use crate::membership::person_write_err;
use crate::outbox::insert_email;
use crate::rows;
use crate::{db, one, write_err, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use thirdplace_domain::booking::{Booking, BookingRefusal, BookingRules, BookingStatus, Price};
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{
    sql, BookingFilter, BookingStore, BookingView, Cancellation, IncludedCap, OutgoingEmail,
    Refusal, StoreError, StoreResult,
};
use uuid::Uuid;

/// The exclusion constraint's refusal, or another write error.
pub(crate) fn booking_write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.constraint() == Some("bookings_no_overlap") || d.code().as_deref() == Some("23P01") {
            return StoreError::Refused(Refusal::Booking(BookingRefusal::Conflict));
        }
    }
    write_err(e)
}

// ------------------------------------------------------------------ rules

pub(crate) async fn booking_rules(pool: &PgPool, hub_id: Uuid) -> StoreResult<BookingRules> {
    let r = sqlx::query("SELECT * FROM booking_rules WHERE hub_id = $1")
        .bind(hub_id)
        .fetch_optional(pool)
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

// --------------------------------------------------------------- bookings

fn booking(r: &PgRow) -> Result<Booking, sqlx::Error> {
    let status: String = r.try_get("status")?;
    let vat: i16 = r.try_get("vat_percent")?;
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
        start: r.try_get("starts_at")?,
        end: r.try_get("ends_at")?,
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
        created_at: r.try_get("created_at")?,
        cancelled_at: r.try_get("cancelled_at")?,
        cancelled_by: r.try_get("cancelled_by")?,
        cancel_reason: r.try_get("cancel_reason")?,
        cancellation_charged: r.try_get("cancellation_charged")?,
    })
}

/// Writes one booking in the caller's transaction; the exclusion
/// constraint refuses an overlap (`booking_conflict`).
/// Serialises the writers of a room's bookings: every transaction that
/// inserts or moves a booking takes this lock on its room first (a
/// transaction-scoped advisory lock, released at commit or rollback; no row
/// is written, unlike `SELECT … FOR UPDATE`). Without it, two transactions
/// inserting overlapping bookings at once can each find the other's
/// uncommitted row in the exclusion constraint's check and wait on each
/// other, a deadlock PostgreSQL breaks only after a second. Keys are taken
/// in order, so two writers never wait on each other in a circle; two rooms
/// sharing a key (64 bits of their ids) only wait for each other.
pub(crate) async fn lock_rooms(conn: &mut PgConnection, rooms: Vec<Uuid>) -> StoreResult<()> {
    let mut keys: Vec<i64> = rooms
        .iter()
        .map(|r| i64::from_be_bytes(r.as_bytes()[8..].try_into().expect("8 bytes")))
        .collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(k)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

pub(crate) async fn insert_booking(conn: &mut PgConnection, b: &Booking) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO bookings (id, room_id, hub_id, booker_id, organisation_id, on_behalf, \
         seat_id, series_id, title, starts_at, ends_at, status, included_minutes, \
         billable_minutes, price_ex_vat_ore, vat_percent, vat_ore, total_ore, usage_month, \
         created_at, cancelled_at, cancelled_by, cancel_reason, cancellation_charged) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
         $17, $18, $19, $20, $21, $22, $23, $24)",
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
    .bind(b.start)
    .bind(b.end)
    .bind(b.status.key())
    .bind(b.price.included_minutes)
    .bind(b.price.billable_minutes)
    .bind(b.price.price_ex_vat_ore)
    .bind(i16::from(b.price.vat_percent))
    .bind(b.price.vat_ore)
    .bind(b.price.total_ore)
    .bind(b.usage_month())
    .bind(b.created_at)
    .bind(b.cancelled_at)
    .bind(b.cancelled_by)
    .bind(&b.cancel_reason)
    .bind(b.cancellation_charged)
    .execute(conn)
    .await
    .map_err(booking_write_err)?;
    Ok(())
}

async fn used_minutes(conn: &mut PgConnection, seat_id: Uuid, month: &str) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COALESCE(SUM(included_minutes), 0)::BIGINT FROM bookings \
         WHERE seat_id = $1 AND usage_month = $2 \
         AND (status = 'confirmed' OR cancellation_charged)",
    )
    .bind(seat_id)
    .bind(month)
    .value(conn)
    .await
}

pub(crate) async fn cancel_booking(
    pool: &PgPool,
    id: Uuid,
    c: &Cancellation,
    notice: Option<&OutgoingEmail>,
) -> StoreResult<Booking> {
    let mut tx = pool.begin().await.map_err(db)?;
    let b = cancel_booking_in(&mut tx, id, c, notice).await?;
    tx.commit().await.map_err(db)?;
    Ok(b)
}

/// [`cancel_booking`] inside the caller's transaction.
pub(crate) async fn cancel_booking_in(
    tx: &mut PgConnection,
    id: Uuid,
    c: &Cancellation,
    notice: Option<&OutgoingEmail>,
) -> StoreResult<Booking> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM bookings WHERE id = $1 FOR UPDATE")
            .bind(id)
            .optional_value(&mut *tx)
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
        "SELECT id FROM events WHERE booking_id = $1 AND status <> 'cancelled' LIMIT 1",
    )
    .bind(id)
    .optional_value(&mut *tx)
    .await?;
    if of_event.is_some() {
        return Err(StoreError::Refused(Refusal::Booking(
            BookingRefusal::EventBooking,
        )));
    }
    let r = sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = $1, cancelled_by = $2, \
         cancel_reason = $3, cancellation_charged = $4 WHERE id = $5 RETURNING *",
    )
    .bind(c.at)
    .bind(c.by)
    .bind(&c.reason)
    .bind(c.charged)
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(booking_write_err)?;
    let b = one(rows(&r, booking)?)?;
    if let Some(e) = notice {
        insert_email(tx, e).await?;
    }
    Ok(b)
}

fn view(r: &PgRow) -> Result<BookingView, sqlx::Error> {
    sql::booking_view(r, booking(r)?)
}

// --------------------------------------------------------- calendar feeds

pub(crate) async fn calendar_generation(pool: &PgPool, person_id: Uuid) -> StoreResult<i64> {
    let g: Option<i64> =
        sqlx::query_scalar("SELECT calendar_generation FROM member_profiles WHERE person_id = $1")
            .bind(person_id)
            .optional_value(pool)
            .await?;
    Ok(g.unwrap_or(0))
}

#[async_trait]
impl BookingStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules> {
        booking_rules(&self.pool, hub_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO booking_rules (hub_id, cancel_notice_minutes, max_length_minutes, \
             max_days_ahead, non_members_may_book, publish_member_events) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (hub_id) DO UPDATE SET cancel_notice_minutes = EXCLUDED.cancel_notice_minutes, \
             max_length_minutes = EXCLUDED.max_length_minutes, max_days_ahead = EXCLUDED.max_days_ahead, \
             non_members_may_book = EXCLUDED.non_members_may_book, \
             publish_member_events = EXCLUDED.publish_member_events",
        )
        .bind(hub_id)
        .bind(rules.cancel_notice_minutes)
        .bind(rules.max_length_minutes)
        .bind(rules.max_days_ahead)
        .bind(rules.non_members_may_book)
        .bind(rules.publish_member_events)
        .execute(&self.pool)
        .await
        .map_err(write_err)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_bookings(&self, bookings: &[Booking], caps: &[IncludedCap]) -> StoreResult<()> {
        if bookings.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut seats: Vec<Uuid> = caps.iter().map(|c| c.seat_id).collect();
        seats.sort();
        seats.dedup();
        if !seats.is_empty() {
            // Locked in id order, so two transactions never wait on each other
            // in a circle.
            sqlx::query("SELECT id FROM seats WHERE id = ANY($1) ORDER BY id FOR UPDATE")
                .bind(&seats)
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        }
        // Then the rooms (see `lock_rooms`).
        let rooms: Vec<Uuid> = bookings.iter().map(|b| b.room_id).collect();
        lock_rooms(&mut tx, rooms).await?;
        for b in bookings {
            insert_booking(&mut tx, b).await?;
        }
        for cap in caps {
            let used = used_minutes(&mut tx, cap.seat_id, &cap.month).await?;
            if used > cap.allowance_minutes {
                // Dropping the transaction rolls it back: nothing is written.
                return Err(StoreError::Refused(Refusal::IncludedHoursSpent));
            }
        }
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_booking(&self, id: Uuid) -> StoreResult<Booking> {
        sqlx::query("SELECT * FROM bookings WHERE id = $1")
            .bind(id)
            .one(&self.pool, booking)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn busy_times(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        // Written as a range overlap so that the GiST index behind the
        // exclusion constraint answers it, instead of a filter over every
        // booking of the room.
        sqlx::query(
            "SELECT starts_at, ends_at FROM bookings \
             WHERE room_id = $1 AND status = 'confirmed' \
             AND tstzrange(starts_at, ends_at, '[)') && tstzrange($2, $3, '[)') \
             ORDER BY starts_at",
        )
        .bind(room_id)
        .bind(from)
        .bind(to)
        .all(&self.pool, |r| {
            Ok((r.try_get("starts_at")?, r.try_get("ends_at")?))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn seat_minutes_used(
        &self,
        seat_ids: &[Uuid],
        month: &str,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        if seat_ids.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT seat_id, SUM(included_minutes)::BIGINT AS used FROM bookings \
             WHERE (status = 'confirmed' OR cancellation_charged) AND usage_month = $1 \
             AND seat_id = ANY($2) GROUP BY seat_id ORDER BY seat_id",
        )
        .bind(month)
        .bind(seat_ids)
        .all(&self.pool, |r| {
            Ok((r.try_get("seat_id")?, r.try_get("used")?))
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn cancel_booking(
        &self,
        id: Uuid,
        c: &Cancellation,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Booking> {
        cancel_booking(&self.pool, id, c, notice).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_bookings(&self, f: &BookingFilter) -> StoreResult<Vec<BookingView>> {
        let mut q = QueryBuilder::<Postgres>::new(
            "SELECT b.*, r.name AS room_name, h.name AS hub_name, p.first_name AS booker_first_name, \
             p.last_name AS booker_last_name, o.name AS organisation_name \
             FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN hubs h ON h.id = b.hub_id \
             JOIN people p ON p.id = b.booker_id JOIN organisations o ON o.id = b.organisation_id \
             WHERE TRUE",
        );
        if let Some(hubs) = &f.hub_ids {
            if hubs.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND b.hub_id = ANY(")
                .push_bind(hubs.clone())
                .push(")");
        }
        if let Some(room) = f.room_id {
            q.push(" AND b.room_id = ").push_bind(room);
        }
        if let Some(booker) = f.booker_id {
            q.push(" AND b.booker_id = ").push_bind(booker);
        }
        if let Some(from) = f.from {
            q.push(" AND b.ends_at > ").push_bind(from);
        }
        if let Some(to) = f.to {
            q.push(" AND b.starts_at < ").push_bind(to);
        }
        if !f.include_cancelled {
            q.push(" AND b.status = 'confirmed'");
        }
        if let Some((start, id)) = f.after {
            q.push(" AND (b.starts_at, b.id) > (")
                .push_bind(start)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY b.starts_at, b.id LIMIT ")
            .push_bind(f.limit.max(0));
        let r = q.build().fetch_all(&self.pool).await.map_err(db)?;
        rows(&r, view)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calendar_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        calendar_generation(&self.pool, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn rotate_calendar(&self, person_id: Uuid) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO member_profiles (person_id, calendar_generation) VALUES ($1, 1) \
             ON CONFLICT (person_id) DO UPDATE \
             SET calendar_generation = member_profiles.calendar_generation + 1 \
             RETURNING calendar_generation",
        )
        .bind(person_id)
        .fetch_one(&self.pool)
        .await
        .map_err(person_write_err)
    }
}
