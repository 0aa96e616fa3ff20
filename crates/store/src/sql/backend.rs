//! A SQL backend as the capabilities written once see it ([`Backend`]):
//! where its reads, single writes and write transactions run, and the few
//! steps each backend takes its own way. The capabilities whose queries both
//! backends share implement their store trait once, for every `Backend`
//! (`impl<B: Backend> OutboxStore for B` in `sql/outbox.rs`, …), with the
//! `#[instrument]` spans there.

use super::dialect::{Conn, Dialect};
use super::events::EventsDialect;
use super::people::PeopleDialect;
use super::privacy::Erase;
use super::webhooks::Hooks;
use crate::cache::Cache;
use crate::{ClaimedDelivery, OutgoingEmail, StoreResult};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::ops::DerefMut;
use std::pin::Pin;
use thirdplace_domain::Person;

/// The future of work on a connection (that owns what it uses: SQLite
/// runs it on its writer's thread); it borrows the connection.
pub type JobFuture<'c, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'c>>;

/// One SQL backend's store.
pub trait Backend: Send + Sync + 'static {
    type D: Dialect + Erase + EventsDialect + Hooks + PeopleDialect;

    /// The backend's name (`MetaStore::backend_name`).
    const NAME: &'static str;

    /// The process's copy of hubs, rooms and booking rules ([`Cache`]).
    fn cache(&self) -> &Cache;

    /// A connection for reads.
    fn reader(
        &self,
    ) -> impl Future<Output = StoreResult<impl DerefMut<Target = Conn<Self::D>> + Send>> + Send;

    /// A connection for a write of one statement that needs no
    /// transaction (SQLite: a pooled connection beside the writer).
    fn pooled(
        &self,
    ) -> impl Future<Output = StoreResult<impl DerefMut<Target = Conn<Self::D>> + Send>> + Send;

    /// Runs `job` as one write transaction (PostgreSQL: a transaction of
    /// its own). By default as [`write`](Self::write), for a backend whose
    /// writes each run in a transaction anyway (SQLite's one writer).
    fn transaction<T, F>(&self, job: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn<Self::D>) -> JobFuture<'c, T> + Send + 'static,
    {
        self.write(job)
    }

    /// Runs `job` where writes go that need no transaction of their own
    /// (SQLite: a job of the one writer; PostgreSQL: a pooled connection,
    /// each statement committing by itself, with no extra round trips).
    fn write<T, F>(&self, job: F) -> impl Future<Output = StoreResult<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn<Self::D>) -> JobFuture<'c, T> + Send + 'static;

    /// Hands out due e-mails (`OutboxStore::claim_emails`, `limit > 0`).
    fn claim_due_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<OutgoingEmail>>> + Send;

    /// Hands out due webhook deliveries (`WebhookStore::claim_deliveries`,
    /// `limit > 0`).
    fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<ClaimedDelivery>>> + Send;

    /// Counts a failed sign-in for each key, after forgetting the counts
    /// last raised before `forget_before`.
    fn raise_strikes(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Writes a person with its role lists (inserts if `insert`).
    fn store_person(
        &self,
        p: &Person,
        insert: bool,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Deletes closed check-ins from before `before` with their guest
    /// visits (`hub_visit_days` keeps counting them): (check-ins, visits).
    fn reduce_checkins(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<(u64, u64)>> + Send;
}
