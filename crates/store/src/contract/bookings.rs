//! The contract of the booking part of [`Store`]: hubs' booking rules,
//! bookings with the no-overlap rule under concurrency, included-hours caps,
//! cancellation with its notice, calendar generations and the e-mail
//! outbox. Run by every backend through `contract_tests!`.

use super::seed_hub;
use crate::{
    BookingFilter, Cancellation, IncludedCap, OutgoingEmail, Refusal, Store, StoreError,
    StoreResult,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use futures_util::future::join_all;
use std::collections::HashSet;
use thirdplace_domain::booking::{Booking, BookingRefusal, BookingRules, BookingStatus, Price};
use thirdplace_domain::membership::{Plan, PlanScope, Seat, Validity};
use thirdplace_domain::{
    new_id, Email, Hub, OrgKind, OrgNumber, Organisation, Person, Room, RoomKind,
};
use uuid::Uuid;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Monday 23 November 2026, 09:00 UTC.
fn now() -> DateTime<Utc> {
    t(2026, 11, 23, 9, 0)
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
    org: Organisation,
    person: Person,
    seat: Seat,
}

async fn fixture(store: &dyn Store) -> Fx {
    let (_, _, _, hub) = seed_hub(store).await;
    let room = |name: &str| Room {
        id: new_id(),
        hub_id: hub.id,
        name: name.into(),
        kind: RoomKind::Meeting,
        capacity: 6,
        hourly_price_ore: 45_000,
        vat_rate_percent: 25,
        archived: false,
    };
    let (r1, r2) = (room("Ekan"), room("Båthuset"));
    store.insert_room(&r1).await.unwrap();
    store.insert_room(&r2).await.unwrap();
    let org = Organisation {
        id: new_id(),
        name: "Alfa AB".into(),
        org_number: OrgNumber::parse("556000-0001").unwrap(),
        kind: OrgKind::Company,
        archived: false,
        buyer: Default::default(),
    };
    store.insert_organisation(&org).await.unwrap();
    let person = Person {
        id: new_id(),
        first_name: "Sara".into(),
        last_name: "Berg".into(),
        email: Email::parse(&format!("sara.{}@example.se", new_id().simple())).unwrap(),
        organisation_id: Some(org.id),
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    };
    store.insert_person(&person).await.unwrap();
    let plan = Plan {
        id: new_id(),
        name: "Nätverkskort".into(),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 95_000,
        included_hours_per_month: 2,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: None,
        vat_rate_percent: 25,
    };
    store.insert_plan(&plan).await.unwrap();
    let seat = Seat {
        id: new_id(),
        plan_id: plan.id,
        organisation_id: org.id,
        start_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        end_date: None,
        created_at: t(2026, 11, 1, 8, 0),
        selling_operator_id: None,
    };
    store
        .insert_seats(std::slice::from_ref(&seat))
        .await
        .unwrap();
    Fx {
        hub,
        room: r1,
        other_room: r2,
        org,
        person,
        seat,
    }
}

fn booking(fx: &Fx, room: &Room, start: DateTime<Utc>, hours: i64) -> Booking {
    Booking {
        id: new_id(),
        room_id: room.id,
        hub_id: fx.hub.id,
        booker_id: fx.person.id,
        organisation_id: fx.org.id,
        on_behalf_of_organisation: false,
        seat_id: None,
        series_id: None,
        title: "Planering".into(),
        start,
        end: start + Duration::hours(hours),
        status: BookingStatus::Confirmed,
        price: Price {
            included_minutes: 0,
            billable_minutes: hours * 60,
            price_ex_vat_ore: 45_000 * hours,
            vat_percent: 25,
            vat_ore: 11_250 * hours,
            total_ore: 56_250 * hours,
        },
        created_at: now(),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    }
}

fn included(mut b: Booking, seat: Uuid) -> Booking {
    b.seat_id = Some(seat);
    b.price = Price {
        included_minutes: b.minutes(),
        billable_minutes: 0,
        price_ex_vat_ore: 0,
        vat_percent: 25,
        vat_ore: 0,
        total_ore: 0,
    };
    b
}

fn all(hub: &Hub) -> BookingFilter {
    BookingFilter {
        hub_ids: Some(vec![hub.id]),
        include_cancelled: true,
        limit: 1000,
        ..Default::default()
    }
}

fn email(to: &str, at: DateTime<Utc>) -> OutgoingEmail {
    OutgoingEmail {
        id: new_id(),
        to_address: to.into(),
        subject: "Din bokning är avbokad".into(),
        body: "Hej!".into(),
        created_at: at,
        sent_at: None,
        attempts: 0,
        last_error: None,
        failed: false,
    }
}

pub async fn booking_rules_default_and_round_trip(store: &dyn Store) {
    let fx = fixture(store).await;
    assert_eq!(
        store.booking_rules(fx.hub.id).await.unwrap(),
        BookingRules::default()
    );
    let rules = BookingRules {
        cancel_notice_minutes: 48 * 60,
        max_length_minutes: 240,
        max_days_ahead: 60,
        non_members_may_book: false,
        publish_member_events: false,
    };
    store.set_booking_rules(fx.hub.id, &rules).await.unwrap();
    assert_eq!(store.booking_rules(fx.hub.id).await.unwrap(), rules);
    let changed = BookingRules {
        non_members_may_book: true,
        publish_member_events: true,
        ..rules
    };
    store.set_booking_rules(fx.hub.id, &changed).await.unwrap();
    assert_eq!(store.booking_rules(fx.hub.id).await.unwrap(), changed);
    match store.set_booking_rules(new_id(), &rules).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "hub_id"),
        other => panic!("expected Reference(hub_id), got {other:?}"),
    }
}

