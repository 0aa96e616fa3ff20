//! The hosts' side of bookings: every booking of the hubs they host (all
//! hubs for network admins) with filters and a CSV download, cancelling
//! with a reason the booker is sent by e-mail, and each hub's booking rules.

use super::{clock, long_date, price_value, problem};
use crate::bookings::service as bookings;
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{
    bool_str, render_form, save, saved_redirect, Form, FormPage, SavedQuery, NO_ERRORS,
};
use crate::http::page::parse_id;
use crate::http::page::Page;
use crate::http::parse::{optional_date, optional_id};
use crate::http::roles::{hub_to_edit, require_host_pages};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use thirdplace_domain::booking::{BookingRules, BookingRulesInput, BookingStatus};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::{Principal, ValidationErrors};
use thirdplace_store::BookingFilter;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/bookings", get(list))
        .route("/admin/bookings.csv", get(csv))
        .route("/admin/bookings.xlsx", get(xlsx))
        .route("/admin/bookings/{id}/cancel", post(cancel))
        .route(
            "/admin/hubs/{id}/booking-rules",
            get(rules_form).post(save_rules),
        )
}

/// The most bookings the page shows; past them it says so and points to
/// the CSV download, which has them all.
const SHOWN: i64 = 1000;

/// The list's filters, as typed.
#[derive(Deserialize, Default, Clone)]
struct Filters {
    #[serde(default)]
    hub_id: String,
    #[serde(default)]
    room_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    include_cancelled: String,
    #[serde(default)]
    done: Option<String>,
}

impl Filters {
    fn include_cancelled(&self) -> bool {
        matches!(self.include_cancelled.as_str(), "true" | "on")
    }

    /// The query string, for the CSV link and the way back after a cancel.
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("hub_id", self.hub_id.as_str()),
            ("room_id", self.room_id.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            (
                "include_cancelled",
                if self.include_cancelled() { "true" } else { "" },
            ),
        ])
        .unwrap_or_default()
    }

    /// The store's filter, limited to the hubs `p` hosts; from today when
    /// no start is given.
    fn filter(&self, p: &Principal, state: &AppState) -> AppResult<BookingFilter> {
        let mut e = ValidationErrors::new();
        let hub = e.check("hub_id", optional_id(&self.hub_id)).flatten();
        let room = e.check("room_id", optional_id(&self.room_id)).flatten();
        let from = e.check("from", optional_date(&self.from)).flatten();
        let to = e.check("to", optional_date(&self.to)).flatten();
        e.into_result()?;
        let hub_ids = match hub {
            Some(h) if p.can_edit_hub(h) => Some(vec![h]),
            Some(_) => return Err(AppError::Forbidden),
            None if p.is_network_admin => None,
            None => Some(p.hosted_hub_ids.clone()),
        };
        Ok(BookingFilter {
            hub_ids,
            room_id: room,
            booker_id: None,
            from: Some(
                from.map(|d| bookings::day_bounds(d).0)
                    .unwrap_or_else(|| bookings::day_bounds(local_date(state.now())).0),
            ),
            // The "to" date is included.
            to: to.map(|d| bookings::day_bounds(d).1),
            include_cancelled: self.include_cancelled(),
            after: None,
            limit: SHOWN + 1,
        })
    }
}

