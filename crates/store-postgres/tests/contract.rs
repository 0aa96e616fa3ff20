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
