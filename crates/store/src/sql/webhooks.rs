//! Webhooks in both SQL backends: the rows, the subscriptions' reads and
//! writes, marking deliveries and listing them. A webhook's events are a
//! list column, which each backend keeps its own way ([`Hooks`]); claiming
//! deliveries differs (PostgreSQL skips rows other processes have locked),
//! so each backend claims in its own SQL with these mappers. Delivery
//! instants are the database's own type in both (RFC 3339 text in SQLite,
//! which sorts as the instants do).

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect, RowOf};
use super::{decode, SqlRow};
use crate::StoreResult;
use crate::{ClaimedDelivery, WebhookStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::membership::{Webhook, WebhookDelivery, WebhookEvent};
use uuid::Uuid;

/// How a backend keeps a webhook's events.
pub trait Hooks: Dialect {
    /// The events in column `name`, as keys.
    fn event_keys(r: &RowOf<Self>, name: &str) -> Result<Vec<String>, sqlx::Error>;

    /// The SQL that turns placeholder `param`, bound to the keys joined by
    /// commas, into the column's value.
    fn events_from_text(param: &str) -> String;
}

/// One event from its key.
pub fn event(raw: &str) -> Result<WebhookEvent, sqlx::Error> {
    WebhookEvent::parse(raw).ok_or_else(|| decode("event", format!("unknown event {raw:?}")))
}

/// A webhook whose columns are named `{p}id`, `{p}url`, … (a query that
/// joins webhooks to deliveries names them `w_*`).
pub fn webhook_prefixed<D: Hooks>(r: &RowOf<D>, p: &str) -> Result<Webhook, sqlx::Error> {
    let col = |c: &str| format!("{p}{c}");
    let keys = D::event_keys(r, &col("events"))?;
    Ok(Webhook {
        id: r.column(&col("id"))?,
        url: r.column(&col("url"))?,
        events: keys.iter().map(|k| event(k)).collect::<Result<_, _>>()?,
        secret: r.column(&col("secret"))?,
        active: r.column(&col("active"))?,
        created_at: r.column(&col("created_at"))?,
    })
}

pub fn webhook<D: Hooks>(r: &RowOf<D>) -> Result<Webhook, sqlx::Error> {
    webhook_prefixed::<D>(r, "")
}

pub fn delivery<R: SqlRow>(r: &R) -> Result<WebhookDelivery, sqlx::Error> {
    let ev: String = r.column("event")?;
    Ok(WebhookDelivery {
        id: r.column("id")?,
        webhook_id: r.column("webhook_id")?,
        event: event(&ev)?,
        payload: r.column("payload")?,
        attempts: r.column("attempts")?,
        next_attempt_at: r.column("next_attempt_at")?,
        delivered_at: r.column("delivered_at")?,
        failed: r.column("failed")?,
        last_error: r.column("last_error")?,
        created_at: r.column("created_at")?,
    })
}

/// All webhooks, oldest first.
pub async fn list_webhooks<D: Hooks>(conn: &mut Conn<D>) -> StoreResult<Vec<Webhook>> {
    let sql = "SELECT * FROM webhooks ORDER BY created_at, id";
    dialect::all::<D, _>(conn, sql, Vec::new(), webhook::<D>).await
}

pub async fn get_webhook<D: Hooks>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Webhook> {
    let sql = "SELECT * FROM webhooks WHERE id = $1";
    let found = dialect::all::<D, _>(conn, sql, vec![Arg::Id(id)], webhook::<D>).await?;
    super::one(found)
}

/// Inserts `w`, or (not `insert`) updates it by id.
pub async fn write_webhook<D: Hooks>(
    conn: &mut Conn<D>,
    w: &Webhook,
    insert: bool,
) -> StoreResult<()> {
    let events = D::events_from_text("$2");
    let sql = if insert {
        format!(
            "INSERT INTO webhooks (url, events, secret, active, created_at, id) \
             VALUES ($1, {events}, $3, $4, $5, $6)"
        )
    } else {
        format!(
            "UPDATE webhooks SET url = $1, events = {events}, secret = $3, active = $4, \
             created_at = $5 WHERE id = $6"
        )
    };
    let keys: Vec<&str> = w.events.iter().map(|e| e.key()).collect();
    let args = vec![
        Arg::Text(&w.url),
        Arg::Owned(keys.join(",")),
        Arg::Text(&w.secret),
        Arg::Bool(w.active),
        Arg::Timestamp(w.created_at),
        Arg::Id(w.id),
    ];
    dialect::write_one::<D>(conn, &sql, args).await
}

pub async fn mark_delivered<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "UPDATE webhook_deliveries SET delivered_at = $2 WHERE id = $1";
    dialect::found::<D>(conn, sql, vec![Arg::Id(id), Arg::Timestamp(at)]).await
}

pub async fn mark_attempt_failed<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    failed: bool,
) -> StoreResult<()> {
    let sql = "UPDATE webhook_deliveries SET last_error = $2, next_attempt_at = $3, failed = $4 \
               WHERE id = $1";
    let args = vec![
        Arg::Id(id),
        Arg::Text(error),
        Arg::Timestamp(next_attempt_at),
        Arg::Bool(failed),
    ];
    dialect::found::<D>(conn, sql, args).await
}

/// Due again at `now` if it had failed; a delivered one stays delivered.
/// Its attempts and last error are kept.
pub async fn retry_delivery<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = "UPDATE webhook_deliveries SET failed = FALSE, next_attempt_at = $2 WHERE id = $1";
    dialect::found::<D>(conn, sql, vec![Arg::Id(id), Arg::Timestamp(now)]).await
}

/// Deliveries, newest first, optionally of one webhook, strictly older
/// than `before` (`(created_at, id)`), at most `limit`.
pub async fn list_deliveries<D: Dialect>(
    conn: &mut Conn<D>,
    webhook_id: Option<Uuid>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> StoreResult<Vec<WebhookDelivery>> {
    let mut sql = String::from("SELECT * FROM webhook_deliveries WHERE TRUE");
    let mut args = Vec::new();
    if let Some(w) = webhook_id {
        args.push(Arg::Id(w));
        sql.push_str(&format!(" AND webhook_id = ${}", args.len()));
    }
    if let Some((at, id)) = before {
        args.extend([Arg::Timestamp(at), Arg::Id(id)]);
        let n = args.len();
        sql.push_str(&format!(" AND (created_at, id) < (${}, ${n})", n - 1));
    }
    args.push(Arg::Int(limit.max(0)));
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT ${}",
        args.len()
    ));
    dialect::all::<D, _>(conn, &sql, args, delivery).await
}

#[async_trait]
impl<B: Backend> WebhookStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        list_webhooks::<B::D>(&mut *self.reader().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        get_webhook::<B::D>(&mut *self.reader().await?, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        self.write(move |c| Box::pin(async move { write_webhook::<B::D>(c, &w, true).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        self.write(move |c| Box::pin(async move { write_webhook::<B::D>(c, &w, false).await }))
            .await
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
        self.claim_due_deliveries(now, lease, limit).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |c| Box::pin(async move { mark_delivered::<B::D>(c, id, at).await }))
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
        let error = error.to_owned();
        self.write(move |c| {
            Box::pin(async move {
                mark_attempt_failed::<B::D>(c, id, &error, next_attempt_at, failed).await
            })
        })
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        self.write(move |c| Box::pin(async move { retry_delivery::<B::D>(c, id, now).await }))
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_deliveries_before(
        &self,
        webhook_id: Option<Uuid>,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let mut conn = self.reader().await?;
        list_deliveries::<B::D>(&mut conn, webhook_id, before, limit).await
    }
}