pub async fn bookings_round_trip_and_list_with_names(store: &dyn Store) {
    let fx = fixture(store).await;
    let a = booking(&fx, &fx.room, t(2026, 11, 24, 9, 0), 1);
    let mut b = booking(&fx, &fx.other_room, t(2026, 11, 24, 8, 0), 3);
    b.series_id = Some(new_id());
    b.on_behalf_of_organisation = true;
    store
        .insert_bookings(&[a.clone(), b.clone()], &[])
        .await
        .unwrap();
    assert_eq!(store.get_booking(a.id).await.unwrap(), a);
    assert_eq!(store.get_booking(b.id).await.unwrap(), b);
    assert!(matches!(
        store.get_booking(new_id()).await,
        Err(StoreError::NotFound)
    ));
    let listed = store.list_bookings(&all(&fx.hub)).await.unwrap();
    assert_eq!(
        listed.iter().map(|v| v.booking.id).collect::<Vec<_>>(),
        vec![b.id, a.id],
        "by start"
    );
    assert_eq!(listed[1].room_name, "Ekan");
    assert_eq!(listed[1].hub_name, fx.hub.name);
    assert_eq!(listed[1].booker_first_name, "Sara");
    assert_eq!(listed[1].booker_last_name, "Berg");
    assert_eq!(listed[1].organisation_name, "Alfa AB");
    // Filters.
    let f = BookingFilter {
        room_id: Some(fx.room.id),
        ..all(&fx.hub)
    };
    assert_eq!(store.list_bookings(&f).await.unwrap().len(), 1);
    let f = BookingFilter {
        from: Some(t(2026, 11, 24, 10, 0)),
        ..all(&fx.hub)
    };
    assert_eq!(
        store.list_bookings(&f).await.unwrap()[0].booking.id,
        b.id,
        "only b ends after 10:00"
    );
    let f = BookingFilter {
        to: Some(t(2026, 11, 24, 9, 0)),
        ..all(&fx.hub)
    };
    assert_eq!(store.list_bookings(&f).await.unwrap().len(), 1);
    let f = BookingFilter {
        booker_id: Some(new_id()),
        ..all(&fx.hub)
    };
    assert!(store.list_bookings(&f).await.unwrap().is_empty());
    let f = BookingFilter {
        hub_ids: Some(vec![]),
        ..all(&fx.hub)
    };
    assert!(store.list_bookings(&f).await.unwrap().is_empty());
    let f = BookingFilter {
        limit: 1,
        ..all(&fx.hub)
    };
    assert_eq!(store.list_bookings(&f).await.unwrap().len(), 1);
    // Busy times of one room, by start, only in the window.
    let busy = store
        .busy_times(
            fx.other_room.id,
            t(2026, 11, 24, 0, 0),
            t(2026, 11, 25, 0, 0),
        )
        .await
        .unwrap();
    assert_eq!(busy, vec![(b.start, b.end)]);
    assert!(store
        .busy_times(
            fx.other_room.id,
            t(2026, 11, 24, 11, 0),
            t(2026, 11, 25, 0, 0)
        )
        .await
        .unwrap()
        .is_empty());
}

