//! Bookings in PostgreSQL: what its queries say their own way for the
//! bookings written once in `thirdplace_store::sql::bookings`
//! ([`BookingsDialect`]): the exclusion constraint's refusal, the rooms'
//! advisory locks and a room's busy times by a range overlap.
//!
//! No overlap: the exclusion constraint `bookings_no_overlap` (migration
//! 0003) refuses the second of two overlapping confirmed bookings of a room,
//! also when they come from different processes at the same moment.
//! Included-hours caps: the shared writing transaction locks the seat rows
//! (`FOR UPDATE`, in id order) before it writes, so two bookings using one
//! seat are checked one after the other.

use crate::dialect::Pg;
use crate::{db, write_err};

/// A room's advisory lock key: the last 64 bits of its id.
fn room_key(room: &Uuid) -> i64 {
    i64::from_be_bytes(room.as_bytes()[8..].try_into().expect("8 bytes"))
}
use chrono::{DateTime, Utc};
use sqlx::Postgres;
use sqlx::{PgConnection, Row};
use thirdplace_domain::booking::Booking;
use thirdplace_domain::booking::BookingRefusal;
use thirdplace_store::sql::bookings::{
    check_caps, insert_args, insert_booking, insert_error, BookingsDialect, Ref, INSERT_BOOKING,
    SEAT_MONTH_USED,
};
use thirdplace_store::sql::dialect::{Arg, Run};
use thirdplace_store::sql::one;
use thirdplace_store::sql::Fetch;
use thirdplace_store::IncludedCap;
use thirdplace_store::{Refusal, StoreError, StoreResult};
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

impl BookingsDialect for Pg {
    fn booking_err(e: sqlx::Error) -> StoreError {
        booking_write_err(e)
    }

    /// The foreign key's name says which reference is missing.
    async fn insert_err(_conn: &mut PgConnection, e: sqlx::Error, _refs: Vec<Ref>) -> StoreError {
        write_err(e)
    }

    /// One statement: first the seats' rows (`FOR UPDATE`, in id order),
    /// so two bookings drawing on one seat's included hours are checked
    /// one after the other; then the rooms' advisory locks.
    ///
    /// The rooms: every transaction that inserts or moves a booking takes
    /// this lock on its room first (a transaction-scoped advisory lock,
    /// released at commit or rollback; no row is written, unlike
    /// `SELECT … FOR UPDATE`). Without it, two transactions inserting
    /// overlapping bookings at once can each find the other's uncommitted
    /// row in the exclusion constraint's check and wait on each other, a
    /// deadlock PostgreSQL breaks only after a second. Keys are taken in
    /// order (the inner `ORDER BY`), so two writers never wait on each other
    /// in a circle; two rooms sharing a key (64 bits of their ids) only wait
    /// for each other.
    async fn lock_writers(
        conn: &mut PgConnection,
        seats: Vec<Uuid>,
        rooms: Vec<Uuid>,
    ) -> StoreResult<()> {
        let keys: Vec<i64> = rooms.iter().map(room_key).collect();
        if seats.is_empty() && keys.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "WITH s AS (SELECT id FROM seats WHERE id = ANY($1) ORDER BY id FOR UPDATE) \
             SELECT (SELECT count(*) FROM s) AS seats, \
             (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(k) \
              FROM (SELECT DISTINCT k FROM unnest($2::int8[]) AS k ORDER BY k) AS o) AS l) AS rooms",
        )
        .bind(&seats)
        .bind(&keys)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// One booking drawing on at most one seat (the common case): written
    /// and its seat's month counted in one statement (the inserted row is
    /// not in the statement's view of `bookings`, so it is added); more
    /// as every backend writes them.
    async fn write_checked(
        conn: &mut PgConnection,
        bookings: &[Booking],
        caps: &[IncludedCap],
    ) -> StoreResult<()> {
        let ([b], [] | [_]) = (bookings, caps) else {
            for b in bookings {
                insert_booking::<Pg>(conn, b).await?;
            }
            return check_caps::<Pg>(conn, caps).await;
        };
        let Some(cap) = caps.first() else {
            return insert_booking::<Pg>(conn, b).await;
        };
        let sql = format!(
            "WITH ins AS ({INSERT_BOOKING} RETURNING seat_id, included_minutes) \
             SELECT CAST(({}) + COALESCE((SELECT SUM(included_minutes) FROM ins \
             WHERE seat_id = $25), 0) AS BIGINT)",
            SEAT_MONTH_USED.replace("$2", "$26").replace("$1", "$25")
        );
        let mut args = insert_args::<Pg>(b);
        args.push(Arg::Id(cap.seat_id));
        args.push(Arg::Text(&cap.month));
        let used: i64 = match <Postgres as Run>::fetch(conn, &sql, args).await {
            Ok(rows) => one(rows
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<Result<Vec<_>, _>>()
                .map_err(db)?)?,
            Err(e) => return Err(insert_error::<Pg>(conn, e, b).await),
        };
        if used > cap.allowance_minutes {
            return Err(StoreError::Refused(Refusal::IncludedHoursSpent));
        }
        Ok(())
    }

    async fn busy_times(
        conn: &mut PgConnection,
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
        .all(conn, |r| {
            Ok((r.try_get("starts_at")?, r.try_get("ends_at")?))
        })
        .await
    }
}
