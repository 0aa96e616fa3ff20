//! The demo's settlement between operators (issue 16, item 6): the
//! network's tariff (75 kr a visit day, 10 % of bookings) unless one was
//! set, and last month's visits and bookings of members at hubs another
//! operator runs than the one that sold their seat — network members at
//! the rural hubs, Kalmar region card holders at the other operator's
//! hub — so `/admin/settlement` shows a real statement for last month.
//!
//! The check-ins and bookings are written to the store as they were
//! recorded (the month is past, so the booking service, which books the
//! future, is not the way); a booking's price is the domain's. Their ids
//! are derived from the person, hub and day (UUIDv5), so a run after an
//! interrupted one writes nothing twice; the marker is written last.

use anyhow::{Context, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use thirdplace_domain::booking::{price, Booking, BookingStatus};
use thirdplace_domain::membership::{
    local_date, local_instant, seats_opening, CheckIn, CheckInMethod, HeldSeat, WebhookEvent,
};
use thirdplace_store::{SettlementTariff, Store, StoreError};
use thirdplace_web::memberships::checkins::event;
use uuid::Uuid;

use crate::demo::{mark_seeded, members_with_seats, seeded_before};

const SEEDED_KEY: &str = "demo_settlement_seeded";
/// The demo's tariff.
const TARIFF: SettlementTariff = SettlementTariff {
    visit_day_ore: 7_500,
    booking_share_per_mille: 100,
};
/// Visitors from elsewhere per hub, and their visit days each.
const VISITORS: usize = 3;
const DAYS_EACH: usize = 3;

/// The operator that sold a held seat, as the store decides it (a hub's
/// plan without a seller is its hub's: never "elsewhere" at that hub).
fn home(h: &HeldSeat) -> Option<Uuid> {
    h.seat.selling_operator_id.or(h.plan.selling_operator_id)
}

/// The weekdays of the month before `today`'s.
fn last_months_weekdays(today: NaiveDate) -> Vec<NaiveDate> {
    let first = today.with_day(1).unwrap_or(today);
    let end = first.pred_opt().unwrap_or(first);
    let start = end.with_day(1).unwrap_or(end);
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

/// An id of what `person` did at `hub` on `day`, the same every run.
fn derived(kind: &str, person: Uuid, hub: Uuid, day: NaiveDate) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("demo-settlement:{kind}:{person}:{hub}:{day}").as_bytes(),
    )
}

/// Whether a write was refused because it was done before (or collides
/// with what is there): the demo passes over it.
fn done_before(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(_) | StoreError::Refused(_))
}

