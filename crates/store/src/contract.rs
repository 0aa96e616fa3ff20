//! The contract every backend must keep, written once. Each backend's
//! `tests/contract.rs` runs it with `contract_tests!(expr)`, where `expr`
//! evaluates (inside an async test) to `(store, guard)`: a fresh, migrated,
//! empty store and whatever keeps its database alive.

use crate::{ApiToken, Session, Store, StoreError};
use chrono::{Duration, TimeZone, Utc};
use thirdplace_domain::*;
use uuid::Uuid;

/// Generates one `#[tokio::test]` per contract function, of this module,
/// of [`crate::contract_membership`], of [`crate::contract_bookings`] and
/// of [`crate::contract_events`].
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@each $make; contract;
            regions_round_trip,
            taken_region_code_is_a_conflict,
            updating_an_unknown_id_is_not_found,
            municipality_must_refer_to_a_region,
            hubs_round_trip_with_hours_and_listing_names,
            zones_and_rooms_round_trip,
            organisation_numbers_are_unique,
            people_and_roles_round_trip,
            email_is_unique_and_nothing_half_written,
            unknown_role_reference_writes_nothing,
            sessions_expire_and_end,
            sessions_of_archived_people_are_inactive,
            login_failures_are_counted_and_cleared,
            api_tokens_authenticate_until_revoked,
            meta_values_round_trip
        );
        $crate::contract_tests!(@each $make; contract_membership;
            meta_get_or_insert_keeps_the_first_value,
            plans_round_trip_for_each_scope,
            seats_are_inserted_all_or_nothing,
            seat_assignment_keeps_its_history,
            held_seats_follow_the_holder_at_each_instant,
            seat_end_round_trips,
            profiles_and_qr_generations,
            checkins_open_and_close,
            one_open_checkin_per_person_under_concurrency,
            guests_are_limited_and_leave_with_their_host,
            concurrent_guests_respect_the_limit,
            present_at_lists_open_checkins_with_profiles,
            access_summary_counts_exactly,
            webhooks_round_trip,
            events_fan_out_to_active_subscribed_webhooks,
            deliveries_are_claimed_once_per_lease,
            delivered_and_failed_deliveries_leave_the_queue,
            concurrent_claims_never_share_a_delivery
        );
        $crate::contract_tests!(@each $make; contract_bookings;
            booking_rules_default_and_round_trip,
            bookings_round_trip_and_list_with_names,
            overlapping_bookings_are_refused,
            a_series_is_written_all_or_nothing,
            concurrent_bookings_of_one_slot_give_exactly_one,
            rounds_of_simultaneous_bookings_never_deadlock,
            day_long_bookings_conflict_and_longer_ones_are_refused,
            included_minutes_are_capped_per_seat_and_month,
            cancelling_records_who_and_queues_the_notice,
            concurrent_cancellations_cancel_once,
            calendar_generations_rotate,
            emails_are_claimed_once_and_marked
        );
        $crate::contract_tests!(@each $make; contract_events;
            events_round_trip_and_list_with_filters,
            events_page_after_a_start_and_id,
            the_calendar_version_moves_on_every_change,
            feed_changes_name_the_events_to_list_again,
            sign_ups_fill_places_then_the_waiting_list_in_order,
            cancelling_promotes_the_first_waiting_and_queues_the_email,
            fifty_simultaneous_sign_ups_for_ten_places,
            an_invitation_is_used_once,
            an_event_in_a_booked_room_is_refused_and_nothing_is_written,
            moving_or_cancelling_an_event_moves_or_frees_its_room,
            capacity_changes_keep_places_and_fill_new_ones,
            the_summary_counts_places_attendance_and_organisations,
            reminders_are_sent_once_and_again_after_a_move
        );
        $crate::contract_tests!(@each $make; contract_privacy;
            erasing_anonymises_and_ends_every_way_in,
            erasing_cancels_the_future_and_keeps_the_past,
            the_last_network_admin_is_not_erased_and_nothing_is_written
        );
    };
    (@each $make:expr; $module:ident; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _guard) = $make;
                $crate::$module::$name(&store).await;
            }
        )*
    };
}

fn region(code: &str) -> Region {
    Region {
        id: new_id(),
        name: format!("Region {code}"),
        code: code.into(),
        archived: false,
    }
}

