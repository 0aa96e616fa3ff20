//! The network's rows (regions, municipalities, operators, hubs, zones and
//! rooms) in PostgreSQL: `NetworkStore` and the rows' columns and mapping
//! are shared ([`thirdplace_store::sql::network`]); here is what PostgreSQL
//! does its own way: names in byte order (`COLLATE "C"`, as SQLite orders
//! them), and a broken foreign key naming its field through the
//! constraint's name (`write_err`).

use crate::{write_err, PostgresStore, WriteOne, BY_NAME};
use sqlx::Postgres;
use thirdplace_store::sql::network::{hub_by_id, hub_listing, NetworkBackend, HUB_LISTING};
use thirdplace_store::sql::record::{self, Record};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{HubListing, StoreResult};
use uuid::Uuid;

impl NetworkBackend for PostgresStore {
    const BY_NAME: &'static str = BY_NAME;
    const HUBS_BY_NAME: &'static str = r#"ORDER BY h.name COLLATE "C", h.id"#;

    /// A broken constraint names its field.
    async fn write_row<R>(&self, r: &R, insert: bool) -> StoreResult<()>
    where
        R: Record + Clone + Send + Sync + 'static,
    {
        let mut q = record::write::<Postgres, R>(r, insert);
        q.build().write_one(&self.pool, write_err).await
    }

    async fn hub_listings(&self) -> StoreResult<Vec<HubListing>> {
        sqlx::query(&format!("{HUB_LISTING} {}", Self::HUBS_BY_NAME))
            .all(&self.pool, hub_listing)
            .await
    }

    async fn hub_listing(&self, id: Uuid) -> StoreResult<HubListing> {
        let mut q = hub_by_id::<Postgres>(id);
        q.build().one(&self.pool, hub_listing).await
    }
}
