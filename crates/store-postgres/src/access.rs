//! [`AccessStore`] for PostgreSQL: the shared queries of
//! [`thirdplace_store::sql::access`], writes in a transaction of their own.

use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Postgres;
use thirdplace_store::sql::access::Tokens;
use thirdplace_store::{
    AccessOverview, AccessStore, OneTimeToken, StoreResult, TokenKind, Unusable,
};
use uuid::Uuid;

type Sql = Tokens<Postgres>;

#[async_trait]
impl AccessStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn issue_token(&self, t: &OneTimeToken) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        Sql::issue(&mut tx, t).await?;
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
    ) -> StoreResult<Option<OneTimeToken>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::find(&mut conn, kind, token_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> StoreResult<Result<OneTimeToken, Unusable>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let taken = Sql::take(&mut tx, kind, token_hash, now, password_hash).await?;
        // A refusal wrote nothing; committing it is as good as rolling back.
        tx.commit().await.map_err(db)?;
        Ok(taken)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn latest_token(
        &self,
        person_id: Uuid,
        kind: TokenKind,
    ) -> StoreResult<Option<OneTimeToken>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::latest(&mut conn, person_id, kind).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_tokens(
        &self,
        person_id: Uuid,
        kind: TokenKind,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::revoke(&mut conn, person_id, kind, at).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn access_overview(&self, organisation_id: Option<Uuid>) -> StoreResult<AccessOverview> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::overview(&mut conn, organisation_id).await
    }
}
