//! Seats for many people at once, for an organisation's admins and network
//! admins (issue 15): paste or upload a CSV list, see each line's outcome,
//! then confirm. The rules are [`crate::memberships::bulk`]'s; this page
//! reads the form (urlencoded, or multipart when a file is uploaded) and
//! shows the report in the page's language.

use super::{refusal, Notice};
use crate::http::error::AppResult;
use crate::http::origin::Origin;
use crate::http::page::{parse_id, Page};
use crate::http::roles::require_org;
use crate::http::upload::read_form;
use crate::memberships::bulk::{self, BulkReport, CsvError, Outcome};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/admin/organisations/{id}/seats/bulk",
        get(show).post(submit),
    )
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    require_org(&page, id)?;
    render(&state, &page, id, "", None, None, StatusCode::OK).await
}

/// `step=preview` (the first form) shows what would happen;
/// `step=confirm` (the preview's button) does it.
async fn submit(
    State(state): State<AppState>,
    page: Page,
    origin: Origin,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let fields = read_form(&page, &headers, &body)?;
    let id = parse_id(&id)?;
    require_org(&page, id)?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
            .unwrap_or_default()
    };
    let file = get("file");
    let raw = if file.iter().any(|b| !b.is_ascii_whitespace()) {
        file
    } else {
        get("csv")
    };
    let Ok(text) = std::str::from_utf8(raw) else {
        let notice = error_notice(page.t("bulk.not_utf8"));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &page, id, "", None, Some(notice), status).await;
    };
    // Read first, so that a list that cannot be read is told with its line.
    if let Err(e) = bulk::read_csv(text) {
        let notice = error_notice(csv_error_text(&page, &e));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &page, id, text, None, Some(notice), status).await;
    }
    let confirm = get("step") == b"confirm";
    let result = if confirm {
        let actor = page.user()?.person_id;
        bulk::apply(&state, &origin.0, actor, id, text).await
    } else {
        bulk::preview(&state, id, text).await
    };
    match result {
        Ok(report) => render(&state, &page, id, text, Some(report), None, StatusCode::OK).await,
        Err(e) => {
            let (status, notice) = refusal(&page, e)?;
            render(&state, &page, id, text, None, Some(notice), status).await
        }
    }
}

fn error_notice(text: String) -> Notice {
    Notice { error: true, text }
}

fn csv_error_text(page: &Page, e: &CsvError) -> String {
    match e {
        CsvError::Columns { line, found } => page
            .t("bulk.error.columns")
            .replace("{line}", &line.to_string())
            .replace("{found}", &found.to_string()),
        CsvError::Empty => page.t("bulk.error.empty"),
        CsvError::TooMany => page
            .t("bulk.error.too_many")
            .replace("{max}", &bulk::MAX_LINES.to_string()),
    }
}

/// A line's outcome in words: what will happen (preview) or what did.
fn outcome_text(page: &Page, o: Outcome, applied: bool) -> String {
    match o {
        Outcome::Give | Outcome::Invite => {
            let when = if applied { "done" } else { "will" };
            page.t(&format!("bulk.{when}.{}", o.key()))
        }
        Outcome::Duplicate(n) => page
            .t("bulk.outcome.duplicate")
            .replace("{line}", &n.to_string()),
        o => page.t(&format!("bulk.outcome.{}", o.key())),
    }
}

fn report_value(page: &Page, r: &BulkReport) -> Value {
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            context! {
                line => row.line.line,
                name => format!("{} {}", row.line.first_name, row.line.last_name).trim().to_string(),
                email => row.line.email.clone(),
                outcome => outcome_text(page, row.outcome, r.applied),
                places => row.outcome.places(),
                person_id => row.person_id.map(|p| p.to_string()),
            }
        })
        .collect();
    let placed = r.rows.iter().filter(|row| row.outcome.places()).count();
    context! {
        applied => r.applied,
        rows,
        placed,
        short => r.short_of_seats(),
        seats_text => page
            .t("bulk.short_of_seats")
            .replace("{free}", &r.free_seats.to_string())
            .replace("{needed}", &r.needed.to_string()),
        summary => page
            .t(if r.applied { "bulk.summary_done" } else { "bulk.summary" })
            .replace("{placed}", &placed.to_string())
            .replace("{total}", &r.rows.len().to_string()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    page: &Page,
    org_id: Uuid,
    csv: &str,
    report: Option<BulkReport>,
    notice: Option<Notice>,
    status: StatusCode,
) -> AppResult<Response> {
    let org = state.store.get_organisation(org_id).await?;
    let seats_href = format!("/admin/organisations/{org_id}/seats");
    page.render_with_status(
        status,
        "memberships/bulk.html",
        context! {
            org => context! { id => org.id.to_string(), name => org.name },
            csv,
            report => report.as_ref().map(|r| report_value(page, r)),
            notice => notice.map(Notice::value),
            action => format!("{seats_href}/bulk"),
            buy_href => format!("{seats_href}#buy-h"),
            seats_href,
        },
    )
}
