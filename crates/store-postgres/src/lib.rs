//! The PostgreSQL backend: for networks that run several `thirdplace serve`
//! processes on one database. Owns its SQL and its migrations; nothing here
//! is shared with the SQLite backend but the [`Store`] trait, and the two
//! must behave alike (the contract suite in `thirdplace-store` checks it).
//!
//! Where PostgreSQL can tell us more than SQLite, we let it: a broken unique
//! or foreign-key constraint names itself, so the field a caller gets back in
//! [`StoreError::Conflict`] or [`StoreError::Reference`] comes from the
//! constraint's name instead of from extra look-ups inside the transaction.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
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

mod bookings;
mod events;
mod membership;
mod privacy;
#[cfg(feature = "testing")]
pub mod testing;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database at a `postgres:` URL (which must exist) and
    /// applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            // A full pool should make a request wait a little, not hang.
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = Self { pool };
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

fn db(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// Maps a write error: a broken unique or foreign-key constraint becomes a
/// `Conflict` or `Reference` naming the caller's field.
fn write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        let field = || {
            constraint_field(
                d.table().unwrap_or_default(),
                d.constraint().unwrap_or_default(),
            )
        };
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

fn decode(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{what}: {e}").into())
}

fn region(r: &PgRow) -> Result<Region, sqlx::Error> {
    Ok(Region {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        archived: r.try_get("archived")?,
    })
}

fn municipality(r: &PgRow) -> Result<Municipality, sqlx::Error> {
    Ok(Municipality {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        name: r.try_get("name")?,
        code: r.try_get("code")?,
        central_town: r.try_get("central_town")?,
        archived: r.try_get("archived")?,
    })
}

fn operator(r: &PgRow) -> Result<Operator, sqlx::Error> {
    Ok(Operator {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        org_number: r.try_get("org_number")?,
        contact_email: r.try_get("contact_email")?,
        archived: r.try_get("archived")?,
    })
}

fn hub_listing(r: &PgRow) -> Result<HubListing, sqlx::Error> {
    let Json(opening_hours): Json<OpeningHours> = r.try_get("opening_hours")?;
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

// Lists sort names with `COLLATE "C"` (byte order), as SQLite's default
// BINARY collation does, so both backends list in the same order whatever
// locale the PostgreSQL cluster was created with; the id (UUIDv7, so
// creation order) breaks ties.

fn zone(r: &PgRow) -> Result<Zone, sqlx::Error> {
    Ok(Zone {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        name: r.try_get("name")?,
        purpose: r.try_get("purpose")?,
        capacity: r.try_get("capacity")?,
        archived: r.try_get("archived")?,
    })
}

fn room(r: &PgRow) -> Result<Room, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let vat: i16 = r.try_get("vat_rate_percent")?;
    Ok(Room {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        name: r.try_get("name")?,
        kind: RoomKind::parse(&kind).map_err(|e| decode("kind", e.message))?,
        capacity: r.try_get("capacity")?,
        hourly_price_ore: r.try_get("hourly_price_ore")?,
        vat_rate_percent: u8::try_from(vat).map_err(|e| decode("vat_rate_percent", e))?,
        archived: r.try_get("archived")?,
    })
}

fn organisation(r: &PgRow) -> Result<Organisation, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Organisation {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        org_number: r.try_get("org_number")?,
        kind: OrgKind::parse(&kind).map_err(|e| decode("kind", e.message))?,
        archived: r.try_get("archived")?,
    })
}

/// People with their roles; each role list comes sorted as one UUID array
/// from a correlated subquery, so one query loads a whole list of people.
const PERSON: &str = "SELECT p.*, \
     ARRAY(SELECT hub_id FROM hub_hosts WHERE person_id = p.id ORDER BY hub_id) AS hub_ids, \
     ARRAY(SELECT organisation_id FROM organisation_admins WHERE person_id = p.id ORDER BY organisation_id) AS org_ids \
     FROM people p";

fn person(r: &PgRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: r.try_get("id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: r.try_get("email")?,
        organisation_id: r.try_get("organisation_id")?,
        is_network_admin: r.try_get("is_network_admin")?,
        // PostgreSQL orders UUIDs bytewise, as `Uuid`'s `Ord` does.
        hosted_hub_ids: r.try_get("hub_ids")?,
        admin_of_organisation_ids: r.try_get("org_ids")?,
        archived: r.try_get("archived")?,
    })
}

