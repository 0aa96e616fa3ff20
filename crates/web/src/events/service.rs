//! The open calendar's one path for the API (and, next, the pages): propose,
//! publish, change and cancel events; sign up oneself or a colleague;
//! invite people from other organisations; mark attendance; the summary;
//! and the 24-hour reminders. The domain ([`thirdplace_domain::event`])
//! decides every rule; this module loads what a rule needs, runs the
//! booking rules for an event's room, and writes through the store, which
//! decides places and the waiting list inside its transaction.
//!
//! **Who publishes.** An event proposed by a host of its hub (or a network
//! admin) is published at once; so is any member's where the hub's booking
//! rules publish members' events; otherwise a proposal waits until a host of
//! the hub publishes it ([`event::published_at_once`] decides).
//!
//! **Who is a member.** Someone signed in who holds a seat somewhere in the
//! network, hosts a hub or is a network admin. Members propose events and
//! see members-only events.

use crate::http::api::referenced;
use crate::http::error::{AppError, AppResult};
use crate::http::idempotency::IdempotencyKey;
use crate::http::mail::{local_span, promotion_email, template};
use crate::AppState;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use thirdplace_domain::booking::{check_slot, BookingRefusal, Price};
use thirdplace_domain::event::{
    self, check_colleague, may_register, may_see, Event, EventInput, EventRefusal, EventStatus,
    EventSummary, EventVisibility, ExternalParticipantInput, Invitation, Registrant, Registration,
    Viewer,
};
use thirdplace_domain::{new_id, Email, FieldError, Principal, ValidationErrors};
use thirdplace_store::{
    EventFilter, EventListing, EventNotices, OutgoingEmail, RegistrationCancelled, Store,
    StoreError,
};
use uuid::Uuid;

/// How far ahead of an event its reminder goes out.
pub const REMINDER_AHEAD_HOURS: i64 = 24;
/// Most events one list or feed answer holds.
pub const MAX_LISTED: i64 = 5000;

/// The error for a refusal, with the status the domain names.
pub fn refusal(r: &EventRefusal) -> AppError {
    crate::http::error::event_refusal(r)
}

fn booking_refusal(r: &BookingRefusal) -> AppError {
    crate::http::error::booking_refusal(r)
}

/// A store error, with the refused room booking of an event answered as
/// the event's room conflict; the error layer maps the rest.
fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::Refused(thirdplace_store::Refusal::Booking(BookingRefusal::Conflict)) => {
            refusal(&EventRefusal::RoomConflict)
        }
        e => e.into(),
    }
}

fn field_error(field: &str, e: FieldError) -> ValidationErrors {
    ValidationErrors {
        errors: vec![FieldError {
            field: field.to_string(),
            ..e
        }],
    }
}

// ------------------------------------------------------------- who is who

/// Whether `p` is a member ([`event::is_member`]); the held seats are read
/// only when no role already makes `p` one.
pub async fn is_member(state: &AppState, p: &Principal) -> AppResult<bool> {
    if event::member_by_role(p) {
        return Ok(true);
    }
    let held = state.store.held_seats(p.person_id, state.now()).await?;
    Ok(event::is_member(p, &held))
}

/// Who `p` is to one event. Invited means holding an active registration
/// or an invitation sent to one's address.
pub async fn viewer(state: &AppState, p: Option<&Principal>, e: &Event) -> AppResult<Viewer> {
    let Some(p) = p else {
        return Ok(Viewer::default());
    };
    let manages = event::manages(p, e);
    let member = is_member(state, p).await?;
    let invited = if e.visibility == EventVisibility::Public || manages {
        false
    } else {
        state
            .store
            .registration_of(e.id, p.person_id)
            .await?
            .is_some()
            || state
                .store
                .list_invitations(e.id)
                .await?
                .iter()
                .any(|i| i.email.as_str().eq_ignore_ascii_case(p.email.as_str()))
    };
    Ok(Viewer {
        person_id: Some(p.person_id),
        member,
        invited,
        manages,
    })
}

/// An event `p` may see, or 404 (not telling whether it exists).
pub async fn visible_event(
    state: &AppState,
    p: Option<&Principal>,
    id: Uuid,
) -> AppResult<(Event, Viewer)> {
    let e = state.store.get_event(id).await?;
    let v = viewer(state, p, &e).await?;
    if !may_see(&e, &v) {
        return Err(AppError::NotFound);
    }
    Ok((e, v))
}

