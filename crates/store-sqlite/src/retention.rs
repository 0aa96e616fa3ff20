//! Retention in SQLite: the queries and `impl RetentionStore` are
//! [`thirdplace_store::sql::retention`]'s, each kind's reduction one job of
//! the writer (its own savepoint: a kind is reduced whole or not at all);
//! here is the check-ins' reduction.

use crate::dialect::Lite;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use thirdplace_store::sql::dialect::{self, Arg};
use thirdplace_store::StoreResult;

/// Deletes closed check-ins from before `before` with their guest visits
/// (check-ins and guests kept as sqlx's RFC 3339 text): (check-ins, visits).
pub(crate) async fn reduce_checkins(
    conn: &mut SqliteConnection,
    before: DateTime<Utc>,
) -> StoreResult<(u64, u64)> {
    let guests = dialect::run::<Lite>(
        conn,
        "DELETE FROM guest_visits WHERE host_checkin_id IN (SELECT id FROM checkins \
         WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL)",
        vec![Arg::Timestamp(before)],
    )
    .await?;
    let checkins = dialect::run::<Lite>(
        conn,
        "DELETE FROM checkins WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL",
        vec![Arg::Timestamp(before)],
    )
    .await?;
    Ok((checkins, guests))
}
