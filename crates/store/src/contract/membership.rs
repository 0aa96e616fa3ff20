//! The contract of the membership part of [`Store`]: plans, seats and who
//! held them when, profiles and QR generations, check-ins and guests, the
//! access numbers, and webhooks with their delivery queue. Run by every
//! backend through `contract_tests!` like [`crate::contract`] (its `mod.rs`).
//!
//! Every test builds its own fixture. Instants have whole seconds so that
//! both backends give them back exactly.

use crate::{OutboundEvent, Refusal, SeatHolder, SeatView, Store, StoreError, StoreResult};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use futures_util::future::join_all;
use std::collections::HashSet;
use thirdplace_domain::membership::{
    AccessSummary, CheckIn, CheckInMethod, GuestRefusal, GuestVisit, HeldSeat, Plan, PlanScope,
    PresentPerson, Profile, Seat, SeatHolding, Validity, Webhook, WebhookDelivery, WebhookEvent,
};
use thirdplace_domain::{
    new_id, Email, Hub, Municipality, OpeningHours, Operator, OrgKind, OrgNumber, Organisation,
    Person, Region,
};
use uuid::Uuid;

// ------------------------------------------------------------- fixture

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Monday 23 November 2026, 10:00 UTC: the fixtures' "now".
fn base() -> DateTime<Utc> {
    t(2026, 11, 23, 10, 0, 0)
}

/// Asserts the store refused with exactly this rule.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(r: StoreResult<T>, expected: Refusal) {
    match r {
        Err(StoreError::Refused(refusal)) => assert_eq!(refusal, expected),
        other => panic!("expected Refused({expected:?}), got {other:?}"),
    }
}

