//! The event pages that ask something: proposing an event
//! (`/events/new`), changing and cancelling it (`/events/{id}/edit`), the
//! hosts' publishing list (`/admin/events`), signing up a colleague, the
//! attendance list with invitations (`/events/{id}/attendance`), and what
//! an event's page adds for its organisers (see [`extras`]).
//!
//! Every rule is [`super::service`]'s, the same service the API uses; these
//! pages turn forms (Swedish civil dates and times) into its requests and
//! show its answers, refusals included, in the page's language. They must
//! never write anything the service did not decide.

use super::calendar::when;
use super::service as events;
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::id_form::IdForm;
use crate::http::origin::Origin;
use crate::http::page::parse_id;
use crate::http::page::Page;
use crate::http::parse;
use crate::i18n;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Duration;
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use thirdplace_domain::event::{
    may_register, Event, EventInput, EventStatus, Registrant, RegistrationStatus, Venue, Viewer,
};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::{Email, FieldError, ValidationErrors, HUB_TIME_ZONE};
use thirdplace_store::EventFilter;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events/new", get(new_form).post(create))
        .route("/events/{id}/edit", get(edit_form).post(update))
        .route("/events/{id}/cancel", post(cancel))
        .route("/events/{id}/publish", post(publish))
        .route("/events/{id}/colleague", post(register_colleague))
        .route(
            "/events/{id}/attendance",
            get(attendance).post(mark_attended),
        )
        .route("/events/{id}/invite", post(invite))
        .route("/admin/events", get(admin_list))
}

// ----------------------------------------------------------------- helpers

/// A refusal's or field problem's text in the page's language: the
/// events' own texts first (`event.refusal.<code>`, since codes such as
/// `end_before_start` read differently for bookings), then the shared ones.
fn refusal_text(page: &Page, code: &str, message: &str) -> String {
    i18n::lookup(page.lang, &format!("event.refusal.{code}"))
        .map(str::to_string)
        .unwrap_or_else(|| crate::http::page::refusal_text(page, code, message))
}

fn field_text(page: &Page, f: &FieldError) -> String {
    // `too_long` is an event's length only at its end; elsewhere a text's.
    if f.code == "too_long" && f.field != "end" {
        return page.field_message(f);
    }
    i18n::lookup(page.lang, &format!("event.refusal.{}", f.code))
        .map(str::to_string)
        .unwrap_or_else(|| page.field_message(f))
}

/// The form field a service's field name is shown at.
fn form_field(field: &str) -> &str {
    match field {
        "venue" | "room_id" | "zone_id" => "place",
        f => f,
    }
}

/// What a form shows after a refusal: the status, a summary and the
/// fields' own messages. Other errors go to the error page.
struct Problem {
    status: StatusCode,
    text: String,
    fields: Vec<(String, String)>,
}

fn problem(page: &Page, e: AppError) -> AppResult<Problem> {
    match e {
        AppError::Refused {
            status,
            code,
            message,
        } => {
            let text = refusal_text(page, code, &message);
            let field = thirdplace_domain::event::EventRefusal::from_code(code)
                .map(|r| form_field(r.field()).to_string())
                .filter(|f| !f.is_empty());
            Ok(Problem {
                status,
                fields: field.map(|f| vec![(f, text.clone())]).unwrap_or_default(),
                text,
            })
        }
        AppError::Validation(v) => {
            let fields: Vec<(String, String)> = v
                .errors
                .iter()
                .map(|f| (form_field(&f.field).to_string(), field_text(page, f)))
                .collect();
            Ok(Problem {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                text: fields
                    .iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                fields,
            })
        }
        e => Err(e),
    }
}

/// A notice from a redirect's `done=`, if it is one this module knows.
fn notice(page: &Page, done: &Option<String>, known: &[&str]) -> Option<Value> {
    let d = done.as_deref()?;
    known
        .contains(&d)
        .then(|| context! { error => false, text => page.t(&format!("event.done.{d}")) })
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
    hub: Option<String>,
}

// -------------------------------------------------------------- the form