pub async fn overlapping_bookings_are_refused(store: &dyn Store) {
    let fx = fixture(store).await;
    let ten = t(2026, 11, 24, 9, 0);
    let first = booking(&fx, &fx.room, ten, 2);
    store
        .insert_bookings(std::slice::from_ref(&first), &[])
        .await
        .unwrap();
    for (start, hours) in [
        (ten, 2),
        (ten + Duration::minutes(15), 1),
        (ten - Duration::hours(1), 4),
    ] {
        let r = store
            .insert_bookings(&[booking(&fx, &fx.room, start, hours)], &[])
            .await;
        assert_refused(r, Refusal::Booking(BookingRefusal::Conflict));
    }
    // Back to back is fine, and so is another room at the same time.
    store
        .insert_bookings(&[booking(&fx, &fx.room, ten + Duration::hours(2), 1)], &[])
        .await
        .unwrap();
    store
        .insert_bookings(&[booking(&fx, &fx.room, ten - Duration::hours(1), 1)], &[])
        .await
        .unwrap();
    store
        .insert_bookings(&[booking(&fx, &fx.other_room, ten, 2)], &[])
        .await
        .unwrap();
    // A cancelled booking frees its slot.
    let c = Cancellation {
        at: now(),
        by: fx.person.id,
        reason: String::new(),
        charged: false,
    };
    store.cancel_booking(first.id, &c, None).await.unwrap();
    store
        .insert_bookings(&[booking(&fx, &fx.room, ten, 2)], &[])
        .await
        .unwrap();
    // Unknown references name their field and write nothing.
    let mut ghost = booking(&fx, &fx.room, t(2026, 11, 26, 9, 0), 1);
    ghost.room_id = new_id();
    match store.insert_bookings(&[ghost], &[]).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "room_id"),
        other => panic!("expected Reference(room_id), got {other:?}"),
    }
    let mut ghost = booking(&fx, &fx.room, t(2026, 11, 26, 9, 0), 1);
    ghost.booker_id = new_id();
    match store.insert_bookings(&[ghost], &[]).await {
        Err(StoreError::Reference(f)) => assert_eq!(f, "booker_id"),
        other => panic!("expected Reference(booker_id), got {other:?}"),
    }
    assert_eq!(store.list_bookings(&all(&fx.hub)).await.unwrap().len(), 5);
}

pub async fn a_series_is_written_all_or_nothing(store: &dyn Store) {
    let fx = fixture(store).await;
    let monday = t(2026, 11, 30, 9, 0);
    let taken = booking(&fx, &fx.room, monday + Duration::weeks(2), 1);
    store.insert_bookings(&[taken], &[]).await.unwrap();
    let series = new_id();
    let occ: Vec<Booking> = (0..4)
        .map(|k| {
            let mut b = booking(&fx, &fx.room, monday + Duration::weeks(k), 1);
            b.series_id = Some(series);
            b
        })
        .collect();
    assert_refused(
        store.insert_bookings(&occ, &[]).await,
        Refusal::Booking(BookingRefusal::Conflict),
    );
    assert_eq!(store.list_bookings(&all(&fx.hub)).await.unwrap().len(), 1);
    // Two of the batch overlapping each other.
    let a = booking(&fx, &fx.room, monday, 2);
    let b = booking(&fx, &fx.room, monday + Duration::hours(1), 1);
    assert_refused(
        store.insert_bookings(&[a, b], &[]).await,
        Refusal::Booking(BookingRefusal::Conflict),
    );
    // The free ones only.
    let free: Vec<Booking> = occ
        .into_iter()
        .filter(|b| b.start != monday + Duration::weeks(2))
        .collect();
    store.insert_bookings(&free, &[]).await.unwrap();
    let listed = store.list_bookings(&all(&fx.hub)).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(
        listed
            .iter()
            .filter(|v| v.booking.series_id == Some(series))
            .count(),
        3
    );
}

pub async fn concurrent_bookings_of_one_slot_give_exactly_one(store: &dyn Store) {
    let fx = fixture(store).await;
    let start = t(2026, 11, 25, 12, 0);
    let attempts: Vec<Booking> = (0..40)
        .map(|k| booking(&fx, &fx.room, start + Duration::minutes(15 * (k % 3)), 1))
        .collect();
    let results = join_all(
        attempts
            .iter()
            .map(|b| store.insert_bookings(std::slice::from_ref(b), &[])),
    )
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "exactly one of overlapping concurrent bookings");
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_refused(r, Refusal::Booking(BookingRefusal::Conflict));
    }
    assert_eq!(store.list_bookings(&all(&fx.hub)).await.unwrap().len(), 1);
}

