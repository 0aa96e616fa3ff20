//! Rendered iCalendar feeds and anonymous calendar pages, kept under the
//! database's calendar generation ([`Store::calendar_version`]).
//!
//! A network's feed of 10 000 events is several megabytes that take tens
//! of milliseconds to render, and calendar apps fetch it over and over. So
//! each request reads the generation (one row) first, and is served the
//! kept text if it was rendered at that same generation. Every committed
//! change to an event, a sign-up, a hub, room or zone raises the
//! generation inside its own transaction, whichever process made it, so
//! the next request after a change always renders afresh: unlike
//! [`crate::http::cache::PublicCache`] there is no window in which another
//! process's change is not yet seen. An entry may also carry a maximum
//! age, for what depends on the clock as well (which events are still
//! upcoming).
//!
//! The generation is read *before* the data is, so a change that commits
//! in between can only make a kept entry newer than its generation says,
//! never older. This cache must never be keyed by anything personal: only
//! what anonymous visitors see goes in.
//!
//! [`Store::calendar_version`]: thirdplace_store::Store::calendar_version

use crate::http::error::AppResult;
use axum::body::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// More distinct entries than this (hubs × topics × languages) and the
/// stale ones are dropped, or all of them if none is stale.
const MAX_ENTRIES: usize = 256;

/// A rendered text and its entity tag (a hash of the text, so an
/// unchanged feed keeps its tag across generations), and a gzip copy once
/// one is made ([`Rendered::gzip`]).
#[derive(Clone, Debug)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
    gzip: Arc<Gzip>,
}

#[derive(Debug, Default)]
struct Gzip {
    body: OnceLock<Bytes>,
    started: AtomicBool,
}

impl Rendered {
    pub fn new(body: String) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut h);
        Rendered {
            etag: format!("\"{:016x}\"", h.finish()),
            body: Bytes::from(body),
            gzip: Arc::default(),
        }
    }

    /// The tag of the gzip copy: another representation, another tag.
    pub fn gzip_etag(&self) -> String {
        format!("{}-gz\"", self.etag.trim_end_matches('"'))
    }

    /// Whether an `If-None-Match` header names this version (in either
    /// representation).
    pub fn matches(&self, if_none_match: Option<&str>) -> bool {
        let gz = self.gzip_etag();
        if_none_match.is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == self.etag || t == gz)
        })
    }

    /// The body gzipped, once it has been made. The first call starts
    /// making it off the async workers (a 4.7 MB feed takes tens of
    /// milliseconds), so the request that asks first, right after a
    /// change, is not kept waiting: it and any until then get the plain
    /// body.
    pub fn gzip(&self) -> Option<Bytes> {
        if let Some(b) = self.gzip.body.get() {
            return Some(b.clone());
        }
        if !self.gzip.started.swap(true, Ordering::AcqRel) {
            let (gzip, body) = (self.gzip.clone(), self.body.clone());
            tokio::task::spawn_blocking(move || {
                if let Ok(b) = gzipped(&body) {
                    let _ = gzip.body.set(b);
                }
            });
        }
        None
    }
}

/// `body` gzipped at the fastest level: feeds are text that compresses
/// about tenfold even so.
pub fn gzipped(body: &[u8]) -> std::io::Result<Bytes> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 8),
        flate2::Compression::fast(),
    );
    e.write_all(body)?;
    Ok(Bytes::from(e.finish()?))
}

struct Entry {
    generation: i64,
    made: Instant,
    rendered: Rendered,
}