/// The propose and edit form as typed: a date and two times of day in
/// Swedish time, a place among the hub's rooms and zones or online.
#[derive(Debug, Clone, Default)]
struct EventForm {
    title: String,
    description: String,
    topics: String,
    hub_id: String,
    /// `online`, `room:<id>` or `zone:<id>`.
    place: String,
    date: String,
    start: String,
    end: String,
    /// Empty when the event ends on the day it starts.
    end_date: String,
    capacity: String,
    visibility: String,
}

impl EventForm {
    fn from_form(f: &FormData) -> Self {
        EventForm {
            title: f.get("title"),
            description: f.get("description"),
            topics: f.get("topics"),
            hub_id: f.get("hub_id"),
            place: f.get("place"),
            date: f.get("date"),
            start: f.get("start"),
            end: f.get("end"),
            end_date: f.get("end_date"),
            capacity: f.get("capacity"),
            visibility: f.get("visibility"),
        }
    }

    fn of_event(e: &Event) -> Self {
        let (s, end) = (
            e.start.with_timezone(&HUB_TIME_ZONE),
            e.end.with_timezone(&HUB_TIME_ZONE),
        );
        EventForm {
            title: e.title.clone(),
            description: e.description.clone(),
            topics: e.topics.join(", "),
            hub_id: e.hub_id.to_string(),
            place: match e.venue {
                Venue::Room(id) => format!("room:{id}"),
                Venue::Zone(id) => format!("zone:{id}"),
                Venue::Online => "online".into(),
            },
            date: s.format("%Y-%m-%d").to_string(),
            start: s.format("%H:%M").to_string(),
            end: end.format("%H:%M").to_string(),
            end_date: if end.date_naive() == s.date_naive() {
                String::new()
            } else {
                end.format("%Y-%m-%d").to_string()
            },
            capacity: e.capacity.to_string(),
            visibility: e.visibility.key().to_string(),
        }
    }

    /// The service's input, or the fields that could not be read. The
    /// date and times become Swedish civil time (`2026-11-25T10:00`), which
    /// the domain turns into instants DST-correctly (refusing the hour that
    /// does not exist in spring).
    fn input(&self, co_organisers: &[Uuid]) -> Result<EventInput, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let date = e.check("date", parse::date(&self.date));
        let end_date = e
            .check("end_date", parse::optional_date(&self.end_date))
            .flatten();
        let start = e.check("start", parse::time_of_day(&self.start));
        let end = e.check("end", parse::time_of_day(&self.end));
        let (venue, room_id, zone_id) = match self.place.trim().split_once(':') {
            Some(("room", id)) => ("room", id.to_string(), String::new()),
            Some(("zone", id)) => ("zone", String::new(), id.to_string()),
            _ if self.place.trim() == "online" => ("online", String::new(), String::new()),
            _ if self.place.trim().is_empty() => ("", String::new(), String::new()),
            _ => {
                e.add("place", "invalid_choice", "choose one of the options");
                ("online", String::new(), String::new())
            }
        };
        e.into_result()?;
        let (date, start, end) = (date.unwrap(), start.unwrap(), end.unwrap());
        let end_date = end_date.unwrap_or(date);
        Ok(EventInput {
            hub_id: self.hub_id.clone(),
            venue: venue.to_string(),
            room_id,
            zone_id,
            title: self.title.clone(),
            description: self.description.clone(),
            topics: self.topics.clone(),
            start: format!("{date}T{}", start.format("%H:%M")),
            end: format!("{end_date}T{}", end.format("%H:%M")),
            capacity: self.capacity.clone(),
            visibility: self.visibility.clone(),
            co_organiser_ids: co_organisers.iter().map(Uuid::to_string).collect(),
        })
    }
}

/// Which form: a new proposal, or a change of an existing event.
enum Mode<'a> {
    New,
    Edit(&'a Event),
}

