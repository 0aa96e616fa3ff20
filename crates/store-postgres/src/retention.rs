//! Retention in PostgreSQL: the queries and `impl RetentionStore` are
//! [`thirdplace_store::sql::retention`]'s, each kind's reduction a
//! statement of its own. Several processes may reduce at once: a second
//! `DELETE` or `UPDATE` of the same rows waits for the first, then finds
//! its condition no longer true and changes nothing, so every row is
//! counted once. Here is the check-ins' reduction.

use crate::db;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;
use thirdplace_store::StoreResult;

/// Deletes closed check-ins from before `before` with their guest visits,
/// in one transaction that locks the check-ins it deletes, so that their
/// visits go with them: (check-ins, visits).
pub(crate) async fn reduce_checkins(
    pool: &PgPool,
    before: DateTime<Utc>,
) -> StoreResult<(u64, u64)> {
    let mut tx = pool.begin().await.map_err(db)?;
    let old: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT id FROM checkins WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL \
         ORDER BY id FOR UPDATE",
    )
    .bind(before)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let guest_visits = sqlx::query("DELETE FROM guest_visits WHERE host_checkin_id = ANY($1)")
        .bind(&old)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
    let checkins = sqlx::query("DELETE FROM checkins WHERE id = ANY($1)")
        .bind(&old)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
    tx.commit().await.map_err(db)?;
    Ok((checkins, guest_visits))
}
