//! The open calendar over JSON: events, sign-up with the waiting list,
//! colleagues, invitations for people from other organisations, attendance
//! and the summary. Every rule is [`super::service`]'s.

use super::service::{self as events, Guest};
use crate::http::api::{path_id, require, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::idempotency::IdempotencyKey;
use crate::http::origin::Origin;
use crate::http::paging::Paging;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thirdplace_domain::event::{Event, EventInput, EventSummary, Registrant, Registration};
use thirdplace_domain::ValidationErrors;
use thirdplace_store::EventListing;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub id: Uuid,
    pub hub_id: Uuid,
    /// `room`, `zone` or `online`.
    pub venue: String,
    pub room_id: Option<Uuid>,
    pub zone_id: Option<Uuid>,
    /// The room booking an event in a room holds.
    pub booking_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub topics: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub capacity: i64,
    /// `public`, `members_only` or `invitation_only`.
    pub visibility: String,
    /// `proposed`, `published` or `cancelled`.
    pub status: String,
    pub organiser_id: Uuid,
    pub co_organiser_ids: Vec<Uuid>,
    /// Raised on every change (the iCalendar `SEQUENCE`).
    pub sequence: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The event's page.
    pub url: String,
    /// In lists: the hub's name, the room's or zone's name, places taken
    /// and people waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlisted: Option<i64>,
}

impl From<Event> for EventOut {
    fn from(e: Event) -> Self {
        EventOut {
            url: format!("/events/{}", e.id),
            id: e.id,
            hub_id: e.hub_id,
            venue: e.venue.key().into(),
            room_id: e.venue.room_id(),
            zone_id: e.venue.zone_id(),
            booking_id: e.booking_id,
            title: e.title,
            description: e.description,
            topics: e.topics,
            start: e.start,
            end: e.end,
            capacity: e.capacity,
            visibility: e.visibility.key().into(),
            status: e.status.key().into(),
            organiser_id: e.organiser_id,
            co_organiser_ids: e.co_organiser_ids,
            sequence: e.sequence,
            created_at: e.created_at,
            updated_at: e.updated_at,
            hub_name: None,
            place_name: None,
            confirmed: None,
            waitlisted: None,
        }
    }
}