async fn render_form(
    state: &AppState,
    page: &Page,
    mode: Mode<'_>,
    form: &EventForm,
    problem: Option<Problem>,
) -> AppResult<Response> {
    let hubs: Vec<_> = state
        .store
        .list_hubs()
        .await?
        .into_iter()
        .filter(|h| match mode {
            Mode::New => !h.hub.archived,
            Mode::Edit(e) => h.hub.id == e.hub_id,
        })
        .collect();
    let mut place_groups = Vec::new();
    for h in &hubs {
        // The hub's rooms first, then its zones: "room:{id}" or "zone:{id}".
        let rooms = state.store.list_rooms(h.hub.id).await?.into_iter();
        let rooms = rooms
            .filter(|r| !r.archived)
            .map(|r| ("room", r.id, r.name));
        let zones = state.store.list_zones(h.hub.id).await?.into_iter();
        let zones = zones
            .filter(|z| !z.archived)
            .map(|z| ("zone", z.id, z.name));
        let options: Vec<Value> = rooms
            .chain(zones)
            .map(|(kind, id, name)| {
                let value = format!("{kind}:{id}");
                context! {
                    label => format!("{name} ({})", page.t(&format!("event.form.{kind}"))),
                    selected => form.place == value,
                    value,
                }
            })
            .collect();
        place_groups.push(context! { hub => h.hub.name.clone(), options });
    }
    let hub_options: Vec<Value> = hubs
        .iter()
        .map(|h| {
            context! {
                id => h.hub.id.to_string(),
                name => h.hub.name.clone(),
                selected => form.hub_id == h.hub.id.to_string(),
            }
        })
        .collect();
    let visibilities: Vec<Value> = ["public", "members_only", "invitation_only"]
        .iter()
        .map(|v| {
            context! {
                value => v,
                label => page.t(&format!("event.visibility.{v}")),
                help => page.t(&format!("event.visibility.{v}.help")),
                checked => form.visibility == *v,
            }
        })
        .collect();
    let status = problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    // Every field has its entry (strict templates), `None` when it is fine.
    let mut errors: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for name in [
        "title",
        "description",
        "topics",
        "hub_id",
        "place",
        "date",
        "start",
        "end",
        "end_date",
        "capacity",
        "visibility",
    ] {
        if let Some(p) = &problem {
            let msgs: Vec<&str> = p
                .fields
                .iter()
                .filter(|(f, _)| f == name)
                .map(|(_, m)| m.as_str())
                .collect();
            if !msgs.is_empty() {
                errors.insert(name, Some(msgs.join(" ")));
            }
        }
        errors.entry(name).or_insert(None);
    }
    let (action, edit) = match mode {
        Mode::New => ("/events/new".to_string(), None),
        Mode::Edit(e) => (
            format!("/events/{}/edit", e.id),
            Some(context! {
                id => e.id.to_string(),
                title => e.title.clone(),
                proposed => e.status == EventStatus::Proposed,
            }),
        ),
    };
    page.render_with_status(
        status,
        "events/form.html",
        context! {
            action,
            edit,
            hub_options,
            place_groups,
            visibilities,
            f => context! {
                title => form.title, description => form.description,
                topics => form.topics, hub_id => form.hub_id, place => form.place,
                date => form.date, start => form.start, end => form.end,
                end_date => form.end_date,
                capacity => form.capacity, visibility => form.visibility,
            },
            errors,
            problem => problem.map(|p| p.text),
        },
    )
}

/// Only members (holding a seat, hosting a hub, running the network)
/// propose events.
async fn require_member(state: &AppState, page: &Page) -> AppResult<()> {
    let p = page.user()?;
    if !events::is_member(state, p).await? {
        return Err(AppError::refused(
            StatusCode::FORBIDDEN,
            "not_a_member",
            "Only members (holding a seat in the network) can propose events.",
        ));
    }
    Ok(())
}

async fn new_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    require_member(&state, &page).await?;
    let tomorrow = local_date(state.now()) + Duration::days(1);
    let form = EventForm {
        hub_id: q.hub.unwrap_or_default(),
        date: tomorrow.to_string(),
        start: "10:00".into(),
        end: "12:00".into(),
        capacity: "20".into(),
        visibility: "public".into(),
        ..EventForm::default()
    };
    render_form(&state, &page, Mode::New, &form, None).await
}

