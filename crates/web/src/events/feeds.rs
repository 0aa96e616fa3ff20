//! iCalendar (RFC 5545) feeds of the open calendar, built with the helpers
//! of [`crate::http::ical`] (its careful line folding included):
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
//! ([`crate::events::calendar_cache`]): a request after any change renders afresh,
//! the others are served the kept text, with an `ETag` that an
//! `If-None-Match` is answered `304 Not Modified` for.

use crate::events::calendar_cache::Rendered;
use crate::http::error::{AppError, AppResult};
use crate::http::ical::{calendar_of, component_text, plain};
use crate::http::origin::Origin;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use chrono::{DateTime, Utc};
use icalendar::{Component, Event as IcsEvent, EventLike, EventStatus as IcsStatus};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use thirdplace_domain::event::{EventStatus, EventVisibility};
use thirdplace_store::{EventFilter, EventListing};
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
    let now = state.now().timestamp();
    let hour = DateTime::from_timestamp(now - now.rem_euclid(3600), 0).unwrap_or_default();
    EventFilter {
        from: Some(hour - Duration::days(FEED_PAST_DAYS)),
        visibilities: Some(vec![EventVisibility::Public]),
        statuses: Some(vec![EventStatus::Published, EventStatus::Cancelled]),
        limit: MAX_FEED_EVENTS,
        without_counts: true,
        ..Default::default()
    }
}

/// A public feed from the cache when it was rendered at the current
/// generation, for the same address, origin and window; otherwise written
/// from its kept events brought up to date ([`FeedSnapshots`]).
async fn public_feed(
    state: &AppState,
    headers: &HeaderMap,
    origin: &Origin,
    name: &str,
    f: EventFilter,
) -> AppResult<Response> {
    let generation = state.store.calendar_feed_version().await?;
    let feed = format!("{}\n{:?}\n{:?}", origin.0, f.hub_ids, f.topic);
    let key = format!("ics\n{feed}\n{name}\n{:?}", f.from.map(|t| t.timestamp()));
    let rendered = state
        .calendar_cache
        .get_or_render(&key, generation, None, || async {
            let texts = state
                .feed_snapshots
                .texts(state, &feed, generation, &f, origin)
                .await?;
            Ok(calendar_of(name, &texts))
        })
        .await?;
    Ok(feed_response(&rendered, headers))
}

/// The feed, or `304 Not Modified` when the client has this version;
/// gzipped for clients that take it, once the copy is made.
fn feed_response(r: &Rendered, headers: &HeaderMap) -> Response {
    let inm = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let unchanged = r.matches(inm);
    let gzip = if unchanged {
        None
    } else {
        accepts_gzip(headers).then(|| r.gzip()).flatten()
    };
    // On 304 the tag of the copy the client has (its own tag names it).
    let gzip_tag = gzip.is_some() || (unchanged && inm.is_some_and(|v| v.contains(&r.gzip_etag())));
    // Apps may keep a feed for five minutes; after that they ask again
    // with the tag, and are answered without the body if nothing changed.
    let common = [
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        (
            header::ETAG,
            if gzip_tag {
                r.gzip_etag()
            } else {
                r.etag.clone()
            },
        ),
        (header::VARY, "Accept-Encoding".to_string()),
    ];
    if unchanged {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let content_type = (header::CONTENT_TYPE, "text/calendar; charset=utf-8");
    match gzip {
        Some(body) => (
            common,
            [content_type, (header::CONTENT_ENCODING, "gzip")],
            body,
        )
            .into_response(),
        None => (common, [content_type], r.body.clone()).into_response(),
    }
}

/// Whether `Accept-Encoding` takes gzip: named, or `*`, without `q=0`.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let (mut gzip, mut any) = (None, None);
    for coding in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let taken = !parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if name.eq_ignore_ascii_case("gzip") {
            gzip = Some(taken);
        } else if name == "*" {
            any = Some(taken);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// The network feed's calendar name.
const NETWORK_FEED_NAME: &str = "Kalendern";

/// Writes the network feed for the configured public URL (if any) once,
/// and starts its gzip copy, so that the first app to ask after a server
/// starts is not the one kept waiting for the whole listing (a few hundred
/// milliseconds for 10 000 events). Without a public URL the origin is
/// known only from requests.
pub async fn warm(state: &AppState) -> AppResult<()> {
    let Some(url) = state.config.public_url.clone() else {
        return Ok(());
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT_ENCODING,
        header::HeaderValue::from_static("gzip"),
    );
    let f = public_filter(state);
    public_feed(state, &headers, &Origin(url), NETWORK_FEED_NAME, f).await?;
    Ok(())
}

/// Every public event of the network (`?topic=` for one topic).
#[tracing::instrument(skip_all)]
async fn network_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    Query(q): Query<TopicQuery>,
) -> AppResult<Response> {
    topic_or_all_feed(&state, &headers, &origin, q.topic.trim()).await
}

/// The public events with `topic`, or all of them when it is empty.
async fn topic_or_all_feed(
    state: &AppState,
    headers: &HeaderMap,
    origin: &Origin,
    topic: &str,
) -> AppResult<Response> {
    let f = EventFilter {
        topic: (!topic.is_empty()).then(|| topic.to_string()),
        ..public_filter(state)
    };
    let name = if topic.is_empty() {
        NETWORK_FEED_NAME.to_string()
    } else {
        format!("Kalendern – {topic}")
    };
    public_feed(state, headers, origin, &name, f).await
}

/// A hub's public events.
#[tracing::instrument(skip_all, fields(hub_id = %id))]
async fn hub_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = crate::http::api::path_id(&id)?;
    let hub = state.store.get_hub(id).await?;
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
    topic_or_all_feed(&state, &headers, &origin, topic).await
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
            from: Some(state.now() - Duration::days(super::member_feed::MEMBER_FEED_PAST_DAYS)),
            involving: Some(person_id),
            limit: super::service::MAX_LISTED,
            without_counts: true,
            ..Default::default()
        })
        .await?;
    Ok(listed.iter().map(|l| event(l, origin)).collect())
}

