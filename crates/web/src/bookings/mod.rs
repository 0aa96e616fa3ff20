//! Room bookings: the service every booking goes through
//! ([`service`]), its API, the booking pages (with the hosts' pages), and
//! the public feed of when a room is taken.

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod api;
pub mod feeds;
pub mod pages;
pub mod service;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}

/// The iCalendar feeds (outside the page context: no cookies, no CSRF).
pub fn feeds_router() -> Router<AppState> {
    feeds::router()
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(api::availability))
        .routes(routes!(api::list_bookings, api::create_booking))
        .routes(routes!(api::quote))
        .routes(routes!(api::create_series))
        .routes(routes!(api::get_booking, api::cancel_booking))
        .routes(routes!(api::get_rules, api::set_rules))
}
