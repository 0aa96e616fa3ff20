//! How failed sign-ins slow down further attempts.
//!
//! Failures are counted under two keys: the account (the e-mail address
//! typed) and the source (the address the attempts come from). Neither
//! ever refuses a right password for long: a key's failures only make the
//! next attempt under it wait, for a time that doubles with each failure
//! past a free allowance and stops at a cap. An attempt refused because it
//! came too early is not a failure and does not lengthen the wait, so a
//! stranger who keeps guessing a person's password delays that person by at
//! most [`ACCOUNT`]'s cap, and a source that guesses across many accounts
//! (a password spray) is held back by [`SOURCE`]'s.

use chrono::{DateTime, Duration, Utc};

/// A doubling delay: after `free` failures the next attempt waits
/// `first_secs`, then twice that after each further failure, at most
/// `cap_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub free: i64,
    pub first_secs: i64,
    pub cap_secs: i64,
}

/// Per account: five free tries, then 4, 8, 16 s, and never more than
/// 30 s, so nobody can keep the owner out for longer than that.
pub const ACCOUNT: Backoff = Backoff {
    free: 5,
    first_secs: 4,
    cap_secs: 30,
};

/// Per source address: ten free failures (an office behind one address
/// mistypes now and then), then 1, 2, 4, 8 minutes, at most a quarter of an
/// hour between attempts.
pub const SOURCE: Backoff = Backoff {
    free: 10,
    first_secs: 60,
    cap_secs: 15 * 60,
};

/// A key's failures are forgotten this long after its last one (longer
/// than either cap, so waiting out a delay does not reset the count).
pub fn forget_after() -> Duration {
    Duration::hours(1)
}

impl Backoff {
    /// The wait before the next attempt after `failures` failures in a row.
    pub fn delay(&self, failures: i64) -> Duration {
        if failures < self.free {
            return Duration::zero();
        }
        let doublings = (failures - self.free).min(30);
        let secs = self.first_secs.saturating_mul(1i64 << doublings);
        Duration::seconds(secs.min(self.cap_secs))
    }

    /// How much longer an attempt at `now` must wait, if at all, after
    /// `failures` failures of which the last was at `last_at`.
    pub fn wait(
        &self,
        failures: i64,
        last_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        let left = last_at + self.delay(failures) - now;
        (left > Duration::zero()).then_some(left)
    }
}

/// Whole seconds to tell someone to wait (`Retry-After`), rounded up, at
/// least one.
pub fn whole_seconds(wait: Duration) -> i64 {
    let ms = wait.num_milliseconds().max(1);
    (ms + 999) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_account_delay_doubles_and_stops_at_thirty_seconds() {
        let delays: Vec<i64> = (0..10).map(|n| ACCOUNT.delay(n).num_seconds()).collect();
        assert_eq!(delays, vec![0, 0, 0, 0, 0, 4, 8, 16, 30, 30]);
        assert_eq!(ACCOUNT.delay(i64::MAX).num_seconds(), 30);
    }

    #[test]
    fn the_source_delay_starts_after_ten_failures_and_stops_at_a_quarter() {
        assert_eq!(SOURCE.delay(9), Duration::zero());
        assert_eq!(SOURCE.delay(10), Duration::minutes(1));
        assert_eq!(SOURCE.delay(11), Duration::minutes(2));
        assert_eq!(SOURCE.delay(1000), Duration::minutes(15));
        assert!(forget_after() > Duration::seconds(SOURCE.cap_secs));
    }

    #[test]
    fn the_wait_is_what_is_left_of_the_delay() {
        let last = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
        assert_eq!(ACCOUNT.wait(4, last, last), None);
        assert_eq!(ACCOUNT.wait(9, last, last), Some(Duration::seconds(30)));
        assert_eq!(
            ACCOUNT.wait(9, last, last + Duration::seconds(25)),
            Some(Duration::seconds(5))
        );
        assert_eq!(ACCOUNT.wait(9, last, last + Duration::seconds(30)), None);
    }

    #[test]
    fn waits_are_told_in_whole_seconds_rounded_up() {
        assert_eq!(whole_seconds(Duration::milliseconds(1)), 1);
        assert_eq!(whole_seconds(Duration::milliseconds(29_001)), 30);
        assert_eq!(whole_seconds(Duration::seconds(30)), 30);
        assert_eq!(whole_seconds(Duration::zero()), 1);
    }
}
