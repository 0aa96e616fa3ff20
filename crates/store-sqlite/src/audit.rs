//! [`AuditStore`] for SQLite: appends go through the writer; the table's
//! triggers refuse updates and deletes.

use crate::dialect::Lite;
use crate::{db, rows, SqliteStore};
use async_trait::async_trait;
use thirdplace_store::audit_sql::{append, audit_entry, list_query};
use thirdplace_store::{AuditEntry, AuditFilter, AuditStore, StoreResult};

#[async_trait]
impl AuditStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        let e = e.clone();
        write!(self, |conn| append::<Lite>(conn, &e).await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn list_audit(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let r = list_query(f, "details")
            .build()
            .fetch_all(&mut *self.readers.get().await)
            .await
            .map_err(db)?;
        rows(&r, audit_entry)
    }
}
