//! Webhooks: the subscriptions, and the deliveries that changes queue in
//! their own transactions and that workers claim, send and mark.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::membership::{Webhook, WebhookDelivery, WebhookEvent};
use uuid::Uuid;

/// An event to fan out to every active webhook subscribed to it, written in
/// the same transaction as the change it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEvent {
    pub event: WebhookEvent,
    /// The JSON body as it will be sent and signed.
    pub payload: String,
    pub at: DateTime<Utc>,
}

/// A delivery handed to a worker, with the webhook it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub delivery: WebhookDelivery,
    pub webhook: Webhook,
}

/// Webhooks and their queued deliveries.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// All webhooks, oldest first.
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>>;

    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook>;

    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()>;

    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()>;

    /// Hands out up to `limit` deliveries due at `now` (not delivered, not
    /// failed), counting an attempt and hiding each from other workers until
    /// `now + lease`. Several processes never get the same delivery at once.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>>;

    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()>;

    /// Records a failed attempt: tried again at `next_attempt_at`, or given
    /// up (`failed`) and kept for an admin to retry.
    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()>;

    /// Makes a delivery due again now (an admin's retry).
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;

    /// Deliveries, newest first (by creation, then id), optionally of one
    /// webhook, at most `limit`.
    async fn list_deliveries(
        &self,
        webhook_id: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        self.list_deliveries_before(webhook_id, None, limit).await
    }

    /// [`WebhookStore::list_deliveries`] strictly older than `before`
    /// (`(created_at, id)` of the last delivery of the previous page):
    /// keyset paging, no offset.
    async fn list_deliveries_before(
        &self,
        webhook_id: Option<Uuid>,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>>;
}