#[derive(Default)]
pub struct CalendarCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// One render at a time per key: when an entry goes out of date, the
    /// requests that find it so wait for the first one's render instead of
    /// all rendering the same megabytes at once.
    renders: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl CalendarCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The text kept for `key` at `generation` (and not older than
    /// `max_age`, if given), or `render`'s, which is then kept. Errors are
    /// not kept.
    pub async fn get_or_render<F, Fut>(
        &self,
        key: &str,
        generation: i64,
        max_age: Option<Duration>,
        render: F,
    ) -> AppResult<Rendered>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<String>>,
    {
        if let Some(r) = self.fresh(key, generation, max_age) {
            return Ok(r);
        }
        let render_lock = {
            let mut renders = self.renders.lock().unwrap_or_else(|e| e.into_inner());
            if renders.len() >= MAX_ENTRIES && !renders.contains_key(key) {
                renders.retain(|_, l| Arc::strong_count(l) > 1);
            }
            renders.entry(key.to_string()).or_default().clone()
        };
        let _rendering = render_lock.lock().await;
        if let Some(r) = self.fresh(key, generation, max_age) {
            return Ok(r);
        }
        let made = Instant::now();
        let rendered = Rendered::new(render().await?);
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, e| e.generation == generation);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        // Never replace what a request that read a later generation kept.
        if entries.get(key).is_none_or(|e| e.generation <= generation) {
            entries.insert(
                key.to_string(),
                Entry {
                    generation,
                    made,
                    rendered: rendered.clone(),
                },
            );
        }
        Ok(rendered)
    }

    fn fresh(&self, key: &str, generation: i64, max_age: Option<Duration>) -> Option<Rendered> {
        self.lock()
            .get(key)
            .filter(|e| e.generation == generation && max_age.is_none_or(|m| e.made.elapsed() < m))
            .map(|e| e.rendered.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves only a cache behind: use it.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(c: &CalendarCache, g: i64, age: Option<Duration>, text: &str) -> String {
        let text = text.to_string();
        let r = c
            .get_or_render("k", g, age, || async move { Ok(text) })
            .await
            .unwrap();
        String::from_utf8(r.body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn an_entry_serves_its_own_generation_only() {
        let c = CalendarCache::new();
        assert_eq!(get(&c, 1, None, "one").await, "one");
        assert_eq!(get(&c, 1, None, "two").await, "one");
        assert_eq!(get(&c, 2, None, "three").await, "three");
        // A slow request that read an older generation does not win.
        assert_eq!(get(&c, 1, None, "old").await, "old");
        assert_eq!(get(&c, 2, None, "four").await, "three");
    }

    #[tokio::test]
    async fn requests_that_miss_together_render_once() {
        let c = Arc::new(CalendarCache::new());
        let renders = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (c, renders) = (c.clone(), renders.clone());
            set.spawn(async move {
                c.get_or_render("k", 1, None, || async move {
                    renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok("x".to_string())
                })
                .await
                .unwrap()
            });
        }
        while let Some(r) = set.join_next().await {
            assert_eq!(&r.unwrap().body[..], b"x");
        }
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_maximum_age_renders_again() {
        let c = CalendarCache::new();
        let age = Some(Duration::from_millis(50));
        assert_eq!(get(&c, 1, age, "one").await, "one");
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(get(&c, 1, age, "two").await, "two");
    }

    #[test]
    fn entity_tags_follow_the_text() {
        let a = Rendered::new("a".into());
        assert_eq!(a.etag, Rendered::new("a".into()).etag);
        assert_ne!(a.etag, Rendered::new("b".into()).etag);
        assert!(a.matches(Some(&a.etag)));
        assert!(a.matches(Some(&format!("\"x\", W/{}", a.etag))));
        assert!(!a.matches(Some("\"x\"")));
        assert!(!a.matches(None));
        assert!(a.gzip_etag().ends_with("-gz\"") && a.matches(Some(&a.gzip_etag())));
        assert!(!Rendered::new("b".into()).matches(Some(&a.gzip_etag())));
    }

    #[tokio::test]
    async fn the_gzip_copy_is_made_once_in_the_background_and_reads_back() {
        use std::io::Read;
        let text = "BEGIN:VEVENT\r\nSUMMARY:Frukostmöte\r\nEND:VEVENT\r\n".repeat(500);
        let r = Rendered::new(text.clone());
        let copy = r.clone();
        assert!(r.gzip().is_none(), "not made yet: the plain body now");
        let gz = loop {
            if let Some(gz) = copy.gzip() {
                break gz;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        assert!(gz.len() * 10 < text.len(), "{} bytes", gz.len());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert_eq!(r.gzip().unwrap(), gz, "kept, shared by the clones");
    }
}
