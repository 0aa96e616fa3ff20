//! iCalendar (RFC 5545) feeds of room bookings, for Outlook, Google Calendar
//! and Apple Calendar to subscribe to:
//!
//! - `GET /rooms/{id}/calendar.ics`: when a room is taken. Public, so it
//!   must never carry a booking's title or who booked: only "Upptaget".
//! - `GET /feeds/{token}.ics`: a member's own bookings and events
//!   ([`crate::event_feeds`]), cancelled ones included (`STATUS:CANCELLED`,
//!   so subscribed calendars drop them). The token is the address's only protection: HMAC-SHA256 over the person's
//!   id and calendar generation ([`crate::signing`]), so it cannot be
//!   guessed, and rotating the generation voids every address given before.
//!   Whatever is wrong with a token answers 404, never saying why.
//!
//! Also the API's `/api/v1/me/calendar-feed` (registered in [`crate::api`])
//! and the [`Origin`] the account page builds the address with.

use crate::api::path_id;
use crate::auth::{self, Auth};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::i18n::{self, Lang};
use crate::signing;
use crate::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use serde::{Deserialize, Serialize};
use thirdplace_domain::booking::{Booking, BookingStatus};
use thirdplace_store::BookingFilter;
use utoipa::ToSchema;
use uuid::Uuid;

const TOKEN_PREFIX: &str = "tpc1";
const META_KEY: &str = "calendar_feed_signing_key";
const PRODID: &str = "-//thirdplace//thirdplace bookings//SV";
/// How far back a room's feed shows bookings.
pub const ROOM_FEED_PAST_DAYS: i64 = 30;
/// How far back a member's feed shows their bookings.
pub const MEMBER_FEED_PAST_DAYS: i64 = 180;
/// At most this many events in one feed (a year of daily meetings and more).
const MAX_EVENTS: i64 = 2000;
/// RFC 5545 §3.1: content lines are at most 75 octets, CRLF excluded.
const LINE_OCTETS: usize = 75;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms/{id}/calendar.ics", get(room_feed))
        .route("/feeds/{file}", get(member_feed))
        .merge(crate::event_feeds::router())
}

// ------------------------------------------------------------ the address

/// `scheme://host` people reach the app at, for addresses they copy into a
/// calendar app or get in an e-mail: the configured public URL, or else the
/// request's. A host header with anything but host characters is ignored
/// (it would end up in a page).
#[derive(Debug, Clone)]
pub struct Origin(pub String);

/// A public URL for [`crate::WebConfig::public_url`]: `http` or `https`, a
/// host and maybe a port, nothing after (a trailing `/` is dropped).
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let bad = || {
        format!("the public URL must be like https://hubbar.example.se (scheme and host only), got {s:?}")
    };
    let uri: axum::http::Uri = s.trim().parse().map_err(|_| bad())?;
    let scheme = uri.scheme_str().filter(|s| *s == "http" || *s == "https");
    match (scheme, uri.authority()) {
        (Some(scheme), Some(authority))
            if uri.path() == "/"
                && uri.query().is_none()
                && !authority.as_str().contains('@')
                && !authority.host().is_empty() =>
        {
            Ok(format!("{scheme}://{authority}"))
        }
        _ => Err(bad()),
    }
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(url) = &state.config.public_url {
            return Ok(Origin(url.clone()));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        let scheme = if auth::is_secure(state, &parts.headers) {
            "https"
        } else {
            "http"
        };
        Ok(Origin(format!("{scheme}://{host}")))
    }
}

/// The request's URI for the logs, with a feed address's secret left out:
/// whoever reads the logs must not be able to subscribe to a member's
/// bookings.
pub fn loggable_uri(uri: &axum::http::Uri) -> std::borrow::Cow<'_, str> {
    if uri.path().starts_with("/feeds/") {
        "/feeds/…".into()
    } else {
        uri.to_string().into()
    }
}

/// The secret part of a member's feed address: `tpc1.<payload>.<tag>`, the
/// payload being the person's id and calendar generation (base64url).
pub fn sign_feed_token(key: &[u8], person_id: Uuid, generation: i64) -> String {
    let mut raw = Vec::with_capacity(24);
    raw.extend_from_slice(person_id.as_bytes());
    raw.extend_from_slice(&generation.to_be_bytes());
    let payload = URL_SAFE_NO_PAD.encode(raw);
    let tag = URL_SAFE_NO_PAD.encode(signing::tag(key, TOKEN_PREFIX, &payload));
    format!("{TOKEN_PREFIX}.{payload}.{tag}")
}

