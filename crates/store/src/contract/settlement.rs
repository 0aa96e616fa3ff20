//! The contract of [`crate::SettlementStore`]: the tariff's row, and the
//! month's use of one operator's hubs by another operator's members — who
//! is home decided as the invoice run decides who sells a seat, the days
//! Swedish civil days, cancelled bookings left out unless charged.

use super::{organisation, person, seed_hub};
use crate::{OutboundEvent, SettlementTariff, Store};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::membership::{
    CheckIn, CheckInMethod, Plan, PlanScope, Seat, Validity, WebhookEvent,
};
use thirdplace_domain::{new_id, Operator, Room, RoomKind};
use uuid::Uuid;

pub async fn the_tariff_starts_at_nothing_and_round_trips(store: &dyn Store) {
    assert_eq!(
        store.settlement_tariff().await.unwrap(),
        SettlementTariff::default()
    );
    let t = SettlementTariff {
        visit_day_ore: 7_500,
        booking_share_per_mille: 150,
    };
    store.set_settlement_tariff(&t).await.unwrap();
    assert_eq!(store.settlement_tariff().await.unwrap(), t);
    let again = SettlementTariff {
        visit_day_ore: 0,
        booking_share_per_mille: 1000,
    };
    store.set_settlement_tariff(&again).await.unwrap();
    assert_eq!(store.settlement_tariff().await.unwrap(), again);
}

fn event(kind: WebhookEvent, at: DateTime<Utc>) -> OutboundEvent {
    OutboundEvent {
        event: kind,
        payload: "{}".into(),
        at,
    }
}

/// A check-in at `at` of `who` (person, seat), ended `hours` later (left
/// open when 0).
pub(crate) async fn visit_for(
    store: &dyn Store,
    hub: Uuid,
    who: (Uuid, Uuid),
    at: DateTime<Utc>,
    hours: i64,
) -> Uuid {
    let c = CheckIn {
        id: new_id(),
        person_id: who.0,
        hub_id: hub,
        seat_id: who.1,
        method: CheckInMethod::Scan,
        checked_in_at: at,
        checked_out_at: None,
        auto_closed: false,
    };
    store
        .insert_checkin(&c, &event(WebhookEvent::CheckIn, at))
        .await
        .unwrap();
    if hours > 0 {
        let out = at + Duration::hours(hours);
        store
            .checkout(c.id, out, false, &event(WebhookEvent::CheckOut, out))
            .await
            .unwrap();
    }
    c.id
}

/// A check-in at `at`, ended an hour later.
async fn visit(store: &dyn Store, hub: Uuid, who: (Uuid, Uuid), at: DateTime<Utc>) -> Uuid {
    visit_for(store, hub, who, at, 1).await
}

