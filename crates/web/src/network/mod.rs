//! The network itself: regions, municipalities, operators, hubs with their
//! opening hours, zones and rooms. Its API, the public start and hub pages,
//! and their admin forms (with the admin start page).

use crate::http::api_resource;
use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

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
    let r = api_resource::api_routes::<api::Regions>(r);
    let r = api_resource::api_routes::<api::Municipalities>(r);
    let r = api_resource::api_routes::<api::Operators>(r);
    let r = api_resource::api_routes::<hubs_api::Hubs>(r);
    let r = api_resource::api_routes::<hubs_api::Zones>(r);
    api_resource::api_routes::<hubs_api::Rooms>(r)
}
