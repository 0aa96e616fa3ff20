//! The audit trail of administrative actions, for network admins: a page
//! filtered by person, object and time (`/admin/audit`), its CSV export
//! (`/admin/audit.csv`, every matching entry) and the API
//! (`GET /api/v1/audit`, paged). Capabilities write the trail with
//! [`crate::http::audit::record`]; the store keeps it append-only.

use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;

pub mod api;
pub mod pages;
mod read;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}

/// The API's routes, added to the OpenAPI document.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    api::routes(r)
}
