//! Single sign-on with OpenID Connect (issue 15): an identity provider per
//! organisation, the e-mail domains it answers for, the links from a
//! provider's subject to a person, and the state of sign-ins under way.
//!
//! The client secret is kept only sealed (encrypted by the web layer with
//! the configured secret key); the store never sees it in plain text. A
//! sign-in's state is kept by the SHA-256 of its `state` value and taken at
//! most once, so a replayed callback finds nothing to take.

use crate::{StoreResult, Unusable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An organisation's OpenID Connect provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    pub id: Uuid,
    /// One provider per organisation.
    pub organisation_id: Uuid,
    /// The issuer, as the provider's discovery document names it.
    pub issuer_url: String,
    pub client_id: String,
    /// The client secret sealed with the configured key (never plain).
    pub sealed_secret: String,
    /// The e-mail domains (lower case) whose people sign in here; a domain
    /// belongs to at most one provider.
    pub domains: Vec<String>,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// A provider's subject (`sub`) linked to a person at their first sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityLink {
    pub provider_id: Uuid,
    pub subject: String,
    pub person_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A sign-in under way, from the redirect to the provider until its
/// callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoFlow {
    /// SHA-256 (lower-case hex) of the `state` sent to the provider.
    pub state_hash: String,
    pub provider_id: Uuid,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go once signed in (a local path).
    pub next: String,
    /// The invitation being accepted, by the SHA-256 of its link's secret.
    pub invitation_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl SsoFlow {
    /// Whether the callback may still complete it at `now`.
    pub fn usable_at(&self, now: DateTime<Utc>) -> Result<(), Unusable> {
        if self.used_at.is_some() {
            Err(Unusable::Used)
        } else if now >= self.expires_at {
            Err(Unusable::Expired)
        } else {
            Ok(())
        }
    }
}

/// Identity providers, identity links and sign-ins under way.
#[async_trait]
pub trait SsoStore: Send + Sync {
    /// Inserts the provider or replaces the one with its id, with its
    /// domains, in one transaction. `Conflict("organisation_id")` if the
    /// organisation has another provider, `Conflict("domains")` if a domain
    /// belongs to another provider, `Reference("organisation_id")` for an
    /// unknown organisation; nothing is written then.
    async fn save_provider(&self, p: &IdentityProvider) -> StoreResult<()>;

    async fn provider(&self, id: Uuid) -> StoreResult<Option<IdentityProvider>>;

    /// Every provider, by organisation id.
    async fn providers(&self) -> StoreResult<Vec<IdentityProvider>>;

    /// The provider answering for this e-mail domain (lower case), enabled
    /// or not.
    async fn provider_for_domain(&self, domain: &str) -> StoreResult<Option<IdentityProvider>>;

    async fn identity_link(
        &self,
        provider_id: Uuid,
        subject: &str,
    ) -> StoreResult<Option<IdentityLink>>;

    /// Whether the person signs in through a provider (has an identity
    /// link at any).
    async fn has_identity_link(&self, person_id: Uuid) -> StoreResult<bool>;

    /// Links a subject to a person and, if `invitation_hash` is given,
    /// uses that invitation of the person (revoking their other unused
    /// ones), in one transaction. `Ok(Err(_))` if the invitation cannot be
    /// used (nothing is written); `NotFound` if it was never issued to this
    /// person; `Conflict("subject")` if the subject or the person is
    /// already linked at this provider.
    async fn link_identity(
        &self,
        link: &IdentityLink,
        invitation_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Unusable>>;

    /// Keeps a new sign-in under way (and forgets those expired a day
    /// before it began).
    async fn start_flow(&self, f: &SsoFlow) -> StoreResult<()>;

    /// Takes the sign-in under way with this state, at most once: of
    /// several takes exactly one succeeds. `Ok(Err(_))` if it was used or
    /// expired; `NotFound` if it never existed.
    async fn take_flow(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<SsoFlow, Unusable>>;
}