#[track_caller]
fn assert_reference<T: std::fmt::Debug>(r: StoreResult<T>, field: &str) {
    match r {
        Err(StoreError::Reference(f)) => assert_eq!(f, field, "reference error on the wrong field"),
        other => panic!("expected Reference({field:?}), got {other:?}"),
    }
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(r: StoreResult<T>) {
    match r {
        Err(StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Two regions; `hub` and `hub_b` in `region`, `far_hub` in `other_region`;
/// two organisations.
struct Fixture {
    region: Region,
    other_region: Region,
    hub: Hub,
    hub_b: Hub,
    far_hub: Hub,
    org: Organisation,
    other_org: Organisation,
}

async fn add_region(store: &dyn Store, code: &str) -> Region {
    let r = Region {
        id: new_id(),
        name: format!("Region {code}"),
        code: code.into(),
        archived: false,
    };
    store.insert_region(&r).await.unwrap();
    r
}

async fn add_hub(store: &dyn Store, region: &Region, code: &str, name: &str) -> Hub {
    let m = Municipality {
        id: new_id(),
        region_id: region.id,
        name: format!("Kommun {code}"),
        code: code.into(),
        central_town: format!("Stad {code}"),
        archived: false,
    };
    store.insert_municipality(&m).await.unwrap();
    let o = Operator {
        id: new_id(),
        name: format!("Operatör {code}"),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&o).await.unwrap();
    let h = Hub {
        id: new_id(),
        municipality_id: m.id,
        operator_id: o.id,
        name: name.into(),
        description: String::new(),
        street_address: "Skolgatan 2".into(),
        postal_code: "572 95".into(),
        city: "Figeholm".into(),
        latitude: 57.3728,
        longitude: 16.5520,
        in_central_town: false,
        opening_hours: OpeningHours::weekdays("08:00", "17:00"),
        archived: false,
    };
    store.insert_hub(&h).await.unwrap();
    h
}

async fn add_organisation(store: &dyn Store, name: &str, org_number: &str) -> Organisation {
    let o = Organisation {
        id: new_id(),
        name: name.into(),
        org_number: OrgNumber::parse(org_number).unwrap(),
        kind: OrgKind::Company,
        archived: false,
        buyer: Default::default(),
    };
    store.insert_organisation(&o).await.unwrap();
    o
}

async fn fixture(store: &dyn Store) -> Fixture {
    let region = add_region(store, "08").await;
    let other_region = add_region(store, "10").await;
    let hub = add_hub(store, &region, "0882", "Figeholms hubb").await;
    let hub_b = add_hub(store, &region, "0883", "Kristdala hubb").await;
    let far_hub = add_hub(store, &other_region, "1080", "Karlskrona hubb").await;
    let org = add_organisation(store, "Alfa AB", "556000-0001").await;
    let other_org = add_organisation(store, "Beta AB", "556000-0027").await;
    Fixture {
        region,
        other_region,
        hub,
        hub_b,
        far_hub,
        org,
        other_org,
    }
}

fn person(first: &str, org: Option<Uuid>) -> Person {
    Person {
        id: new_id(),
        first_name: first.into(),
        last_name: format!("{first}sson"),
        email: Email::parse(&format!(
            "{}.{}@example.se",
            first.to_lowercase(),
            new_id().simple()
        ))
        .unwrap(),
        organisation_id: org,
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    }
}

async fn add_person(store: &dyn Store, first: &str, org: Option<Uuid>) -> Person {
    let p = person(first, org);
    store.insert_person(&p).await.unwrap();
    p
}

fn plan(name: &str, scope: PlanScope, max_guests: i64) -> Plan {
    Plan {
        id: new_id(),
        name: name.into(),
        description: format!("{name}, beskrivning"),
        scope,
        monthly_price_ore: 95_000,
        included_hours_per_month: 4,
        max_guests,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: None,
        vat_rate_percent: 25,
    }
}

async fn add_plan(store: &dyn Store, name: &str, scope: PlanScope, max_guests: i64) -> Plan {
    let p = plan(name, scope, max_guests);
    store.insert_plan(&p).await.unwrap();
    p
}

fn seat(
    plan_id: Uuid,
    organisation_id: Uuid,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
) -> Seat {
    Seat {
        id: new_id(),
        plan_id,
        organisation_id,
        start_date,
        end_date,
        created_at: t(2026, 1, 2, 9, 0, 0),
        selling_operator_id: None,
    }
}

async fn add_seat(
    store: &dyn Store,
    plan_id: Uuid,
    organisation_id: Uuid,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
) -> Seat {
    let s = seat(plan_id, organisation_id, start_date, end_date);
    store.insert_seats(std::slice::from_ref(&s)).await.unwrap();
    s
}

fn checkin(person_id: Uuid, hub_id: Uuid, seat_id: Uuid, at: DateTime<Utc>) -> CheckIn {
    CheckIn {
        id: new_id(),
        person_id,
        hub_id,
        seat_id,
        method: CheckInMethod::Scan,
        checked_in_at: at,
        checked_out_at: None,
        auto_closed: false,
    }
}

fn event(kind: WebhookEvent, at: DateTime<Utc>) -> OutboundEvent {
    OutboundEvent {
        event: kind,
        payload: format!(
            r#"{{"event":"{}","id":"{}","at":"{}"}}"#,
            kind.key(),
            new_id(),
            at.to_rfc3339()
        ),
        at,
    }
}

async fn check_in(store: &dyn Store, c: &CheckIn) {
    store
        .insert_checkin(c, &event(WebhookEvent::CheckIn, c.checked_in_at))
        .await
        .unwrap();
}

async fn check_out(store: &dyn Store, c: &CheckIn, at: DateTime<Utc>) -> CheckIn {
    store
        .checkout(c.id, at, false, &event(WebhookEvent::CheckOut, at))
        .await
        .unwrap()
}

fn guest(host: &CheckIn, organisation_id: Uuid, first: &str, at: DateTime<Utc>) -> GuestVisit {
    GuestVisit {
        id: new_id(),
        host_checkin_id: host.id,
        host_person_id: host.person_id,
        hub_id: host.hub_id,
        first_name: first.into(),
        last_name: "Gäst".into(),
        organisation_id,
        arrived_at: at,
        left_at: None,
    }
}

async fn add_guest(store: &dyn Store, g: &GuestVisit, max_guests: i64) {
    store
        .insert_guest_visit(g, max_guests, &event(WebhookEvent::Guest, g.arrived_at))
        .await
        .unwrap();
}

fn webhook(url: &str, events: Vec<WebhookEvent>, active: bool, at: DateTime<Utc>) -> Webhook {
    Webhook {
        id: new_id(),
        url: url.into(),
        events,
        secret: format!("secret-{}", new_id().simple()),
        active,
        created_at: at,
    }
}

fn by_id<T>(mut v: Vec<T>, id: impl Fn(&T) -> Uuid) -> Vec<T> {
    v.sort_by_key(id);
    v
}

// ---------------------------------------------------------------- meta

pub async fn meta_get_or_insert_keeps_the_first_value(store: &dyn Store) {
    assert_eq!(
        store
            .meta_get_or_insert("instance_id", "first")
            .await
            .unwrap(),
        "first"
    );
    assert_eq!(
        store
            .meta_get_or_insert("instance_id", "second")
            .await
            .unwrap(),
        "first"
    );
    assert_eq!(
        store.get_meta("instance_id").await.unwrap().as_deref(),
        Some("first")
    );
    // A value set before is kept too.
    store.set_meta("preset", "kept").await.unwrap();
    assert_eq!(
        store.meta_get_or_insert("preset", "other").await.unwrap(),
        "kept"
    );

    // Racing callers all get the one value that was written first.
    let values: Vec<String> = (0..10).map(|i| format!("value-{i}")).collect();
    let results = join_all(
        values
            .iter()
            .map(|v| store.meta_get_or_insert("signing_key", v)),
    )
    .await;
    let results: Vec<String> = results.into_iter().map(|r| r.unwrap()).collect();
    let winner = results[0].clone();
    assert!(values.contains(&winner), "unexpected value {winner:?}");
    assert!(
        results.iter().all(|r| *r == winner),
        "racing callers got different values: {results:?}"
    );
    assert_eq!(store.get_meta("signing_key").await.unwrap(), Some(winner));
}

// --------------------------------------------------------------- plans

pub async fn plans_round_trip_for_each_scope(store: &dyn Store) {
    let f = fixture(store).await;
    let mut network = plan("Gamma network", PlanScope::Network, 2);
    network.monthly_price_ore = 120_050;
    network.included_hours_per_month = 8;
    let mut region = plan("Beta region", PlanScope::Region(f.region.id), 0);
    region.validity = Validity::FixedDays(30);
    region.description = String::new();
    let mut hub = plan("Alpha hub", PlanScope::Hub(f.hub.id), 1);
    hub.validity = Validity::FixedDays(7);
    hub.monthly_price_ore = 0;
    for p in [&network, &region, &hub] {
        store.insert_plan(p).await.unwrap();
    }
    assert_eq!(store.get_plan(network.id).await.unwrap(), network);
    assert_eq!(store.get_plan(region.id).await.unwrap(), region);
    assert_eq!(store.get_plan(hub.id).await.unwrap(), hub);
    assert_eq!(
        store.list_plans().await.unwrap(),
        vec![hub.clone(), region.clone(), network.clone()],
        "plans are listed by name"
    );

    // Updates change every field, the scope included.
    region.name = "Delta region".into();
    region.scope = PlanScope::Region(f.other_region.id);
    region.validity = Validity::MonthlyRolling;
    region.max_guests = 3;
    region.archived = true;
    store.update_plan(&region).await.unwrap();
    assert_eq!(store.get_plan(region.id).await.unwrap(), region);
    hub.scope = PlanScope::Hub(f.far_hub.id);
    hub.validity = Validity::FixedDays(90);
    store.update_plan(&hub).await.unwrap();
    assert_eq!(store.get_plan(hub.id).await.unwrap(), hub);
    network.scope = PlanScope::Hub(f.hub_b.id);
    store.update_plan(&network).await.unwrap();
    assert_eq!(store.get_plan(network.id).await.unwrap(), network);
    network.scope = PlanScope::Network;
    store.update_plan(&network).await.unwrap();
    assert_eq!(store.get_plan(network.id).await.unwrap(), network);
    assert_eq!(
        store.list_plans().await.unwrap(),
        vec![hub.clone(), region.clone(), network.clone()]
    );

    // Unknown regions and hubs (a hub's id is not a region's).
    for scope in [
        PlanScope::Region(new_id()),
        PlanScope::Hub(new_id()),
        PlanScope::Region(f.hub.id),
        PlanScope::Hub(f.region.id),
    ] {
        assert_reference(store.insert_plan(&plan("Zeta", scope, 0)).await, "scope_id");
    }
    assert_eq!(
        store.list_plans().await.unwrap().len(),
        3,
        "nothing written"
    );

    assert_not_found(
        store
            .update_plan(&plan("Omega", PlanScope::Network, 0))
            .await,
    );
    assert_not_found(store.get_plan(new_id()).await);
}

// --------------------------------------------------------------- seats

pub async fn seats_are_inserted_all_or_nothing(store: &dyn Store) {
    let f = fixture(store).await;
    let p = add_plan(store, "Network card", PlanScope::Network, 1).await;
    let first_purchase = t(2026, 11, 1, 9, 0, 0);
    let mut batch1: Vec<Seat> = (0..2)
        .map(|_| Seat {
            created_at: first_purchase,
            ..seat(p.id, f.org.id, day(2026, 11, 2), None)
        })
        .collect();
    store.insert_seats(&batch1).await.unwrap();

    // A batch with one unknown plan writes none of its seats.
    let good = seat(p.id, f.org.id, day(2026, 11, 2), None);
    let bad_plan = seat(new_id(), f.org.id, day(2026, 11, 2), None);
    assert_reference(
        store.insert_seats(&[good.clone(), bad_plan.clone()]).await,
        "plan_id",
    );
    assert_not_found(store.get_seat(good.id).await);
    // Likewise an unknown organisation.
    let bad_org = seat(p.id, new_id(), day(2026, 11, 2), None);
    assert_reference(
        store.insert_seats(&[good.clone(), bad_org]).await,
        "organisation_id",
    );
    assert_not_found(store.get_seat(good.id).await);
    assert_eq!(store.list_seats(f.org.id).await.unwrap().len(), 2);

    // A later purchase, with a last day.
    let later = Seat {
        created_at: t(2026, 11, 20, 9, 0, 0),
        ..seat(p.id, f.org.id, day(2026, 12, 1), Some(day(2026, 12, 31)))
    };
    store
        .insert_seats(std::slice::from_ref(&later))
        .await
        .unwrap();
    let other = add_seat(store, p.id, f.other_org.id, day(2026, 11, 2), None).await;

    batch1.sort_by_key(|s| s.id);
    let view = |s: &Seat, holder: Option<SeatHolder>| SeatView {
        seat: s.clone(),
        plan_name: p.name.clone(),
        holder,
    };
    let expected: Vec<SeatView> = [&later, &batch1[0], &batch1[1]]
        .into_iter()
        .map(|s| view(s, None))
        .collect();
    assert_eq!(
        store.list_seats(f.org.id).await.unwrap(),
        expected,
        "newest purchase first, then by id"
    );
    assert_eq!(
        store.list_seats(f.other_org.id).await.unwrap(),
        vec![view(&other, None)]
    );
    assert!(store.list_seats(new_id()).await.unwrap().is_empty());
    assert_eq!(store.get_seat(later.id).await.unwrap(), view(&later, None));

    // The holder shows with their name and since when.
    let anna = add_person(store, "Anna", Some(f.org.id)).await;
    let since = t(2026, 11, 21, 8, 15, 0);
    store
        .assign_seat(batch1[1].id, Some(anna.id), since)
        .await
        .unwrap();
    let holder = SeatHolder {
        person_id: anna.id,
        first_name: anna.first_name.clone(),
        last_name: anna.last_name.clone(),
        since,
    };
    assert_eq!(
        store.get_seat(batch1[1].id).await.unwrap(),
        view(&batch1[1], Some(holder.clone()))
    );
    assert_eq!(
        store.list_seats(f.org.id).await.unwrap(),
        vec![
            view(&later, None),
            view(&batch1[0], None),
            view(&batch1[1], Some(holder)),
        ]
    );
    assert_not_found(store.get_seat(new_id()).await);
}

/// A seat given "only if nobody holds it" goes to one of many lists sent at
/// once, never from one new holder to the next.
pub async fn a_vacant_seat_goes_to_one_of_many_at_once(store: &dyn Store) {
    let f = fixture(store).await;
    let p = add_plan(store, "Network card", PlanScope::Network, 0).await;
    let s = add_seat(store, p.id, f.org.id, day(2026, 1, 1), None).await;
    let mut people = Vec::new();
    for name in ["Anna", "Bo", "Cia", "Dan", "Eva", "Frej", "Gun", "Hugo"] {
        people.push(add_person(store, name, Some(f.org.id)).await);
    }
    let at = t(2026, 11, 2, 8, 0, 0);
    let results = join_all(
        people
            .iter()
            .map(|p| store.give_vacant_seat(s.id, p.id, at)),
    )
    .await;
    let given: Vec<usize> = (0..results.len()).filter(|&i| results[i].is_ok()).collect();
    assert_eq!(given.len(), 1, "{results:?}");
    for r in &results {
        match r {
            Ok(()) | Err(StoreError::Refused(Refusal::SeatTaken)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let winner = &people[given[0]];
    let history = store.seat_history(s.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].person_id, winner.id);
    // Its holder again changes nothing; to someone else stays refused.
    store.give_vacant_seat(s.id, winner.id, at).await.unwrap();
    let other = people.iter().find(|p| p.id != winner.id).unwrap();
    assert!(matches!(
        store.give_vacant_seat(s.id, other.id, at).await,
        Err(StoreError::Refused(Refusal::SeatTaken))
    ));
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);
    // Once the seat is free again it can be given.
    store.assign_seat(s.id, None, at).await.unwrap();
    store.give_vacant_seat(s.id, other.id, at).await.unwrap();
}

pub async fn seat_assignment_keeps_its_history(store: &dyn Store) {
    let f = fixture(store).await;
    let p = add_plan(store, "Network card", PlanScope::Network, 0).await;
    let s = add_seat(store, p.id, f.org.id, day(2026, 1, 1), None).await;
    let anna = add_person(store, "Anna", Some(f.org.id)).await;
    let mut bo = add_person(store, "Bo", Some(f.org.id)).await;
    let outsider = add_person(store, "Cia", Some(f.other_org.id)).await;
    let mut archived = person("Dan", Some(f.org.id));
    archived.archived = true;
    store.insert_person(&archived).await.unwrap();
    let holding = |who: &Person, from, until| SeatHolding {
        seat_id: s.id,
        person_id: who.id,
        from,
        until,
    };

    let t1 = t(2026, 11, 2, 8, 0, 0);
    let t2 = t(2026, 11, 10, 12, 30, 0);
    let t3 = t(2026, 11, 15, 7, 0, 0);
    let t4 = t(2026, 11, 20, 9, 0, 0);

    assert!(store.seat_history(s.id).await.unwrap().is_empty());
    store.assign_seat(s.id, Some(anna.id), t1).await.unwrap();
    let mut history = vec![holding(&anna, t1, None)];
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);

    // Giving it to its holder again changes nothing.
    store
        .assign_seat(s.id, Some(anna.id), t1 + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);

    // Someone outside the organisation, archived or unknown: refused, and
    // the current holding stays.
    for who in [outsider.id, archived.id, new_id()] {
        assert_reference(store.assign_seat(s.id, Some(who), t2).await, "person_id");
        assert_eq!(store.seat_history(s.id).await.unwrap(), history);
    }
    assert_eq!(
        store
            .get_seat(s.id)
            .await
            .unwrap()
            .holder
            .map(|h| h.person_id),
        Some(anna.id)
    );
    assert_not_found(store.assign_seat(new_id(), Some(anna.id), t2).await);

    // Reassigning closes the holding at that very instant.
    store.assign_seat(s.id, Some(bo.id), t2).await.unwrap();
    history = vec![holding(&anna, t1, Some(t2)), holding(&bo, t2, None)];
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);
    assert_eq!(
        store.get_seat(s.id).await.unwrap().holder,
        Some(SeatHolder {
            person_id: bo.id,
            first_name: bo.first_name.clone(),
            last_name: bo.last_name.clone(),
            since: t2,
        })
    );

    // To nobody: the holding ends; again to nobody changes nothing.
    store.assign_seat(s.id, None, t3).await.unwrap();
    history = vec![holding(&anna, t1, Some(t2)), holding(&bo, t2, Some(t3))];
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);
    assert_eq!(store.get_seat(s.id).await.unwrap().holder, None);
    store
        .assign_seat(s.id, None, t3 + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);

    // Someone who has left the organisation can no longer be given it.
    bo.organisation_id = Some(f.other_org.id);
    store.update_person(&bo).await.unwrap();
    assert_reference(store.assign_seat(s.id, Some(bo.id), t4).await, "person_id");
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);

    // A former holder may get it back: a new holding, oldest first.
    store.assign_seat(s.id, Some(anna.id), t4).await.unwrap();
    history.push(holding(&anna, t4, None));
    assert_eq!(store.seat_history(s.id).await.unwrap(), history);
}

pub async fn held_seats_follow_the_holder_at_each_instant(store: &dyn Store) {
    let f = fixture(store).await;
    let network = add_plan(store, "Network card", PlanScope::Network, 2).await;
    let hub_plan = add_plan(store, "Hub card", PlanScope::Hub(f.hub.id), 0).await;
    let anna = add_person(store, "Anna", Some(f.org.id)).await;
    let bo = add_person(store, "Bo", Some(f.org.id)).await;
    let kept = add_seat(store, network.id, f.org.id, day(2026, 1, 1), None).await;
    // Ended long ago: still returned ("whatever their dates").
    let expired = add_seat(
        store,
        hub_plan.id,
        f.org.id,
        day(2025, 1, 1),
        Some(day(2025, 1, 31)),
    )
    .await;
    let moved = add_seat(store, network.id, f.org.id, day(2026, 1, 1), None).await;
    let _unheld = add_seat(store, network.id, f.org.id, day(2026, 1, 1), None).await;

    let t1 = t(2026, 11, 2, 8, 0, 0);
    let t2 = t(2026, 11, 10, 12, 0, 0);
    for s in [&kept, &expired, &moved] {
        store.assign_seat(s.id, Some(anna.id), t1).await.unwrap();
    }
    store.assign_seat(moved.id, Some(bo.id), t2).await.unwrap();

    let held = |s: &Seat, p: &Plan| HeldSeat {
        seat: s.clone(),
        plan: p.clone(),
        organisation_name: f.org.name.clone(),
    };
    let sorted = |v: Vec<HeldSeat>| by_id(v, |h| h.seat.id);
    let held_at = |p: &Person, at| store.held_seats(p.id, at);

    assert!(held_at(&anna, t1 - Duration::seconds(1))
        .await
        .unwrap()
        .is_empty());
    let all_three = sorted(vec![
        held(&kept, &network),
        held(&expired, &hub_plan),
        held(&moved, &network),
    ]);
    assert_eq!(sorted(held_at(&anna, t1).await.unwrap()), all_three);
    assert_eq!(
        sorted(held_at(&anna, t2 - Duration::seconds(1)).await.unwrap()),
        all_three
    );
    // From the reassignment on, the moved seat is Bo's only.
    let two = sorted(vec![held(&kept, &network), held(&expired, &hub_plan)]);
    assert_eq!(sorted(held_at(&anna, t2).await.unwrap()), two);
    assert_eq!(
        sorted(held_at(&anna, t2 + Duration::days(30)).await.unwrap()),
        two
    );
    assert!(held_at(&bo, t2 - Duration::seconds(1))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        held_at(&bo, t2).await.unwrap(),
        vec![held(&moved, &network)]
    );
    assert!(store.held_seats(new_id(), t2).await.unwrap().is_empty());
}

pub async fn seat_end_round_trips(store: &dyn Store) {
    let f = fixture(store).await;
    let p = add_plan(store, "Network card", PlanScope::Network, 0).await;
    let mut s = add_seat(store, p.id, f.org.id, day(2026, 11, 1), None).await;
    store
        .set_seat_end(s.id, Some(day(2026, 12, 31)))
        .await
        .unwrap();
    s.end_date = Some(day(2026, 12, 31));
    assert_eq!(store.get_seat(s.id).await.unwrap().seat, s);
    assert_eq!(store.list_seats(f.org.id).await.unwrap()[0].seat, s);
    store.set_seat_end(s.id, None).await.unwrap();
    s.end_date = None;
    assert_eq!(store.get_seat(s.id).await.unwrap().seat, s);
    assert_not_found(store.set_seat_end(new_id(), Some(day(2026, 12, 31))).await);
}

// ---------------------------------------------------- profile and card

pub async fn profiles_and_qr_generations(store: &dyn Store) {
    let f = fixture(store).await;
    let anna = add_person(store, "Anna", Some(f.org.id)).await;
    let bo = add_person(store, "Bo", Some(f.org.id)).await;
    assert_eq!(
        store.get_profile(anna.id).await.unwrap(),
        Profile::default()
    );
    assert_eq!(store.qr_generation(anna.id).await.unwrap(), 0);

    // Rotating first, then setting the profile: neither undoes the other.
    assert_eq!(store.rotate_qr(anna.id).await.unwrap(), 1);
    assert_eq!(store.rotate_qr(anna.id).await.unwrap(), 2);
    assert_eq!(store.qr_generation(anna.id).await.unwrap(), 2);
    assert_eq!(
        store.get_profile(anna.id).await.unwrap(),
        Profile::default()
    );
    let profile = Profile {
        visible: true,
        expertise: vec![
            "GIS".into(),
            "Upphandling".into(),
            "Drönare åt kommunen".into(),
        ],
    };
    store.set_profile(anna.id, &profile).await.unwrap();
    assert_eq!(store.get_profile(anna.id).await.unwrap(), profile);
    assert_eq!(store.qr_generation(anna.id).await.unwrap(), 2);
    let hidden = Profile {
        visible: false,
        expertise: vec![],
    };
    store.set_profile(anna.id, &hidden).await.unwrap();
    assert_eq!(store.get_profile(anna.id).await.unwrap(), hidden);
    assert_eq!(store.rotate_qr(anna.id).await.unwrap(), 3);
    assert_eq!(store.get_profile(anna.id).await.unwrap(), hidden);

    // Setting the profile first, then rotating.
    let bo_profile = Profile {
        visible: true,
        expertise: vec!["Bokföring".into()],
    };
    store.set_profile(bo.id, &bo_profile).await.unwrap();
    assert_eq!(store.qr_generation(bo.id).await.unwrap(), 0);
    assert_eq!(store.rotate_qr(bo.id).await.unwrap(), 1);
    assert_eq!(store.get_profile(bo.id).await.unwrap(), bo_profile);
    assert_eq!(store.qr_generation(anna.id).await.unwrap(), 3);
}

// ------------------------------------------------------------ check-ins

/// A fixture, a network plan and a seat of `f.org` held by a new person.
async fn member(store: &dyn Store, f: &Fixture, plan: &Plan, first: &str) -> (Person, Seat) {
    let p = add_person(store, first, Some(f.org.id)).await;
    let s = add_seat(store, plan.id, f.org.id, day(2026, 1, 1), None).await;
    store
        .assign_seat(s.id, Some(p.id), t(2026, 1, 1, 8, 0, 0))
        .await
        .unwrap();
    (p, s)
}

pub async fn checkins_open_and_close(store: &dyn Store) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 2).await;
    let (anna, seat) = member(store, &f, &plan, "Anna").await;
    let (bo, bo_seat) = member(store, &f, &plan, "Bo").await;
    let t1 = base();

    let mut c1 = checkin(anna.id, f.hub.id, seat.id, t1);
    c1.method = CheckInMethod::Page;
    check_in(store, &c1).await;
    assert_eq!(store.get_checkin(c1.id).await.unwrap(), c1);
    assert_eq!(
        store.open_checkin_of(anna.id).await.unwrap(),
        Some(c1.clone())
    );
    assert_eq!(store.open_checkin_of(bo.id).await.unwrap(), None);

    // A second open check-in, even at another hub, is a conflict.
    let c2 = checkin(anna.id, f.hub_b.id, seat.id, t1 + Duration::minutes(5));
    assert_refused(
        store
            .insert_checkin(&c2, &event(WebhookEvent::CheckIn, c2.checked_in_at))
            .await,
        Refusal::AlreadyCheckedIn,
    );
    assert_not_found(store.get_checkin(c2.id).await);
    assert_eq!(
        store.open_checkin_of(anna.id).await.unwrap(),
        Some(c1.clone())
    );

    let mut q1 = checkin(bo.id, f.far_hub.id, bo_seat.id, t1 + Duration::minutes(10));
    q1.method = CheckInMethod::Api;
    check_in(store, &q1).await;
    assert_eq!(
        by_id(store.list_open_checkins().await.unwrap(), |c| c.id),
        by_id(vec![c1.clone(), q1.clone()], |c| c.id)
    );

    // A guest, to see it leave with the host.
    let g = guest(&c1, f.org.id, "Gun", t1 + Duration::minutes(30));
    add_guest(store, &g, 2).await;

    // Checking out.
    let out = t1 + Duration::hours(2);
    let closed = store
        .checkout(c1.id, out, false, &event(WebhookEvent::CheckOut, out))
        .await
        .unwrap();
    let mut c1_closed = c1.clone();
    c1_closed.checked_out_at = Some(out);
    assert_eq!(closed, c1_closed);
    assert_eq!(store.get_checkin(c1.id).await.unwrap(), c1_closed);
    assert_eq!(store.open_checkin_of(anna.id).await.unwrap(), None);
    assert_eq!(store.list_open_checkins().await.unwrap(), vec![q1.clone()]);
    assert_eq!(
        store.list_guests(c1.id).await.unwrap(),
        vec![GuestVisit {
            left_at: Some(out),
            ..g.clone()
        }]
    );

    // Twice: a conflict, and nothing changes; unknown: not found.
    let later = out + Duration::hours(1);
    assert_refused(
        store
            .checkout(c1.id, later, true, &event(WebhookEvent::CheckOut, later))
            .await,
        Refusal::AlreadyCheckedOut,
    );
    assert_eq!(store.get_checkin(c1.id).await.unwrap(), c1_closed);
    assert_not_found(
        store
            .checkout(
                new_id(),
                later,
                false,
                &event(WebhookEvent::CheckOut, later),
            )
            .await,
    );
    assert_not_found(store.get_checkin(new_id()).await);

    // Checked out, one may check in again; closed by the system this time.
    let c3 = checkin(anna.id, f.hub_b.id, seat.id, t1 + Duration::hours(3));
    check_in(store, &c3).await;
    let auto = t1 + Duration::hours(7);
    let closed = store
        .checkout(c3.id, auto, true, &event(WebhookEvent::CheckOut, auto))
        .await
        .unwrap();
    let c3_closed = CheckIn {
        checked_out_at: Some(auto),
        auto_closed: true,
        ..c3.clone()
    };
    assert_eq!(closed, c3_closed);
    assert_eq!(store.get_checkin(c3.id).await.unwrap(), c3_closed);

    let c4 = checkin(anna.id, f.hub.id, seat.id, t1 + Duration::days(1));
    check_in(store, &c4).await;
    assert_eq!(
        store.list_checkins_of(anna.id, 10).await.unwrap(),
        vec![c4.clone(), c3_closed.clone(), c1_closed.clone()],
        "newest first"
    );
    assert_eq!(
        store.list_checkins_of(anna.id, 2).await.unwrap(),
        vec![c4.clone(), c3_closed]
    );
    assert_eq!(store.list_checkins_of(bo.id, 10).await.unwrap(), vec![q1]);
    assert!(store
        .list_checkins_of(new_id(), 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn one_open_checkin_per_person_under_concurrency(store: &dyn Store) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 0).await;
    let (anna, seat) = member(store, &f, &plan, "Anna").await;
    let at = base();
    let hubs = [f.hub.id, f.hub_b.id, f.far_hub.id];
    let attempts: Vec<(CheckIn, OutboundEvent)> = (0..20)
        .map(|i| {
            let c = checkin(anna.id, hubs[i % 3], seat.id, at);
            (c, event(WebhookEvent::CheckIn, at))
        })
        .collect();
    let results = join_all(attempts.iter().map(|(c, e)| store.insert_checkin(c, e))).await;

    let mut winners = vec![];
    for ((c, _), r) in attempts.iter().zip(results) {
        match r {
            Ok(()) => winners.push(c.clone()),
            Err(StoreError::Refused(r)) => assert_eq!(r, Refusal::AlreadyCheckedIn),
            Err(e) => panic!("expected Ok or Refused(AlreadyCheckedIn), got {e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one concurrent check-in wins");
    assert_eq!(
        store.open_checkin_of(anna.id).await.unwrap(),
        Some(winners[0].clone())
    );
    assert_eq!(store.list_open_checkins().await.unwrap(), winners);
    assert_eq!(store.list_checkins_of(anna.id, 100).await.unwrap(), winners);
}

// --------------------------------------------------------------- guests

pub async fn guests_are_limited_and_leave_with_their_host(store: &dyn Store) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 2).await;
    let (anna, seat) = member(store, &f, &plan, "Anna").await;
    let (bo, bo_seat) = member(store, &f, &plan, "Bo").await;
    let (cia, cia_seat) = member(store, &f, &plan, "Cia").await;
    let t0 = base();
    let host = checkin(anna.id, f.hub.id, seat.id, t0);
    check_in(store, &host).await;
    let host2 = checkin(bo.id, f.hub.id, bo_seat.id, t0 + Duration::minutes(1));
    check_in(store, &host2).await;
    let no_guests = checkin(cia.id, f.hub.id, cia_seat.id, t0 + Duration::minutes(2));
    check_in(store, &no_guests).await;

    let g1 = guest(&host, f.org.id, "Gun", t0 + Duration::minutes(10));
    let g2 = guest(&host, f.org.id, "Göran", t0 + Duration::minutes(20));
    let g3 = guest(&host, f.org.id, "Greta", t0 + Duration::minutes(30));
    add_guest(store, &g1, 2).await;
    // The other host's guest comes between: limits are per check-in.
    let h1 = guest(&host2, f.org.id, "Hans", t0 + Duration::minutes(15));
    add_guest(store, &h1, 1).await;
    add_guest(store, &g2, 2).await;
    assert_refused(
        store
            .insert_guest_visit(&g3, 2, &event(WebhookEvent::Guest, g3.arrived_at))
            .await,
        Refusal::Guest(GuestRefusal::LimitReached { limit: 2 }),
    );
    // A plan without guests.
    let n1 = guest(&no_guests, f.org.id, "Nils", t0 + Duration::minutes(30));
    assert_refused(
        store
            .insert_guest_visit(&n1, 0, &event(WebhookEvent::Guest, n1.arrived_at))
            .await,
        Refusal::Guest(GuestRefusal::LimitReached { limit: 0 }),
    );
    assert!(store.list_guests(no_guests.id).await.unwrap().is_empty());

    assert_eq!(
        store.list_guests(host.id).await.unwrap(),
        vec![g1.clone(), g2.clone()],
        "in order of arrival"
    );
    assert_eq!(store.list_guests(host2.id).await.unwrap(), vec![h1.clone()]);
    assert_eq!(
        store.present_guests(f.hub.id).await.unwrap(),
        vec![g1.clone(), h1.clone(), g2.clone()]
    );
    assert!(store.present_guests(f.hub_b.id).await.unwrap().is_empty());

    // The host leaves: so do their guests, and no more can be registered.
    let out = t0 + Duration::hours(3);
    check_out(store, &host, out).await;
    let left = |g: &GuestVisit| GuestVisit {
        left_at: Some(out),
        ..g.clone()
    };
    assert_eq!(
        store.list_guests(host.id).await.unwrap(),
        vec![left(&g1), left(&g2)]
    );
    assert_eq!(
        store.present_guests(f.hub.id).await.unwrap(),
        vec![h1.clone()]
    );
    let late = guest(&host, f.org.id, "Lars", out + Duration::minutes(5));
    assert_refused(
        store
            .insert_guest_visit(&late, 2, &event(WebhookEvent::Guest, late.arrived_at))
            .await,
        Refusal::Guest(GuestRefusal::HostNotCheckedIn),
    );
    assert_eq!(store.list_guests(host.id).await.unwrap().len(), 2);
    // The other host's guest is untouched.
    assert_eq!(store.list_guests(host2.id).await.unwrap(), vec![h1]);
}

