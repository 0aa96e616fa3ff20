//! What the page, the API and the background worker share: changing the
//! policy (recorded in the audit trail) and applying it.

use crate::http::audit;
use crate::AppState;
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy};
use thirdplace_store::StoreResult;
use uuid::Uuid;

/// How often the policy is applied: one process of several claims each
/// period (the store records the claim).
pub const EVERY: chrono::Duration = chrono::Duration::hours(1);

/// The audit trail's object for the policy: there is one, the network's.
const OBJECT: (&str, Uuid) = ("retention", Uuid::nil());

/// Sets the network's policy and records what changed.
pub async fn set_policy(state: &AppState, actor: Uuid, p: &RetentionPolicy) -> StoreResult<()> {
    let old = state.store.retention_policy().await?;
    state.store.set_retention_policy(p).await?;
    let details = audit::changes(&old, p);
    audit::record(state, Some(actor), "retention.changed", OBJECT, details).await;
    Ok(())
}

/// Applies the network's policy now. What was reduced is logged, and
/// recorded in the audit trail (as done by `actor`, or by the system) when
/// anything was.
pub async fn run(state: &AppState, actor: Option<Uuid>) -> StoreResult<RetentionCounts> {
    let policy = state.store.retention_policy().await?;
    let c = state.store.apply_retention(&policy, state.now()).await?;
    tracing::info!(
        checkins = c.checkins,
        guest_visits = c.guest_visits,
        guest_names = c.guest_names,
        emails = c.emails,
        webhook_payloads = c.webhook_payloads,
        sessions = c.sessions,
        api_tokens = c.api_tokens,
        sign_in_links = c.sign_in_links,
        sign_in_failures = c.sign_in_failures,
        "retention applied"
    );
    if c.total() > 0 {
        let details = serde_json::to_value(c).unwrap_or_default();
        audit::record(state, actor, "retention.applied", OBJECT, details).await;
    }
    Ok(c)
}

/// Applies the policy if no process has in the last [`EVERY`]; `None` when
/// another one has.
pub async fn run_if_due(state: &AppState) -> StoreResult<Option<RetentionCounts>> {
    let now = state.now();
    if !state.store.claim_retention_run(now, now - EVERY).await? {
        return Ok(None);
    }
    run(state, None).await.map(Some)
}