/// Round after round of simultaneous overlapping inserts: each round gives
/// exactly one booking and clean conflicts — never a deadlock or another
/// error (on PostgreSQL two inserts could each wait for the other inside
/// the exclusion constraint's check unless the room is locked first).
pub async fn rounds_of_simultaneous_bookings_never_deadlock(store: &dyn Store) {
    let fx = fixture(store).await;
    for round in 0..80 {
        let start = t(2026, 12, 1, 6, 0) + Duration::hours(2 * round);
        let attempts: Vec<Booking> = (0..16)
            .map(|k| booking(&fx, &fx.room, start + Duration::minutes(15 * (k % 4)), 1))
            .collect();
        let results = join_all(
            attempts
                .iter()
                .map(|b| store.insert_bookings(std::slice::from_ref(b), &[])),
        )
        .await;
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}"
        );
        for r in results.into_iter().filter(|r| r.is_err()) {
            assert_refused(r, Refusal::Booking(BookingRefusal::Conflict));
        }
    }
}

/// A booking is at most a day long, and a day-long one still conflicts
/// with one that starts just before it ends.
pub async fn day_long_bookings_conflict_and_longer_ones_are_refused(store: &dyn Store) {
    let fx = fixture(store).await;
    let start = t(2026, 12, 2, 6, 0);
    store
        .insert_bookings(&[booking(&fx, &fx.room, start, 24)], &[])
        .await
        .unwrap();
    let late = booking(&fx, &fx.room, start + Duration::minutes(23 * 60 + 45), 1);
    assert_refused(
        store
            .insert_bookings(std::slice::from_ref(&late), &[])
            .await,
        Refusal::Booking(BookingRefusal::Conflict),
    );
    let after = booking(&fx, &fx.room, start + Duration::hours(24), 1);
    store
        .insert_bookings(std::slice::from_ref(&after), &[])
        .await
        .unwrap();
    let mut long = booking(&fx, &fx.other_room, start, 24);
    long.end += Duration::minutes(15);
    assert!(store.insert_bookings(&[long], &[]).await.is_err());
    let busy = store
        .busy_times(
            fx.room.id,
            start + Duration::hours(23),
            start + Duration::hours(26),
        )
        .await
        .unwrap();
    assert_eq!(
        busy.len(),
        2,
        "the day-long booking reaches into the range: {busy:?}"
    );
    assert_eq!(
        store.list_bookings(&all(&fx.hub)).await.unwrap().len(),
        2,
        "the over-long booking was not written"
    );
}

pub async fn included_minutes_are_capped_per_seat_and_month(store: &dyn Store) {
    let fx = fixture(store).await;
    let cap = |allowance| IncludedCap {
        seat_id: fx.seat.id,
        month: "2026-11".into(),
        allowance_minutes: allowance,
    };
    // Five concurrent one-hour bookings on a seat with two hours left: two
    // are written, three refused, nothing else.
    let tries: Vec<Booking> = (0..5u32)
        .map(|k| {
            included(
                booking(&fx, &fx.room, t(2026, 11, 24, 8 + k, 0), 1),
                fx.seat.id,
            )
        })
        .collect();
    let caps = [cap(120)];
    let results = join_all(
        tries
            .iter()
            .map(|b| store.insert_bookings(std::slice::from_ref(b), &caps)),
    )
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_refused(r, Refusal::IncludedHoursSpent);
    }
    let used = store
        .seat_minutes_used(&[fx.seat.id, new_id()], "2026-11")
        .await
        .unwrap();
    assert_eq!(used, vec![(fx.seat.id, 120)]);
    assert!(store
        .seat_minutes_used(&[fx.seat.id], "2026-12")
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .seat_minutes_used(&[], "2026-11")
        .await
        .unwrap()
        .is_empty());
    // A free cancellation gives the minutes back; a charged one does not.
    let ours: Vec<Uuid> = store
        .list_bookings(&all(&fx.hub))
        .await
        .unwrap()
        .iter()
        .map(|v| v.booking.id)
        .collect();
    let cancel = |charged| Cancellation {
        at: now(),
        by: fx.person.id,
        reason: String::new(),
        charged,
    };
    store
        .cancel_booking(ours[0], &cancel(true), None)
        .await
        .unwrap();
    let used = store
        .seat_minutes_used(&[fx.seat.id], "2026-11")
        .await
        .unwrap();
    assert_eq!(used, vec![(fx.seat.id, 120)]);
    store
        .cancel_booking(ours[1], &cancel(false), None)
        .await
        .unwrap();
    let used = store
        .seat_minutes_used(&[fx.seat.id], "2026-11")
        .await
        .unwrap();
    assert_eq!(used, vec![(fx.seat.id, 60)]);
    let again = included(booking(&fx, &fx.room, t(2026, 11, 26, 9, 0), 1), fx.seat.id);
    store.insert_bookings(&[again], &caps).await.unwrap();
    let over = included(booking(&fx, &fx.room, t(2026, 11, 27, 9, 0), 1), fx.seat.id);
    assert_refused(
        store.insert_bookings(&[over], &caps).await,
        Refusal::IncludedHoursSpent,
    );
}

