//! Building outgoing e-mail for the outbox. Sending is the outbox's
//! ([`crate::outbox`] is composed in by the root); capabilities queue
//! messages inside their own store transactions, so they build them here.
//!
//! The waiting-list promotion text is here too because two capabilities
//! send it: the events (a registration is cancelled) and people (an erased
//! person's places are given on).

use chrono::{DateTime, Utc};
use thirdplace_domain::event::Event;
use thirdplace_domain::{new_id, HUB_TIME_ZONE};
use thirdplace_store::OutgoingEmail;

/// A message for the outbox, to be queued by the caller (inside its own
/// store transaction, e.g. `cancel_booking(…, Some(&email))`; then call
/// `state.mail_wake.notify_one()` after the commit). `to` should be an
/// address already accepted by [`Email::parse`] (people's addresses are);
/// a message to an address SMTP cannot take is marked failed at once.
/// Line breaks in the subject become spaces: a subject is one header line.
pub fn email(to: &str, subject: &str, body: &str, now: DateTime<Utc>) -> OutgoingEmail {
    OutgoingEmail {
        id: new_id(),
        to_address: to.to_string(),
        subject: subject.replace(['\r', '\n'], " "),
        body: body.to_string(),
        created_at: now,
        sent_at: None,
        attempts: 0,
        last_error: None,
        failed: false,
    }
}

/// An event's time in Swedish time: "2026-12-01 10:00–11:00".
pub fn local_span(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let s = start.with_timezone(&HUB_TIME_ZONE);
    let e = end.with_timezone(&HUB_TIME_ZONE);
    if s.date_naive() == e.date_naive() {
        format!(
            "{} {}–{}",
            s.format("%Y-%m-%d"),
            s.format("%H:%M"),
            e.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            s.format("%Y-%m-%d %H:%M"),
            e.format("%Y-%m-%d %H:%M")
        )
    }
}

/// A template: the store sends a copy to each person concerned.
pub fn template(subject: String, body: String, now: DateTime<Utc>) -> OutgoingEmail {
    email("", &subject, &body, now)
}

pub fn promotion_email(e: &Event, now: DateTime<Utc>) -> OutgoingEmail {
    let when = local_span(e.start, e.end);
    template(
        format!("Du har fått en plats: {t} / You have a place: {t}", t = e.title),
        format!(
            "Hej!\n\nEn plats blev ledig och du har flyttats upp från väntelistan till \"{t}\" {when}.\n\n\
             ---\n\n\
             Hello,\n\nA place became free and you have moved up from the waiting list for \"{t}\" on {when} (Swedish time).\n",
            t = e.title
        ),
        now,
    )
}
