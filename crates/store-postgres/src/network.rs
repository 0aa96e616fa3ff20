//! [`NetworkStore`] for PostgreSQL: regions, municipalities, operators, hubs,
//! zones and rooms, with their row mapping.

use crate::WriteOne;
use crate::{decode, one, write_err, Bind, PostgresStore};
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::Row;
use thirdplace_domain::{
    Email, Hub, Municipality, OpeningHours, Operator, OrgNumber, Region, Room, RoomKind, Zone,
};
use thirdplace_store::sql::{self, municipality, operator, region, zone, HUB_LISTING};
use thirdplace_store::{HubListing, NetworkStore, StoreResult};
use uuid::Uuid;

/// A row of [`HUB_LISTING`]; PostgreSQL keeps the opening hours as `jsonb`.
fn hub_listing(r: &PgRow) -> Result<HubListing, sqlx::Error> {
    let Json(opening_hours): Json<OpeningHours> = r.try_get("opening_hours")?;
    sql::hub_listing(r, opening_hours)
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

impl PostgresStore {
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
        sqlx::query(sql)
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
            .write_one(&self.pool, write_err)
            .await
    }

    async fn write_municipality(&self, m: &Municipality, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO municipalities (region_id, name, code, central_town, archived, id) VALUES ($1, $2, $3, $4, $5, $6)"
        } else {
            "UPDATE municipalities SET region_id = $1, name = $2, code = $3, central_town = $4, archived = $5 WHERE id = $6"
        };
        sqlx::query(sql)
            .bind(m.region_id)
            .bind(&m.name)
            .bind(&m.code)
            .bind(&m.central_town)
            .bind(m.archived)
            .bind(m.id)
            .write_one(&self.pool, write_err)
            .await
    }

    async fn write_zone(&self, z: &Zone, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO zones (hub_id, name, purpose, capacity, archived, id) VALUES ($1, $2, $3, $4, $5, $6)"
        } else {
            "UPDATE zones SET hub_id = $1, name = $2, purpose = $3, capacity = $4, archived = $5 WHERE id = $6"
        };
        sqlx::query(sql)
            .bind(z.hub_id)
            .bind(&z.name)
            .bind(&z.purpose)
            .bind(z.capacity)
            .bind(z.archived)
            .bind(z.id)
            .write_one(&self.pool, write_err)
            .await
    }

    async fn write_room(&self, r: &Room, insert: bool) -> StoreResult<()> {
        let sql = if insert {
            "INSERT INTO rooms (hub_id, name, kind, capacity, hourly_price_ore, vat_rate_percent, archived, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        } else {
            "UPDATE rooms SET hub_id = $1, name = $2, kind = $3, capacity = $4, hourly_price_ore = $5, vat_rate_percent = $6, \
             archived = $7 WHERE id = $8"
        };
        sqlx::query(sql)
            .bind(r.hub_id)
            .bind(&r.name)
            .bind(r.kind.key())
            .bind(r.capacity)
            .bind(r.hourly_price_ore)
            .bind(i16::from(r.vat_rate_percent))
            .bind(r.archived)
            .bind(r.id)
            .write_one(&self.pool, write_err)
            .await
    }
}

#[async_trait]
impl NetworkStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        self.fetch(
            r#"SELECT * FROM regions ORDER BY name COLLATE "C", id"#,
            None,
            region,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        one(self
            .fetch("SELECT * FROM regions WHERE id = $1", Some(id), region)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        self.fetch(
            r#"SELECT * FROM municipalities ORDER BY name COLLATE "C", id"#,
            None,
            municipality,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        one(self
            .fetch(
                "SELECT * FROM municipalities WHERE id = $1",
                Some(id),
                municipality,
            )
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.write_municipality(m, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.write_municipality(m, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        self.fetch(
            r#"SELECT * FROM operators ORDER BY name COLLATE "C", id"#,
            None,
            operator,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        one(self
            .fetch("SELECT * FROM operators WHERE id = $1", Some(id), operator)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO operators (name, org_number, contact_email, archived, id) VALUES ($1, $2, $3, $4, $5)",
            vec![
                Bind::Text(&o.name),
                Bind::OptText(o.org_number.as_ref().map(OrgNumber::as_str)),
                Bind::OptText(o.contact_email.as_ref().map(Email::as_str)),
                Bind::Bool(o.archived),
                Bind::Id(o.id),
            ],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        self.write_simple(
            "UPDATE operators SET name = $1, org_number = $2, contact_email = $3, archived = $4 WHERE id = $5",
            vec![
                Bind::Text(&o.name),
                Bind::OptText(o.org_number.as_ref().map(OrgNumber::as_str)),
                Bind::OptText(o.contact_email.as_ref().map(Email::as_str)),
                Bind::Bool(o.archived),
                Bind::Id(o.id),
            ],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        self.fetch(
            &format!(r#"{HUB_LISTING} ORDER BY h.name COLLATE "C", h.id"#),
            None,
            hub_listing,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing> {
        one(self
            .fetch(
                &format!("{HUB_LISTING} WHERE h.id = $1"),
                Some(id),
                hub_listing,
            )
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        self.write_hub(h, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        self.write_hub(h, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        self.fetch(
            r#"SELECT * FROM zones WHERE hub_id = $1 ORDER BY name COLLATE "C", id"#,
            Some(hub_id),
            zone,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        one(self
            .fetch("SELECT * FROM zones WHERE id = $1", Some(id), zone)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_zone(z, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_zone(z, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>> {
        self.fetch(
            r#"SELECT * FROM rooms WHERE hub_id = $1 ORDER BY name COLLATE "C", id"#,
            Some(hub_id),
            room,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        one(self
            .fetch("SELECT * FROM rooms WHERE id = $1", Some(id), room)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_room(&self, r: &Room) -> StoreResult<()> {
        self.write_room(r, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_room(&self, r: &Room) -> StoreResult<()> {
        self.write_room(r, false).await
    }
}