pub async fn concurrent_guests_respect_the_limit(store: &dyn Store) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 2).await;
    let (anna, seat) = member(store, &f, &plan, "Anna").await;
    let host = checkin(anna.id, f.hub.id, seat.id, base());
    check_in(store, &host).await;
    let arrivals: Vec<(GuestVisit, OutboundEvent)> = (0..12)
        .map(|i| {
            let at = base() + Duration::minutes(10 + i);
            (
                guest(&host, f.org.id, &format!("Gäst{i}"), at),
                event(WebhookEvent::Guest, at),
            )
        })
        .collect();
    let results = join_all(
        arrivals
            .iter()
            .map(|(g, e)| store.insert_guest_visit(g, 2, e)),
    )
    .await;
    let mut admitted = vec![];
    for ((g, _), r) in arrivals.iter().zip(results) {
        match r {
            Ok(()) => admitted.push(g.clone()),
            Err(StoreError::Refused(r)) => {
                assert_eq!(r, Refusal::Guest(GuestRefusal::LimitReached { limit: 2 }))
            }
            Err(e) => panic!("expected Ok or Refused(guest limit), got {e:?}"),
        }
    }
    assert_eq!(admitted.len(), 2, "exactly the limit is admitted");
    admitted.sort_by_key(|g| g.arrived_at);
    assert_eq!(store.list_guests(host.id).await.unwrap(), admitted);
    assert_eq!(store.present_guests(f.hub.id).await.unwrap(), admitted);
}