async fn create(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let f = FormData::parse(&page, &body)?;
    require_member(&state, &page).await?;
    let p = page.user()?;
    let form = EventForm::from_form(&f);
    let result = match form.input(&[]) {
        Ok(input) => events::propose(&state, p, &input).await,
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(e) => {
            let done = if e.status == EventStatus::Published {
                "published"
            } else {
                "proposed"
            };
            Ok(Redirect::to(&format!("/events/{}?done={done}", e.id)).into_response())
        }
        Err(e) => {
            let problem = problem(&page, e)?;
            render_form(&state, &page, Mode::New, &form, Some(problem)).await
        }
    }
}

/// An event the signed-in person manages: 404 when they may not see it,
/// 403 when they may see but not manage it.
async fn managed(state: &AppState, page: &Page, id: Uuid) -> AppResult<(Event, Viewer)> {
    let p = page.user()?;
    let (e, v) = events::visible_event(state, Some(p), id).await?;
    if !v.manages {
        return Err(events::refusal(
            &thirdplace_domain::event::EventRefusal::NotOrganiser,
        ));
    }
    Ok((e, v))
}

async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (e, _) = managed(&state, &page, parse_id(&id)?).await?;
    if e.status == EventStatus::Cancelled {
        return Err(events::refusal(
            &thirdplace_domain::event::EventRefusal::EventCancelled,
        ));
    }
    let form = EventForm::of_event(&e);
    render_form(&state, &page, Mode::Edit(&e), &form, None).await
}

async fn update(
    State(state): State<AppState>,
    IdForm { page, id, form: f }: IdForm,
) -> AppResult<Response> {
    let (e, _) = managed(&state, &page, id).await?;
    let p = page.user()?;
    let mut form = EventForm::from_form(&f);
    // An event stays in its hub.
    form.hub_id = e.hub_id.to_string();
    let result = match form.input(&e.co_organiser_ids) {
        Ok(input) => events::update(&state, p, e.id, &input).await,
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/events/{}?done=updated", e.id)).into_response()),
        Err(err) => {
            let problem = problem(&page, err)?;
            render_form(&state, &page, Mode::Edit(&e), &form, Some(problem)).await
        }
    }
}

async fn cancel(
    State(state): State<AppState>,
    IdForm { page, id, .. }: IdForm,
) -> AppResult<Response> {
    let p = page.user()?;
    match events::cancel(&state, p, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?done=event_cancelled")).into_response()),
        Err(e) => super::calendar::refused(&state, &page, id, e).await,
    }
}

async fn publish(
    State(state): State<AppState>,
    IdForm { page, id, form: f }: IdForm,
) -> AppResult<Response> {
    let p = page.user()?;
    let e = events::publish(&state, p, id).await?;
    if f.get("back") == "admin" {
        return Ok(
            Redirect::to(&format!("/admin/events?done=published#event-{}", e.id)).into_response(),
        );
    }
    Ok(Redirect::to(&format!("/events/{id}?done=published")).into_response())
}

// ------------------------------------------------------------ admin list

/// Hosts and network admins: proposals waiting in the hubs they manage,
/// each with a Publish button, and the upcoming published events.
async fn admin_list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let p = page.user()?;
    if !p.is_network_admin && p.hosted_hub_ids.is_empty() {
        return Err(AppError::Forbidden);
    }
    let hub_ids = (!p.is_network_admin).then(|| p.hosted_hub_ids.clone());
    let listed = |statuses: Vec<EventStatus>| EventFilter {
        from: Some(state.now()),
        hub_ids: hub_ids.clone(),
        statuses: Some(statuses),
        limit: events::MAX_LISTED,
        ..Default::default()
    };
    let mut organisers: BTreeMap<Uuid, String> = BTreeMap::new();
    let rows = |mut ls: Vec<thirdplace_store::EventListing>| {
        ls.sort_by_key(|l| (l.event.start, l.event.id));
        ls
    };
    let proposed = rows(
        state
            .store
            .list_events(&listed(vec![EventStatus::Proposed]))
            .await?,
    );
    let published = rows(
        state
            .store
            .list_events(&listed(vec![EventStatus::Published]))
            .await?,
    );
    for l in proposed.iter().chain(published.iter()) {
        if let std::collections::btree_map::Entry::Vacant(v) =
            organisers.entry(l.event.organiser_id)
        {
            let name = state
                .store
                .get_person(l.event.organiser_id)
                .await
                .map(|p| p.first_name)
                .unwrap_or_default();
            v.insert(name);
        }
    }
    let view = |l: &thirdplace_store::EventListing| {
        context! {
            id => l.event.id.to_string(),
            url => format!("/events/{}", l.event.id),
            title => l.event.title.clone(),
            when => when(&l.event),
            hub => l.hub_name.clone(),
            place => l.place_name.clone(),
            online => matches!(l.event.venue, Venue::Online),
            organiser => organisers.get(&l.event.organiser_id).cloned().unwrap_or_default(),
            visibility => page.t(&format!("event.visibility.{}", l.event.visibility.key())),
            confirmed => l.confirmed,
            capacity => l.event.capacity,
        }
    };
    let proposed: Vec<Value> = proposed.iter().map(view).collect();
    let published: Vec<Value> = published.iter().map(view).collect();
    page.render(
        "events/admin.html",
        context! {
            proposed,
            published,
            notice => notice(&page, &q.done, &["published"]),
        },
    )
}

