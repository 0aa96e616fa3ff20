//! Issuing a one-time link (password reset, invitation) and queueing the
//! e-mail that carries it, in the person's language (in Swedish and
//! English if they chose none). In the leaf because several capabilities
//! send them: access/ (resets), people/ (a person is created) and
//! memberships/ (a seat is given to someone without a password). Checking and taking links is [`crate::access`]'s.

use crate::http::auth::{random_secret, sha256_hex};
use crate::http::error::AppResult;
use crate::http::mail::email;
use crate::http::origin::{INVITATION_LINKS, RESET_LINKS};
use crate::i18n::{t, Lang};
use crate::AppState;
use chrono::Duration;
use thirdplace_domain::{new_id, Person};
use thirdplace_store::{OneTimeToken, TokenKind};
use uuid::Uuid;

/// The path a link of this kind leads to, before its secret.
pub fn link_path(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Invitation => INVITATION_LINKS,
        TokenKind::PasswordReset => RESET_LINKS,
    }
}

/// How long a new link of this kind stays valid (configured).
pub fn lifetime(state: &AppState, kind: TokenKind) -> Duration {
    match kind {
        TokenKind::Invitation => Duration::days(state.config.invitation_days),
        TokenKind::PasswordReset => Duration::minutes(state.config.reset_link_minutes),
    }
}

/// Issues a link of `kind` for `person` (revoking their earlier one) and
/// queues the e-mail that carries it, in the person's chosen language or,
/// without one, in Swedish and English. `origin` is
/// where the app is reached (`scheme://host`).
pub async fn send_link(
    state: &AppState,
    origin: &str,
    kind: TokenKind,
    person: &Person,
    created_by: Option<Uuid>,
) -> AppResult<()> {
    let secret = random_secret();
    let now = state.now();
    let token = OneTimeToken {
        id: new_id(),
        kind,
        person_id: person.id,
        token_hash: sha256_hex(&secret),
        created_by,
        created_at: now,
        expires_at: now + lifetime(state, kind),
        used_at: None,
        revoked_at: None,
    };
    state.store.issue_token(&token).await?;
    let link = format!("{origin}{}{secret}", link_path(kind));
    let (subject, body) = match kind {
        TokenKind::PasswordReset => ("access.mail.reset_subject", "access.mail.reset_body"),
        TokenKind::Invitation => (
            "access.mail.invitation_subject",
            "access.mail.invitation_body",
        ),
    };
    let fill = |lang: Lang| {
        t(lang, body)
            .replace("{name}", &person.first_name)
            .replace("{link}", &link)
            .replace("{minutes}", &state.config.reset_link_minutes.to_string())
            .replace("{days}", &state.config.invitation_days.to_string())
    };
    // In the language the person chose, if they did; else in both.
    let language = state.store.person_language(person.id).await?;
    let (subject, body) = match language.as_deref().and_then(Lang::parse) {
        Some(lang) => (t(lang, subject), fill(lang)),
        None => (
            format!("{} / {}", t(Lang::Sv, subject), t(Lang::En, subject)),
            format!("{}\n\n---\n\n{}", fill(Lang::Sv), fill(Lang::En)),
        ),
    };
    let mail = email(person.email.as_str(), &subject, &body, now);
    state.store.queue_email(&mail).await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Invites `person` (an invitation link by e-mail) if they have no
/// password yet and no invitation that may still be used; whether one
/// was sent. `by` is the admin who created them or gave them a seat.
pub async fn invite_if_new(
    state: &AppState,
    origin: &str,
    person: &Person,
    by: Uuid,
) -> AppResult<bool> {
    if person.archived || state.store.password_hash(person.id).await?.is_some() {
        return Ok(false);
    }
    let live = state
        .store
        .latest_token(person.id, TokenKind::Invitation)
        .await?
        .is_some_and(|t| t.usable_at(state.now()).is_ok());
    if live {
        return Ok(false);
    }
    send_link(state, origin, TokenKind::Invitation, person, Some(by)).await?;
    Ok(true)
}