// ------------------------------------------------------------- presence

pub async fn present_at_lists_open_checkins_with_profiles(store: &dyn Store) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 0).await;
    let anna = add_person(store, "Anna", Some(f.org.id)).await;
    let bo = add_person(store, "Bo", Some(f.other_org.id)).await;
    let cia = add_person(store, "Cia", Some(f.org.id)).await;
    let dan = add_person(store, "Dan", Some(f.org.id)).await;
    let seat = add_seat(store, plan.id, f.org.id, day(2026, 1, 1), None).await;
    let other_seat = add_seat(store, plan.id, f.other_org.id, day(2026, 1, 1), None).await;
    let profile = Profile {
        visible: true,
        expertise: vec!["GIS".into(), "Upphandling".into()],
    };
    store.set_profile(anna.id, &profile).await.unwrap();
    store.rotate_qr(bo.id).await.unwrap();

    let t0 = base();
    // Dan came first but has left.
    let d = checkin(dan.id, f.hub.id, seat.id, t0 - Duration::hours(2));
    check_in(store, &d).await;
    check_out(store, &d, t0 - Duration::hours(1)).await;
    let b = checkin(bo.id, f.hub.id, other_seat.id, t0);
    check_in(store, &b).await;
    let c = checkin(cia.id, f.hub_b.id, seat.id, t0 + Duration::minutes(10));
    check_in(store, &c).await;
    let a = checkin(anna.id, f.hub.id, seat.id, t0 + Duration::minutes(20));
    check_in(store, &a).await;

    let present = |p: &Person, org: &Organisation, prof: &Profile, since| PresentPerson {
        person_id: p.id,
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        organisation_name: Some(org.name.clone()),
        visible: prof.visible,
        expertise: prof.expertise.clone(),
        since,
    };
    assert_eq!(
        store.present_at(f.hub.id).await.unwrap(),
        vec![
            present(&bo, &f.other_org, &Profile::default(), b.checked_in_at),
            present(&anna, &f.org, &profile, a.checked_in_at),
        ],
        "in order of arrival"
    );
    assert_eq!(
        store.present_at(f.hub_b.id).await.unwrap(),
        vec![present(&cia, &f.org, &Profile::default(), c.checked_in_at)]
    );
    assert!(store.present_at(f.far_hub.id).await.unwrap().is_empty());

    check_out(store, &b, t0 + Duration::hours(1)).await;
    assert_eq!(
        store.present_at(f.hub.id).await.unwrap(),
        vec![present(&anna, &f.org, &profile, a.checked_in_at)]
    );
}

