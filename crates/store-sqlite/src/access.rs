//! [`AccessStore`] for SQLite: the shared queries of
//! [`thirdplace_store::sql::access`], writes in the writer's transaction.

use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Sqlite;
use thirdplace_store::sql::access::Tokens;
use thirdplace_store::{
    AccessOverview, AccessStore, OneTimeToken, StoreResult, TokenKind, Unusable,
};
use uuid::Uuid;

type Sql = Tokens<Sqlite>;

#[async_trait]
impl AccessStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn issue_token(&self, t: &OneTimeToken) -> StoreResult<()> {
        let t = t.clone();
        write!(self, |conn| Sql::issue(conn, &t).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn find_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
    ) -> StoreResult<Option<OneTimeToken>> {
        Sql::find(&mut *self.readers.get().await, kind, token_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_token(
        &self,
        kind: TokenKind,
        token_hash: &str,
        now: DateTime<Utc>,
        password_hash: &str,
    ) -> StoreResult<Result<OneTimeToken, Unusable>> {
        let (token_hash, password_hash) = (token_hash.to_owned(), password_hash.to_owned());
        write!(self, |conn| Sql::take(
            conn,
            kind,
            &token_hash,
            now,
            &password_hash
        )
        .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn latest_token(
        &self,
        person_id: Uuid,
        kind: TokenKind,
    ) -> StoreResult<Option<OneTimeToken>> {
        Sql::latest(&mut *self.readers.get().await, person_id, kind).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_tokens(
        &self,
        person_id: Uuid,
        kind: TokenKind,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        write!(self, |conn| Sql::revoke(conn, person_id, kind, at).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn access_overview(&self, organisation_id: Option<Uuid>) -> StoreResult<AccessOverview> {
        Sql::overview(&mut *self.readers.get().await, organisation_id).await
    }
}
