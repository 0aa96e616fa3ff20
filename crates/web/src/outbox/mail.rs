//! E-mail. Everything the app sends goes through the outbox in the
//! database: code queues an [`OutgoingEmail`] (with [`queue`], or with
//! [`email`] inside its own store transaction, so that a message exists
//! exactly when the change it reports does), and the mail worker (see
//! [`crate::background`]) sends due messages over SMTP when the server has
//! SMTP configured. Without SMTP the messages simply stay in the outbox,
//! where network admins read them (`/admin/outbox`).
//!
//! Sending is leased by the store, so several `serve` processes never send
//! one message at once; a failed attempt is retried with growing waits and
//! given up after [`GIVE_UP_AFTER_ATTEMPTS`], its last error kept for the
//! admins. This module must never put an SMTP password in a log line or a
//! `Debug` output.

use crate::http::error::AppResult;
use crate::http::worker::send_each;
use crate::AppState;
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use thirdplace_domain::{Email, ValidationErrors};
use thirdplace_store::OutgoingEmail;

/// The sender when none is configured.
pub const DEFAULT_FROM: &str = "thirdplace <noreply@localhost>";
/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// How long a claimed message is hidden from other workers: longer than a
/// whole batch of sends, so one message is never sent twice at once.
const LEASE_SECS: i64 = 120;
/// Messages sent at once (each over its own connection).
const BATCH: i64 = 4;
/// Attempts before a message is marked failed.
pub const GIVE_UP_AFTER_ATTEMPTS: i64 = 10;
/// Longest kept error text.
const MAX_ERROR_CHARS: usize = 500;

/// Where and as whom e-mail is sent.
#[derive(Clone)]
pub struct MailConfig {
    /// The SMTP server; `None` keeps messages in the outbox.
    pub smtp_url: Option<SmtpUrl>,
    /// The `From` of every message.
    pub from: Mailbox,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_url: None,
            from: DEFAULT_FROM.parse().expect("the default sender parses"),
        }
    }
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url)
            .field("from", &self.from.to_string())
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("the SMTP URL must look like smtp://user:password@host:587?tls=required, smtps://user:password@host:465 or smtp://host:25 ({0})")]
    SmtpUrl(String),
    #[error("the sender must be an e-mail address, optionally with a name: \"thirdplace <noreply@example.se>\" ({0})")]
    From(String),
}

impl MailConfig {
    /// Settings from the command line: an optional SMTP URL (empty counts
    /// as none) and the sender.
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Self, MailConfigError> {
        let smtp_url = match smtp_url.map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(SmtpUrl::parse(u)?),
        };
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|e| MailConfigError::From(e.to_string()))?;
        Ok(MailConfig { smtp_url, from })
    }

    /// The SMTP transport, when SMTP is configured.
    pub fn transport(&self) -> Option<AsyncSmtpTransport<Tokio1Executor>> {
        self.smtp_url.as_ref().map(SmtpUrl::transport)
    }
}

/// An SMTP server's URL, known to be usable. It may hold a password, so
/// its `Debug` shows the URL without the user part.
#[derive(Clone)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn parse(raw: &str) -> Result<Self, MailConfigError> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(raw)
            .map_err(|e| MailConfigError::SmtpUrl(e.to_string()))?;
        Ok(SmtpUrl(raw.to_string()))
    }

    fn transport(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.0)
            .expect("checked by SmtpUrl::parse")
            .timeout(Some(SMTP_TIMEOUT))
            .build()
    }

    /// The URL without user name and password.
    pub fn redacted(&self) -> String {
        match self.0.split_once("://") {
            Some((scheme, rest)) => {
                let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
                match rest[..authority_end].rfind('@') {
                    Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                    None => self.0.clone(),
                }
            }
            None => "***".to_string(),
        }
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SmtpUrl").field(&self.redacted()).finish()
    }
}

pub use crate::http::mail::email;

