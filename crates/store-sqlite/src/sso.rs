//! [`SsoStore`] for SQLite: the shared queries of
//! [`thirdplace_store::sql::sso`], writes in the writer's transaction.

use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Sqlite;
use thirdplace_store::sql::sso::Sso;
use thirdplace_store::{IdentityLink, IdentityProvider, SsoFlow, SsoStore, StoreResult, Unusable};
use uuid::Uuid;

type Sql = Sso<Sqlite>;

#[async_trait]
impl SsoStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_provider(&self, p: &IdentityProvider) -> StoreResult<()> {
        let p = p.clone();
        write!(self, |conn| Sql::save_provider(conn, &p).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn provider(&self, id: Uuid) -> StoreResult<Option<IdentityProvider>> {
        Sql::provider(&mut *self.readers.get().await, id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn providers(&self) -> StoreResult<Vec<IdentityProvider>> {
        Sql::providers(&mut *self.readers.get().await).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn provider_for_domain(&self, domain: &str) -> StoreResult<Option<IdentityProvider>> {
        Sql::provider_for_domain(&mut *self.readers.get().await, domain).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn identity_link(
        &self,
        provider_id: Uuid,
        subject: &str,
    ) -> StoreResult<Option<IdentityLink>> {
        Sql::identity_link(&mut *self.readers.get().await, provider_id, subject).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn has_identity_link(&self, person_id: Uuid) -> StoreResult<bool> {
        Sql::has_identity_link(&mut *self.readers.get().await, person_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn link_identity(
        &self,
        link: &IdentityLink,
        invitation_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), Unusable>> {
        let (link, hash) = (link.clone(), invitation_hash.map(str::to_owned));
        write!(self, |conn| Sql::link_identity(
            conn,
            &link,
            hash.as_deref(),
            now
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn start_flow(&self, f: &SsoFlow) -> StoreResult<()> {
        let f = f.clone();
        write!(self, |conn| Sql::start_flow(conn, &f).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_flow(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<SsoFlow, Unusable>> {
        let state_hash = state_hash.to_owned();
        write!(self, |conn| Sql::take_flow(conn, &state_hash, now).await)
    }
}