/// A region, municipality, operator and hub, inserted.
pub async fn seed_hub(store: &dyn Store) -> (Region, Municipality, Operator, Hub) {
    let r = region("08");
    store.insert_region(&r).await.unwrap();
    let m = Municipality {
        id: new_id(),
        region_id: r.id,
        name: "Oskarshamns kommun".into(),
        code: "0882".into(),
        central_town: "Oskarshamn".into(),
        archived: false,
    };
    store.insert_municipality(&m).await.unwrap();
    let o = Operator {
        id: new_id(),
        name: "Oskarshamns kommun".into(),
        org_number: Some("212000-0803".into()),
        contact_email: Some("hubb@oskarshamn.example".into()),
        archived: false,
    };
    store.insert_operator(&o).await.unwrap();
    let mut hours = OpeningHours::weekdays("08:00", "17:00");
    hours.exceptions = OpeningHours::parse_exceptions("2026-12-24 closed Julafton").unwrap();
    let h = Hub {
        id: new_id(),
        municipality_id: m.id,
        operator_id: o.id,
        name: "Figeholms hubb".into(),
        description: "Kontorskollektiv i gamla skolan".into(),
        street_address: "Skolgatan 2".into(),
        postal_code: "572 95".into(),
        city: "Figeholm".into(),
        latitude: 57.3728,
        longitude: 16.5520,
        in_central_town: false,
        opening_hours: hours,
        archived: false,
    };
    store.insert_hub(&h).await.unwrap();
    (r, m, o, h)
}

fn organisation(org_number: &str) -> Organisation {
    Organisation {
        id: new_id(),
        name: format!("Org {org_number}"),
        org_number: org_number.into(),
        kind: OrgKind::Municipality,
        archived: false,
    }
}

fn person(email: &str, org: Option<Uuid>) -> Person {
    Person {
        id: new_id(),
        first_name: "Anna".into(),
        last_name: "Lind".into(),
        email: email.into(),
        organisation_id: org,
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        archived: false,
    }
}

pub async fn regions_round_trip(store: &dyn Store) {
    let mut r = region("08");
    store.insert_region(&r).await.unwrap();
    assert_eq!(store.get_region(r.id).await.unwrap(), r);
    r.name = "Region Kalmar län".into();
    r.archived = true;
    store.update_region(&r).await.unwrap();
    assert_eq!(store.list_regions().await.unwrap(), vec![r]);
}

pub async fn taken_region_code_is_a_conflict(store: &dyn Store) {
    store.insert_region(&region("08")).await.unwrap();
    match store.insert_region(&region("08")).await {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "code"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.list_regions().await.unwrap().len(), 1);
}

pub async fn updating_an_unknown_id_is_not_found(store: &dyn Store) {
    assert!(matches!(
        store.update_region(&region("01")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_hub(new_id()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_person(new_id()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_person(&person("x@y.se", None)).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn municipality_must_refer_to_a_region(store: &dyn Store) {
    let m = Municipality {
        id: new_id(),
        region_id: new_id(),
        name: "Emmaboda kommun".into(),
        code: "0862".into(),
        central_town: "Emmaboda".into(),
        archived: false,
    };
    match store.insert_municipality(&m).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "region_id"),
        other => panic!("expected a reference error, got {other:?}"),
    }
    assert!(store.list_municipalities().await.unwrap().is_empty());
}

pub async fn hubs_round_trip_with_hours_and_listing_names(store: &dyn Store) {
    let (r, m, o, mut h) = seed_hub(store).await;
    let listing = store.get_hub(h.id).await.unwrap();
    assert_eq!(listing.hub, h);
    assert_eq!(listing.municipality_name, m.name);
    assert_eq!(listing.central_town, "Oskarshamn");
    assert_eq!(listing.region_id, r.id);
    assert_eq!(listing.region_name, r.name);
    assert_eq!(listing.operator_name, o.name);
    h.opening_hours.weekly[5] = OpeningHours::parse_day("10:00-14:00").unwrap();
    h.in_central_town = true;
    store.update_hub(&h).await.unwrap();
    let all = store.list_hubs().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].hub, h);
    // Read again after any part of the listing changed, it shows the change
    // at once (a backend that keeps hubs in memory must forget them).
    assert_eq!(store.get_hub(h.id).await.unwrap().hub, h);
    let m2 = Municipality {
        name: format!("{} (renamed)", m.name),
        ..m.clone()
    };
    store.update_municipality(&m2).await.unwrap();
    let r2 = Region {
        name: format!("{} (renamed)", r.name),
        ..r.clone()
    };
    store.update_region(&r2).await.unwrap();
    let o2 = Operator {
        name: format!("{} (renamed)", o.name),
        ..o.clone()
    };
    store.update_operator(&o2).await.unwrap();
    let again = store.get_hub(h.id).await.unwrap();
    assert_eq!(again.municipality_name, m2.name);
    assert_eq!(again.region_name, r2.name);
    assert_eq!(again.operator_name, o2.name);
    h.archived = true;
    store.update_hub(&h).await.unwrap();
    assert!(store.get_hub(h.id).await.unwrap().hub.archived);
    let mut bad = h.clone();
    bad.id = new_id();
    bad.operator_id = new_id();
    match store.insert_hub(&bad).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "operator_id"),
        other => panic!("expected a reference error, got {other:?}"),
    }
}

