//! iCalendar (RFC 5545) feeds of the open calendar, built with the helpers
//! of [`crate::feeds`] (its careful line folding included):
//!
//! - `GET /calendar.ics` (optionally `?topic=`): every public event.
//! - `GET /hubs/{id}/calendar.ics`: a hub's public events.
//! - `GET /topics/{topic}/calendar.ics`: public events with a topic tag.
//! - A member's own events (organised or signed up for) come on their
//!   private feed address `/feeds/{token}.ics` ([`member_events`]).
//!
//! Public feeds carry published and cancelled public events only: never a
//! proposal, a members-only or an invitation-only event, nor anyone's name.
//! Each event has a stable `UID`, `DTSTAMP` = its last change, UTC times,
//! `SEQUENCE` from the event (raised by the store on every change),
//! `STATUS:CANCELLED` once cancelled, and `URL` back to its page.
//!
//! Public feeds are kept rendered under the calendar generation
//! ([`crate::calendar_cache`]): a request after any change renders afresh,
//! the others are served the kept text, with an `ETag` that an
//! `If-None-Match` is answered `304 Not Modified` for.

use crate::calendar_cache::Rendered;
use crate::error::{AppError, AppResult};
use crate::feeds::{calendar, plain, Origin};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use icalendar::{Component, Event as IcsEvent, EventLike, EventStatus as IcsStatus};
use serde::Deserialize;
use thirdplace_domain::event::{EventStatus, EventVisibility};
use thirdplace_store::{EventFilter, EventListing, StoreError};
use uuid::Uuid;

/// How far back the feeds show events.
pub const FEED_PAST_DAYS: i64 = 30;
/// Most events in one feed: a network's calendar of 10 000 upcoming events
/// fits whole.
pub const MAX_FEED_EVENTS: i64 = 20_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar.ics", get(network_feed))
        .route("/hubs/{id}/calendar.ics", get(hub_feed))
        .route("/topics/{topic}/calendar.ics", get(topic_feed))
}

#[derive(Deserialize)]
struct TopicQuery {
    #[serde(default)]
    topic: String,
}

/// The feeds reach back [`FEED_PAST_DAYS`] from the start of the current
/// hour, so that a kept feed stays the same feed for an hour.
fn public_filter(state: &AppState) -> EventFilter {
    let now = state.now();
    let hour = now - Duration::seconds(now.timestamp().rem_euclid(3600));
    EventFilter {
        from: Some(hour - Duration::days(FEED_PAST_DAYS)),
        visibilities: Some(vec![EventVisibility::Public]),
        statuses: Some(vec![EventStatus::Published, EventStatus::Cancelled]),
        limit: MAX_FEED_EVENTS,
        ..Default::default()
    }
}

/// A public feed from the cache when it was rendered at the current
/// generation, for the same address, origin and window.
async fn public_feed(
    state: &AppState,
    headers: &HeaderMap,
    origin: &Origin,
    name: &str,
    f: EventFilter,
) -> AppResult<Response> {
    let generation = state.store.calendar_feed_version().await?;
    let key = format!(
        "ics\n{}\n{}\n{:?}\n{:?}\n{:?}",
        origin.0,
        name,
        f.from.map(|t| t.timestamp()),
        f.hub_ids,
        f.topic
    );
    let rendered = state
        .calendar_cache
        .get_or_render(&key, generation, None, || async {
            let listed = state.store.list_events(&f).await?;
            Ok(calendar(name, listed.iter().map(|l| event(l, origin))))
        })
        .await?;
    Ok(feed_response(&rendered, headers))
}

/// The feed, or `304 Not Modified` when the client has this version.
fn feed_response(r: &Rendered, headers: &HeaderMap) -> Response {
    // Apps may keep a feed for five minutes; after that they ask again
    // with the tag, and are answered without the body if nothing changed.
    let common = [
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        (header::ETAG, r.etag.clone()),
    ];
    let inm = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if r.matches(inm) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        r.body.clone(),
    )
        .into_response()
}

/// Every public event of the network (`?topic=` for one topic).
#[tracing::instrument(skip_all)]
async fn network_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    Query(q): Query<TopicQuery>,
) -> AppResult<Response> {
    let topic = q.topic.trim();
    let f = EventFilter {
        topic: (!topic.is_empty()).then(|| topic.to_string()),
        ..public_filter(&state)
    };
    let name = if topic.is_empty() {
        "Kalendern".to_string()
    } else {
        format!("Kalendern – {topic}")
    };
    public_feed(&state, &headers, &origin, &name, f).await
}

/// A hub's public events.
#[tracing::instrument(skip_all, fields(hub_id = %id))]
async fn hub_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = crate::api::path_id(&id)?;
    let hub = match state.store.get_hub(id).await {
        Ok(h) => h,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let f = EventFilter {
        hub_ids: Some(vec![id]),
        ..public_filter(&state)
    };
    public_feed(&state, &headers, &origin, &hub.hub.name, f).await
}

