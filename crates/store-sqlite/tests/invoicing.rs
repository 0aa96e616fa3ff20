//! Gap-free invoice numbers with issue requests as tokio tasks: over one
//! store, and over two stores on one SQLite file (two server processes,
//! each with its own writer, taking turns on the file's write lock).

use std::sync::Arc;
use thirdplace_store::contract::invoicing::a_hundred_issues_in_tasks_over_two_stores;
use thirdplace_store::Store;
use thirdplace_store_sqlite::SqliteStore;

async fn open(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    Arc::new(SqliteStore::connect(&url).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_issue_tasks_over_one_store_number_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    a_hundred_issues_in_tasks_over_two_stores(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_issue_tasks_over_two_stores_on_one_file_number_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir).await;
    let b = open(&dir).await;
    a_hundred_issues_in_tasks_over_two_stores(a, b).await;
}

/// Issued invoices are kept as issued in the database itself: only the
/// payment state may change; an UPDATE of anything else, or a DELETE, sent
/// past the store is refused.
#[tokio::test]
async fn issued_invoices_refuse_changes_but_their_payment_state() {
    use thirdplace_store::contract::invoicing::one_issued_invoice;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    let inv = one_issued_invoice(&store).await;
    for sql in [
        "UPDATE invoices SET gross_ore = 1",
        "UPDATE invoices SET seller = '{}'",
        "DELETE FROM invoices",
        "UPDATE invoice_lines SET net_ore = 1",
        "DELETE FROM invoice_lines",
    ] {
        let e = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(e.to_string().contains("immutable"), "{sql}: {e}");
    }
    sqlx::query("UPDATE invoices SET paid_on = '2026-12-20'")
        .execute(store.pool())
        .await
        .unwrap();
    let now = thirdplace_store::InvoicingStore::invoice(&store, inv.id)
        .await
        .unwrap();
    assert_eq!(now.gross_ore, inv.gross_ore);
    assert!(now.paid_on.is_some());
}
