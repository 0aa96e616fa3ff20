//! Single sign-on with OpenID Connect, per organisation (issue 15): a
//! network admin registers an organisation's identity provider (issuer,
//! client id, client secret sealed at rest, the e-mail domains it answers
//! for); a person whose address is in such a domain signs in there with the
//! authorization code flow, PKCE, `state` and `nonce`, and the ID token's
//! signature and claims checked against the provider's published keys
//! (the `openidconnect` crate). The first sign-in links the provider's
//! subject to the person with that verified address (using their
//! invitation if they came from one); later ones find them by subject.
//!
//! The state of a sign-in under way is kept in the database
//! ([`thirdplace_store::SsoStore`]), so any app process may receive the
//! callback; the browser that started it holds the `state` in a cookie of
//! its own, so a callback cannot be completed in another browser.

use crate::AppState;
use axum::Router;

pub mod admin;
pub mod flow;
pub mod seal;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    Router::new().merge(admin::router()).merge(flow::router())
}
