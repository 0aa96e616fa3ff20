//! Migrations on PostgreSQL: several processes may start at once against
//! one database, and each runs `migrate` on start-up.

use thirdplace_store::MetaStore;
use thirdplace_store_postgres::testing::{base_url_from_env, create_test_database};
use thirdplace_store_postgres::PostgresStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_start_ups_migrate_once_and_all_succeed() {
    let Some(base_url) = base_url_from_env() else {
        return;
    };
    let (url, _guard) = create_test_database(&base_url).await;
    // Separate pools are separate sessions, as separate processes would be;
    // sqlx's migrator serialises them with an advisory lock.
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { PostgresStore::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for start in starts {
        stores.push(
            start
                .await
                .unwrap()
                .expect("every start-up migrates or finds nothing to do"),
        );
    }
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(stores[0].pool())
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(applied, files as i64);
    for store in &stores {
        store.migrate().await.unwrap();
        store.ping().await.unwrap();
    }
}