// -------------------------------------------------------- access numbers

pub async fn access_summary_counts_exactly(store: &dyn Store) {
    let f = fixture(store).await;
    let third_org = add_organisation(store, "Gamma AB", "556000-0035").await;
    let now = base();
    let today = day(2026, 11, 23);
    let since = today - Duration::days(29);
    let long_ago = t(2026, 1, 1, 8, 0, 0);

    let network = add_plan(store, "Network", PlanScope::Network, 2).await;
    let region = add_plan(store, "Region", PlanScope::Region(f.region.id), 2).await;
    let other_region = add_plan(store, "Far region", PlanScope::Region(f.other_region.id), 2).await;
    let hub_plan = add_plan(store, "Hub", PlanScope::Hub(f.hub.id), 2).await;
    let far_hub_plan = add_plan(store, "Far hub", PlanScope::Hub(f.far_hub.id), 2).await;

    // A person holding one seat from `long_ago`.
    async fn holder(
        store: &dyn Store,
        first: &str,
        org: &Organisation,
        plan: &Plan,
        start: NaiveDate,
        end: Option<NaiveDate>,
        from: DateTime<Utc>,
    ) -> (Person, Seat) {
        let p = add_person(store, first, Some(org.id)).await;
        let s = add_seat(store, plan.id, org.id, start, end).await;
        store.assign_seat(s.id, Some(p.id), from).await.unwrap();
        (p, s)
    }
    let jan = day(2026, 1, 1);
    let a = &f.org;
    let b = &f.other_org;
    let c = &third_org;

    // With access to `hub`: a1, a2, a3, a9 (organisation a) and b1 (b).
    let (a1, a1_seat) = holder(store, "Aa", a, &network, jan, None, long_ago).await;
    // Starts today.
    let (a2, a2_seat) = holder(store, "Ab", a, &region, today, None, long_ago).await;
    // Two opening seats, counted once.
    let (a3, a3_seat) = holder(store, "Ac", a, &hub_plan, jan, None, long_ago).await;
    let extra = add_seat(store, network.id, a.id, jan, None).await;
    store
        .assign_seat(extra.id, Some(a3.id), long_ago)
        .await
        .unwrap();
    // Ends today.
    let (b1, b1_seat) = holder(store, "Ba", b, &hub_plan, jan, Some(today), long_ago).await;

    // Without: seats that do not open the hub, expired, not yet started.
    holder(store, "Ad", a, &other_region, jan, None, long_ago).await;
    holder(store, "Ae", a, &far_hub_plan, jan, None, long_ago).await;
    let (a6, a6_seat) = holder(
        store,
        "Af",
        a,
        &network,
        jan,
        Some(today - Duration::days(1)),
        long_ago,
    )
    .await;
    holder(
        store,
        "Ag",
        a,
        &network,
        today + Duration::days(1),
        None,
        long_ago,
    )
    .await;
    // A seat reassigned from a8 to a9 yesterday.
    let (_a8, moved) = holder(store, "Ah", a, &network, jan, None, long_ago).await;
    let a9 = add_person(store, "Ai", Some(a.id)).await;
    store
        .assign_seat(moved.id, Some(a9.id), now - Duration::days(1))
        .await
        .unwrap();
    // Organisation c: a seat nobody holds, one that opens elsewhere, and one
    // held only from later today, one given back an hour ago.
    add_seat(store, network.id, c.id, jan, None).await;
    let (c1, c1_seat) = holder(store, "Ca", c, &other_region, jan, None, long_ago).await;
    holder(
        store,
        "Cb",
        c,
        &network,
        jan,
        None,
        now + Duration::hours(1),
    )
    .await;
    let (_, returned) = holder(store, "Cc", c, &network, jan, None, long_ago).await;
    store
        .assign_seat(returned.id, None, now - Duration::hours(1))
        .await
        .unwrap();

    // Visits. Open now at `hub`: a1 and c1 (access or not, they are here).
    let a1_in = checkin(a1.id, f.hub.id, a1_seat.id, now - Duration::hours(1));
    check_in(store, &a1_in).await;
    add_guest(
        store,
        &guest(&a1_in, a.id, "G1", now - Duration::minutes(30)),
        2,
    )
    .await;
    let c1_in = checkin(c1.id, f.hub.id, c1_seat.id, now - Duration::minutes(40));
    check_in(store, &c1_in).await;
    // Closed, recent, at `hub`, with a guest.
    let a2_in = checkin(a2.id, f.hub.id, a2_seat.id, now - Duration::days(2));
    check_in(store, &a2_in).await;
    add_guest(
        store,
        &guest(
            &a2_in,
            a.id,
            "G2",
            now - Duration::days(2) + Duration::hours(1),
        ),
        2,
    )
    .await;
    check_out(store, &a2_in, now - Duration::days(2) + Duration::hours(4)).await;
    // Closed, old, at `hub`, with a guest: not counted.
    let a3_in = checkin(a3.id, f.hub.id, a3_seat.id, now - Duration::days(40));
    check_in(store, &a3_in).await;
    add_guest(
        store,
        &guest(
            &a3_in,
            a.id,
            "G3",
            now - Duration::days(40) + Duration::hours(1),
        ),
        2,
    )
    .await;
    check_out(store, &a3_in, now - Duration::days(40) + Duration::hours(5)).await;
    // a6 (expired seat) visited recently, at `hub`: counted as a visit.
    let a6_in = checkin(a6.id, f.hub.id, a6_seat.id, now - Duration::days(10));
    check_in(store, &a6_in).await;
    check_out(store, &a6_in, now - Duration::days(10) + Duration::hours(2)).await;
    // a9: once at `hub`, once at `hub_b` (not counted).
    let a9_in = checkin(a9.id, f.hub.id, moved.id, now - Duration::days(5));
    check_in(store, &a9_in).await;
    check_out(store, &a9_in, now - Duration::days(5) + Duration::hours(3)).await;
    let a9_b = checkin(a9.id, f.hub_b.id, moved.id, now - Duration::days(3));
    check_in(store, &a9_b).await;
    check_out(store, &a9_b, now - Duration::days(3) + Duration::hours(3)).await;
    // b1 is at the far hub now, with a guest: not counted.
    let b1_in = checkin(b1.id, f.far_hub.id, b1_seat.id, now - Duration::hours(2));
    check_in(store, &b1_in).await;
    add_guest(
        store,
        &guest(&b1_in, b.id, "G4", now - Duration::hours(1)),
        2,
    )
    .await;

    assert_eq!(
        store
            .access_summary(f.hub.id, f.region.id, today, now, since)
            .await
            .unwrap(),
        AccessSummary {
            people_with_access: 5,
            organisations_with_access: 2,
            checked_in_now: 2,
            visits_last_30_days: 5, // a1, c1, a2, a6, a9
            guest_visits_last_30_days: 2,
        }
    );
    // `hub_b` (same region): the network and region seats only; the
    // region seat starts today, the hub seats open `hub` only.
    assert_eq!(
        store
            .access_summary(f.hub_b.id, f.region.id, today, now, since)
            .await
            .unwrap(),
        AccessSummary {
            people_with_access: 4, // a1, a2, a3 (network seat), a9
            organisations_with_access: 1,
            checked_in_now: 0,
            visits_last_30_days: 1,
            guest_visits_last_30_days: 0,
        }
    );
    // The far hub: network seats, the far region's and the far hub's.
    assert_eq!(
        store
            .access_summary(f.far_hub.id, f.other_region.id, today, now, since)
            .await
            .unwrap(),
        AccessSummary {
            // a1, a3, a9 (network), Ad (region), Ae (hub), c1 (region).
            people_with_access: 6,
            organisations_with_access: 2,
            checked_in_now: 1,
            visits_last_30_days: 1,
            guest_visits_last_30_days: 1,
        }
    );
    // Before the reassignment and the return, a8 and Cc had access to
    // `hub` instead of a9; and on a day before a2's seat started, a2 had none.
    assert_eq!(
        store
            .access_summary(
                f.hub.id,
                f.region.id,
                today - Duration::days(2),
                now - Duration::days(2),
                since,
            )
            .await
            .unwrap()
            .people_with_access,
        // a1, a3, a6 (not yet expired), a8, b1, Cc.
        6
    );
}

