//! Gap-free invoice numbers with issue requests as tokio tasks: over one
//! store, and over two stores (two pools: two server processes) sharing one
//! PostgreSQL database. Skipped without `THIRDPLACE_TEST_POSTGRES_URL`.

use std::sync::Arc;
use thirdplace_store::contract::invoicing::a_hundred_issues_in_tasks_over_two_stores;
use thirdplace_store::Store;
use thirdplace_store_postgres::testing::{base_url_from_env, create_test_database};
use thirdplace_store_postgres::PostgresStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_issue_tasks_over_one_store_number_without_gaps() {
    let Some(base) = base_url_from_env() else {
        return;
    };
    let (url, _guard) = create_test_database(&base).await;
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    a_hundred_issues_in_tasks_over_two_stores(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_issue_tasks_over_two_processes_number_without_gaps() {
    let Some(base) = base_url_from_env() else {
        return;
    };
    let (url, _guard) = create_test_database(&base).await;
    let a: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    a_hundred_issues_in_tasks_over_two_stores(a, b).await;
}

/// Issued invoices are kept as issued in the database itself: only the
/// payment state may change; an UPDATE of anything else, a DELETE or a
/// TRUNCATE sent past the store is refused.
#[tokio::test]
async fn issued_invoices_refuse_changes_but_their_payment_state() {
    use thirdplace_store::contract::invoicing::one_issued_invoice;
    let Some(base) = base_url_from_env() else {
        return;
    };
    let (url, _guard) = create_test_database(&base).await;
    let store = PostgresStore::connect(&url).await.unwrap();
    let inv = one_issued_invoice(&store).await;
    for sql in [
        "UPDATE invoices SET gross_ore = 1",
        "UPDATE invoices SET seller = '{}'",
        "DELETE FROM invoices",
        "TRUNCATE invoices CASCADE",
        "UPDATE invoice_lines SET net_ore = 1",
        "DELETE FROM invoice_lines",
    ] {
        let e = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(e.to_string().contains("immutable"), "{sql}: {e}");
    }
    sqlx::query("UPDATE invoices SET paid_on = DATE '2026-12-20'")
        .execute(store.pool())
        .await
        .unwrap();
    let now = thirdplace_store::InvoicingStore::invoice(&store, inv.id)
        .await
        .unwrap();
    assert_eq!(now.gross_ore, inv.gross_ore);
    assert!(now.paid_on.is_some());
}
