//! The shared store contract, run against a fresh SQLite file per test.

use thirdplace_store_sqlite::SqliteStore;

async fn fresh_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    (SqliteStore::connect(&url).await.unwrap(), dir)
}

thirdplace_store::contract_tests!(fresh_store().await);
