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
