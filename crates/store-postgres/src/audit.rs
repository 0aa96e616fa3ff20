//! [`AuditStore`] for PostgreSQL; the table's triggers refuse updates,
//! deletes and truncation.

use crate::{db, rows, write_err, PostgresStore};
use async_trait::async_trait;
use thirdplace_store::audit_sql::{audit_entry, list_query};
use thirdplace_store::{AuditEntry, AuditFilter, AuditStore, StoreResult};

#[async_trait]
impl AuditStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, action, object_kind, object_id, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.id)
        .bind(e.at)
        .bind(e.actor_id)
        .bind(&e.action)
        .bind(&e.object_kind)
        .bind(e.object_id)
        .bind(sqlx::types::Json(&e.details))
        .execute(&self.pool)
        .await
        .map_err(write_err)
        .map(|_| ())
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
