//! Invitations as admins see them (issue 15): whether a person has
//! activated their account, has a live invitation or one that ran out, and
//! sending it again or revoking it, on the person's admin page and in the
//! API (`/api/v1/people/{id}/invitation`). Network admins may do this for
//! everyone, organisation admins for the people of their organisations
//! ([`Principal::can_manage_person`]). Issuing the link and its e-mail is
//! the leaf's [`crate::http::one_time_links`].

use super::admin::People;
use crate::http::api::{path_id, require, seen_by};
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form_data::FormData;
use crate::http::forms::{Child, Resource};
use crate::http::one_time_links::send_link;
use crate::http::origin::Origin;
use crate::http::page::Page;
use crate::http::parse::local_date_time;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use thirdplace_domain::{Person, Principal};
use thirdplace_store::TokenKind;
use utoipa::ToSchema;

/// Where a person stands with getting into their account (the rule is the
/// store's, shared with the lists that show many people at once).
pub use thirdplace_store::InvitationState;

/// The person's state: activated (a password, or sign-in through their
/// organisation's provider) first, else their newest invitation.
pub async fn invitation_state(state: &AppState, p: &Person) -> AppResult<InvitationState> {
    let activated = state.store.password_hash(p.id).await?.is_some()
        || state.store.has_identity_link(p.id).await?;
    let latest = if activated {
        None
    } else {
        state
            .store
            .latest_token(p.id, TokenKind::Invitation)
            .await?
    };
    Ok(InvitationState::of(
        activated,
        latest.as_ref(),
        p.archived,
        state.now(),
    ))
}

/// Sends the person a new invitation (revoking a live one), unless they
/// already have a password or are archived; `by` is the admin.
pub async fn send_again(
    state: &AppState,
    origin: &str,
    p: &Person,
    by: &Principal,
) -> AppResult<InvitationState> {
    if p.archived {
        return Err(AppError::refused(
            StatusCode::CONFLICT,
            "person_archived",
            "the person is archived and cannot be invited",
        ));
    }
    if invitation_state(state, p).await? == InvitationState::Activated {
        return Err(AppError::refused(
            StatusCode::CONFLICT,
            "already_activated",
            "the person has already activated their account (with a password or their organisation's sign-in) and cannot be invited; they can ask for a new password on the sign-in page",
        ));
    }
    send_link(state, origin, TokenKind::Invitation, p, Some(by.person_id)).await?;
    let object = ("person", p.id);
    audit::record(
        state,
        Some(by.person_id),
        "person.invited",
        object,
        serde_json::json!({}),
    )
    .await;
    invitation_state(state, p).await
}

/// Revokes the person's live invitation, if any.
pub async fn revoke(state: &AppState, p: &Person, by: &Principal) -> AppResult<()> {
    let revoked = state
        .store
        .revoke_tokens(p.id, TokenKind::Invitation, state.now())
        .await?;
    if revoked > 0 {
        let object = ("person", p.id);
        let action = "person.invitation_revoked";
        audit::record(
            state,
            Some(by.person_id),
            action,
            object,
            serde_json::json!({}),
        )
        .await;
    }
    Ok(())
}

// ------------------------------------------------------------------- pages

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/people/{id}/invitation/{action}", post(act))
}

/// The person's access section on their admin page: the state, and the
/// buttons that send the invitation again or revoke it.
pub(crate) async fn section(state: &AppState, page: &Page, p: &Person) -> AppResult<Child> {
    let s = invitation_state(state, p).await?;
    let text = match s {
        InvitationState::Invited(until) => page
            .t("person_invitation.invited")
            .replace("{until}", &local_date_time(until)),
        _ => page.t(&format!("person_invitation.{}", s.key())),
    };
    let base = format!("/admin/people/{}/invitation", p.id);
    let mut actions = vec![];
    if s != InvitationState::Activated && !p.archived {
        let label = match s {
            InvitationState::NotInvited => "person_invitation.send",
            _ => "person_invitation.send_again",
        };
        actions.push((format!("{base}/send"), page.t(label)));
    }
    if matches!(s, InvitationState::Invited(_)) {
        actions.push((format!("{base}/revoke"), page.t("person_invitation.revoke")));
    }
    Ok(Child::note(page, "person_invitation.title", text, actions))
}

/// `POST /admin/people/{id}/invitation/{send|revoke}`, from the buttons
/// of [`section`]; back to the person's page.
async fn act(
    State(state): State<AppState>,
    origin: Origin,
    page: Page,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    FormData::parse(&page, &body)?;
    let p = People::load(&state, &page, &id).await?;
    let admin = page.user()?;
    match action.as_str() {
        "send" => drop(send_again(&state, &origin.0, &p, admin).await?),
        "revoke" => revoke(&state, &p, admin).await?,
        _ => return Err(AppError::NotFound),
    }
    Ok(Redirect::to(&People::href(p.id)).into_response())
}

// --------------------------------------------------------------------- API

/// A person's invitation as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct PersonInvitationOut {
    /// `activated` (has a password or signs in through their organisation's
    /// provider), `invited` (a link may be used),
    /// `expired` (the newest link ran out unused) or `not_invited` (never,
    /// or revoked).
    pub state: String,
    /// Until when the link may be used (`invited`), or when it ran out
    /// (`expired`).
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<InvitationState> for PersonInvitationOut {
    fn from(s: InvitationState) -> Self {
        let expires_at = match s {
            InvitationState::Invited(at) | InvitationState::Expired(at) => Some(at),
            _ => None,
        };
        PersonInvitationOut {
            state: s.key().into(),
            expires_at,
        }
    }
}

/// The admin calling and the person of the path, if they manage them
/// (someone they may not manage is not found).
async fn api_managed(state: &AppState, auth: &Auth, id: &str) -> AppResult<(Principal, Person)> {
    let admin = require(auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    let load = state.store.get_person(path_id(id)?);
    let p = seen_by(&admin, load, |a, p| a.can_manage_person(p)).await?;
    Ok((admin, p))
}

/// Whether the person has activated their account or has a live
/// invitation. Network admins, and the admins of the person's organisation.
#[utoipa::path(get, path = "/people/{id}/invitation", tag = "people", security(("token" = [])),
    responses((status = 200, body = PersonInvitationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<PersonInvitationOut>> {
    let (_, p) = api_managed(&state, &auth, &id).await?;
    Ok(Json(invitation_state(&state, &p).await?.into()))
}

/// Sends the person a new invitation by e-mail, revoking the live one.
/// Refused for a person who has already activated their account or is
/// archived.
#[utoipa::path(post, path = "/people/{id}/invitation", tag = "people", security(("token" = [])),
    responses((status = 201, body = PersonInvitationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already_activated, person_archived")))]
pub async fn send_invitation(
    State(state): State<AppState>,
    auth: Auth,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<PersonInvitationOut>)> {
    let (admin, p) = api_managed(&state, &auth, &id).await?;
    let s = send_again(&state, &origin.0, &p, &admin).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// Revokes the person's live invitation (its link no longer works); also
/// when there is none.
#[utoipa::path(delete, path = "/people/{id}/invitation", tag = "people", security(("token" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let (admin, p) = api_managed(&state, &auth, &id).await?;
    revoke(&state, &p, &admin).await?;
    Ok(StatusCode::NO_CONTENT)
}