/// Public events with a topic tag.
#[tracing::instrument(skip_all)]
async fn topic_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    Path(topic): Path<String>,
) -> AppResult<Response> {
    let topic = topic.trim();
    if topic.is_empty() || topic.chars().count() > 100 {
        return Err(AppError::NotFound);
    }
    let f = EventFilter {
        topic: Some(topic.to_string()),
        ..public_filter(&state)
    };
    public_feed(
        &state,
        &headers,
        &origin,
        &format!("Kalendern – {topic}"),
        f,
    )
    .await
}

/// A member's own events for their private feed: those they organise or
/// co-organise (proposals as `TENTATIVE`) and those they hold a place or a
/// waiting-list spot for.
pub async fn member_events(
    state: &AppState,
    person_id: Uuid,
    origin: &Origin,
) -> AppResult<Vec<IcsEvent>> {
    let listed = state
        .store
        .list_events(&EventFilter {
            from: Some(state.now() - Duration::days(crate::feeds::MEMBER_FEED_PAST_DAYS)),
            involving: Some(person_id),
            limit: crate::events::MAX_LISTED,
            ..Default::default()
        })
        .await?;
    Ok(listed.iter().map(|l| event(l, origin)).collect())
}

/// One event as a `VEVENT`.
fn event(l: &EventListing, origin: &Origin) -> IcsEvent {
    let e = &l.event;
    let status = match e.status {
        EventStatus::Proposed => IcsStatus::Tentative,
        EventStatus::Published => IcsStatus::Confirmed,
        EventStatus::Cancelled => IcsStatus::Cancelled,
    };
    let location = match &l.place_name {
        Some(place) => format!("{place}, {}", l.hub_name),
        None => format!("Online ({})", l.hub_name),
    };
    let mut v = IcsEvent::new();
    v.uid(&format!("event-{}@thirdplace", e.id))
        .timestamp(e.updated_at)
        .starts(e.start)
        .ends(e.end)
        .sequence(u32::try_from(e.sequence).unwrap_or(0))
        .status(status)
        .summary(&plain(&e.title))
        .location(&plain(&location))
        .url(&format!("{}/events/{}", origin.0, e.id))
        .add_property("TRANSP", "OPAQUE");
    if !e.description.is_empty() {
        v.description(&plain(&e.description));
    }
    for t in &e.topics {
        v.add_multi_property("CATEGORIES", &plain(t));
    }
    v.done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use thirdplace_domain::event::{Event, Venue};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The whole shape of an event in a feed, so a change is seen in review.
    #[test]
    fn an_event_reads_as_calendar_apps_expect() {
        let e = Event {
            id: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001),
            hub_id: Uuid::from_u128(2),
            venue: Venue::Room(Uuid::from_u128(3)),
            booking_id: Some(Uuid::from_u128(4)),
            title: "Workshop: AI i offentlig sektor".into(),
            description: "Vi testar verktyg.".into(),
            topics: vec!["AI".into(), "Offentlig sektor".into()],
            start: at("2026-11-25T09:00:00Z"),
            end: at("2026-11-25T11:00:00Z"),
            capacity: 10,
            visibility: EventVisibility::Public,
            status: EventStatus::Cancelled,
            organiser_id: Uuid::from_u128(5),
            co_organiser_ids: vec![],
            sequence: 3,
            created_at: at("2026-11-01T08:00:00Z"),
            updated_at: at("2026-11-20T12:00:00Z"),
        };
        let l = EventListing {
            event: e,
            hub_name: "Figeholms hubb".into(),
            place_name: Some("Sjöutsikten".into()),
            confirmed: 0,
            waitlisted: 0,
        };
        let ics = calendar(
            "Kalendern",
            [event(&l, &Origin("https://thirdplace.example".into()))].into_iter(),
        );
        let body: Vec<&str> = ics
            .split("BEGIN:VEVENT\r\n")
            .nth(1)
            .unwrap()
            .split_terminator("\r\n")
            .collect();
        assert_eq!(
            body,
            [
                "DESCRIPTION:Vi testar verktyg.",
                "DTEND:20261125T110000Z",
                "DTSTAMP:20261120T120000Z",
                "DTSTART:20261125T090000Z",
                "LOCATION:Sjöutsikten\\, Figeholms hubb",
                "SEQUENCE:3",
                "STATUS:CANCELLED",
                "SUMMARY:Workshop: AI i offentlig sektor",
                "TRANSP:OPAQUE",
                "UID:event-01930000-0000-7000-8000-000000000001@thirdplace",
                "URL:https://thirdplace.example/events/01930000-0000-7000-8000-000000000001",
                // Multi-valued properties come after the single ones.
                "CATEGORIES:AI",
                "CATEGORIES:Offentlig sektor",
                "END:VEVENT",
                "END:VCALENDAR",
            ]
        );
    }
}
