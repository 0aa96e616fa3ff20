//! Webhooks in SQLite: the subscriptions, and their deliveries that workers
//! claim, mark delivered or failed, and admins retry; [`WebhookStore`] at
//! the end. (Deliveries are queued by the changes they report, inside
//! their transactions: see the check-ins in `membership.rs`.)

use crate::rows;
use crate::WriteOne;
use crate::{db, decode, write_err, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};
use sqlx::QueryBuilder;
use sqlx::Row;
use thirdplace_domain::membership::{Webhook, WebhookDelivery, WebhookEvent};
use thirdplace_store::sql::Fetch;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::sql::{push_keyset_after, Towards};
use thirdplace_store::{ClaimedDelivery, StoreResult, WebhookStore};
use uuid::Uuid;

// ---------------------------------------------------------------- webhooks

fn events_text(events: &[WebhookEvent]) -> String {
    events.iter().map(|e| e.key()).collect::<Vec<_>>().join(",")
}

fn parse_events(raw: &str) -> Result<Vec<WebhookEvent>, sqlx::Error> {
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| WebhookEvent::parse(s).ok_or_else(|| decode("events", s)))
        .collect()
}

fn webhook_prefixed(r: &SqliteRow, p: &str) -> Result<Webhook, sqlx::Error> {
    let col = |c: &str| format!("{p}{c}");
    let events: String = r.try_get(col("events").as_str())?;
    Ok(Webhook {
        id: r.try_get(col("id").as_str())?,
        url: r.try_get(col("url").as_str())?,
        events: parse_events(&events)?,
        secret: r.try_get(col("secret").as_str())?,
        active: r.try_get(col("active").as_str())?,
        created_at: r.try_get(col("created_at").as_str())?,
    })
}

fn webhook(r: &SqliteRow) -> Result<Webhook, sqlx::Error> {
    webhook_prefixed(r, "")
}

fn delivery(r: &SqliteRow) -> Result<WebhookDelivery, sqlx::Error> {
    let event: String = r.try_get("event")?;
    Ok(WebhookDelivery {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        event: WebhookEvent::parse(&event).ok_or_else(|| decode("event", &event))?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        delivered_at: r.try_get("delivered_at")?,
        failed: r.try_get("failed")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) async fn list_webhooks(conn: &mut SqliteConnection) -> StoreResult<Vec<Webhook>> {
    sqlx::query("SELECT * FROM webhooks ORDER BY created_at, id")
        .all(&mut *conn, webhook)
        .await
}

pub(crate) async fn get_webhook(conn: &mut SqliteConnection, id: Uuid) -> StoreResult<Webhook> {
    sqlx::query("SELECT * FROM webhooks WHERE id = ?")
        .bind(id)
        .one(&mut *conn, webhook)
        .await
}

pub(crate) async fn write_webhook(
    conn: &mut SqliteConnection,
    w: &Webhook,
    insert: bool,
) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO webhooks (url, events, secret, active, created_at, id) VALUES (?, ?, ?, ?, ?, ?)"
    } else {
        "UPDATE webhooks SET url = ?, events = ?, secret = ?, active = ?, created_at = ? WHERE id = ?"
    };
    sqlx::query(sql)
        .bind(&w.url)
        .bind(events_text(&w.events))
        .bind(&w.secret)
        .bind(w.active)
        .bind(w.created_at)
        .bind(w.id)
        .write_one(&mut *conn, write_err)
        .await
}

/// Whether any delivery is due: the worker asks after every write; most of
/// the time nothing is due, and a read tells so without taking the writer.
pub(crate) async fn any_delivery_due(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let any_due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM webhook_deliveries \
         WHERE delivered_at IS NULL AND failed = 0 AND next_attempt_at <= ? LIMIT 1",
    )
    .bind(now)
    .optional_value(&mut *conn)
    .await?;
    Ok(any_due.is_some())
}

pub(crate) async fn claim_deliveries(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<ClaimedDelivery>> {
    if limit <= 0 {
        return Ok(Vec::new());
    }
    // Uses the partial index `webhook_deliveries_due`.
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM webhook_deliveries \
         WHERE delivered_at IS NULL AND failed = 0 AND next_attempt_at <= ? \
         ORDER BY next_attempt_at, id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let update_sql = format!(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ? \
         WHERE id IN ({marks})"
    );
    let mut update = sqlx::query(&update_sql).bind(now + lease);
    for id in &ids {
        update = update.bind(id);
    }
    update.execute(&mut *conn).await.map_err(db)?;
    let select_sql = format!(
        "SELECT d.*, w.id AS w_id, w.url AS w_url, w.events AS w_events, w.secret AS w_secret, \
         w.active AS w_active, w.created_at AS w_created_at \
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE d.id IN ({marks})"
    );
    let mut select = sqlx::query(&select_sql);
    for id in &ids {
        select = select.bind(id);
    }
    let found = select.fetch_all(&mut *conn).await.map_err(db)?;
    let mut claimed = rows(&found, |r| {
        Ok(ClaimedDelivery {
            delivery: delivery(r)?,
            webhook: webhook_prefixed(r, "w_")?,
        })
    })?;
    // In the order they fell due.
    claimed.sort_by_key(|c| ids.iter().position(|id| *id == c.delivery.id));
    Ok(claimed)
}

pub(crate) async fn mark_delivered(
    conn: &mut SqliteConnection,
    id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE webhook_deliveries SET delivered_at = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .write_one(&mut *conn, db)
        .await
}

pub(crate) async fn mark_attempt_failed(
    conn: &mut SqliteConnection,
    id: Uuid,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    failed: bool,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET last_error = ?, next_attempt_at = ?, failed = ? WHERE id = ?",
    )
    .bind(error)
    .bind(next_attempt_at)
    .bind(failed)
    .bind(id)
    .write_one(&mut *conn, db)
    .await
}

pub(crate) async fn retry_delivery(
    conn: &mut SqliteConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE webhook_deliveries SET failed = 0, next_attempt_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .write_one(&mut *conn, db)
        .await
}

pub(crate) async fn list_deliveries(
    conn: &mut SqliteConnection,
    webhook_id: Option<Uuid>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> StoreResult<Vec<WebhookDelivery>> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT * FROM webhook_deliveries WHERE 1 = 1");
    if let Some(w) = webhook_id {
        q.push(" AND webhook_id = ").push_bind(w);
    }
    // `created_at` is RFC 3339 text in UTC, which sorts as the instants do.
    if let Some((at, id)) = before {
        push_keyset_after(
            &mut q,
            "created_at",
            Towards::Smaller,
            "id",
            Towards::Smaller,
            at,
            id,
        );
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(limit.max(0));
    let r = q.build().fetch_all(&mut *conn).await.map_err(db)?;
    rows(&r, delivery)
}

#[async_trait]
impl WebhookStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        list_webhooks(&mut *self.readers.get().await).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        get_webhook(&mut *self.readers.get().await, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        write!(self, |conn| write_webhook(conn, &w, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        write!(self, |conn| write_webhook(conn, &w, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        if limit <= 0 || !any_delivery_due(&mut *self.readers.get().await, now).await? {
            return Ok(Vec::new());
        }
        write!(self, |conn| claim_deliveries(conn, now, lease, limit).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| mark_delivered(conn, id, at).await)
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
        write!(self, |conn| mark_attempt_failed(
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
        write!(self, |conn| retry_delivery(conn, id, now).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_deliveries_before(
        &self,
        webhook_id: Option<Uuid>,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        list_deliveries(&mut *self.readers.get().await, webhook_id, before, limit).await
    }
}
