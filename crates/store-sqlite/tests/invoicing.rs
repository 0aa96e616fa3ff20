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
