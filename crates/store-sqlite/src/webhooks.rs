//! Webhooks in SQLite: the queries both backends run, and
//! `impl WebhookStore`, are in [`thirdplace_store::sql::webhooks`]; here
//! are the events column (the keys joined by commas) and claiming
//! deliveries, with a read first that spares the writer a job when nothing
//! is due.
//! (Deliveries are queued by the changes they report, inside their
//! transactions: see the check-ins in `membership.rs`.)

use crate::db;
use crate::dialect::Lite;
use crate::rows;
use crate::SqliteStore;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;
use thirdplace_store::sql::webhooks::{delivery, webhook_prefixed, Hooks};
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{ClaimedDelivery, StoreResult};
use uuid::Uuid;

impl Hooks for Lite {
    fn event_keys(r: &SqliteRow, name: &str) -> Result<Vec<String>, sqlx::Error> {
        let raw: String = r.try_get(name)?;
        Ok(raw
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .collect())
    }

    fn events_from_text(param: &str) -> String {
        param.to_string()
    }
}

/// Whether any delivery is due: the worker asks after every write; most of
/// the time nothing is due, and a read tells so without taking the writer.
async fn any_delivery_due(conn: &mut SqliteConnection, now: DateTime<Utc>) -> StoreResult<bool> {
    let any_due: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM webhook_deliveries \
         WHERE delivered_at IS NULL AND failed = 0 AND next_attempt_at <= ? LIMIT 1",
    )
    .bind(now)
    .optional_value(&mut *conn)
    .await?;
    Ok(any_due.is_some())
}

async fn claim_deliveries(
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
            webhook: webhook_prefixed::<Lite>(r, "w_")?,
        })
    })?;
    // In the order they fell due.
    claimed.sort_by_key(|c| ids.iter().position(|id| *id == c.delivery.id));
    Ok(claimed)
}

/// Claims due deliveries as a job of the writer, if a read finds any due.
pub(crate) async fn claim(
    store: &SqliteStore,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<ClaimedDelivery>> {
    if !any_delivery_due(&mut *store.readers.get().await, now).await? {
        return Ok(Vec::new());
    }
    write!(store, |conn| claim_deliveries(conn, now, lease, limit)
        .await)
}
