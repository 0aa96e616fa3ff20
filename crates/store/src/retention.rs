//! Retention ("gallring"): the network's policy, kept in the database, and
//! its application — old detail reduced, what the statistics and
//! bookkeeping need kept.
//!
//! What each kind keeps:
//! - check-ins: deleted with their guest visits; the visits stay counted
//!   per hub and civil day in `hub_visit_days`, which is written with every
//!   check-in and guest and from which the access summary and the
//!   evaluation count, so no statistic changes;
//! - guest visits: the name is erased ([`ERASED_GUEST_NAME`]), the row and
//!   its count stay;
//! - sent (or given-up) e-mails: address and text removed, subject and
//!   instants stay; unsent ones are untouched;
//! - finished webhook deliveries: payload and last error removed, event,
//!   status and instants stay; pending ones are untouched;
//! - expired sessions and revoked API tokens deleted, and one-time links
//!   once used or revoked (password resets also once run out; an
//!   invitation that ran out unused stays, for the lists' "expired"), with
//!   single sign-ons under way that ran out;
//! - counts of failed sign-ins deleted.
//!
//! Bookings (with their prices), seats and who held them, events and the
//! audit trail are bookkeeping records and are never touched here.
//!
//! [`ERASED_GUEST_NAME`]: thirdplace_domain::retention::ERASED_GUEST_NAME

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy};

#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// The network's policy (the defaults until an admin sets one).
    async fn retention_policy(&self) -> StoreResult<RetentionPolicy>;

    async fn set_retention_policy(&self, p: &RetentionPolicy) -> StoreResult<()>;

    /// Applies `p` at `now`: one transaction per kind, so that a failure
    /// leaves each kind either reduced or as it was. Idempotent: a second
    /// application at the same `now` reduces nothing; detail newer than a
    /// kind's limit is never touched. Several processes may apply it at once.
    async fn apply_retention(
        &self,
        p: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<RetentionCounts>;

    /// Claims the periodic run for `now`: true (and `now` recorded as the
    /// last run) unless a run was claimed after `not_since`, so that of
    /// several processes one runs each period.
    async fn claim_retention_run(
        &self,
        now: DateTime<Utc>,
        not_since: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// When the policy was last applied by a claimed run, if ever.
    async fn last_retention_run(&self) -> StoreResult<Option<DateTime<Utc>>>;
}
