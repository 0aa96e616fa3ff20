//! The shared store contract, run against a fresh SQLite file per test.

use thirdplace_store_sqlite::SqliteStore;

async fn fresh_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    (SqliteStore::connect(&url).await.unwrap(), dir)
}

thirdplace_store::contract_tests!(fresh_store().await);

/// The audit trail is append-only in the database itself: an UPDATE or a
/// DELETE sent past the store is refused.
#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    use thirdplace_store::{AuditEntry, AuditStore};
    let (store, _dir) = fresh_store().await;
    let id = thirdplace_domain::new_id();
    store
        .append_audit(&AuditEntry {
            id,
            at: chrono::Utc::now(),
            actor_id: None,
            action: "plan.created".into(),
            object_kind: "plan".into(),
            object_id: id,
            details: serde_json::json!({}),
        })
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'plan.deleted'",
        "DELETE FROM audit_log",
    ] {
        let e = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'plan.created'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
}