impl From<EventListing> for EventOut {
    fn from(l: EventListing) -> Self {
        EventOut {
            hub_name: Some(l.hub_name),
            place_name: l.place_name,
            confirmed: Some(l.confirmed),
            waitlisted: Some(l.waitlisted),
            ..l.event.into()
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    pub hub_id: Uuid,
    /// `room`, `zone` or `online`.
    pub venue: String,
    /// With venue `room`: the room booked for the event.
    pub room_id: Option<Uuid>,
    /// With venue `zone`: the activity zone (not booked).
    pub zone_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub topics: Vec<String>,
    /// RFC 3339, or Swedish civil time `2026-12-01T10:00`.
    #[schema(example = "2026-12-01T10:00:00+01:00")]
    pub start: String,
    #[schema(example = "2026-12-01T12:00:00+01:00")]
    pub end: String,
    /// Places; more sign-ups go on the waiting list.
    pub capacity: i64,
    /// `public`, `members_only` or `invitation_only`.
    pub visibility: String,
    #[serde(default)]
    pub co_organiser_ids: Vec<Uuid>,
}

impl EventBody {
    fn input(&self) -> AppResult<EventInput> {
        if self.topics.iter().any(|t| t.contains(',')) {
            return Err(ValidationErrors::single(
                "topics",
                "invalid_characters",
                "a topic must not contain a comma",
            )
            .into());
        }
        let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
        Ok(EventInput {
            hub_id: self.hub_id.to_string(),
            venue: self.venue.clone(),
            room_id: id(self.room_id),
            zone_id: id(self.zone_id),
            title: self.title.clone(),
            description: self.description.clone(),
            topics: self.topics.join(","),
            start: self.start.clone(),
            end: self.end.clone(),
            capacity: self.capacity.to_string(),
            visibility: self.visibility.clone(),
            co_organiser_ids: self.co_organiser_ids.iter().map(Uuid::to_string).collect(),
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Events that end after this instant (RFC 3339); default now.
    pub from: Option<String>,
    /// Events that start before this instant (RFC 3339).
    pub to: Option<String>,
    /// One hub's events.
    pub hub: Option<String>,
    /// Events with this topic tag (case-insensitive).
    pub topic: Option<String>,
}

/// The calendar: public events for anyone; members-only events for
/// signed-in members; invitation-only events and proposals for those
/// involved. By start, a page at a time (`limit`, `cursor`, and a
/// `Link: <…>; rel="next"` header while there are more).
#[utoipa::path(get, path = "/events", tag = "events", params(EventsQuery, Paging),
    responses((status = 200, body = Vec<EventOut>, headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are more events"))), (status = 422, body = ErrorBody)))]
pub async fn list_events(
    State(state): State<AppState>,
    auth: Auth,
    paging: Paging,
    Query(q): Query<EventsQuery>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::new();
    let mut instant = |field: &str, raw: &Option<String>| match raw.as_deref() {
        None | Some("") => None,
        Some(r) => crate::http::parse::parse_instant(field, r)
            .map_err(|e| errors.errors.extend(e.errors))
            .ok(),
    };
    let from = instant("from", &q.from).or(Some(state.now()));
    let to = instant("to", &q.to);
    let hub_id = match q.hub.as_deref() {
        None | Some("") => None,
        Some(h) => match Uuid::parse_str(h) {
            Ok(u) => Some(u),
            Err(_) => {
                errors.add("hub", "invalid_id", "is not a hub id");
                None
            }
        },
    };
    if !errors.errors.is_empty() {
        return Err(errors.into());
    }
    let q = events::ListQuery {
        from,
        to,
        hub_id,
        topic: q.topic.filter(|t| !t.trim().is_empty()),
        after: paging.cursor(EVENTS)?,
    };
    let want = usize::try_from(paging.fetch()).unwrap_or(1);
    let list = events::list(&state, auth.principal.as_ref(), &q, want).await?;
    let (list, next) = paging.page(EVENTS, list, |l| (l.event.start, l.event.id));
    let out: Vec<EventOut> = list.into_iter().map(Into::into).collect();
    Ok(paging.respond(Json(out), next.as_deref()))
}

/// The name of the events list's cursors.
const EVENTS: &str = "events";

/// Proposes an event. A host of the hub publishes at once; other members'
/// proposals wait for a host (`status` `proposed`). An event in a room books
/// it under the booking rules: 409 `booking_conflict` when it is taken,
/// 422 `outside_opening_hours`, `off_grid`, … as for bookings.
#[utoipa::path(post, path = "/events", tag = "events", request_body = EventBody, security(("token" = [])),
    responses((status = 201, body = EventOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_event(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<EventBody>,
) -> AppResult<(StatusCode, Json<EventOut>)> {
    let p = require(&auth, |_| true)?;
    events::may_propose(&state, &p).await?;
    let body = body.parse()?;
    let e = events::propose(&state, &p, &body.input()?).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

/// One event, for whoever may see it (404 otherwise).
#[utoipa::path(get, path = "/events/{id}", tag = "events",
    responses((status = 200, body = EventOut), (status = 404, body = ErrorBody)))]
pub async fn get_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<EventOut>> {
    let (e, _) = events::visible_event(&state, auth.principal.as_ref(), path_id(&id)?).await?;
    Ok(Json(e.into()))
}

/// Changes an event (organisers and the hub's hosts). A move in time or
/// place is e-mailed to everyone registered; a capacity below the people
/// holding a place is 409 `capacity_below_registrations`.
#[utoipa::path(put, path = "/events/{id}", tag = "events", request_body = EventBody, security(("token" = [])),
    responses((status = 200, body = EventOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<EventBody>,
) -> AppResult<Json<EventOut>> {
    let p = require(&auth, |_| true)?;
    let id = path_id(&id)?;
    events::managed_event(&state, &p, id).await?;
    let e = events::update(&state, &p, id, &body.parse()?.input()?).await?;
    Ok(Json(e.into()))
}

/// Publishes a proposed event (the hub's hosts).
#[utoipa::path(post, path = "/events/{id}/publish", tag = "events", security(("token" = [])),
    responses((status = 200, body = EventOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<EventOut>> {
    let p = require(&auth, |_| true)?;
    Ok(Json(
        events::publish(&state, &p, path_id(&id)?).await?.into(),
    ))
}

/// Cancels an event and frees its room (organisers and hosts); everyone
/// registered is told by e-mail. 409 `already_cancelled`.
#[utoipa::path(post, path = "/events/{id}/cancel", tag = "events", security(("token" = [])),
    responses((status = 200, body = EventOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<EventOut>> {
    let p = require(&auth, |_| true)?;
    Ok(Json(
        events::cancel(&state, &p, path_id(&id)?).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: Uuid,
    pub event_id: Uuid,
    /// The person signed up; `null` for an invited external participant.
    pub person_id: Option<Uuid>,
    /// Who signed up a colleague.
    pub registered_by: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    pub external: bool,
    /// `confirmed`, `waitlisted` or `cancelled`.
    pub status: String,
    /// Arrival order within the event.
    pub position: i64,
    pub attended: bool,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl From<Registration> for RegistrationOut {
    fn from(r: Registration) -> Self {
        RegistrationOut {
            id: r.id,
            event_id: r.event_id,
            person_id: r.registrant.person_id(),
            external: matches!(r.registrant, Registrant::External(_)),
            registered_by: r.registered_by,
            invitation_id: r.invitation_id,
            status: r.status.key().into(),
            position: r.position,
            attended: r.attended,
            created_at: r.created_at,
            cancelled_at: r.cancelled_at,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// Sign up this colleague (of your own organisation) instead of
    /// yourself.
    pub person_id: Option<Uuid>,
}

/// Signs up the caller, or a colleague of the caller's organisation:
/// 201 with `status` `confirmed`, or `waitlisted` when the places are
/// taken. 409 `already_registered`; 422 `event_started`,
/// `event_cancelled`, `event_not_published`; 403
/// `colleague_other_organisation`.
#[utoipa::path(post, path = "/events/{id}/registrations", tag = "events", request_body(content = Option<RegisterBody>), security(("token" = [])), params(IdempotencyKey),
    responses((status = 201, body = RegistrationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiJson<RegisterBody>,
) -> AppResult<(StatusCode, Json<RegistrationOut>)> {
    let p = require(&auth, |_| true)?;
    let id = path_id(&id)?;
    // An event the caller may not see is not there, whatever the body.
    events::visible_event(&state, Some(&p), id).await?;
    // The body is optional: none, or `{}`, signs up oneself.
    let body = body
        .parse_optional("expected {\"person_id\": \"…\"} or no body")?
        .unwrap_or_default();
    let r = events::register_once(&state, &p, id, body.person_id, &key).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantOut {
    #[serde(flatten)]
    pub registration: RegistrationOut,
    /// The person's name, or the name an invited person gave.
    pub name: String,
    pub email: String,
    pub organisation_name: Option<String>,
}

/// An event's registrations in arrival order, cancelled ones included, with
/// names, addresses and organisations (organisers and hosts), e.g. to mark
/// attendance. A page at a time (`limit`, `cursor`, and a
/// `Link: <…>; rel="next"` header while there are more).
#[utoipa::path(get, path = "/events/{id}/registrations", tag = "events", params(Paging), security(("token" = [])),
    responses((status = 200, body = Vec<ParticipantOut>, headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are more registrations"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_registrations(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    paging: Paging,
) -> AppResult<Response> {
    let p = auth.require()?;
    let after = paging.cursor(REGISTRATIONS)?;
    let list = events::registrations(&state, p, path_id(&id)?, after, paging.fetch()).await?;
    let (list, next) = paging.page(REGISTRATIONS, list, |v| v.registration.position);
    let out: Vec<ParticipantOut> = list
        .into_iter()
        .map(|v| ParticipantOut {
            registration: v.registration.into(),
            name: v.name,
            email: v.email,
            organisation_name: v.organisation_name,
        })
        .collect();
    Ok(paging.respond(Json(out), next.as_deref()))
}

/// The name of the registrations list's cursors.
const REGISTRATIONS: &str = "registrations";

#[derive(Serialize, ToSchema)]
pub struct CancelledRegistrationOut {
    pub registration: RegistrationOut,
    /// Who moved up from the waiting list into the freed place.
    pub promoted: Vec<RegistrationOut>,
}

/// Cancels a registration (the person, who signed them up, organisers,
/// hosts). The first on the waiting list moves up and is told by e-mail.
#[utoipa::path(delete, path = "/registrations/{id}", tag = "events", security(("token" = [])),
    responses((status = 200, body = CancelledRegistrationOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_registration(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<CancelledRegistrationOut>> {
    let p = require(&auth, |_| true)?;
    let done = events::cancel_registration(&state, &p, path_id(&id)?).await?;
    Ok(Json(CancelledRegistrationOut {
        registration: done.registration.into(),
        promoted: done.promoted.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendedBody {
    pub attended: bool,
}

/// Marks whether someone came (organisers and hosts).
#[utoipa::path(put, path = "/registrations/{id}/attended", tag = "events", request_body = AttendedBody, security(("token" = [])),
    responses((status = 200, body = RegistrationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_attended(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<AttendedBody>,
) -> AppResult<Json<RegistrationOut>> {
    let p = require(&auth, |_| true)?;
    let id = path_id(&id)?;
    events::managed_registration(&state, &p, id).await?;
    let attended = body.parse()?.attended;
    let r = events::set_attended(&state, &p, id, attended).await?;
    Ok(Json(r.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: Uuid,
    pub event_id: Uuid,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// Invites someone by e-mail (organisers and hosts). The message holds a
/// one-time link `/invitations/{token}`; the token is never shown here and
/// only its hash is kept.
#[utoipa::path(post, path = "/events/{id}/invitations", tag = "events", request_body = InvitationBody, security(("token" = [])),
    responses((status = 201, body = InvitationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    auth: Auth,
    origin: Origin,
    Path(id): Path<String>,
    body: ApiJson<InvitationBody>,
) -> AppResult<(StatusCode, Json<InvitationOut>)> {
    let p = require(&auth, |_| true)?;
    let id = path_id(&id)?;
    events::managed_event(&state, &p, id).await?;
    let email = body.parse()?.email;
    let sent = events::invite(&state, &p, id, &[email], &origin.0).await?;
    let Some(i) = sent.into_iter().next() else {
        return Err(AppError::Internal("an invitation was not written".into()));
    };
    Ok((
        StatusCode::CREATED,
        Json(InvitationOut {
            id: i.id,
            event_id: i.event_id,
            email: i.email.into_string(),
            created_at: i.created_at,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// The organisation the invited person comes from.
    pub organisation: String,
}

/// Uses an invitation link once, without an account: registers the invited
/// person as an external participant. 404 `invitation_invalid` for an
/// unknown token, 409 `invitation_used` the second time.
#[utoipa::path(post, path = "/invitations/{token}/redeem", tag = "events", request_body = RedeemBody,
    responses((status = 201, body = RegistrationOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn redeem(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: ApiJson<RedeemBody>,
) -> AppResult<(StatusCode, Json<RegistrationOut>)> {
    // No role: the token in the path is the permission, and the body is
    // what the invited person tells about themselves.
    let body = body.parse()?;
    let g = Guest {
        first_name: body.first_name,
        last_name: body.last_name,
        email: body.email,
        organisation: body.organisation,
    };
    let r = events::redeem(&state, &token, &g).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// An event's numbers (organisers and hosts): the raw material of the
/// cross-organisation indicators.
#[utoipa::path(get, path = "/events/{id}/summary", tag = "events", security(("token" = [])),
    responses((status = 200, body = EventSummary), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn summary(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<EventSummary>> {
    let p = auth.require()?;
    Ok(Json(events::summary(&state, p, path_id(&id)?).await?))
}
