//! The sign-in throttle's reads and deletes, the same in both SQL backends
//! (instants as [`Dialect::PRECISE_INSTANTS`]). Recording differs: SQLite's
//! one writer raises each key's count after deleting stale rows in the same
//! transaction; PostgreSQL resets a stale count in the upsert itself.

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect};
use super::SqlRow;
use crate::ThrottleStore;
use crate::{StoreResult, Strikes};
use async_trait::async_trait;
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

#[async_trait]
impl<B: Backend> ThrottleStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn strikes(
        &self,
        key: &str,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<Option<Strikes>> {
        strikes::<B::D>(&mut *self.reader().await?, key, forget_before).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_strikes(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.raise_strikes(keys, at, forget_before).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn clear_strikes(&self, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        self.write(move |c| Box::pin(async move { clear::<B::D>(c, &key).await }))
            .await
    }
}
