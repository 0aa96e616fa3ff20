//! Pilots as the pages and the API use them: who may see one, saving one
//! (its region and hubs checked, recorded in the audit trail), and its
//! evaluation over a period, measured by the domain from the store's facts.

use crate::http::api::referenced;
use crate::http::audit;
use crate::http::error::AppResult;
use crate::AppState;
use chrono::{DateTime, Utc};
use thirdplace_domain::evaluation::{self, BucketMeasures, Evaluation, Granularity, Period, Pilot};
use thirdplace_domain::{Principal, ValidationErrors};
use uuid::Uuid;

/// Network admins see every pilot; a host sees the pilots with a hub of
/// theirs.
pub fn may_see(p: &Principal, pilot: &Pilot) -> bool {
    p.can_manage_network() || pilot.hub_ids.iter().any(|h| p.hosted_hub_ids.contains(h))
}

/// The pilots `p` may see, by name.
pub async fn visible(state: &AppState, p: &Principal) -> AppResult<Vec<Pilot>> {
    let all = state.store.list_pilots().await?;
    Ok(all.into_iter().filter(|x| may_see(p, x)).collect())
}

/// Checks that the region and every hub exist (a 422 at the field), then
/// inserts or replaces the pilot and records it.
pub async fn save(state: &AppState, actor: Uuid, pilot: &Pilot, new: bool) -> AppResult<()> {
    referenced(
        state.store.get_region(pilot.region_id),
        |_| true,
        "region_id",
        "is not a region of the network",
    )
    .await?;
    for &hub in &pilot.hub_ids {
        referenced(
            state.store.get_hub(hub),
            |_| true,
            "hub_ids",
            "names a hub that is not in the network",
        )
        .await?;
    }
    let object = ("pilot", pilot.id);
    if new {
        state.store.insert_pilot(pilot).await?;
        let details = audit::changes(&serde_json::json!({}), pilot);
        audit::record(state, Some(actor), "pilot.created", object, details).await;
    } else {
        let old = state.store.get_pilot(pilot.id).await?;
        state.store.update_pilot(pilot).await?;
        let details = audit::changes(&old, pilot);
        audit::record(state, Some(actor), "pilot.updated", object, details).await;
    }
    Ok(())
}

/// A pilot's evaluation over a period: each hub's and the pilot's
/// measures, every goal's verdicts, and the months.
pub struct Report {
    pub period: Period,
    pub now: DateTime<Utc>,
    /// The pilot's hubs that still exist, in its order, with their names.
    pub hub_names: Vec<(Uuid, String)>,
    pub evaluation: Evaluation,
    pub months: Vec<(Period, BucketMeasures)>,
}

/// The period asked for (`from`, `to` as `YYYY-MM-DD`; either may be
/// empty for the pilot's own), or the field's problem.
pub fn period_of(pilot: &Pilot, from: &str, to: &str) -> Result<Period, ValidationErrors> {
    let from = if from.trim().is_empty() {
        pilot.starts_on.to_string()
    } else {
        from.into()
    };
    let to = if to.trim().is_empty() {
        pilot.ends_on.to_string()
    } else {
        to.into()
    };
    let p = evaluation::parse_period(&from, &to).map_err(|e| {
        let field = if e.code == "ends_before_start" {
            "to"
        } else if thirdplace_domain::membership::parse_date(&from).is_err() {
            "from"
        } else {
            "to"
        };
        ValidationErrors::single(field, e.code, e.message)
    })?;
    if (p.to - p.from).num_days() > 366 * 10 {
        return Err(ValidationErrors::single(
            "to",
            "period_too_long",
            "a period is at most ten years",
        ));
    }
    Ok(p)
}

pub async fn report(state: &AppState, pilot: &Pilot, period: Period) -> AppResult<Report> {
    let now = state.now();
    let (hubs, facts) = state
        .store
        .evaluation_facts(&pilot.hub_ids, period.start(), period.end())
        .await?;
    let prepared = evaluation::Prepared::new(&facts);
    let evaluation = evaluation::evaluate_prepared(
        &pilot.goals,
        &hubs,
        &prepared,
        period,
        now,
        pilot.critical_mass_people,
    );
    let months = prepared.series(&hubs, period, now, Granularity::Month);
    let mut hub_names = Vec::new();
    for h in &hubs {
        let name = match state.store.get_hub(h.id).await {
            Ok(l) => l.hub.name,
            Err(_) => h.id.to_string(),
        };
        hub_names.push((h.id, name));
    }
    Ok(Report {
        period,
        now,
        hub_names,
        evaluation,
        months,
    })
}
