//! The embedded SQLite backend: thirdplace's default, one file next to the
//! binary, WAL mode. Owns its SQL and its migrations; nothing here is shared
//! with the PostgreSQL backend but the [`Store`] trait.

mod bookings;
mod events;
mod hub_cache;
mod membership;
mod privacy;
mod readers;
mod writer;

/// Runs `$body` (which may use the connection `$conn` and must own what it
/// uses) as a job of the store's writer, in its write transaction.
macro_rules! write {
    ($self:ident, |$conn:ident| $body:expr) => {
        $self
            .writer
            .write(move |$conn| Box::pin(async move { $body }))
            .await
    };
}

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::Row;
use std::str::FromStr;
use std::time::Duration;
use thirdplace_domain::booking::{Booking, BookingRules};
use thirdplace_domain::event::{Event, EventSummary, Invitation, Registration};
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, GuestVisit, HeldSeat, Plan, PresentPerson, Profile, Seat, SeatHolding,
    Webhook, WebhookDelivery,
};
use thirdplace_domain::{
    Hub, Municipality, OpeningHours, Operator, OrgKind, Organisation, Person, Region, Room,
    RoomKind, Zone,
};
use thirdplace_store::{
    ApiToken, BookingFilter, BookingView, Cancellation, ClaimedDelivery, Erased, Erasure,
    EventChange, EventFilter, EventListing, EventNotices, HubListing, IncludedCap, OutboundEvent,
    OutgoingEmail, RegistrationCancelled, RegistrationView, SeatView, Session, Store, StoreError,
    StoreResult,
};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One connection, on a thread of its own, for every write transaction.
    /// SQLite has one writer at a time anyway; queueing writers here (in
    /// order) instead of letting each one find the database locked and
    /// sleep in SQLite's busy handler keeps write latency even under load,
    /// a read-then-write transaction can never fail on a lock upgrade, and
    /// writes that queue up are committed together (see `writer.rs`).
    writer: writer::Writer,
    hubs: std::sync::Arc<hub_cache::HubCache>,
    /// The connections for reads (see `readers.rs`); `pool` is for
    /// migrations and the few writes outside the writer.
    readers: std::sync::Arc<readers::Readers>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite:` URL, in WAL
    /// mode with foreign keys on, and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, SqliteSynchronous::Full).await
    }

    /// [`connect`](Self::connect) with another `synchronous` setting. FULL
    /// (the default) makes every acknowledged write survive a power cut;
    /// NORMAL makes commits cheaper, and in WAL mode still survives a crash
    /// of the process, but a power cut may lose the last commits.
    pub async fn connect_with(url: &str, synchronous: SqliteSynchronous) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // No ping before each use: these are in-process connections to a
        // file, and the ping is a thread round trip per query.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        let readers = readers::Readers::open(&options, 4).await?;
        let writer = writer::Writer::start(options).await?;
        let store = Self {
            pool,
            writer,
            hubs: std::sync::Arc::new(hub_cache::HubCache::new(hub_cache::TTL)),
            readers: std::sync::Arc::new(readers),
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(db)
    }

    /// The read pool (writes go through the store's writer).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Passes a write's outcome on, after forgetting the cached hubs (it
    /// may have changed what a hub listing shows).
    fn hubs_changed<T>(&self, written: StoreResult<T>) -> StoreResult<T> {
        self.hubs.clear();
        written
    }

    /// How many write transactions the writer has run, and for how many
    /// writes: their ratio is the mean group-commit batch (benchmarks).
    pub fn write_counts(&self) -> (u64, u64) {
        self.writer.counts()
    }
}

fn db(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// Maps a write error: a broken unique constraint names its column in
/// SQLite's message ("UNIQUE constraint failed: people.email").
fn write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            let field = d
                .message()
                .rsplit('.')
                .next()
                .unwrap_or("value")
                .to_string();
            return StoreError::Conflict(field);
        }
        if d.is_foreign_key_violation() {
            return StoreError::Reference("reference".into());
        }
    }
    db(e)
}

fn one<T>(rows: Vec<T>) -> StoreResult<T> {
    rows.into_iter().next().ok_or(StoreError::NotFound)
}

fn affected(n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// SQLite's foreign-key error does not say which key; we check inside the
/// writing transaction so the caller learns which field is wrong.
async fn must_exist(
    conn: &mut SqliteConnection,
    table: &str,
    id: Uuid,
    field: &str,
) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Reference(field.to_string())),
    }
}

fn region(r: &SqliteRow) -> Result<Region, sqlx::Error> {
    Ok(Region {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        archived: r.try_get("archived")?,
    })
}

fn municipality(r: &SqliteRow) -> Result<Municipality, sqlx::Error> {
    Ok(Municipality {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        central_town: r.try_get("central_town")?,
        archived: r.try_get("archived")?,
    })
}

fn operator(r: &SqliteRow) -> Result<Operator, sqlx::Error> {
    Ok(Operator {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        org_number: r.try_get("org_number")?,
        contact_email: r.try_get("contact_email")?,
        archived: r.try_get("archived")?,
    })
}

fn decode<T>(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    let _ = std::marker::PhantomData::<T>;
    sqlx::Error::Decode(format!("{what}: {e}").into())
}

fn hub_listing(r: &SqliteRow) -> Result<HubListing, sqlx::Error> {
    let hours: String = r.try_get("opening_hours")?;
    let opening_hours: OpeningHours =
        serde_json::from_str(&hours).map_err(|e| decode::<OpeningHours>("opening_hours", e))?;
    Ok(HubListing {
        hub: Hub {
            id: r.try_get("id")?,
            municipality_id: r.try_get("municipality_id")?,
            operator_id: r.try_get("operator_id")?,
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            street_address: r.try_get("street_address")?,
            postal_code: r.try_get("postal_code")?,
            city: r.try_get("city")?,
            latitude: r.try_get("latitude")?,
            longitude: r.try_get("longitude")?,
            in_central_town: r.try_get("in_central_town")?,
            opening_hours,
            archived: r.try_get("archived")?,
        },
        municipality_name: r.try_get("municipality_name")?,
        central_town: r.try_get("central_town")?,
        region_id: r.try_get("region_id")?,
        region_name: r.try_get("region_name")?,
        operator_name: r.try_get("operator_name")?,
    })
}

const HUB_LISTING: &str = "SELECT h.*, m.name AS municipality_name, m.central_town, m.region_id, \
     r.name AS region_name, o.name AS operator_name \
     FROM hubs h JOIN municipalities m ON m.id = h.municipality_id \
     JOIN regions r ON r.id = m.region_id JOIN operators o ON o.id = h.operator_id";

fn zone(r: &SqliteRow) -> Result<Zone, sqlx::Error> {
    Ok(Zone {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        name: r.try_get("name")?,
        purpose: r.try_get("purpose")?,
        capacity: r.try_get("capacity")?,
        archived: r.try_get("archived")?,
    })
}

fn room(r: &SqliteRow) -> Result<Room, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Room {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        name: r.try_get("name")?,
        kind: RoomKind::parse(&kind).map_err(|e| decode::<RoomKind>("kind", e.message))?,
        capacity: r.try_get("capacity")?,
        hourly_price_ore: r.try_get("hourly_price_ore")?,
        vat_rate_percent: r.try_get::<i64, _>("vat_rate_percent")? as u8,
        archived: r.try_get("archived")?,
    })
}

fn organisation(r: &SqliteRow) -> Result<Organisation, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Organisation {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        org_number: r.try_get("org_number")?,
        kind: OrgKind::parse(&kind).map_err(|e| decode::<OrgKind>("kind", e.message))?,
        archived: r.try_get("archived")?,
    })
}

/// People with their roles; the role lists come as comma-separated hex from
/// correlated subqueries so one query loads a whole list.
const PERSON: &str = "SELECT p.*, \
     (SELECT group_concat(hex(hub_id)) FROM hub_hosts WHERE person_id = p.id) AS hub_ids, \
     (SELECT group_concat(hex(organisation_id)) FROM organisation_admins WHERE person_id = p.id) AS org_ids \
     FROM people p";

fn id_list(s: Option<String>) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut ids = s
        .unwrap_or_default()
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| Uuid::parse_str(x).map_err(|e| decode::<Uuid>("role id", e)))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort();
    Ok(ids)
}

fn person(r: &SqliteRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.try_get("id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: r.try_get("email")?,
        organisation_id: r.try_get("organisation_id")?,
        is_network_admin: r.try_get("is_network_admin")?,
        hosted_hub_ids: id_list(r.try_get("hub_ids")?)?,
        admin_of_organisation_ids: id_list(r.try_get("org_ids")?)?,
        archived: r.try_get("archived")?,
    })
}

fn api_token(r: &SqliteRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        name: r.try_get("name")?,
        token_hash: r.try_get("token_hash")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl SqliteStore {
    async fn fetch<T>(
        &self,
        sql: &str,
        id: Option<Uuid>,
        map: fn(&SqliteRow) -> Result<T, sqlx::Error>,
    ) -> StoreResult<Vec<T>> {
        let mut q = sqlx::query(sql);
        if let Some(id) = id {
            q = q.bind(id);
        }
        let rows = q
            .fetch_all(&mut *self.readers.get().await)
            .await
            .map_err(db)?;
        rows.iter().map(map).collect::<Result<_, _>>().map_err(db)
    }

    async fn write_person(
        conn: &mut SqliteConnection,
        p: &Person,
        insert: bool,
    ) -> StoreResult<()> {
        if let Some(org) = p.organisation_id {
            must_exist(conn, "organisations", org, "organisation_id").await?;
        }
        for h in &p.hosted_hub_ids {
            must_exist(conn, "hubs", *h, "hosted_hub_ids").await?;
        }
        for o in &p.admin_of_organisation_ids {
            must_exist(conn, "organisations", *o, "admin_of_organisation_ids").await?;
        }
        let sql = if insert {
            "INSERT INTO people (first_name, last_name, email, organisation_id, is_network_admin, archived, id) VALUES (?, ?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE people SET first_name = ?, last_name = ?, email = ?, organisation_id = ?, is_network_admin = ?, archived = ? WHERE id = ?"
        };
        let n = sqlx::query(sql)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.email)
            .bind(p.organisation_id)
            .bind(p.is_network_admin)
            .bind(p.archived)
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)?;
        sqlx::query("DELETE FROM hub_hosts WHERE person_id = ?")
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM organisation_admins WHERE person_id = ?")
            .bind(p.id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        for h in &p.hosted_hub_ids {
            sqlx::query("INSERT INTO hub_hosts (person_id, hub_id) VALUES (?, ?)")
                .bind(p.id)
                .bind(h)
                .execute(&mut *conn)
                .await
                .map_err(write_err)?;
        }
        for o in &p.admin_of_organisation_ids {
            sqlx::query(
                "INSERT INTO organisation_admins (person_id, organisation_id) VALUES (?, ?)",
            )
            .bind(p.id)
            .bind(o)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?;
        }
        Ok(())
    }

    async fn write_hub(conn: &mut SqliteConnection, h: &Hub, insert: bool) -> StoreResult<()> {
        must_exist(conn, "municipalities", h.municipality_id, "municipality_id").await?;
        must_exist(conn, "operators", h.operator_id, "operator_id").await?;
        let hours = serde_json::to_string(&h.opening_hours).map_err(db)?;
        let sql = if insert {
            "INSERT INTO hubs (municipality_id, operator_id, name, description, street_address, postal_code, city, latitude, longitude, in_central_town, opening_hours, archived, id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE hubs SET municipality_id = ?, operator_id = ?, name = ?, description = ?, street_address = ?, postal_code = ?, city = ?, \
             latitude = ?, longitude = ?, in_central_town = ?, opening_hours = ?, archived = ? WHERE id = ?"
        };
        let n = sqlx::query(sql)
            .bind(h.municipality_id)
            .bind(h.operator_id)
            .bind(&h.name)
            .bind(&h.description)
            .bind(&h.street_address)
            .bind(&h.postal_code)
            .bind(&h.city)
            .bind(h.latitude)
            .bind(h.longitude)
            .bind(h.in_central_town)
            .bind(hours)
            .bind(h.archived)
            .bind(h.id)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)?;
        Ok(())
    }

    async fn write_municipality(
        conn: &mut SqliteConnection,
        m: &Municipality,
        insert: bool,
    ) -> StoreResult<()> {
        must_exist(conn, "regions", m.region_id, "region_id").await?;
        let sql = if insert {
            "INSERT INTO municipalities (region_id, name, code, central_town, archived, id) VALUES (?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE municipalities SET region_id = ?, name = ?, code = ?, central_town = ?, archived = ? WHERE id = ?"
        };
        let n = sqlx::query(sql)
            .bind(m.region_id)
            .bind(&m.name)
            .bind(&m.code)
            .bind(&m.central_town)
            .bind(m.archived)
            .bind(m.id)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)?;
        Ok(())
    }

    async fn write_zone(conn: &mut SqliteConnection, z: &Zone, insert: bool) -> StoreResult<()> {
        must_exist(conn, "hubs", z.hub_id, "hub_id").await?;
        let sql = if insert {
            "INSERT INTO zones (hub_id, name, purpose, capacity, archived, id) VALUES (?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE zones SET hub_id = ?, name = ?, purpose = ?, capacity = ?, archived = ? WHERE id = ?"
        };
        let n = sqlx::query(sql)
            .bind(z.hub_id)
            .bind(&z.name)
            .bind(&z.purpose)
            .bind(z.capacity)
            .bind(z.archived)
            .bind(z.id)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)?;
        Ok(())
    }

    async fn write_room(conn: &mut SqliteConnection, r: &Room, insert: bool) -> StoreResult<()> {
        must_exist(conn, "hubs", r.hub_id, "hub_id").await?;
        let sql = if insert {
            "INSERT INTO rooms (hub_id, name, kind, capacity, hourly_price_ore, vat_rate_percent, archived, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE rooms SET hub_id = ?, name = ?, kind = ?, capacity = ?, hourly_price_ore = ?, vat_rate_percent = ?, archived = ? WHERE id = ?"
        };
        let n = sqlx::query(sql)
            .bind(r.hub_id)
            .bind(&r.name)
            .bind(r.kind.key())
            .bind(r.capacity)
            .bind(r.hourly_price_ore)
            .bind(i64::from(r.vat_rate_percent))
            .bind(r.archived)
            .bind(r.id)
            .execute(&mut *conn)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)?;
        Ok(())
    }

    async fn write_simple(&self, sql: &str, binds: Vec<Bind<'_>>) -> StoreResult<()> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::OptText(s) => q.bind(s),
                Bind::Bool(v) => q.bind(v),
                Bind::Id(v) => q.bind(v),
            };
        }
        let n = q
            .execute(&self.pool)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)
    }
}

/// Values for the single-table writes, so they share one code path.
enum Bind<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
    Id(Uuid),
}

#[async_trait]
impl Store for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&mut *self.readers.get().await)
            .await
            .map_err(db)
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        self.fetch("SELECT * FROM regions ORDER BY name", None, region)
            .await
    }

    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        one(self
            .fetch("SELECT * FROM regions WHERE id = ?", Some(id), region)
            .await?)
    }

    async fn insert_region(&self, r: &Region) -> StoreResult<()> {
        self.hubs_changed(
            self.write_simple(
                "INSERT INTO regions (name, code, archived, id) VALUES (?, ?, ?, ?)",
                vec![
                    Bind::Text(&r.name),
                    Bind::Text(&r.code),
                    Bind::Bool(r.archived),
                    Bind::Id(r.id),
                ],
            )
            .await,
        )
    }

    async fn update_region(&self, r: &Region) -> StoreResult<()> {
        self.hubs_changed(
            self.write_simple(
                "UPDATE regions SET name = ?, code = ?, archived = ? WHERE id = ?",
                vec![
                    Bind::Text(&r.name),
                    Bind::Text(&r.code),
                    Bind::Bool(r.archived),
                    Bind::Id(r.id),
                ],
            )
            .await,
        )
    }

    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        self.fetch(
            "SELECT * FROM municipalities ORDER BY name",
            None,
            municipality,
        )
        .await
    }

    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        one(self
            .fetch(
                "SELECT * FROM municipalities WHERE id = ?",
                Some(id),
                municipality,
            )
            .await?)
    }

    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        let m = m.clone();
        self.hubs_changed(write!(self, |conn| Self::write_municipality(
            conn, &m, true
        )
        .await))
    }

    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        let m = m.clone();
        self.hubs_changed(write!(self, |conn| Self::write_municipality(
            conn, &m, false
        )
        .await))
    }

    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        self.fetch("SELECT * FROM operators ORDER BY name", None, operator)
            .await
    }

    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        one(self
            .fetch("SELECT * FROM operators WHERE id = ?", Some(id), operator)
            .await?)
    }

    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        self.hubs_changed(self.write_simple(
            "INSERT INTO operators (name, org_number, contact_email, archived, id) VALUES (?, ?, ?, ?, ?)",
            vec![Bind::Text(&o.name), Bind::OptText(o.org_number.as_deref()), Bind::OptText(o.contact_email.as_deref()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await)
    }

    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        self.hubs_changed(self.write_simple(
            "UPDATE operators SET name = ?, org_number = ?, contact_email = ?, archived = ? WHERE id = ?",
            vec![Bind::Text(&o.name), Bind::OptText(o.org_number.as_deref()), Bind::OptText(o.contact_email.as_deref()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await)
    }

    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        self.fetch(&format!("{HUB_LISTING} ORDER BY h.name"), None, hub_listing)
            .await
    }

    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing> {
        let ticket = match self.hubs.get(id) {
            Ok(hub) => return Ok(hub),
            Err(ticket) => ticket,
        };
        let hub = one(self
            .fetch(
                &format!("{HUB_LISTING} WHERE h.id = ?"),
                Some(id),
                hub_listing,
            )
            .await?)?;
        self.hubs.put(ticket, &hub);
        Ok(hub)
    }

    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        let h = h.clone();
        self.hubs_changed(write!(self, |conn| Self::write_hub(conn, &h, true).await))
    }

    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        let h = h.clone();
        self.hubs_changed(write!(self, |conn| Self::write_hub(conn, &h, false).await))
    }

    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        self.fetch(
            "SELECT * FROM zones WHERE hub_id = ? ORDER BY name",
            Some(hub_id),
            zone,
        )
        .await
    }

    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        one(self
            .fetch("SELECT * FROM zones WHERE id = ?", Some(id), zone)
            .await?)
    }

    async fn insert_zone(&self, z: &Zone) -> StoreResult<()> {
        let z = z.clone();
        write!(self, |conn| Self::write_zone(conn, &z, true).await)
    }

    async fn update_zone(&self, z: &Zone) -> StoreResult<()> {
        let z = z.clone();
        write!(self, |conn| Self::write_zone(conn, &z, false).await)
    }

    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>> {
        self.fetch(
            "SELECT * FROM rooms WHERE hub_id = ? ORDER BY name",
            Some(hub_id),
            room,
        )
        .await
    }

    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        one(self
            .fetch("SELECT * FROM rooms WHERE id = ?", Some(id), room)
            .await?)
    }

    async fn insert_room(&self, r: &Room) -> StoreResult<()> {
        let r = r.clone();
        write!(self, |conn| Self::write_room(conn, &r, true).await)
    }

    async fn update_room(&self, r: &Room) -> StoreResult<()> {
        let r = r.clone();
        write!(self, |conn| Self::write_room(conn, &r, false).await)
    }

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        self.fetch(
            "SELECT * FROM organisations ORDER BY name",
            None,
            organisation,
        )
        .await
    }

    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        one(self
            .fetch(
                "SELECT * FROM organisations WHERE id = ?",
                Some(id),
                organisation,
            )
            .await?)
    }

    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO organisations (name, org_number, kind, archived, id) VALUES (?, ?, ?, ?, ?)",
            vec![Bind::Text(&o.name), Bind::Text(&o.org_number), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "UPDATE organisations SET name = ?, org_number = ?, kind = ?, archived = ? WHERE id = ?",
            vec![Bind::Text(&o.name), Bind::Text(&o.org_number), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        match organisation_id {
            Some(org) => {
                self.fetch(
                    &format!(
                        "{PERSON} WHERE p.organisation_id = ? ORDER BY p.first_name, p.last_name"
                    ),
                    Some(org),
                    person,
                )
                .await
            }
            None => {
                self.fetch(
                    &format!("{PERSON} ORDER BY p.first_name, p.last_name"),
                    None,
                    person,
                )
                .await
            }
        }
    }

    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        one(self
            .fetch(&format!("{PERSON} WHERE p.id = ?"), Some(id), person)
            .await?)
    }

    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        let row = sqlx::query(&format!("{PERSON} WHERE p.email = ?"))
            .bind(email)
            .fetch_optional(&mut *self.readers.get().await)
            .await
            .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    async fn insert_person(&self, p: &Person) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| Self::write_person(conn, &p, true).await)
    }

    async fn update_person(&self, p: &Person) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| Self::write_person(conn, &p, false).await)
    }

    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM people WHERE id = ?")
                .bind(person_id)
                .fetch_optional(&mut *self.readers.get().await)
                .await
                .map_err(db)?;
        row.ok_or(StoreError::NotFound)
    }

    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        self.write_simple(
            "UPDATE people SET password_hash = ? WHERE id = ?",
            vec![Bind::Text(hash), Bind::Id(person_id)],
        )
        .await
    }

    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&s.id_hash)
        .bind(s.person_id)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await
        .map_err(write_err)
        .map(|_| ())
    }

    async fn session_person(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Person>> {
        let row = sqlx::query(&format!(
            "{PERSON} JOIN sessions s ON s.person_id = p.id WHERE s.id_hash = ? AND s.expires_at > ? AND p.archived = 0"
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&mut *self.readers.get().await)
        .await
        .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn delete_sessions_of(
        &self,
        person_id: Uuid,
        except_id_hash: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE person_id = ? AND id_hash IS NOT ?")
            .bind(person_id)
            .bind(except_id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (email, at) VALUES (?, ?)")
            .bind(email)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn count_login_failures(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE email = ? AND at >= ?")
            .bind(email)
            .bind(since)
            .fetch_one(&mut *self.readers.get().await)
            .await
            .map_err(db)
    }

    async fn clear_login_failures(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = ?")
            .bind(email)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(t.id)
            .bind(t.person_id)
            .bind(&t.name)
            .bind(&t.token_hash)
            .bind(t.created_at)
            .bind(t.revoked_at)
            .execute(&self.pool)
            .await
            .map_err(write_err)
            .map(|_| ())
    }

    async fn list_api_tokens(&self, person_id: Uuid) -> StoreResult<Vec<ApiToken>> {
        self.fetch(
            "SELECT * FROM api_tokens WHERE person_id = ? ORDER BY created_at DESC, id DESC",
            Some(person_id),
            api_token,
        )
        .await
    }

    async fn revoke_api_token(
        &self,
        person_id: Uuid,
        token_id: Uuid,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND person_id = ?")
            .bind(at)
            .bind(token_id)
            .bind(person_id)
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected();
        affected(n)
    }

    async fn token_person(&self, token_hash: &str) -> StoreResult<Option<Person>> {
        let row = sqlx::query(&format!(
            "{PERSON} JOIN api_tokens t ON t.person_id = p.id WHERE t.token_hash = ? AND t.revoked_at IS NULL AND p.archived = 0"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *self.readers.get().await)
        .await
        .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        let (key, value) = (key.to_owned(), value.to_owned());
        write!(self, |conn| membership::meta_get_or_insert(
            conn, &key, &value
        )
        .await)
    }

    async fn list_plans(&self) -> StoreResult<Vec<Plan>> {
        membership::list_plans(&mut *self.readers.get().await).await
    }

    async fn get_plan(&self, id: Uuid) -> StoreResult<Plan> {
        membership::get_plan(&mut *self.readers.get().await, id).await
    }

    async fn insert_plan(&self, p: &Plan) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| membership::write_plan(conn, &p, true).await)
    }

    async fn update_plan(&self, p: &Plan) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| membership::write_plan(conn, &p, false).await)
    }

    async fn insert_seats(&self, seats: &[Seat]) -> StoreResult<()> {
        let seats = seats.to_vec();
        write!(self, |conn| membership::insert_seats(conn, &seats).await)
    }

    async fn get_seat(&self, id: Uuid) -> StoreResult<SeatView> {
        membership::get_seat(&mut *self.readers.get().await, id).await
    }

    async fn list_seats(&self, organisation_id: Uuid) -> StoreResult<Vec<SeatView>> {
        membership::list_seats(&mut *self.readers.get().await, organisation_id).await
    }

    async fn seat_history(&self, seat_id: Uuid) -> StoreResult<Vec<SeatHolding>> {
        membership::seat_history(&mut *self.readers.get().await, seat_id).await
    }

    async fn assign_seat(
        &self,
        seat_id: Uuid,
        holder: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        write!(self, |conn| membership::assign_seat(
            conn, seat_id, holder, at
        )
        .await)
    }

    async fn set_seat_end(&self, seat_id: Uuid, end_date: Option<NaiveDate>) -> StoreResult<()> {
        write!(self, |conn| membership::set_seat_end(
            conn, seat_id, end_date
        )
        .await)
    }

    async fn held_seats(&self, person_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<HeldSeat>> {
        membership::held_seats(&mut *self.readers.get().await, person_id, at).await
    }

    async fn get_profile(&self, person_id: Uuid) -> StoreResult<Profile> {
        membership::get_profile(&mut *self.readers.get().await, person_id).await
    }

    async fn set_profile(&self, person_id: Uuid, profile: &Profile) -> StoreResult<()> {
        let profile = profile.clone();
        write!(self, |conn| membership::set_profile(
            conn, person_id, &profile
        )
        .await)
    }

    async fn qr_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        membership::qr_generation(&mut *self.readers.get().await, person_id).await
    }

    async fn rotate_qr(&self, person_id: Uuid) -> StoreResult<i64> {
        write!(self, |conn| membership::rotate_qr(conn, person_id).await)
    }

    async fn insert_checkin(&self, c: &CheckIn, event: &OutboundEvent) -> StoreResult<()> {
        let (c, event) = (c.clone(), event.clone());
        write!(self, |conn| membership::insert_checkin(conn, &c, &event)
            .await)
    }

    async fn get_checkin(&self, id: Uuid) -> StoreResult<CheckIn> {
        membership::get_checkin(&mut *self.readers.get().await, id).await
    }

    async fn open_checkin_of(&self, person_id: Uuid) -> StoreResult<Option<CheckIn>> {
        membership::open_checkin_of(&mut *self.readers.get().await, person_id).await
    }

    async fn checkout(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        auto_closed: bool,
        event: &OutboundEvent,
    ) -> StoreResult<CheckIn> {
        let event = event.clone();
        write!(self, |conn| membership::checkout(
            conn,
            id,
            at,
            auto_closed,
            &event
        )
        .await)
    }

    async fn list_open_checkins(&self) -> StoreResult<Vec<CheckIn>> {
        membership::list_open_checkins(&mut *self.readers.get().await).await
    }

    async fn insert_guest_visit(
        &self,
        g: &GuestVisit,
        max_guests: i64,
        event: &OutboundEvent,
    ) -> StoreResult<()> {
        let (g, event) = (g.clone(), event.clone());
        write!(self, |conn| membership::insert_guest_visit(
            conn, &g, max_guests, &event
        )
        .await)
    }

    async fn list_guests(&self, checkin_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        membership::list_guests(&mut *self.readers.get().await, checkin_id).await
    }

    async fn present_at(&self, hub_id: Uuid) -> StoreResult<Vec<PresentPerson>> {
        membership::present_at(&mut *self.readers.get().await, hub_id).await
    }

    async fn present_guests(&self, hub_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        membership::present_guests(&mut *self.readers.get().await, hub_id).await
    }

    async fn list_checkins_of(&self, person_id: Uuid, limit: i64) -> StoreResult<Vec<CheckIn>> {
        membership::list_checkins_of(&mut *self.readers.get().await, person_id, limit).await
    }

    async fn access_summary(
        &self,
        hub_id: Uuid,
        region_id: Uuid,
        today: NaiveDate,
        now: DateTime<Utc>,
        first_day: NaiveDate,
    ) -> StoreResult<AccessSummary> {
        membership::access_summary(
            &mut *self.readers.get().await,
            hub_id,
            region_id,
            today,
            now,
            first_day,
        )
        .await
    }

    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        membership::list_webhooks(&mut *self.readers.get().await).await
    }

    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        membership::get_webhook(&mut *self.readers.get().await, id).await
    }

    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        write!(self, |conn| membership::write_webhook(conn, &w, true).await)
    }

    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        write!(self, |conn| membership::write_webhook(conn, &w, false)
            .await)
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        if limit <= 0 || !membership::any_delivery_due(&mut *self.readers.get().await, now).await? {
            return Ok(Vec::new());
        }
        write!(self, |conn| membership::claim_deliveries(
            conn, now, lease, limit
        )
        .await)
    }

    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| membership::mark_delivered(conn, id, at).await)
    }

    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()> {
        let error = error.to_owned();
        write!(self, |conn| membership::mark_attempt_failed(
            conn,
            id,
            &error,
            next_attempt_at,
            failed
        )
        .await)
    }

    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| membership::retry_delivery(conn, id, now).await)
    }

    async fn list_deliveries(
        &self,
        webhook_id: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        membership::list_deliveries(&mut *self.readers.get().await, webhook_id, limit).await
    }
    // ---------------------------------------------------------- bookings

    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules> {
        bookings::booking_rules(&mut *self.readers.get().await, hub_id).await
    }

    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()> {
        let rules = *rules;
        write!(self, |conn| bookings::set_booking_rules(
            conn, hub_id, &rules
        )
        .await)
    }

    async fn insert_bookings(&self, b: &[Booking], caps: &[IncludedCap]) -> StoreResult<()> {
        let (b, caps) = (b.to_vec(), caps.to_vec());
        write!(self, |conn| bookings::insert_bookings(conn, &b, &caps)
            .await)
    }

    async fn get_booking(&self, id: Uuid) -> StoreResult<Booking> {
        bookings::get_booking(&mut *self.readers.get().await, id).await
    }

    async fn busy_times(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        bookings::busy_times(&mut *self.readers.get().await, room_id, from, to).await
    }

    async fn seat_minutes_used(
        &self,
        seat_ids: &[Uuid],
        month: &str,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        bookings::seat_minutes_used(&mut *self.readers.get().await, seat_ids, month).await
    }

    async fn cancel_booking(
        &self,
        id: Uuid,
        c: &Cancellation,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Booking> {
        let (c, notice) = (c.clone(), notice.cloned());
        write!(self, |conn| bookings::cancel_booking(
            conn,
            id,
            &c,
            notice.as_ref()
        )
        .await)
    }

    async fn list_bookings(&self, f: &BookingFilter) -> StoreResult<Vec<BookingView>> {
        bookings::list_bookings(&mut *self.readers.get().await, f).await
    }

    async fn calendar_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        bookings::calendar_generation(&mut *self.readers.get().await, person_id).await
    }

    async fn rotate_calendar(&self, person_id: Uuid) -> StoreResult<i64> {
        write!(self, |conn| bookings::rotate_calendar(conn, person_id)
            .await)
    }

    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        let e = e.clone();
        write!(self, |conn| bookings::queue_email(conn, &e).await)
    }

    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        bookings::list_emails(&mut *self.readers.get().await, limit).await
    }

    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        if limit <= 0 || !bookings::any_email_due(&mut *self.readers.get().await, now).await? {
            return Ok(Vec::new());
        }
        write!(self, |conn| bookings::claim_emails(conn, now, lease, limit)
            .await)
    }

    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        write!(self, |conn| bookings::mark_email_sent(conn, id, at).await)
    }

    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        let error = error.to_string();
        write!(self, |conn| bookings::mark_email_failed(
            conn,
            id,
            &error,
            next_attempt_at,
            give_up
        )
        .await)
    }

    // ------------------------------------------------------------ events

    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event> {
        let (e, b) = (e.clone(), room_booking.cloned());
        write!(self, |conn| events::insert_event(conn, &e, b.as_ref())
            .await)
    }

    async fn get_event(&self, id: Uuid) -> StoreResult<Event> {
        events::get_event(&self.pool, id).await
    }

    async fn update_event(
        &self,
        e: &Event,
        room_booking: Option<&Booking>,
        notices: &EventNotices,
    ) -> StoreResult<EventChange> {
        let (e, b, n) = (e.clone(), room_booking.cloned(), notices.clone());
        write!(self, |conn| events::update_event(conn, &e, b.as_ref(), &n)
            .await)
    }

    async fn cancel_event(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        by: Uuid,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Event> {
        let notice = notice.cloned();
        write!(self, |conn| events::cancel_event(
            conn,
            id,
            at,
            by,
            notice.as_ref()
        )
        .await)
    }

    async fn list_events(&self, f: &EventFilter) -> StoreResult<Vec<EventListing>> {
        // A kept read connection: a feed brought up to date after a change
        // lists one event, and sqlx's pool sometimes took 30 ms to hand
        // over a connection for it.
        events::list_events(&mut *self.readers.get().await, f).await
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        let mut conn = self.readers.get().await;
        events::calendar_version(&mut conn, false).await
    }

    async fn calendar_feed_version(&self) -> StoreResult<i64> {
        let mut conn = self.readers.get().await;
        events::calendar_version(&mut conn, true).await
    }

    async fn calendar_feed_changes(&self, after: i64, upto: i64) -> StoreResult<Option<Vec<Uuid>>> {
        let mut conn = self.readers.get().await;
        events::calendar_feed_changes(&mut conn, after, upto).await
    }

    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration> {
        let r = r.clone();
        write!(self, |conn| events::register(conn, &r, now).await)
    }

    async fn get_registration(&self, id: Uuid) -> StoreResult<Registration> {
        events::get_registration(&self.pool, id).await
    }

    async fn list_registrations(&self, event_id: Uuid) -> StoreResult<Vec<RegistrationView>> {
        events::list_registrations(&self.pool, event_id).await
    }

    async fn cancel_registration(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        promotion: Option<&OutgoingEmail>,
    ) -> StoreResult<RegistrationCancelled> {
        let promotion = promotion.cloned();
        write!(self, |conn| events::cancel_registration(
            conn,
            id,
            at,
            promotion.as_ref()
        )
        .await)
    }

    async fn set_attended(&self, registration_id: Uuid, attended: bool) -> StoreResult<()> {
        write!(self, |conn| events::set_attended(
            conn,
            registration_id,
            attended
        )
        .await)
    }

    async fn insert_invitations(&self, sent: &[(Invitation, OutgoingEmail)]) -> StoreResult<()> {
        let sent = sent.to_vec();
        write!(self, |conn| {
            for (i, mail) in &sent {
                events::insert_invitation(conn, i).await?;
                bookings::queue_email(conn, mail).await?;
            }
            Ok(())
        })
    }

    async fn invitation_by_token(&self, token_hash: &str) -> StoreResult<Invitation> {
        events::invitation_by_token(&self.pool, token_hash).await
    }

    async fn list_invitations(&self, event_id: Uuid) -> StoreResult<Vec<Invitation>> {
        events::list_invitations(&self.pool, event_id).await
    }

    async fn redeem_invitation(
        &self,
        token_hash: &str,
        r: &Registration,
        now: DateTime<Utc>,
    ) -> StoreResult<Registration> {
        let (token_hash, r) = (token_hash.to_string(), r.clone());
        write!(self, |conn| events::redeem_invitation(
            conn,
            &token_hash,
            &r,
            now
        )
        .await)
    }

    async fn registration_of(
        &self,
        event_id: Uuid,
        person_id: Uuid,
    ) -> StoreResult<Option<Registration>> {
        events::registration_of(&self.pool, event_id, person_id).await
    }

    async fn events_due_for_reminder(
        &self,
        now: DateTime<Utc>,
        ahead: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<Event>> {
        events::events_due_for_reminder(&self.pool, now, ahead, limit).await
    }

    async fn send_event_reminder(
        &self,
        event_id: Uuid,
        at: DateTime<Utc>,
        template: &OutgoingEmail,
    ) -> StoreResult<i64> {
        let template = template.clone();
        write!(self, |conn| events::send_event_reminder(
            conn, event_id, at, &template
        )
        .await)
    }

    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased> {
        let e = e.clone();
        write!(self, |conn| privacy::erase_person(conn, &e).await)
    }

    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary> {
        events::event_summary(&self.pool, event_id).await
    }
}
