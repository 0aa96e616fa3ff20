//! E-mail: the outbox's sending worker and its SMTP settings ([`mail`]),
//! and the network admins' outbox page. Capabilities build their messages
//! with [`crate::http::mail`] and queue them in their own transactions.

use crate::AppState;
use axum::Router;

pub mod mail;
pub mod pages;

/// The pages (the root wraps them in the page context).
pub fn router() -> Router<AppState> {
    pages::router()
}
