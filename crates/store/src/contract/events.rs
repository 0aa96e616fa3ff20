//! The contract of the event part of [`Store`]: events with their room
//! bookings, sign-up with capacity and the waiting list (also under
//! concurrency), promotion on cancel with its e-mail, one-time invitations,
//! attendance and the summary. Run by every backend through
//! `contract_tests!`.

use super::seed_hub;
use crate::{
    BookingFilter, Cancellation, EventFilter, EventNotices, OutgoingEmail, Refusal, Store,
    StoreError, StoreResult,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_util::future::join_all;
use thirdplace_domain::booking::{Booking, BookingRefusal, BookingStatus, Price};
use thirdplace_domain::event::{
    Event, EventRefusal, EventStatus, EventSummary, EventVisibility, ExternalParticipant,
    Invitation, Registrant, Registration, RegistrationStatus, Venue,
};
use thirdplace_domain::{
    new_id, Email, Hub, OrgKind, OrgNumber, Organisation, Person, Room, RoomKind, Zone,
};
use uuid::Uuid;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Monday 23 November 2026, 09:00 UTC.
fn now() -> DateTime<Utc> {
    t(2026, 11, 23, 9, 0)
}

/// Wednesday 25 November 2026, 12:00 UTC: when the events start.
fn start() -> DateTime<Utc> {
    t(2026, 11, 25, 12, 0)
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: StoreResult<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(f)) => assert_eq!(f, what),
        other => panic!("expected Conflict({what:?}), got {other:?}"),
    }
}

/// Asserts the store refused with exactly this rule.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(r: StoreResult<T>, expected: Refusal) {
    match r {
        Err(StoreError::Refused(refusal)) => assert_eq!(refusal, expected),
        other => panic!("expected Refused({expected:?}), got {other:?}"),
    }
}

struct Fx {
    hub: Hub,
    room: Room,
    other_room: Room,
    zone: Zone,
    org: Organisation,
    other_org: Organisation,
    organiser: Person,
}

async fn add_person(store: &dyn Store, name: &str, org: Option<Uuid>) -> Person {
    let p = Person {
        id: new_id(),
        first_name: name.into(),
        last_name: "Berg".into(),
        email: Email::parse(&format!(
            "{}.{}@example.se",
            name.to_lowercase(),
            new_id().simple()
        ))
        .unwrap(),
        organisation_id: org,
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    };
    store.insert_person(&p).await.unwrap();
    p
}

async fn fixture(store: &dyn Store) -> Fx {
    let (_, _, _, hub) = seed_hub(store).await;
    let room = |name: &str| Room {
        id: new_id(),
        hub_id: hub.id,
        name: name.into(),
        kind: RoomKind::Conference,
        capacity: 20,
        hourly_price_ore: 60_000,
        vat_rate_percent: 25,
        archived: false,
    };
    let (r1, r2) = (room("Skolsalen"), room("Båthuset"));
    store.insert_room(&r1).await.unwrap();
    store.insert_room(&r2).await.unwrap();
    let zone = Zone {
        id: new_id(),
        hub_id: hub.id,
        name: "Cirkeln".into(),
        purpose: "Dela berättelser".into(),
        capacity: 12,
        archived: false,
    };
    store.insert_zone(&zone).await.unwrap();
    let org = |name: &str, nr: &str| Organisation {
        id: new_id(),
        name: name.into(),
        org_number: OrgNumber::parse(nr).unwrap(),
        kind: OrgKind::Company,
        archived: false,
        buyer: Default::default(),
    };
    let (o1, o2) = (org("Alfa AB", "556000-0001"), org("Beta AB", "556000-0027"));
    store.insert_organisation(&o1).await.unwrap();
    store.insert_organisation(&o2).await.unwrap();
    let organiser = add_person(store, "Sara", Some(o1.id)).await;
    Fx {
        hub,
        room: r1,
        other_room: r2,
        zone,
        org: o1,
        other_org: o2,
        organiser,
    }
}

fn event(fx: &Fx, venue: Venue, capacity: i64) -> Event {
    Event {
        id: new_id(),
        hub_id: fx.hub.id,
        venue,
        booking_id: None,
        title: "Workshop om återbruk".into(),
        description: "Vi lagar saker tillsammans.".into(),
        topics: vec!["Återbruk".into(), "AI".into()],
        start: start(),
        end: start() + Duration::hours(2),
        capacity,
        visibility: EventVisibility::Public,
        status: EventStatus::Published,
        organiser_id: fx.organiser.id,
        co_organiser_ids: vec![],
        sequence: 0,
        created_at: now(),
        updated_at: now(),
    }
}

/// Inserts an event, with its room booking when it is in a room.
async fn add_event(store: &dyn Store, fx: &Fx, venue: Venue, capacity: i64) -> Event {
    let e = event(fx, venue, capacity);
    let b = e.room_booking(fx.org.id, Price::default());
    store.insert_event(&e, b.as_ref()).await.unwrap()
}

fn member(event: &Event, p: &Person) -> Registration {
    Registration::new(
        event.id,
        Registrant::Person { person_id: p.id },
        None,
        now(),
    )
}

