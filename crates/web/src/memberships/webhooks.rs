//! Webhook deliveries: events are queued in the database in the same
//! transaction as the change they report (see the store), and this worker
//! sends them, signed, retrying with backoff until the receiver answers
//! 2xx. A receiver that is down loses nothing: the delivery waits in the
//! queue, across restarts, and several processes never send one at once
//! (the store leases each claimed delivery).
//!
//! Each request is a POST of the event's JSON with headers
//! `X-Thirdplace-Event`, `X-Thirdplace-Delivery` (stable across retries),
//! `X-Thirdplace-Timestamp` (Unix seconds) and `X-Thirdplace-Signature:
//! sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the webhook's secret>`.

use crate::http::worker::send_each;
use crate::AppState;
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thirdplace_domain::membership::{webhook_backoff, WEBHOOK_GIVE_UP_AFTER};
use thirdplace_store::ClaimedDelivery;

/// How long a claimed delivery is hidden from other workers; longer than
/// [`REQUEST_TIMEOUT_SECS`], so a delivery is never sent twice at once.
const LEASE_SECS: i64 = 60;
const REQUEST_TIMEOUT_SECS: u64 = 10;
const BATCH: i64 = 16;

/// The signature header's value for a body sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut m =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body.as_bytes());
    format!("sha256={}", hex::encode(m.finalize().into_bytes()))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(REQUEST_TIMEOUT_SECS))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("thirdplace-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// Claims and sends the deliveries due now; returns how many were tried.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> usize {
    let claimed = state
        .store
        .claim_deliveries(state.now(), Duration::seconds(LEASE_SECS), BATCH)
        .await;
    send_each(claimed, "webhook deliveries", |d| {
        let (state, client) = (state.clone(), client.clone());
        async move { send_one(&state, &client, d).await }
    })
    .await
}

async fn send_one(state: &AppState, client: &reqwest::Client, c: ClaimedDelivery) {
    let d = &c.delivery;
    if !c.webhook.active {
        // Switched off after the event was queued: keep it, visibly, for
        // an admin to retry once the webhook is on again.
        let _ = state
            .store
            .mark_attempt_failed(d.id, "the webhook is switched off", state.now(), true)
            .await;
        return;
    }
    let timestamp = state.now().timestamp();
    let result = client
        .post(&c.webhook.url)
        .header("content-type", "application/json")
        .header("x-thirdplace-event", d.event.key())
        .header("x-thirdplace-delivery", d.id.to_string())
        .header("x-thirdplace-timestamp", timestamp.to_string())
        .header(
            "x-thirdplace-signature",
            signature(&c.webhook.secret, timestamp, &d.payload),
        )
        .body(d.payload.clone())
        .send()
        .await;
    let error = match result {
        Ok(resp) if resp.status().is_success() => None,
        Ok(resp) => Some(format!("the receiver answered {}", resp.status())),
        Err(e) if e.is_timeout() => Some("the receiver did not answer in time".to_string()),
        Err(e) if e.is_connect() => Some("could not connect to the receiver".to_string()),
        Err(e) => Some(format!("request failed: {e}")),
    };
    let now = state.now();
    let outcome = match error {
        None => state.store.mark_delivered(d.id, now).await,
        Some(err) => {
            let give_up = now - d.created_at > WEBHOOK_GIVE_UP_AFTER;
            tracing::info!(delivery = %d.id, attempts = d.attempts, error = %err, give_up, "webhook delivery failed");
            state
                .store
                .mark_attempt_failed(d.id, &err, now + webhook_backoff(d.attempts), give_up)
                .await
        }
    };
    if let Err(e) = outcome {
        // The lease runs out and the delivery is tried again.
        tracing::warn!(delivery = %d.id, error = %e, "could not record a webhook attempt");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_and_body() {
        // Reference value computed independently:
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, r#"{"a":1}"#),
            "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }
}
