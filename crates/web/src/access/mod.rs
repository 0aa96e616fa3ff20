//! Getting into an account without a password one knows (issue 15):
//! password reset by a one-time link sent by e-mail, and (the links are
//! alike) invitations that let a person an admin created choose their
//! first password. The links' secrets go only into the e-mail; the store
//! keeps their SHA-256 ([`thirdplace_store::AccessStore`]).
//!
//! This module must never tell whether an address is known, and never put
//! a link's secret into a log line, a page other than the link's own, or
//! what admins read in the outbox (see [`crate::http::mail::hide_secret_links`]).

use crate::AppState;
use axum::Router;

pub mod pages;
pub mod service;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}