pub async fn cancelling_records_who_and_queues_the_notice(store: &dyn Store) {
    let fx = fixture(store).await;
    let b = booking(&fx, &fx.room, t(2026, 11, 24, 9, 0), 1);
    store
        .insert_bookings(std::slice::from_ref(&b), &[])
        .await
        .unwrap();
    let host = fx.person.id;
    let c = Cancellation {
        at: now(),
        by: host,
        reason: "Vattenläcka i rummet".into(),
        charged: false,
    };
    let notice = email("sara@example.se", now());
    let got = store.cancel_booking(b.id, &c, Some(&notice)).await.unwrap();
    assert_eq!(got.status, BookingStatus::Cancelled);
    assert_eq!(got.cancelled_at, Some(now()));
    assert_eq!(got.cancelled_by, Some(host));
    assert_eq!(got.cancel_reason, "Vattenläcka i rummet");
    assert!(!got.cancellation_charged);
    assert_eq!(store.get_booking(b.id).await.unwrap(), got);
    assert_eq!(store.list_emails(10).await.unwrap(), vec![notice.clone()]);
    // Twice: a conflict, and no second notice.
    let second = email("sara@example.se", now());
    assert_refused(
        store.cancel_booking(b.id, &c, Some(&second)).await,
        Refusal::Booking(BookingRefusal::AlreadyCancelled),
    );
    assert_eq!(store.list_emails(10).await.unwrap().len(), 1);
    assert!(matches!(
        store.cancel_booking(new_id(), &c, None).await,
        Err(StoreError::NotFound)
    ));
    // Cancelled bookings are listed only when asked for.
    let f = BookingFilter {
        include_cancelled: false,
        ..all(&fx.hub)
    };
    assert!(store.list_bookings(&f).await.unwrap().is_empty());
    assert_eq!(store.list_bookings(&all(&fx.hub)).await.unwrap().len(), 1);
}

pub async fn concurrent_cancellations_cancel_once(store: &dyn Store) {
    let fx = fixture(store).await;
    let b = booking(&fx, &fx.room, t(2026, 11, 24, 9, 0), 1);
    store
        .insert_bookings(std::slice::from_ref(&b), &[])
        .await
        .unwrap();
    let c = Cancellation {
        at: now(),
        by: fx.person.id,
        reason: String::new(),
        charged: false,
    };
    let notices: Vec<OutgoingEmail> = (0..8).map(|_| email("a@example.se", now())).collect();
    let results = join_all(
        notices
            .iter()
            .map(|n| store.cancel_booking(b.id, &c, Some(n))),
    )
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(store.list_emails(100).await.unwrap().len(), 1);
}

