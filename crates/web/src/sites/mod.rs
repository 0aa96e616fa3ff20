//! Site selection: where the next hubs should go, from GeoNames locality
//! data ([`thirdplace_sites`]): the API and the network admins' planner.

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod api;
pub mod pages;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(api::suggest))
}
