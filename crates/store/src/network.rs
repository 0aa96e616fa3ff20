//! The network of hubs: regions, municipalities, operators, hubs, their
//! zones and rooms. Changes here show in the open calendar and its feeds.

use crate::StoreResult;
use async_trait::async_trait;
use thirdplace_domain::{Hub, Municipality, Operator, Region, Room, Zone};
use uuid::Uuid;

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

/// Regions, municipalities, operators, hubs, zones and rooms.
#[async_trait]
pub trait NetworkStore: Send + Sync {
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
}
