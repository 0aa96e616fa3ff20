//! Evaluation (issue 17): pilots — a named set of hubs over a period, run
//! by a region, with goals — and their evaluation: every indicator per hub
//! and for the pilot, each goal's verdict (met, not met, too early), the
//! months. The indicators' rules are the domain's
//! (`thirdplace_domain::evaluation`); the store keeps pilots and reads what
//! happened at their hubs (`EvaluationStore`).

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

pub mod api;
pub mod pages;
pub mod service;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}

/// The API's routes, added to the OpenAPI document.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    api::routes(r)
}
