//! Throw-away PostgreSQL databases for tests (the `testing` feature): each
//! test gets a database of its own on the server that
//! `THIRDPLACE_TEST_POSTGRES_URL` names, so tests run in parallel, and the
//! database is dropped when the test's [`TestDatabaseGuard`] goes, whether
//! the test passed or panicked.
//!
//! Test code only: these helpers create and drop databases and panic on
//! failure instead of returning errors.

use crate::PostgresStore;
use sqlx::{Connection, Executor, PgConnection};
use std::io::Write;
use std::sync::Once;
use uuid::Uuid;

/// The environment variable naming the server tests may create databases on,
/// e.g. `postgres://postgres@127.0.0.1:5432/test`.
pub const URL_VARIABLE: &str = "THIRDPLACE_TEST_POSTGRES_URL";

/// Every test database's name starts with this, so a leftover one is easy
/// to recognise (and to drop by hand).
pub const DATABASE_PREFIX: &str = "tp_test_";

/// The test server's URL, or `None` when `THIRDPLACE_TEST_POSTGRES_URL` is
/// unset: then PostgreSQL tests skip themselves, and one line on stderr says
/// so. Under CI (`CI=true`) an unset variable panics instead, so that a green
/// CI run never means "PostgreSQL was not tested".
pub fn base_url_from_env() -> Option<String> {
    if let Some(url) = std::env::var(URL_VARIABLE)
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        return Some(url);
    }
    if std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1") {
        panic!(
            "{URL_VARIABLE} is not set, but PostgreSQL is required under CI (CI=true): \
             point it at a server where tests may create databases, \
             e.g. postgres://postgres@127.0.0.1:5432/test"
        );
    }
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        // Straight to stderr: the test harness captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "PostgreSQL tests skipped: {URL_VARIABLE} is not set"
        );
    });
    None
}

/// Creates an empty database with a unique name on the server at `base_url`
/// and returns its URL and the guard that drops it. The database is not
/// migrated; [`PostgresStore::connect`] does that.
pub async fn create_test_database(base_url: &str) -> (String, TestDatabaseGuard) {
    let name = format!("{DATABASE_PREFIX}{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(base_url).await.unwrap_or_else(|e| {
        panic!("cannot connect to the PostgreSQL test server ({URL_VARIABLE}): {e}")
    });
    admin
        .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let _ = admin.close().await;
    let url = with_database(base_url, &name);
    (
        url,
        TestDatabaseGuard {
            base_url: base_url.to_owned(),
            name,
        },
    )
}

/// A fresh, migrated store in a database of its own.
pub async fn create_test_store(base_url: &str) -> (PostgresStore, TestDatabaseGuard) {
    let (url, guard) = create_test_database(base_url).await;
    let store = PostgresStore::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open test database {}: {e}", guard.name()));
    (store, guard)
}

/// Keeps a test database alive; dropping it drops the database
/// (`WITH (FORCE)`, so connections still open to it do not stop that).
#[derive(Debug)]
pub struct TestDatabaseGuard {
    base_url: String,
    name: String,
}

impl TestDatabaseGuard {
    /// The database's name, `tp_test_<uuid>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database's URL, for another pool or another process.
    pub fn url(&self) -> String {
        with_database(&self.base_url, &self.name)
    }
}

impl Drop for TestDatabaseGuard {
    fn drop(&mut self) {
        let base_url = self.base_url.clone();
        let name = self.name.clone();
        // `drop` cannot await, and it may run on a current-thread runtime
        // that is blocked right here, so the clean-up gets a thread and a
        // runtime of its own, and we wait for it: the database is gone when
        // the test ends, and none are left behind by the process exiting.
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(drop_database(&base_url, &name))
                .map_err(|e| e.to_string())
        })
        .join();
        let problem = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e,
            Err(_) => "the clean-up thread panicked".to_owned(),
        };
        let _ = writeln!(
            std::io::stderr(),
            "could not drop test database {}: {problem}",
            self.name
        );
    }
}

async fn drop_database(base_url: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut admin = PgConnection::connect(base_url).await?;
    admin
        .execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str())
        .await?;
    admin.close().await
}

/// `url` with its database (the path) replaced by `name`, query kept.
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let authority = head.find("://").map_or(0, |i| i + 3);
    let path = head[authority..]
        .find('/')
        .map_or(head.len(), |i| authority + i);
    let mut out = format!("{}/{name}", &head[..path]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_is_swapped_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "tp_x"),
            "postgres://postgres@127.0.0.1:5432/tp_x"
        );
        assert_eq!(
            with_database("postgres://u:p@db/test?sslmode=disable", "tp_x"),
            "postgres://u:p@db/tp_x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://localhost", "tp_x"),
            "postgres://localhost/tp_x"
        );
        assert_eq!(
            with_database("postgresql://localhost/?application_name=t", "tp_x"),
            "postgresql://localhost/tp_x?application_name=t"
        );
    }
}
