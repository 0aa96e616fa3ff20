//! The public notices every page links to from its footer: how personal
//! data is processed (`/privacy`, "Så behandlar vi personuppgifter",
//! generated from the record of processing in [`super::processing`]) and
//! the accessibility statement (`/accessibility`,
//! "Tillgänglighetsredogörelse") that lagen (2018:1937) om tillgänglighet
//! till digital offentlig service asks Swedish public bodies to publish, in
//! the structure DIGG prescribes. Who is responsible and whom to contact
//! come from the operators the network has registered, never from names
//! written into the code.

use super::processing::{activities, controllers, controllers_context};
use crate::http::error::AppResult;
use crate::http::page::Page;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;

/// When the accessibility statement was made and last reviewed: change it
/// whenever the statement's content changes.
pub const STATEMENT_DATE: &str = "2026-12-06";

/// The known shortcomings the statement lists (`a11y.gap_*`).
const GAPS: &[&str] = &["manual", "unchecked", "sometimes", "files"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(privacy))
        .route("/accessibility", get(accessibility))
}

/// The contact addresses of the controllers, without repeats.
fn contacts(ops: &[thirdplace_domain::Operator]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in ops.iter().filter_map(|o| o.contact_email.as_ref()) {
        if !out.iter().any(|c| c.eq_ignore_ascii_case(e.as_str())) {
            out.push(e.as_str().to_owned());
        }
    }
    out
}

async fn privacy(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let ops = controllers(&state).await?;
    page.render(
        "privacy/notice.html",
        context! {
            controllers => controllers_context(&ops),
            contacts => contacts(&ops),
            activities => activities(page.lang),
        },
    )
}

async fn accessibility(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let ops = controllers(&state).await?;
    let names: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
    page.render(
        "privacy/accessibility.html",
        context! {
            responsible => if names.is_empty() { page.t("a11y.intro_no_operator") } else { names.join(", ") },
            contacts => contacts(&ops),
            gaps => GAPS.iter().map(|g| page.t(&format!("a11y.gap_{g}"))).collect::<Vec<_>>(),
            date_text => page.t("a11y.date").replace("{date}", STATEMENT_DATE),
        },
    )
}
