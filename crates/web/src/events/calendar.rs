//! The open calendar in the browser: `/calendar` lists the upcoming
//! published events the visitor may see, with filters by region, hub and
//! topic; `/events/{id}` shows one event, and lets a signed-in member sign
//! up and cancel. Every rule is [`super::service`]'s; this module only shows
//! and asks. The list and month views are in [`views`].

mod views;

use super::service as events;
use crate::http::error::{AppError, AppResult};
use crate::http::id_form::IdForm;
use crate::http::page::{parse_id, urlencode, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use thirdplace_domain::event::{
    may_register, Event, EventStatus, EventVisibility, RegistrationStatus, Venue,
};
use thirdplace_domain::HUB_TIME_ZONE;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(views::calendar))
        .route("/events/{id}", get(show))
        .route("/events/{id}/register", post(register))
        .route("/events/{id}/unregister", post(unregister))
}

/// "2026-11-25 10:00–12:00" in Swedish time, with the end's date when the
/// event runs over midnight.
pub(super) fn when(e: &Event) -> String {
    let (s, end) = (
        e.start.with_timezone(&HUB_TIME_ZONE),
        e.end.with_timezone(&HUB_TIME_ZONE),
    );
    let end_fmt = if s.date_naive() == end.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%Y-%m-%d %H:%M").to_string()
    };
    format!("{} {}–{}", s.format("%Y-%m-%d"), s.format("%H:%M"), end_fmt)
}

/// Places left, or the waiting-list text when none are.
fn places_text(page: &Page, capacity: i64, confirmed: i64) -> (i64, String) {
    let left = thirdplace_domain::event::places_left(capacity, confirmed);
    let text = if left == 0 {
        page.t("calendar.full")
    } else {
        format!("{left} {}", page.t("calendar.places_left"))
    };
    (left, text)
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let notice = match q.done.as_deref() {
        Some(
            d @ ("confirmed"
            | "waitlisted"
            | "cancelled"
            | "proposed"
            | "published"
            | "updated"
            | "event_cancelled"
            | "colleague_confirmed"
            | "colleague_waitlisted"),
        ) => Some((false, page.t(&format!("event.done.{d}")))),
        _ => None,
    };
    render_event(&state, &page, parse_id(&id)?, notice, StatusCode::OK).await
}

async fn render_event(
    state: &AppState,
    page: &Page,
    id: Uuid,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let (e, viewer) = events::visible_event(state, page.user.as_ref(), id).await?;
    let hub = state.store.get_hub(e.hub_id).await?;
    let place = match e.venue {
        Venue::Room(id) => state.store.get_room(id).await.map(|r| r.name).ok(),
        Venue::Zone(id) => state.store.get_zone(id).await.map(|z| z.name).ok(),
        Venue::Online => None,
    };
    let organiser = state
        .store
        .get_person(e.organiser_id)
        .await
        .map(|p| p.first_name)
        .ok();
    let confirmed = state
        .store
        .list_registrations(e.id)
        .await?
        .iter()
        .filter(|r| r.registration.status == RegistrationStatus::Confirmed)
        .count() as i64;
    let (left, places) = places_text(page, e.capacity, confirmed);
    let mine = match &page.user {
        Some(p) => state
            .store
            .registration_of(e.id, p.person_id)
            .await?
            .filter(|r| r.status != RegistrationStatus::Cancelled),
        None => None,
    };
    let may_sign_up =
        page.user.is_some() && mine.is_none() && may_register(&e, &viewer, state.now()).is_ok();
    let registration = mine.map(|r| {
        page.t(if r.status == RegistrationStatus::Waitlisted {
            "event.you_are_waitlisted"
        } else {
            "event.you_are_confirmed"
        })
    });
    let notice = notice.map(|(error, text)| context! { error, text });
    page.render_with_status(
        status,
        "events/event.html",
        context! {
            notice,
            event => context! {
                id => e.id.to_string(),
                title => e.title,
                description => e.description,
                when => when(&e),
                hub => hub.hub.name,
                hub_feed => format!("/hubs/{}/calendar.ics", e.hub_id),
                place,
                online => matches!(e.venue, Venue::Online),
                organiser,
                topics => e.topics,
                capacity => e.capacity,
                full => left == 0,
                places,
                cancelled => e.status == EventStatus::Cancelled,
                members_only => e.visibility == EventVisibility::MembersOnly,
            },
            may_sign_up,
            registration,
            extras => super::forms::extras(state, page, &e, &viewer).await?,
            login => format!("/login?next={}", urlencode(&format!("/events/{}", e.id))),
        },
    )
}

/// A refusal is shown on the event's page in the visitor's language.
pub(super) async fn refused(
    state: &AppState,
    page: &Page,
    id: Uuid,
    err: AppError,
) -> AppResult<Response> {
    match err {
        AppError::Refused { status, code, .. } => {
            let text = page.t(&format!("error.{code}"));
            render_event(state, page, id, Some((true, text)), status).await
        }
        AppError::Validation(v) => {
            let text = super::forms::validation_text(page, &v);
            render_event(
                state,
                page,
                id,
                Some((true, text)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        e => Err(e),
    }
}

async fn register(
    State(state): State<AppState>,
    IdForm { page, id, .. }: IdForm,
) -> AppResult<Response> {
    let p = page.user()?;
    match events::register(&state, p, id, None).await {
        Ok(r) => {
            let done = if r.status == RegistrationStatus::Waitlisted {
                "waitlisted"
            } else {
                "confirmed"
            };
            Ok(Redirect::to(&format!("/events/{id}?done={done}")).into_response())
        }
        Err(e) => refused(&state, &page, id, e).await,
    }
}

async fn unregister(
    State(state): State<AppState>,
    IdForm { page, id, .. }: IdForm,
) -> AppResult<Response> {
    let p = page.user()?;
    let Some(r) = state
        .store
        .registration_of(id, p.person_id)
        .await?
        .filter(|r| r.status != RegistrationStatus::Cancelled)
    else {
        return Ok(Redirect::to(&format!("/events/{id}")).into_response());
    };
    match events::cancel_registration(&state, p, r.id).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?done=cancelled")).into_response()),
        Err(e) => refused(&state, &page, id, e).await,
    }
}
