//! Pilots and the facts their indicators are measured from (issue 17).
//! The rules of the indicators are the domain's
//! (`thirdplace_domain::evaluation`); this store keeps pilots and reads
//! what happened at their hubs.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::evaluation::{Facts, HubRef, Pilot};
use uuid::Uuid;

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Every pilot, archived too, by name.
    async fn list_pilots(&self) -> StoreResult<Vec<Pilot>>;

    /// One pilot with its hubs and goals in their order; `NotFound`.
    async fn get_pilot(&self, id: Uuid) -> StoreResult<Pilot>;

    /// A new pilot with its hubs and goals, in one transaction.
    async fn insert_pilot(&self, p: &Pilot) -> StoreResult<()>;

    /// Replaces a pilot, its hubs and goals, in one transaction;
    /// `NotFound` when there is none.
    async fn update_pilot(&self, p: &Pilot) -> StoreResult<()>;

    /// The hubs (in the order asked, unknown ones left out) and what
    /// happened at them: check-ins and events from `from` until `until`,
    /// every holding that could give access to them and began before
    /// `until`, and each person's first visit to each of them before
    /// `until`.
    async fn evaluation_facts(
        &self,
        hub_ids: &[Uuid],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<(Vec<HubRef>, Facts)>;
}