/// Seeds the settlement's demo unless it was seeded before; the number of
/// check-ins and bookings written (0 when seeded before).
///
/// # Errors
///
/// A store error other than a write done before.
pub async fn seed(store: &dyn Store) -> Result<usize> {
    if seeded_before(store, SEEDED_KEY, "demo settlement").await? {
        return Ok(0);
    }
    if store
        .settlement_tariff()
        .await
        .context("reading the tariff")?
        == SettlementTariff::default()
    {
        store
            .set_settlement_tariff(&TARIFF)
            .await
            .context("setting the demo tariff")?;
    }
    let days = last_months_weekdays(local_date(Utc::now()));
    let Some(&middle) = days.get(days.len() / 2) else {
        return Ok(0);
    };
    let members = members_with_seats(store, local_instant(middle, NaiveTime::MIN)).await?;
    let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    let mut written = 0;
    for hub in store.list_hubs().await.context("listing hubs")? {
        if hub.hub.archived {
            continue;
        }
        let host = hub.hub.operator_id;
        let visitors: Vec<_> = members
            .iter()
            .filter_map(|(p, held)| {
                seats_opening(held, hub.hub.id, hub.region_id, middle)
                    .into_iter()
                    .find(|h| home(h).is_some_and(|o| o != host))
                    .map(|h| (p, h.seat.id))
            })
            .take(VISITORS)
            .collect();
        for (i, (person, seat)) in visitors.iter().enumerate() {
            for k in 0..DAYS_EACH {
                let Some(&day) = days.get((i * 5 + k * 7 + 1) % days.len()) else {
                    continue;
                };
                let at = local_instant(day, time(10));
                let c = CheckIn {
                    id: derived("checkin", person.id, hub.hub.id, day),
                    person_id: person.id,
                    hub_id: hub.hub.id,
                    seat_id: *seat,
                    method: CheckInMethod::Scan,
                    checked_in_at: at,
                    checked_out_at: None,
                    auto_closed: false,
                };
                let payload = serde_json::json!({ "hub_id": hub.hub.id, "person_id": person.id });
                match store
                    .insert_checkin(&c, &event(WebhookEvent::CheckIn, at, payload.clone()))
                    .await
                {
                    Ok(()) => written += 1,
                    Err(e) if done_before(&e) => continue,
                    Err(e) => return Err(e).context("a demo check-in elsewhere"),
                }
                let out = local_instant(day, time(15));
                store
                    .checkout(
                        c.id,
                        out,
                        false,
                        &event(WebhookEvent::CheckOut, out, payload),
                    )
                    .await
                    .context("a demo check-out elsewhere")?;
            }
        }
        // The first visitor books the hub's first room for two hours.
        let rooms = store
            .list_rooms(hub.hub.id)
            .await
            .context("listing rooms")?;
        let (Some((person, seat)), Some(room)) =
            (visitors.first(), rooms.iter().find(|r| !r.archived))
        else {
            continue;
        };
        let Some(&day) = days.get(2) else { continue };
        let start = local_instant(day, time(13));
        let b = Booking {
            id: derived("booking", person.id, hub.hub.id, day),
            room_id: room.id,
            hub_id: hub.hub.id,
            booker_id: person.id,
            organisation_id: person.organisation_id.unwrap_or_default(),
            on_behalf_of_organisation: false,
            seat_id: Some(*seat),
            series_id: None,
            title: "Möte på besök".into(),
            start,
            end: start + Duration::hours(2),
            status: BookingStatus::Confirmed,
            price: price(room, 120, 0),
            created_at: start - Duration::days(7),
            cancelled_at: None,
            cancelled_by: None,
            cancel_reason: String::new(),
            cancellation_charged: false,
        };
        match store.insert_bookings(std::slice::from_ref(&b), &[]).await {
            Ok(_) => written += 1,
            Err(e) if done_before(&e) => {}
            Err(e) => return Err(e).context("a demo booking elsewhere"),
        }
    }
    mark_seeded(store, SEEDED_KEY, "demo settlement").await?;
    tracing::info!(written, "seeded the demo settlement");
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use thirdplace_web::invoicing::service::parse_month;

    #[tokio::test]
    async fn the_demo_has_last_months_use_between_operators_once() {
        let (store, _dir) = crate::test_support::temp_store().await;
        crate::demo::seed(store.as_ref(), crate::test_support::HASH)
            .await
            .unwrap();
        let written = seed(store.as_ref()).await.unwrap();
        assert!(written > 0);
        assert_eq!(seed(store.as_ref()).await.unwrap(), 0, "seeded once");
        assert_eq!(store.settlement_tariff().await.unwrap(), TARIFF);

        let days = last_months_weekdays(local_date(Utc::now()));
        let month = parse_month(&days[0].format("%Y-%m").to_string()).unwrap();
        let facts = store
            .settlement_facts(month.start(), month.end())
            .await
            .unwrap();
        let hosts: std::collections::HashSet<_> =
            facts.visits.iter().map(|v| v.host_operator_id).collect();
        assert!(hosts.len() >= 2, "visits at several operators' hubs");
        assert!(facts
            .visits
            .iter()
            .all(|v| v.home_operator_id != v.host_operator_id));
        assert!(
            !facts.bookings.is_empty(),
            "bookings at another operator's hub"
        );
        assert!(facts.bookings.iter().all(|b| b.amount_ore > 0));
    }

    #[test]
    fn last_months_weekdays_are_of_last_month() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let days = last_months_weekdays(d(2027, 1, 15));
        assert_eq!(days.first(), Some(&d(2026, 12, 1)));
        assert_eq!(days.last(), Some(&d(2026, 12, 31)));
        assert_eq!(days.len(), 23);
    }
}