// ------------------------------------------------------ the event's page

/// What an event's page shows beyond the event itself: participants per
/// organisation (names of organisations only, never of people), the
/// colleague sign-up, and the organisers' and hosts' links and buttons.
pub(super) async fn extras(
    state: &AppState,
    page: &Page,
    e: &Event,
    viewer: &Viewer,
) -> AppResult<Value> {
    let registrations = state.store.list_registrations(e.id).await?;
    let mut per_org: BTreeMap<String, i64> = BTreeMap::new();
    let mut external = 0;
    let mut confirmed = 0;
    for r in registrations
        .iter()
        .filter(|r| r.registration.status == RegistrationStatus::Confirmed)
    {
        confirmed += 1;
        match &r.registration.registrant {
            Registrant::External(_) => external += 1,
            Registrant::Person { .. } => {
                let name = r
                    .organisation_name
                    .clone()
                    .unwrap_or_else(|| page.t("event.no_organisation"));
                *per_org.entry(name).or_default() += 1;
            }
        }
    }
    let organisations: Vec<Value> = per_org
        .into_iter()
        .map(|(name, count)| context! { name, count })
        .collect();
    let participants = context! { organisations, external, total => confirmed };

    // Colleagues of one's own organisation who are not signed up yet.
    let mut colleagues = Vec::new();
    if let Some(p) = &page.user {
        if let Some(org) = p.organisation_id {
            if may_register(e, viewer, state.now()).is_ok() {
                let active: HashSet<Uuid> = registrations
                    .iter()
                    .filter(|r| r.registration.status.is_active())
                    .filter_map(|r| r.registration.registrant.person_id())
                    .collect();
                let mut people = state.store.list_people(Some(org)).await?;
                people.retain(|x| !x.archived && x.id != p.person_id && !active.contains(&x.id));
                people.sort_by(|a, b| {
                    (a.first_name.as_str(), a.last_name.as_str())
                        .cmp(&(b.first_name.as_str(), b.last_name.as_str()))
                });
                colleagues = people
                    .into_iter()
                    .map(|x| {
                        context! {
                            id => x.id.to_string(),
                            name => format!("{} {}", x.first_name, x.last_name),
                        }
                    })
                    .collect();
            }
        }
    }
    let cancelled = e.status == EventStatus::Cancelled;
    let manage = (viewer.manages && !cancelled).then(|| {
        context! {
            edit => format!("/events/{}/edit", e.id),
            attendance => format!("/events/{}/attendance", e.id),
            publish => e.status == EventStatus::Proposed
                && page.user.as_ref().is_some_and(|p| p.can_edit_hub(e.hub_id)),
            proposed => e.status == EventStatus::Proposed,
        }
    });
    Ok(context! {
        participants,
        colleagues,
        manage,
        may_propose => page.user.is_some(),
    })
}

