//! The contract of erasing a person ([`Store::erase_person`]): personal
//! fields anonymised, sign-in material gone, future bookings and event
//! registrations cancelled (with the waiting list promoted), past records
//! kept, and nothing written when it is refused. Run by every backend
//! through `contract_tests!`.

use super::seed_hub;
use crate::{ApiToken, BookingFilter, Erasure, OutgoingEmail, Refusal, Session, Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::event::{
    Event, EventStatus, EventVisibility, Registrant, Registration, RegistrationStatus, Venue,
};
use thirdplace_domain::{
    new_id, Email, Hub, OrgKind, OrgNumber, Organisation, Person, Room, RoomKind,
};

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Monday 23 November 2026, 09:00 UTC.
fn now() -> DateTime<Utc> {
    t(2026, 11, 23, 9, 0)
}

struct Fx {
    hub: Hub,
    room: Room,
    org: Organisation,
}

async fn fixture(store: &dyn Store) -> Fx {
    let (_, _, _, hub) = seed_hub(store).await;
    let room = Room {
        id: new_id(),
        hub_id: hub.id,
        name: "Skolsalen".into(),
        kind: RoomKind::Conference,
        capacity: 20,
        hourly_price_ore: 60_000,
        vat_rate_percent: 25,
        archived: false,
    };
    store.insert_room(&room).await.unwrap();
    let org = Organisation {
        id: new_id(),
        name: "Alfa AB".into(),
        org_number: OrgNumber::parse("556000-0001").unwrap(),
        kind: OrgKind::Company,
        archived: false,
        buyer: Default::default(),
    };
    store.insert_organisation(&org).await.unwrap();
    Fx { hub, room, org }
}

async fn add_person(store: &dyn Store, fx: &Fx, name: &str, admin: bool) -> Person {
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
        organisation_id: Some(fx.org.id),
        is_network_admin: admin,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    };
    store.insert_person(&p).await.unwrap();
    store.set_password_hash(p.id, "hash").await.unwrap();
    p
}

fn booking(fx: &Fx, p: &Person, start: DateTime<Utc>) -> Booking {
    Booking {
        id: new_id(),
        room_id: fx.room.id,
        hub_id: fx.hub.id,
        booker_id: p.id,
        organisation_id: fx.org.id,
        on_behalf_of_organisation: false,
        seat_id: None,
        series_id: None,
        title: "Planering".into(),
        start,
        end: start + Duration::hours(1),
        status: BookingStatus::Confirmed,
        price: Price::default(),
        created_at: now() - Duration::days(30),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    }
}

fn event(fx: &Fx, organiser: &Person, capacity: i64) -> Event {
    let start = t(2026, 11, 25, 12, 0);
    Event {
        id: new_id(),
        hub_id: fx.hub.id,
        venue: Venue::Online,
        booking_id: None,
        title: "Workshop om återbruk".into(),
        description: "Vi lagar saker tillsammans.".into(),
        topics: vec![],
        start,
        end: start + Duration::hours(2),
        capacity,
        visibility: EventVisibility::Public,
        status: EventStatus::Published,
        organiser_id: organiser.id,
        co_organiser_ids: vec![],
        sequence: 0,
        created_at: now(),
        updated_at: now(),
    }
}

fn email(to: &str, subject: &str) -> OutgoingEmail {
    OutgoingEmail {
        id: new_id(),
        to_address: to.into(),
        subject: subject.into(),
        body: "Hej!".into(),
        created_at: now(),
        sent_at: None,
        attempts: 0,
        last_error: None,
        failed: false,
    }
}

fn erasure(p: &Person) -> Erasure {
    Erasure {
        person_id: p.id,
        at: now(),
        placeholder_name: "Raderad".into(),
        placeholder_email: format!("erased-{}@invalid", new_id()),
        promotions: vec![],
    }
}

