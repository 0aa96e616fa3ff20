//! Webhooks in PostgreSQL: the queries both backends run are in
//! [`thirdplace_store::sql::webhooks`]; here are the events column (a
//! `text[]`), claiming deliveries (rows another worker has locked are
//! skipped) and [`WebhookStore`]. (Deliveries are queued by the changes
//! they report, inside their transactions: see the check-ins in
//! `membership.rs`.)

use crate::dialect::Pg;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Row;
use thirdplace_domain::membership::{Webhook, WebhookDelivery};
use thirdplace_store::sql::webhooks::{self as shared, delivery, webhook, Hooks};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{ClaimedDelivery, StoreError, StoreResult, WebhookStore};
use uuid::Uuid;

impl Hooks for Pg {
    fn event_keys(r: &PgRow, name: &str) -> Result<Vec<String>, sqlx::Error> {
        r.try_get(name)
    }

    /// An empty text gives an empty array.
    fn events_from_text(param: &str) -> String {
        format!("string_to_array({param}, ',')")
    }
}

#[async_trait]
impl WebhookStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        shared::list_webhooks::<Pg>(&mut *self.conn().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        shared::get_webhook::<Pg>(&mut *self.conn().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        shared::write_webhook::<Pg>(&mut *self.conn().await?, w, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        shared::write_webhook::<Pg>(&mut *self.conn().await?, w, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let until = now + lease;
        // SKIP LOCKED: a worker claiming at the same time passes over the rows
        // this one has locked instead of waiting for them, and once committed
        // they are no longer due (next_attempt_at = now + lease) for anyone.
        let claimed = sqlx::query(
            "WITH due AS ( \
                 SELECT id, next_attempt_at AS due_at FROM webhook_deliveries \
                 WHERE delivered_at IS NULL AND NOT failed AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED \
             ) UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2 \
             FROM due WHERE d.id = due.id RETURNING d.*, due.due_at",
        )
        .bind(now)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut due: Vec<(DateTime<Utc>, WebhookDelivery)> = claimed
            .iter()
            .map(|r| Ok((r.try_get("due_at")?, delivery(r)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db)?;
        due.sort_by_key(|a| (a.0, a.1.id));
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let mut hook_ids: Vec<Uuid> = due.iter().map(|(_, d)| d.webhook_id).collect();
        hook_ids.sort();
        hook_ids.dedup();
        let hooks = sqlx::query("SELECT * FROM webhooks WHERE id = ANY ($1)")
            .bind(&hook_ids)
            .all(&self.pool, webhook::<Pg>)
            .await?;
        due.into_iter()
            .map(|(_, delivery)| {
                let webhook = hooks
                    .iter()
                    .find(|w| w.id == delivery.webhook_id)
                    .cloned()
                    // Webhooks are never deleted, and the foreign key keeps them.
                    .ok_or(StoreError::NotFound)?;
                Ok(ClaimedDelivery { delivery, webhook })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        shared::mark_delivered::<Pg>(&mut *self.conn().await?, id, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        shared::mark_attempt_failed::<Pg>(&mut conn, id, error, next_attempt_at, failed).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        shared::retry_delivery::<Pg>(&mut *self.conn().await?, id, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_deliveries_before(
        &self,
        webhook_id: Option<Uuid>,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let mut conn = self.conn().await?;
        shared::list_deliveries::<Pg>(&mut conn, webhook_id, before, limit).await
    }
}
