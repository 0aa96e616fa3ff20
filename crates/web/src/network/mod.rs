//! The network itself: regions, municipalities, operators, hubs with their
//! opening hours, zones and rooms. Its API, the public start and hub pages,
//! and their admin forms (with the admin start page).

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod admin;
pub mod api;
pub mod hubs_api;
pub mod pages;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    Router::new().merge(pages::router()).merge(admin::router())
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(api::list_regions, api::create_region))
        .routes(routes!(api::get_region, api::update_region))
        .routes(routes!(api::list_municipalities, api::create_municipality))
        .routes(routes!(api::get_municipality, api::update_municipality))
        .routes(routes!(api::list_operators, api::create_operator))
        .routes(routes!(api::get_operator, api::update_operator))
        .routes(routes!(hubs_api::list_hubs, hubs_api::create_hub))
        .routes(routes!(hubs_api::get_hub, hubs_api::update_hub))
        .routes(routes!(hubs_api::list_zones, hubs_api::create_zone))
        .routes(routes!(hubs_api::get_zone, hubs_api::update_zone))
        .routes(routes!(hubs_api::list_rooms, hubs_api::create_room))
        .routes(routes!(hubs_api::get_room, hubs_api::update_room))
}
