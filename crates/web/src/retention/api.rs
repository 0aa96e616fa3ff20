//! `GET`/`PUT /api/v1/retention`: the network's retention limits, and
//! `POST /api/v1/retention/run`: apply them now. Network admins only.

use super::service;
use crate::http::api::{require, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppResult, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use thirdplace_domain::retention::{RetentionCounts, RetentionInput, RetentionPolicy};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_retention, set_retention))
        .routes(routes!(run_retention))
}

/// The network's retention limits, in whole days.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionBody {
    /// Check-ins are reduced to visits per hub and day after this many
    /// days (31–3650; default 396, thirteen months).
    #[schema(minimum = 31, maximum = 3650)]
    pub checkin_days: i64,
    /// Guests' names are erased this many days after the visit (1–3650;
    /// default 30).
    #[schema(minimum = 1, maximum = 3650)]
    pub guest_name_days: i64,
    /// Sent e-mails lose their address and text this many days after they
    /// were sent (1–3650; default 90).
    #[schema(minimum = 1, maximum = 3650)]
    pub email_days: i64,
    /// Finished webhook deliveries lose their payload and error this many
    /// days after they were queued (1–3650; default 30).
    #[schema(minimum = 1, maximum = 3650)]
    pub webhook_days: i64,
    /// Expired sessions and revoked API tokens are deleted this many days
    /// after they ended (0–365, 0 at once; default 1).
    #[schema(minimum = 0, maximum = 365)]
    pub session_days: i64,
    /// Counts of failed sign-ins are deleted this many days after the last
    /// failure (1–365; default 1).
    #[schema(minimum = 1, maximum = 365)]
    pub sign_in_failure_days: i64,
}

impl From<RetentionPolicy> for RetentionBody {
    fn from(p: RetentionPolicy) -> Self {
        RetentionBody {
            checkin_days: p.checkin_days,
            guest_name_days: p.guest_name_days,
            email_days: p.email_days,
            webhook_days: p.webhook_days,
            session_days: p.session_days,
            sign_in_failure_days: p.sign_in_failure_days,
        }
    }
}

/// The network's retention limits. Network admins only.
#[utoipa::path(get, path = "/retention", tag = "retention", security(("token" = [])),
    responses((status = 200, body = RetentionBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_retention(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<RetentionBody>> {
    require(&auth, |p| p.can_manage_network())?;
    Ok(Json(state.store.retention_policy().await?.into()))
}

/// Sets the network's retention limits (recorded in the audit trail).
/// Network admins only.
#[utoipa::path(put, path = "/retention", tag = "retention", request_body = RetentionBody, security(("token" = [])),
    responses((status = 200, body = RetentionBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_retention(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<RetentionBody>,
) -> AppResult<Json<RetentionBody>> {
    let who = require(&auth, |p| p.can_manage_network())?;
    let body = body.parse()?;
    let input = RetentionInput {
        checkin_days: body.checkin_days.to_string(),
        guest_name_days: body.guest_name_days.to_string(),
        email_days: body.email_days.to_string(),
        webhook_days: body.webhook_days.to_string(),
        session_days: body.session_days.to_string(),
        sign_in_failure_days: body.sign_in_failure_days.to_string(),
    };
    let policy = input.validate()?;
    service::set_policy(&state, who.person_id, &policy).await?;
    Ok(Json(policy.into()))
}

/// Applies the retention limits now (as the hourly run does) and answers
/// what was reduced. Network admins only.
#[utoipa::path(post, path = "/retention/run", tag = "retention", security(("token" = [])),
    responses((status = 200, body = RetentionCounts), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn run_retention(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<RetentionCounts>> {
    let who = require(&auth, |p| p.can_manage_network())?;
    Ok(Json(service::run(&state, Some(who.person_id)).await?))
}
