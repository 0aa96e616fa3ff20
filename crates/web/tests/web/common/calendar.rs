//! Reading iCalendar feeds back: fetching one, parsing it with an
//! independent parser, and reading its properties and times.

use super::app::TestApp;
use chrono::{DateTime, Utc};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use ical::property::Property;
use reqwest::StatusCode;

/// The body of the feed at `path`, after checking that it is one.
pub async fn feed_body(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/calendar; charset=utf-8"
    );
    r.text().await.unwrap()
}

/// Parses one calendar, checking that it starts as one and that no line is
/// longer than RFC 5545's 75 octets.
pub fn parse(body: &str) -> IcalCalendar {
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
    for line in body.split_terminator("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
    }
    let mut parser = ical::IcalParser::new(body.as_bytes());
    let cal = parser.next().expect("a calendar").expect("it parses");
    assert!(parser.next().is_none(), "one calendar only");
    cal
}

pub fn prop(props: &[Property], name: &str) -> Option<String> {
    props
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
}

/// A property the event must have.
pub fn ev(e: &IcalEvent, name: &str) -> String {
    prop(&e.properties, name).unwrap_or_else(|| panic!("event has no {name}"))
}

/// The events' UIDs in the feed's order.
pub fn uids(cal: &IcalCalendar) -> Vec<String> {
    cal.events.iter().map(|e| ev(e, "UID")).collect()
}

pub fn find<'a>(cal: &'a IcalCalendar, uid: &str) -> &'a IcalEvent {
    cal.events
        .iter()
        .find(|e| ev(e, "UID") == uid)
        .unwrap_or_else(|| panic!("no event {uid}"))
}

/// RFC 5545 §3.3.11: the parser leaves TEXT values escaped.
pub fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A DATE-TIME in UTC form (`20261124T090000Z`).
pub fn utc(s: &str) -> DateTime<Utc> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .unwrap_or_else(|e| panic!("{s} is not a UTC date-time: {e}"))
        .and_utc()
}

/// The feed at `path`, checked and parsed.
pub async fn feed(app: &TestApp, path: &str) -> IcalCalendar {
    parse(&feed_body(app, path).await)
}
