//! [`MetaStore`] for PostgreSQL: the backend's name, its ping and the
//! `meta` table (queries in [`thirdplace_store::sql::meta`]), each on a
//! connection of the pool.

use crate::dialect::Pg;
use crate::PostgresStore;
use async_trait::async_trait;
use thirdplace_store::sql::meta as shared;
use thirdplace_store::{MetaStore, StoreResult};

#[async_trait]
impl MetaStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        shared::ping::<Pg>(&mut *self.conn().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>> {
        shared::get_meta::<Pg>(&mut *self.conn().await?, key).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        shared::set_meta::<Pg>(&mut *self.conn().await?, key, value).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        shared::meta_get_or_insert::<Pg>(&mut *self.conn().await?, key, value).await
    }
}
