//! The contract of [`crate::EvaluationStore`]: pilots round-trip with
//! their hubs and goals in order, and the facts of a pilot's hubs are what
//! happened there — check-ins in the window with the seat's organisation,
//! holdings cut to their seats' days and only of cards that can reach the
//! hubs, first visits, published events with their confirmed participants.

use super::{organisation, person, seed_hub};
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use thirdplace_domain::evaluation::{
    AccessScope, Direction, Goal, GoalScope, HoldingFact, Indicator, Pilot,
};
use thirdplace_domain::event::{
    Event, EventStatus, EventVisibility, Registrant, Registration, Venue,
};
use thirdplace_domain::membership::{Plan, PlanScope, Seat, Validity};
use thirdplace_domain::{new_id, Hub, Region};
use uuid::Uuid;

/// A visit as compared: hub, person, organisation, in, out.
type VisitRow = (Uuid, Uuid, Uuid, DateTime<Utc>, Option<DateTime<Utc>>);
/// A participant as compared: person, organisation, its kind, attended.
type ParticipantRow = (Option<Uuid>, Option<Uuid>, Option<String>, bool);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn utc(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

/// A second hub in the seeded hub's municipality.
async fn second_hub(store: &dyn Store, first: &Hub) -> Hub {
    let h = Hub {
        id: new_id(),
        name: "Boda glasbruk".into(),
        in_central_town: true,
        ..first.clone()
    };
    store.insert_hub(&h).await.unwrap();
    h
}

fn goal(indicator: Indicator, target: i64) -> Goal {
    Goal {
        indicator,
        label: String::new(),
        direction: Direction::AtLeast,
        target,
        scope: GoalScope::EachHub,
        manual_value: None,
    }
}

pub async fn pilots_round_trip_with_their_hubs_and_goals_in_order(store: &dyn Store) {
    let (region, _, _, a) = seed_hub(store).await;
    let b = second_hub(store, &a).await;
    let mut manual = goal(Indicator::Manual, 3);
    manual.label = "Lokala företag som stödjer hubben".into();
    manual.manual_value = Some(4);
    manual.scope = GoalScope::Pilot;
    manual.direction = Direction::AtMost;
    let mut p = Pilot {
        id: new_id(),
        name: "Kalmarpiloten".into(),
        description: "Landsbygdshubbar i Kalmar län".into(),
        region_id: region.id,
        starts_on: date(2021, 12, 1),
        ends_on: date(2023, 5, 30),
        critical_mass_people: 5,
        hub_ids: vec![b.id, a.id],
        goals: vec![goal(Indicator::PeopleWithAccess, 20), manual],
        archived: false,
    };
    store.insert_pilot(&p).await.unwrap();
    assert_eq!(store.get_pilot(p.id).await.unwrap(), p);
    let other = Pilot {
        id: new_id(),
        name: "Arenapiloten".into(),
        hub_ids: vec![a.id],
        goals: vec![],
        ..p.clone()
    };
    store.insert_pilot(&other).await.unwrap();
    let names: Vec<String> = store
        .list_pilots()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Arenapiloten", "Kalmarpiloten"]);

    p.hub_ids = vec![a.id];
    p.goals.reverse();
    p.goals.push(goal(Indicator::Visits, 1000));
    p.ends_on = date(2023, 6, 30);
    p.archived = true;
    store.update_pilot(&p).await.unwrap();
    assert_eq!(store.get_pilot(p.id).await.unwrap(), p);
    let listed = store.list_pilots().await.unwrap();
    assert_eq!(listed[0], other, "the other pilot is untouched");
    assert_eq!(listed[1], p);

    let unknown = Pilot {
        id: new_id(),
        ..p.clone()
    };
    assert!(matches!(
        store.update_pilot(&unknown).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_pilot(unknown.id).await,
        Err(StoreError::NotFound)
    ));
    // A pilot of a hub that does not exist is refused whole.
    let broken = Pilot {
        id: new_id(),
        hub_ids: vec![a.id, new_id()],
        ..p.clone()
    };
    assert!(store.insert_pilot(&broken).await.is_err());
    assert!(matches!(
        store.get_pilot(broken.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn visit(store: &dyn Store, hub: Uuid, who: (Uuid, Uuid), at: DateTime<Utc>, hours: i64) {
    super::settlement::visit_for(store, hub, who, at, hours).await;
}

pub async fn facts_are_what_happened_at_the_hubs(store: &dyn Store) {
    let (region, _, _, a) = seed_hub(store).await;
    let b = second_hub(store, &a).await;
    let elsewhere = Region {
        id: new_id(),
        name: "Region Jämtland Härjedalen".into(),
        code: "23".into(),
        archived: false,
    };
    store.insert_region(&elsewhere).await.unwrap();
    let org = organisation("556000-0001");
    let employer = organisation("212000-0803");
    for o in [&org, &employer] {
        store.insert_organisation(o).await.unwrap();
    }
    let plan = |scope: PlanScope| Plan {
        id: new_id(),
        name: "Kort".into(),
        description: String::new(),
        scope,
        monthly_price_ore: 50_000,
        included_hours_per_month: 0,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: None,
        vat_rate_percent: 25,
    };
    let hub_a = plan(PlanScope::Hub(a.id));
    let hub_b = plan(PlanScope::Hub(b.id));
    let regional = plan(PlanScope::Region(region.id));
    let network = plan(PlanScope::Network);
    let foreign = plan(PlanScope::Region(elsewhere.id));
    for p in [&hub_a, &hub_b, &regional, &network, &foreign] {
        store.insert_plan(p).await.unwrap();
    }
    let since = utc(1, 10, 8);
    // (person, seat) for each card; the regional seat ends 31 March.
    let mut members = Vec::new();
    for (i, (p, end, o)) in [
        (&hub_a, None, &org),
        (&regional, Some(date(2026, 3, 31)), &org),
        (&network, None, &employer),
        (&foreign, None, &org),
        (&hub_b, None, &org),
    ]
    .into_iter()
    .enumerate()
    {
        let who = person(&format!("p{i}@example.se"), Some(o.id));
        store.insert_person(&who).await.unwrap();
        let seat = Seat {
            id: new_id(),
            plan_id: p.id,
            organisation_id: o.id,
            start_date: date(2026, 1, 5),
            end_date: end,
            created_at: since,
            selling_operator_id: None,
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
    // A seat given after the window: not read.
    let late = person("late@example.se", Some(org.id));
    store.insert_person(&late).await.unwrap();
    let late_seat = Seat {
        id: new_id(),
        plan_id: hub_a.id,
        organisation_id: org.id,
        start_date: date(2026, 1, 5),
        end_date: None,
        created_at: since,
        selling_operator_id: None,
    };
    store
        .insert_seats(std::slice::from_ref(&late_seat))
        .await
        .unwrap();
    store
        .assign_seat(late_seat.id, Some(late.id), utc(7, 1, 8))
        .await
        .unwrap();

    let (card_a, card_region, card_network) = (members[0], members[1], members[2]);
    // Before the window (a first visit), in it (one left open), after it,
    // and one at hub B.
    visit(store, a.id, card_network, utc(1, 20, 8), 2).await;
    visit(store, a.id, card_network, utc(2, 2, 8), 3).await;
    visit(store, a.id, card_a, utc(2, 2, 9), 1).await;
    visit(store, b.id, card_region, utc(2, 3, 9), 4).await;
    visit(store, a.id, card_region, utc(6, 30, 21), 0).await;

    // Events: one published at A with three sign-ups (one cancelled), one
    // cancelled, one at B, one proposed.
    let organiser = members[0].0;
    let ev = |hub: Uuid, start: DateTime<Utc>, status: EventStatus| Event {
        id: new_id(),
        hub_id: hub,
        venue: Venue::Online,
        booking_id: None,
        title: "Frukostmöte".into(),
        description: String::new(),
        topics: vec![],
        start,
        end: start + Duration::hours(1),
        capacity: 20,
        visibility: EventVisibility::Public,
        status,
        organiser_id: organiser,
        co_organiser_ids: vec![],
        sequence: 0,
        created_at: since,
        updated_at: since,
    };
    let held = store
        .insert_event(&ev(a.id, utc(3, 3, 7), EventStatus::Published), None)
        .await
        .unwrap();
    store
        .insert_event(&ev(a.id, utc(3, 4, 7), EventStatus::Cancelled), None)
        .await
        .unwrap();
    store
        .insert_event(&ev(a.id, utc(3, 5, 7), EventStatus::Proposed), None)
        .await
        .unwrap();
    let at_b = store
        .insert_event(&ev(b.id, utc(3, 6, 7), EventStatus::Published), None)
        .await
        .unwrap();
    let mut regs = Vec::new();
    for who in [card_a.0, card_region.0, card_network.0] {
        let r = Registration::new(held.id, Registrant::Person { person_id: who }, None, since);
        regs.push(store.register(&r, since).await.unwrap());
    }
    store.set_attended(regs[0].id, true).await.unwrap();
    store
        .cancel_registration(regs[2].id, since, None)
        .await
        .unwrap();

    let from = utc(2, 1, 0);
    let until = utc(6, 1, 0);
    let (hubs, facts) = store
        .evaluation_facts(&[a.id, b.id, new_id(), a.id], from, until)
        .await
        .unwrap();
    assert_eq!(hubs.iter().map(|h| h.id).collect::<Vec<_>>(), [a.id, b.id]);
    assert_eq!(hubs[0].region_id, region.id);
    assert_eq!(
        (hubs[0].in_central_town, hubs[1].in_central_town),
        (false, true)
    );

    let mut visits: Vec<VisitRow> = facts
        .visits
        .iter()
        .map(|v| {
            (
                v.hub_id,
                v.person_id,
                v.organisation_id,
                v.checked_in_at,
                v.checked_out_at,
            )
        })
        .collect();
    visits.sort_by_key(|v| (v.3, v.1));
    assert_eq!(
        visits,
        [
            (
                a.id,
                card_network.0,
                employer.id,
                utc(2, 2, 8),
                Some(utc(2, 2, 11))
            ),
            (a.id, card_a.0, org.id, utc(2, 2, 9), Some(utc(2, 2, 10))),
            (
                b.id,
                card_region.0,
                org.id,
                utc(2, 3, 9),
                Some(utc(2, 3, 13))
            ),
        ]
    );

    let mut firsts: Vec<(Uuid, Uuid, DateTime<Utc>)> = facts
        .first_visits
        .iter()
        .map(|f| (f.hub_id, f.person_id, f.at))
        .collect();
    firsts.sort_by_key(|f| (f.2, f.1));
    assert_eq!(
        firsts,
        [
            (a.id, card_network.0, utc(1, 20, 8)),
            (a.id, card_a.0, utc(2, 2, 9)),
            (b.id, card_region.0, utc(2, 3, 9)),
        ]
    );

    // Holdings of the cards that reach A or B, once each, cut to the
    // seat's days (the regional seat's last day is 31 March: it ends at
    // midnight in Stockholm, in summer time 22:00 UTC).
    let mut holdings: Vec<&HoldingFact> = facts.holdings.iter().collect();
    holdings.sort_by_key(|h| h.person_id);
    let mut expected = vec![
        HoldingFact {
            person_id: card_a.0,
            scope: AccessScope::Hub(a.id),
            from: since,
            until: None,
        },
        HoldingFact {
            person_id: card_region.0,
            scope: AccessScope::Region(region.id),
            from: since,
            until: Some(Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap()),
        },
        HoldingFact {
            person_id: card_network.0,
            scope: AccessScope::Network,
            from: since,
            until: None,
        },
        HoldingFact {
            person_id: members[4].0,
            scope: AccessScope::Hub(b.id),
            from: since,
            until: None,
        },
    ];
    expected.sort_by_key(|h| h.person_id);
    assert_eq!(holdings.into_iter().cloned().collect::<Vec<_>>(), expected);

    let mut events: Vec<(Uuid, usize)> = facts
        .events
        .iter()
        .map(|e| (e.event_id, e.participants.len()))
        .collect();
    events.sort();
    let mut want = vec![(held.id, 2), (at_b.id, 0)];
    want.sort();
    assert_eq!(events, want);
    let held_fact = facts.events.iter().find(|e| e.event_id == held.id).unwrap();
    assert_eq!(held_fact.starts_at, utc(3, 3, 7));
    let mut parts: Vec<ParticipantRow> = held_fact
        .participants
        .iter()
        .map(|p| {
            (
                p.person_id,
                p.organisation_id,
                p.organisation_kind.clone(),
                p.attended,
            )
        })
        .collect();
    parts.sort();
    let kind = Some("municipality".to_string());
    let mut want = vec![
        (Some(card_a.0), Some(org.id), kind.clone(), true),
        (Some(card_region.0), Some(org.id), kind, false),
    ];
    want.sort();
    assert_eq!(parts, want);
}
