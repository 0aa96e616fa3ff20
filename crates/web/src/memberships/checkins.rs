//! Check-in, check-out and guests: the one path that the hub's check-in
//! page, a host's or kiosk's scan and the API all take, so every check-in is
//! judged and recorded the same way. The domain decides; this module loads
//! what the domain needs, maps its refusals to errors people understand and
//! writes through the store (which queues the webhook events in the same
//! transaction).

use crate::http::api::referenced;
use crate::http::error::{AppError, AppResult};
use crate::http::idempotency::IdempotencyKey;
use crate::http::parse::{local_date_time, local_time};
use crate::AppState;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;
use thirdplace_domain::membership::{
    self, auto_close_at, check_guest, decide_check_in, guest_limit, local_date,
    may_act_on_check_in, CheckIn, CheckInMethod, CheckInRefusal, GuestInput, GuestRefusal,
    GuestVisit, WebhookEvent,
};
use thirdplace_domain::{new_id, Person, Principal};
use thirdplace_store::{HubListing, OutboundEvent, StoreError};
use uuid::Uuid;

/// An event for the webhooks: `{"event", "occurred_at", "data"}`.
pub fn event(kind: WebhookEvent, at: DateTime<Utc>, data: serde_json::Value) -> OutboundEvent {
    let body = json!({
        "event": kind.key(),
        "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": data,
    });
    OutboundEvent {
        event: kind,
        payload: body.to_string(),
        at,
    }
}

fn checkin_data(c: &CheckIn, first_name: &str, hub_name: &str) -> serde_json::Value {
    json!({
        "checkin_id": c.id,
        "hub_id": c.hub_id,
        "hub_name": hub_name,
        "person_id": c.person_id,
        "first_name": first_name,
        "method": c.method.key(),
        "checked_in_at": c.checked_in_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "checked_out_at": c.checked_out_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "auto_closed": c.auto_closed,
    })
}

fn refusal_error(r: CheckInRefusal, hub: &HubListing) -> AppError {
    let name = &hub.hub.name;
    match r {
        CheckInRefusal::NoMembership => AppError::refused(
            StatusCode::FORBIDDEN,
            r.code(),
            format!("You have no active membership that opens {name} today."),
        ),
        CheckInRefusal::HubArchived => AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            r.code(),
            format!("{name} is no longer part of the network."),
        ),
        CheckInRefusal::HubClosed { opens } => AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            r.code(),
            match opens {
                Some(at) => format!(
                    "{name} is closed now; it opens {} (Swedish time).",
                    local_date_time(at)
                ),
                None => format!("{name} is closed now."),
            },
        ),
    }
}

fn already_checked_in(hub_name: &str, since: DateTime<Utc>) -> AppError {
    AppError::refused(
        StatusCode::CONFLICT,
        "already_checked_in",
        format!(
            "You are already checked in at {hub_name} since {}. Check out first.",
            local_time(since)
        ),
    )
}

/// The hub of a check-in request; an unknown id is a field error.
async fn hub_for_request(state: &AppState, hub_id: Uuid) -> AppResult<HubListing> {
    let load = state.store.get_hub(hub_id);
    referenced(load, |_| true, "hub_id", "is not a hub of this network").await
}

/// Who is checking in: the person's id and first name (for the events).
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub id: Uuid,
    pub first_name: &'a str,
}

impl<'a> From<&'a Person> for Member<'a> {
    fn from(p: &'a Person) -> Self {
        Member {
            id: p.id,
            first_name: &p.first_name,
        }
    }
}

impl<'a> From<&'a Principal> for Member<'a> {
    fn from(p: &'a Principal) -> Self {
        Member {
            id: p.person_id,
            first_name: &p.first_name,
        }
    }
}

/// Checks a person in at a hub now.
pub async fn check_in(
    state: &AppState,
    person: Member<'_>,
    hub_id: Uuid,
    method: CheckInMethod,
) -> AppResult<CheckIn> {
    check_in_once(state, person, hub_id, method, &IdempotencyKey::default()).await
}

