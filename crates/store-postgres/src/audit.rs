//! [`AuditStore`] for PostgreSQL; the table's triggers refuse updates,
//! deletes and truncation.

use crate::dialect::Pg;
use crate::{db, rows, PostgresStore};
use async_trait::async_trait;
use thirdplace_store::audit_sql::{append, audit_entry, list_query};
use thirdplace_store::{AuditEntry, AuditFilter, AuditStore, StoreResult};

#[async_trait]
impl AuditStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        append::<Pg>(&mut *self.conn().await?, e).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_audit(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let r = list_query(f, "details::text")
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows(&r, audit_entry)
    }
}
