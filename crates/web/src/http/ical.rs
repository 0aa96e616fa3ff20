//! The iCalendar (RFC 5545) writer shared by every feed: one booking as an
//! event, a calendar around events, line folding that calendar apps read
//! right, and the response headers of a feed.

use crate::i18n::Lang;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use serde::Deserialize;
use thirdplace_domain::booking::{Booking, BookingStatus};

const PRODID: &str = "-//thirdplace//thirdplace bookings//SV";
/// At most this many events in one feed (a year of daily meetings and more).
pub const MAX_EVENTS: i64 = 2000;
/// RFC 5545 §3.1: content lines are at most 75 octets, CRLF excluded.
const LINE_OCTETS: usize = 75;

/// The query of a feed address.
#[derive(Deserialize)]
pub struct FeedQuery {
    /// `en` for English summaries; Swedish otherwise.
    #[serde(default)]
    lang: String,
}

impl FeedQuery {
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or(Lang::Sv)
    }
}

/// One booking as an event. `DTSTAMP` is when the booking was last changed
/// (made, or cancelled), as RFC 5545 asks of objects without `METHOD`, so an
/// unchanged booking reads the same on every fetch; `SEQUENCE` goes up on
/// cancelling, so calendars take the cancellation as the newer version.
pub fn booking_event(uid: String, b: &Booking, summary: &str, location: &str) -> Event {
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

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
            [booking_event(
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
