//! Hears of changes to what the store's [`Cache`] keeps, made by any
//! process on the database: migration 0020's triggers `NOTIFY` the channel
//! [`CHANNEL`] when hubs, rooms, booking rules, municipalities, regions or
//! operators change, PostgreSQL delivers that to every listening session
//! when the change commits, and this task empties the cache.
//!
//! The cache is on only while this task is listening: until the first
//! `LISTEN` answers, and from the moment the connection is lost until a new
//! one listens again, every read goes to the database (notifications sent
//! in between would be lost). The task ends when the store is dropped.

use sqlx::postgres::{PgListener, PgPool};
use std::sync::Arc;
use std::time::Duration;
use thirdplace_store::cache::Cache;
use tokio::sync::oneshot;

pub(crate) const CHANNEL: &str = "thirdplace_cache";

/// Kept by the store (in every clone); when the last one goes, so does the
/// listening task.
#[derive(Debug)]
pub(crate) struct Stop(#[allow(dead_code)] oneshot::Sender<()>);

/// Starts listening for `cache` on a connection of its own (made with the
/// pool's options, not taken from the pool).
pub(crate) fn start(pool: &PgPool, cache: Arc<Cache>) -> Stop {
    let (stop, stopped) = oneshot::channel();
    let pool = pool.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = listen(&pool, &cache) => {}
            _ = stopped => {}
        }
        cache.set_live(false);
    });
    Stop(stop)
}

async fn listen(pool: &PgPool, cache: &Cache) {
    let mut pause = Duration::from_millis(100);
    loop {
        match PgListener::connect_with(pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    cache.set_live(true);
                    pause = Duration::from_millis(100);
                    while let Ok(Some(_)) = listener.try_recv().await {
                        cache.clear();
                    }
                    // The connection was lost: what changed meanwhile is
                    // unknown. Listen anew on a new connection.
                    tracing::warn!("lost the cache notification channel; reading without cache");
                    cache.set_live(false);
                }
                Err(e) => tracing::warn!(error = %e, "cannot LISTEN for cache changes"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot connect to LISTEN for cache changes"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}
