//! A short-lived copy of the hubs as [`Store::get_hub`] returns them: every
//! check-in and checkout asks for its hub, and hubs change a few times a
//! year.
//!
//! The database stays the source of truth. A write through this store to a
//! hub, municipality, region or operator (all appear in a `HubListing`)
//! empties the cache as soon as it is committed; a change made by another
//! process on the same file (the CLI, say) is seen within the time to live,
//! one second, as with the web layer's public cache.
//!
//! [`Store::get_hub`]: thirdplace_store::Store::get_hub

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use thirdplace_store::HubListing;
use uuid::Uuid;

pub(crate) const TTL: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(crate) struct HubCache {
    ttl: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Bumped by every clear: a listing read from the database before a
    /// write committed must not be kept after the write cleared the cache.
    generation: u64,
    hubs: HashMap<Uuid, (Instant, HubListing)>,
}

/// What a miss hands back, to be given to [`HubCache::put`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

impl HubCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        HubCache {
            ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub(crate) fn get(&self, id: Uuid) -> Result<HubListing, Ticket> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.hubs.get(&id) {
            Some((at, hub)) if at.elapsed() < self.ttl => Ok(hub.clone()),
            _ => Err(Ticket(inner.generation)),
        }
    }

    /// Keeps `hub`, read after `get` gave `ticket`, unless the cache was
    /// cleared in between.
    pub(crate) fn put(&self, ticket: Ticket, hub: &HubListing) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.generation == ticket.0 {
            inner.hubs.insert(hub.hub.id, (Instant::now(), hub.clone()));
        }
    }

    pub(crate) fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.generation += 1;
        inner.hubs.clear();
    }
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

    #[test]
    fn a_hub_is_kept_until_its_time_is_up() {
        let cache = HubCache::new(Duration::from_millis(50));
        let ticket = cache.get(Uuid::nil()).unwrap_err();
        cache.put(ticket, &listing("Kvarnen"));
        assert_eq!(cache.get(Uuid::nil()).unwrap().hub.name, "Kvarnen");
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(Uuid::nil()).is_err());
    }

    #[test]
    fn a_listing_read_before_a_clear_is_not_kept() {
        let cache = HubCache::new(TTL);
        let ticket = cache.get(Uuid::nil()).unwrap_err();
        // A write commits and clears while the old listing is being read.
        cache.clear();
        cache.put(ticket, &listing("old"));
        assert!(cache.get(Uuid::nil()).is_err());
        let ticket = cache.get(Uuid::nil()).unwrap_err();
        cache.put(ticket, &listing("new"));
        assert_eq!(cache.get(Uuid::nil()).unwrap().hub.name, "new");
        cache.clear();
        assert!(cache.get(Uuid::nil()).is_err());
    }
}