/// An event `p` manages; 404 if they may not even see it, 403 otherwise.
pub async fn managed_event(state: &AppState, p: &Principal, id: Uuid) -> AppResult<Event> {
    let (e, v) = visible_event(state, Some(p), id).await?;
    if !v.manages {
        return Err(refusal(&EventRefusal::NotOrganiser));
    }
    Ok(e)
}

// ------------------------------------------------------------------- list

/// What a calendar asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub hub_id: Option<Uuid>,
    pub topic: Option<String>,
    /// Events after this `(start, id)`: the last of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

/// The events `p` may see: public published (and cancelled) ones for
/// anyone; members-only ones for members; invitation-only ones and
/// proposals for those involved (organisers, registered people, the hub's
/// hosts, network admins).
/// The first `want` of them after `q.after`, by start then id.
pub async fn list(
    state: &AppState,
    p: Option<&Principal>,
    q: &ListQuery,
    want: usize,
) -> AppResult<Vec<EventListing>> {
    let f = EventFilter {
        from: q.from,
        to: q.to,
        hub_ids: q.hub_id.map(|h| vec![h]),
        topic: q.topic.clone(),
        after: q.after,
        ..Default::default()
    };
    visible(state, p, f, want).await
}

/// The first `want` events of `f` (its `limit` is ignored) that `p` may
/// see, in the store's order. Anonymous visitors see public events only,
/// which the store selects itself; for someone signed in the store's
/// events are judged one by one ([`may_see`]), read in batches until
/// `want` are found, so a calendar page never loads the whole network.
pub async fn visible(
    state: &AppState,
    p: Option<&Principal>,
    mut f: EventFilter,
    want: usize,
) -> AppResult<Vec<EventListing>> {
    let Some(p) = p else {
        f.visibilities = Some(vec![EventVisibility::Public]);
        f.statuses = Some(match f.statuses.take() {
            Some(s) => s
                .into_iter()
                .filter(|s| matches!(s, EventStatus::Published | EventStatus::Cancelled))
                .collect(),
            None => vec![EventStatus::Published, EventStatus::Cancelled],
        });
        f.limit = want as i64;
        return Ok(state.store.list_events(&f).await?);
    };
    let member = is_member(state, p).await?;
    let involved: HashSet<Uuid> = state
        .store
        .list_events(&EventFilter {
            involving: Some(p.person_id),
            after: None,
            limit: MAX_LISTED,
            ..f.clone()
        })
        .await?
        .into_iter()
        .map(|l| l.event.id)
        .collect();
    // Most of what a member is shown is public or members-only, so a batch
    // a little larger than what is wanted is nearly always the last one.
    let batch = (want + want / 4 + 10).min(MAX_LISTED as usize);
    f.limit = batch as i64;
    let mut out = Vec::with_capacity(want.min(1000));
    loop {
        let got = state.store.list_events(&f).await?;
        let full = got.len() == batch;
        f.after = got.last().map(|l| (l.event.start, l.event.id));
        for l in got {
            let v = Viewer {
                person_id: Some(p.person_id),
                member,
                invited: involved.contains(&l.event.id),
                manages: event::manages(p, &l.event),
            };
            if may_see(&l.event, &v) {
                out.push(l);
                if out.len() == want {
                    return Ok(out);
                }
            }
        }
        if !full {
            return Ok(out);
        }
    }
}

// ---------------------------------------------------------------- propose

/// The place checks of an event: its room or zone belongs to its hub, and
/// an event in a room keeps the room's booking rules (opening hours, the
/// quarter-hour grid, how far ahead).
async fn check_place(
    store: &dyn Store,
    p: &Principal,
    e: &Event,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let no_hub = "is not a hub of this network";
    let hub = referenced(store.get_hub(e.hub_id), |_| true, "hub_id", no_hub).await?;
    if let Some(room_id) = e.venue.room_id() {
        let in_hub = |r: &thirdplace_domain::Room| r.hub_id == e.hub_id;
        let no_room = "is not a room of this hub";
        let room = referenced(store.get_room(room_id), in_hub, "room_id", no_room).await?;
        if p.organisation_id.is_none() {
            return Err(booking_refusal(&BookingRefusal::NoOrganisation));
        }
        let rules = store.booking_rules(e.hub_id).await?;
        check_slot(&room, &hub.hub.opening_hours, &rules, e.start, e.end, now)
            .map_err(|r| booking_refusal(&r))?;
    }
    if let Some(zone_id) = e.venue.zone_id() {
        let in_hub = |z: &thirdplace_domain::Zone| z.hub_id == e.hub_id;
        let no_zone = "is not a zone of this hub";
        referenced(store.get_zone(zone_id), in_hub, "zone_id", no_zone).await?;
    }
    Ok(())
}