async fn sign_in_material(store: &dyn Store, p: &Person) -> (String, String) {
    let session = format!("s-{}", new_id());
    store
        .insert_session(&Session {
            id_hash: session.clone(),
            person_id: p.id,
            created_at: now(),
            expires_at: now() + Duration::days(30),
        })
        .await
        .unwrap();
    let token = format!("t-{}", new_id());
    store
        .insert_api_token(&ApiToken {
            id: new_id(),
            person_id: p.id,
            name: "cli".into(),
            token_hash: token.clone(),
            created_at: now(),
            revoked_at: None,
        })
        .await
        .unwrap();
    (session, token)
}

fn all_of(p: &Person) -> BookingFilter {
    BookingFilter {
        booker_id: Some(p.id),
        include_cancelled: true,
        limit: 100,
        ..Default::default()
    }
}

pub async fn erasing_anonymises_and_ends_every_way_in(store: &dyn Store) {
    let fx = fixture(store).await;
    let p = add_person(store, &fx, "Mira", false).await;
    let other = add_person(store, &fx, "Olle", false).await;
    let (session, token) = sign_in_material(store, &p).await;
    let (other_session, _) = sign_in_material(store, &other).await;
    let strikes = crate::account_key(p.email.as_str());
    store
        .record_strikes(
            std::slice::from_ref(&strikes),
            now(),
            now() - Duration::hours(1),
        )
        .await
        .unwrap();
    store
        .set_profile(
            p.id,
            &thirdplace_domain::membership::Profile {
                visible: true,
                expertise: vec!["Upphandling".into()],
            },
        )
        .await
        .unwrap();
    let feed_before = store.rotate_calendar(p.id).await.unwrap();
    let qr_before = store.qr_generation(p.id).await.unwrap();
    let queued = email(p.email.as_str(), "Påminnelse");
    store.queue_email(&queued).await.unwrap();
    let to_other = email(other.email.as_str(), "Påminnelse");
    store.queue_email(&to_other).await.unwrap();

    let link = crate::access::OneTimeToken {
        id: new_id(),
        kind: crate::access::TokenKind::PasswordReset,
        person_id: p.id,
        token_hash: format!("h-{}", new_id()),
        created_by: None,
        created_at: now(),
        expires_at: now() + Duration::hours(1),
        used_at: None,
        revoked_at: None,
    };
    store.issue_token(&link).await.unwrap();
    store.set_person_language(p.id, Some("en")).await.unwrap();

    let e = erasure(&p);
    store.erase_person(&e).await.unwrap();

    assert_eq!(
        store.find_token(link.kind, &link.token_hash).await.unwrap(),
        None,
        "an erased person's one-time links are gone"
    );
    assert_eq!(store.person_language(p.id).await.unwrap(), None);

    let gone = store.get_person(p.id).await.unwrap();
    assert_eq!(gone.first_name, "Raderad");
    assert_eq!(gone.last_name, "");
    assert_eq!(gone.email, e.placeholder_email);
    assert!(gone.archived);
    assert!(!gone.is_network_admin);
    assert_eq!(store.password_hash(p.id).await.unwrap(), None);
    assert!(store
        .find_person_by_email(p.email.as_str())
        .await
        .unwrap()
        .is_none());
    assert!(store
        .session_person(&session, now())
        .await
        .unwrap()
        .is_none());
    assert!(store.token_person(&token).await.unwrap().is_none());
    assert!(store.list_api_tokens(p.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .strikes(&strikes, now() - Duration::hours(1))
            .await
            .unwrap(),
        None
    );
    let profile = store.get_profile(p.id).await.unwrap();
    assert!(!profile.visible);
    assert!(profile.expertise.is_empty());
    assert!(store.calendar_generation(p.id).await.unwrap() > feed_before);
    assert!(store.qr_generation(p.id).await.unwrap() > qr_before);
    let mails = store.list_emails(100).await.unwrap();
    assert!(!mails.iter().any(|m| m.id == queued.id));
    assert!(mails.iter().any(|m| m.id == to_other.id));
    // Someone else is untouched.
    assert_eq!(store.get_person(other.id).await.unwrap(), other);
    assert!(store
        .session_person(&other_session, now())
        .await
        .unwrap()
        .is_some());
    // Twice is fine, and an unknown person is not found.
    store.erase_person(&erasure(&p)).await.unwrap();
    let unknown = Erasure {
        person_id: new_id(),
        ..erasure(&p)
    };
    assert!(matches!(
        store.erase_person(&unknown).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn erasing_cancels_the_future_and_keeps_the_past(store: &dyn Store) {
    let fx = fixture(store).await;
    let p = add_person(store, &fx, "Mira", false).await;
    let organiser = add_person(store, &fx, "Sara", false).await;
    let waiting = add_person(store, &fx, "Vera", false).await;
    let past = booking(&fx, &p, now() - Duration::days(7));
    let future = booking(&fx, &p, now() + Duration::days(2));
    store
        .insert_bookings(&[past.clone(), future.clone()], &[])
        .await
        .unwrap();
    let ev = store
        .insert_event(&event(&fx, &organiser, 1), None)
        .await
        .unwrap();
    let reg = |who: &Person| {
        Registration::new(ev.id, Registrant::Person { person_id: who.id }, None, now())
    };
    let mine = store.register(&reg(&p), now()).await.unwrap();
    assert_eq!(mine.status, RegistrationStatus::Confirmed);
    let theirs = store.register(&reg(&waiting), now()).await.unwrap();
    assert_eq!(theirs.status, RegistrationStatus::Waitlisted);

    let e = Erasure {
        promotions: vec![(ev.id, email("", "Du har fått en plats"))],
        ..erasure(&p)
    };
    let erased = store.erase_person(&e).await.unwrap();

    assert_eq!(erased.cancelled_bookings, vec![future.id]);
    let kept = store.get_booking(past.id).await.unwrap();
    assert_eq!(kept.status, BookingStatus::Confirmed);
    assert_eq!(kept.booker_id, p.id);
    let cancelled = store.get_booking(future.id).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert!(!cancelled.cancellation_charged);
    let listed = store.list_bookings(&all_of(&p)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|v| v.booker_first_name == "Raderad"));
    assert_eq!(erased.cancelled_registrations.len(), 1);
    assert_eq!(
        store.get_registration(mine.id).await.unwrap().status,
        RegistrationStatus::Cancelled
    );
    assert_eq!(
        store.get_registration(theirs.id).await.unwrap().status,
        RegistrationStatus::Confirmed
    );
    let promoted: Vec<String> = store
        .list_emails(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject == "Du har fått en plats")
        .map(|m| m.to_address)
        .collect();
    assert_eq!(promoted, vec![waiting.email.clone()]);
}

pub async fn the_last_network_admin_is_not_erased_and_nothing_is_written(store: &dyn Store) {
    let fx = fixture(store).await;
    let admin = add_person(store, &fx, "Ada", true).await;
    let (session, token) = sign_in_material(store, &admin).await;
    let future = booking(&fx, &admin, now() + Duration::days(2));
    store
        .insert_bookings(std::slice::from_ref(&future), &[])
        .await
        .unwrap();
    // Archived admins do not count.
    let mut old = add_person(store, &fx, "Gammal", true).await;
    old.archived = true;
    store.update_person(&old).await.unwrap();

    match store.erase_person(&erasure(&admin)).await {
        Err(StoreError::Refused(r)) => assert_eq!(r, Refusal::LastNetworkAdmin),
        other => panic!("expected Refused(LastNetworkAdmin), got {other:?}"),
    }
    assert_eq!(store.get_person(admin.id).await.unwrap(), admin);
    assert!(store
        .session_person(&session, now())
        .await
        .unwrap()
        .is_some());
    assert!(store.token_person(&token).await.unwrap().is_some());
    assert_eq!(
        store.get_booking(future.id).await.unwrap().status,
        BookingStatus::Confirmed
    );

    // With a second admin, the first may go; then the second is the last.
    let second = add_person(store, &fx, "Bea", true).await;
    store.erase_person(&erasure(&admin)).await.unwrap();
    assert_conflict_last(store.erase_person(&erasure(&second)).await);
}

#[track_caller]
fn assert_conflict_last<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    match r {
        Err(StoreError::Refused(r)) => assert_eq!(r, Refusal::LastNetworkAdmin),
        other => panic!("expected Refused(LastNetworkAdmin), got {other:?}"),
    }
}