/// The person and generation a token was signed for, if it is ours and
/// untouched. The caller still compares the generation with the store's.
pub fn verify_feed_token(key: &[u8], token: &str) -> Option<(Uuid, i64)> {
    let mut parts = token.split('.');
    let (Some(TOKEN_PREFIX), Some(payload), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let given = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !signing::tag_matches(key, TOKEN_PREFIX, payload, &given) {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(payload).ok()?;
    if raw.len() != 24 {
        return None;
    }
    let person_id = Uuid::from_slice(&raw[..16]).ok()?;
    let generation = i64::from_be_bytes(raw[16..24].try_into().ok()?);
    Some((person_id, generation))
}

/// The person's current feed address (absolute, under `origin`).
pub async fn feed_url(state: &AppState, origin: &Origin, person_id: Uuid) -> AppResult<String> {
    let key = signing::key(state, META_KEY).await?;
    let generation = state.store.calendar_generation(person_id).await?;
    Ok(format!(
        "{}/feeds/{}.ics",
        origin.0,
        sign_feed_token(&key, person_id, generation)
    ))
}

/// Voids the person's feed address and returns the new one.
pub async fn rotate_feed(state: &AppState, origin: &Origin, person_id: Uuid) -> AppResult<String> {
    state.store.rotate_calendar(person_id).await?;
    feed_url(state, origin, person_id).await
}

// -------------------------------------------------------------- the feeds

#[derive(Deserialize)]
struct FeedQuery {
    /// `en` for English summaries; Swedish otherwise.
    #[serde(default)]
    lang: String,
}

impl FeedQuery {
    fn lang(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or(Lang::Sv)
    }
}

/// A room's busy times: no titles, no names.
#[tracing::instrument(skip_all, fields(room_id = %id))]
async fn room_feed(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let lang = q.lang();
    let room = state.store.get_room(path_id(&id)?).await?;
    let hub = state.store.get_hub(room.hub_id).await?.hub;
    let rules = state.store.booking_rules(room.hub_id).await?;
    let now = state.now();
    let bookings = state
        .store
        .list_bookings(&BookingFilter {
            room_id: Some(room.id),
            from: Some(now - Duration::days(ROOM_FEED_PAST_DAYS)),
            // A civil day more than the rules allow: "days ahead" counts
            // in Swedish time from today.
            to: Some(now + Duration::days(rules.max_days_ahead + 1)),
            include_cancelled: false,
            limit: MAX_EVENTS,
            ..Default::default()
        })
        .await?;
    let busy = i18n::t(lang, "feeds.busy");
    let location = format!("{}, {}", room.name, hub.name);
    let events = bookings
        .iter()
        .map(|v| &v.booking)
        .filter(|b| b.is_active())
        .map(|b| event(format!("busy-{}@thirdplace", b.id), b, &busy, &location));
    let body = calendar(&format!("{} – {}", room.name, hub.name), events);
    Ok(ics_response(body, "public, max-age=300"))
}

/// A member's own bookings, from the secret address.
#[tracing::instrument(skip_all)]
async fn member_feed(
    State(state): State<AppState>,
    origin: Origin,
    Path(file): Path<String>,
    Query(q): Query<FeedQuery>,
) -> AppResult<Response> {
    let lang = q.lang();
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let key = signing::key(&state, META_KEY).await?;
    let (person_id, generation) = verify_feed_token(&key, token).ok_or(AppError::NotFound)?;
    if state.store.calendar_generation(person_id).await? != generation {
        return Err(AppError::NotFound);
    }
    let person = state.store.get_person(person_id).await?;
    if person.archived {
        return Err(AppError::NotFound);
    }
    let bookings = state
        .store
        .list_bookings(&BookingFilter {
            booker_id: Some(person_id),
            from: Some(state.now() - Duration::days(MEMBER_FEED_PAST_DAYS)),
            include_cancelled: true,
            limit: MAX_EVENTS,
            ..Default::default()
        })
        .await?;
    let events = bookings
        .iter()
        .filter(|v| v.booking.booker_id == person_id)
        .map(|v| {
            let b = &v.booking;
            let summary = if b.title.trim().is_empty() {
                v.room_name.as_str()
            } else {
                b.title.as_str()
            };
            let location = format!("{}, {}", v.room_name, v.hub_name);
            event(format!("{}@thirdplace", b.id), b, summary, &location)
        });
    // The member's own events (organised or signed up for) on the same
    // address.
    let own_events = crate::event_feeds::member_events(&state, person_id, &origin).await?;
    let body = calendar(
        &i18n::t(lang, "feeds.my_bookings"),
        events.chain(own_events),
    );
    let mut resp = ics_response(body, "private, max-age=300");
    resp.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        header::HeaderValue::from_static("noindex"),
    );
    Ok(resp)
}

/// One booking as an event. `DTSTAMP` is when the booking was last changed
/// (made, or cancelled), as RFC 5545 asks of objects without `METHOD`, so an
/// unchanged booking reads the same on every fetch; `SEQUENCE` goes up on
/// cancelling, so calendars take the cancellation as the newer version.
fn event(uid: String, b: &Booking, summary: &str, location: &str) -> Event {
    let (status, sequence, changed) = match b.status {
        BookingStatus::Confirmed => (EventStatus::Confirmed, 0, b.created_at),
        BookingStatus::Cancelled => (
            EventStatus::Cancelled,
            1,
            b.cancelled_at.unwrap_or(b.created_at),
        ),
    };
    Event::new()
        .uid(&uid)
        .timestamp(changed)
        .starts(b.start)
        .ends(b.end)
        .sequence(sequence)
        .status(status)
        .summary(&plain(summary))
        .location(&plain(location))
        .add_property("TRANSP", "OPAQUE")
        .done()
}

/// Control characters have no place in a content line; the crate escapes
/// newlines but would pass a carriage return through.
pub(crate) fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub(crate) fn calendar(name: &str, events: impl Iterator<Item = Event>) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .name(&plain(name))
        // How often apps should fetch again; the crate's `ttl` writes
        // "PT3600S", valid but not the form every app is known to read.
        .append_property(
            Property::new("REFRESH-INTERVAL", "PT1H")
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    cal.extend(events);
    refold(&cal.to_string())
}

/// What [`calendar`] writes, from components already written (and folded)
/// by [`component_text`]: for feeds that keep each event's text.
pub(crate) fn calendar_of<T: AsRef<str>>(name: &str, components: &[T]) -> String {
    const END: &str = "END:VCALENDAR\r\n";
    let empty = calendar(name, std::iter::empty());
    let head = empty.strip_suffix(END).unwrap_or(&empty);
    let size = components.iter().map(|c| c.as_ref().len()).sum::<usize>();
    let mut out = String::with_capacity(head.len() + size + END.len());
    out.push_str(head);
    for c in components {
        out.push_str(c.as_ref());
    }
    out.push_str(END);
    out
}

/// One component's text as [`calendar`] writes it inside a calendar.
pub(crate) fn component_text(c: &impl Component) -> String {
    refold(&c.to_string())
}

/// The crate ends every line with CRLF and folds at 75 octets on UTF-8
/// boundaries, but it may fold right after a space, or (it looks up the
/// character at a byte offset, so with å, ä, ö the wrong one) right before
/// one. RFC 5545 allows both, yet parsers that trim line ends (the `ical`
/// crate, some calendar apps) then lose a space in a title. So its lines
/// are unfolded and folded again here, never next to whitespace.
fn refold(ics: &str) -> String {
    let mut out = String::with_capacity(ics.len() + ics.len() / 32);
    // The crate's only line breaks inside a line are its folds: text values
    // have their newlines escaped and [`plain`] removed carriage returns.
    for line in ics.replace("\r\n ", "").split_terminator("\r\n") {
        fold_line(line, &mut out);
    }
    out
}

fn fold_line(line: &str, out: &mut String) {
    let mut rest = line;
    // The first line has 75 octets; continuations 74 after their space.
    let mut limit = LINE_OCTETS;
    while rest.len() > limit {
        let cut = fold_point(rest, limit);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// Where to fold `rest`, at most `limit` octets in: on a character
/// boundary, best with no whitespace on either side; failing that (say
/// "å ä ö å ä ö"), at least not after one, since trimming line ends is the
/// commoner fault of parsers.
fn fold_point(rest: &str, limit: usize) -> usize {
    let boundaries = || {
        (limit.saturating_sub(16).max(1)..=limit)
            .rev()
            .filter(|&i| rest.is_char_boundary(i))
    };
    let ends_in_space = |i: usize| rest[..i].ends_with(char::is_whitespace);
    let starts_with_space = |i: usize| rest[i..].starts_with(char::is_whitespace);
    boundaries()
        .find(|&i| !ends_in_space(i) && !starts_with_space(i))
        .or_else(|| boundaries().find(|&i| !ends_in_space(i)))
        .or_else(|| boundaries().next())
        .unwrap_or(limit)
}

pub(crate) fn ics_response(body: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

// ----------------------------------------------------------------- the API

#[derive(Serialize, ToSchema)]
pub struct CalendarFeedOut {
    /// The caller's private iCalendar feed of their bookings. Anyone who has
    /// the address sees them; rotating gives a new one and voids this.
    pub url: String,
}

/// The address of the caller's private calendar feed, for subscribing in
/// Outlook, Google Calendar or Apple Calendar.
#[utoipa::path(get, path = "/me/calendar-feed", tag = "bookings", security(("token" = [])),
    responses((status = 200, body = CalendarFeedOut), (status = 401, body = ErrorBody)))]
pub async fn my_calendar_feed(
    State(state): State<AppState>,
    origin: Origin,
    auth: Auth,
) -> AppResult<Json<CalendarFeedOut>> {
    let p = auth.require()?;
    Ok(Json(CalendarFeedOut {
        url: feed_url(&state, &origin, p.person_id).await?,
    }))
}

/// Replaces the caller's calendar feed address; the old one answers 404
/// from now on.
#[utoipa::path(post, path = "/me/calendar-feed/rotate", tag = "bookings", security(("token" = [])),
    responses((status = 200, body = CalendarFeedOut), (status = 401, body = ErrorBody)))]
