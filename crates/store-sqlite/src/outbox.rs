//! The e-mail outbox in SQLite: writing an e-mail (also inside the
//! transaction of a booking, event or erasure that sends it), listing,
//! claiming and marking them; [`OutboxStore`] at the end.

use crate::bookings::{instant, opt_instant, secs};
use crate::WriteOne;
use crate::{db, write_err, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{OutboxStore, OutgoingEmail, StoreResult};
use uuid::Uuid;

// ----------------------------------------------------------------- e-mail

fn email(r: &SqliteRow) -> Result<OutgoingEmail, sqlx::Error> {
    Ok(OutgoingEmail {
        id: r.try_get("id")?,
        to_address: r.try_get("to_address")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: instant(r.try_get("created_at")?)?,
        sent_at: opt_instant(r.try_get("sent_at")?)?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        failed: r.try_get("failed")?,
    })
}

pub(crate) async fn insert_email(
    conn: &mut SqliteConnection,
    e: &OutgoingEmail,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO email_outbox (id, to_address, subject, body, created_at, sent_at, attempts, \
         next_attempt_at, last_error, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.id)
    .bind(&e.to_address)
    .bind(&e.subject)
    .bind(&e.body)
    .bind(secs(e.created_at))
    .bind(e.sent_at.map(secs))
    .bind(e.attempts)
    .bind(secs(e.created_at))
    .bind(&e.last_error)
    .bind(e.failed)
    .execute(conn)
    .await
    .map_err(write_err)?;
    Ok(())
}

pub(crate) async fn queue_email(conn: &mut SqliteConnection, e: &OutgoingEmail) -> StoreResult<()> {
    insert_email(conn, e).await
}

pub(crate) async fn list_emails(
    conn: &mut SqliteConnection,
    limit: i64,
) -> StoreResult<Vec<OutgoingEmail>> {
    sqlx::query("SELECT * FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT ?")
        .bind(limit.max(0))
        .all(&mut *conn, email)
        .await
}

/// Whether an e-mail is due: most of the time none is, and a read says so
/// without a job for the writer.
pub(crate) async fn any_email_due(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM email_outbox WHERE sent_at IS NULL AND failed = 0 \
         AND next_attempt_at <= ? LIMIT 1",
    )
    .bind(secs(now))
    .optional_value(&mut *conn)
    .await?;
    Ok(due.is_some())
}

pub(crate) async fn claim_emails(
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
    .all(conn, email)
    .await?;
    out.sort_by_key(|e| (e.created_at, e.id));
    Ok(out)
}

pub(crate) async fn mark_email_sent(
    conn: &mut SqliteConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE email_outbox SET sent_at = ?, last_error = NULL WHERE id = ?")
        .bind(secs(at))
        .bind(id)
        .write_one(conn, db)
        .await
}

pub(crate) async fn mark_email_failed(
    conn: &mut SqliteConnection,
    id: Uuid,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    give_up: bool,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE email_outbox SET last_error = ?, next_attempt_at = ?, failed = ? WHERE id = ?",
    )
    .bind(error)
    .bind(secs(next_attempt_at))
    .bind(give_up)
    .bind(id)
    .write_one(conn, db)
    .await
}

#[async_trait]
impl OutboxStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        let e = e.clone();
        write!(self, |conn| queue_email(conn, &e).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        list_emails(&mut *self.readers.get().await, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        if limit <= 0 || !any_email_due(&mut *self.readers.get().await, now).await? {
            return Ok(Vec::new());
        }
        write!(self, |conn| claim_emails(conn, now, lease, limit).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| mark_email_sent(conn, id, at).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        let error = error.to_string();
        write!(self, |conn| mark_email_failed(
            conn,
            id,
            &error,
            next_attempt_at,
            give_up
        )
        .await)
    }
}
