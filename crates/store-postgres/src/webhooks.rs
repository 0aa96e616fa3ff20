//! Webhooks in PostgreSQL: the queries both backends run, and
//! `impl WebhookStore`, are in [`thirdplace_store::sql::webhooks`]; here
//! are the events column (a `text[]`) and claiming deliveries, which skips
//! rows another worker has locked. (Deliveries are queued by the changes
//! they report, inside their transactions: see the check-ins in
//! `membership.rs`.)

use crate::db;
use crate::dialect::Pg;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::Row;
use thirdplace_domain::membership::WebhookDelivery;
use thirdplace_store::sql::webhooks::{delivery, webhook, Hooks};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{ClaimedDelivery, StoreError, StoreResult};
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

pub(crate) async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> StoreResult<Vec<ClaimedDelivery>> {
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
    .fetch_all(pool)
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
        .all(pool, webhook::<Pg>)
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
