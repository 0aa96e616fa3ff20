//! The e-mail outbox in SQLite: the queries both backends run, and
//! `impl OutboxStore`, are in [`thirdplace_store::sql::outbox`]; here is
//! claiming, with a read first that spares the writer a job when nothing
//! is due.

use crate::bookings::secs;
use crate::dialect::Lite;
use crate::SqliteStore;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use thirdplace_store::sql::outbox as shared;
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{OutgoingEmail, StoreResult};

/// Whether an e-mail is due: most of the time none is, and a read says so
/// without a job for the writer.
async fn any_email_due(conn: &mut SqliteConnection, now: DateTime<Utc>) -> StoreResult<bool> {
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM email_outbox WHERE sent_at IS NULL AND failed = 0 \
         AND next_attempt_at <= ? LIMIT 1",
    )
    .bind(secs(now))
    .optional_value(&mut *conn)
    .await?;
    Ok(due.is_some())
}

async fn claim_emails(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<OutgoingEmail>> {
    let mut out = sqlx::query(
        "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = ? \
         WHERE id IN (SELECT id FROM email_outbox WHERE sent_at IS NULL AND failed = 0 \
         AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?) RETURNING *",
    )
    .bind(secs(now + lease))
    .bind(secs(now))
    .bind(limit)
    .all(conn, shared::email::<Lite>)
    .await?;
    out.sort_by_key(|e| (e.created_at, e.id));
    Ok(out)
}

/// Claims due e-mails as a job of the writer, if a read finds any due.
pub(crate) async fn claim(
    store: &SqliteStore,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<OutgoingEmail>> {
    if !any_email_due(&mut *store.readers.get().await, now).await? {
        return Ok(Vec::new());
    }
    write!(store, |conn| claim_emails(conn, now, lease, limit).await)
}