pub async fn zones_and_rooms_round_trip(store: &dyn Store) {
    let (_, _, _, h) = seed_hub(store).await;
    let mut z = Zone {
        id: new_id(),
        hub_id: h.id,
        name: "Cirkeln".into(),
        purpose: "Dela berättelser".into(),
        capacity: 12,
        archived: false,
    };
    store.insert_zone(&z).await.unwrap();
    z.capacity = 14;
    store.update_zone(&z).await.unwrap();
    assert_eq!(store.list_zones(h.id).await.unwrap(), vec![z.clone()]);
    assert_eq!(store.get_zone(z.id).await.unwrap(), z);
    let room = Room {
        id: new_id(),
        hub_id: h.id,
        name: "Konferensrummet".into(),
        kind: RoomKind::Conference,
        capacity: 16,
        hourly_price_ore: 45_000,
        vat_rate_percent: 25,
        archived: false,
    };
    store.insert_room(&room).await.unwrap();
    assert_eq!(store.list_rooms(h.id).await.unwrap(), vec![room.clone()]);
    assert_eq!(store.get_room(room.id).await.unwrap(), room);
    assert!(store.list_rooms(new_id()).await.unwrap().is_empty());
    let orphan = Zone {
        id: new_id(),
        hub_id: new_id(),
        ..z
    };
    assert!(
        matches!(store.insert_zone(&orphan).await, Err(StoreError::Reference(f)) if f == "hub_id")
    );
}