async fn render_list(
    state: &AppState,
    page: &Page,
    f: &Filters,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = require_host_pages(page)?;
    let (mut rows, filter_error) = match f.filter(user, state) {
        Ok(filter) => (state.store.list_bookings(&filter).await?, None),
        Err(e) => (vec![], Some(problem(page, e)?.text)),
    };
    // Never cut silently: past `SHOWN` the page says so (the CSV has all).
    let truncated = rows.len() as i64 > SHOWN;
    rows.truncate(usize::try_from(SHOWN).unwrap_or(usize::MAX));
    let shown_note = truncated.then(|| {
        page.t("booking.showing_first")
            .replace("{n}", &SHOWN.to_string())
    });
    let now = state.now();
    let mut hubs = Vec::new();
    let mut rooms = Vec::new();
    for l in state.store.list_hubs().await? {
        if !user.can_edit_hub(l.hub.id) {
            continue;
        }
        for r in state.store.list_rooms(l.hub.id).await? {
            rooms.push(context! {
                id => r.id.to_string(),
                name => format!("{} ({})", r.name, l.hub.name),
                selected => f.room_id == r.id.to_string(),
            });
        }
        hubs.push(context! {
            id => l.hub.id.to_string(),
            name => l.hub.name,
            selected => f.hub_id == l.hub.id.to_string(),
        });
    }
    let bookings: Vec<_> = rows
        .into_iter()
        .map(|v| {
            let b = &v.booking;
            let cancelled = b.status == BookingStatus::Cancelled;
            context! {
                id => b.id.to_string(),
                title => b.title,
                hub => v.hub_name,
                room => v.room_name,
                booker => format!("{} {}", v.booker_first_name, v.booker_last_name),
                organisation => v.organisation_name,
                date => long_date(page, local_date(b.start)),
                time => format!("{}–{}", clock(b.start, None), clock(b.end, None)),
                price => price_value(&b.price),
                cancelled,
                reason => b.cancel_reason,
                cancellable => !cancelled && b.start > now,
            }
        })
        .collect();
    let notice = notice.map(|(error, text)| context! { error, text });
    let query = f.query();
    page.render_with_status(
        status,
        "bookings/admin.html",
        context! {
            f => context! {
                from => f.from,
                to => f.to,
                include_cancelled => f.include_cancelled(),
            },
            hubs,
            rooms,
            bookings,
            filter_error,
            shown_note,
            csv_href => format!("/admin/bookings.csv?{query}"),
            xlsx_href => format!("/admin/bookings.xlsx?{query}"),
            back => format!("/admin/bookings?{query}"),
            notice,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<Filters>,
) -> AppResult<Response> {
    let notice = match f.done.as_deref() {
        Some("cancelled") => Some((false, page.t("booking.host_cancelled"))),
        _ => None,
    };
    render_list(&state, &page, &f, notice, StatusCode::OK).await
}

/// Every booking of the filters as CSV for a spreadsheet, in the page's
/// language, streamed a store page at a time.
async fn csv(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<Filters>,
) -> AppResult<Response> {
    let user = require_host_pages(&page)?;
    Ok(bookings::export_csv(
        &state,
        f.filter(user, &state)?,
        page.lang,
    ))
}

/// Every booking of the filters as an XLSX workbook, in the page's language.
async fn xlsx(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<Filters>,
) -> AppResult<Response> {
    let user = require_host_pages(&page)?;
    bookings::export_xlsx(&state, f.filter(user, &state)?, page.lang).await
}

async fn cancel(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = require_host_pages(&page)?.clone();
    let id = parse_id(&id)?;
    // Back to the list as it was filtered.
    let back: Filters =
        serde_urlencoded::from_str(form.get("back").trim_start_matches("/admin/bookings?"))
            .unwrap_or_default();
    let b = state.store.get_booking(id).await?;
    if !user.can_edit_hub(b.hub_id) {
        return Err(AppError::NotFound);
    }
    let reason = form.get("reason");
    // A host cancelling someone else's booking says why (the booker is
    // told); their own booking they cancel as its booker.
    let result = if reason.trim().is_empty() && b.booker_id != user.person_id {
        Err(ValidationErrors::single(
            "reason",
            "required",
            "tell the booker why their booking is cancelled",
        )
        .into())
    } else {
        bookings::cancel(&state, &user, id, &reason).await
    };
    match result {
        Ok(_) => {
            let q = back.query();
            Ok(
                axum::response::Redirect::to(&format!("/admin/bookings?{q}&done=cancelled"))
                    .into_response(),
            )
        }
        Err(e) => {
            let p = problem(&page, e)?;
            render_list(&state, &page, &back, Some((true, p.text)), p.status).await
        }
    }
}

// ------------------------------------------------------------------ rules

fn rules_input(r: &BookingRules) -> BookingRulesInput {
    BookingRulesInput {
        cancel_notice_hours: (r.cancel_notice_minutes / 60).to_string(),
        max_length_hours: (r.max_length_minutes / 60).to_string(),
        max_days_ahead: r.max_days_ahead.to_string(),
        non_members_may_book: bool_str(r.non_members_may_book),
        publish_member_events: bool_str(r.publish_member_events),
    }
}

fn rules_page(
    page: &Page,
    id: Uuid,
    input: &BookingRulesInput,
    errors: &ValidationErrors,
    saved: bool,
) -> AppResult<Response> {
    let fp = FormPage::new(
        "booking.rules_title",
        format!("/admin/hubs/{id}/booking-rules"),
        format!("/admin/hubs/{id}"),
    )
    .saved(saved);
    let form = Form::new(page, errors)
        .text("cancel_notice_hours", &input.cancel_notice_hours)
        .required()
        .numeric("numeric")
        .help("booking.cancel_notice_help")
        .text("max_length_hours", &input.max_length_hours)
        .required()
        .numeric("numeric")
        .help("booking.max_length_help")
        .text("max_days_ahead", &input.max_days_ahead)
        .required()
        .numeric("numeric")
        .help("booking.max_days_ahead_help")
        .checkbox("non_members_may_book", &input.non_members_may_book)
        .help("booking.non_members_help")
        .checkbox("publish_member_events", &input.publish_member_events)
        .help("booking.publish_member_events_help");
    render_form(page, fp, form)
}

async fn rules_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let id = hub_to_edit(&state, &page, &id).await?.hub.id;
    let r = state.store.booking_rules(id).await?;
    rules_page(&page, id, &rules_input(&r), NO_ERRORS, q.saved.is_some())
}

async fn save_rules(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let id = hub_to_edit(&state, &page, &id).await?.hub.id;
    let input = BookingRulesInput {
        cancel_notice_hours: form.get("cancel_notice_hours"),
        max_length_hours: form.get("max_length_hours"),
        max_days_ahead: form.get("max_days_ahead"),
        non_members_may_book: form.get("non_members_may_book"),
        publish_member_events: form.get("publish_member_events"),
    };
    let actor = page.user()?.person_id;
    match save(input.validate(), async |r| {
        bookings::set_rules(&state, actor, id, r).await
    })
    .await?
    {
        Ok(_) => Ok(saved_redirect(format!("/admin/hubs/{id}/booking-rules"))),
        Err(e) => rules_page(&page, id, &input, &e, false),
    }
}
