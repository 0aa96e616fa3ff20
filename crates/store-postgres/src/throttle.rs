//! Sign-in strikes in PostgreSQL: failed sign-ins per key in
//! `sign_in_strikes`. Each key's count is one row that an upsert raises,
//! so processes recording at once all count. Reads, deletes and
//! `impl ThrottleStore` are [`thirdplace_store::sql::throttle`]'s; here is
//! raising the counts.

use crate::dialect::Pg;
use crate::{db, PostgresStore};
use chrono::{DateTime, Utc};
use thirdplace_store::sql::throttle as shared;
use thirdplace_store::StoreResult;

pub(crate) async fn raise(
    store: &PostgresStore,
    keys: &[String],
    at: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> StoreResult<()> {
    // Stale rows go in a statement of their own, so the transaction
    // below locks only its own keys, in sorted order: two sign-ins
    // recording at once never wait on each other in a cycle.
    shared::forget_stale::<Pg>(&mut *store.conn().await?, forget_before).await?;
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    let mut tx = store.pool.begin().await.map_err(db)?;
    for key in sorted {
        sqlx::query(
            "INSERT INTO sign_in_strikes (key, failures, last_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_strikes.last_at < $3 THEN 1 \
                             ELSE sign_in_strikes.failures + 1 END, \
             last_at = GREATEST(sign_in_strikes.last_at, excluded.last_at)",
        )
        .bind(key)
        .bind(at)
        .bind(forget_before)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}
