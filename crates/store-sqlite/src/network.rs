//! [`NetworkStore`] for SQLite: regions, municipalities, operators, hubs,
//! zones and rooms. Their columns and row mapping are shared
//! ([`thirdplace_store::sql::network`]); writes go through the writer,
//! which checks first what a row refers to (SQLite's foreign-key error does
//! not say which key failed), and forget the cached hubs when they change
//! what a hub listing shows.

use crate::SqliteStore;
use async_trait::async_trait;
use sqlx::Sqlite;
use thirdplace_domain::{Hub, Municipality, Operator, Region, Room, Zone};
use thirdplace_store::sql::network::{
    hub_by_id, hub_listing, municipality, operator, region, room, zone, HUB_LISTING,
};
use thirdplace_store::sql::record::{all_rows, row_by_id, rows_where, Record, Where};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{HubListing, NetworkStore, StoreResult};
use uuid::Uuid;

/// Names in SQLite's default (BINARY, byte) order.
const BY_NAME: &str = "ORDER BY name";

/// A hub's zones, by name.
const ZONES_OF_HUB: Where = Where {
    table: Zone::TABLE,
    column: "hub_id",
    rest: BY_NAME,
};

/// A hub's rooms, by name.
const ROOMS_OF_HUB: Where = Where {
    table: Room::TABLE,
    column: "hub_id",
    rest: BY_NAME,
};

#[async_trait]
impl NetworkStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        all_rows(
            &mut *self.readers.get().await,
            (Region::TABLE, BY_NAME),
            region,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        row_by_id(&mut *self.readers.get().await, Region::TABLE, id, region).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_region(&self, r: &Region) -> StoreResult<()> {
        self.hubs_changed(self.write_row(r, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_region(&self, r: &Region) -> StoreResult<()> {
        self.hubs_changed(self.write_row(r, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        all_rows(
            &mut *self.readers.get().await,
            (Municipality::TABLE, BY_NAME),
            municipality,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        row_by_id(
            &mut *self.readers.get().await,
            Municipality::TABLE,
            id,
            municipality,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.hubs_changed(self.write_row(m, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.hubs_changed(self.write_row(m, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        all_rows(
            &mut *self.readers.get().await,
            (Operator::TABLE, BY_NAME),
            operator,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        row_by_id(
            &mut *self.readers.get().await,
            Operator::TABLE,
            id,
            operator,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        self.hubs_changed(self.write_row(o, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        self.hubs_changed(self.write_row(o, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        sqlx::query(&format!("{HUB_LISTING} ORDER BY h.name"))
            .all(&mut *self.readers.get().await, hub_listing)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing> {
        let ticket = match self.hubs.get(id) {
            Ok(hub) => return Ok(hub),
            Err(ticket) => ticket,
        };
        let mut q = hub_by_id::<Sqlite>(id);
        let hub = q
            .build()
            .one(&mut *self.readers.get().await, hub_listing)
            .await?;
        self.hubs.put(ticket, &hub);
        Ok(hub)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        self.hubs_changed(self.write_row(h, true).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        self.hubs_changed(self.write_row(h, false).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        rows_where(&mut *self.readers.get().await, ZONES_OF_HUB, hub_id, zone).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        row_by_id(&mut *self.readers.get().await, Zone::TABLE, id, zone).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_row(z, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_zone(&self, z: &Zone) -> StoreResult<()> {
        self.write_row(z, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_rooms(&self, hub_id: Uuid) -> StoreResult<Vec<Room>> {
        rows_where(&mut *self.readers.get().await, ROOMS_OF_HUB, hub_id, room).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        row_by_id(&mut *self.readers.get().await, Room::TABLE, id, room).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_room(&self, r: &Room) -> StoreResult<()> {
        self.write_row(r, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_room(&self, r: &Room) -> StoreResult<()> {
        self.write_row(r, false).await
    }
}
