//! [`SsoStore`] for PostgreSQL: the shared queries of
//! [`thirdplace_store::sql::sso`], writes in a transaction of their own.

use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Postgres;
use thirdplace_store::sql::sso::Sso;
use thirdplace_store::{IdentityLink, IdentityProvider, SsoFlow, SsoStore, StoreResult, Unusable};
use uuid::Uuid;

type Sql = Sso<Postgres>;

#[async_trait]
impl SsoStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        Sql::save_provider(&mut tx, p).await?;
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn provider(&self, id: Uuid) -> StoreResult<Option<IdentityProvider>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::provider(&mut conn, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn providers(&self) -> StoreResult<Vec<IdentityProvider>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::providers(&mut conn).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn provider_for_domain(&self, domain: &str) -> StoreResult<Option<IdentityProvider>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::provider_for_domain(&mut conn, domain).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn identity_link(
        &self,
        provider_id: Uuid,
        subject: &str,
    ) -> StoreResult<Option<IdentityLink>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::identity_link(&mut conn, provider_id, subject).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn has_identity_link(&self, person_id: Uuid) -> StoreResult<bool> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Sql::has_identity_link(&mut conn, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn link_identity(
        &self,
        link: &IdentityLink,
        invitation_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Unusable>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let linked = Sql::link_identity(&mut tx, link, invitation_hash, now).await?;
        if linked.is_ok() {
            tx.commit().await.map_err(db)?;
        }
        Ok(linked)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn start_flow(&self, f: &SsoFlow) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        Sql::start_flow(&mut tx, f).await?;
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_flow(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<SsoFlow, Unusable>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let taken = Sql::take_flow(&mut tx, state_hash, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(taken)
    }
}
