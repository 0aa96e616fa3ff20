//! A process's copy of what nearly every request reads and hardly anyone
//! writes: hub listings ([`NetworkStore::get_hub`]), rooms
//! ([`NetworkStore::get_room`]) and hubs' booking rules
//! ([`BookingStore::booking_rules`]). A booking, a check-in and an
//! availability answer each need them; they change a few times a year.
//!
//! The database stays the source of truth, and the cache only ever answers
//! with what it read there:
//! - a write through this process to any of them (or to a municipality,
//!   region or operator, which a listing names) empties the cache as soon as
//!   it is committed;
//! - a listing read from the database while a write cleared the cache is
//!   not kept (the read's [`Ticket`] is from before the clear);
//! - writes made by other processes: PostgreSQL tells every process through
//!   `LISTEN`/`NOTIFY` (migration 0020's triggers; `thirdplace-store-postgres`'s
//!   `listener.rs`), which empties its cache; while that channel is down the
//!   cache is switched off ([`Cache::set_live`]) and every read goes to the
//!   database. SQLite's other processes (the CLI, say) have no such
//!   channel: there entries live for a second ([`SQLITE_TTL`]), as with
//!   the web layer's public cache.
//!
//! [`NetworkStore::get_hub`]: crate::NetworkStore::get_hub
//! [`NetworkStore::get_room`]: crate::NetworkStore::get_room
//! [`BookingStore::booking_rules`]: crate::BookingStore::booking_rules

use crate::{HubListing, StoreResult};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use thirdplace_domain::booking::BookingRules;
use thirdplace_domain::Room;
use uuid::Uuid;

/// How long SQLite keeps an entry (other processes' writes are seen after
/// at most this long).
pub const SQLITE_TTL: Duration = Duration::from_secs(1);

/// How long PostgreSQL keeps an entry: notifications empty the cache at
/// once, so this only bounds the damage of a notification lost without the
/// channel noticing (which PostgreSQL does not do).
pub const POSTGRES_TTL: Duration = Duration::from_secs(300);

#[derive(Debug)]
pub struct Cache {
    ttl: Duration,
    /// Off while the backend cannot tell about other processes' writes.
    live: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
pub struct Inner {
    /// Bumped by every clear: a row read from the database before a write
    /// committed must not be kept after the write cleared the cache.
    generation: u64,
    hubs: HashMap<Uuid, (Instant, HubListing)>,
    rooms: HashMap<Uuid, (Instant, Room)>,
    rules: HashMap<Uuid, (Instant, BookingRules)>,
}

/// What the cache keeps: each kind in a map of its own, by id.
pub trait Cached: Clone + Send + 'static {
    fn map(inner: &mut Inner) -> &mut HashMap<Uuid, (Instant, Self)>;
}

impl Cached for HubListing {
    fn map(inner: &mut Inner) -> &mut HashMap<Uuid, (Instant, Self)> {
        &mut inner.hubs
    }
}

impl Cached for Room {
    fn map(inner: &mut Inner) -> &mut HashMap<Uuid, (Instant, Self)> {
        &mut inner.rooms
    }
}

/// By hub id.
impl Cached for BookingRules {
    fn map(inner: &mut Inner) -> &mut HashMap<Uuid, (Instant, Self)> {
        &mut inner.rules
    }
}

/// What a miss hands back, to be given to [`Cache::put`].
#[derive(Debug, Clone, Copy)]
pub struct Ticket(Option<u64>);

impl Cache {
    /// A cache whose entries live for `ttl`, on (`live`) or not.
    pub fn new(ttl: Duration, live: bool) -> Self {
        Cache {
            ttl,
            live: AtomicBool::new(live),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get<T: Cached>(&self, id: Uuid) -> Result<T, Ticket> {
        if !self.live.load(Ordering::Acquire) {
            return Err(Ticket(None));
        }
        let mut inner = self.lock();
        let generation = inner.generation;
        match T::map(&mut inner).get(&id) {
            Some((at, value)) if at.elapsed() < self.ttl => Ok(value.clone()),
            _ => Err(Ticket(Some(generation))),
        }
    }

    /// Keeps `value`, read after `get` gave `ticket`, unless the cache was
    /// cleared (or switched off) in between.
    pub fn put<T: Cached>(&self, ticket: Ticket, id: Uuid, value: &T) {
        let mut inner = self.lock();
        if ticket.0 == Some(inner.generation) && self.live.load(Ordering::Acquire) {
            T::map(&mut inner).insert(id, (Instant::now(), value.clone()));
        }
    }

    /// Forgets everything (a write may have changed it).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.hubs.clear();
        inner.rooms.clear();
        inner.rules.clear();
    }

    /// Switches the cache on or off; either way it starts empty, since
    /// writes may have been missed while it was off.
    pub fn set_live(&self, live: bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.hubs.clear();
        inner.rooms.clear();
        inner.rules.clear();
        self.live.store(live, Ordering::Release);
    }

    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }
}

