//! Retention ("gallring"): the network's limits on how long detail about
//! people is kept, set by network admins on `/admin/retention` and through
//! `GET`/`PUT /api/v1/retention`, and their application — every hour by
//! one `serve` process ([`service::run_if_due`], from `background.rs`), at
//! once from the admin page or `POST /api/v1/retention/run`, or by
//! `thirdplace retention run`. What each limit reduces, and what is kept
//! for the statistics and for bookkeeping, is the store's
//! `RetentionStore`; the limits and their bounds are the domain's.

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

pub mod api;
pub mod pages;
pub mod service;

/// The admin page (the root wraps it in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}

/// The API's routes, added to the OpenAPI document.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    api::routes(r)
}
