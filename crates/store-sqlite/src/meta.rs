//! [`MetaStore`] for SQLite: the backend's name, its ping and the `meta`
//! table (queries in [`thirdplace_store::sql::meta`]).

use crate::dialect::Lite;
use crate::SqliteStore;
use async_trait::async_trait;
use thirdplace_store::sql::meta as shared;
use thirdplace_store::{MetaStore, StoreResult};

#[async_trait]
impl MetaStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        shared::ping::<Lite>(&mut *self.pooled().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>> {
        shared::get_meta::<Lite>(&mut *self.readers.get().await, key).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        shared::set_meta::<Lite>(&mut *self.pooled().await?, key, value).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        let (key, value) = (key.to_owned(), value.to_owned());
        write!(self, |conn| shared::meta_get_or_insert::<Lite>(
            conn, &key, &value
        )
        .await)
    }
}
