//! The e-mail outbox in PostgreSQL: the queries both backends run, and
//! `impl OutboxStore`, are in [`thirdplace_store::sql::outbox`]; here is
//! claiming, which skips rows another process has locked.

use crate::dialect::Pg;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;
use thirdplace_store::sql::outbox as shared;
use thirdplace_store::sql::Fetch;
use thirdplace_store::{OutgoingEmail, StoreResult};

pub(crate) async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<OutgoingEmail>> {
    // SKIP LOCKED: senders in other processes take other rows, never wait.
    let mut out = sqlx::query(
        "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = $1 \
         WHERE id IN (SELECT id FROM email_outbox WHERE sent_at IS NULL AND NOT failed \
         AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind(now + lease)
    .bind(now)
    .bind(limit)
    .all(pool, shared::email::<Pg>)
    .await?;
    out.sort_by_key(|e| (e.created_at, e.id));
    Ok(out)
}