/// Whether `p` may propose events at all: members (holding a seat in the
/// network, or by role); 403 `members_only` otherwise.
pub async fn may_propose(state: &AppState, p: &Principal) -> AppResult<()> {
    if !is_member(state, p).await? {
        return Err(AppError::refused(
            StatusCode::FORBIDDEN,
            "members_only",
            "Only members (holding a seat in the network) can propose events.",
        ));
    }
    Ok(())
}

/// A member proposes an event. A host of the hub (or a network admin)
/// publishes at once; other members' events wait for a host. An event in a
/// room books it, billed (at no charge) to the proposer's organisation.
pub async fn propose(state: &AppState, p: &Principal, input: &EventInput) -> AppResult<Event> {
    may_propose(state, p).await?;
    let now = state.now();
    let mut e = input.validate(new_id(), p.person_id, now)?;
    check_place(state.store.as_ref(), p, &e, now).await?;
    let rules = state.store.booking_rules(e.hub_id).await?;
    if event::published_at_once(p, &e, rules.publish_member_events) {
        e.status = EventStatus::Published;
    }
    let booking = match p.organisation_id {
        Some(org) => e.room_booking(org, Price::default()),
        None => None,
    };
    state
        .store
        .insert_event(&e, booking.as_ref())
        .await
        .map_err(store_error)
}

/// A host of the hub publishes a proposal (publishing again is a no-op).
pub async fn publish(state: &AppState, p: &Principal, id: Uuid) -> AppResult<Event> {
    let e = managed_event(state, p, id).await?;
    if !p.can_edit_hub(e.hub_id) {
        return Err(AppError::refused(
            StatusCode::FORBIDDEN,
            "not_host",
            "Only the hub's hosts can publish its events.",
        ));
    }
    match e.status {
        EventStatus::Published => Ok(e),
        EventStatus::Cancelled => Err(refusal(&EventRefusal::EventCancelled)),
        EventStatus::Proposed => {
            let published = Event {
                status: EventStatus::Published,
                updated_at: state.now(),
                ..e
            };
            let change = state
                .store
                .update_event(&published, None, &EventNotices::default())
                .await
                .map_err(store_error)?;
            Ok(change.event)
        }
    }
}

/// Organisers and hosts change an event. A move in time or place is
/// e-mailed to everyone registered; new places go to the waiting list in
/// order, and those who move up are told.
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    input: &EventInput,
) -> AppResult<Event> {
    let old = managed_event(state, p, id).await?;
    if old.status == EventStatus::Cancelled {
        return Err(refusal(&EventRefusal::EventCancelled));
    }
    let now = state.now();
    let new = input.validate(old.id, old.organiser_id, now)?;
    if new.hub_id != old.hub_id {
        return Err(ValidationErrors::single(
            "hub_id",
            "cannot_change",
            "an event stays in its hub; cancel it and propose a new one",
        )
        .into());
    }
    let changed = old.changed_to(&new, now);
    let moved = changed.moved_from(&old);
    if moved {
        check_place(state.store.as_ref(), p, &changed, now).await?;
    }
    // An event coming into a room from elsewhere needs a booking, billed to
    // the organiser's organisation; one that has a booking keeps it (the
    // store moves it with the event).
    let booking = if changed.venue.room_id().is_some() && old.booking_id.is_none() {
        let organiser = state.store.get_person(old.organiser_id).await?;
        match organiser.organisation_id.or(p.organisation_id) {
            Some(org) => changed.room_booking(org, Price::default()),
            None => return Err(booking_refusal(&BookingRefusal::NoOrganisation)),
        }
    } else {
        None
    };
    let notices = EventNotices {
        promoted: Some(promotion_email(&changed, now)),
        changed: moved.then(|| moved_email(&changed, now)),
    };
    let change = state
        .store
        .update_event(&changed, booking.as_ref(), &notices)
        .await
        .map_err(store_error)?;
    state.mail_wake.notify_one();
    Ok(change.event)
}

