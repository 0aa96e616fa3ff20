//! What is left of the included hours of the seats someone holds: shown on
//! the booking form and on the membership card. Here, in the shared leaf,
//! so that neither bookings nor memberships reach into the other for it.

use crate::http::error::AppResult;
use crate::AppState;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use thirdplace_domain::booking::usage_month;
use thirdplace_domain::membership::{self, HeldSeat, IncludedLeft};
use uuid::Uuid;

/// What is left this month of each held seat's included hours
/// ([`membership::included_left`] decides).
pub async fn included_left(state: &AppState, person_id: Uuid) -> AppResult<Vec<IncludedLeft>> {
    let now = state.now();
    let held = state.store.held_seats(person_id, now).await?;
    left_of(state, &held, now).await
}

/// [`included_left`] of seats already read.
pub async fn left_of(
    state: &AppState,
    held: &[HeldSeat],
    now: DateTime<Utc>,
) -> AppResult<Vec<IncludedLeft>> {
    let ids = membership::seats_with_included_hours(held);
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let used: HashMap<Uuid, i64> = state
        .store
        .seat_minutes_used(&ids, &usage_month(now))
        .await?
        .into_iter()
        .collect();
    Ok(membership::included_left(held, &used))
}
