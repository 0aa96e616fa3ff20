//! Visits: a hub's check-in page (where the QR poster at the door points),
//! guests, checking out, the hosts' kiosk that reads members' QR codes, and
//! who is here — publicly on the hub page, fully for the hub's hosts.

use super::{refusal, yes_no, Notice};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{done_redirect, DoneQuery, Form, NO_ERRORS};
use crate::http::id_form::IdForm;
use crate::http::page::parse_id;
use crate::http::page::{safe_next, Page};
use crate::http::parse::local_time;
use crate::http::roles::{hub_to_edit, hub_to_edit_id};
use crate::memberships::checkins;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use std::collections::HashMap;
use thirdplace_domain::membership::{CheckInMethod, GuestInput, ACCESS_TARGET};
use thirdplace_domain::ValidationErrors;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hubs/{id}/checkin", get(checkin_page).post(check_in))
        .route("/hubs/{id}/guests", post(add_guest))
        .route("/checkins/{id}/checkout", post(check_out))
        .route("/hubs/{id}/kiosk", get(kiosk).post(kiosk_scan))
        .route("/admin/hubs/{id}/presence", get(presence))
}

async fn organisation_names(state: &AppState) -> AppResult<HashMap<Uuid, String>> {
    Ok(state
        .store
        .list_organisations()
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

// ----------------------------------------------------------- check-in page

async fn render_checkin(
    state: &AppState,
    page: &Page,
    hub_id: Uuid,
    status: StatusCode,
    notice: Option<Notice>,
    guest: Option<(&GuestInput, &ValidationErrors)>,
) -> AppResult<Response> {
    let user = page.user()?;
    let hub = state.store.get_hub(hub_id).await?;
    let me = state.store.get_person(user.person_id).await?;
    let open = state.store.open_checkin_of(me.id).await?;
    let mut here = None;
    let mut elsewhere = None;
    let mut guests = Vec::new();
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    if let Some(c) = open {
        if c.hub_id == hub_id {
            let names = organisation_names(state).await?;
            for g in state.store.list_guests(c.id).await? {
                guests.push(context! {
                    name => format!("{} {}", g.first_name, g.last_name),
                    organisation => names.get(&g.organisation_id).cloned().unwrap_or_default(),
                    arrived => local_time(g.arrived_at),
                    left => g.left_at.map(local_time),
                });
            }
            let orgs: Vec<(String, String)> = state
                .store
                .list_organisations()
                .await?
                .into_iter()
                .filter(|o| !o.archived)
                .map(|o| (o.id.to_string(), o.name))
                .collect();
            let own = me
                .organisation_id
                .map(|o| o.to_string())
                .unwrap_or_default();
            let fresh = GuestInput {
                organisation_id: own,
                ..GuestInput::default()
            };
            let (input, errs) = guest.unwrap_or((&fresh, NO_ERRORS));
            let form = Form::new(page, errs)
                .text("first_name", &input.first_name)
                .required()
                .text("last_name", &input.last_name)
                .required()
                .select(
                    "organisation_id",
                    &input.organisation_id,
                    orgs,
                    "admin.choose",
                )
                .required()
                .help("guest.rule");
            (fields, errors) = form.into_parts();
            here = Some(context! { id => c.id.to_string(), since => local_time(c.checked_in_at) });
        } else {
            let other = state.store.get_hub(c.hub_id).await?;
            elsewhere = Some(context! {
                id => c.id.to_string(),
                hub_id => c.hub_id.to_string(),
                hub_name => other.hub.name,
                since => local_time(c.checked_in_at),
            });
        }
    }
    let ctx = context! {
        hub => context! { id => hub.hub.id.to_string(), name => hub.hub.name },
        here,
        elsewhere,
        guests,
        fields,
        errors,
        notice => notice.map(Notice::value),
        is_host => user.can_edit_hub(hub_id),
    };
    page.render_with_status(status, "memberships/checkin.html", ctx)
}

/// Shows a refusal on the check-in page, or hands other errors to the
/// generic error page.
async fn refused_on_checkin(
    state: &AppState,
    page: &Page,
    hub_id: Uuid,
    e: AppError,
) -> AppResult<Response> {
    let (status, notice) = refusal(page, e)?;
    render_checkin(state, page, hub_id, status, Some(notice), None).await
}

async fn checkin_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(d): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let notice = match d.done.as_deref() {
        Some("checked_in") => Some(page.t("checkin.welcome")),
        Some("guest") => Some(page.t("guest.registered")),
        Some("checked_out") => Some(page.t("checkin.checked_out")),
        _ => None,
    }
    .map(Notice::done);
    render_checkin(&state, &page, id, StatusCode::OK, notice, None).await
}

async fn check_in(
    State(state): State<AppState>,
    IdForm { page, id, .. }: IdForm,
) -> AppResult<Response> {
    let user = page.user()?;
    state.store.get_hub(id).await?;
    let person = state.store.get_person(user.person_id).await?;
    match checkins::check_in(&state, (&person).into(), id, CheckInMethod::Page).await {
        Ok(_) => Ok(done_redirect(&format!("/hubs/{id}/checkin"), "checked_in")),
        Err(e) => refused_on_checkin(&state, &page, id, e).await,
    }
}

async fn add_guest(
    State(state): State<AppState>,
    IdForm { page, id, form }: IdForm,
) -> AppResult<Response> {
    let user = page.user()?.clone();
    state.store.get_hub(id).await?;
    let input = GuestInput {
        first_name: form.get("first_name"),
        last_name: form.get("last_name"),
        organisation_id: form.get("organisation_id"),
    };
    let open = state
        .store
        .open_checkin_of(user.person_id)
        .await?
        .filter(|c| c.hub_id == id);
    let Some(c) = open else {
        let e = AppError::refused(
            StatusCode::CONFLICT,
            "not_checked_in",
            "You need to be checked in at the hub to register a guest.",
        );
        return refused_on_checkin(&state, &page, id, e).await;
    };
    match checkins::register_guest(&state, &user, c.id, &input).await {
        Ok(_) => Ok(done_redirect(&format!("/hubs/{id}/checkin"), "guest")),
        Err(AppError::Validation(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_checkin(&state, &page, id, status, None, Some((&input, &errors))).await
        }
        // The form keeps what was typed, so the member can pick their own
        // organisation and send it again.
        Err(e) => {
            let (status, notice) = refusal(&page, e)?;
            let guest = Some((&input, NO_ERRORS));
            render_checkin(&state, &page, id, status, Some(notice), guest).await
        }
    }
}

/// Ends a check-in: the member's own (card, check-in page) or, for the
/// hub's hosts, anyone's (presence page). Back to the page named in `next`.
async fn check_out(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = page.user()?;
    checkins::check_out(&state, user, parse_id(&id)?).await?;
    let next = form.get("next");
    let to = if next.is_empty() {
        "/account/card"
    } else {
        safe_next(&next)
    };
    Ok(Redirect::to(to).into_response())
}

// ------------------------------------------------------------------- kiosk

async fn render_kiosk(
    state: &AppState,
    page: &Page,
    hub_id: Uuid,
    status: StatusCode,
    result: Option<Notice>,
) -> AppResult<Response> {
    let hub = state.store.get_hub(hub_id).await?;
    let ctx = context! {
        hub => context! { id => hub.hub.id.to_string(), name => hub.hub.name },
        result => result.map(Notice::value),
    };
    page.render_with_status(status, "memberships/kiosk.html", ctx)
}

async fn kiosk(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = hub_to_edit_id(&page, &id)?;
    render_kiosk(&state, &page, id, StatusCode::OK, None).await
}

async fn kiosk_scan(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let id = hub_to_edit_id(&page, &id)?;
    let user = page.user()?;
    let code = form.get("code");
    // The page answers and stays ready for the next scan, without a
    // redirect, so the result is read out at once.
    match checkins::scan(&state, user, id, code.trim()).await {
        Ok((_, person)) => {
            let text = format!("{}, {}!", page.t("kiosk.welcome"), person.first_name);
            render_kiosk(&state, &page, id, StatusCode::OK, Some(Notice::done(text))).await
        }
        Err(e) => {
            let (status, notice) = refusal(&page, e)?;
            render_kiosk(&state, &page, id, status, Some(notice)).await
        }
    }
}

// ---------------------------------------------------------------- presence

async fn presence(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(d): Query<DoneQuery>,
) -> AppResult<Response> {
    let hub = hub_to_edit(&state, &page, &id).await?;
    let id = hub.hub.id;
    let people = state.store.present_at(id).await?;
    let open: HashMap<Uuid, Uuid> = state
        .store
        .list_open_checkins()
        .await?
        .into_iter()
        .filter(|c| c.hub_id == id)
        .map(|c| (c.person_id, c.id))
        .collect();
    let host_names: HashMap<Uuid, String> = people
        .iter()
        .map(|p| (p.person_id, format!("{} {}", p.first_name, p.last_name)))
        .collect();
    let orgs = organisation_names(&state).await?;
    let everyone: Vec<Value> = people
        .iter()
        .map(|p| {
            context! {
                first_name => p.first_name,
                last_name => p.last_name,
                organisation => p.organisation_name,
                since => local_time(p.since),
                visible => yes_no(&page, p.visible),
                checkin_id => open.get(&p.person_id).map(|c| c.to_string()),
            }
        })
        .collect();
    let guests: Vec<Value> = state
        .store
        .present_guests(id)
        .await?
        .into_iter()
        .map(|g| {
            context! {
                name => format!("{} {}", g.first_name, g.last_name),
                organisation => orgs.get(&g.organisation_id).cloned().unwrap_or_default(),
                host => host_names.get(&g.host_person_id).cloned().unwrap_or_default(),
                since => local_time(g.arrived_at),
            }
        })
        .collect();
    let s = checkins::access_summary(&state, &hub).await?;
    let ctx = context! {
        hub => context! { id => hub.hub.id.to_string(), name => hub.hub.name },
        everyone,
        guests,
        summary => context! {
            people_with_access => s.people_with_access,
            target => ACCESS_TARGET,
            met => s.people_with_access >= ACCESS_TARGET,
            organisations_with_access => s.organisations_with_access,
            checked_in_now => s.checked_in_now,
            visits => s.visits_last_30_days,
            guest_visits => s.guest_visits_last_30_days,
        },
        checked_out => d.done.as_deref() == Some("checked_out"),
    };
    page.render("memberships/presence.html", ctx)
}