// ------------------------------------------------------------- webhooks

pub async fn webhooks_round_trip(store: &dyn Store) {
    assert!(store.list_webhooks().await.unwrap().is_empty());
    let mut w1 = webhook(
        "https://example.se/hooks/a",
        vec![WebhookEvent::CheckIn, WebhookEvent::CheckOut],
        true,
        t(2026, 11, 1, 8, 0, 0),
    );
    let w2 = webhook(
        "http://127.0.0.1:9000/hook",
        vec![
            WebhookEvent::CheckIn,
            WebhookEvent::CheckOut,
            WebhookEvent::Guest,
        ],
        false,
        t(2026, 11, 2, 8, 0, 0),
    );
    // Inserted newest first; listed oldest first.
    store.insert_webhook(&w2).await.unwrap();
    store.insert_webhook(&w1).await.unwrap();
    assert_eq!(store.get_webhook(w1.id).await.unwrap(), w1);
    assert_eq!(store.get_webhook(w2.id).await.unwrap(), w2);
    assert_eq!(
        store.list_webhooks().await.unwrap(),
        vec![w1.clone(), w2.clone()]
    );
    w1.url = "https://example.se/hooks/b".into();
    w1.events = vec![WebhookEvent::Guest];
    w1.secret = "rotated".into();
    w1.active = false;
    store.update_webhook(&w1).await.unwrap();
    assert_eq!(store.get_webhook(w1.id).await.unwrap(), w1);
    assert_eq!(store.list_webhooks().await.unwrap(), vec![w1, w2.clone()]);
    let unknown = webhook("https://x.se", vec![WebhookEvent::Guest], true, base());
    assert_not_found(store.update_webhook(&unknown).await);
    assert_not_found(store.get_webhook(unknown.id).await);
    assert!(store.list_deliveries(None, 10).await.unwrap().is_empty());
}

#[track_caller]
fn assert_fresh(d: &WebhookDelivery, webhook: &Webhook, e: &OutboundEvent) {
    assert_eq!(
        (d.webhook_id, d.event, d.payload.as_str()),
        (webhook.id, e.event, e.payload.as_str())
    );
    assert_eq!(d.attempts, 0);
    assert_eq!(d.delivered_at, None);
    assert!(!d.failed);
    assert_eq!(d.last_error, None);
    assert_eq!(
        d.next_attempt_at, e.at,
        "a new delivery is due at the event"
    );
    assert_eq!(d.created_at, e.at, "a delivery is created at the event");
}

