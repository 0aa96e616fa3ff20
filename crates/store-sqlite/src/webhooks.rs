//! [`WebhookStore`] for SQLite: webhooks and their deliveries (the SQL is in
//! `membership.rs`, next to the check-ins that queue them).

use crate::{membership, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::membership::{Webhook, WebhookDelivery};
use thirdplace_store::{ClaimedDelivery, StoreResult, WebhookStore};
use uuid::Uuid;

#[async_trait]
impl WebhookStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        membership::list_webhooks(&mut *self.readers.get().await).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        membership::get_webhook(&mut *self.readers.get().await, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        write!(self, |conn| membership::write_webhook(conn, &w, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        write!(self, |conn| membership::write_webhook(conn, &w, false)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        if limit <= 0 || !membership::any_delivery_due(&mut *self.readers.get().await, now).await? {
            return Ok(Vec::new());
        }
        write!(self, |conn| membership::claim_deliveries(
            conn, now, lease, limit
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| membership::mark_delivered(conn, id, at).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()> {
        let error = error.to_owned();
        write!(self, |conn| membership::mark_attempt_failed(
            conn,
            id,
            &error,
            next_attempt_at,
            failed
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| membership::retry_delivery(conn, id, now).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_deliveries(
        &self,
        webhook_id: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        membership::list_deliveries(&mut *self.readers.get().await, webhook_id, limit).await
    }
}
