//! One-time links into an account: invitations (a person created by an
//! admin chooses their first password) and password resets. Only the
//! SHA-256 of a link's secret is kept, so a leaked database opens no
//! account; a link is used at most once, within its lifetime, unless
//! revoked. Issuing a link revokes the person's earlier unused links of the
//! same kind, so at most one of each kind is live.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Sent when an admin creates a person (or gives a seat to one) who has
    /// no password yet: choosing one activates the account.
    Invitation,
    /// Asked for on the sign-in page ("Glömt lösenordet?").
    PasswordReset,
}

impl TokenKind {
    /// The name kept in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Invitation => "invitation",
            TokenKind::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<TokenKind> {
        match s {
            "invitation" => Some(TokenKind::Invitation),
            "password_reset" => Some(TokenKind::PasswordReset),
            _ => None,
        }
    }
}

/// A one-time link as the store keeps it (the secret itself is never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    pub id: Uuid,
    pub kind: TokenKind,
    pub person_id: Uuid,
    /// SHA-256 of the secret in the link, in lower-case hex.
    pub token_hash: String,
    /// The admin who sent an invitation; `None` for a reset asked for by
    /// the person themselves.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Why a link that exists cannot be used (any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    Used,
    Revoked,
    Expired,
}

impl OneTimeToken {
    /// Whether the link may be used at `now`: not used, not revoked and
    /// not yet expired (in that order of telling).
    pub fn usable_at(&self, now: DateTime<Utc>) -> Result<(), Unusable> {
        if self.used_at.is_some() {
            Err(Unusable::Used)
        } else if self.revoked_at.is_some() {
            Err(Unusable::Revoked)
        } else if now >= self.expires_at {
            Err(Unusable::Expired)
        } else {
            Ok(())
        }
    }
}

/// Where a person stands with getting into their account (issue 15), as
/// admins see it on a person's page and in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    /// They have a password.
    Activated,
    /// An invitation link may be used until this instant.
    Invited(DateTime<Utc>),
    /// The newest invitation ran out at this instant, unused.
    Expired(DateTime<Utc>),
    /// Never invited, the invitation was revoked, or the person is archived.
    NotInvited,
}

impl InvitationState {
    /// The state's name in the API (and its texts' keys).
    pub fn key(self) -> &'static str {
        match self {
            InvitationState::Activated => "activated",
            InvitationState::Invited(_) => "invited",
            InvitationState::Expired(_) => "expired",
            InvitationState::NotInvited => "not_invited",
        }
    }

    /// The state of a person with (or without) a password and this newest
    /// invitation, at `now`: a password first, else the invitation.
    pub fn of(
        activated: bool,
        latest_invitation: Option<&OneTimeToken>,
        archived: bool,
        now: DateTime<Utc>,
    ) -> InvitationState {
        if activated {
            return InvitationState::Activated;
        }
        match latest_invitation.map(|t| (t.usable_at(now), t.expires_at)) {
            // An archived person's link does not work (the access service
            // refuses it), so it is not shown as live.
            Some((Ok(()), until)) if !archived => InvitationState::Invited(until),
            Some((Err(Unusable::Expired), at)) => InvitationState::Expired(at),
            _ => InvitationState::NotInvited,
        }
    }
}

/// Who of many people has activated their account (has a password or signs
/// in through their organisation's provider), and each one's newest invitation
/// ([`AccessStore::access_overview`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessOverview {
    pub activated: HashSet<Uuid>,
    pub invitations: HashMap<Uuid, OneTimeToken>,
}

impl AccessOverview {
    /// The person's [`InvitationState`] at `now`.
    pub fn state_of(&self, person_id: Uuid, archived: bool, now: DateTime<Utc>) -> InvitationState {
        InvitationState::of(
            self.activated.contains(&person_id),
            self.invitations.get(&person_id),
            archived,
            now,
        )
    }
}

/// One-time links: invitations and password resets.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Keeps a new link, revoking (at its `created_at`) the person's
    /// earlier unused links of the same kind, in one transaction.
    /// `Reference` if the person does not exist.
    async fn issue_token(&self, t: &OneTimeToken) -> StoreResult<()>;

    /// The link of this kind with this hash, whatever its state; `None`
    /// for a link never issued (a forged or mistyped one).
    async fn find_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
    ) -> StoreResult<Option<OneTimeToken>>;

    /// Uses the link, in one transaction: if it is usable at `now`, marks
    /// it used, sets the person's password hash to `password_hash`, ends
    /// every session of the person and revokes their other unused links of
    /// the same kind. Of several takes at once, exactly one succeeds.
    /// `Ok(Err(_))` says why a known link could not be used (and nothing
    /// is written); `NotFound` if no such link was ever issued.
    async fn take_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> StoreResult<Result<OneTimeToken, Unusable>>;

    /// The person's newest link of this kind, whatever its state.
    async fn latest_token(
        &self,
        person_id: Uuid,
        kind: TokenKind,
    ) -> StoreResult<Option<OneTimeToken>>;

    /// Revokes the person's unused, unrevoked links of this kind; how many.
    async fn revoke_tokens(
        &self,
        person_id: Uuid,
        kind: TokenKind,
        at: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Which people of the organisation (everyone, when `None`) have a
    /// password, and each one's newest invitation: for lists, in a fixed
    /// number of queries rather than two a person.
    async fn access_overview(&self, organisation_id: Option<Uuid>) -> StoreResult<AccessOverview>;
}
