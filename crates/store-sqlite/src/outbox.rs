//! [`OutboxStore`] for SQLite: the e-mail outbox (the SQL is in
//! `bookings.rs`, next to the changes that queue e-mails).

use crate::{bookings, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_store::{OutboxStore, OutgoingEmail, StoreResult};
use uuid::Uuid;

#[async_trait]
impl OutboxStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        let e = e.clone();
        write!(self, |conn| bookings::queue_email(conn, &e).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        bookings::list_emails(&mut *self.readers.get().await, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        if limit <= 0 || !bookings::any_email_due(&mut *self.readers.get().await, now).await? {
            return Ok(Vec::new());
        }
        write!(self, |conn| bookings::claim_emails(conn, now, lease, limit)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| bookings::mark_email_sent(conn, id, at).await)
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
        write!(self, |conn| bookings::mark_email_failed(
            conn,
            id,
            &error,
            next_attempt_at,
            give_up
        )
        .await)
    }
}
