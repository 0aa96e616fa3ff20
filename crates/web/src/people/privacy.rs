//! A person's own data: export (GDPR art. 15 and 20, "registerutdrag") and
//! erasure (art. 17, "radering").
//! The export holds what is stored about the signed-in person and never
//! other people's personal data: colleagues appear by id only, guests by
//! the names this person gave for them.

use crate::http::api::{path_id, require, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thirdplace_domain::event::Registrant;
use thirdplace_store::{BookingFilter, Erased, Erasure, EventFilter};
use utoipa::ToSchema;
use uuid::Uuid;

/// Enough rows for any one person's history; the export is not paged.
const ALL: i64 = 100_000;

/// Everything stored about a person, as one JSON document.
pub async fn person_export(state: &AppState, person_id: Uuid) -> AppResult<Value> {
    let store = &state.store;
    let now = state.clock.now();
    let person = store.get_person(person_id).await?;
    let organisation = match person.organisation_id {
        Some(id) => Some(store.get_organisation(id).await?),
        None => None,
    };
    let profile = store.get_profile(person_id).await?;
    let seats: Vec<Value> = store
        .held_seats(person_id, now)
        .await?
        .into_iter()
        .map(|h| {
            json!({
                "seat_id": h.seat.id,
                "plan": h.plan.name,
                "organisation": h.organisation_name,
                "start_date": h.seat.start_date,
                "end_date": h.seat.end_date,
            })
        })
        .collect();
    let mut checkins = Vec::new();
    let mut guests = Vec::new();
    for c in store.list_checkins_of(person_id, ALL).await? {
        for g in store.list_guests(c.id).await? {
            if g.host_person_id == person_id {
                guests.push(json!({
                    "id": g.id,
                    "checkin_id": g.host_checkin_id,
                    "hub_id": g.hub_id,
                    "first_name": g.first_name,
                    "last_name": g.last_name,
                    "organisation_id": g.organisation_id,
                    "arrived_at": g.arrived_at,
                    "left_at": g.left_at,
                }));
            }
        }
        checkins.push(json!({
            "id": c.id,
            "hub_id": c.hub_id,
            "seat_id": c.seat_id,
            "method": c.method.key(),
            "checked_in_at": c.checked_in_at,
            "checked_out_at": c.checked_out_at,
            "auto_closed": c.auto_closed,
        }));
    }
    let bookings: Vec<Value> = store
        .list_bookings(&BookingFilter {
            booker_id: Some(person_id),
            include_cancelled: true,
            limit: ALL,
            ..BookingFilter::default()
        })
        .await?
        .into_iter()
        .map(|v| {
            let b = v.booking;
            json!({
                "id": b.id,
                "hub_id": b.hub_id,
                "room_id": b.room_id,
                "title": b.title,
                "start": b.start,
                "end": b.end,
                "status": b.status.key(),
                "on_behalf_of_organisation": b.on_behalf_of_organisation,
                "created_at": b.created_at,
                "cancelled_at": b.cancelled_at,
            })
        })
        .collect();
    let mut registrations = Vec::new();
    let mut organised = Vec::new();
    let mut invitations = Vec::new();
    let events = store
        .list_events(&EventFilter {
            involving: Some(person_id),
            limit: ALL,
            ..EventFilter::default()
        })
        .await?;
    for l in events {
        let e = l.event;
        if e.organiser_id == person_id || e.co_organiser_ids.contains(&person_id) {
            organised.push(json!({
                "id": e.id,
                "title": e.title,
                "description": e.description,
                "start": e.start,
                "end": e.end,
                "status": e.status.key(),
                "role": if e.organiser_id == person_id { "organiser" } else { "co_organiser" },
            }));
            for i in store.list_invitations(e.id).await? {
                if i.invited_by == person_id {
                    invitations.push(json!({
                        "id": i.id,
                        "event_id": i.event_id,
                        // The address this person typed in themself.
                        "email": i.email,
                        "created_at": i.created_at,
                        "used_at": i.used_at,
                    }));
                }
            }
        }
        if let Some(r) = store.registration_of(e.id, person_id).await? {
            if matches!(r.registrant, Registrant::Person { person_id: p } if p == person_id) {
                registrations.push(json!({
                    "id": r.id,
                    "event_id": r.event_id,
                    "event_title": e.title,
                    "status": r.status.key(),
                    "created_at": r.created_at,
                    "cancelled_at": r.cancelled_at,
                    "attended": r.attended,
                }));
            }
        }
    }
    let emails: Vec<Value> = store
        .list_emails(ALL)
        .await?
        .into_iter()
        .filter(|m| m.to_address.eq_ignore_ascii_case(person.email.as_str()))
        .map(|m| {
            json!({
                "id": m.id,
                "subject": m.subject,
                "body": m.body,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
                "failed": m.failed,
            })
        })
        .collect();
    let mut seen: std::collections::HashMap<Uuid, thirdplace_store::ApiTokenSeen> = store
        .api_tokens_seen(person_id)
        .await?
        .into_iter()
        .map(|s| (s.token_id, s))
        .collect();
    let tokens: Vec<Value> = store
        .list_api_tokens(person_id)
        .await?
        .into_iter()
        .map(|t| {
            let seen = seen.remove(&t.id);
            json!({
                "id": t.id,
                "name": t.name,
                "created_at": t.created_at,
                "revoked_at": t.revoked_at,
                "last_used_at": seen.as_ref().and_then(|s| s.last_used_at),
                "last_used_source": seen.and_then(|s| s.last_used_source),
            })
        })
        .collect();
    // Sessions by their public id: the secret's hash stays in the database.
    let sessions: Vec<Value> = store
        .list_sessions(person_id, now)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.public_id,
                "user_agent": s.user_agent,
                "source": s.source,
                "created_at": s.created_at,
                "last_used_at": s.last_used_at,
                "expires_at": s.expires_at,
            })
        })
        .collect();
    Ok(json!({
        "exported_at": now,
        "person": {
            "id": person.id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "archived": person.archived,
            "language": store.person_language(person_id).await?,
        },
        "organisation": organisation.map(|o| json!({"id": o.id, "name": o.name, "org_number": o.org_number})),
        "roles": {
            "network_admin": person.is_network_admin,
            "hosted_hub_ids": person.hosted_hub_ids,
            "admin_of_organisation_ids": person.admin_of_organisation_ids,
            "staff_of_operator_ids": person.staff_of_operator_ids,
        },
        "profile": {"visible": profile.visible, "expertise": profile.expertise},
        "seats": seats,
        "checkins": checkins,
        "guests": guests,
        "bookings": bookings,
        "event_registrations": registrations,
        "events_organised": organised,
        "invitations_sent": invitations,
        "emails": emails,
        "api_tokens": tokens,
        "sessions": sessions,
        "calendar_feed_generation": store.calendar_generation(person_id).await?,
        "card_generation": store.qr_generation(person_id).await?,
    }))
}

