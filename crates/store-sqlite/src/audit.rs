//! [`AuditStore`] for SQLite: appends go through the writer; the table's
//! triggers refuse updates and deletes.

use crate::{db, rows, write_err, SqliteStore};
use async_trait::async_trait;
use thirdplace_store::audit_sql::{audit_entry, list_query};
use thirdplace_store::{AuditEntry, AuditFilter, AuditStore, StoreResult};

#[async_trait]
impl AuditStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        let e = e.clone();
        write!(self, |conn| {
            sqlx::query(
                "INSERT INTO audit_log (id, at, actor_id, action, object_kind, object_id, details) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.id)
            .bind(e.at)
            .bind(e.actor_id)
            .bind(&e.action)
            .bind(&e.object_kind)
            .bind(e.object_id)
            .bind(e.details.to_string())
            .execute(&mut *conn)
            .await
            .map_err(write_err)
            .map(|_| ())
        })
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
