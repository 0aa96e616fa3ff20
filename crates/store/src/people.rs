//! Organisations and people, and how people sign in: password hashes,
//! browser sessions, counted login failures and personal API tokens.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::{Organisation, Person};
use uuid::Uuid;

/// A signed-in browser session. Only a hash of the cookie's secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub person_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What a new session records of the browser that started it, beyond
/// [`Session`]: the public id that names it in URLs (the secret's hash
/// never leaves the server) and the browser's user agent, already
/// shortened by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDevice {
    pub public_id: Uuid,
    pub user_agent: String,
}

/// One of a person's active sessions, as their list of sessions shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub public_id: Uuid,
    /// To mark the session of the asking browser; never shown.
    pub id_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Written at most once a minute ([`PeopleStore::touch_session`]).
    pub last_used_at: Option<DateTime<Utc>>,
    pub user_agent: String,
    /// The address it was last used from, as the app saw it.
    pub source: Option<String>,
}

/// The person behind a session with what the hot path needs besides:
/// when the session was last marked used (to write that at most once a
/// minute) and the person's chosen language.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUse {
    pub person: Person,
    pub last_used_at: Option<DateTime<Utc>>,
    pub language: Option<String>,
}

/// The person behind an API token, which token, and when it was last
/// marked used.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenUse {
    pub person: Person,
    pub token_id: Uuid,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// When and from where an API token was last used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenSeen {
    pub token_id: Uuid,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_source: Option<String>,
}

/// A personal access token for the API. Only a hash of the secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Which people to list, a page at a time, by first name, last name, then
/// id (bytewise, alike in both backends).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleFilter {
    /// People of these organisations (`None`: of any or none)…
    pub organisation_ids: Option<Vec<Uuid>>,
    /// …and, with `organisation_ids`, this person too, whatever their
    /// organisation.
    pub or_person: Option<Uuid>,
    pub include_archived: bool,
    /// People listed after this `(first_name, last_name, id)`: the last of
    /// the previous page (keyset paging, no offset).
    pub after: Option<(String, String, Uuid)>,
    pub limit: i64,
}

/// Organisations, people and their ways in (passwords, sessions, login
/// failures, API tokens).
#[async_trait]
pub trait PeopleStore: Send + Sync {
    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>>;

    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation>;

    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()>;

    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()>;

    /// People, optionally only those of one organisation, by first then last name.
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>>;

    /// A page of people ([`PeopleFilter`]).
    async fn list_people_page(&self, f: &PeopleFilter) -> StoreResult<Vec<Person>>;

    async fn get_person(&self, id: Uuid) -> StoreResult<Person>;

    /// By e-mail address (already lower-cased by the domain).
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>>;

    /// Inserts the person and their roles in one transaction.
    async fn insert_person(&self, p: &Person) -> StoreResult<()>;

    /// Replaces the person and their roles in one transaction.
    async fn update_person(&self, p: &Person) -> StoreResult<()>;

    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>>;

    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()>;

    /// A session with a fresh public id and no user agent
    /// ([`PeopleStore::insert_session_on`] says which browser).
    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        let device = SessionDevice {
            public_id: thirdplace_domain::new_id(),
            user_agent: String::new(),
        };
        self.insert_session_on(s, &device).await
    }

    async fn insert_session_on(&self, s: &Session, device: &SessionDevice) -> StoreResult<()>;

    /// [`PeopleStore::session_person`] with when the session was last
    /// marked used and the person's language, in the same one query: what
    /// every signed-in request asks.
    async fn session_use(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<SessionUse>>;

    /// Marks the session used at `at` from `source`, unless a later use is
    /// already recorded. Callers write this at most once a minute.
    async fn touch_session(
        &self,
        id_hash: &str,
        at: DateTime<Utc>,
        source: Option<&str>,
    ) -> StoreResult<()>;

    /// The person's unexpired sessions, the most recently used first.
    async fn list_sessions(
        &self,
        person_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SessionInfo>>;

    /// Ends one of the person's sessions by its public id; `NotFound` if
    /// there is no such session of theirs.
    async fn delete_session_by_id(&self, person_id: Uuid, public_id: Uuid) -> StoreResult<()>;

    /// The active (unexpired, not archived) person behind a session.
    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>>;

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    /// Signs a person out everywhere except, optionally, one session.
    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()>;

    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()>;

    /// A person's tokens, newest first, revoked ones included.
    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>>;

    /// Revokes one of the person's tokens; `NotFound` if it is not theirs.
    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The active person behind an unrevoked token.
    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>>;

    /// [`PeopleStore::token_person`] with the token's id and when it was
    /// last marked used, in one query.
    async fn token_use(&self, token_hash: &str) -> StoreResult<Option<TokenUse>>;

    /// Marks the token used at `at` from `source`, unless a later use is
    /// already recorded. Callers write this at most once a minute.
    async fn touch_api_token(
        &self,
        token_id: Uuid,
        at: DateTime<Utc>,
        source: Option<&str>,
    ) -> StoreResult<()>;

    /// When and where each of the person's tokens was last used.
    async fn api_tokens_seen(&self, person_id: Uuid) -> StoreResult<Vec<ApiTokenSeen>>;

    /// The language the person chose (`"sv"`, `"en"`), if any;
    /// `NotFound` if there is no such person.
    async fn person_language(&self, person_id: Uuid) -> StoreResult<Option<String>>;

    /// Keeps (or, `None`, forgets) the person's chosen language.
    async fn set_person_language(&self, person_id: Uuid, language: Option<&str>)
        -> StoreResult<()>;
}