pub async fn events_fan_out_to_active_subscribed_webhooks(store: &dyn Store) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 1).await;
    let (anna, seat) = member(store, &f, &plan, "Anna").await;
    let created = t(2026, 11, 1, 8, 0, 0);
    let in_out = webhook(
        "https://a.example.se/hook",
        vec![WebhookEvent::CheckIn, WebhookEvent::CheckOut],
        true,
        created,
    );
    let guests = webhook(
        "https://b.example.se/hook",
        vec![WebhookEvent::Guest],
        true,
        created + Duration::seconds(1),
    );
    let inactive = webhook(
        "https://c.example.se/hook",
        WebhookEvent::ALL.to_vec(),
        false,
        created + Duration::seconds(2),
    );
    let all = webhook(
        "https://d.example.se/hook",
        WebhookEvent::ALL.to_vec(),
        true,
        created + Duration::seconds(3),
    );
    for w in [&in_out, &guests, &inactive, &all] {
        store.insert_webhook(w).await.unwrap();
    }
    let count = || async { store.list_deliveries(None, 100).await.unwrap().len() };
    let of = |w: Uuid| async move { store.list_deliveries(Some(w), 100).await.unwrap() };

    let t0 = base();
    let c = checkin(anna.id, f.hub.id, seat.id, t0);
    let e_in = event(WebhookEvent::CheckIn, t0);
    store.insert_checkin(&c, &e_in).await.unwrap();
    assert_eq!(count().await, 2);

    // Failed changes queue nothing.
    let dup = checkin(anna.id, f.hub_b.id, seat.id, t0 + Duration::minutes(1));
    assert_refused(
        store
            .insert_checkin(
                &dup,
                &event(WebhookEvent::CheckIn, t0 + Duration::minutes(1)),
            )
            .await,
        Refusal::AlreadyCheckedIn,
    );
    assert_eq!(count().await, 2);

    let g = guest(&c, f.org.id, "Gun", t0 + Duration::minutes(10));
    let e_guest = event(WebhookEvent::Guest, g.arrived_at);
    store.insert_guest_visit(&g, 1, &e_guest).await.unwrap();
    assert_eq!(count().await, 4);
    let g2 = guest(&c, f.org.id, "Göran", t0 + Duration::minutes(11));
    assert_refused(
        store
            .insert_guest_visit(&g2, 1, &event(WebhookEvent::Guest, g2.arrived_at))
            .await,
        Refusal::Guest(GuestRefusal::LimitReached { limit: 1 }),
    );
    assert_eq!(count().await, 4);

    let out = t0 + Duration::hours(2);
    let e_out = event(WebhookEvent::CheckOut, out);
    store.checkout(c.id, out, false, &e_out).await.unwrap();
    assert_eq!(count().await, 6);
    assert_refused(
        store
            .checkout(c.id, out, false, &event(WebhookEvent::CheckOut, out))
            .await,
        Refusal::AlreadyCheckedOut,
    );
    assert_eq!(count().await, 6);
    let late = guest(&c, f.org.id, "Lars", out + Duration::minutes(1));
    assert_refused(
        store
            .insert_guest_visit(&late, 1, &event(WebhookEvent::Guest, late.arrived_at))
            .await,
        Refusal::Guest(GuestRefusal::HostNotCheckedIn),
    );
    assert_eq!(count().await, 6);

    // Who got what, newest first.
    let d = of(in_out.id).await;
    assert_eq!(d.len(), 2);
    assert_fresh(&d[0], &in_out, &e_out);
    assert_fresh(&d[1], &in_out, &e_in);
    let d = of(guests.id).await;
    assert_eq!(d.len(), 1);
    assert_fresh(&d[0], &guests, &e_guest);
    assert!(of(inactive.id).await.is_empty());
    let d = of(all.id).await;
    assert_eq!(d.len(), 3);
    assert_fresh(&d[0], &all, &e_out);
    assert_fresh(&d[1], &all, &e_guest);
    assert_fresh(&d[2], &all, &e_in);

    // All of them, newest first, with a limit.
    let newest = store.list_deliveries(None, 2).await.unwrap();
    assert_eq!(newest.len(), 2);
    assert!(newest.iter().all(|d| d.event == WebhookEvent::CheckOut));
    assert_eq!(
        newest.iter().map(|d| d.webhook_id).collect::<HashSet<_>>(),
        HashSet::from([in_out.id, all.id])
    );
    let everything = store.list_deliveries(None, 100).await.unwrap();
    assert!(everything
        .windows(2)
        .all(|w| w[0].created_at >= w[1].created_at));
    assert_eq!(
        everything
            .iter()
            .map(|d| d.id)
            .collect::<HashSet<_>>()
            .len(),
        6
    );
}

/// A webhook subscribed to check-ins and `n` deliveries to it, due at
/// instants before `base()`, oldest first.
async fn queue(store: &dyn Store, n: usize) -> (Webhook, Vec<WebhookDelivery>) {
    let f = fixture(store).await;
    let plan = add_plan(store, "Network card", PlanScope::Network, 0).await;
    let (anna, seat) = member(store, &f, &plan, "Anna").await;
    let w = webhook(
        "https://example.se/hook",
        vec![WebhookEvent::CheckIn],
        true,
        t(2026, 11, 1, 8, 0, 0),
    );
    store.insert_webhook(&w).await.unwrap();
    let first = base() - Duration::hours(n as i64 + 1);
    for i in 0..n {
        let at = first + Duration::hours(i as i64);
        let c = checkin(anna.id, f.hub.id, seat.id, at);
        check_in(store, &c).await;
        check_out(store, &c, at + Duration::minutes(30)).await;
    }
    let mut deliveries = store.list_deliveries(Some(w.id), 1000).await.unwrap();
    assert_eq!(deliveries.len(), n);
    deliveries.reverse();
    (w, deliveries)
}

fn ids(claimed: &[crate::ClaimedDelivery]) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = claimed.iter().map(|c| c.delivery.id).collect();
    v.sort();
    v
}

pub async fn deliveries_are_claimed_once_per_lease(store: &dyn Store) {
    let (w, queued) = queue(store, 3).await;
    let all_ids = by_id(queued.iter().map(|d| d.id).collect(), |id| *id);
    let lease = Duration::seconds(60);
    let now = base();

    // Not due before their event.
    let before = queued[0].next_attempt_at - Duration::seconds(1);
    assert!(store
        .claim_deliveries(before, lease, 100)
        .await
        .unwrap()
        .is_empty());
    // Only the first is due at its own instant.
    let first = store
        .claim_deliveries(queued[0].next_attempt_at, lease, 100)
        .await
        .unwrap();
    assert_eq!(ids(&first), vec![queued[0].id]);
    assert_eq!(first[0].webhook, w);
    assert_eq!(first[0].delivery.payload, queued[0].payload);
    assert_eq!(first[0].delivery.attempts, 1);

    // All of them at `now`: the first one's lease has long ended.
    let claimed = store.claim_deliveries(now, lease, 100).await.unwrap();
    assert_eq!(ids(&claimed), all_ids);
    for c in &claimed {
        assert_eq!(c.webhook, w);
        let expected_attempts = if c.delivery.id == queued[0].id { 2 } else { 1 };
        assert_eq!(c.delivery.attempts, expected_attempts);
        assert_eq!(c.delivery.delivered_at, None);
        assert!(!c.delivery.failed);
    }
    // Hidden for the lease.
    assert!(store
        .claim_deliveries(now, lease, 100)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_deliveries(now + Duration::seconds(30), lease, 100)
        .await
        .unwrap()
        .is_empty());
    // Back after it, with one more attempt; `limit` respected.
    let after = now + lease + Duration::seconds(1);
    let two = store.claim_deliveries(after, lease, 2).await.unwrap();
    assert_eq!(two.len(), 2);
    let rest = store.claim_deliveries(after, lease, 100).await.unwrap();
    assert_eq!(rest.len(), 1);
    let mut again = two;
    again.extend(rest);
    assert_eq!(ids(&again), all_ids);
    for c in &again {
        let expected_attempts = if c.delivery.id == queued[0].id { 3 } else { 2 };
        assert_eq!(c.delivery.attempts, expected_attempts);
    }
    let listed = store.list_deliveries(Some(w.id), 10).await.unwrap();
    assert!(listed.iter().all(|d| d.delivered_at.is_none() && !d.failed));
    assert_eq!(listed.iter().map(|d| d.attempts).sum::<i64>(), 3 + 2 + 2);
}

