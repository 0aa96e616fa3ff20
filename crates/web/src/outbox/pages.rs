//! The e-mail outbox for network admins: every message the service has
//! queued, newest first, with whether and when it was sent, or why not.
//! Without SMTP configured this page is where the messages are read.

use crate::http::error::AppResult;
use crate::http::mail::hide_secret_links;
use crate::http::page::Page;
use crate::http::parse::local_date_time;
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_store::OutgoingEmail;

/// Messages shown; older ones stay in the database.
const SHOWN: i64 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/outbox", get(outbox))
}

/// Where a message stands: `sent`, `failed` (given up), `retrying` (an
/// attempt failed, another will come) or `queued`.
fn status(e: &OutgoingEmail) -> &'static str {
    if e.sent_at.is_some() {
        "sent"
    } else if e.failed {
        "failed"
    } else if e.last_error.is_some() {
        "retrying"
    } else {
        "queued"
    }
}

async fn outbox(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let emails: Vec<_> = state
        .store
        .list_emails(SHOWN)
        .await?
        .into_iter()
        .map(|e| {
            context! {
                id => e.id.to_string(),
                status => status(&e),
                to => e.to_address,
                subject => e.subject,
                body => hide_secret_links(&e.body),
                created_at => local_date_time(e.created_at),
                sent_at => e.sent_at.map(local_date_time),
                attempts => e.attempts,
                last_error => e.last_error,
            }
        })
        .collect();
    let full = emails.len() as i64 == SHOWN;
    page.render(
        "admin/outbox.html",
        context! {
            emails,
            full,
            shown => SHOWN,
            smtp => state.config.mail.smtp_url.is_some(),
        },
    )
}
