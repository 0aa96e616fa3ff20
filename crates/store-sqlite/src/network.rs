//! [`NetworkStore`] for SQLite: regions, municipalities, operators, hubs,
//! zones and rooms, with their row mapping.

use crate::WriteOne;
use crate::{db, decode, must_exist, one, write_err, Bind, SqliteStore};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;
use thirdplace_domain::{
    Email, Hub, Municipality, OpeningHours, Operator, OrgNumber, Region, Room, RoomKind, Zone,
};
use thirdplace_store::sql::{self, municipality, operator, region, zone, HUB_LISTING};
use thirdplace_store::{HubListing, NetworkStore, StoreResult};
use uuid::Uuid;

/// A row of [`HUB_LISTING`]; SQLite keeps the opening hours as JSON text.
fn hub_listing(r: &SqliteRow) -> Result<HubListing, sqlx::Error> {
    let hours: String = r.try_get("opening_hours")?;
    let opening_hours: OpeningHours =
        serde_json::from_str(&hours).map_err(|e| decode("opening_hours", e))?;
    sql::hub_listing(r, opening_hours)
}

fn room(r: &SqliteRow) -> Result<Room, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Room {
        id: r.try_get("id")?,
        hub_id: r.try_get("hub_id")?,
        name: r.try_get("name")?,
        kind: RoomKind::parse(&kind).map_err(|e| decode("kind", e.message))?,
        capacity: r.try_get("capacity")?,
        hourly_price_ore: r.try_get("hourly_price_ore")?,
        vat_rate_percent: r.try_get::<i64, _>("vat_rate_percent")? as u8,
        archived: r.try_get("archived")?,
    })
}

impl SqliteStore {
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
            .bind(hours)
            .bind(h.archived)
            .bind(h.id)
            .write_one(&mut *conn, write_err)
            .await?;
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
        sqlx::query(sql)
            .bind(m.region_id)
            .bind(&m.name)
            .bind(&m.code)
            .bind(&m.central_town)
            .bind(m.archived)
            .bind(m.id)
            .write_one(&mut *conn, write_err)
            .await?;
        Ok(())
    }

    async fn write_zone(conn: &mut SqliteConnection, z: &Zone, insert: bool) -> StoreResult<()> {
        must_exist(conn, "hubs", z.hub_id, "hub_id").await?;
        let sql = if insert {
            "INSERT INTO zones (hub_id, name, purpose, capacity, archived, id) VALUES (?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE zones SET hub_id = ?, name = ?, purpose = ?, capacity = ?, archived = ? WHERE id = ?"
        };
        sqlx::query(sql)
            .bind(z.hub_id)
            .bind(&z.name)
            .bind(&z.purpose)
            .bind(z.capacity)
            .bind(z.archived)
            .bind(z.id)
            .write_one(&mut *conn, write_err)
            .await?;
        Ok(())
    }

    async fn write_room(conn: &mut SqliteConnection, r: &Room, insert: bool) -> StoreResult<()> {
        must_exist(conn, "hubs", r.hub_id, "hub_id").await?;
        let sql = if insert {
            "INSERT INTO rooms (hub_id, name, kind, capacity, hourly_price_ore, vat_rate_percent, archived, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        } else {
            "UPDATE rooms SET hub_id = ?, name = ?, kind = ?, capacity = ?, hourly_price_ore = ?, vat_rate_percent = ?, archived = ? WHERE id = ?"
        };
        sqlx::query(sql)
            .bind(r.hub_id)
            .bind(&r.name)
            .bind(r.kind.key())
            .bind(r.capacity)
            .bind(r.hourly_price_ore)
            .bind(i64::from(r.vat_rate_percent))
            .bind(r.archived)
            .bind(r.id)
            .write_one(&mut *conn, write_err)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl NetworkStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        self.fetch("SELECT * FROM regions ORDER BY name", None, region)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        one(self
            .fetch("SELECT * FROM regions WHERE id = ?", Some(id), region)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        self.fetch(
            "SELECT * FROM municipalities ORDER BY name",
            None,
            municipality,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        one(self
            .fetch(
                "SELECT * FROM municipalities WHERE id = ?",
                Some(id),
                municipality,
            )
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        let m = m.clone();
        self.hubs_changed(write!(self, |conn| Self::write_municipality(
            conn, &m, true
        )
        .await))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        let m = m.clone();
        self.hubs_changed(write!(self, |conn| Self::write_municipality(
            conn, &m, false
        )
        .await))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        self.fetch("SELECT * FROM operators ORDER BY name", None, operator)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        one(self
            .fetch("SELECT * FROM operators WHERE id = ?", Some(id), operator)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        self.hubs_changed(self.write_simple(
            "INSERT INTO operators (name, org_number, contact_email, archived, id) VALUES (?, ?, ?, ?, ?)",
            vec![Bind::Text(&o.name), Bind::OptText(o.org_number.as_ref().map(OrgNumber::as_str)), Bind::OptText(o.contact_email.as_ref().map(Email::as_str)), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        self.hubs_changed(self.write_simple(
            "UPDATE operators SET name = ?, org_number = ?, contact_email = ?, archived = ? WHERE id = ?",
            vec![Bind::Text(&o.name), Bind::OptText(o.org_number.as_ref().map(OrgNumber::as_str)), Bind::OptText(o.contact_email.as_ref().map(Email::as_str)), Bind::Bool(o.archived), Bind::Id(o.id)],
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        self.fetch(&format!("{HUB_LISTING} ORDER BY h.name"), None, hub_listing)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        let h = h.clone();
        self.hubs_changed(write!(self, |conn| Self::write_hub(conn, &h, true).await))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        let h = h.clone();
        self.hubs_changed(write!(self, |conn| Self::write_hub(conn, &h, false).await))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        self.fetch(
            "SELECT * FROM zones WHERE hub_id = ? ORDER BY name",
            Some(hub_id),
            zone,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        one(self
            .fetch("SELECT * FROM zones WHERE id = ?", Some(id), zone)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_zone(&self, z: &Zone) -> StoreResult<()> {
        let z = z.clone();
        write!(self, |conn| Self::write_zone(conn, &z, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_zone(&self, z: &Zone) -> StoreResult<()> {
        let z = z.clone();
        write!(self, |conn| Self::write_zone(conn, &z, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>> {
        self.fetch(
            "SELECT * FROM rooms WHERE hub_id = ? ORDER BY name",
            Some(hub_id),
            room,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        one(self
            .fetch("SELECT * FROM rooms WHERE id = ?", Some(id), room)
            .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_room(&self, r: &Room) -> StoreResult<()> {
        let r = r.clone();
        write!(self, |conn| Self::write_room(conn, &r, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_room(&self, r: &Room) -> StoreResult<()> {
        let r = r.clone();
        write!(self, |conn| Self::write_room(conn, &r, false).await)
    }
}