pub async fn calendar_generations_rotate(store: &dyn Store) {
    let fx = fixture(store).await;
    assert_eq!(store.calendar_generation(fx.person.id).await.unwrap(), 0);
    assert_eq!(store.rotate_calendar(fx.person.id).await.unwrap(), 1);
    assert_eq!(store.rotate_calendar(fx.person.id).await.unwrap(), 2);
    assert_eq!(store.calendar_generation(fx.person.id).await.unwrap(), 2);
    // The QR generation is its own counter.
    assert_eq!(store.qr_generation(fx.person.id).await.unwrap(), 0);
    assert!(matches!(
        store.rotate_calendar(new_id()).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn emails_are_claimed_once_and_marked(store: &dyn Store) {
    let at = now();
    let queued: Vec<OutgoingEmail> = (0..9)
        .map(|k| email(&format!("p{k}@example.se"), at + Duration::seconds(k)))
        .collect();
    for e in &queued {
        store.queue_email(e).await.unwrap();
    }
    let listed = store.list_emails(100).await.unwrap();
    assert_eq!(listed.len(), 9);
    assert_eq!(listed[0].id, queued[8].id, "newest first");
    // Not due before it was created.
    assert!(store
        .claim_emails(at - Duration::seconds(1), Duration::seconds(60), 10)
        .await
        .unwrap()
        .is_empty());
    let later = at + Duration::seconds(30);
    let lease = Duration::seconds(60);
    let results = join_all((0..3).map(|_| store.claim_emails(later, lease, 4))).await;
    let mut seen = vec![];
    for r in results {
        let got = r.unwrap();
        assert!(got.len() <= 4);
        assert!(got.iter().all(|e| e.attempts == 1));
        seen.extend(got.iter().map(|e| e.id));
    }
    let distinct: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len(), "an e-mail was handed out twice");
    assert_eq!(distinct.len(), 9);
    // Hidden until the lease runs out.
    assert!(store
        .claim_emails(later, lease, 10)
        .await
        .unwrap()
        .is_empty());
    store.mark_email_sent(queued[0].id, later).await.unwrap();
    store
        .mark_email_failed(queued[1].id, "connection refused", later, false)
        .await
        .unwrap();
    store
        .mark_email_failed(queued[2].id, "mailbox unavailable", later, true)
        .await
        .unwrap();
    let again = store
        .claim_emails(later + Duration::seconds(1), lease, 10)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![queued[1].id],
        "only the one to try again"
    );
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].last_error.as_deref(), Some("connection refused"));
    let all = store.list_emails(100).await.unwrap();
    let find = |id| all.iter().find(|e| e.id == id).unwrap();
    assert_eq!(find(queued[0].id).sent_at, Some(later));
    assert!(find(queued[2].id).failed);
    assert!(matches!(
        store.mark_email_sent(new_id(), later).await,
        Err(StoreError::NotFound)
    ));
}

/// Pages through `f` `per` at a time, after the last booking of each page,
/// calling `between` after every page (to write between pages as clients
/// would see it).
async fn page_bookings(
    store: &dyn Store,
    f: &BookingFilter,
    per: i64,
    mut between: impl FnMut(usize) -> Option<Booking>,
) -> Vec<(DateTime<Utc>, Uuid)> {
    let mut seen = Vec::new();
    let mut after = None;
    for page in 0.. {
        let rows = store
            .list_bookings(&BookingFilter {
                after,
                limit: per,
                ..f.clone()
            })
            .await
            .unwrap();
        assert!(rows.len() as i64 <= per);
        seen.extend(rows.iter().map(|v| (v.booking.start, v.booking.id)));
        if let Some(b) = between(page) {
            store.insert_bookings(&[b], &[]).await.unwrap();
        }
        match rows.last() {
            Some(v) if rows.len() as i64 == per => after = Some((v.booking.start, v.booking.id)),
            _ => break,
        }
    }
    seen
}

pub async fn bookings_page_by_start_and_id_once_each(store: &dyn Store) {
    let fx = fixture(store).await;
    // Both rooms at the same hours: every start is taken twice, so the id
    // alone orders those of one start.
    let mut written = Vec::new();
    for day in 0..6 {
        for room in [&fx.room, &fx.other_room] {
            let b = booking(&fx, room, t(2026, 12, 1 + day, 9, 0), 1);
            written.push(b.clone());
            store.insert_bookings(&[b], &[]).await.unwrap();
        }
    }
    let f = all(&fx.hub);
    let whole: Vec<(DateTime<Utc>, Uuid)> = store
        .list_bookings(&f)
        .await
        .unwrap()
        .iter()
        .map(|v| (v.booking.start, v.booking.id))
        .collect();
    let mut sorted = whole.clone();
    sorted.sort();
    assert_eq!(whole, sorted, "listed by start, then id");
    assert_eq!(whole.len(), written.len());

    // One earlier and one later booking written between pages: the earlier
    // is before the cursor (not shown), the later shows once, nothing twice.
    let early = booking(&fx, &fx.room, t(2026, 11, 30, 9, 0), 1);
    let late = booking(&fx, &fx.room, t(2026, 12, 20, 9, 0), 1);
    let (e, l) = (early.clone(), late.clone());
    let seen = page_bookings(store, &f, 5, |page| match page {
        0 => Some(e.clone()),
        1 => Some(l.clone()),
        _ => None,
    })
    .await;
    let mut expected = whole.clone();
    expected.push((late.start, late.id));
    assert_eq!(seen, expected);
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());
    assert!(!seen.contains(&(early.start, early.id)));

    // Page sizes that divide the list exactly end with an empty page.
    let again = page_bookings(store, &f, 1, |_| None).await;
    assert_eq!(again.len(), whole.len() + 2);
}