/// The export as a download.
pub fn attachment(doc: &Value, today: chrono::NaiveDate) -> Response {
    let body = serde_json::to_string_pretty(doc).unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"thirdplace-export-{today}.json\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Everything stored about the signed-in person, as a JSON download.
#[utoipa::path(get, path = "/me/export", tag = "people", security(("token" = [])), responses((status = 200, description = "The person's data as a JSON attachment"), (status = 401, body = ErrorBody)))]
pub async fn export(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let p = auth.require()?;
    let doc = person_export(&state, p.person_id).await?;
    let today = state
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive();
    Ok(attachment(&doc, today))
}

/// Whether `p` has been erased: erasure archives the person and leaves an
/// address under the reserved `.invalid` domain that no one can be given.
pub fn is_erased(p: &thirdplace_domain::Person) -> bool {
    let e = p.email.as_str();
    p.archived && e.starts_with("erased-") && e.ends_with("@invalid")
}

/// Erases a person once `confirm` is their e-mail address (case and spaces
/// aside): see [`thirdplace_store::Store::erase_person`] for what goes and
/// what stays.
pub async fn erase(state: &AppState, person_id: Uuid, confirm: &str) -> AppResult<Erased> {
    let person = state.store.get_person(person_id).await?;
    if !confirm
        .trim()
        .eq_ignore_ascii_case(person.email.as_str().trim())
    {
        return Err(AppError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "confirmation_mismatch",
            message: format!(
                "to erase your data, send {{\"confirm\": \"{}\"}}: your own e-mail address",
                person.email
            ),
        });
    }
    erase_as(state, person_id, person_id, None).await
}

/// The reason a network admin gives for erasing someone: the request's
/// reference, kept in the audit trail.
pub fn parse_reason(raw: &str) -> AppResult<String> {
    thirdplace_domain::Text::parse(raw, 300)
        .map(|t| t.into_string())
        .map_err(|mut e| {
            e.field = "reason".into();
            AppError::Validation(thirdplace_domain::ValidationErrors { errors: vec![e] })
        })
}

/// What a network admin's erasure did: nothing when the person had already
/// been erased (a retry), so that it is neither done nor recorded twice.
pub enum AdminErasure {
    Done(Erased),
    AlreadyErased,
}