/// Each public feed's events as last listed, by feed (origin, hub, topic),
/// so that the feed after a change lists only the events that changed
/// since ([`Store::calendar_feed_changes`]), not the whole calendar:
/// listing a network's 10 000 events takes 100–300 ms on SQLite, most of
/// it moving rows out of the database, while a change is one event. When
/// something other than events changed (a hub renamed), the record no
/// longer reaches back, or the last listing filled the feed's limit, the
/// feed is listed whole again. Events that end before the window's start
/// are dropped here as the window moves on.
///
/// [`Store::calendar_feed_changes`]: thirdplace_store::Store::calendar_feed_changes
#[derive(Default)]
pub struct FeedSnapshots {
    inner: Mutex<HashMap<String, Snapshot>>,
    whole_listings: std::sync::atomic::AtomicU64,
}

struct Snapshot {
    /// The feed version its events are at (or newer).
    version: i64,
    /// Its window's start, as in [`EventFilter::from`].
    from: Option<DateTime<Utc>>,
    /// Each event's text in the feed's order: by start, then id.
    texts: BTreeMap<(DateTime<Utc>, Uuid), Arc<str>>,
    /// Each event's start and end.
    events: HashMap<Uuid, (DateTime<Utc>, DateTime<Utc>)>,
    /// The last whole listing filled the limit: events past it are unknown.
    truncated: bool,
    used: std::time::Instant,
}

/// Feeds kept at once; past that the least recently used goes (only made-up
/// topics or `Host` headers get this far).
const MAX_SNAPSHOTS: usize = 64;