async fn register_colleague(
    State(state): State<AppState>,
    IdForm { page, id, form: f }: IdForm,
) -> AppResult<Response> {
    let p = page.user()?;
    let colleague = match Uuid::parse_str(f.get("colleague_id").trim()) {
        Ok(c) => c,
        Err(_) => {
            let e = AppError::Validation(ValidationErrors::single(
                "colleague_id",
                "required",
                "choose a colleague",
            ));
            return super::calendar::refused(&state, &page, id, e).await;
        }
    };
    match events::register(&state, p, id, Some(colleague)).await {
        Ok(r) => {
            let done = if r.status == RegistrationStatus::Waitlisted {
                "colleague_waitlisted"
            } else {
                "colleague_confirmed"
            };
            Ok(Redirect::to(&format!("/events/{id}?done={done}")).into_response())
        }
        Err(e) => super::calendar::refused(&state, &page, id, e).await,
    }
}

/// The texts of an event-page refusal that is not a [`AppError::Refused`]:
/// a field problem of the colleague form.
pub(super) fn validation_text(page: &Page, v: &ValidationErrors) -> String {
    v.errors
        .iter()
        .map(|f| field_text(page, f))
        .collect::<Vec<_>>()
        .join(" ")
}

// ------------------------------------------------------------ attendance

struct InviteForm {
    emails: String,
    error: Option<String>,
}

async fn render_attendance(
    state: &AppState,
    page: &Page,
    id: Uuid,
    notice: Option<Value>,
    invite: InviteForm,
    status: StatusCode,
) -> AppResult<Response> {
    let (e, _) = managed(state, page, id).await?;
    let p = page.user()?;
    let registrations = events::registrations(state, p, id, None, i64::MAX).await?;
    let summary = events::summary(state, p, id).await?;
    let mut rows = Vec::new();
    for r in registrations
        .iter()
        .filter(|r| r.registration.status.is_active())
    {
        let first_name = match &r.registration.registrant {
            Registrant::Person { person_id } => state
                .store
                .get_person(*person_id)
                .await
                .map(|x| x.first_name)
                .unwrap_or_else(|_| r.name.clone()),
            Registrant::External(x) => x
                .name
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
        };
        rows.push(context! {
            id => r.registration.id.to_string(),
            first_name,
            organisation => r.organisation_name.clone().unwrap_or_default(),
            external => matches!(r.registration.registrant, Registrant::External(_)),
            status => page.t(&format!("event.status.{}", r.registration.status.key())),
            confirmed => r.registration.status == RegistrationStatus::Confirmed,
            attended => r.registration.attended,
        });
    }
    let invitations: Vec<Value> = state
        .store
        .list_invitations(id)
        .await?
        .into_iter()
        .map(|i| context! { email => i.email, used => i.used_at.is_some() })
        .collect();
    page.render_with_status(
        status,
        "events/attendance.html",
        context! {
            event => context! {
                id => e.id.to_string(),
                title => e.title.clone(),
                when => when(&e),
                cancelled => e.status == EventStatus::Cancelled,
                may_invite => e.status != EventStatus::Cancelled && !e.has_started(state.now()),
            },
            summary => context! {
                registered => summary.registered,
                attended => summary.attended,
                waitlisted => summary.waitlisted,
                organisations => summary.organisations,
                external_participants => summary.external_participants,
            },
            rows,
            invitations,
            notice,
            invite => context! { emails => invite.emails, error => invite.error },
        },
    )
}

async fn attendance(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let notice = notice(&page, &q.done, &["marked", "invited"]);
    let invite = InviteForm {
        emails: String::new(),
        error: None,
    };
    render_attendance(
        &state,
        &page,
        parse_id(&id)?,
        notice,
        invite,
        StatusCode::OK,
    )
    .await
}

async fn mark_attended(
    State(state): State<AppState>,
    IdForm { page, id, form: f }: IdForm,
) -> AppResult<Response> {
    let p = page.user()?;
    let registration = parse_id(&f.get("registration_id"))?;
    // The registration must be one of this event's.
    let r = state.store.get_registration(registration).await?;
    if r.event_id != id {
        return Err(AppError::NotFound);
    }
    let attended = f.get("attended") == "true";
    match events::set_attended(&state, p, registration, attended).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/events/{id}/attendance?done=marked#r-{registration}"
        ))
        .into_response()),
        Err(e) => {
            let pr = problem(&page, e)?;
            let notice = Some(context! { error => true, text => pr.text });
            let invite = InviteForm {
                emails: String::new(),
                error: None,
            };
            render_attendance(&state, &page, id, notice, invite, pr.status).await
        }
    }
}