/// `id`'s value from `cache`, or loaded with `load` (and kept).
pub async fn through<T, F>(cache: &Cache, id: Uuid, load: F) -> StoreResult<T>
where
    T: Cached,
    F: Future<Output = StoreResult<T>>,
{
    let ticket = match cache.get::<T>(id) {
        Ok(value) => return Ok(value),
        Err(ticket) => ticket,
    };
    let value = load.await?;
    cache.put(ticket, id, &value);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use thirdplace_domain::{Hub, OpeningHours};

    fn listing(name: &str) -> HubListing {
        HubListing {
            hub: Hub {
                id: Uuid::nil(),
                municipality_id: Uuid::nil(),
                operator_id: Uuid::nil(),
                name: name.into(),
                description: String::new(),
                street_address: String::new(),
                postal_code: String::new(),
                city: String::new(),
                latitude: 0.0,
                longitude: 0.0,
                in_central_town: false,
                opening_hours: OpeningHours::default(),
                archived: false,
            },
            municipality_name: String::new(),
            central_town: String::new(),
            region_id: Uuid::nil(),
            region_name: String::new(),
            operator_name: String::new(),
        }
    }

    fn name(cache: &Cache) -> Option<String> {
        cache
            .get::<HubListing>(Uuid::nil())
            .ok()
            .map(|h| h.hub.name)
    }

    #[test]
    fn a_hub_is_kept_until_its_time_is_up() {
        let cache = Cache::new(Duration::from_millis(50), true);
        let ticket = cache.get::<HubListing>(Uuid::nil()).unwrap_err();
        cache.put(ticket, Uuid::nil(), &listing("Kvarnen"));
        assert_eq!(name(&cache).as_deref(), Some("Kvarnen"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(name(&cache), None);
    }

    #[test]
    fn a_listing_read_before_a_clear_is_not_kept() {
        let cache = Cache::new(SQLITE_TTL, true);
        let ticket = cache.get::<HubListing>(Uuid::nil()).unwrap_err();
        // A write commits and clears while the old listing is being read.
        cache.clear();
        cache.put(ticket, Uuid::nil(), &listing("old"));
        assert_eq!(name(&cache), None);
        let ticket = cache.get::<HubListing>(Uuid::nil()).unwrap_err();
        cache.put(ticket, Uuid::nil(), &listing("new"));
        assert_eq!(name(&cache).as_deref(), Some("new"));
        cache.clear();
        assert_eq!(name(&cache), None);
    }

    #[test]
    fn kinds_are_kept_apart_and_cleared_together() {
        let cache = Cache::new(SQLITE_TTL, true);
        let hub = Uuid::nil();
        let t = cache.get::<BookingRules>(hub).unwrap_err();
        let rules = BookingRules {
            max_days_ahead: 7,
            ..BookingRules::default()
        };
        cache.put(t, hub, &rules);
        // The same id in another kind's map is another entry.
        assert!(cache.get::<HubListing>(hub).is_err());
        assert_eq!(cache.get::<BookingRules>(hub).unwrap().max_days_ahead, 7);
        cache.clear();
        assert!(cache.get::<BookingRules>(hub).is_err());
    }

    #[test]
    fn a_cache_switched_off_keeps_nothing_until_switched_on() {
        let cache = Cache::new(POSTGRES_TTL, true);
        let t = cache.get::<HubListing>(Uuid::nil()).unwrap_err();
        cache.put(t, Uuid::nil(), &listing("kept"));
        // The channel telling of other processes' writes is lost.
        cache.set_live(false);
        assert_eq!(name(&cache), None);
        let t = cache.get::<HubListing>(Uuid::nil()).unwrap_err();
        cache.put(t, Uuid::nil(), &listing("while off"));
        assert_eq!(name(&cache), None);
        // A read that began before the channel came back is not kept either.
        cache.set_live(true);
        cache.put(t, Uuid::nil(), &listing("while off"));
        assert_eq!(name(&cache), None);
        let t = cache.get::<HubListing>(Uuid::nil()).unwrap_err();
        cache.put(t, Uuid::nil(), &listing("after"));
        assert_eq!(name(&cache).as_deref(), Some("after"));
    }
}
