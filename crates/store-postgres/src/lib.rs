//! The PostgreSQL backend: for networks that run several `thirdplace serve`
//! processes on one database. Owns its SQL and its migrations; nothing here
//! is shared with the SQLite backend but the traits of
//! [`thirdplace_store::Store`] and what both run alike (row mapping, the
//! rows written whole by id, look-ups and transaction steps generic over
//! the database: [`thirdplace_store::sql`]), and the two must behave alike
//! (the contract suite in `thirdplace-store` checks it).
//!
//! Each capability's trait is implemented in a module of its own
//! (`network.rs` has `impl NetworkStore`, …); this file keeps the pool,
//! migrations and the helpers the capabilities share.
//!
//! Where PostgreSQL can tell us more than SQLite, we let it: a broken unique
//! or foreign-key constraint names itself, so the field a caller gets back in
//! [`StoreError::Conflict`] or [`StoreError::Reference`] comes from the
//! constraint's name instead of from extra look-ups inside the transaction.

use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::query::Query;
use sqlx::{PgExecutor, Postgres};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use thirdplace_store::cache::{Cache, POSTGRES_TTL};
use thirdplace_store::sql::{affected, db, rows};
use thirdplace_store::{StoreError, StoreResult};

mod access;
mod bookings;
mod dialect;
mod events;
mod listener;
mod membership;
mod network;
mod outbox;
mod people;
mod privacy;
mod retention;
mod sso;
#[cfg(feature = "testing")]
pub mod testing;
mod throttle;
mod webhooks;

pub mod backup;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    /// Hubs, rooms and booking rules, emptied when any process changes
    /// them (`listener.rs`).
    cache: Arc<Cache>,
    _listener: Arc<listener::Stop>,
}

/// How a process uses its connections (see `docs/operations.md`,
/// "PostgreSQL: pool and statements").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections this process may hold. Requests beyond that wait for one
    /// (at most ten seconds). A statement keeps a core of the database busy,
    /// so more connections than the database has cores (times two, for the
    /// time each spends waiting on the network or the disk) only queue
    /// inside PostgreSQL instead of here.
    pub max_connections: u32,
    /// Prepared statements kept per connection (sqlx parses a statement once
    /// per connection and keeps it under its text).
    pub statement_cache: usize,
}

impl Default for PoolSettings {
    /// Four connections per core of this machine (8 on two cores), at least
    /// 4 and at most 32; 250 statements each.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        PoolSettings {
            max_connections: (4 * cores).clamp(4, 32),
            statement_cache: 250,
        }
    }
}

/// How long a connection may have been idle before it is checked (a round
/// trip) before use; one used more recently is handed out as it is, and a
/// connection that broke meanwhile fails its first statement, which sqlx
/// then closes.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(30);

impl PostgresStore {
    /// Connects to the database at a `postgres:` URL (which must exist) and
    /// applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, PoolSettings::default()).await
    }

    /// [`connect`](Self::connect) with other pool settings.
    pub async fn connect_with(url: &str, settings: PoolSettings) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(db)?
            .statement_cache_capacity(settings.statement_cache);
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            // A full pool should make a request wait a little, not hang.
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection before handing it out: a round
            // trip per store call. Only one idle for a while is checked.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= CHECK_IDLE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(db)?;
        let cache = Arc::new(Cache::new(POSTGRES_TTL, false));
        let store = Self {
            _listener: Arc::new(listener::start(&pool, cache.clone())),
            pool,
            cache,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations. Safe to run from several processes at
    /// once: sqlx's migrator holds a PostgreSQL advisory lock (per database)
    /// while it looks at and applies migrations, so the others wait and then
    /// find nothing left to do.
    pub async fn migrate(&self) -> StoreResult<()> {
        // On a connection of its own, closed afterwards: the advisory lock is
        // held by the session, and a failed run returns without unlocking;
        // a pooled connection would keep the lock and the next `migrate`
        // from any process would wait for ever.
        let options = (*self.pool.connect_options()).clone();
        let own = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(db)?;
        let result = MIGRATOR.run(&own).await;
        own.close().await;
        if let Err(e) = &result {
            tracing::error!(error = %e, "migrations failed");
        }
        result.map_err(db)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Every capability's trait is implemented in its module.
impl thirdplace_store::Store for PostgresStore {}

/// Maps a write error: a broken unique or foreign-key constraint becomes a
/// `Conflict` or `Reference` naming the caller's field, the one-open-check-in
/// index the refusal it stands for.
fn write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        let field = || {
            constraint_field(
                d.table().unwrap_or_default(),
                d.constraint().unwrap_or_default(),
            )
        };
        // One open check-in per person is a rule, not a taken value.
        if d.constraint() == Some("checkins_one_open") {
            return StoreError::Refused(thirdplace_store::Refusal::AlreadyCheckedIn);
        }
        if d.is_unique_violation() {
            return StoreError::Conflict(field());
        }
        if d.is_foreign_key_violation() {
            return StoreError::Reference(field());
        }
    }
    db(e)
}

