//! `/admin/retention`: the network's retention limits as a form, when they
//! were last applied, and a button that applies them now. Network admins
//! only.

use super::service;
use crate::http::error::AppResult;
use crate::http::form_data::FormData;
use crate::http::forms::{saved_redirect, Form, SavedQuery, NO_ERRORS};
use crate::http::page::Page;
use crate::http::parse::local_date_time;
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use thirdplace_domain::retention::{RetentionCounts, RetentionInput, BOUNDS};
use thirdplace_domain::ValidationErrors;

const PATH: &str = "/admin/retention";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show).post(save))
        .route("/admin/retention/run", post(run))
}

/// The page: the form with `input` and its `errors`, and `ran`, the counts
/// of a run just made.
async fn render(
    state: &AppState,
    page: &Page,
    input: &RetentionInput,
    errors: &ValidationErrors,
    saved: bool,
    ran: Option<RetentionCounts>,
) -> AppResult<Response> {
    let values = [
        &input.checkin_days,
        &input.guest_name_days,
        &input.email_days,
        &input.webhook_days,
        &input.session_days,
        &input.sign_in_failure_days,
    ];
    let mut form = Form::new(page, errors);
    for ((name, _, _), value) in BOUNDS.iter().zip(values) {
        form = form
            .text(name, value)
            .required()
            .numeric("numeric")
            .help(&format!("retention.{name}_help"));
    }
    let status = form.status();
    let (fields, errors) = form.into_parts();
    let last_run = state.store.last_retention_run().await?.map(local_date_time);
    let ran = ran.map(|c| {
        c.by_kind()
            .into_iter()
            .map(|(k, n)| context! { label => page.t(&format!("retention.count.{k}")), n })
            .collect::<Vec<_>>()
    });
    page.render_with_status(
        status,
        "retention/settings.html",
        context! { fields, errors, saved, last_run, ran, action => PATH },
    )
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let p = state.store.retention_policy().await?;
    render(
        &state,
        &page,
        &(&p).into(),
        NO_ERRORS,
        q.saved.is_some(),
        None,
    )
    .await
}

async fn save(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    let form = FormData::parse(&page, &body)?;
    let input: RetentionInput = form.decode()?;
    match input.validate() {
        Ok(p) => {
            service::set_policy(&state, actor, &p).await?;
            Ok(saved_redirect(PATH.into()))
        }
        Err(e) => render(&state, &page, &input, &e, false, None).await,
    }
}

async fn run(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    FormData::parse(&page, &body)?;
    let counts = service::run(&state, Some(actor)).await?;
    let p = state.store.retention_policy().await?;
    render(&state, &page, &(&p).into(), NO_ERRORS, false, Some(counts)).await
}