/// A network admin (`actor`) erases a person on their request, with the same
/// rules as self-erasure, recording `reason` in the audit trail.
pub async fn erase_by_admin(
    state: &AppState,
    person_id: Uuid,
    actor: Uuid,
    reason: &str,
) -> AppResult<AdminErasure> {
    let person = state.store.get_person(person_id).await?;
    if is_erased(&person) {
        return Ok(AdminErasure::AlreadyErased);
    }
    Ok(AdminErasure::Done(
        erase_as(state, person_id, actor, Some(reason)).await?,
    ))
}

/// Erases `person_id`, the audit entry naming `actor` (the person, or the
/// network admin who erased them, with the request's `reason`).
async fn erase_as(
    state: &AppState,
    person_id: Uuid,
    actor: Uuid,
    reason: Option<&str>,
) -> AppResult<Erased> {
    let now = state.now();
    // The e-mail for whoever moves up into a freed place, per event.
    let promotions = state
        .store
        .list_events(&EventFilter {
            involving: Some(person_id),
            from: Some(now),
            limit: ALL,
            ..EventFilter::default()
        })
        .await?
        .into_iter()
        .map(|l| {
            (
                l.event.id,
                crate::http::mail::promotion_email(&l.event, now),
            )
        })
        .collect();
    let erasure = Erasure {
        person_id,
        at: now,
        placeholder_name: "Raderad".into(),
        placeholder_email: format!("erased-{}@invalid", thirdplace_domain::new_id()),
        promotions,
    };
    // The last network admin is refused by the store (error layer: 409).
    let erased = state.store.erase_person(&erasure).await?;
    let mut details = serde_json::json!({
        "cancelled_bookings": erased.cancelled_bookings.len(),
        "cancelled_registrations": erased.cancelled_registrations.len(),
    });
    if let Some(reason) = reason {
        details["reason"] = reason.into();
    }
    crate::http::audit::record(
        state,
        Some(actor),
        "person.erased",
        ("person", person_id),
        details,
    )
    .await;
    if erased
        .cancelled_registrations
        .iter()
        .any(|c| !c.promoted.is_empty())
    {
        state.mail_wake.notify_one();
    }
    Ok(erased)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    /// The person's own e-mail address, typed again.
    pub confirm: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErasedOut {
    pub erased: bool,
    /// Future room bookings cancelled (uncharged).
    pub cancelled_bookings: usize,
    /// Future event registrations cancelled.
    pub cancelled_registrations: usize,
}

/// Erases the signed-in person: see docs/api.md, "Personal data".
#[utoipa::path(post, path = "/me/erase", tag = "people", security(("token" = [])), request_body = EraseBody, responses((status = 200, body = ErasedOut), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody, description = "last_network_admin"), (status = 422, body = ErrorBody, description = "confirmation_mismatch")))]
pub async fn erase_me(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<EraseBody>,
) -> AppResult<Json<ErasedOut>> {
    let p = auth.require()?;
    let erased = erase(&state, p.person_id, &body.parse()?.confirm).await?;
    Ok(Json(ErasedOut {
        erased: true,
        cancelled_bookings: erased.cancelled_bookings.len(),
        cancelled_registrations: erased.cancelled_registrations.len(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminEraseBody {
    /// The request's reference or reason (case number, date of the
    /// request); kept in the audit trail, so no names or addresses.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonErasedOut {
    pub erased: bool,
    /// The person had been erased before: nothing was done this time.
    pub already_erased: bool,
    /// Future room bookings cancelled (uncharged).
    pub cancelled_bookings: usize,
    /// Future event registrations cancelled.
    pub cancelled_registrations: usize,
}

/// Erases a person on their request (GDPR art. 17), with the same rules as
/// `POST /me/erase`; network admins only. A retry answers 200 with
/// `already_erased`.
#[utoipa::path(post, path = "/people/{id}/erase", tag = "people", security(("token" = [])), request_body = AdminEraseBody,
    responses((status = 200, body = PersonErasedOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "last_network_admin"), (status = 422, body = ErrorBody, description = "reason missing or too long")))]
pub async fn erase_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<AdminEraseBody>,
) -> AppResult<Json<PersonErasedOut>> {
    let admin = require(&auth, |p| p.is_network_admin)?;
    let id = path_id(&id)?;
    let body = body.parse()?;
    let reason = parse_reason(&body.reason)?;
    let out = match erase_by_admin(&state, id, admin.person_id, &reason).await? {
        AdminErasure::Done(e) => PersonErasedOut {
            erased: true,
            already_erased: false,
            cancelled_bookings: e.cancelled_bookings.len(),
            cancelled_registrations: e.cancelled_registrations.len(),
        },
        AdminErasure::AlreadyErased => PersonErasedOut {
            erased: true,
            already_erased: true,
            cancelled_bookings: 0,
            cancelled_registrations: 0,
        },
    };
    Ok(Json(out))
}