/// Organisers and hosts cancel an event; everyone registered is told.
pub async fn cancel(state: &AppState, p: &Principal, id: Uuid) -> AppResult<Event> {
    let e = managed_event(state, p, id).await?;
    if e.status == EventStatus::Cancelled {
        return Err(refusal(&EventRefusal::AlreadyCancelled));
    }
    let now = state.now();
    let notice = cancelled_email(&e, now);
    let e = match state
        .store
        .cancel_event(id, now, p.person_id, Some(&notice))
        .await
    {
        Ok(e) => e,
        Err(StoreError::Refused(thirdplace_store::Refusal::Event(
            EventRefusal::EventCancelled,
        ))) => return Err(refusal(&EventRefusal::AlreadyCancelled)),
        Err(e) => return Err(e.into()),
    };
    state.mail_wake.notify_one();
    Ok(e)
}

// ----------------------------------------------------------- registrations

/// Signs up `p`, or a colleague of `p`'s own organisation. The store
/// decides between a place and the waiting list.
pub async fn register(
    state: &AppState,
    p: &Principal,
    event_id: Uuid,
    colleague_id: Option<Uuid>,
) -> AppResult<Registration> {
    register_once(state, p, event_id, colleague_id, &IdempotencyKey::default()).await
}

/// [`register`] with an `Idempotency-Key`: a retry of a sign-up that was
/// written (answered or not) is answered with it.
pub async fn register_once(
    state: &AppState,
    p: &Principal,
    event_id: Uuid,
    colleague_id: Option<Uuid>,
    key: &IdempotencyKey,
) -> AppResult<Registration> {
    let id = key.id_for(p.person_id, &format!("registration for {event_id}"), new_id);
    if key.is_set() {
        match state.store.get_registration(id).await {
            Ok(first) => return Ok(first),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (e, v) = visible_event(state, Some(p), event_id).await?;
    let now = state.now();
    may_register(&e, &v, now).map_err(|r| refusal(&r))?;
    let (person_id, registered_by) = match colleague_id {
        Some(c) if c != p.person_id => {
            let load = state.store.get_person(c);
            let no_person = "is not a person of this network";
            let colleague = referenced(load, |x| !x.archived, "person_id", no_person).await?;
            check_colleague(p.organisation_id, colleague.organisation_id)
                .map_err(|r| refusal(&r))?;
            (c, Some(p.person_id))
        }
        _ => (p.person_id, None),
    };
    let r = Registration {
        id,
        ..Registration::new(e.id, Registrant::Person { person_id }, registered_by, now)
    };
    match state.store.register(&r, now).await {
        // A retry that raced its first attempt: answer with what that wrote.
        Err(e) if key.is_set() => state
            .store
            .get_registration(id)
            .await
            .map_err(|_| store_error(e)),
        written => written.map_err(store_error),
    }
}

/// Whether `p` may act on a registration: the person it is for, who signed
/// them up, and those who manage the event.
async fn registration_for(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    manage_only: bool,
) -> AppResult<(Registration, Event)> {
    let r = state.store.get_registration(id).await?;
    let e = state.store.get_event(r.event_id).await?;
    let own = r.registrant.person_id() == Some(p.person_id) || r.registered_by == Some(p.person_id);
    let manages = event::manages(p, &e);
    if !own && !manages {
        return Err(AppError::NotFound);
    }
    if manage_only && !manages {
        return Err(refusal(&EventRefusal::NotOrganiser));
    }
    Ok((r, e))
}

/// Cancels a registration; the first on the waiting list move up and are
/// told by e-mail.
pub async fn cancel_registration(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> AppResult<RegistrationCancelled> {
    let (_, e) = registration_for(state, p, id, false).await?;
    let now = state.now();
    let promotion = promotion_email(&e, now);
    let done = state
        .store
        .cancel_registration(id, now, Some(&promotion))
        .await
        .map_err(store_error)?;
    if !done.promoted.is_empty() {
        state.mail_wake.notify_one();
    }
    Ok(done)
}

/// A registration of an event `p` manages: 404 if it is not theirs to
/// see, 403 if they may see it but not manage it.
pub async fn managed_registration(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> AppResult<Registration> {
    Ok(registration_for(state, p, id, true).await?.0)
}

/// Organisers and hosts mark who came.
pub async fn set_attended(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    attended: bool,
) -> AppResult<Registration> {
    let (r, _) = registration_for(state, p, id, true).await?;
    if !r.status.is_active() {
        return Err(refusal(&EventRefusal::AlreadyCancelled));
    }
    state.store.set_attended(id, attended).await?;
    Ok(state.store.get_registration(id).await?)
}

/// An event's registrations with names, addresses and organisations, in
/// arrival order (cancelled ones included), for those who manage it.
/// At most `limit` of an event's registrations after the arrival position
/// `after`, for those who manage it.
pub async fn registrations(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    after: Option<i64>,
    limit: i64,
) -> AppResult<Vec<thirdplace_store::RegistrationView>> {
    managed_event(state, p, id).await?;
    Ok(state
        .store
        .list_registrations_after(id, after, limit)
        .await?)
}

/// An event's numbers, for those who manage it.
pub async fn summary(state: &AppState, p: &Principal, id: Uuid) -> AppResult<EventSummary> {
    managed_event(state, p, id).await?;
    Ok(state.store.event_summary(id).await?)
}

// ------------------------------------------------------------- invitations

/// The hash an invitation token is kept as.
pub fn token_hash(token: &str) -> String {
    crate::http::auth::sha256_hex(token)
}

/// An organiser (or host) invites people by e-mail: each gets a one-time
/// link with a random token, of which only the hash is kept. Every address
/// is checked first (the first bad one is the error), and the invitations
/// and their e-mails are written in one transaction: all are sent or none.
pub async fn invite(
    state: &AppState,
    p: &Principal,
    event_id: Uuid,
    emails: &[String],
    origin: &str,
) -> AppResult<Vec<Invitation>> {
    let e = managed_event(state, p, event_id).await?;
    if e.status == EventStatus::Cancelled {
        return Err(refusal(&EventRefusal::EventCancelled));
    }
    let now = state.now();
    if e.has_started(now) {
        return Err(refusal(&EventRefusal::EventStarted));
    }
    let emails = emails
        .iter()
        .map(|a| Email::parse(a).map_err(|err| field_error("email", err)))
        .collect::<Result<Vec<_>, _>>()?;
    let when = local_span(e.start, e.end);
    let sent: Vec<_> = emails
        .iter()
        .map(|email| {
            let token = crate::http::auth::random_secret();
            let i = Invitation {
                id: new_id(),
                event_id,
                email: email.clone(),
                token_hash: token_hash(&token),
                invited_by: p.person_id,
                created_at: now,
                used_at: None,
                registration_id: None,
            };
            let link = format!("{origin}/invitations/{token}");
            let mail = crate::http::mail::email(
                i.email.as_str(),
                &format!("Inbjudan: {t} / Invitation: {t}", t = e.title),
                &format!(
                    "Hej!\n\n{name} bjuder in dig till \"{t}\" {when}.\n\
                     Anmäl dig med namn, e-post och organisation här (länken fungerar en gång):\n{link}\n\n\
                     ---\n\n\
                     Hello,\n\n{name} invites you to \"{t}\" on {when} (Swedish time).\n\
                     Sign up with your name, e-mail and organisation here (the link works once):\n{link}\n",
                    name = p.first_name,
                    t = e.title,
                ),
                now,
            );
            (i, mail)
        })
        .collect();
    state.store.insert_invitations(&sent).await?;
    state.mail_wake.notify_one();
    Ok(sent.into_iter().map(|(i, _)| i).collect())
}

/// What an invited person types in.
#[derive(Debug, Clone, Default)]
pub struct Guest {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub organisation: String,
}

/// Redeems an invitation link once: registers the invited person (no
/// account) as an external participant.
pub async fn redeem(state: &AppState, token: &str, g: &Guest) -> AppResult<Registration> {
    let hash = token_hash(token.trim());
    let invitation = match state.store.invitation_by_token(&hash).await {
        Ok(i) => i,
        Err(StoreError::NotFound) => return Err(refusal(&EventRefusal::InvitationInvalid)),
        Err(e) => return Err(e.into()),
    };
    if invitation.used_at.is_some() {
        return Err(refusal(&EventRefusal::InvitationUsed));
    }
    let mut errors = ValidationErrors::new();
    for (field, v) in [("first_name", &g.first_name), ("last_name", &g.last_name)] {
        if v.trim().is_empty() {
            errors.add(field, "required", "must not be empty");
        }
    }
    let input = ExternalParticipantInput {
        name: format!("{} {}", g.first_name.trim(), g.last_name.trim()),
        email: g.email.clone(),
        organisation_name: g.organisation.clone(),
    };
    let participant = match input.validate() {
        Ok(x) if errors.errors.is_empty() => x,
        Ok(_) => return Err(errors.into()),
        Err(v) => {
            for mut fe in v.errors {
                if fe.field == "organisation_name" {
                    fe.field = "organisation".into();
                }
                if fe.field != "name" || errors.errors.is_empty() {
                    errors.errors.push(fe);
                }
            }
            return Err(errors.into());
        }
    };
    let e = state.store.get_event(invitation.event_id).await?;
    let now = state.now();
    let v = Viewer {
        invited: true,
        ..Viewer::default()
    };
    may_register(&e, &v, now).map_err(|r| refusal(&r))?;
    let r = Registration::new(e.id, Registrant::External(participant), None, now);
    state
        .store
        .redeem_invitation(&hash, &r, now)
        .await
        .map_err(store_error)
}

// --------------------------------------------------------------- reminders

/// Sends the reminders of events starting within 24 hours. Every process
/// may run this at once: the store sends each event's reminder once.
/// Returns how many e-mails were queued.
pub async fn send_reminders(state: &AppState) -> AppResult<i64> {
    let now = state.now();
    let due = state
        .store
        .events_due_for_reminder(now, Duration::hours(REMINDER_AHEAD_HOURS), 100)
        .await?;
    let mut queued = 0;
    for e in due {
        match state
            .store
            .send_event_reminder(e.id, now, &reminder_email(&e, now))
            .await
        {
            Ok(n) => queued += n,
            // Another process was first.
            Err(StoreError::Refused(thirdplace_store::Refusal::ReminderSent))
            | Err(StoreError::NotFound) => {}
            Err(err) => return Err(err.into()),
        }
    }
    if queued > 0 {
        state.mail_wake.notify_one();
    }
    Ok(queued)
}

// ----------------------------------------------------------------- e-mails

/// An e-mail about event `e`, Swedish first: the subjects' words before its
/// title, and each language's sentence (times in Swedish time).
fn event_email(
    e: &Event,
    now: DateTime<Utc>,
    [sv_subject, en_subject]: [&str; 2],
    sv: String,
    en: String,
) -> OutgoingEmail {
    let t = &e.title;
    template(
        format!("{sv_subject}: {t} / {en_subject}: {t}"),
        format!("Hej!\n\n{sv}\n\n---\n\nHello,\n\n{en}\n"),
        now,
    )
}

fn moved_email(e: &Event, now: DateTime<Utc>) -> OutgoingEmail {
    let (t, when) = (&e.title, local_span(e.start, e.end));
    event_email(
        e,
        now,
        ["Ändrat", "Changed"],
        format!("\"{t}\" har flyttats och är nu {when}."),
        format!("\"{t}\" has moved and now takes place on {when} (Swedish time)."),
    )
}

fn cancelled_email(e: &Event, now: DateTime<Utc>) -> OutgoingEmail {
    let (t, when) = (&e.title, local_span(e.start, e.end));
    event_email(
        e,
        now,
        ["Inställt", "Cancelled"],
        format!("\"{t}\" {when} är inställt."),
        format!("\"{t}\" on {when} (Swedish time) is cancelled."),
    )
}

fn reminder_email(e: &Event, now: DateTime<Utc>) -> OutgoingEmail {
    let (t, when) = (&e.title, local_span(e.start, e.end));
    event_email(
        e,
        now,
        ["Påminnelse", "Reminder"],
        format!("Välkommen till \"{t}\" {when}."),
        format!("Welcome to \"{t}\" on {when} (Swedish time)."),
    )
}
