//! The `meta` table's queries, the same in both SQL backends.

use super::backend::Backend;
use super::dialect::{self, Arg, Conn, Dialect, Run};
use super::SqlRow;
use crate::MetaStore;
use crate::StoreResult;
use async_trait::async_trait;

/// Whether the database answers.
pub async fn ping<D: Dialect>(conn: &mut Conn<D>) -> StoreResult<()> {
    dialect::run::<D>(conn, "SELECT 1", Vec::new()).await?;
    Ok(())
}

pub async fn get_meta<D: Dialect>(conn: &mut Conn<D>, key: &str) -> StoreResult<Option<String>> {
    let sql = "SELECT value FROM meta WHERE key = $1";
    dialect::optional::<D, String>(conn, sql, vec![Arg::Text(key)], |r| r.column("value")).await
}

pub async fn set_meta<D: Dialect>(conn: &mut Conn<D>, key: &str, value: &str) -> StoreResult<()> {
    let sql = "INSERT INTO meta (key, value) VALUES ($1, $2) \
               ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    dialect::write_one::<D>(conn, sql, vec![Arg::Text(key), Arg::Text(value)]).await
}

/// The value stored under `key`, storing `value` first if there is none.
/// The first writer wins; everyone (the first included) then reads its
/// value. A row once written is never deleted by this, so the `SELECT`
/// always finds one.
pub async fn meta_get_or_insert<D: Dialect>(
    conn: &mut Conn<D>,
    key: &str,
    value: &str,
) -> StoreResult<String> {
    let sql = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
    D::DB::run(conn, sql, vec![Arg::Text(key), Arg::Text(value)])
        .await
        .map_err(D::write_err)?;
    get_meta::<D>(conn, key)
        .await?
        .ok_or(crate::StoreError::NotFound)
}

#[async_trait]
impl<B: Backend> MetaStore for B {
    #[tracing::instrument(level = "debug", skip_all)]
    fn backend_name(&self) -> &'static str {
        B::NAME
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> StoreResult<()> {
        ping::<B::D>(&mut *self.pooled().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn get_meta(&self, key: &str) -> StoreResult<Option<String>> {
        get_meta::<B::D>(&mut *self.reader().await?, key).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        set_meta::<B::D>(&mut *self.pooled().await?, key, value).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn meta_get_or_insert(&self, key: &str, value: &str) -> StoreResult<String> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.write(move |c| {
            Box::pin(async move { meta_get_or_insert::<B::D>(c, &key, &value).await })
        })
        .await
    }
}