pub async fn delivered_and_failed_deliveries_leave_the_queue(store: &dyn Store) {
    let (w, queued) = queue(store, 3).await;
    let lease = Duration::seconds(60);
    let now = base();
    let (d1, d2, d3) = (queued[0].id, queued[1].id, queued[2].id);
    assert_eq!(
        store.claim_deliveries(now, lease, 100).await.unwrap().len(),
        3
    );

    store
        .mark_delivered(d1, now + Duration::seconds(1))
        .await
        .unwrap();
    store
        .mark_attempt_failed(d2, "HTTP 500", now + Duration::seconds(10), false)
        .await
        .unwrap();
    store
        .mark_attempt_failed(d3, "connection refused", now + Duration::seconds(10), true)
        .await
        .unwrap();
    let listed = store.list_deliveries(Some(w.id), 10).await.unwrap();
    let get = |id: Uuid| listed.iter().find(|d| d.id == id).unwrap().clone();
    let one = get(d1);
    assert_eq!(one.delivered_at, Some(now + Duration::seconds(1)));
    assert!(!one.failed);
    let two = get(d2);
    assert_eq!(two.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(two.next_attempt_at, now + Duration::seconds(10));
    assert_eq!(two.delivered_at, None);
    assert!(!two.failed);
    assert_eq!(two.attempts, 1);
    let three = get(d3);
    assert_eq!(three.last_error.as_deref(), Some("connection refused"));
    assert!(three.failed);
    assert_eq!(three.delivered_at, None);

    // Only d2 comes back, at its next attempt.
    assert!(store
        .claim_deliveries(now + Duration::seconds(9), lease, 100)
        .await
        .unwrap()
        .is_empty());
    let retried = store
        .claim_deliveries(now + Duration::seconds(10), lease, 100)
        .await
        .unwrap();
    assert_eq!(ids(&retried), vec![d2]);
    assert_eq!(retried[0].delivery.attempts, 2);
    store
        .mark_delivered(d2, now + Duration::seconds(11))
        .await
        .unwrap();
    let much_later = now + Duration::days(10);
    assert!(store
        .claim_deliveries(much_later, lease, 100)
        .await
        .unwrap()
        .is_empty());

    // An admin's retry makes the failed one due again.
    store.retry_delivery(d3, much_later).await.unwrap();
    let listed = store.list_deliveries(Some(w.id), 10).await.unwrap();
    let three = listed.iter().find(|d| d.id == d3).unwrap();
    assert!(!three.failed);
    assert_eq!(three.next_attempt_at, much_later);
    let claimed = store
        .claim_deliveries(much_later, lease, 100)
        .await
        .unwrap();
    assert_eq!(ids(&claimed), vec![d3]);
    assert!(!claimed[0].delivery.failed);
    store
        .mark_delivered(d3, much_later + Duration::seconds(1))
        .await
        .unwrap();
    assert!(store
        .claim_deliveries(much_later + Duration::days(1), lease, 100)
        .await
        .unwrap()
        .is_empty());
    let listed = store.list_deliveries(Some(w.id), 10).await.unwrap();
    assert!(listed.iter().all(|d| d.delivered_at.is_some()));
}

pub async fn concurrent_claims_never_share_a_delivery(store: &dyn Store) {
    let (_, queued) = queue(store, 12).await;
    let all_ids = by_id(queued.iter().map(|d| d.id).collect(), |id| *id);
    let lease = Duration::seconds(60);
    for round in 0..3 {
        let now = base() + Duration::seconds(round * 1000);
        // Four workers at once, three deliveries each at most.
        let results = join_all((0..4).map(|_| store.claim_deliveries(now, lease, 3))).await;
        let mut seen: Vec<Uuid> = vec![];
        for r in results {
            let claimed = r.unwrap();
            assert!(claimed.len() <= 3, "limit exceeded: {}", claimed.len());
            seen.extend(claimed.iter().map(|c| c.delivery.id));
        }
        // Whatever was not handed out yet comes to a last worker.
        let rest = store.claim_deliveries(now, lease, 100).await.unwrap();
        seen.extend(rest.iter().map(|c| c.delivery.id));
        let distinct: HashSet<Uuid> = seen.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            seen.len(),
            "round {round}: a delivery was handed out twice"
        );
        seen.sort();
        assert_eq!(
            seen, all_ids,
            "round {round}: every due delivery handed out"
        );
        // Two claims racing for everything.
        let later = now + lease + Duration::seconds(1);
        let (x, y) = futures_util::join!(
            store.claim_deliveries(later, lease, 100),
            store.claim_deliveries(later, lease, 100)
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        let mut both = ids(&x);
        both.extend(ids(&y));
        let distinct: HashSet<Uuid> = both.iter().copied().collect();
        assert_eq!(distinct.len(), both.len(), "round {round}: shared delivery");
        both.sort();
        assert_eq!(both, all_ids);
    }
    let listed = store.list_deliveries(None, 100).await.unwrap();
    assert!(
        listed.iter().all(|d| d.attempts == 6),
        "two claims per round"
    );
}

// ------------------------------------------------------------------ paging

/// Follows a keyset list page by page (`fetch(after, per)`), checking each
/// page's size, until a short page; `key` is a row's keyset.
async fn page_through<T, K: Clone>(
    per: i64,
    key: impl Fn(&T) -> K,
    mut fetch: impl AsyncFnMut(Option<K>, i64) -> Vec<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = fetch(after.clone(), per).await;
        assert!(page.len() as i64 <= per);
        let full = page.len() as i64 == per;
        after = page.last().map(&key);
        out.extend(page);
        if !full {
            return out;
        }
    }
}

pub async fn seats_people_and_deliveries_page_once_each(store: &dyn Store) {
    let f = fixture(store).await;
    let p = add_plan(store, "Network card", PlanScope::Network, 1).await;
    // Seats: three purchases, two of them of several seats at one instant.
    for (n, at) in [
        (3, t(2026, 11, 1, 9, 0, 0)),
        (1, t(2026, 11, 2, 9, 0, 0)),
        (4, t(2026, 11, 3, 9, 0, 0)),
    ] {
        let batch: Vec<Seat> = (0..n)
            .map(|_| Seat {
                created_at: at,
                ..seat(p.id, f.org.id, day(2026, 11, 2), None)
            })
            .collect();
        store.insert_seats(&batch).await.unwrap();
    }
    let whole: Vec<Uuid> = store
        .list_seats(f.org.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.seat.id)
        .collect();
    assert_eq!(whole.len(), 8);
    for per in [1, 3, 8, 100] {
        let paged = page_through(
            per,
            |s: &SeatView| (s.seat.created_at, s.seat.id),
            async |after, per| store.list_seats_after(f.org.id, after, per).await.unwrap(),
        )
        .await;
        let paged: Vec<Uuid> = paged.iter().map(|s| s.seat.id).collect();
        assert_eq!(paged, whole, "{per} a page");
    }

    // People: namesakes are ordered by id; another organisation's are left
    // out unless named by `or_person`; archived people only when asked.
    for _ in 0..3 {
        add_person(store, "Anna", Some(f.org.id)).await;
    }
    add_person(store, "Bo", Some(f.org.id)).await;
    let mut gone = person("Cilla", Some(f.org.id));
    gone.archived = true;
    store.insert_person(&gone).await.unwrap();
    let outsider = add_person(store, "Anna", Some(f.other_org.id)).await;
    let filter = crate::PeopleFilter {
        organisation_ids: Some(vec![f.org.id]),
        limit: 1000,
        ..Default::default()
    };
    let key = |p: &Person| (p.first_name.clone(), p.last_name.clone(), p.id);
    let whole = store.list_people_page(&filter).await.unwrap();
    assert_eq!(whole.len(), 4);
    let mut sorted = whole.clone();
    sorted.sort_by_key(key);
    assert_eq!(whole, sorted);
    let paged = page_through(2, key, async |after, per| {
        store
            .list_people_page(&crate::PeopleFilter {
                after,
                limit: per,
                ..filter.clone()
            })
            .await
            .unwrap()
    })
    .await;
    assert_eq!(paged, whole);
    let with_outsider = store
        .list_people_page(&crate::PeopleFilter {
            or_person: Some(outsider.id),
            include_archived: true,
            ..filter.clone()
        })
        .await
        .unwrap();
    assert_eq!(with_outsider.len(), 6);
    assert!(with_outsider.iter().any(|p| p.id == gone.id));
    let everyone = store
        .list_people_page(&crate::PeopleFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(everyone.len(), 5);
    let none = store
        .list_people_page(&crate::PeopleFilter {
            organisation_ids: Some(vec![]),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
}

pub async fn deliveries_page_newest_first_once_each(store: &dyn Store) {
    let (w, queued) = queue(store, 7).await;
    let newest_first: Vec<Uuid> = queued.iter().rev().map(|d| d.id).collect();
    for per in [1, 2, 7, 50] {
        let paged = page_through(
            per,
            |d: &WebhookDelivery| (d.created_at, d.id),
            async |before, per| {
                store
                    .list_deliveries_before(Some(w.id), before, per)
                    .await
                    .unwrap()
            },
        )
        .await;
        let paged: Vec<Uuid> = paged.iter().map(|d| d.id).collect();
        assert_eq!(paged, newest_first, "{per} a page");
    }
}
