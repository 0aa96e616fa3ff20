//! The network's rows (regions, municipalities, operators, hubs, zones and
//! rooms) in SQLite: `NetworkStore` and the rows' columns and mapping are
//! shared ([`thirdplace_store::sql::network`]); here is what SQLite does
//! its own way: writes go through the writer, which checks first what a row
//! refers to (SQLite's foreign-key error does not say which key failed),
//! (hub listings, like rooms and booking rules, are kept in the store's
//! [`thirdplace_store::cache::Cache`]).

use crate::{must_exist, write_err, SqliteStore, WriteOne};
use sqlx::Sqlite;
use thirdplace_store::sql::network::{hub_by_id, hub_listing, NetworkBackend, HUB_LISTING};
use thirdplace_store::sql::record::{self, Record};
use thirdplace_store::sql::Fetch;
use thirdplace_store::{HubListing, StoreResult};
use uuid::Uuid;

impl NetworkBackend for SqliteStore {
    /// Names in SQLite's default (BINARY, byte) order.
    const BY_NAME: &'static str = "ORDER BY name";
    const HUBS_BY_NAME: &'static str = "ORDER BY h.name";

    /// In the writer's transaction, after checking what `r` refers to
    /// (SQLite's foreign-key error does not say which).
    async fn write_row<R>(&self, r: &R, insert: bool) -> StoreResult<()>
    where
        R: Record + Clone + Send + Sync + 'static,
    {
        let r = r.clone();
        write!(self, |conn| {
            for (table, id, field) in r.references() {
                must_exist(conn, table, id, field).await?;
            }
            let mut q = record::write::<Sqlite, R>(&r, insert);
            q.build().write_one(&mut *conn, write_err).await
        })
    }

    async fn hub_listings(&self) -> StoreResult<Vec<HubListing>> {
        sqlx::query(&format!("{HUB_LISTING} {}", Self::HUBS_BY_NAME))
            .all(&mut *self.readers.get().await, hub_listing)
            .await
    }

    async fn hub_listing(&self, id: Uuid) -> StoreResult<HubListing> {
        let mut q = hub_by_id::<Sqlite>(id);
        q.build()
            .one(&mut *self.readers.get().await, hub_listing)
            .await
    }
}
