//! [`WebhookStore`] for PostgreSQL: webhooks and their deliveries (the SQL is in
//! `membership.rs`, next to the check-ins that queue them).

use crate::{membership, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::membership::{Webhook, WebhookDelivery};
use thirdplace_store::{ClaimedDelivery, StoreResult, WebhookStore};
use uuid::Uuid;

#[async_trait]
impl WebhookStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        membership::list_webhooks(&self.pool).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        membership::get_webhook(&self.pool, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        membership::write_webhook(&self.pool, w, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        membership::write_webhook(&self.pool, w, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        membership::claim_deliveries(&self.pool, now, lease, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        membership::mark_delivered(&self.pool, id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()> {
        membership::mark_attempt_failed(&self.pool, id, error, next_attempt_at, failed).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        membership::retry_delivery(&self.pool, id, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_deliveries(
        &self,
        webhook_id: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        membership::list_deliveries(&self.pool, webhook_id, limit).await
    }
}
