//! The open calendar: events with sign-up and a waiting list, colleagues
//! and invitations ([`service`]), its API, the calendar pages and event
//! forms, the public iCalendar feeds with their caches, and the member's
//! own feed (their bookings and events on one secret address).

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod api;
pub mod calendar;
pub mod calendar_cache;
pub mod feeds;
pub mod forms;
pub mod invitations;
pub mod member_feed;
pub mod service;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(invitations::router())
        .merge(calendar::router())
        .merge(forms::router())
}

/// The iCalendar feeds (outside the page context: no cookies, no CSRF).
pub fn feeds_router() -> Router<AppState> {
    Router::new()
        .merge(member_feed::router())
        .merge(feeds::router())
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(api::list_events, api::create_event))
        .routes(routes!(api::get_event, api::update_event))
        .routes(routes!(api::publish_event))
        .routes(routes!(api::cancel_event))
        .routes(routes!(api::list_registrations, api::register))
        .routes(routes!(api::cancel_registration))
        .routes(routes!(api::set_attended))
        .routes(routes!(api::invite))
        .routes(routes!(api::redeem))
        .routes(routes!(api::summary))
        .routes(routes!(member_feed::my_calendar_feed))
        .routes(routes!(member_feed::rotate_calendar_feed))
}