fn external(event_id: Uuid, name: &str, org: &str) -> Registration {
    Registration::new(
        event_id,
        Registrant::External(ExternalParticipant {
            name: name.into(),
            // Spaces dropped from the domain: some tests give an organisation
            // name with spaces, which an address cannot hold.
            email: Email::parse(&format!(
                "{}@{}.example",
                name.to_lowercase(),
                org.to_lowercase().replace(' ', "")
            ))
            .unwrap(),
            organisation_name: org.into(),
        }),
        None,
        now(),
    )
}

fn email(subject: &str) -> OutgoingEmail {
    OutgoingEmail {
        id: new_id(),
        to_address: String::new(),
        subject: subject.into(),
        body: "Hej!".into(),
        created_at: now(),
        sent_at: None,
        attempts: 0,
        last_error: None,
        failed: false,
    }
}

async fn outbox(store: &dyn Store, subject: &str) -> Vec<String> {
    let mut to: Vec<String> = store
        .list_emails(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subject == subject)
        .map(|e| e.to_address)
        .collect();
    to.sort();
    to
}

fn everything() -> EventFilter {
    EventFilter {
        limit: 1000,
        ..Default::default()
    }
}

fn bookings_of(hub: &Hub) -> BookingFilter {
    BookingFilter {
        hub_ids: Some(vec![hub.id]),
        include_cancelled: true,
        limit: 1000,
        ..Default::default()
    }
}

async fn people(store: &dyn Store, n: usize, org: Uuid) -> Vec<Person> {
    let mut out = Vec::new();
    for k in 0..n {
        out.push(add_person(store, &format!("P{k}"), Some(org)).await);
    }
    out
}

pub async fn events_round_trip_and_list_with_filters(store: &dyn Store) {
    let fx = fixture(store).await;
    let co = add_person(store, "Nils", Some(fx.other_org.id)).await;
    let mut a = event(&fx, Venue::Zone(fx.zone.id), 12);
    a.co_organiser_ids = vec![co.id];
    let a = store.insert_event(&a, None).await.unwrap();
    assert_eq!(store.get_event(a.id).await.unwrap(), a);
    let mut b = event(&fx, Venue::Online, 100);
    b.topics = vec!["Digitalisering".into()];
    b.visibility = EventVisibility::MembersOnly;
    b.status = EventStatus::Proposed;
    b.start = start() + Duration::days(7);
    b.end = b.start + Duration::hours(1);
    let b = store.insert_event(&b, None).await.unwrap();
    let c = add_event(store, &fx, Venue::Room(fx.room.id), 30).await;
    assert!(c.booking_id.is_some());
    assert_eq!(store.get_event(c.id).await.unwrap(), c);

    let ids = |l: Vec<crate::EventListing>| l.into_iter().map(|l| l.event.id).collect::<Vec<_>>();
    let all = store.list_events(&everything()).await.unwrap();
    assert_eq!(all.len(), 3);
    let first = all.iter().find(|l| l.event.id == a.id).unwrap();
    assert_eq!(first.hub_name, fx.hub.name);
    assert_eq!(first.place_name.as_deref(), Some("Cirkeln"));
    let online = all.iter().find(|l| l.event.id == b.id).unwrap();
    assert_eq!(online.place_name, None);
    // By start, then id.
    assert_eq!(all.last().unwrap().event.id, b.id);

    let topic = |t: &str| EventFilter {
        topic: Some(t.into()),
        ..everything()
    };
    let mut both = vec![a.id, c.id];
    both.sort();
    let mut found = ids(store.list_events(&topic("återbruk")).await.unwrap());
    found.sort();
    assert_eq!(found, both, "topics match without regard to case");
    assert_eq!(
        ids(store.list_events(&topic("DIGITALISERING")).await.unwrap()),
        vec![b.id]
    );
    assert!(store.list_events(&topic("Fiske")).await.unwrap().is_empty());
    let public_published = EventFilter {
        visibilities: Some(vec![EventVisibility::Public]),
        statuses: Some(vec![EventStatus::Published]),
        ..everything()
    };
    assert_eq!(store.list_events(&public_published).await.unwrap().len(), 2);
    let later = EventFilter {
        from: Some(start() + Duration::days(1)),
        ..everything()
    };
    assert_eq!(ids(store.list_events(&later).await.unwrap()), vec![b.id]);
    let window = EventFilter {
        from: Some(start() + Duration::hours(1)),
        to: Some(start() + Duration::hours(1) + Duration::minutes(1)),
        ..everything()
    };
    assert_eq!(store.list_events(&window).await.unwrap().len(), 2);
    let other_hub = EventFilter {
        hub_ids: Some(vec![new_id()]),
        ..everything()
    };
    assert!(store.list_events(&other_hub).await.unwrap().is_empty());
    let limited = EventFilter {
        limit: 1,
        ..everything()
    };
    assert_eq!(store.list_events(&limited).await.unwrap().len(), 1);

    // A member's own events: organised, co-organised, or signed up for.
    let involving = |p: Uuid| EventFilter {
        involving: Some(p),
        ..everything()
    };
    assert_eq!(
        ids(store.list_events(&involving(co.id)).await.unwrap()),
        vec![a.id]
    );
    assert_eq!(
        store
            .list_events(&involving(fx.organiser.id))
            .await
            .unwrap()
            .len(),
        3
    );
    let guest = add_person(store, "Ida", Some(fx.org.id)).await;
    assert!(store
        .list_events(&involving(guest.id))
        .await
        .unwrap()
        .is_empty());
    let r = store.register(&member(&c, &guest), now()).await.unwrap();
    let mine = store.list_events(&involving(guest.id)).await.unwrap();
    assert_eq!(ids(mine.clone()), vec![c.id]);
    assert_eq!((mine[0].confirmed, mine[0].waitlisted), (1, 0));
    // Without counts: the same listing, the places left at 0.
    let lean = store
        .list_events(&EventFilter {
            without_counts: true,
            ..involving(guest.id)
        })
        .await
        .unwrap();
    let mut uncounted = mine[0].clone();
    (uncounted.confirmed, uncounted.waitlisted) = (0, 0);
    assert_eq!(lean, vec![uncounted]);
    store.cancel_registration(r.id, now(), None).await.unwrap();
    assert!(store
        .list_events(&involving(guest.id))
        .await
        .unwrap()
        .is_empty());

    // Unknown references name their field.
    let mut bad = event(&fx, Venue::Zone(new_id()), 5);
    match store.insert_event(&bad, None).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "zone_id"),
        other => panic!("expected Reference(zone_id), got {other:?}"),
    }
    bad.venue = Venue::Online;
    bad.organiser_id = new_id();
    match store.insert_event(&bad, None).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "organiser_id"),
        other => panic!("expected Reference(organiser_id), got {other:?}"),
    }
    assert!(matches!(
        store.get_event(new_id()).await,
        Err(StoreError::NotFound)
    ));
}

