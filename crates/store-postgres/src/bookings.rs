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
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row};
use thirdplace_domain::booking::BookingRefusal;
use thirdplace_store::sql::bookings::{BookingsDialect, Ref};
use thirdplace_store::sql::Fetch;
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

    /// Serialises the writers of a room's bookings: every transaction that
    /// inserts or moves a booking takes this lock on its room first (a
    /// transaction-scoped advisory lock, released at commit or rollback; no row
    /// is written, unlike `SELECT … FOR UPDATE`). Without it, two transactions
    /// inserting overlapping bookings at once can each find the other's
    /// uncommitted row in the exclusion constraint's check and wait on each
    /// other, a deadlock PostgreSQL breaks only after a second. Keys are taken
    /// in order, so two writers never wait on each other in a circle; two rooms
    /// sharing a key (64 bits of their ids) only wait for each other.
    async fn lock_rooms(conn: &mut PgConnection, rooms: Vec<Uuid>) -> StoreResult<()> {
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
