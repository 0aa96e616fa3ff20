//! The page an invitation e-mail links to (`/invitations/{token}`): the
//! invited person, who has no account, sees the event and registers with
//! name, e-mail and organisation. The service ([`super::service::redeem`])
//! decides everything; a link works once.

use super::service::{self as events, Guest};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::page::Page;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use thirdplace_domain::event::{Event, RegistrationStatus, Venue};
use thirdplace_domain::HUB_TIME_ZONE;
use thirdplace_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new().route("/invitations/{token}", get(show).post(accept))
}

/// The event an invitation is for, and whether the link was used; an
/// unknown token is simply not found.
async fn invited_to(state: &AppState, token: &str) -> AppResult<(Event, bool, Value)> {
    let invitation = match state
        .store
        .invitation_by_token(&events::token_hash(token.trim()))
        .await
    {
        Ok(i) => i,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let e = state.store.get_event(invitation.event_id).await?;
    let hub = state.store.get_hub(e.hub_id).await?;
    let place = match e.venue {
        Venue::Room(id) => state.store.get_room(id).await.map(|r| r.name).ok(),
        Venue::Zone(id) => state.store.get_zone(id).await.map(|z| z.name).ok(),
        Venue::Online => None,
    };
    let (s, end) = (
        e.start.with_timezone(&HUB_TIME_ZONE),
        e.end.with_timezone(&HUB_TIME_ZONE),
    );
    let view = context! {
        title => e.title.clone(),
        description => e.description.clone(),
        when => format!("{} {}–{}", s.format("%Y-%m-%d"), s.format("%H:%M"), end.format("%H:%M")),
        hub => hub.hub.name,
        place,
        online => matches!(e.venue, Venue::Online),
        cancelled => e.status == thirdplace_domain::event::EventStatus::Cancelled,
    };
    Ok((e, invitation.used_at.is_some(), view))
}

fn form_values(g: &Guest) -> Value {
    context! {
        first_name => g.first_name, last_name => g.last_name,
        email => g.email, organisation => g.organisation,
    }
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (_, used, event) = invited_to(&state, &token).await?;
    let message = used.then(|| page.t("error.invitation_used"));
    page.render(
        "events/invitation.html",
        context! {
            event, used, message, done => None::<String>,
            form => form_values(&Guest::default()), errors => Vec::<Value>::new(),
        },
    )
}

async fn accept(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let guest = Guest {
        first_name: form.get("first_name"),
        last_name: form.get("last_name"),
        email: form.get("email"),
        organisation: form.get("organisation"),
    };
    let (_, used, event) = invited_to(&state, &token).await?;
    let (status, message, errors) = match events::redeem(&state, &token, &guest).await {
        Ok(r) => {
            let done = if r.status == RegistrationStatus::Waitlisted {
                "invitation.waitlisted"
            } else {
                "invitation.confirmed"
            };
            return page.render(
                "events/invitation.html",
                context! {
                    event, done => page.t(done), used => true, message => None::<String>,
                    errors => Vec::<Value>::new(), form => form_values(&guest),
                },
            );
        }
        Err(AppError::Validation(v)) => {
            let errors: Vec<Value> = v
                .errors
                .iter()
                .map(|f| {
                    context! {
                        id => f.field.clone(),
                        label => page.t(&format!("invitation.field.{}", f.field)),
                        message => page.field_message(f),
                    }
                })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, None, errors)
        }
        Err(AppError::Refused { status, code, .. }) => {
            (status, Some(page.t(&format!("error.{code}"))), Vec::new())
        }
        Err(e) => return Err(e),
    };
    page.render_with_status(
        status,
        "events/invitation.html",
        context! { event, used, message, errors, done => None::<String>, form => form_values(&guest) },
    )
}