fn api_token(r: &PgRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        name: r.try_get("name")?,
        token_hash: r.try_get("token_hash")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl PostgresStore {
    async fn fetch<T>(
        &self,
        sql: &str,
        id: Option<Uuid>,
        map: fn(&PgRow) -> Result<T, sqlx::Error>,
    ) -> StoreResult<Vec<T>> {
        let mut q = sqlx::query(sql);
        if let Some(id) = id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(map).collect::<Result<_, _>>().map_err(db)
    }

    async fn fetch_person(&self, sql: &str, key: &str) -> StoreResult<Option<Person>> {
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    /// The person row and both role lists in one transaction. Unknown
    /// references fail on their foreign keys, which roll the whole write back.
    async fn write_person(&self, p: &Person, insert: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let sql = if insert {
            "INSERT INTO people (first_name, last_name, email, organisation_id, is_network_admin, archived, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        } else {
            "UPDATE people SET first_name = $1, last_name = $2, email = $3, organisation_id = $4, is_network_admin = $5, \
             archived = $6 WHERE id = $7"
        };
        let n = sqlx::query(sql)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.email)
            .bind(p.organisation_id)
            .bind(p.is_network_admin)
            .bind(p.archived)
            .bind(p.id)
            .execute(&mut *tx)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)?;
        if !insert {
            sqlx::query("DELETE FROM hub_hosts WHERE person_id = $1")
                .bind(p.id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            sqlx::query("DELETE FROM organisation_admins WHERE person_id = $1")
                .bind(p.id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        if !p.hosted_hub_ids.is_empty() {
            sqlx::query("INSERT INTO hub_hosts (person_id, hub_id) SELECT $1, unnest($2::uuid[])")
                .bind(p.id)
                .bind(&p.hosted_hub_ids)
                .execute(&mut *tx)
                .await
                .map_err(write_err)?;
        }
        if !p.admin_of_organisation_ids.is_empty() {
            sqlx::query("INSERT INTO organisation_admins (person_id, organisation_id) SELECT $1, unnest($2::uuid[])")
                .bind(p.id)
                .bind(&p.admin_of_organisation_ids)
                .execute(&mut *tx)
                .await
                .map_err(write_err)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn write_hub(&self, h: &Hub, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO hubs (municipality_id, operator_id, name, description, street_address, postal_code, city, latitude, \
             longitude, in_central_town, opening_hours, archived, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        } else {
            "UPDATE hubs SET municipality_id = $1, operator_id = $2, name = $3, description = $4, street_address = $5, \
             postal_code = $6, city = $7, latitude = $8, longitude = $9, in_central_town = $10, opening_hours = $11, \
             archived = $12 WHERE id = $13"
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
            .bind(Json(&h.opening_hours))
            .bind(h.archived)
            .bind(h.id)
            .execute(&self.pool)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)
    }

    async fn write_municipality(&self, m: &Municipality, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO municipalities (region_id, name, code, central_town, archived, id) VALUES ($1, $2, $3, $4, $5, $6)"
        } else {
            "UPDATE municipalities SET region_id = $1, name = $2, code = $3, central_town = $4, archived = $5 WHERE id = $6"
        };
        let n = sqlx::query(sql)
            .bind(m.region_id)
            .bind(&m.name)
            .bind(&m.code)
            .bind(&m.central_town)
            .bind(m.archived)
            .bind(m.id)
            .execute(&self.pool)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)
    }

    async fn write_zone(&self, z: &Zone, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO zones (hub_id, name, purpose, capacity, archived, id) VALUES ($1, $2, $3, $4, $5, $6)"
        } else {
            "UPDATE zones SET hub_id = $1, name = $2, purpose = $3, capacity = $4, archived = $5 WHERE id = $6"
        };
        let n = sqlx::query(sql)
            .bind(z.hub_id)
            .bind(&z.name)
            .bind(&z.purpose)
            .bind(z.capacity)
            .bind(z.archived)
            .bind(z.id)
            .execute(&self.pool)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)
    }

    async fn write_room(&self, r: &Room, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO rooms (hub_id, name, kind, capacity, hourly_price_ore, vat_rate_percent, archived, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        } else {
            "UPDATE rooms SET hub_id = $1, name = $2, kind = $3, capacity = $4, hourly_price_ore = $5, vat_rate_percent = $6, \
             archived = $7 WHERE id = $8"
        };
        let n = sqlx::query(sql)
            .bind(r.hub_id)
            .bind(&r.name)
            .bind(r.kind.key())
            .bind(r.capacity)
            .bind(r.hourly_price_ore)
            .bind(i16::from(r.vat_rate_percent))
            .bind(r.archived)
            .bind(r.id)
            .execute(&self.pool)
            .await
            .map_err(write_err)?
            .rows_affected();
        affected(n)
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
impl Store for PostgresStore {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        self.fetch(
            r#"SELECT * FROM regions ORDER BY name COLLATE "C", id"#,
            None,
            region,
        )
        .await
    }

    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        one(self
            .fetch("SELECT * FROM regions WHERE id = $1", Some(id), region)
            .await?)
    }

    async fn insert_region(&self, r: &Region) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO regions (name, code, archived, id) VALUES ($1, $2, $3, $4)",
            vec![
                Bind::Text(&r.name),
                Bind::Text(&r.code),
                Bind::Bool(r.archived),
                Bind::Id(r.id),
            ],
        )
        .await
    }

    async fn update_region(&self, r: &Region) -> StoreResult<()> {
        self.write_simple(
            "UPDATE regions SET name = $1, code = $2, archived = $3 WHERE id = $4",
            vec![
                Bind::Text(&r.name),
                Bind::Text(&r.code),
                Bind::Bool(r.archived),
                Bind::Id(r.id),
            ],
        )
        .await
    }

    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        self.fetch(
            r#"SELECT * FROM municipalities ORDER BY name COLLATE "C", id"#,
            None,
            municipality,
        )
        .await
    }

    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        one(self
            .fetch(
                "SELECT * FROM municipalities WHERE id = $1",
                Some(id),
                municipality,
            )
            .await?)
    }

    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.write_municipality(m, true).await
    }

    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.write_municipality(m, false).await
    }

    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        self.fetch(
            r#"SELECT * FROM operators ORDER BY name COLLATE "C", id"#,
            None,
            operator,
        )
        .await
    }

    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        one(self
            .fetch("SELECT * FROM operators WHERE id = $1", Some(id), operator)
            .await?)
    }

    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO operators (name, org_number, contact_email, archived, id) VALUES ($1, $2, $3, $4, $5)",
            vec![
                Bind::Text(&o.name),
                Bind::OptText(o.org_number.as_deref()),
                Bind::OptText(o.contact_email.as_deref()),
                Bind::Bool(o.archived),
                Bind::Id(o.id),
            ],
        )
        .await
    }

    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        self.write_simple(
            "UPDATE operators SET name = $1, org_number = $2, contact_email = $3, archived = $4 WHERE id = $5",
            vec![
                Bind::Text(&o.name),
                Bind::OptText(o.org_number.as_deref()),
                Bind::OptText(o.contact_email.as_deref()),
                Bind::Bool(o.archived),
                Bind::Id(o.id),
            ],
        )
        .await
    }

    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        self.fetch(
            &format!(r#"{HUB_LISTING} ORDER BY h.name COLLATE "C", h.id"#),
            None,
            hub_listing,
        )
        .await
    }

    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing> {
        one(self
            .fetch(
                &format!("{HUB_LISTING} WHERE h.id = $1"),
                Some(id),
                hub_listing,
            )
            .await?)
    }

    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        self.write_hub(h, true).await
    }

    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        self.write_hub(h, false).await
    }

    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        self.fetch(
            r#"SELECT * FROM zones WHERE hub_id = $1 ORDER BY name COLLATE "C", id"#,
            Some(hub_id),
            zone,
        )
        .await
    }

    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        one(self
            .fetch("SELECT * FROM zones WHERE id = $1", Some(id), zone)
            .await?)
    }

    async fn insert_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_zone(z, true).await
    }

    async fn update_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_zone(z, false).await
    }

    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>> {
        self.fetch(
            r#"SELECT * FROM rooms WHERE hub_id = $1 ORDER BY name COLLATE "C", id"#,
            Some(hub_id),
            room,
        )
        .await
    }

    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        one(self
            .fetch("SELECT * FROM rooms WHERE id = $1", Some(id), room)
            .await?)
    }

    async fn insert_room(&self, r: &Room) -> StoreResult<()> {
        self.write_room(r, true).await
    }

    async fn update_room(&self, r: &Room) -> StoreResult<()> {
        self.write_room(r, false).await
    }

    async fn list_organisations(&self) -> StoreResult<Vec<Organisation>> {
        self.fetch(
            r#"SELECT * FROM organisations ORDER BY name COLLATE "C", id"#,
            None,
            organisation,
        )
        .await
    }

    async fn get_organisation(&self, id: Uuid) -> StoreResult<Organisation> {
        one(self
            .fetch(
                "SELECT * FROM organisations WHERE id = $1",
                Some(id),
                organisation,
            )
            .await?)
    }

    async fn insert_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO organisations (name, org_number, kind, archived, id) VALUES ($1, $2, $3, $4, $5)",
            vec![Bind::Text(&o.name), Bind::Text(&o.org_number), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    async fn update_organisation(&self, o: &Organisation) -> StoreResult<()> {
        self.write_simple(
            "UPDATE organisations SET name = $1, org_number = $2, kind = $3, archived = $4 WHERE id = $5",
            vec![Bind::Text(&o.name), Bind::Text(&o.org_number), Bind::Text(o.kind.key()), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await
    }

    async fn list_people(&self, organisation_id: Option<Uuid>) -> StoreResult<Vec<Person>> {
        const ORDER: &str = r#"ORDER BY p.first_name COLLATE "C", p.last_name COLLATE "C", p.id"#;
        match organisation_id {
            Some(org) => {
                self.fetch(
                    &format!("{PERSON} WHERE p.organisation_id = $1 {ORDER}"),
                    Some(org),
                    person,
                )
                .await
            }
            None => self.fetch(&format!("{PERSON} {ORDER}"), None, person).await,
        }
    }

    async fn get_person(&self, id: Uuid) -> StoreResult<Person> {
        one(self
            .fetch(&format!("{PERSON} WHERE p.id = $1"), Some(id), person)
            .await?)
    }

    async fn find_person_by_email(&self, email: &str) -> StoreResult<Option<Person>> {
        self.fetch_person(&format!("{PERSON} WHERE p.email = $1"), email)
            .await
    }

    async fn insert_person(&self, p: &Person) -> StoreResult<()> {
        self.write_person(p, true).await
    }

    async fn update_person(&self, p: &Person) -> StoreResult<()> {
        self.write_person(p, false).await
    }

    async fn password_hash(&self, person_id: Uuid) -> StoreResult<Option<String>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM people WHERE id = $1")
                .bind(person_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.ok_or(StoreError::NotFound)
    }

    async fn set_password_hash(&self, person_id: Uuid, hash: &str) -> StoreResult<()> {
        self.write_simple(
            "UPDATE people SET password_hash = $1 WHERE id = $2",
            vec![Bind::Text(hash), Bind::Id(person_id)],
        )
        .await
    }

    async fn insert_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (id_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
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
            "{PERSON} JOIN sessions s ON s.person_id = p.id WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT p.archived"
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(person).transpose().map_err(db)
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
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
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND id_hash IS DISTINCT FROM $2")
            .bind(person_id)
            .bind(except_id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn record_login_failure(&self, email: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO login_failures (email, at) VALUES ($1, $2)")
            .bind(email)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn count_login_failures(&self, email: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE email = $1 AND at >= $2")
            .bind(email)
            .bind(since)
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn clear_login_failures(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (id, person_id, name, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)")
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
            "SELECT * FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC, id DESC",
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
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 AND person_id = $3")
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
        self.fetch_person(
            &format!("{PERSON} JOIN api_tokens t ON t.person_id = p.id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT p.archived"),
            token_hash,
        )
        .await
    }

    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        membership::meta_get_or_insert(&self.pool, key, value).await
    }

    async fn list_plans(&self) -> StoreResult<Vec<Plan>> {
        membership::list_plans(&self.pool).await
    }

    async fn get_plan(&self, id: Uuid) -> StoreResult<Plan> {
        membership::get_plan(&self.pool, id).await
    }

    async fn insert_plan(&self, p: &Plan) -> StoreResult<()> {
        membership::write_plan(&self.pool, p, true).await
    }

    async fn update_plan(&self, p: &Plan) -> StoreResult<()> {
        membership::write_plan(&self.pool, p, false).await
    }

    async fn insert_seats(&self, seats: &[Seat]) -> StoreResult<()> {
        membership::insert_seats(&self.pool, seats).await
    }

    async fn get_seat(&self, id: Uuid) -> StoreResult<SeatView> {
        membership::get_seat(&self.pool, id).await
    }

    async fn list_seats(&self, organisation_id: Uuid) -> StoreResult<Vec<SeatView>> {
        membership::list_seats(&self.pool, organisation_id).await
    }

    async fn seat_history(&self, seat_id: Uuid) -> StoreResult<Vec<SeatHolding>> {
        membership::seat_history(&self.pool, seat_id).await
    }

    async fn assign_seat(
        &self,
        seat_id: Uuid,
        holder: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        membership::assign_seat(&self.pool, seat_id, holder, at).await
    }

    async fn set_seat_end(&self, seat_id: Uuid, end_date: Option<NaiveDate>) -> StoreResult<()> {
        membership::set_seat_end(&self.pool, seat_id, end_date).await
    }

    async fn held_seats(&self, person_id: Uuid, at: DateTime<Utc>) -> StoreResult<Vec<HeldSeat>> {
        membership::held_seats(&self.pool, person_id, at).await
    }

    async fn get_profile(&self, person_id: Uuid) -> StoreResult<Profile> {
        membership::get_profile(&self.pool, person_id).await
    }

    async fn set_profile(&self, person_id: Uuid, profile: &Profile) -> StoreResult<()> {
        membership::set_profile(&self.pool, person_id, profile).await
    }

    async fn qr_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        membership::qr_generation(&self.pool, person_id).await
    }

    async fn rotate_qr(&self, person_id: Uuid) -> StoreResult<i64> {
        membership::rotate_qr(&self.pool, person_id).await
    }

    async fn insert_checkin(&self, c: &CheckIn, event: &OutboundEvent) -> StoreResult<()> {
        membership::insert_checkin(&self.pool, c, event).await
    }

    async fn get_checkin(&self, id: Uuid) -> StoreResult<CheckIn> {
        membership::get_checkin(&self.pool, id).await
    }

    async fn open_checkin_of(&self, person_id: Uuid) -> StoreResult<Option<CheckIn>> {
        membership::open_checkin_of(&self.pool, person_id).await
    }

    async fn checkout(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        auto_closed: bool,
        event: &OutboundEvent,
    ) -> StoreResult<CheckIn> {
        membership::checkout(&self.pool, id, at, auto_closed, event).await
    }

    async fn list_open_checkins(&self) -> StoreResult<Vec<CheckIn>> {
        membership::list_open_checkins(&self.pool).await
    }

    async fn insert_guest_visit(
        &self,
        g: &GuestVisit,
        max_guests: i64,
        event: &OutboundEvent,
    ) -> StoreResult<()> {
        membership::insert_guest_visit(&self.pool, g, max_guests, event).await
    }

    async fn list_guests(&self, checkin_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        membership::list_guests(&self.pool, checkin_id).await
    }

    async fn present_at(&self, hub_id: Uuid) -> StoreResult<Vec<PresentPerson>> {
        membership::present_at(&self.pool, hub_id).await
    }

    async fn present_guests(&self, hub_id: Uuid) -> StoreResult<Vec<GuestVisit>> {
        membership::present_guests(&self.pool, hub_id).await
    }

    async fn list_checkins_of(&self, person_id: Uuid, limit: i64) -> StoreResult<Vec<CheckIn>> {
        membership::list_checkins_of(&self.pool, person_id, limit).await
    }

    async fn access_summary(
        &self,
        hub_id: Uuid,
        region_id: Uuid,
        today: NaiveDate,
        now: DateTime<Utc>,
        first_day: NaiveDate,
    ) -> StoreResult<AccessSummary> {
        membership::access_summary(&self.pool, hub_id, region_id, today, now, first_day).await
    }

    async fn list_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        membership::list_webhooks(&self.pool).await
    }

    async fn get_webhook(&self, id: Uuid) -> StoreResult<Webhook> {
        membership::get_webhook(&self.pool, id).await
    }

    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        membership::write_webhook(&self.pool, w, true).await
    }

    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        membership::write_webhook(&self.pool, w, false).await
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        membership::claim_deliveries(&self.pool, now, lease, limit).await
    }

    async fn mark_delivered(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        membership::mark_delivered(&self.pool, id, at).await
    }

    async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        failed: bool,
    ) -> StoreResult<()> {
        membership::mark_attempt_failed(&self.pool, id, error, next_attempt_at, failed).await
    }

    async fn retry_delivery(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        membership::retry_delivery(&self.pool, id, now).await
    }

    async fn list_deliveries(
        &self,
        webhook_id: Option<Uuid>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        membership::list_deliveries(&self.pool, webhook_id, limit).await
    }
    // ---------------------------------------------------------- bookings

    async fn booking_rules(&self, hub_id: Uuid) -> StoreResult<BookingRules> {
        bookings::booking_rules(&self.pool, hub_id).await
    }

    async fn set_booking_rules(&self, hub_id: Uuid, rules: &BookingRules) -> StoreResult<()> {
        bookings::set_booking_rules(&self.pool, hub_id, rules).await
    }

    async fn insert_bookings(&self, b: &[Booking], caps: &[IncludedCap]) -> StoreResult<()> {
        bookings::insert_bookings(&self.pool, b, caps).await
    }

    async fn get_booking(&self, id: Uuid) -> StoreResult<Booking> {
        bookings::get_booking(&self.pool, id).await
    }

    async fn busy_times(
        &self,
        room_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        bookings::busy_times(&self.pool, room_id, from, to).await
    }

    async fn seat_minutes_used(
        &self,
        seat_ids: &[Uuid],
        month: &str,
    ) -> StoreResult<Vec<(Uuid, i64)>> {
        bookings::seat_minutes_used(&self.pool, seat_ids, month).await
    }

    async fn cancel_booking(
        &self,
        id: Uuid,
        c: &Cancellation,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Booking> {
        bookings::cancel_booking(&self.pool, id, c, notice).await
    }

    async fn list_bookings(&self, f: &BookingFilter) -> StoreResult<Vec<BookingView>> {
        bookings::list_bookings(&self.pool, f).await
    }

    async fn calendar_generation(&self, person_id: Uuid) -> StoreResult<i64> {
        bookings::calendar_generation(&self.pool, person_id).await
    }

    async fn rotate_calendar(&self, person_id: Uuid) -> StoreResult<i64> {
        bookings::rotate_calendar(&self.pool, person_id).await
    }

    async fn queue_email(&self, e: &OutgoingEmail) -> StoreResult<()> {
        bookings::queue_email(&self.pool, e).await
    }

    async fn list_emails(&self, limit: i64) -> StoreResult<Vec<OutgoingEmail>> {
        bookings::list_emails(&self.pool, limit).await
    }

    async fn claim_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        bookings::claim_emails(&self.pool, now, lease, limit).await
    }

    async fn mark_email_sent(&self, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
        bookings::mark_email_sent(&self.pool, id, at).await
    }

    async fn mark_email_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        give_up: bool,
    ) -> StoreResult<()> {
        bookings::mark_email_failed(&self.pool, id, error, next_attempt_at, give_up).await
    }
    // ------------------------------------------------------------ events

    async fn insert_event(&self, e: &Event, room_booking: Option<&Booking>) -> StoreResult<Event> {
        events::insert_event(&self.pool, e, room_booking).await
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
        events::update_event(&self.pool, e, room_booking, notices).await
    }

    async fn cancel_event(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        by: Uuid,
        notice: Option<&OutgoingEmail>,
    ) -> StoreResult<Event> {
        events::cancel_event(&self.pool, id, at, by, notice).await
    }

    async fn list_events(&self, f: &EventFilter) -> StoreResult<Vec<EventListing>> {
        events::list_events(&self.pool, f).await
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        events::calendar_version(&self.pool, false).await
    }

    async fn calendar_feed_version(&self) -> StoreResult<i64> {
        events::calendar_version(&self.pool, true).await
    }

    async fn calendar_feed_changes(&self, after: i64, upto: i64) -> StoreResult<Option<Vec<Uuid>>> {
        events::calendar_feed_changes(&self.pool, after, upto).await
    }

    async fn register(&self, r: &Registration, now: DateTime<Utc>) -> StoreResult<Registration> {
        events::register(&self.pool, r, now).await
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
        events::cancel_registration(&self.pool, id, at, promotion).await
    }

    async fn set_attended(&self, registration_id: Uuid, attended: bool) -> StoreResult<()> {
        events::set_attended(&self.pool, registration_id, attended).await
    }

    async fn insert_invitations(&self, sent: &[(Invitation, OutgoingEmail)]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for (i, mail) in sent {
            events::insert_invitation(&mut tx, i).await?;
            bookings::insert_email(&mut tx, mail).await?;
        }
        tx.commit().await.map_err(db)
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
        events::redeem_invitation(&self.pool, token_hash, r, now).await
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
        events::send_event_reminder(&self.pool, event_id, at, template).await
    }

    async fn erase_person(&self, e: &Erasure) -> StoreResult<Erased> {
        privacy::erase_person(&self.pool, e).await
    }

    async fn event_summary(&self, event_id: Uuid) -> StoreResult<EventSummary> {
        events::event_summary(&self.pool, event_id).await
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