/// A calendar's next page starts after the last `(start, id)` shown: in
/// order, nothing skipped or shown twice, ties on the start broken by id.
pub async fn events_page_after_a_start_and_id(store: &dyn Store) {
    let fx = fixture(store).await;
    let mut made = Vec::new();
    for k in 0..7 {
        let mut e = event(&fx, Venue::Online, 10);
        // Two events at each start.
        e.start = start() + Duration::hours(k / 2);
        e.end = e.start + Duration::hours(1);
        made.push(store.insert_event(&e, None).await.unwrap());
    }
    let mut expected: Vec<(DateTime<Utc>, Uuid)> = made.iter().map(|e| (e.start, e.id)).collect();
    expected.sort();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_events(&EventFilter {
                after,
                limit: 3,
                ..everything()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        seen.extend(page.iter().map(|l| (l.event.start, l.event.id)));
        after = seen.last().copied();
    }
    assert_eq!(seen, expected);
}

/// Every change the calendar shows raises the generation, as soon as it is
/// committed, and reading changes nothing.
pub async fn the_calendar_version_moves_on_every_change(store: &dyn Store) {
    let fx = fixture(store).await;
    let g0 = store.calendar_version().await.unwrap();
    assert_eq!(store.calendar_version().await.unwrap(), g0);
    let e = add_event(store, &fx, Venue::Online, 1).await;
    let g1 = store.calendar_version().await.unwrap();
    assert!(g1 > g0, "a new event");
    store.list_events(&everything()).await.unwrap();
    assert_eq!(store.calendar_version().await.unwrap(), g1, "reads");
    let mut moved = e.clone();
    moved.title = "Ny titel".into();
    store
        .update_event(&moved, None, &EventNotices::default())
        .await
        .unwrap();
    let g2 = store.calendar_version().await.unwrap();
    assert!(g2 > g1, "an edit");
    // The feeds' version follows every change but sign-ups (feeds do not
    // show places left).
    let f2 = store.calendar_feed_version().await.unwrap();
    let p = add_person(store, "Greta", Some(fx.org.id)).await;
    let r = store.register(&member(&e, &p), now()).await.unwrap();
    let g3 = store.calendar_version().await.unwrap();
    assert!(g3 > g2, "a sign-up");
    store.cancel_registration(r.id, now(), None).await.unwrap();
    let g4 = store.calendar_version().await.unwrap();
    assert!(g4 > g3, "a cancelled sign-up");
    assert_eq!(store.calendar_feed_version().await.unwrap(), f2, "sign-ups");
    let mut hub = fx.hub.clone();
    hub.name = "Omdöpt hubb".into();
    store.update_hub(&hub).await.unwrap();
    let g5 = store.calendar_version().await.unwrap();
    assert!(g5 > g4, "a renamed hub");
    let f5 = store.calendar_feed_version().await.unwrap();
    assert!(f5 > f2, "a renamed hub, in the feeds");
    store
        .cancel_event(e.id, now(), fx.organiser.id, None)
        .await
        .unwrap();
    assert!(
        store.calendar_version().await.unwrap() > g5,
        "a cancellation"
    );
    assert!(
        store.calendar_feed_version().await.unwrap() > f5,
        "a cancellation, in the feeds"
    );
}

/// The record of feed changes names each event written since a version,
/// once, and says when only a whole listing will do.
pub async fn feed_changes_name_the_events_to_list_again(store: &dyn Store) {
    let fx = fixture(store).await;
    let f0 = store.calendar_feed_version().await.unwrap();
    assert_eq!(
        store.calendar_feed_changes(f0, f0).await.unwrap(),
        Some(vec![])
    );
    let a = add_event(store, &fx, Venue::Online, 1).await;
    let b = add_event(store, &fx, Venue::Online, 1).await;
    let f1 = store.calendar_feed_version().await.unwrap();
    let mut both = vec![a.id, b.id];
    both.sort();
    assert_eq!(
        store.calendar_feed_changes(f0, f1).await.unwrap(),
        Some(both.clone())
    );

    // Two edits of one event name it once; sign-ups name nothing.
    let mut moved = a.clone();
    for title in ["Ny titel", "Nyare titel"] {
        moved.title = title.into();
        store
            .update_event(&moved, None, &EventNotices::default())
            .await
            .unwrap();
    }
    let p = add_person(store, "Greta", Some(fx.org.id)).await;
    store.register(&member(&b, &p), now()).await.unwrap();
    let f2 = store.calendar_feed_version().await.unwrap();
    assert_eq!(
        store.calendar_feed_changes(f1, f2).await.unwrap(),
        Some(vec![a.id])
    );
    assert_eq!(
        store.calendar_feed_changes(f0, f2).await.unwrap(),
        Some(both)
    );
    store
        .cancel_event(b.id, now(), fx.organiser.id, None)
        .await
        .unwrap();
    let f3 = store.calendar_feed_version().await.unwrap();
    assert_eq!(
        store.calendar_feed_changes(f2, f3).await.unwrap(),
        Some(vec![b.id])
    );

    // A renamed hub changes every event of it: a whole listing.
    let mut hub = fx.hub.clone();
    hub.name = "Omdöpt hubb".into();
    store.update_hub(&hub).await.unwrap();
    let f4 = store.calendar_feed_version().await.unwrap();
    assert_eq!(store.calendar_feed_changes(f3, f4).await.unwrap(), None);
    assert_eq!(store.calendar_feed_changes(f2, f4).await.unwrap(), None);
    // Versions the record does not hold (never, or no longer).
    assert_eq!(store.calendar_feed_changes(f4, f4 + 1).await.unwrap(), None);
    assert_eq!(store.calendar_feed_changes(-5, f4).await.unwrap(), None);
    assert_eq!(store.calendar_feed_changes(f4, f3).await.unwrap(), None);

    // Only the listed ids, with every other filter still applied.
    let listed = store
        .list_events(&EventFilter {
            ids: Some(vec![a.id, new_id()]),
            ..everything()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].event.title, "Nyare titel");
    assert!(store
        .list_events(&EventFilter {
            ids: Some(vec![]),
            ..everything()
        })
        .await
        .unwrap()
        .is_empty());
}

pub async fn sign_ups_fill_places_then_the_waiting_list_in_order(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Online, 3).await;
    let ps = people(store, 5, fx.org.id).await;
    let mut got = Vec::new();
    for p in &ps {
        got.push(store.register(&member(&e, p), now()).await.unwrap());
    }
    use RegistrationStatus::*;
    assert_eq!(
        got.iter()
            .map(|r| (r.status, r.position))
            .collect::<Vec<_>>(),
        vec![
            (Confirmed, 1),
            (Confirmed, 2),
            (Confirmed, 3),
            (Waitlisted, 4),
            (Waitlisted, 5)
        ]
    );
    assert_eq!(store.get_registration(got[3].id).await.unwrap(), got[3]);
    assert_refused(
        store.register(&member(&e, &ps[0]), now()).await,
        Refusal::Event(EventRefusal::AlreadyRegistered),
    );
    assert_refused(
        store.register(&member(&e, &ps[4]), now()).await,
        Refusal::Event(EventRefusal::AlreadyRegistered),
    );
    // A colleague signed up by a member remembers who did it.
    let colleague = add_person(store, "Kalle", Some(fx.org.id)).await;
    let mut r = member(&e, &colleague);
    r.registered_by = Some(ps[0].id);
    let r = store.register(&r, now()).await.unwrap();
    assert_eq!((r.registered_by, r.status), (Some(ps[0].id), Waitlisted));

    let list = store.list_registrations(e.id).await.unwrap();
    assert_eq!(list.len(), 6);
    assert_eq!(list[0].name, "P0 Berg");
    assert_eq!(list[0].email, ps[0].email);
    assert_eq!(list[0].organisation_name.as_deref(), Some("Alfa AB"));
    assert!(list
        .windows(2)
        .all(|w| w[0].registration.position < w[1].registration.position));

    // Not yet published, started, cancelled.
    let mut proposed = event(&fx, Venue::Online, 3);
    proposed.status = EventStatus::Proposed;
    let proposed = store.insert_event(&proposed, None).await.unwrap();
    assert_refused(
        store.register(&member(&proposed, &ps[0]), now()).await,
        Refusal::Event(EventRefusal::NotPublished),
    );
    assert_refused(
        store.register(&member(&e, &colleague), e.start).await,
        Refusal::Event(EventRefusal::EventStarted),
    );
    store
        .cancel_event(e.id, now(), fx.organiser.id, None)
        .await
        .unwrap();
    let late = add_person(store, "Sen", Some(fx.org.id)).await;
    assert_refused(
        store.register(&member(&e, &late), now()).await,
        Refusal::Event(EventRefusal::EventCancelled),
    );
    assert!(matches!(
        store
            .register(
                &Registration {
                    event_id: new_id(),
                    ..member(&e, &late)
                },
                now()
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_registrations(e.id).await.unwrap().len(), 6);
}

pub async fn cancelling_promotes_the_first_waiting_and_queues_the_email(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Online, 2).await;
    let ps = people(store, 5, fx.org.id).await;
    let mut regs = Vec::new();
    for p in &ps {
        regs.push(store.register(&member(&e, p), now()).await.unwrap());
    }
    let moved_up = email("Du har fått en plats");
    let c = store
        .cancel_registration(regs[0].id, now(), Some(&moved_up))
        .await
        .unwrap();
    assert_eq!(c.registration.status, RegistrationStatus::Cancelled);
    assert_eq!(c.registration.cancelled_at, Some(now()));
    assert_eq!(c.promoted.len(), 1);
    assert_eq!(c.promoted[0].id, regs[2].id, "the first waiting moves up");
    assert_eq!(c.promoted[0].status, RegistrationStatus::Confirmed);
    assert_eq!(
        outbox(store, "Du har fått en plats").await,
        vec![ps[2].email.clone()]
    );
    // Someone waiting leaves: nobody moves up.
    let c = store
        .cancel_registration(regs[4].id, now(), Some(&moved_up))
        .await
        .unwrap();
    assert!(c.promoted.is_empty());
    // The next place goes to the next in line.
    let c = store
        .cancel_registration(regs[1].id, now(), Some(&moved_up))
        .await
        .unwrap();
    assert_eq!(c.promoted[0].id, regs[3].id);
    let mut expected = vec![ps[2].email.clone(), ps[3].email.clone()];
    expected.sort();
    assert_eq!(outbox(store, "Du har fått en plats").await, expected);
    assert_refused(
        store.cancel_registration(regs[1].id, now(), None).await,
        Refusal::Event(EventRefusal::AlreadyCancelled),
    );
    assert!(matches!(
        store.cancel_registration(new_id(), now(), None).await,
        Err(StoreError::NotFound)
    ));
    // Who cancelled may sign up again, at the end of the queue.
    let again = store.register(&member(&e, &ps[0]), now()).await.unwrap();
    assert_eq!(again.position, 6);
    assert_eq!(again.status, RegistrationStatus::Waitlisted);
    let statuses: Vec<_> = store
        .list_registrations(e.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.registration.status)
        .collect();
    use RegistrationStatus::*;
    assert_eq!(
        statuses,
        vec![Cancelled, Cancelled, Confirmed, Confirmed, Cancelled, Waitlisted]
    );
}

pub async fn fifty_simultaneous_sign_ups_for_ten_places(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Online, 10).await;
    let ps = people(store, 50, fx.org.id).await;
    let attempts: Vec<Registration> = ps.iter().map(|p| member(&e, p)).collect();
    let results = join_all(attempts.iter().map(|r| store.register(r, now()))).await;
    let regs: Vec<Registration> = results.into_iter().map(Result::unwrap).collect();
    let confirmed: Vec<&Registration> = regs
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .collect();
    assert_eq!(confirmed.len(), 10, "exactly as many places as there are");
    assert_eq!(
        regs.iter()
            .filter(|r| r.status == RegistrationStatus::Waitlisted)
            .count(),
        40
    );
    // The database saw them one at a time: positions 1..=50, and the
    // places went to the first ten it saw.
    let mut positions: Vec<i64> = regs.iter().map(|r| r.position).collect();
    positions.sort();
    assert_eq!(positions, (1..=50).collect::<Vec<_>>());
    let mut first: Vec<i64> = confirmed.iter().map(|r| r.position).collect();
    first.sort();
    assert_eq!(first, (1..=10).collect::<Vec<_>>());
    // What was answered is what was stored.
    let stored = store.list_registrations(e.id).await.unwrap();
    for v in &stored {
        let answered = regs.iter().find(|r| r.id == v.registration.id).unwrap();
        assert_eq!(&v.registration, answered);
    }
    let s = store.event_summary(e.id).await.unwrap();
    assert_eq!((s.registered, s.waitlisted), (10, 40));

    // Ten cancel at once: the next ten in line move up, in order.
    let cancels = join_all(
        confirmed
            .iter()
            .map(|r| store.cancel_registration(r.id, now(), None)),
    )
    .await;
    let mut promoted: Vec<i64> = cancels
        .into_iter()
        .flat_map(|c| c.unwrap().promoted)
        .map(|r| r.position)
        .collect();
    promoted.sort();
    assert_eq!(promoted, (11..=20).collect::<Vec<_>>());
}

