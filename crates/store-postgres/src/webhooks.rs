//! Webhooks in PostgreSQL: the subscriptions, and their deliveries that workers
//! claim, mark delivered or failed, and admins retry; [`WebhookStore`] at
//! the end. (Deliveries are queued by the changes they report, inside
//! their transactions: see the check-ins in `membership.rs`.)

use crate::rows;
use crate::WriteOne;
use crate::{db, decode, write_err, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow, Postgres};
use sqlx::QueryBuilder;
use sqlx::Row;
use thirdplace_domain::membership::{Webhook, WebhookDelivery, WebhookEvent};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{ClaimedDelivery, StoreError, StoreResult, WebhookStore};
use uuid::Uuid;

// ---------------------------------------------------------------- webhooks

pub(crate) async fn write_webhook(pool: &PgPool, w: &Webhook, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO webhooks (url, events, secret, active, created_at, id) VALUES ($1, $2, $3, $4, $5, $6)"
    } else {
        "UPDATE webhooks SET url = $1, events = $2, secret = $3, active = $4, created_at = $5 WHERE id = $6"
    };
    sqlx::query(sql)
        .bind(&w.url)
        .bind(event_keys(&w.events))
        .bind(&w.secret)
        .bind(w.active)
        .bind(w.created_at)
        .bind(w.id)
        .write_one(pool, write_err)
        .await
}

fn event(raw: &str) -> Result<WebhookEvent, sqlx::Error> {
    WebhookEvent::parse(raw).ok_or_else(|| decode("event", format!("unknown event {raw:?}")))
}

fn webhook(r: &PgRow) -> Result<Webhook, sqlx::Error> {
    let events: Vec<String> = r.try_get("events")?;
    Ok(Webhook {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        events: events.iter().map(|e| event(e)).collect::<Result<_, _>>()?,
        secret: r.try_get("secret")?,
        active: r.try_get("active")?,
        created_at: r.try_get("created_at")?,
    })
}

fn delivery(r: &PgRow) -> Result<WebhookDelivery, sqlx::Error> {
    let ev: String = r.try_get("event")?;
    Ok(WebhookDelivery {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        event: event(&ev)?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        delivered_at: r.try_get("delivered_at")?,
        failed: r.try_get("failed")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
    })
}

fn event_keys(events: &[WebhookEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.key()).collect()
}

#[async_trait]
impl WebhookStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        sqlx::query("SELECT * FROM webhooks ORDER BY created_at, id")
            .all(&self.pool, webhook)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        sqlx::query("SELECT * FROM webhooks WHERE id = $1")
            .bind(id)
            .one(&self.pool, webhook)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        write_webhook(&self.pool, w, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        write_webhook(&self.pool, w, false).await
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
            .all(&self.pool, webhook)
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
        sqlx::query("UPDATE webhook_deliveries SET delivered_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .write_one(&self.pool, db)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET last_error = $2, next_attempt_at = $3, failed = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(next_attempt_at)
        .bind(failed)
        .write_one(&self.pool, db)
        .await
    }

    /// Due again at `now` if it had failed; a delivered one stays delivered
    /// (as on SQLite). Its attempts and last error are kept.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET failed = FALSE, next_attempt_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .write_one(&self.pool, db)
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_deliveries_before(
        &self,
        webhook_id: Option<Uuid>,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let mut q = QueryBuilder::<Postgres>::new("SELECT * FROM webhook_deliveries WHERE TRUE");
        if let Some(w) = webhook_id {
            q.push(" AND webhook_id = ").push_bind(w);
        }
        if let Some((at, id)) = before {
            q.push(" AND (created_at, id) < (")
                .push_bind(at)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit.max(0));
        let r = q.build().fetch_all(&self.pool).await.map_err(db)?;
        rows(&r, delivery)
    }
}
