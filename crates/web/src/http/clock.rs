//! The application's clock. Production reads the system clock; tests can
//! move it (to a Monday morning, past a hub's closing time) without waiting,
//! and it keeps ticking from there.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset: Arc<Mutex<Duration>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock so that it reads `at` now.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) = at - Utc::now();
    }

    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_ticks_on_from_there() {
        let c = Clock::default();
        let at = DateTime::parse_from_rfc3339("2026-03-29T00:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        c.set(at);
        let read = c.now();
        assert!(read >= at && read - at < Duration::seconds(5));
        c.advance(Duration::hours(2));
        assert!(c.now() - at >= Duration::hours(2));
    }
}
