//! A few read connections kept outside sqlx's pool, for the reads that
//! every check-in and checkout makes (the API token, the seats held, the
//! check-in, the hub) and the access summary.
//!
//! Why: sqlx's pool, when a connection comes back, spawns a task that pings
//! the connection, and with SQLite a ping is one more round trip to the
//! connection's own thread — as much as the query itself. Here a
//! connection is borrowed under a mutex and given back for free. Only
//! reads use these connections; writes go through the writer.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::ConnectOptions;
use std::sync::atomic::{AtomicUsize, Ordering};
use thirdplace_store::StoreResult;
use tokio::sync::{Mutex, MutexGuard};

#[derive(Debug)]
pub(crate) struct Readers {
    conns: Vec<Mutex<SqliteConnection>>,
    next: AtomicUsize,
}

impl Readers {
    pub(crate) async fn open(options: &SqliteConnectOptions, n: usize) -> StoreResult<Self> {
        let mut conns = Vec::with_capacity(n);
        for _ in 0..n.max(1) {
            conns.push(Mutex::new(options.connect().await.map_err(super::db)?));
        }
        Ok(Readers {
            conns,
            next: AtomicUsize::new(0),
        })
    }

    /// A free connection if there is one, else the next one in turn.
    pub(crate) async fn get(&self) -> MutexGuard<'_, SqliteConnection> {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            if let Ok(conn) = self.conns[(start + i) % n].try_lock() {
                return conn;
            }
        }
        self.conns[start].lock().await
    }
}