/// The caller's field for a constraint of the migrations. The role tables'
/// constraints map to the `Person` list their rows come from, a plan's two
/// scope keys to its one `scope_id`, and the partial unique indexes to the
/// rule they keep; every other constraint is named `<table>_<column>_key`
/// (unique), `<table>_<column>_fkey` (foreign key) or `<table>_pkey` (the
/// primary key, `id` but for three).
fn constraint_field(table: &str, constraint: &str) -> String {
    match constraint {
        "hub_hosts_pkey" | "hub_hosts_hub_id_fkey" => return "hosted_hub_ids".into(),
        "organisation_admins_pkey" | "organisation_admins_organisation_id_fkey" => {
            return "admin_of_organisation_ids".into()
        }
        "operator_staff_pkey" | "operator_staff_operator_id_fkey" => {
            return "staff_of_operator_ids".into()
        }
        // The two tables whose key is not called `id`.
        "sessions_pkey" => return "id_hash".into(),
        "meta_pkey" => return "key".into(),
        "member_profiles_pkey" => return "person_id".into(),
        // A plan's region or hub: one field for the caller.
        "plans_scope_region_id_fkey" | "plans_scope_hub_id_fkey" => return "scope_id".into(),
        // One open check-in per person.
        "checkins_one_open" => return "checkin".into(),
        // One current holder per seat.
        "seat_holdings_current" => return "seat_id".into(),
        _ => {}
    }
    let rest = constraint
        .strip_prefix(table)
        .and_then(|r| r.strip_prefix('_'))
        .unwrap_or(constraint);
    if rest == "pkey" {
        return "id".into();
    }
    let column = rest
        .strip_suffix("_fkey")
        .or_else(|| rest.strip_suffix("_key"))
        .unwrap_or(rest);
    if column.is_empty() {
        "value".into()
    } else {
        column.into()
    }
}

/// Lists sort names with `COLLATE "C"` (byte order), as SQLite's default
/// BINARY collation does, so both backends list in the same order whatever
/// locale the PostgreSQL cluster was created with; the id (UUIDv7, so
/// creation order) breaks ties.
const BY_NAME: &str = r#"ORDER BY name COLLATE "C", id"#;

/// How a write of one row by its key ends: `NotFound` when it changed no
/// row, an error as `err` maps it (the caller says which constraints it
/// can break).
pub(crate) trait WriteOne {
    async fn write_one<'c>(
        self,
        e: impl PgExecutor<'c>,
        err: fn(sqlx::Error) -> StoreError,
    ) -> StoreResult<()>;
}

impl WriteOne for Query<'_, Postgres, PgArguments> {
    async fn write_one<'c>(
        self,
        e: impl PgExecutor<'c>,
        err: fn(sqlx::Error) -> StoreError,
    ) -> StoreResult<()> {
        affected(self.execute(e).await.map_err(err)?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::constraint_field;

    #[test]
    fn constraints_name_the_callers_field() {
        let cases = [
            ("regions", "regions_code_key", "code"),
            ("municipalities", "municipalities_code_key", "code"),
            (
                "municipalities",
                "municipalities_region_id_fkey",
                "region_id",
            ),
            ("hubs", "hubs_municipality_id_fkey", "municipality_id"),
            ("hubs", "hubs_operator_id_fkey", "operator_id"),
            ("zones", "zones_hub_id_fkey", "hub_id"),
            ("rooms", "rooms_hub_id_fkey", "hub_id"),
            (
                "organisations",
                "organisations_org_number_key",
                "org_number",
            ),
            ("people", "people_email_key", "email"),
            ("people", "people_organisation_id_fkey", "organisation_id"),
            ("people", "people_pkey", "id"),
            ("hub_hosts", "hub_hosts_hub_id_fkey", "hosted_hub_ids"),
            ("hub_hosts", "hub_hosts_pkey", "hosted_hub_ids"),
            (
                "organisation_admins",
                "organisation_admins_organisation_id_fkey",
                "admin_of_organisation_ids",
            ),
            (
                "organisation_admins",
                "organisation_admins_pkey",
                "admin_of_organisation_ids",
            ),
            (
                "operator_staff",
                "operator_staff_operator_id_fkey",
                "staff_of_operator_ids",
            ),
            (
                "operator_staff",
                "operator_staff_pkey",
                "staff_of_operator_ids",
            ),
            ("sessions", "sessions_pkey", "id_hash"),
            ("meta", "meta_pkey", "key"),
            ("sessions", "sessions_person_id_fkey", "person_id"),
            ("api_tokens", "api_tokens_token_hash_key", "token_hash"),
            ("api_tokens", "api_tokens_person_id_fkey", "person_id"),
            ("plans", "plans_scope_region_id_fkey", "scope_id"),
            ("plans", "plans_scope_hub_id_fkey", "scope_id"),
            ("plans", "plans_pkey", "id"),
            ("seats", "seats_plan_id_fkey", "plan_id"),
            ("seats", "seats_organisation_id_fkey", "organisation_id"),
            ("seat_holdings", "seat_holdings_person_id_fkey", "person_id"),
            ("seat_holdings", "seat_holdings_seat_id_fkey", "seat_id"),
            ("seat_holdings", "seat_holdings_current", "seat_id"),
            ("member_profiles", "member_profiles_pkey", "person_id"),
            (
                "member_profiles",
                "member_profiles_person_id_fkey",
                "person_id",
            ),
            ("checkins", "checkins_one_open", "checkin"),
            ("checkins", "checkins_person_id_fkey", "person_id"),
            ("checkins", "checkins_hub_id_fkey", "hub_id"),
            ("checkins", "checkins_seat_id_fkey", "seat_id"),
            (
                "guest_visits",
                "guest_visits_host_checkin_id_fkey",
                "host_checkin_id",
            ),
            (
                "guest_visits",
                "guest_visits_organisation_id_fkey",
                "organisation_id",
            ),
            (
                "webhook_deliveries",
                "webhook_deliveries_webhook_id_fkey",
                "webhook_id",
            ),
        ];
        for (table, constraint, field) in cases {
            assert_eq!(constraint_field(table, constraint), field, "{constraint}");
        }
    }

    #[test]
    fn unknown_constraints_still_name_something() {
        assert_eq!(constraint_field("", ""), "value");
        assert_eq!(
            constraint_field("other", "some_custom_check"),
            "some_custom_check"
        );
    }
}
