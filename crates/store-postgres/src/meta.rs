//! [`MetaStore`] for PostgreSQL: the backend's name, its ping and the `meta` table.

use crate::{db, Bind, PostgresStore};
use async_trait::async_trait;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{MetaStore, StoreResult};

#[async_trait]
impl MetaStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .optional_value(&self.pool)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![Bind::Text(key), Bind::Text(value)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        // The first writer wins; everyone (the first included) then reads its
        // value. A row once written is never deleted by this, so the SELECT
        // always finds one.
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .value(&self.pool)
            .await
    }
}
