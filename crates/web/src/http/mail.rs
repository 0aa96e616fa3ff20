//! Building outgoing e-mail for the outbox. Sending is the outbox's
//! ([`crate::outbox`] is composed in by the root); capabilities queue
//! messages inside their own store transactions, so they build them here.
//!
//! The waiting-list promotion text is here too because two capabilities
//! send it: the events (a registration is cancelled) and people (an erased
//! person's places are given on).

use crate::http::origin::{INVITATION_LINKS, RESET_LINKS};
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

/// A message's text as admins may read it in the outbox: the secret of
/// every one-time link (password reset, invitation) is replaced by `…`,
/// so that reading the outbox opens no account. The recipient's copy,
/// sent over SMTP, keeps the link whole.
pub fn hide_secret_links(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some((at, prefix)) = [RESET_LINKS, INVITATION_LINKS]
        .into_iter()
        .filter_map(|p| rest.find(p).map(|at| (at, p)))
        .min()
    {
        let secret_starts = at + prefix.len();
        out.push_str(&rest[..secret_starts]);
        out.push('…');
        let secret_len = rest[secret_starts..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len() - secret_starts);
        rest = &rest[secret_starts + secret_len..];
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_links_lose_their_secret_for_admins() {
        let body = "Hej!\n\nhttp://x.se/access/reset/AbC-d_9 gäller.\n\
                    https://x.se/access/invitation/Zz9\nhttp://x.se/account";
        assert_eq!(
            hide_secret_links(body),
            "Hej!\n\nhttp://x.se/access/reset/… gäller.\n\
             https://x.se/access/invitation/…\nhttp://x.se/account"
        );
        assert_eq!(hide_secret_links("no links"), "no links");
    }
}
