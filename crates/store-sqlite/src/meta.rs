//! [`MetaStore`] for SQLite: the backend's name, its ping and the `meta` table.

use crate::{db, write_err, Bind, SqliteStore};
use async_trait::async_trait;
use sqlx::sqlite::SqliteConnection;
use thirdplace_store::sql::FetchValue;
use thirdplace_store::{MetaStore, StoreResult};

pub(crate) async fn meta_get_or_insert(
    conn: &mut SqliteConnection,
    key: &str,
    value: &str,
) -> StoreResult<String> {
    sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await
        .map_err(write_err)?;
    let stored: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .value(&mut *conn)
        .await?;
    Ok(stored)
}

#[async_trait]
impl MetaStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    fn backend_name(&self) -> &'static str {
        "sqlite"
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
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .optional_value(&mut *self.readers.get().await)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        self.write_simple(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vec![Bind::Text(key), Bind::Text(value)],
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        let (key, value) = (key.to_owned(), value.to_owned());
        write!(self, |conn| meta_get_or_insert(conn, &key, &value).await)
    }
}
