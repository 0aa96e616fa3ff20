//! The e-mail outbox in PostgreSQL: writing an e-mail (also inside the
//! transaction of a booking, event or erasure that sends it), listing,
//! claiming and marking them; [`OutboxStore`] at the end.

use crate::rows;
use crate::{affected, db, write_err, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{PgConnection, Row};
use thirdplace_store::{OutboxStore, OutgoingEmail, StoreResult};
use uuid::Uuid;

// ----------------------------------------------------------------- e-mail

fn email(r: &PgRow) -> Result<OutgoingEmail, sqlx::Error> {
    Ok(OutgoingEmail {
        id: r.try_get("id")?,
        to_address: r.try_get("to_address")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        failed: r.try_get("failed")?,
    })
}

pub(crate) async fn insert_email(conn: &mut PgConnection, e: &OutgoingEmail) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO email_outbox (id, to_address, subject, body, created_at, sent_at, attempts, \
         next_attempt_at, last_error, failed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.id)
    .bind(&e.to_address)
    .bind(&e.subject)
    .bind(&e.body)
    .bind(e.created_at)
    .bind(e.sent_at)
    .bind(e.attempts)
    .bind(e.created_at)
    .bind(&e.last_error)
    .bind(e.failed)
    .execute(conn)
    .await
    .map_err(write_err)?;
    Ok(())
}

pub(crate) async fn queue_email(pool: &PgPool, e: &OutgoingEmail) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(db)?;
    insert_email(&mut conn, e).await
}

pub(crate) async fn list_emails(pool: &PgPool, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
    let r = sqlx::query("SELECT * FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT $1")
        .bind(limit.max(0))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows(&r, email)
}

pub(crate) async fn claim_emails(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<OutgoingEmail>> {
    if limit <= 0 {
        return Ok(Vec::new());
    }
    // SKIP LOCKED: senders in other processes take other rows, never wait.
    let r = sqlx::query(
        "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = $1 \
         WHERE id IN (SELECT id FROM email_outbox WHERE sent_at IS NULL AND NOT failed \
         AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind(now + lease)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut out = rows(&r, email)?;
    out.sort_by_key(|e| (e.created_at, e.id));
    Ok(out)
}

pub(crate) async fn mark_email_sent(pool: &PgPool, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    let n = sqlx::query("UPDATE email_outbox SET sent_at = $1, last_error = NULL WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await
        .map_err(db)?
        .rows_affected();
    affected(n)
}

pub(crate) async fn mark_email_failed(
    pool: &PgPool,
    id: Uuid,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    give_up: bool,
) -> StoreResult<()> {
    let n = sqlx::query(
        "UPDATE email_outbox SET last_error = $1, next_attempt_at = $2, failed = $3 WHERE id = $4",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(give_up)
    .bind(id)
    .execute(pool)
    .await
    .map_err(db)?
    .rows_affected();
    affected(n)
}

#[async_trait]
impl OutboxStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        queue_email(&self.pool, e).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        list_emails(&self.pool, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        claim_emails(&self.pool, now, lease, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        mark_email_sent(&self.pool, id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        mark_email_failed(&self.pool, id, error, next_attempt_at, give_up).await
    }
}