/// The addresses of an invitation form, one per line (commas and
/// semicolons also separate), each read as an e-mail address; the bad ones
/// are named, and then nothing is sent.
fn parse_addresses(raw: &str) -> Result<Vec<String>, Vec<String>> {
    let mut good: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    for part in raw.split(['\n', ',', ';']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        match Email::parse(part) {
            Ok(e) => {
                let e = e.as_str().to_string();
                if !good.contains(&e) {
                    good.push(e);
                }
            }
            Err(_) => bad.push(part.to_string()),
        }
    }
    if bad.is_empty() {
        Ok(good)
    } else {
        Err(bad)
    }
}

/// Most addresses one invitation form sends to.
const MAX_INVITES: usize = 100;

async fn invite(
    State(state): State<AppState>,
    origin: Origin,
    IdForm { page, id, form: f }: IdForm,
) -> AppResult<Response> {
    let (e, _) = managed(&state, &page, id).await?;
    let p = page.user()?;
    let emails = f.get("emails");
    let refuse = |error: String, status: StatusCode| {
        let invite = InviteForm {
            emails: emails.clone(),
            error: Some(error),
        };
        (invite, status)
    };
    let addresses = match parse_addresses(&emails) {
        Ok(a) if a.is_empty() => Err(refuse(
            page.t("event.invite.none"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Ok(a) if a.len() > MAX_INVITES => Err(refuse(
            format!("{} {MAX_INVITES}.", page.t("event.invite.too_many")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Ok(a) => Ok(a),
        Err(bad) => Err(refuse(
            format!("{} {}", page.t("event.invite.bad"), bad.join(", ")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    };
    let addresses = match addresses {
        Ok(a) => a,
        Err((invite, status)) => {
            return render_attendance(&state, &page, id, None, invite, status).await
        }
    };
    // The event's own refusals (cancelled, started) come before any is sent.
    if e.status == EventStatus::Cancelled || e.has_started(state.now()) {
        let code = if e.status == EventStatus::Cancelled {
            "event_cancelled"
        } else {
            "event_started"
        };
        let (invite, status) = refuse(refusal_text(&page, code, code), StatusCode::CONFLICT);
        return render_attendance(&state, &page, id, None, invite, status).await;
    }
    // All are written and queued in one transaction, or none.
    if let Err(err) = events::invite(&state, p, id, &addresses, &origin.0).await {
        let pr = problem(&page, err)?;
        let (invite, status) = refuse(pr.text, pr.status);
        return render_attendance(&state, &page, id, None, invite, status).await;
    }
    Ok(Redirect::to(&format!("/events/{id}/attendance?done=invited")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_addresses_are_read_one_per_line_and_bad_ones_are_named() {
        assert_eq!(
            parse_addresses("a@example.se\n\n B@Example.se ,a@example.se\r\n"),
            Ok(vec!["a@example.se".to_string(), "b@example.se".to_string()])
        );
        assert_eq!(
            parse_addresses("a@example.se\nnot-an-address\nb@example.se"),
            Err(vec!["not-an-address".to_string()])
        );
    }

    #[test]
    fn the_form_turns_a_date_and_times_into_swedish_civil_time() {
        let f = EventForm {
            date: "2026-03-29".into(),
            start: "01:30".into(),
            end: "04:00".into(),
            place: "online".into(),
            ..EventForm::default()
        };
        let i = f.input(&[]).unwrap();
        assert_eq!(i.start, "2026-03-29T01:30");
        assert_eq!(i.end, "2026-03-29T04:00");
        assert_eq!(i.venue, "online");
        let two_days = EventForm {
            end_date: "2026-03-30".into(),
            ..f.clone()
        };
        assert_eq!(two_days.input(&[]).unwrap().end, "2026-03-30T04:00");
        let bad = EventForm {
            date: "29/3".into(),
            start: "kl 10".into(),
            ..f
        };
        let v = bad.input(&[]).unwrap_err();
        let fields: Vec<_> = v.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["date", "start"]);
    }
}
