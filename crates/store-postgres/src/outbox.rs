//! [`OutboxStore`] for PostgreSQL: the e-mail outbox (the SQL is in
//! `bookings.rs`, next to the changes that queue e-mails).

use crate::{bookings, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_store::{OutboxStore, OutgoingEmail, StoreResult};
use uuid::Uuid;

#[async_trait]
impl OutboxStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        bookings::queue_email(&self.pool, e).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        bookings::list_emails(&self.pool, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        bookings::claim_emails(&self.pool, now, lease, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        bookings::mark_email_sent(&self.pool, id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        bookings::mark_email_failed(&self.pool, id, error, next_attempt_at, give_up).await
    }
}