pub async fn an_invitation_is_used_once(store: &dyn Store) {
    let fx = fixture(store).await;
    let mut e = event(&fx, Venue::Online, 1);
    e.visibility = EventVisibility::InvitationOnly;
    let e = store.insert_event(&e, None).await.unwrap();
    let invitation = |hash: &str| Invitation {
        id: new_id(),
        event_id: e.id,
        email: Email::parse("eva@region.example").unwrap(),
        token_hash: hash.into(),
        invited_by: fx.organiser.id,
        created_at: now(),
        used_at: None,
        registration_id: None,
    };
    let sent = |i: &Invitation| (i.clone(), email(&format!("Inbjudan {}", i.token_hash)));
    let i = invitation("hash-1");
    store.insert_invitations(&[sent(&i)]).await.unwrap();
    let queued = store.list_emails(100).await.unwrap();
    assert!(queued.iter().any(|m| m.subject == "Inbjudan hash-1"));
    let queued = queued.len();
    // All or none: a taken hash in a batch leaves the others unwritten and
    // their e-mails unqueued.
    let fresh = invitation("hash-3");
    assert_conflict(
        store
            .insert_invitations(&[sent(&fresh), sent(&invitation("hash-1"))])
            .await,
        "token_hash",
    );
    assert!(matches!(
        store.invitation_by_token("hash-3").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_emails(100).await.unwrap().len(), queued);
    assert_eq!(store.invitation_by_token("hash-1").await.unwrap(), i);
    assert!(matches!(
        store.invitation_by_token("nope").await,
        Err(StoreError::NotFound)
    ));

    // The event id comes from the invitation, not from the caller.
    let r = external(new_id(), "Eva", "Region");
    let reg = store.redeem_invitation("hash-1", &r, now()).await.unwrap();
    assert_eq!(reg.event_id, e.id);
    assert_eq!(reg.invitation_id, Some(i.id));
    assert_eq!(reg.status, RegistrationStatus::Confirmed);
    let used = store.invitation_by_token("hash-1").await.unwrap();
    assert_eq!(
        (used.used_at, used.registration_id),
        (Some(now()), Some(reg.id))
    );
    assert_refused(
        store
            .redeem_invitation("hash-1", &external(e.id, "Olle", "Kommunen"), now())
            .await,
        Refusal::Event(EventRefusal::InvitationUsed),
    );
    assert_refused(
        store
            .redeem_invitation("forged", &external(e.id, "Olle", "Kommunen"), now())
            .await,
        Refusal::Event(EventRefusal::InvitationInvalid),
    );
    // A refused registration leaves the invitation unused.
    store
        .insert_invitations(&[sent(&invitation("hash-2"))])
        .await
        .unwrap();
    assert_refused(
        store.redeem_invitation("hash-2", &r, now()).await,
        Refusal::Event(EventRefusal::AlreadyRegistered),
    );
    assert_eq!(
        store.invitation_by_token("hash-2").await.unwrap().used_at,
        None
    );
    // Two people using one link at the same moment: one gets in.
    let results = join_all((0..6).map(|k| {
        let r = external(e.id, &format!("Gäst{k}"), "Region");
        async move { store.redeem_invitation("hash-2", &r, now()).await }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_refused(r, Refusal::Event(EventRefusal::InvitationUsed));
    }
    // The second invited person got the waiting list (one place).
    let list = store.list_registrations(e.id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].registration.status, RegistrationStatus::Waitlisted);
    assert_eq!(list[0].organisation_name.as_deref(), Some("Region"));
    assert_eq!(store.list_invitations(e.id).await.unwrap().len(), 2);
}

pub async fn an_event_in_a_booked_room_is_refused_and_nothing_is_written(store: &dyn Store) {
    let fx = fixture(store).await;
    let taken = Booking {
        id: new_id(),
        room_id: fx.room.id,
        hub_id: fx.hub.id,
        booker_id: fx.organiser.id,
        organisation_id: fx.org.id,
        on_behalf_of_organisation: false,
        seat_id: None,
        series_id: None,
        title: "Styrelsemöte".into(),
        start: start() + Duration::hours(1),
        end: start() + Duration::hours(3),
        status: BookingStatus::Confirmed,
        price: Price::default(),
        created_at: now(),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    };
    store.insert_bookings(&[taken], &[]).await.unwrap();
    let e = event(&fx, Venue::Room(fx.room.id), 10);
    let b = e.room_booking(fx.org.id, Price::default());
    assert_refused(
        store.insert_event(&e, b.as_ref()).await,
        Refusal::Booking(BookingRefusal::Conflict),
    );
    assert!(matches!(
        store.get_event(e.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .list_bookings(&bookings_of(&fx.hub))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store.list_events(&everything()).await.unwrap().is_empty());
    // An event in a room comes with its booking of that room.
    match store.insert_event(&e, None).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "room_booking"),
        other => panic!("expected Reference(room_booking), got {other:?}"),
    }
    let wrong_room = event(&fx, Venue::Room(fx.other_room.id), 10);
    match store.insert_event(&wrong_room, b.as_ref()).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "room_booking"),
        other => panic!("expected Reference(room_booking), got {other:?}"),
    }
    // The other room is free.
    let ok = add_event(store, &fx, Venue::Room(fx.other_room.id), 10).await;
    let booking = store.get_booking(ok.booking_id.unwrap()).await.unwrap();
    assert_eq!(
        (booking.room_id, booking.start, booking.end, booking.status),
        (fx.other_room.id, ok.start, ok.end, BookingStatus::Confirmed)
    );
}

