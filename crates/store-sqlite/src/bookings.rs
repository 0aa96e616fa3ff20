//! Bookings in SQLite: what its queries say their own way for the bookings
//! written once in `thirdplace_store::sql::bookings` ([`BookingsDialect`]):
//! the triggers' refusal, foreign-key errors that do not say which key, and
//! a room's busy times.
//!
//! Booking and e-mail instants are Unix seconds. Every write runs as a job
//! of the store's one writer (`writer.rs`), inside its `BEGIN IMMEDIATE`
//! transaction and its own savepoint: the overlap and cap checks see every
//! committed booking, nothing commits between check and write, and a job
//! that fails leaves nothing behind (so there is no room or seat to lock).
//! The triggers of migration 0003 refuse an overlap even if a check here
//! were wrong.

use super::{db, must_exist, write_err};
use crate::dialect::Lite;
use crate::rows;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use sqlx::Row;
use thirdplace_domain::booking::BookingRefusal;
use thirdplace_store::sql::bookings::{BookingsDialect, Ref};
use thirdplace_store::{Refusal, StoreError, StoreResult};
use uuid::Uuid;

/// The longest a booking may be (the rules allow at most 24 hours); the
/// database refuses longer ones (migration 0004), which bounds the range
/// the busy-time query looks at.
const MAX_BOOKING_SECS: i64 = 24 * 3600;

pub(crate) fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn instant(s: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| sqlx::Error::Decode("instant out of range".into()))
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

impl BookingsDialect for Lite {
    fn booking_err(e: sqlx::Error) -> StoreError {
        booking_write_err(e)
    }

    /// SQLite's foreign-key error does not say which: each of `refs` is
    /// looked up.
    async fn insert_err(conn: &mut SqliteConnection, e: sqlx::Error, refs: Vec<Ref>) -> StoreError {
        if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) {
            for (table, id, field) in refs {
                if let Err(missing) = must_exist(conn, table, id, field).await {
                    return missing;
                }
            }
        }
        write_err(e)
    }

    /// The one writer keeps every other writer waiting already.
    async fn lock_writers(
        _conn: &mut SqliteConnection,
        _seats: Vec<Uuid>,
        _rooms: Vec<Uuid>,
    ) -> StoreResult<()> {
        Ok(())
    }

    async fn busy_times(
        conn: &mut SqliteConnection,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let r = sqlx::query(
            // No booking is longer than MAX_BOOKING_SECS (a trigger refuses
            // longer ones), so only those starting that long before `from`
            // can reach into the range: an index range on (room_id, starts_at).
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
}
