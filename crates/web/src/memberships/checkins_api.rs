//! Check-ins, check-outs, guests, who is here, and a hub's access summary.

use crate::http::api::{path_id, require, seen_by, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::idempotency::IdempotencyKey;
use crate::memberships::checkins;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thirdplace_domain::membership::{
    may_act_on_check_in, public_presence, AccessSummary, CheckIn, CheckInMethod, GuestInput,
    GuestVisit, PublicPresence, ACCESS_TARGET,
};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    pub hub_id: Uuid,
}

/// Checks the caller in at a hub. Refused with 403 `no_membership` without
/// an active membership that opens the hub today, 409 `already_checked_in`
/// while another check-in is open, 422 `hub_closed` / `hub_archived`.
#[utoipa::path(post, path = "/checkins", tag = "checkins", request_body = CheckInBody, security(("token" = [])), params(IdempotencyKey),
    responses((status = 201, body = CheckIn), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_checkin(
    State(state): State<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: ApiJson<CheckInBody>,
) -> AppResult<(StatusCode, Json<CheckIn>)> {
    let p = require(&auth, |_| true)?;
    // Whether the caller may check in depends on the hub the body names.
    let body = body.parse()?;
    let c =
        checkins::check_in_once(&state, (&p).into(), body.hub_id, CheckInMethod::Api, &key).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// A check-in: its member and the hub's hosts.
#[utoipa::path(get, path = "/checkins/{id}", tag = "checkins", security(("token" = [])),
    responses((status = 200, body = CheckIn), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_checkin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<CheckIn>> {
    let load = state.store.get_checkin(path_id(&id)?);
    let c = seen_by(auth.require()?, load, |p, c| {
        c.person_id == p.person_id || p.can_edit_hub(c.hub_id)
    })
    .await?;
    Ok(Json(c))
}

/// Ends a check-in (its member or the hub's hosts); its guests leave too.
#[utoipa::path(post, path = "/checkins/{id}/checkout", tag = "checkins", security(("token" = [])),
    responses((status = 200, body = CheckIn), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn checkout(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<CheckIn>> {
    let p = require(&auth, |_| true)?;
    let c = checkins::check_out(&state, &p, path_id(&id)?).await?;
    Ok(Json(c))
}

#[derive(Serialize, ToSchema)]
pub struct GuestOut {
    pub id: Uuid,
    pub checkin_id: Uuid,
    pub host_person_id: Uuid,
    pub hub_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub organisation_id: Uuid,
    pub arrived_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

impl From<GuestVisit> for GuestOut {
    fn from(g: GuestVisit) -> Self {
        GuestOut {
            id: g.id,
            checkin_id: g.host_checkin_id,
            host_person_id: g.host_person_id,
            hub_id: g.hub_id,
            first_name: g.first_name,
            last_name: g.last_name,
            organisation_id: g.organisation_id,
            arrived_at: g.arrived_at,
            left_at: g.left_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestBody {
    pub first_name: String,
    pub last_name: String,
    /// Must be the host's own organisation.
    pub organisation_id: Uuid,
}

/// Registers a guest of a checked-in member. The guest must come from the
/// member's own organisation (403 `guest_other_organisation`); the plan's
/// limit of guests at once holds (409 `guest_limit_reached`).
#[utoipa::path(post, path = "/checkins/{id}/guests", tag = "checkins", request_body = GuestBody, security(("token" = [])),
    responses((status = 201, body = GuestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_guest(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<GuestBody>,
) -> AppResult<(StatusCode, Json<GuestOut>)> {
    let p = require(&auth, |_| true)?;
    let id = path_id(&id)?;
    seen_by(&p, state.store.get_checkin(id), may_act_on_check_in).await?;
    let body = body.parse()?;
    let input = GuestInput {
        first_name: body.first_name,
        last_name: body.last_name,
        organisation_id: body.organisation_id.to_string(),
    };
    let g = checkins::register_guest(&state, &p, id, &input).await?;
    Ok((StatusCode::CREATED, Json(g.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanBody {
    /// The code read from the member's card.
    pub qr: String,
}

/// A host's or kiosk's scan of a member's QR code: checks that member in.
/// The caller must host the hub.
#[utoipa::path(post, path = "/hubs/{id}/scan", tag = "checkins", request_body = ScanBody, security(("token" = [])),
    responses((status = 201, body = CheckIn), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn scan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<ScanBody>,
) -> AppResult<(StatusCode, Json<CheckIn>)> {
    let hub_id = path_id(&id)?;
    let p = require(&auth, |p| p.can_edit_hub(hub_id))?;
    let (c, _) = checkins::scan(&state, &p, hub_id, &body.parse()?.qr).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Serialize, ToSchema)]
pub struct PresentOut {
    pub person_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub organisation_name: Option<String>,
    pub visible: bool,
    pub since: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct PresenceOut {
    /// Members who opted in to be shown: first name, organisation, expertise.
    pub visible: Vec<PublicPresence>,
    /// Everyone else who is here ("and N more").
    pub others: usize,
    pub guests: usize,
    /// The full list, for the hub's hosts only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub everyone: Option<Vec<PresentOut>>,
}

/// Who is at the hub now.
#[utoipa::path(get, path = "/hubs/{id}/presence", tag = "checkins",
    responses((status = 200, body = PresenceOut), (status = 404, body = ErrorBody)))]
pub async fn presence(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<PresenceOut>> {
    let hub = state.store.get_hub(path_id(&id)?).await?;
    let people = state.store.present_at(hub.hub.id).await?;
    let guests = state.store.present_guests(hub.hub.id).await?.len();
    let (shown, others) = public_presence(&people);
    let is_host = auth
        .principal
        .as_ref()
        .is_some_and(|p| p.can_edit_hub(hub.hub.id));
    Ok(Json(PresenceOut {
        visible: shown,
        others,
        guests,
        everyone: is_host.then(|| {
            people
                .into_iter()
                .map(|p| PresentOut {
                    person_id: p.person_id,
                    first_name: p.first_name,
                    last_name: p.last_name,
                    organisation_name: p.organisation_name,
                    visible: p.visible,
                    since: p.since,
                })
                .collect()
        }),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AccessSummaryOut {
    /// Distinct people holding a seat, active today, that opens the hub.
    pub people_with_access: i64,
    pub organisations_with_access: i64,
    pub checked_in_now: i64,
    pub visits_last_30_days: i64,
    pub guest_visits_last_30_days: i64,
    /// The rural pilots' target of people with access (20).
    pub target_people_with_access: i64,
    pub target_met: bool,
}

impl From<AccessSummary> for AccessSummaryOut {
    fn from(s: AccessSummary) -> Self {
        AccessSummaryOut {
            people_with_access: s.people_with_access,
            organisations_with_access: s.organisations_with_access,
            checked_in_now: s.checked_in_now,
            visits_last_30_days: s.visits_last_30_days,
            guest_visits_last_30_days: s.guest_visits_last_30_days,
            target_people_with_access: ACCESS_TARGET,
            target_met: s.people_with_access >= ACCESS_TARGET,
        }
    }
}

/// The hub's first indicator: how many people and organisations have
/// access, who is in, and visits in the last 30 days. Aggregates only.
#[utoipa::path(get, path = "/hubs/{id}/access-summary", tag = "checkins",
    responses((status = 200, body = AccessSummaryOut), (status = 404, body = ErrorBody)))]
pub async fn access_summary(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<AccessSummaryOut>> {
    let hub = state.store.get_hub(path_id(&id)?).await?;
    Ok(Json(checkins::access_summary(&state, &hub).await?.into()))
}
