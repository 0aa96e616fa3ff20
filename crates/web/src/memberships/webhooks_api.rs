//! Webhooks for door locks and screens: network admins register URLs for
//! check-in, check-out and guest events and can follow each delivery.

use crate::http::api::{bool_str, path_id, require};
use crate::http::api_resource::{plain_record, ApiDoc, ApiResource, At};
use crate::http::auth::Auth;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::paging::Paging;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thirdplace_domain::membership::{Webhook, WebhookDelivery, WebhookInput, WebhookTarget};
use thirdplace_domain::{new_id, Principal};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookBody {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl WebhookBody {
    fn input(&self) -> WebhookInput {
        WebhookInput {
            url: self.url.clone(),
            events: self.events.clone(),
            active: bool_str(self.active),
        }
    }
}

/// A new signing secret for a webhook.
pub fn new_secret() -> String {
    format!("whsec_{}", crate::http::auth::random_secret())
}

/// A new webhook sending to `t`, with a signing secret of its own.
pub fn webhook_for(t: WebhookTarget, now: DateTime<Utc>) -> Webhook {
    Webhook {
        id: new_id(),
        url: t.url,
        events: t.events,
        secret: new_secret(),
        active: t.active,
        created_at: now,
    }
}

/// `old` sending to `t` instead: its id, secret and creation time stay.
pub fn retargeted(old: Webhook, t: WebhookTarget) -> Webhook {
    Webhook {
        url: t.url,
        events: t.events,
        active: t.active,
        ..old
    }
}

pub struct Webhooks;

impl ApiResource for Webhooks {
    plain_record!(Webhook never archived, WebhookBody; list_webhooks, get_webhook, insert_webhook, update_webhook);
    const DOC: ApiDoc = ApiDoc::new("webhooks", "webhook", "webhooks")
        .created(None)
        .replaced("Changes the URL, events or whether it is active; the secret stays.");
    const READERS: Option<fn(&Principal) -> bool> = Some(Principal::can_manage_network);

    fn record(state: &AppState, body: WebhookBody, at: At<Webhook>) -> AppResult<Webhook> {
        let target = body.input().validate()?;
        Ok(match at.old {
            Some(old) => retargeted(old, target),
            None => Webhook {
                id: at.id,
                ..webhook_for(target, state.now())
            },
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
    /// `pending`, `delivered` or `failed` (given up; can be retried).
    pub status: String,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where a delivery stands: `pending`, `delivered` or `failed` (given up).
pub fn delivery_status(d: &WebhookDelivery) -> &'static str {
    if d.delivered_at.is_some() {
        "delivered"
    } else if d.failed {
        "failed"
    } else {
        "pending"
    }
}

impl From<WebhookDelivery> for DeliveryOut {
    fn from(d: WebhookDelivery) -> Self {
        let status = delivery_status(&d);
        DeliveryOut {
            id: d.id,
            webhook_id: d.webhook_id,
            event: d.event.key().into(),
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            attempts: d.attempts,
            status: status.into(),
            next_attempt_at: (status == "pending").then_some(d.next_attempt_at),
            delivered_at: d.delivered_at,
            last_error: d.last_error,
            created_at: d.created_at,
        }
    }
}

/// A webhook's deliveries, newest first, a page at a time (`limit`,
/// `cursor`, and a `Link: <…>; rel="next"` header while there are older ones).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", params(Paging), security(("token" = [])),
    responses((status = 200, body = [DeliveryOut], headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are older deliveries"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    paging: Paging,
) -> AppResult<Response> {
    require(&auth, |p| p.can_manage_network())?;
    let w = state.store.get_webhook(path_id(&id)?).await?;
    let before = paging.cursor(DELIVERIES)?;
    let rows = state
        .store
        .list_deliveries_before(Some(w.id), before, paging.fetch())
        .await?;
    let (rows, next) = paging.page(DELIVERIES, rows, |d| (d.created_at, d.id));
    let out: Vec<DeliveryOut> = rows.into_iter().map(Into::into).collect();
    Ok(paging.respond(Json(out), next.as_deref()))
}

/// The name of the deliveries list's cursors.
const DELIVERIES: &str = "deliveries";

/// Sends a delivery again now (e.g. one given up after three days).
#[utoipa::path(post, path = "/webhook-deliveries/{id}/retry", tag = "webhooks", security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry_delivery(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    require(&auth, |p| p.can_manage_network())?;
    state
        .store
        .retry_delivery(path_id(&id)?, state.now())
        .await?;
    state.webhook_wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