impl FeedSnapshots {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times a feed was listed whole, not brought up to date.
    pub fn whole_listings(&self) -> u64 {
        self.whole_listings
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The texts of the events in feed `key` with filter `f` at feed
    /// version `generation` (read before this call), in order.
    async fn texts(
        &self,
        state: &AppState,
        key: &str,
        generation: i64,
        f: &EventFilter,
        origin: &Origin,
    ) -> AppResult<Vec<Arc<str>>> {
        // Taken out while it is brought up to date: the calendar cache
        // lets one request at a time render a feed, and a request that
        // finds none lists the feed whole.
        let kept = self.lock().remove(key);
        let mut snapshot = match kept {
            Some(s) if !s.truncated && s.from <= f.from => {
                Self::bring_up_to_date(s, state, generation, f, origin).await?
            }
            _ => None,
        };
        let snapshot = match snapshot.take() {
            Some(s) => s,
            None => {
                self.whole_listings
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let listed = state.store.list_events(f).await?;
                let truncated = listed.len() as i64 >= f.limit;
                let mut s = Snapshot {
                    version: generation,
                    from: f.from,
                    texts: BTreeMap::new(),
                    events: HashMap::new(),
                    truncated,
                    used: std::time::Instant::now(),
                };
                s.put(listed, state, origin);
                s
            }
        };
        let limit = usize::try_from(f.limit).unwrap_or(0);
        let texts = snapshot.texts.values().take(limit).cloned().collect();
        let mut kept = self.lock();
        if kept.len() >= MAX_SNAPSHOTS && !kept.contains_key(key) {
            if let Some(oldest) = kept
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
            {
                kept.remove(&oldest);
            }
        }
        kept.insert(key.to_string(), snapshot);
        Ok(texts)
    }

    /// `s` at `generation`, or `None` when only a whole listing will do.
    async fn bring_up_to_date(
        mut s: Snapshot,
        state: &AppState,
        generation: i64,
        f: &EventFilter,
        origin: &Origin,
    ) -> AppResult<Option<Snapshot>> {
        s.used = std::time::Instant::now();
        if s.version < generation {
            let Some(ids) = state
                .store
                .calendar_feed_changes(s.version, generation)
                .await?
            else {
                return Ok(None);
            };
            for id in &ids {
                if let Some((start, _)) = s.events.remove(id) {
                    s.texts.remove(&(start, *id));
                }
            }
            if !ids.is_empty() {
                let listed = state
                    .store
                    .list_events(&EventFilter {
                        ids: Some(ids),
                        ..f.clone()
                    })
                    .await?;
                s.put(listed, state, origin);
            }
            s.version = generation;
        }
        if let Some(from) = f.from.filter(|from| s.from < Some(*from)) {
            let Snapshot { texts, events, .. } = &mut s;
            events.retain(|id, (start, end)| {
                let keep = *end > from;
                if !keep {
                    texts.remove(&(*start, *id));
                }
                keep
            });
            s.from = Some(from);
        }
        // More events than the feed shows: the next change may need the
        // ones past the limit, which a whole listing would drop.
        s.truncated = s.texts.len() as i64 > f.limit;
        Ok(Some(s))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Snapshot>> {
        // A panic while holding the lock leaves only a cache behind: use it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Snapshot {
    /// Adds listed events, with their texts.
    fn put(&mut self, listed: Vec<EventListing>, state: &AppState, origin: &Origin) {
        let order: Vec<_> = listed
            .iter()
            .map(|l| (l.event.id, l.event.start, l.event.end))
            .collect();
        let texts = state.event_texts.texts(origin, listed);
        for ((id, start, end), text) in order.into_iter().zip(texts) {
            self.events.insert(id, (start, end));
            self.texts.insert((start, id), text);
        }
    }
}

/// Each public event's `VEVENT` text, kept with the listing it was
/// written from. Writing a network's 10 000 events takes hundreds of
/// milliseconds, listing them tens; so the feed after a change writes only
/// the events whose listing changed and copies the others' text. A text is
/// used only for a listing equal to the one it came from, so nothing needs
/// to be told of changes. Kept per origin, as the text holds the event's
/// address.
#[derive(Default)]
pub struct EventTexts {
    inner: Mutex<Texts>,
}

#[derive(Default)]
struct Texts {
    origins: HashMap<String, HashMap<Uuid, Kept>>,
    /// Counts the feeds written, so that texts no feed used lately can go.
    round: u64,
}

struct Kept {
    from: EventListing,
    text: Arc<str>,
    used: u64,
}

/// Origins kept at once: a server answers under a name or two; more come
/// only from made-up `Host` headers, and then all are dropped.
const MAX_ORIGINS: usize = 4;
/// Texts kept per origin before those unused by the last feeds are dropped.
const MAX_TEXTS: usize = 2 * MAX_FEED_EVENTS as usize;
/// "Lately" for the above: the last this many feeds written.
const RECENT_ROUNDS: u64 = 64;

impl EventTexts {
    pub fn new() -> Self {
        Self::default()
    }

    /// The `VEVENT` texts of `listed`, in its order.
    pub fn texts(&self, origin: &Origin, listed: Vec<EventListing>) -> Vec<Arc<str>> {
        let (round, kept) = {
            let mut g = self.lock();
            g.round += 1;
            let round = g.round;
            if g.origins.len() >= MAX_ORIGINS && !g.origins.contains_key(&origin.0) {
                g.origins.clear();
            }
            let texts = g.origins.entry(origin.0.clone()).or_default();
            let kept: Vec<Option<Arc<str>>> = listed
                .iter()
                .map(|l| {
                    let k = texts.get_mut(&l.event.id).filter(|k| k.from == *l)?;
                    k.used = round;
                    Some(k.text.clone())
                })
                .collect();
            (round, kept)
        };
        // Written outside the lock: other feeds need not wait for this one.
        let mut fresh = Vec::new();
        let out = listed
            .into_iter()
            .zip(kept)
            .map(|(l, k)| {
                k.unwrap_or_else(|| {
                    let text: Arc<str> = component_text(&event(&l, origin)).into();
                    fresh.push((l, text.clone()));
                    text
                })
            })
            .collect();
        if !fresh.is_empty() {
            let mut g = self.lock();
            let texts = g.origins.entry(origin.0.clone()).or_default();
            for (l, text) in fresh {
                let kept = Kept {
                    from: l,
                    text,
                    used: round,
                };
                texts.insert(kept.from.event.id, kept);
            }
            if texts.len() > MAX_TEXTS {
                texts.retain(|_, k| k.used + RECENT_ROUNDS > round);
            }
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Texts> {
        // A panic while holding the lock leaves only a cache behind: use it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
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
    use crate::http::ical::calendar;
    use chrono::{DateTime, Utc};
    use thirdplace_domain::event::{Event, Venue};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn listing() -> EventListing {
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
        EventListing {
            event: e,
            hub_name: "Figeholms hubb".into(),
            place_name: Some("Sjöutsikten".into()),
            confirmed: 0,
            waitlisted: 0,
        }
    }

    /// The whole shape of an event in a feed, so a change is seen in review.
    #[test]
    fn an_event_reads_as_calendar_apps_expect() {
        let l = listing();
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

    #[test]
    fn gzip_is_taken_unless_refused() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, v.parse().unwrap());
            accepts_gzip(&h)
        };
        assert!(with("gzip"));
        assert!(with("deflate, GZIP;q=0.8, br"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("gzip;q=0, *"));
        assert!(!with("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    /// Kept texts read exactly as written afresh, and an event is written
    /// again only when what its text is made of changed.
    #[test]
    fn kept_texts_are_the_texts_and_follow_changes() {
        let origin = Origin("https://thirdplace.example".into());
        let a = listing();
        let mut b = listing();
        b.event.id = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0002);
        b.event.title = "Frukostmöte".into();
        b.event.status = EventStatus::Published;
        let texts = EventTexts::new();
        let fresh = |ls: &[EventListing]| calendar("K", ls.iter().map(|l| event(l, &origin)));

        let first = texts.texts(&origin, vec![a.clone(), b.clone()]);
        assert_eq!(calendar_of("K", &first), fresh(&[a.clone(), b.clone()]));
        let again = texts.texts(&origin, vec![a.clone(), b.clone()]);
        assert!(Arc::ptr_eq(&first[0], &again[0]) && Arc::ptr_eq(&first[1], &again[1]));

        // A new title, or a new hub name, and only that event is new.
        b.event.title = "Frukostmöte, flyttat".into();
        b.event.sequence += 1;
        let moved = texts.texts(&origin, vec![a.clone(), b.clone()]);
        assert!(Arc::ptr_eq(&first[0], &moved[0]));
        assert_eq!(calendar_of("K", &moved), fresh(&[a.clone(), b.clone()]));
        let mut renamed = a.clone();
        renamed.hub_name = "Figeholm".into();
        let r = texts.texts(&origin, vec![renamed.clone(), b.clone()]);
        assert!(r[0].contains("LOCATION:Sjöutsikten\\, Figeholm\r\n"));
        assert!(Arc::ptr_eq(&moved[1], &r[1]));

        // Another origin has its own addresses.
        let other = Origin("http://localhost:8080".into());
        let o = texts.texts(&other, vec![b.clone()]);
        assert!(o[0].contains("URL:http://localhost:8080/events/"));
        assert!(r[1].contains("URL:https://thirdplace.example/events/"));
        assert!(texts.texts(&origin, vec![]).is_empty());
    }
}