pub async fn organisation_numbers_are_unique(store: &dyn Store) {
    let mut o = organisation("212000-0142");
    store.insert_organisation(&o).await.unwrap();
    match store
        .insert_organisation(&organisation("212000-0142"))
        .await
    {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "org_number"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    o.kind = OrgKind::GovernmentAgency;
    store.update_organisation(&o).await.unwrap();
    assert_eq!(store.get_organisation(o.id).await.unwrap(), o);
    assert_eq!(store.list_organisations().await.unwrap(), vec![o]);
}

pub async fn people_and_roles_round_trip(store: &dyn Store) {
    let (_, _, _, h) = seed_hub(store).await;
    let org = organisation("212000-0803");
    store.insert_organisation(&org).await.unwrap();
    let mut p = person("anna@oskarshamn.example", Some(org.id));
    p.hosted_hub_ids = vec![h.id];
    p.admin_of_organisation_ids = vec![org.id];
    store.insert_person(&p).await.unwrap();
    assert_eq!(store.get_person(p.id).await.unwrap(), p);
    assert_eq!(
        store
            .find_person_by_email("anna@oskarshamn.example")
            .await
            .unwrap(),
        Some(p.clone())
    );
    assert_eq!(
        store.find_person_by_email("nobody@x.se").await.unwrap(),
        None
    );
    p.hosted_hub_ids.clear();
    p.is_network_admin = true;
    store.update_person(&p).await.unwrap();
    assert_eq!(store.get_person(p.id).await.unwrap(), p);
    let other = person("bo@x.se", None);
    store.insert_person(&other).await.unwrap();
    assert_eq!(
        store.list_people(Some(org.id)).await.unwrap(),
        vec![p.clone()]
    );
    assert_eq!(store.list_people(None).await.unwrap().len(), 2);
    assert_eq!(store.password_hash(p.id).await.unwrap(), None);
    store
        .set_password_hash(p.id, "$argon2id$fake")
        .await
        .unwrap();
    assert_eq!(
        store.password_hash(p.id).await.unwrap().as_deref(),
        Some("$argon2id$fake")
    );
}

pub async fn email_is_unique_and_nothing_half_written(store: &dyn Store) {
    store
        .insert_person(&person("anna@x.se", None))
        .await
        .unwrap();
    match store.insert_person(&person("anna@x.se", None)).await {
        Err(StoreError::Conflict(field)) => assert_eq!(field, "email"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.list_people(None).await.unwrap().len(), 1);
}

pub async fn unknown_role_reference_writes_nothing(store: &dyn Store) {
    let mut p = person("anna@x.se", None);
    p.hosted_hub_ids = vec![new_id()];
    match store.insert_person(&p).await {
        Err(StoreError::Reference(field)) => assert_eq!(field, "hosted_hub_ids"),
        other => panic!("expected a reference error, got {other:?}"),
    }
    assert!(store.list_people(None).await.unwrap().is_empty());
    let mut q = person("bo@x.se", None);
    store.insert_person(&q).await.unwrap();
    q.first_name = "Bosse".into();
    q.admin_of_organisation_ids = vec![new_id()];
    assert!(matches!(
        store.update_person(&q).await,
        Err(StoreError::Reference(_))
    ));
    assert_eq!(store.get_person(q.id).await.unwrap().first_name, "Anna");
}

pub async fn sessions_expire_and_end(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let s = Session {
        id_hash: "abc".into(),
        person_id: p.id,
        created_at: now,
        expires_at: now + Duration::hours(1),
    };
    store.insert_session(&s).await.unwrap();
    let s2 = Session {
        id_hash: "def".into(),
        ..s.clone()
    };
    store.insert_session(&s2).await.unwrap();
    assert_eq!(
        store
            .session_person("abc", now)
            .await
            .unwrap()
            .map(|p| p.id),
        Some(p.id)
    );
    assert_eq!(
        store
            .session_person("abc", now + Duration::hours(2))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.session_person("nope", now).await.unwrap(), None);
    store.delete_sessions_of(p.id, Some("def")).await.unwrap();
    assert_eq!(store.session_person("abc", now).await.unwrap(), None);
    assert!(store.session_person("def", now).await.unwrap().is_some());
    store.delete_session("def").await.unwrap();
    assert_eq!(store.session_person("def", now).await.unwrap(), None);
}

pub async fn sessions_of_archived_people_are_inactive(store: &dyn Store) {
    let mut p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let now = Utc::now();
    let s = Session {
        id_hash: "abc".into(),
        person_id: p.id,
        created_at: now,
        expires_at: now + Duration::hours(1),
    };
    store.insert_session(&s).await.unwrap();
    p.archived = true;
    store.update_person(&p).await.unwrap();
    assert_eq!(store.session_person("abc", now).await.unwrap(), None);
}

pub async fn login_failures_are_counted_and_cleared(store: &dyn Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    for i in 0..3 {
        store
            .record_login_failure("anna@x.se", t0 + Duration::minutes(i * 10))
            .await
            .unwrap();
    }
    store.record_login_failure("bo@x.se", t0).await.unwrap();
    assert_eq!(
        store.count_login_failures("anna@x.se", t0).await.unwrap(),
        3
    );
    assert_eq!(
        store
            .count_login_failures("anna@x.se", t0 + Duration::minutes(5))
            .await
            .unwrap(),
        2
    );
    store.clear_login_failures("anna@x.se").await.unwrap();
    assert_eq!(
        store.count_login_failures("anna@x.se", t0).await.unwrap(),
        0
    );
    assert_eq!(store.count_login_failures("bo@x.se", t0).await.unwrap(), 1);
}

pub async fn api_tokens_authenticate_until_revoked(store: &dyn Store) {
    let p = person("anna@x.se", None);
    store.insert_person(&p).await.unwrap();
    let other = person("bo@x.se", None);
    store.insert_person(&other).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let t = ApiToken {
        id: new_id(),
        person_id: p.id,
        name: "kiosk".into(),
        token_hash: "h1".into(),
        created_at: now,
        revoked_at: None,
    };
    store.insert_api_token(&t).await.unwrap();
    assert_eq!(
        store.token_person("h1").await.unwrap().map(|p| p.id),
        Some(p.id)
    );
    assert_eq!(store.list_api_tokens(p.id).await.unwrap(), vec![t.clone()]);
    assert!(matches!(
        store.revoke_api_token(other.id, t.id, now).await,
        Err(StoreError::NotFound)
    ));
    store.revoke_api_token(p.id, t.id, now).await.unwrap();
    assert_eq!(store.token_person("h1").await.unwrap(), None);
    assert_eq!(
        store.list_api_tokens(p.id).await.unwrap()[0].revoked_at,
        Some(now)
    );
}

pub async fn meta_values_round_trip(store: &dyn Store) {
    assert_eq!(store.get_meta("demo_seeded").await.unwrap(), None);
    store.set_meta("demo_seeded", "1").await.unwrap();
    store.set_meta("demo_seeded", "2").await.unwrap();
    assert_eq!(
        store.get_meta("demo_seeded").await.unwrap().as_deref(),
        Some("2")
    );
}
