//! Checking and taking one-time links, and the throttle on asking for
//! password resets. Issuing a link with its e-mail is in the leaf
//! [`crate::http::one_time_links`], since people/ and memberships/ send
//! invitations too.

use crate::http::auth::sha256_hex;
use crate::http::error::AppResult;
pub use crate::http::one_time_links::{link_path, send_link};
use crate::http::source::Source;
use crate::AppState;
use axum::http::StatusCode;
use thirdplace_domain::{sign_in, Email};
use thirdplace_store::{account_key, OneTimeToken, StoreError, TokenKind, Unusable};

/// Reset links asked for per address in an hour (whether or not anyone
/// has the address, so the throttle does not tell either).
pub const RESETS_PER_ADDRESS: i64 = 3;
/// Reset links asked for from one source address in an hour.
pub const RESETS_PER_SOURCE: i64 = 10;

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
