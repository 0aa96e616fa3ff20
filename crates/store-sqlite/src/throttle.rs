//! Sign-in strikes in SQLite: failed sign-ins per key in
//! `sign_in_strikes`, the last failure as Unix milliseconds. Reads,
//! deletes and `impl ThrottleStore` are
//! [`thirdplace_store::sql::throttle`]'s; here is raising the counts.

use crate::dialect::Lite;
use crate::{db, SqliteStore};
use chrono::{DateTime, Utc};
use thirdplace_store::sql::throttle as shared;
use thirdplace_store::StoreResult;

/// Stale rows go first, in the same job, so a key's count starts again
/// from one after a quiet spell.
pub(crate) async fn raise(
    store: &SqliteStore,
    keys: &[String],
    at: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> StoreResult<()> {
    let keys = keys.to_vec();
    write!(store, |conn| {
        shared::forget_stale::<Lite>(conn, forget_before).await?;
        for key in &keys {
            sqlx::query(
                "INSERT INTO sign_in_strikes (key, failures, last_at) VALUES (?, 1, ?) \
                     ON CONFLICT (key) DO UPDATE SET failures = failures + 1, \
                     last_at = max(last_at, excluded.last_at)",
            )
            .bind(key)
            .bind(at.timestamp_millis())
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        Ok(())
    })
}
