//! The sign-in throttle's reads and deletes, the same in both SQL backends
//! (instants as [`Dialect::PRECISE_INSTANTS`]). Recording differs: SQLite's
//! one writer raises each key's count after deleting stale rows in the same
//! transaction; PostgreSQL resets a stale count in the upsert itself.

use super::dialect::{self, Arg, Conn, Dialect};
use super::SqlRow;
use crate::{StoreResult, Strikes};
use chrono::{DateTime, Utc};

/// The failures counted for `key` since `forget_before`.
pub async fn strikes<D: Dialect>(
    conn: &mut Conn<D>,
    key: &str,
    forget_before: DateTime<Utc>,
) -> StoreResult<Option<Strikes>> {
    let sql = "SELECT failures, last_at FROM sign_in_strikes WHERE key = $1 AND last_at >= $2";
    let args = vec![Arg::Text(key), D::PRECISE_INSTANTS.arg(Some(forget_before))];
    dialect::optional::<D, _>(conn, sql, args, |r| {
        let last_at = D::PRECISE_INSTANTS.read(r, "last_at")?;
        Ok(Strikes {
            failures: r.column("failures")?,
            last_at: last_at.ok_or_else(|| super::decode("last_at", "NULL"))?,
        })
    })
    .await
}

/// Deletes the counts last raised before `forget_before`.
pub async fn forget_stale<D: Dialect>(
    conn: &mut Conn<D>,
    forget_before: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "DELETE FROM sign_in_strikes WHERE last_at < $1";
    dialect::run::<D>(
        conn,
        sql,
        vec![D::PRECISE_INSTANTS.arg(Some(forget_before))],
    )
    .await?;
    Ok(())
}

pub async fn clear<D: Dialect>(conn: &mut Conn<D>, key: &str) -> StoreResult<()> {
    let sql = "DELETE FROM sign_in_strikes WHERE key = $1";
    dialect::run::<D>(conn, sql, vec![Arg::Text(key)]).await?;
    Ok(())
}
