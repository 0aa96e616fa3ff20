//! The e-mail outbox in PostgreSQL: the queries both backends run are in
//! [`thirdplace_store::sql::outbox`]; here are claiming (rows another
//! process has locked are skipped) and [`OutboxStore`].

use crate::dialect::Pg;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use thirdplace_store::sql::outbox as shared;
use thirdplace_store::sql::Fetch;
use thirdplace_store::{OutboxStore, OutgoingEmail, StoreResult};
use uuid::Uuid;

/// Writes `e` in the caller's transaction.
pub(crate) async fn insert_email(conn: &mut PgConnection, e: &OutgoingEmail) -> StoreResult<()> {
    shared::insert_email::<Pg>(conn, e).await
}

#[async_trait]
impl OutboxStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        insert_email(&mut *self.conn().await?, e).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        shared::list_emails::<Pg>(&mut *self.conn().await?, limit).await
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
        .all(&self.pool, shared::email::<Pg>)
        .await?;
        out.sort_by_key(|e| (e.created_at, e.id));
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        shared::mark_email_sent::<Pg>(&mut *self.conn().await?, id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        shared::mark_email_failed::<Pg>(&mut conn, id, error, next_attempt_at, give_up).await
    }
}
