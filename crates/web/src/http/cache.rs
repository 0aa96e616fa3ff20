//! A short-lived cache of what anonymous visitors are shown: the public hub
//! list (JSON) and the public pages (HTML). These are read thousands of
//! times for each change.
//!
//! The database stays the only source of truth: an entry lives at most
//! `ttl` (one second by default), and every successful write through this
//! process clears the whole cache at once (see [`invalidate_on_write`]).
//! With several processes on one PostgreSQL, another process's change is
//! visible here within `ttl`. Signed-in people never get cached pages.

use crate::http::error::AppResult;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct PublicCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Arc<str>)>>,
}

impl PublicCache {
    /// `ttl` zero turns the cache off.
    pub fn new(ttl: Duration) -> Self {
        PublicCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached text for `key`, or `render`'s, which is then kept for
    /// `ttl`. Errors are not cached.
    pub async fn get_or_render<F, Fut>(&self, key: &str, render: F) -> AppResult<Arc<str>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<String>>,
    {
        if self.ttl.is_zero() {
            return render().await.map(Arc::from);
        }
        let now = Instant::now();
        if let Some((at, text)) = self.lock().get(key) {
            if now.duration_since(*at) < self.ttl {
                return Ok(text.clone());
            }
        }
        let text: Arc<str> = Arc::from(render().await?);
        self.lock().insert(key.to_string(), (now, text.clone()));
        Ok(text)
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<str>)>> {
        // A panic while holding the lock leaves only a cache behind: use it.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Middleware: any request that may have changed something (not GET, HEAD
/// or OPTIONS) and succeeded clears the cache, so this process never shows
/// its own users stale data.
pub async fn invalidate_on_write(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    if writes && resp.status().as_u16() < 400 {
        state.cache.clear();
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_live_until_their_time_is_up_or_the_cache_is_cleared() {
        let cache = PublicCache::new(Duration::from_millis(200));
        let a = cache
            .get_or_render("k", || async { Ok("one".to_string()) })
            .await
            .unwrap();
        let b = cache
            .get_or_render("k", || async { Ok("two".to_string()) })
            .await
            .unwrap();
        assert_eq!((&*a, &*b), ("one", "one"));
        cache.clear();
        let c = cache
            .get_or_render("k", || async { Ok("three".to_string()) })
            .await
            .unwrap();
        assert_eq!(&*c, "three");
        tokio::time::sleep(Duration::from_millis(250)).await;
        let d = cache
            .get_or_render("k", || async { Ok("four".to_string()) })
            .await
            .unwrap();
        assert_eq!(&*d, "four");
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_zero_ttl_turns_it_off() {
        let cache = PublicCache::new(Duration::from_secs(60));
        assert!(cache
            .get_or_render("k", || async { Err(crate::AppError::NotFound) })
            .await
            .is_err());
        assert_eq!(
            &*cache
                .get_or_render("k", || async { Ok("x".to_string()) })
                .await
                .unwrap(),
            "x"
        );
        let off = PublicCache::new(Duration::ZERO);
        off.get_or_render("k", || async { Ok("1".to_string()) })
            .await
            .unwrap();
        assert_eq!(
            &*off
                .get_or_render("k", || async { Ok("2".to_string()) })
                .await
                .unwrap(),
            "2"
        );
    }
}
