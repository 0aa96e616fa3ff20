//! Issuing one-time links with the e-mails that carry them, checking and
//! taking them, and the throttle on asking for password resets.

use crate::http::auth::{random_secret, sha256_hex};
use crate::http::error::AppResult;
use crate::http::mail::email;
use crate::http::origin::{INVITATION_LINKS, RESET_LINKS};
use crate::http::source::Source;
use crate::i18n::{t, Lang};
use crate::AppState;
use axum::http::StatusCode;
use chrono::Duration;
use thirdplace_domain::{new_id, sign_in, Email, Person};
use thirdplace_store::{account_key, OneTimeToken, StoreError, TokenKind, Unusable};
use uuid::Uuid;

/// Reset links asked for per address in an hour (whether or not anyone
/// has the address, so the throttle does not tell either).
pub const RESETS_PER_ADDRESS: i64 = 3;
/// Reset links asked for from one source address in an hour.
pub const RESETS_PER_SOURCE: i64 = 10;

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
/// queues the e-mail that carries it, in Swedish and English. `origin` is
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
    let mail = email(
        person.email.as_str(),
        &format!("{} / {}", t(Lang::Sv, subject), t(Lang::En, subject)),
        &format!("{}\n\n---\n\n{}", fill(Lang::Sv), fill(Lang::En)),
        now,
    );
    state.store.queue_email(&mail).await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Sends a reset link to `address` if an active person has it, unless too
/// many were asked for lately for the address or from `source`: then the
/// seconds to wait. The answer is the same whether or not the address is
/// known.
pub async fn request_reset(
    state: &AppState,
    origin: &str,
    source: &Source,
    address: &Email,
) -> AppResult<Option<i64>> {
    let now = state.now();
    let window = sign_in::forget_after();
    let keys = [
        format!("reset:{}", account_key(address.as_str())),
        format!("reset:{}", source.key()),
    ];
    for (key, limit) in keys.iter().zip([RESETS_PER_ADDRESS, RESETS_PER_SOURCE]) {
        if let Some(s) = state.store.strikes(key, now - window).await? {
            if s.failures >= limit {
                return Ok(Some(sign_in::whole_seconds(s.last_at + window - now)));
            }
        }
    }
    state.store.record_strikes(&keys, now, now - window).await?;
    let person = state.store.find_person_by_email(address.as_str()).await?;
    if let Some(p) = person.filter(|p| !p.archived) {
        send_link(state, origin, TokenKind::PasswordReset, &p, None).await?;
    }
    Ok(None)
}

/// Why a link cannot be used, as the person following it is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Never issued: mistyped, cut short or forged.
    Unknown,
    Used,
    /// Replaced by a newer link, withdrawn by an admin, or the account is
    /// closed.
    Revoked,
    Expired,
}

impl LinkProblem {
    pub fn status(self) -> StatusCode {
        match self {
            LinkProblem::Unknown => StatusCode::NOT_FOUND,
            _ => StatusCode::GONE,
        }
    }

    /// The text key of the explanation.
    pub fn text_key(self) -> &'static str {
        match self {
            LinkProblem::Unknown => "access.problem.unknown",
            LinkProblem::Used => "access.problem.used",
            LinkProblem::Revoked => "access.problem.revoked",
            LinkProblem::Expired => "access.problem.expired",
        }
    }
}

impl From<Unusable> for LinkProblem {
    fn from(u: Unusable) -> Self {
        match u {
            Unusable::Used => LinkProblem::Used,
            Unusable::Revoked => LinkProblem::Revoked,
            Unusable::Expired => LinkProblem::Expired,
        }
    }
}

/// The link behind `secret` if it may be used now by an active person.
pub async fn usable_link(
    state: &AppState,
    kind: TokenKind,
    secret: &str,
) -> AppResult<Result<OneTimeToken, LinkProblem>> {
    let Some(token) = state.store.find_token(kind, &sha256_hex(secret)).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if let Err(why) = token.usable_at(state.now()) {
        return Ok(Err(why.into()));
    }
    if state.store.get_person(token.person_id).await?.archived {
        return Ok(Err(LinkProblem::Revoked));
    }
    Ok(Ok(token))
}

/// Uses the link: sets the password (already hashed) and ends the
/// person's sessions, or says why not.
pub async fn take_link(
    state: &AppState,
    kind: TokenKind,
    secret: &str,
    password_hash: &str,
) -> AppResult<Result<OneTimeToken, LinkProblem>> {
    let taken = state
        .store
        .take_token(kind, &sha256_hex(secret), state.now(), password_hash)
        .await;
    match taken {
        Ok(Ok(token)) => Ok(Ok(token)),
        Ok(Err(why)) => Ok(Err(why.into())),
        Err(StoreError::NotFound) => Ok(Err(LinkProblem::Unknown)),
        Err(e) => Err(e.into()),
    }
}
