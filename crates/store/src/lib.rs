//! The storage boundary of thirdplace: one trait, [`Store`], that both the
//! embedded SQLite backend and the PostgreSQL backend implement, the typed
//! [`StoreError`], and (behind the `testing` feature) the contract suite
//! that every backend runs in its own tests.
//!
//! This crate holds no SQL. Backends keep their SQL and migrations to
//! themselves; nothing above this crate knows which backend it talks to.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::{Hub, Municipality, Operator, Organisation, Person, Region, Room, Zone};
use uuid::Uuid;

#[cfg(feature = "testing")]
pub mod contract;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the string names the field
    /// (`email`, `org_number`, `code`, …).
    #[error("{0} is already taken")]
    Conflict(String),
    /// A reference to something that does not exist; names the field.
    #[error("{0} refers to something that does not exist")]
    Reference(String),
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A hub with the names a listing shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct HubListing {
    pub hub: Hub,
    pub municipality_name: String,
    pub central_town: String,
    pub region_id: Uuid,
    pub region_name: String,
    pub operator_name: String,
}

/// A signed-in browser session. Only a hash of the cookie's secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub person_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
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

/// Everything thirdplace keeps. Methods take and return domain types;
/// `insert_*` fails with `Conflict` on a taken unique value and `update_*`
/// with `NotFound` when the id is unknown. Archiving is an update
/// (`archived = true`): nothing that others refer to is ever deleted.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend_name(&self) -> &'static str;
    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;

    async fn list_regions(&self) -> StoreResult<Vec<Region>>;
    async fn get_region(&self, id: Uuid) -> StoreResult<Region>;
    async fn insert_region(&self, r: &Region) -> StoreResult<()>;
    async fn update_region(&self, r: &Region) -> StoreResult<()>;

    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>>;
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality>;
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()>;
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()>;

    async fn list_operators(&self) -> StoreResult<Vec<Operator>>;
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator>;
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()>;
    async fn update_operator(&self, o: &Operator) -> StoreResult<()>;

    /// All hubs, archived ones included, ordered by name.
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>>;
    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing>;
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()>;
    async fn update_hub(&self, h: &Hub) -> StoreResult<()>;

    /// A hub's zones, archived included, ordered by name.
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>>;
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone>;
    async fn insert_zone(&self, z: &Zone) -> StoreResult<()>;
    async fn update_zone(&self, z: &Zone) -> StoreResult<()>;

    /// A hub's rooms, archived included, ordered by name.
    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>>;
    async fn get_room(&self, id: Uuid) -> StoreResult<Room>;
    async fn insert_room(&self, r: &Room) -> StoreResult<()>;
    async fn update_room(&self, r: &Room) -> StoreResult<()>;

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>>;
    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation>;
    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()>;
    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()>;

    /// People, optionally only those of one organisation, by first then last name.
    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>>;
    async fn get_person(&self, id: Uuid) -> StoreResult<Person>;
    /// By e-mail address (already lower-cased by the domain).
    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>>;
    /// Inserts the person and their roles in one transaction.
    async fn insert_person(&self, p: &Person) -> StoreResult<()>;
    /// Replaces the person and their roles in one transaction.
    async fn update_person(&self, p: &Person) -> StoreResult<()>;

    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>>;
    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()>;

    async fn insert_session(&self, s: &Session) -> StoreResult<()>;
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

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn count_login_failures(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64>;
    async fn clear_login_failures(&self, email: &str) -> StoreResult<()>;

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
}
