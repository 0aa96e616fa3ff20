//! The shared store contract, run against a fresh PostgreSQL database per
//! test on the server that `THIRDPLACE_TEST_POSTGRES_URL` names. Without
//! that variable the tests skip themselves, except under CI, where they fail.

use thirdplace_store_postgres::testing::{base_url_from_env, create_test_store, TestDatabaseGuard};
use thirdplace_store_postgres::PostgresStore;

async fn fresh_store() -> Option<(PostgresStore, TestDatabaseGuard)> {
    let base_url = base_url_from_env()?;
    Some(create_test_store(&base_url).await)
}

// `contract_tests!` evaluates its argument inside each generated test, so
// `return` there ends that test early: that is how a test skips itself.
thirdplace_store::contract_tests!(match fresh_store().await {
    Some(store_and_guard) => store_and_guard,
    None => return,
});

/// The audit trail is append-only in the database itself: an UPDATE, a
/// DELETE or a TRUNCATE sent past the store is refused.
#[tokio::test]
async fn the_audit_log_refuses_updates_deletes_and_truncation() {
    use thirdplace_store::{AuditEntry, AuditStore};
    let Some((store, _guard)) = fresh_store().await else {
        return;
    };
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
        "TRUNCATE audit_log",
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