pub async fn facts_are_the_months_use_between_operators(store: &dyn Store) {
    let (_, _, host, hub) = seed_hub(store).await;
    let home = Operator {
        id: new_id(),
        name: "Emmaboda kommun".into(),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&home).await.unwrap();
    let room = Room {
        id: new_id(),
        hub_id: hub.id,
        name: "Ekan".into(),
        kind: RoomKind::Meeting,
        capacity: 6,
        hourly_price_ore: 40_000,
        vat_rate_percent: 25,
        archived: false,
    };
    store.insert_room(&room).await.unwrap();
    let org = organisation("556000-0001");
    store.insert_organisation(&org).await.unwrap();
    let plan = |seller: Option<Uuid>, scope: PlanScope| Plan {
        id: new_id(),
        name: "Nätverkskort".into(),
        description: String::new(),
        scope,
        monthly_price_ore: 95_000,
        included_hours_per_month: 2,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: seller,
        vat_rate_percent: 25,
    };
    // The home operator's plan; the host's own hub plan (the hub's
    // operator sells it); the host's plan, one seat of which the home
    // operator sells itself.
    let theirs = plan(Some(home.id), PlanScope::Network);
    let local = plan(None, PlanScope::Hub(hub.id));
    let ours = plan(Some(host.id), PlanScope::Network);
    for p in [&theirs, &local, &ours] {
        store.insert_plan(p).await.unwrap();
    }
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    let mut members = Vec::new();
    for (email, p, seller) in [
        ("anna@example.se", &theirs, None),
        ("bo@example.se", &local, None),
        ("cia@example.se", &ours, Some(home.id)),
    ] {
        let who = person(email, Some(org.id));
        store.insert_person(&who).await.unwrap();
        let seat = Seat {
            id: new_id(),
            plan_id: p.id,
            organisation_id: org.id,
            start_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            end_date: None,
            created_at: since,
            selling_operator_id: seller,
        };
        store
            .insert_seats(std::slice::from_ref(&seat))
            .await
            .unwrap();
        store
            .assign_seat(seat.id, Some(who.id), since)
            .await
            .unwrap();
        members.push((who.id, seat.id));
    }
    let (anna, bo, cia) = (members[0], members[1], members[2]);

    let utc =
        |m: u32, d: u32, h: u32, min: u32| Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap();
    // 00:30 on 1 November in Stockholm: November's.
    let first = visit(store, hub.id, anna, utc(10, 31, 23, 30)).await;
    let second = visit(store, hub.id, anna, utc(11, 12, 8, 0)).await;
    let by_seat_seller = visit(store, hub.id, cia, utc(11, 13, 8, 0)).await;
    // The host's own member, and 00:30 on 1 December in Stockholm.
    visit(store, hub.id, bo, utc(11, 12, 9, 0)).await;
    visit(store, hub.id, anna, utc(11, 30, 23, 30)).await;

    let booking = |who: (Uuid, Uuid), start: DateTime<Utc>, seat: bool| Booking {
        id: new_id(),
        room_id: room.id,
        hub_id: hub.id,
        booker_id: who.0,
        organisation_id: org.id,
        on_behalf_of_organisation: false,
        seat_id: seat.then_some(who.1),
        series_id: None,
        title: "Planering".into(),
        start,
        end: start + Duration::hours(2),
        status: BookingStatus::Confirmed,
        price: Price {
            included_minutes: 0,
            billable_minutes: 120,
            price_ex_vat_ore: 80_000,
            vat_percent: 25,
            vat_ore: 20_000,
            total_ore: 100_000,
        },
        created_at: since,
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    };
    let confirmed = booking(anna, utc(11, 10, 8, 0), true);
    let mut late = booking(anna, utc(11, 11, 8, 0), true);
    late.status = BookingStatus::Cancelled;
    late.cancellation_charged = true;
    let mut free = booking(anna, utc(11, 12, 12, 0), true);
    free.status = BookingStatus::Cancelled;
    let without_seat = booking(anna, utc(11, 13, 12, 0), false);
    let own = booking(bo, utc(11, 16, 8, 0), true);
    let december = booking(anna, utc(12, 1, 8, 0), true);
    store
        .insert_bookings(
            &[
                confirmed.clone(),
                late.clone(),
                free,
                without_seat,
                own,
                december,
            ],
            &[],
        )
        .await
        .unwrap();

    let facts = store
        .settlement_facts(
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        )
        .await
        .unwrap();
    let visits: Vec<(Uuid, Uuid, NaiveDate)> = facts
        .visits
        .iter()
        .map(|v| (v.checkin_id, v.person_id, v.date))
        .collect();
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    assert_eq!(
        visits,
        vec![
            (first, anna.0, day(1)),
            (second, anna.0, day(12)),
            (by_seat_seller, cia.0, day(13)),
        ]
    );
    for v in &facts.visits {
        assert_eq!((v.home_operator_id, v.host_operator_id), (home.id, host.id));
        assert_eq!(v.hub_name, hub.name);
    }
    let bookings: Vec<(Uuid, bool, i64, NaiveDate)> = facts
        .bookings
        .iter()
        .map(|b| (b.booking_id, b.cancellation_charged, b.amount_ore, b.date))
        .collect();
    assert_eq!(
        bookings,
        vec![
            (confirmed.id, false, 80_000, day(10)),
            (late.id, true, 80_000, day(11)),
        ]
    );
    let b = &facts.bookings[0];
    assert_eq!((b.home_operator_id, b.host_operator_id), (home.id, host.id));
    assert_eq!((b.starts_at, b.ends_at), (confirmed.start, confirmed.end));
}
