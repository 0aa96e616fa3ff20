//! The e-mail outbox in PostgreSQL: writing an e-mail (also inside the
//! transaction of a booking, event or erasure that sends it), listing,
//! claiming and marking them; [`OutboxStore`] at the end.

use crate::WriteOne;
use crate::{db, write_err, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use thirdplace_store::sql::Fetch;
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

#[async_trait]
impl OutboxStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        insert_email(&mut conn, e).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        sqlx::query("SELECT * FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(limit.max(0))
            .all(&self.pool, email)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
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
        .all(&self.pool, email)
        .await?;
        out.sort_by_key(|e| (e.created_at, e.id));
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE email_outbox SET sent_at = $1, last_error = NULL WHERE id = $2")
            .bind(at)
            .bind(id)
            .write_one(&self.pool, db)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE email_outbox SET last_error = $1, next_attempt_at = $2, failed = $3 WHERE id = $4",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(give_up)
        .bind(id)
        .write_one(&self.pool, db)
        .await
    }
}