/// Queues a message to `to` (refused with a validation error on field `to`
/// when it is not an e-mail address) and wakes this process's mail worker.
pub async fn queue(state: &AppState, to: &str, subject: &str, body: &str) -> AppResult<()> {
    let to = Email::parse(to).map_err(|e| ValidationErrors::single("to", e.code, e.message))?;
    let message = email(to.as_str(), subject, body, state.now());
    state.store.queue_email(&message).await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// The wait after `attempts` failed attempts: one minute, doubling, at most
/// four hours (ten attempts span about eight and a half hours).
pub fn retry_delay(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    Duration::minutes(1i64.saturating_mul(1i64 << exp).min(240))
}

/// The message as SMTP sends it. The Message-ID is the outbox id, so a
/// message sent twice (a lease lost mid-send) is recognisably the same.
pub fn message(from: &Mailbox, e: &OutgoingEmail) -> Result<Message, String> {
    let to: Address = e
        .to_address
        .parse()
        .map_err(|err| format!("the address {:?} cannot be used: {err}", e.to_address))?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(&e.subject)
        .message_id(Some(format!("<{}@{}>", e.id, from.email.domain())))
        .date(e.created_at.into())
        .header(ContentType::TEXT_PLAIN)
        .body(e.body.clone())
        .map_err(|err| format!("the message cannot be built: {err}"))
}

/// Claims and sends the messages due now; returns how many were tried.
pub async fn send_due(state: &AppState, smtp: &AsyncSmtpTransport<Tokio1Executor>) -> usize {
    let claimed_at = state.now();
    let claimed = state
        .store
        .claim_emails(claimed_at, Duration::seconds(LEASE_SECS), BATCH)
        .await;
    send_each(claimed, "e-mails", |e| {
        let (state, smtp) = (state.clone(), smtp.clone());
        async move { send_one(&state, &smtp, e, claimed_at).await }
    })
    .await
}

/// Sends one claimed e-mail and records the outcome. The wait before the
/// next attempt counts from when the attempt began (`claimed_at`), not from
/// when the server's refusal arrived.
async fn send_one(
    state: &AppState,
    smtp: &AsyncSmtpTransport<Tokio1Executor>,
    e: OutgoingEmail,
    claimed_at: DateTime<Utc>,
) {
    let (error, give_up) = match message(&state.config.mail.from, &e) {
        // It will never go; say so at once.
        Err(err) => (Some(err), true),
        Ok(m) => match smtp.send(m).await {
            Ok(_) => (None, false),
            Err(err) => (Some(error_text(&err)), e.attempts >= GIVE_UP_AFTER_ATTEMPTS),
        },
    };
    let now = state.now();
    let outcome = match error {
        None => state.store.mark_email_sent(e.id, now).await,
        Some(err) => {
            tracing::info!(email = %e.id, attempts = e.attempts, error = %err, give_up, "sending an e-mail failed");
            state
                .store
                .mark_email_failed(e.id, &err, claimed_at + retry_delay(e.attempts), give_up)
                .await
        }
    };
    if let Err(err) = outcome {
        // The lease runs out and the message is tried again.
        tracing::warn!(email = %e.id, error = %err, "could not record an e-mail attempt");
    }
}

/// An SMTP error with its causes ("connection error: Connection refused"),
/// cut to a length the outbox page can show.
fn error_text(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_of_an_smtp_url_is_never_shown() {
        let url = SmtpUrl::parse("smtps://anna:hemligt@smtp.example.se:465").unwrap();
        assert_eq!(url.redacted(), "smtps://***@smtp.example.se:465");
        let cfg =
            MailConfig::new(Some("smtps://anna:hemligt@smtp.example.se"), DEFAULT_FROM).unwrap();
        assert!(!format!("{cfg:?}").contains("hemligt"));
        let plain = SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(plain.redacted(), "smtp://127.0.0.1:2525");
    }

    #[test]
    fn bad_settings_are_refused_and_empty_means_no_smtp() {
        assert!(MailConfig::new(Some("http://mail.example.se"), DEFAULT_FROM).is_err());
        assert!(MailConfig::new(None, "not an address").is_err());
        let none = MailConfig::new(Some(""), "Hubben <hubb@example.se>").unwrap();
        assert!(none.smtp_url.is_none());
        assert_eq!(none.from.email.to_string(), "hubb@example.se");
    }

    #[test]
    fn waits_double_from_a_minute_up_to_four_hours() {
        assert_eq!(retry_delay(1), Duration::minutes(1));
        assert_eq!(retry_delay(2), Duration::minutes(2));
        assert_eq!(retry_delay(5), Duration::minutes(16));
        assert_eq!(retry_delay(9), Duration::minutes(240));
        assert_eq!(retry_delay(1000), Duration::minutes(240));
    }

    #[test]
    fn a_subject_stays_on_one_line_and_the_message_carries_the_outbox_id() {
        // A fixed instant: the message does not depend on when it is sent.
        let now = DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = email(
            "anna@example.se",
            "Bokning\r\nBcc: x@y.se",
            "Hej!\nRad två.",
            now,
        );
        assert_eq!(e.subject, "Bokning  Bcc: x@y.se");
        let from: Mailbox = DEFAULT_FROM.parse().unwrap();
        let raw = String::from_utf8(message(&from, &e).unwrap().formatted()).unwrap();
        assert!(
            raw.contains(&format!("Message-ID: <{}@localhost>", e.id)),
            "{raw}"
        );
        assert!(raw.contains("To: anna@example.se"), "{raw}");
        let bad = email("not an address", "x", "y", now);
        assert!(message(&from, &bad).is_err());
    }
}
