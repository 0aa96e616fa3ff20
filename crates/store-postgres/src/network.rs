//! [`NetworkStore`] for PostgreSQL: regions, municipalities, operators, hubs,
//! zones and rooms. Their columns and row mapping are shared
//! ([`thirdplace_store::sql::network`]); a broken foreign key names its
//! field through the constraint's name (`write_err`).

use crate::{PostgresStore, BY_NAME};
use async_trait::async_trait;
use sqlx::Postgres;
use thirdplace_domain::{Hub, Municipality, Operator, Region, Room, Zone};
use thirdplace_store::sql::network::{
    hub_by_id, hub_listing, municipality, operator, region, room, zone, HUB_LISTING,
};
use thirdplace_store::sql::record::{all_rows, row_by_id, rows_where, Record, Where};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{HubListing, NetworkStore, StoreResult};
use uuid::Uuid;

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
impl NetworkStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_regions(&self) -> StoreResult<Vec<Region>> {
        all_rows(&self.pool, (Region::TABLE, BY_NAME), region).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_region(&self, id: Uuid) -> StoreResult<Region> {
        row_by_id(&self.pool, Region::TABLE, id, region).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_region(&self, r: &Region) -> StoreResult<()> {
        self.write_row(r, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_region(&self, r: &Region) -> StoreResult<()> {
        self.write_row(r, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_municipalities(&self) -> StoreResult<Vec<Municipality>> {
        all_rows(&self.pool, (Municipality::TABLE, BY_NAME), municipality).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_municipality(&self, id: Uuid) -> StoreResult<Municipality> {
        row_by_id(&self.pool, Municipality::TABLE, id, municipality).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.write_row(m, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_municipality(&self, m: &Municipality) -> StoreResult<()> {
        self.write_row(m, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_operators(&self) -> StoreResult<Vec<Operator>> {
        all_rows(&self.pool, (Operator::TABLE, BY_NAME), operator).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_operator(&self, id: Uuid) -> StoreResult<Operator> {
        row_by_id(&self.pool, Operator::TABLE, id, operator).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_operator(&self, o: &Operator) -> StoreResult<()> {
        self.write_row(o, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_operator(&self, o: &Operator) -> StoreResult<()> {
        self.write_row(o, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_hubs(&self) -> StoreResult<Vec<HubListing>> {
        sqlx::query(&format!(
            r#"{HUB_LISTING} ORDER BY h.name COLLATE "C", h.id"#
        ))
        .all(&self.pool, hub_listing)
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_hub(&self, id: Uuid) -> StoreResult<HubListing> {
        let mut q = hub_by_id::<Postgres>(id);
        q.build().one(&self.pool, hub_listing).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_hub(&self, h: &Hub) -> StoreResult<()> {
        self.write_row(h, true).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_hub(&self, h: &Hub) -> StoreResult<()> {
        self.write_row(h, false).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_zones(&self, hub_id: Uuid) -> StoreResult<Vec<Zone>> {
        rows_where(&self.pool, ZONES_OF_HUB, hub_id, zone).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_zone(&self, id: Uuid) -> StoreResult<Zone> {
        row_by_id(&self.pool, Zone::TABLE, id, zone).await
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
        rows_where(&self.pool, ROOMS_OF_HUB, hub_id, room).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_room(&self, id: Uuid) -> StoreResult<Room> {
        row_by_id(&self.pool, Room::TABLE, id, room).await
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