pub async fn rotate_calendar_feed(
    State(state): State<AppState>,
    origin: Origin,
    auth: Auth,
) -> AppResult<Json<CalendarFeedOut>> {
    let p = crate::api::require(&auth, |_| true)?;
    Ok(Json(CalendarFeedOut {
        url: rotate_feed(&state, &origin, p.person_id).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn a_feed_token_names_its_person_and_generation_and_cannot_be_forged() {
        let person = Uuid::from_u128(7);
        let token = sign_feed_token(b"key", person, 2);
        assert!(token.starts_with("tpc1."));
        assert!(!token.contains(&person.to_string()));
        assert_eq!(verify_feed_token(b"key", &token), Some((person, 2)));
        assert_eq!(verify_feed_token(b"other key", &token), None);
        let other = sign_feed_token(b"key", Uuid::from_u128(8), 2);
        let payload = token.split('.').nth(1).unwrap();
        let forged = format!("tpc1.{payload}.{}", other.split('.').nth(2).unwrap());
        assert_eq!(verify_feed_token(b"key", &forged), None);
        assert_eq!(verify_feed_token(b"key", "tpc1.a.b"), None);
        assert_eq!(verify_feed_token(b"key", "hello"), None);
        // A QR code's signature is not a feed's, even under the same key.
        let qr = crate::qr::sign(
            b"key",
            crate::qr::QrClaims {
                person_id: person,
                generation: 2,
                issued_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            },
        );
        assert_eq!(
            verify_feed_token(b"key", &qr.replacen("tpq1", "tpc1", 1)),
            None
        );
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn booking(status: BookingStatus) -> Booking {
        Booking {
            id: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001),
            room_id: Uuid::from_u128(2),
            hub_id: Uuid::from_u128(3),
            booker_id: Uuid::from_u128(4),
            organisation_id: Uuid::from_u128(5),
            on_behalf_of_organisation: false,
            seat_id: None,
            series_id: None,
            title: "Styrelsemöte".into(),
            start: at("2026-10-25T00:00:00Z"),
            end: at("2026-10-25T02:00:00Z"),
            status,
            price: Default::default(),
            created_at: at("2026-10-01T08:00:00Z"),
            cancelled_at: (status == BookingStatus::Cancelled).then(|| at("2026-10-20T12:00:00Z")),
            cancelled_by: None,
            cancel_reason: String::new(),
            cancellation_charged: false,
        }
    }

    /// The whole shape of a feed, so that a change of it is seen in review.
    #[test]
    fn a_feed_reads_as_calendar_apps_expect() {
        let b = booking(BookingStatus::Cancelled);
        let ics = calendar(
            "Mina bokningar",
            [event(
                format!("{}@thirdplace", b.id),
                &b,
                &b.title,
                "Sjöutsikten, Figeholms hubb",
            )]
            .into_iter(),
        );
        let expected = [
            "BEGIN:VCALENDAR",
            "PRODID:-//thirdplace//thirdplace bookings//SV",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "NAME:Mina bokningar",
            "X-WR-CALNAME:Mina bokningar",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            "X-PUBLISHED-TTL:PT1H",
            "BEGIN:VEVENT",
            "DTEND:20261025T020000Z",
            "DTSTAMP:20261020T120000Z",
            "DTSTART:20261025T000000Z",
            "LOCATION:Sjöutsikten\\, Figeholms hubb",
            "SEQUENCE:1",
            "STATUS:CANCELLED",
            "SUMMARY:Styrelsemöte",
            "TRANSP:OPAQUE",
            "UID:01930000-0000-7000-8000-000000000001@thirdplace",
            "END:VEVENT",
            "END:VCALENDAR",
        ];
        assert_eq!(ics, expected.join("\r\n") + "\r\n");
    }

    #[test]
    fn a_public_url_is_a_scheme_and_a_host() {
        for (given, kept) in [
            ("https://hubbar.example.se", "https://hubbar.example.se"),
            ("https://hubbar.example.se/", "https://hubbar.example.se"),
            (" http://localhost:8080 ", "http://localhost:8080"),
        ] {
            assert_eq!(parse_public_url(given).as_deref(), Ok(kept));
        }
        for bad in [
            "hubbar.example.se",
            "ftp://hubbar.example.se",
            "https://hubbar.example.se/app",
            "https://hubbar.example.se/?a=1",
            "https://user@hubbar.example.se",
            "",
        ] {
            let e = parse_public_url(bad).unwrap_err();
            assert!(e.contains("scheme and host only"), "{bad}: {e}");
        }
    }

    #[test]
    fn feed_secrets_stay_out_of_the_logs() {
        let uri: axum::http::Uri = "/feeds/tpc1.abc.def.ics?lang=en".parse().unwrap();
        assert_eq!(loggable_uri(&uri), "/feeds/…");
        let uri: axum::http::Uri = "/rooms/1/calendar.ics?lang=en".parse().unwrap();
        assert_eq!(loggable_uri(&uri), "/rooms/1/calendar.ics?lang=en");
    }

    #[test]
    fn lines_are_folded_at_75_octets_never_next_to_a_space() {
        let title = format!(
            "SUMMARY:{}",
            "Planering av året på Sjöutsikten, å ä ö "
                .repeat(6)
                .trim_end()
        );
        let mut out = String::new();
        fold_line(&title, &mut out);
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.split_terminator("\r\n").collect();
        assert!(lines.len() > 3);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.len() <= LINE_OCTETS, "{l:?}");
            assert!(!l.ends_with(' '), "{l:?}");
            if i > 0 {
                assert!(l.starts_with(' ') && !l[1..].starts_with(' '), "{l:?}");
            }
        }
        let unfolded: String = out.trim_end().replace("\r\n ", "");
        assert_eq!(unfolded, title);
        // Letters and spaces in turn: no fold avoids both sides of a space.
        let line = format!("SUMMARY:{}", "å ä ".repeat(30).trim_end());
        let mut alternating = String::new();
        fold_line(&line, &mut alternating);
        for l in alternating.split_terminator("\r\n") {
            assert!(l.len() <= LINE_OCTETS && !l.ends_with(' '), "{l:?}");
        }
        assert_eq!(alternating.trim_end().replace("\r\n ", ""), line);
        let mut short = String::new();
        fold_line("VERSION:2.0", &mut short);
        assert_eq!(short, "VERSION:2.0\r\n");
    }
}