pub async fn moving_or_cancelling_an_event_moves_or_frees_its_room(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Room(fx.room.id), 10).await;
    let booking_id = e.booking_id.unwrap();
    let day = |room: &Room| {
        let room = room.id;
        async move {
            store
                .busy_times(
                    room,
                    start() - Duration::hours(12),
                    start() + Duration::hours(12),
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(day(&fx.room).await, vec![(e.start, e.end)]);
    // The booking follows the event: cancelling it alone is refused, and
    // the room stays taken.
    let alone = Cancellation {
        at: now(),
        by: fx.organiser.id,
        reason: String::new(),
        charged: false,
    };
    assert_refused(
        store.cancel_booking(booking_id, &alone, None).await,
        Refusal::Booking(BookingRefusal::EventBooking),
    );
    assert_eq!(day(&fx.room).await, vec![(e.start, e.end)]);
    let p = add_person(store, "Lisa", Some(fx.org.id)).await;
    store.register(&member(&e, &p), now()).await.unwrap();

    // Two hours later: the booking moves along, the sequence goes up, and
    // the registered are told.
    let mut moved = e.clone();
    moved.start = e.start + Duration::hours(2);
    moved.end = e.end + Duration::hours(2);
    moved.updated_at = now() + Duration::minutes(5);
    moved.sequence = 42; // the store's to raise, not the caller's
    let notices = EventNotices {
        promoted: None,
        changed: Some(email("Evenemanget har flyttats")),
    };
    let c = store.update_event(&moved, None, &notices).await.unwrap();
    assert_eq!(c.event.sequence, 1);
    assert_eq!(c.event.booking_id, Some(booking_id));
    assert_eq!(store.get_event(e.id).await.unwrap(), c.event);
    assert_eq!(day(&fx.room).await, vec![(moved.start, moved.end)]);
    assert_eq!(
        outbox(store, "Evenemanget har flyttats").await,
        vec![p.email.clone()]
    );

    // Onto a taken time: refused, nothing changed.
    let blocker = add_event(store, &fx, Venue::Room(fx.other_room.id), 5).await;
    let mut clash = c.event.clone();
    clash.venue = Venue::Room(fx.other_room.id);
    clash.start = blocker.start;
    clash.end = blocker.end;
    assert_refused(
        store
            .update_event(&clash, None, &EventNotices::default())
            .await,
        Refusal::Booking(BookingRefusal::Conflict),
    );
    assert_eq!(store.get_event(e.id).await.unwrap(), c.event);
    assert_eq!(day(&fx.room).await, vec![(moved.start, moved.end)]);

    // To the other room at a free time.
    let mut other = c.event.clone();
    other.venue = Venue::Room(fx.other_room.id);
    let c = store
        .update_event(&other, None, &EventNotices::default())
        .await
        .unwrap();
    assert!(day(&fx.room).await.is_empty());
    assert_eq!(
        day(&fx.other_room).await,
        vec![(blocker.start, blocker.end), (other.start, other.end)]
    );

    // Online: the room booking is cancelled; back in a room: a new one.
    let mut online = c.event.clone();
    online.venue = Venue::Online;
    let c = store
        .update_event(&online, None, &EventNotices::default())
        .await
        .unwrap();
    assert_eq!(c.event.booking_id, None);
    assert_eq!(
        store.get_booking(booking_id).await.unwrap().status,
        BookingStatus::Cancelled
    );
    assert_eq!(
        day(&fx.other_room).await,
        vec![(blocker.start, blocker.end)]
    );
    let mut back = c.event.clone();
    back.venue = Venue::Room(fx.room.id);
    assert!(matches!(
        store
            .update_event(&back, None, &EventNotices::default())
            .await,
        Err(StoreError::Reference(_))
    ));
    let b = back.room_booking(fx.org.id, Price::default());
    let c = store
        .update_event(&back, b.as_ref(), &EventNotices::default())
        .await
        .unwrap();
    assert_eq!(c.event.booking_id, b.as_ref().map(|b| b.id));
    assert_eq!(c.event.sequence, 4);
    assert_eq!(day(&fx.room).await, vec![(back.start, back.end)]);

    // Cancelling frees the room and tells everyone registered.
    let cancelled = store
        .cancel_event(
            e.id,
            now() + Duration::hours(1),
            fx.organiser.id,
            Some(&email("Inställt")),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, EventStatus::Cancelled);
    assert_eq!(cancelled.sequence, 5);
    assert!(day(&fx.room).await.is_empty());
    let booking = store
        .get_booking(c.event.booking_id.unwrap())
        .await
        .unwrap();
    assert_eq!(booking.status, BookingStatus::Cancelled);
    assert_eq!(booking.cancelled_by, Some(fx.organiser.id));
    assert!(!booking.cancellation_charged);
    assert_eq!(outbox(store, "Inställt").await, vec![p.email.clone()]);
    assert_refused(
        store.cancel_event(e.id, now(), fx.organiser.id, None).await,
        Refusal::Event(EventRefusal::EventCancelled),
    );
    assert_refused(
        store
            .update_event(&cancelled, None, &EventNotices::default())
            .await,
        Refusal::Event(EventRefusal::EventCancelled),
    );
    assert!(matches!(
        store
            .cancel_event(new_id(), now(), fx.organiser.id, None)
            .await,
        Err(StoreError::NotFound)
    ));
}

pub async fn capacity_changes_keep_places_and_fill_new_ones(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Zone(fx.zone.id), 2).await;
    let ps = people(store, 5, fx.org.id).await;
    let mut regs = Vec::new();
    for p in &ps {
        regs.push(store.register(&member(&e, p), now()).await.unwrap());
    }
    let mut smaller = e.clone();
    smaller.capacity = 1;
    assert_refused(
        store
            .update_event(&smaller, None, &EventNotices::default())
            .await,
        Refusal::Event(EventRefusal::CapacityBelowRegistrations { confirmed: 0 }),
    );
    let mut larger = e.clone();
    larger.capacity = 4;
    larger.status = EventStatus::Published;
    let notices = EventNotices {
        promoted: Some(email("Plats ledig")),
        changed: None,
    };
    let c = store.update_event(&larger, None, &notices).await.unwrap();
    assert_eq!(
        c.promoted.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![regs[2].id, regs[3].id]
    );
    let mut expected = vec![ps[2].email.clone(), ps[3].email.clone()];
    expected.sort();
    assert_eq!(outbox(store, "Plats ledig").await, expected);
    let s = store.event_summary(e.id).await.unwrap();
    assert_eq!((s.registered, s.waitlisted), (4, 1));
}

pub async fn the_summary_counts_places_attendance_and_organisations(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Online, 5).await;
    assert_eq!(
        store.event_summary(e.id).await.unwrap(),
        EventSummary::default()
    );
    let a1 = add_person(store, "Anna", Some(fx.org.id)).await;
    let a2 = add_person(store, "Bo", Some(fx.org.id)).await;
    let b1 = add_person(store, "Cia", Some(fx.other_org.id)).await;
    let mut regs = Vec::new();
    for p in [&a1, &a2, &b1] {
        regs.push(store.register(&member(&e, p), now()).await.unwrap());
    }
    regs.push(
        store
            .register(&external(e.id, "Eva", "Region Kalmar"), now())
            .await
            .unwrap(),
    );
    regs.push(
        store
            .register(&external(e.id, "Olle", " region  kalmar "), now())
            .await
            .unwrap(),
    );
    let late = add_person(store, "Dan", Some(fx.other_org.id)).await;
    let waiting = store.register(&member(&e, &late), now()).await.unwrap();
    assert_eq!(waiting.status, RegistrationStatus::Waitlisted);
    store.set_attended(regs[0].id, true).await.unwrap();
    store.set_attended(regs[3].id, true).await.unwrap();
    store.set_attended(regs[1].id, true).await.unwrap();
    store.set_attended(regs[1].id, false).await.unwrap();
    assert!(store.get_registration(regs[0].id).await.unwrap().attended);
    assert!(matches!(
        store.set_attended(new_id(), true).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.event_summary(e.id).await.unwrap(),
        EventSummary {
            registered: 5,
            attended: 2,
            waitlisted: 1,
            organisations: 3,
            external_participants: 2,
        }
    );
    assert!(matches!(
        store.event_summary(new_id()).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn reminders_are_sent_once_and_again_after_a_move(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Online, 1).await;
    let mut proposal = event(&fx, Venue::Online, 5);
    proposal.status = EventStatus::Proposed;
    store.insert_event(&proposal, None).await.unwrap();
    let ps = people(store, 2, fx.org.id).await;
    let placed = store.register(&member(&e, &ps[0]), now()).await.unwrap();
    store.register(&member(&e, &ps[1]), now()).await.unwrap();
    assert_eq!(
        store.registration_of(e.id, ps[0].id).await.unwrap(),
        Some(placed.clone())
    );
    assert_eq!(
        store.registration_of(e.id, fx.organiser.id).await.unwrap(),
        None
    );

    let day = Duration::hours(24);
    assert!(store
        .events_due_for_reminder(now(), day, 100)
        .await
        .unwrap()
        .is_empty());
    let at = start() - Duration::hours(20);
    let due = store.events_due_for_reminder(at, day, 100).await.unwrap();
    assert_eq!(
        due.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![e.id],
        "published events only"
    );
    // Several processes at once: one sends, to those holding a place.
    let template = email("Påminnelse");
    let results = join_all((0..4).map(|_| store.send_event_reminder(e.id, at, &template))).await;
    assert_eq!(
        results.iter().filter(|r| matches!(r, Ok(1))).count(),
        1,
        "{results:?}"
    );
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_refused(r, Refusal::ReminderSent);
    }
    assert_eq!(outbox(store, "Påminnelse").await, vec![ps[0].email.clone()]);
    assert!(store
        .events_due_for_reminder(at, day, 100)
        .await
        .unwrap()
        .is_empty());
    // Moved to another start: due again.
    let mut moved = store.get_event(e.id).await.unwrap();
    moved.start += Duration::hours(1);
    moved.end += Duration::hours(1);
    store
        .update_event(&moved, None, &EventNotices::default())
        .await
        .unwrap();
    assert_eq!(
        store
            .events_due_for_reminder(at, day, 100)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .send_event_reminder(e.id, at, &template)
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        store.send_event_reminder(new_id(), at, &template).await,
        Err(StoreError::NotFound)
    ));
    store
        .cancel_registration(placed.id, at, None)
        .await
        .unwrap();
    assert_eq!(store.registration_of(e.id, ps[0].id).await.unwrap(), None);
}

pub async fn registrations_page_in_arrival_order_once_each(store: &dyn Store) {
    let fx = fixture(store).await;
    let e = add_event(store, &fx, Venue::Online, 3).await;
    let ps = people(store, 7, fx.org.id).await;
    for p in &ps[..5] {
        store.register(&member(&e, p), now()).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_registrations_after(e.id, after, 2)
            .await
            .unwrap();
        seen.extend(page.iter().map(|v| v.registration.position));
        // Sign-ups between pages come after the cursor and show once.
        if seen.len() == 2 {
            for p in &ps[5..] {
                store.register(&member(&e, p), now()).await.unwrap();
            }
        }
        match page.last() {
            Some(v) if page.len() == 2 => after = Some(v.registration.position),
            _ => break,
        }
    }
    assert_eq!(seen, (1..=7).collect::<Vec<i64>>());
    assert_eq!(store.list_registrations(e.id).await.unwrap().len(), 7);
}
