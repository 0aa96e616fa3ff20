//! `/admin/people/{id}/erase`: a network admin erases a person on their
//! request (GDPR art. 17). The page says what will happen before anything
//! does and asks for the request's reference; the erasure itself follows
//! the same rules as a person's own (see [`super::privacy`]).

use super::privacy::{erase_by_admin, is_erased, parse_reason, AdminErasure};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::page::{parse_id, Page};
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_domain::Person;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/people/{id}/erase", get(confirm).post(erase))
}

/// What the page shows besides the person.
#[derive(Default)]
struct Outcome {
    reason: String,
    reason_error: Option<String>,
    problem: Option<String>,
    done: Option<String>,
}

fn render(page: &Page, status: StatusCode, p: &Person, o: Outcome) -> AppResult<Response> {
    page.render_with_status(
        status,
        "privacy/erase.html",
        context! {
            person => context! {
                id => p.id.to_string(),
                name => format!("{} {}", p.first_name, p.last_name).trim().to_owned(),
                email => p.email.as_str(),
            },
            already => is_erased(p) && o.done.is_none(),
            reason => o.reason,
            reason_error => o.reason_error,
            problem => o.problem,
            done => o.done,
        },
    )
}

async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Person> {
    require_network_admin(page)?;
    Ok(state.store.get_person(parse_id(id)?).await?)
}

async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = load(&state, &page, &id).await?;
    render(&page, StatusCode::OK, &p, Outcome::default())
}

async fn erase(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let p = load(&state, &page, &id).await?;
    let admin = page.user()?.person_id;
    let raw = form.get("reason");
    let reason = match parse_reason(&raw) {
        Ok(r) => r,
        Err(_) => {
            let o = Outcome {
                reason: raw,
                reason_error: Some(page.t("erase_person.reason_missing")),
                ..Outcome::default()
            };
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY, &p, o);
        }
    };
    match erase_by_admin(&state, p.id, admin, &reason).await {
        Ok(AdminErasure::Done(e)) => {
            let after = state.store.get_person(p.id).await?;
            let done = page
                .t("erase_person.done_counts")
                .replace("{b}", &e.cancelled_bookings.len().to_string())
                .replace("{r}", &e.cancelled_registrations.len().to_string());
            let o = Outcome {
                done: Some(done),
                ..Outcome::default()
            };
            render(&page, StatusCode::OK, &after, o)
        }
        Ok(AdminErasure::AlreadyErased) => render(&page, StatusCode::OK, &p, Outcome::default()),
        Err(AppError::Refused {
            code: "last_network_admin",
            ..
        }) => {
            let o = Outcome {
                reason,
                problem: Some(page.t("erase_person.last_admin")),
                ..Outcome::default()
            };
            render(&page, StatusCode::CONFLICT, &p, o)
        }
        Err(e) => Err(e),
    }
}