/// [`check_in`] with an `Idempotency-Key`: a retry of a check-in that was
/// written (answered or not) is answered with it, even after check-out.
pub async fn check_in_once(
    state: &AppState,
    person: Member<'_>,
    hub_id: Uuid,
    method: CheckInMethod,
    key: &IdempotencyKey,
) -> AppResult<CheckIn> {
    let id = key.id_for(person.id, "checkin", new_id);
    if key.is_set() {
        match state.store.get_checkin(id).await {
            Ok(first) if first.person_id == person.id => return Ok(first),
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let now = state.now();
    let hub = hub_for_request(state, hub_id).await?;
    let held = state.store.held_seats(person.id, now).await?;
    let seat = decide_check_in(
        hub.hub.archived,
        &hub.hub.opening_hours,
        &held,
        hub.hub.id,
        hub.region_id,
        now,
    )
    .map_err(|r| refusal_error(r, &hub))?;
    let c = CheckIn {
        id,
        person_id: person.id,
        hub_id: hub.hub.id,
        seat_id: seat.seat.id,
        method,
        checked_in_at: now,
        checked_out_at: None,
        auto_closed: false,
    };
    let ev = event(
        WebhookEvent::CheckIn,
        now,
        checkin_data(&c, person.first_name, &hub.hub.name),
    );
    // The database refuses a second open check-in; only then do we look at
    // the open one, so the common path costs no extra query.
    for attempt in 0..2 {
        match state.store.insert_checkin(&c, &ev).await {
            Ok(()) => {
                state.webhook_wake.notify_one();
                return Ok(c);
            }
            Err(StoreError::Refused(thirdplace_store::Refusal::AlreadyCheckedIn)) => {
                let Some(open) = state.store.open_checkin_of(person.id).await? else {
                    // Ended in the meantime: try again.
                    continue;
                };
                if open.id == c.id {
                    // A retry that raced its first attempt.
                    return Ok(open);
                }
                let open_hub = state.store.get_hub(open.hub_id).await?;
                if attempt == 0
                    && auto_close_at(&open_hub.hub.opening_hours, open.checked_in_at) <= now
                {
                    // Forgotten yesterday (or before closing today): close
                    // it the way the sweeper would have, then go on.
                    close_one(state, &open, &open_hub, person.first_name).await?;
                    continue;
                }
                // Open now, perhaps by another kiosk or tab a moment ago.
                return Err(already_checked_in(&open_hub.hub.name, open.checked_in_at));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(already_checked_in(&hub.hub.name, now))
}

/// Checks in the member behind a scanned QR code; the scanner must host the
/// hub (a kiosk signs in as a host).
pub async fn scan(
    state: &AppState,
    scanner: &Principal,
    hub_id: Uuid,
    token: &str,
) -> AppResult<(CheckIn, Person)> {
    if !scanner.can_edit_hub(hub_id) {
        return Err(AppError::Forbidden);
    }
    let person_id = crate::memberships::qr::resolve(state, token, state.now()).await?;
    let person = match state.store.get_person(person_id).await {
        Ok(p) if !p.archived => p,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(crate::memberships::qr::QrError::Invalid.into_app_error())
        }
        Err(e) => return Err(e.into()),
    };
    let c = check_in(state, Member::from(&person), hub_id, CheckInMethod::Scan).await?;
    Ok((c, person))
}

/// Ends a check-in now.
pub async fn check_out(state: &AppState, who: &Principal, id: Uuid) -> AppResult<CheckIn> {
    let c = state.store.get_checkin(id).await?;
    if !may_act_on_check_in(who, &c) {
        return Err(AppError::NotFound);
    }
    if c.checked_out_at.is_some() {
        return Err(already_checked_out());
    }
    let hub = state.store.get_hub(c.hub_id).await?;
    let first_name = if who.person_id == c.person_id {
        who.first_name.clone()
    } else {
        state.store.get_person(c.person_id).await?.first_name
    };
    let now = state.now();
    let mut ended = c.clone();
    ended.checked_out_at = Some(now);
    let ev = event(
        WebhookEvent::CheckOut,
        now,
        checkin_data(&ended, &first_name, &hub.hub.name),
    );
    match state.store.checkout(id, now, false, &ev).await {
        Ok(c) => {
            state.webhook_wake.notify_one();
            Ok(c)
        }
        Err(StoreError::Refused(thirdplace_store::Refusal::AlreadyCheckedOut)) => {
            Err(already_checked_out())
        }
        Err(e) => Err(e.into()),
    }
}

fn already_checked_out() -> AppError {
    AppError::refused(
        StatusCode::CONFLICT,
        "already_checked_out",
        "This visit has already ended.",
    )
}

async fn close_one(
    state: &AppState,
    c: &CheckIn,
    hub: &HubListing,
    first_name: &str,
) -> AppResult<()> {
    let at = auto_close_at(&hub.hub.opening_hours, c.checked_in_at);
    let mut ended = c.clone();
    ended.checked_out_at = Some(at);
    ended.auto_closed = true;
    let ev = event(
        WebhookEvent::CheckOut,
        at,
        checkin_data(&ended, first_name, &hub.hub.name),
    );
    match state.store.checkout(c.id, at, true, &ev).await {
        Ok(_) | Err(StoreError::Refused(thirdplace_store::Refusal::AlreadyCheckedOut)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Closes every open check-in whose hub has closed since: at the hub's
/// closing time, marked as closed by the system. Returns how many.
pub async fn close_forgotten(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let open = state.store.list_open_checkins().await?;
    let mut hubs: HashMap<Uuid, HubListing> = HashMap::new();
    let mut closed = 0;
    for c in open {
        if let std::collections::hash_map::Entry::Vacant(e) = hubs.entry(c.hub_id) {
            e.insert(state.store.get_hub(c.hub_id).await?);
        }
        let hub = &hubs[&c.hub_id];
        if auto_close_at(&hub.hub.opening_hours, c.checked_in_at) <= now {
            let person = state.store.get_person(c.person_id).await?;
            close_one(state, &c, hub, &person.first_name).await?;
            closed += 1;
        }
    }
    if closed > 0 {
        state.webhook_wake.notify_one();
    }
    Ok(closed)
}

/// Registers a guest of a checked-in member.
pub async fn register_guest(
    state: &AppState,
    who: &Principal,
    checkin_id: Uuid,
    input: &GuestInput,
) -> AppResult<GuestVisit> {
    let c = state.store.get_checkin(checkin_id).await?;
    if !may_act_on_check_in(who, &c) {
        return Err(AppError::NotFound);
    }
    let guest = input.validate()?;
    let load = state.store.get_organisation(guest.organisation_id);
    let no_organisation = "is not an organisation of this network";
    referenced(load, |o| !o.archived, "organisation_id", no_organisation).await?;
    let now = state.now();
    let host = state.store.get_person(c.person_id).await?;
    let held = state.store.held_seats(c.person_id, now).await?;
    let max_guests = guest_limit(&held, &c);
    let present = state
        .store
        .list_guests(c.id)
        .await?
        .iter()
        .filter(|g| g.left_at.is_none())
        .count() as i64;
    check_guest(
        c.checked_out_at.is_none(),
        host.organisation_id,
        guest.organisation_id,
        max_guests,
        present,
    )
    .map_err(guest_error)?;
    let g = GuestVisit {
        id: new_id(),
        host_checkin_id: c.id,
        host_person_id: c.person_id,
        hub_id: c.hub_id,
        first_name: guest.first_name,
        last_name: guest.last_name,
        organisation_id: guest.organisation_id,
        arrived_at: now,
        left_at: None,
    };
    let ev = event(
        WebhookEvent::Guest,
        now,
        json!({
            "guest_id": g.id,
            "checkin_id": c.id,
            "hub_id": c.hub_id,
            "host_person_id": c.person_id,
            "host_first_name": host.first_name,
            "guest_first_name": g.first_name,
            "organisation_id": g.organisation_id,
            "arrived_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
    );
    match state.store.insert_guest_visit(&g, max_guests, &ev).await {
        Ok(()) => {
            state.webhook_wake.notify_one();
            Ok(g)
        }
        Err(StoreError::Refused(thirdplace_store::Refusal::Guest(r))) => Err(guest_error(r)),
        Err(e) => Err(e.into()),
    }
}

fn guest_error(r: GuestRefusal) -> AppError {
    crate::http::error::guest_refusal(&r)
}

/// The hub's access numbers now.
pub async fn access_summary(
    state: &AppState,
    hub: &HubListing,
) -> AppResult<membership::AccessSummary> {
    let now = state.now();
    let today = local_date(now);
    Ok(state
        .store
        .access_summary(
            hub.hub.id,
            hub.region_id,
            today,
            now,
            membership::first_day_of_last_30(today),
        )
        .await?)
}
