//! Memberships: plans and seats, members' cards with their QR codes and
//! profiles, check-ins and guests (the service, the API, the host and kiosk
//! pages), and the webhooks that tell door locks and screens about them.

use crate::http::api_resource;
use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod api;
pub mod bulk;
pub mod checkins;
pub mod checkins_api;
pub mod pages;
pub mod qr;
pub mod webhooks;
pub mod webhooks_api;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let r = api_resource::api_routes::<api::Plans>(r);
    let r = api_resource::api_routes::<webhooks_api::Webhooks>(r);
    r.routes(routes!(api::list_seats, api::buy_seats))
        .routes(routes!(bulk::bulk_seats))
        .routes(routes!(api::get_seat))
        .routes(routes!(api::set_holder))
        .routes(routes!(api::end))
        .routes(routes!(api::my_card))
        .routes(routes!(api::rotate_card))
        .routes(routes!(api::my_profile, api::set_my_profile))
        .routes(routes!(checkins_api::create_checkin))
        .routes(routes!(checkins_api::get_checkin))
        .routes(routes!(checkins_api::checkout))
        .routes(routes!(checkins_api::add_guest))
        .routes(routes!(checkins_api::scan))
        .routes(routes!(checkins_api::presence))
        .routes(routes!(checkins_api::access_summary))
        .routes(routes!(webhooks_api::list_deliveries))
        .routes(routes!(webhooks_api::retry_delivery))
}
