//! People and their organisations: signing in (passwords, sessions, API
//! tokens), the account page, the API and admin pages of organisations and
//! people, and privacy: a person's export and erasure, a network admin's
//! erasure of a person, the record of processing and the public privacy
//! and accessibility notices.

use crate::http::api_resource;
use crate::AppState;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod account;
pub mod admin;
pub mod api;
/// Passwords, sessions and the sign-in throttle: plumbing in the leaf
/// [`crate::http::sign_in`] since password reset ([`crate::access`]) uses it too.
pub use crate::http::sign_in as auth;
pub mod erase_admin;
pub mod invitations;
pub mod notices;
pub mod privacy;
pub mod processing;
pub mod sessions;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(account::router())
        .merge(sessions::router())
        .merge(admin::router())
        .merge(erase_admin::router())
        .merge(invitations::router())
        .merge(processing::router())
        .merge(notices::router())
}

/// The API's routes, under `/api/v1`.
pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    api_resource::api_routes::<api::Organisations>(r)
        .routes(routes!(api::list_people, api::create_person))
        .routes(routes!(api::get_person, api::update_person))
        .routes(routes!(
            invitations::get_invitation,
            invitations::send_invitation,
            invitations::revoke_invitation
        ))
        .routes(routes!(api::me))
        .routes(routes!(sessions::list_my_sessions))
        .routes(routes!(sessions::end_my_session))
        .routes(routes!(sessions::sign_out_everywhere))
        .routes(routes!(privacy::export))
        .routes(routes!(privacy::erase_me))
        .routes(routes!(privacy::erase_person))
}
