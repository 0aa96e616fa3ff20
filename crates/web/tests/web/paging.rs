//! Paging of every API list, on SQLite and on PostgreSQL: `limit` and
//! `cursor`, the `Link: <…>; rel="next"` header while there is more (with
//! the caller's other parameters kept), every row exactly once when the
//! links are followed, 422 for a bad `limit` or cursor; and CSV exports that
//! stream every row, past any page size.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::event::{Registrant, Registration};
use thirdplace_domain::membership::{Plan, Seat};
use thirdplace_domain::*;

on_both_backends!(
    following_next_links_gives_every_booking_once_in_order,
    limits_and_cursors_out_of_range_are_422_in_the_error_shape,
    the_next_link_keeps_the_callers_other_filters,
    csv_exports_stream_every_booking_past_a_store_page,
    every_record_list_pages_with_next_links,
    events_registrations_people_seats_and_deliveries_page,
    the_audit_api_gives_a_next_link_too,
    my_bookings_show_the_upcoming_past_a_thousand_old_ones,
);

/// `n` confirmed bookings of the member in the fixture's room, an hour
/// apart from 1 December, written through the store in one go.
async fn many_bookings(app: &TestApp, n: i64) -> Vec<Booking> {
    bookings_from(app, "2026-12-01T00:00:00Z", n, "Möte").await
}

/// `n` bookings like [`many_bookings`]'s, from `first`, titled `title {i}`.
async fn bookings_from(app: &TestApp, first: &str, n: i64, title: &str) -> Vec<Booking> {
    let first = instant(first);
    let all: Vec<Booking> = (0..n)
        .map(|i| {
            let start = first + Duration::hours(i);
            Booking {
                id: new_id(),
                room_id: app.f.room.id,
                hub_id: app.f.hub.id,
                booker_id: app.f.member.id,
                organisation_id: app.f.org.id,
                on_behalf_of_organisation: false,
                seat_id: None,
                series_id: None,
                title: format!("{title} {i}"),
                start,
                end: start + Duration::minutes(45),
                status: BookingStatus::Confirmed,
                price: Price {
                    included_minutes: 0,
                    billable_minutes: 45,
                    price_ex_vat_ore: 22_500,
                    vat_percent: 25,
                    vat_ore: 5_625,
                    total_ore: 28_125,
                },
                created_at: instant(TEST_NOW),
                cancelled_at: None,
                cancelled_by: None,
                cancel_reason: String::new(),
                cancellation_charged: false,
            }
        })
        .collect();
    app.store.insert_bookings(&all, &[]).await.unwrap();
    all
}

/// The `rel="next"` target of a `Link` header, if any.
fn next_link(r: &reqwest::Response) -> Option<String> {
    let link = r.headers().get("link")?.to_str().unwrap().to_string();
    let (target, rel) = link.split_once(';').unwrap();
    assert_eq!(rel.trim(), "rel=\"next\"", "{link}");
    let target = target.trim();
    assert!(
        target.starts_with("</api/v1/") && target.ends_with('>'),
        "{link}"
    );
    Some(target[1..target.len() - 1].to_string())
}

/// Every page of `path`, following `Link` headers: each page's items.
async fn follow(app: &TestApp, token: Option<&str>, path: &str) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut next = Some(path.to_string());
    while let Some(path) = next {
        let mut req = app.client.get(app.url(&path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        next = next_link(&r);
        let body: Value = r.json().await.unwrap();
        pages.push(body.as_array().expect("an array").clone());
        assert!(pages.len() < 10_000, "no end to the pages");
    }
    pages
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

async fn following_next_links_gives_every_booking_once_in_order(app: TestApp) {
    let written = many_bookings(&app, 1_050).await;
    let member = app.token_for(&app.f.member).await;

    // The default page is 100: eleven pages, every booking once, by start.
    let pages = follow(&app, Some(&member), "/api/v1/bookings").await;
    assert_eq!(pages.len(), 11);
    assert!(pages[..10].iter().all(|p| p.len() == 100));
    assert_eq!(pages[10].len(), 50);
    let seen: Vec<String> = pages.iter().flat_map(|p| ids(p)).collect();
    let expected: Vec<String> = written.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(seen, expected);

    // The largest page is 1 000, and the list says there is more after it
    // (it used to stop there without a word).
    let r = app
        .client
        .get(app.url("/api/v1/bookings?limit=1000"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let next = next_link(&r).expect("a next page");
    let first: Value = r.json().await.unwrap();
    assert_eq!(first.as_array().unwrap().len(), 1_000);
    let (s, rest) = app.get_json_with(&member, &next).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rest.as_array().unwrap().len(), 50);

    // A booking made between two pages, after the cursor, shows once.
    let pages_before = follow(&app, Some(&member), "/api/v1/bookings?limit=400").await;
    assert_eq!(pages_before.len(), 3);
    let r = app
        .client
        .get(app.url("/api/v1/bookings?limit=400"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    let mut next = next_link(&r);
    let mut seen: Vec<String> = ids(r.json::<Value>().await.unwrap().as_array().unwrap());
    let late = many_bookings_after(&app, &written).await;
    while let Some(path) = next {
        let r = app
            .client
            .get(app.url(&path))
            .bearer_auth(&member)
            .send()
            .await
            .unwrap();
        next = next_link(&r);
        seen.extend(ids(r.json::<Value>().await.unwrap().as_array().unwrap()));
    }
    assert_eq!(seen.len(), written.len() + 1);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
    assert_eq!(seen.last().unwrap(), &late.to_string());
}

/// One more booking after all of `written`: its id.
async fn many_bookings_after(app: &TestApp, written: &[Booking]) -> uuid::Uuid {
    let mut b = written.last().unwrap().clone();
    b.id = new_id();
    b.start += Duration::days(1);
    b.end += Duration::days(1);
    app.store.insert_bookings(&[b.clone()], &[]).await.unwrap();
    b.id
}

async fn limits_and_cursors_out_of_range_are_422_in_the_error_shape(app: TestApp) {
    many_bookings(&app, 3).await;
    let member = app.token_for(&app.f.member).await;
    for q in ["limit=0", "limit=1001", "limit=-5", "limit=many"] {
        let (s, v) = app
            .get_json_with(&member, &format!("/api/v1/bookings?{q}"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        assert_eq!(field_names(&v), vec!["limit"], "{q}: {v}");
    }
    // Garbage, a tampered cursor and another list's cursor are refused
    // with a message that says what to do.
    let (_, page) = app.get_json_with(&member, "/api/v1/bookings?limit=1").await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let r = app
        .client
        .get(app.url("/api/v1/bookings?limit=1"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    let next = next_link(&r).unwrap();
    let cursor = next.split("cursor=").nth(1).unwrap().to_string();
    let mut tampered = cursor.clone();
    tampered.insert(3, 'x');
    use base64::Engine;
    let foreign = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        br#"{"l":"events","k":["2026-12-01T00:00:00Z","00000000-0000-0000-0000-000000000000"]}"#,
    );
    for bad in ["not-a-cursor!", "e30", tampered.as_str(), foreign.as_str()] {
        let (s, v) = app
            .get_json_with(&member, &format!("/api/v1/bookings?cursor={bad}"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(error_code(&v), "validation_failed", "{v}");
        assert_eq!(field_names(&v), vec!["cursor"], "{v}");
        assert!(v.to_string().contains("next link"), "{v}");
    }
    // The same holds on the generic record lists.
    let (s, v) = app.get_json("/api/v1/regions?limit=0").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app.get_json("/api/v1/regions?cursor=zzz").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // A CSV export ignores paging parameters.
    let r = app
        .client
        .get(app.url("/api/v1/bookings?format=csv&limit=0&cursor=zzz"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    let text = csv_text(r).await;
    assert_eq!(text.lines().count(), 4, "{text}");
}

async fn the_next_link_keeps_the_callers_other_filters(app: TestApp) {
    many_bookings(&app, 5).await;
    let host = app.token_for(&app.f.host).await;
    let path = format!(
        "/api/v1/bookings?hub_id={}&room_id={}&include_cancelled=true&from=2026-12-01T00:00:00Z&limit=2",
        app.f.hub.id, app.f.room.id
    );
    let r = app
        .client
        .get(app.url(&path))
        .bearer_auth(&host)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let next = next_link(&r).unwrap();
    for kept in [
        format!("hub_id={}", app.f.hub.id),
        format!("room_id={}", app.f.room.id),
        "include_cancelled=true".to_string(),
        "from=2026-12-01T00%3A00%3A00Z".to_string(),
        "limit=2".to_string(),
    ] {
        assert!(next.contains(&kept), "{kept} in {next}");
    }
    assert_eq!(next.matches("cursor=").count(), 1, "{next}");
    // Following from a later page replaces the cursor, never repeats it.
    let pages = follow(&app, Some(&host), &path).await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
}

/// The ids in the first column of the API's CSV, after its header.
fn csv_ids(text: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    r.records().map(|rec| rec.unwrap()[0].to_string()).collect()
}

async fn csv_exports_stream_every_booking_past_a_store_page(app: TestApp) {
    let written = many_bookings(&app, 1_200).await;
    let expected: Vec<String> = written.iter().map(|b| b.id.to_string()).collect();
    // The API's export: every booking, though a store page is 500.
    let member = app.token_for(&app.f.member).await;
    let r = app
        .client
        .get(app.url("/api/v1/bookings?format=csv"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().get("content-length").is_none(),
        "streamed, not held whole"
    );
    let text = csv_text(r).await;
    assert_eq!(csv_ids(&text), expected);

    // The hosts' download from the admin pages.
    let host = app.signed_in(&app.f.host).await;
    let r = host
        .get(app.url("/admin/bookings.csv?from=2026-12-01"))
        .send()
        .await
        .unwrap();
    let rows = page_csv(r).await;
    assert_eq!(rows[0][0], "Boknings-id");
    let ids: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, expected);

    // The hosts' page shows the first 1 000 and says so.
    let html = app.html(&host, "/admin/bookings?from=2026-12-01").await;
    assert!(
        html.contains("Visar de första 1000 bokningarna"),
        "the page says it shows only the first"
    );
    assert!(html.contains("Möte 999<"), "{}", html.len());
    assert!(!html.contains("Möte 1000<"));
}

/// Adds a second record of every kind the fixture has one of, and plans
/// and webhooks, so every list has more than one page of one.
async fn second_records(app: &TestApp, admin: &str) {
    let region = Region {
        id: new_id(),
        name: "Region Blekinge".into(),
        code: "10".into(),
        archived: false,
    };
    app.store.insert_region(&region).await.unwrap();
    app.store
        .insert_municipality(&Municipality {
            id: new_id(),
            region_id: region.id,
            name: "Karlskrona kommun".into(),
            code: "1080".into(),
            central_town: "Karlskrona".into(),
            archived: false,
        })
        .await
        .unwrap();
    app.store
        .insert_operator(&Operator {
            id: new_id(),
            name: "Coworking Syd AB".into(),
            org_number: None,
            contact_email: None,
            archived: false,
            seller: Default::default(),
        })
        .await
        .unwrap();
    app.store
        .insert_zone(&Zone {
            id: new_id(),
            name: "Biblioteket".into(),
            ..app.f.zone.clone()
        })
        .await
        .unwrap();
    app.store
        .insert_room(&Room {
            id: new_id(),
            name: "Båthuset".into(),
            ..app.f.room.clone()
        })
        .await
        .unwrap();
    for name in ["Nätverkskort", "Hubbkort", "Dagkort"] {
        app.store
            .insert_plan(&Plan {
                id: new_id(),
                name: name.into(),
                ..network_plan()
            })
            .await
            .unwrap();
    }
    for n in 0..3 {
        let (s, v) = app
            .add_webhook(
                admin,
                &format!("https://example.se/hook/{n}"),
                &["checkin.created"],
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
}

async fn every_record_list_pages_with_next_links(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    second_records(&app, &admin).await;
    let hub = app.f.hub.id;
    for list in [
        "/api/v1/regions".to_string(),
        "/api/v1/municipalities".to_string(),
        "/api/v1/operators".to_string(),
        "/api/v1/organisations".to_string(),
        "/api/v1/hubs".to_string(),
        format!("/api/v1/hubs/{hub}/zones"),
        format!("/api/v1/hubs/{hub}/rooms"),
        "/api/v1/plans".to_string(),
        "/api/v1/webhooks".to_string(),
    ] {
        let (s, whole) = app
            .get_json_with(&admin, &format!("{list}?limit=1000"))
            .await;
        assert_eq!(s, StatusCode::OK, "{list}: {whole}");
        let whole = ids(whole.as_array().unwrap());
        assert!(whole.len() >= 2, "{list}: {whole:?}");
        let pages = follow(&app, Some(&admin), &format!("{list}?limit=1")).await;
        assert_eq!(pages.len(), whole.len(), "{list}");
        let seen: Vec<String> = pages.iter().flat_map(|p| ids(p)).collect();
        assert_eq!(seen, whole, "{list}");
        // Other parameters ride along.
        let pages = follow(
            &app,
            Some(&admin),
            &format!("{list}?include_archived=true&limit=1"),
        )
        .await;
        assert_eq!(pages.len(), whole.len(), "{list}");
    }
}

async fn events_registrations_people_seats_and_deliveries_page(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let host = app.token_for(&app.f.host).await;

    // Events: five published by the host, listed by start.
    let mut event_ids = Vec::new();
    for day in 1..=5 {
        let (s, v) = app
            .post_json(
                "/api/v1/events",
                Some(&host),
                &json!({
                    "hub_id": app.f.hub.id, "venue": "online", "title": format!("Frukostmöte {day}"),
                    "description": "Kaffe och samtal.", "topics": [],
                    "start": format!("2026-12-0{day}T08:00:00+01:00"),
                    "end": format!("2026-12-0{day}T09:00:00+01:00"),
                    "capacity": 50, "visibility": "public",
                }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        event_ids.push(v["id"].as_str().unwrap().to_string());
    }
    let pages = follow(&app, None, "/api/v1/events?limit=2").await;
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages.iter().flat_map(|p| ids(p)).collect::<Vec<_>>(),
        event_ids
    );

    // Registrations: seven people signed up for the first event.
    let event: uuid::Uuid = event_ids[0].parse().unwrap();
    let mut people = Vec::new();
    for n in 0..7 {
        let p = app
            .add_person(person(
                "Deltagare",
                &format!("{n}"),
                &format!("d{n}@test.example"),
                Some(app.f.org.id),
            ))
            .await;
        let r = Registration::new(
            event,
            Registrant::Person { person_id: p.id },
            None,
            instant(TEST_NOW),
        );
        app.store.register(&r, instant(TEST_NOW)).await.unwrap();
        people.push(p);
    }
    let pages = follow(
        &app,
        Some(&host),
        &format!("/api/v1/events/{event}/registrations?limit=3"),
    )
    .await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![3, 3, 1]
    );
    let positions: Vec<i64> = pages
        .iter()
        .flatten()
        .map(|r| r["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=7).collect::<Vec<_>>());

    // People: a network admin's whole list, and an organisation admin's own.
    let (_, whole) = app.get_json_with(&admin, "/api/v1/people?limit=1000").await;
    let whole = ids(whole.as_array().unwrap());
    assert_eq!(whole.len(), 4 + 7);
    let pages = follow(&app, Some(&admin), "/api/v1/people?limit=4").await;
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.iter().flat_map(|p| ids(p)).collect::<Vec<_>>(), whole);
    let org_admin = app.token_for(&app.f.org_admin).await;
    let pages = follow(&app, Some(&org_admin), "/api/v1/people?limit=2").await;
    let theirs: Vec<String> = pages.iter().flat_map(|p| ids(p)).collect();
    assert_eq!(theirs.len(), 2 + 7, "{theirs:?}");
    assert!(!theirs.contains(&app.f.admin.id.to_string()));

    // Seats: five bought at two instants.
    let plan = network_plan();
    app.store.insert_plan(&plan).await.unwrap();
    for (n, at) in [(3, "2026-11-01T08:00:00Z"), (2, "2026-11-02T08:00:00Z")] {
        let seats: Vec<Seat> = (0..n)
            .map(|_| Seat {
                id: new_id(),
                plan_id: plan.id,
                organisation_id: app.f.org.id,
                start_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                end_date: None,
                created_at: instant(at),
                selling_operator_id: None,
            })
            .collect();
        app.store.insert_seats(&seats).await.unwrap();
    }
    let seats_path = format!("/api/v1/organisations/{}/seats", app.f.org.id);
    let (_, whole) = app
        .get_json_with(&org_admin, &format!("{seats_path}?limit=1000"))
        .await;
    let whole = ids(whole.as_array().unwrap());
    assert_eq!(whole.len(), 5);
    let pages = follow(&app, Some(&org_admin), &format!("{seats_path}?limit=2")).await;
    assert_eq!(pages.iter().flat_map(|p| ids(p)).collect::<Vec<_>>(), whole);

    // Webhook deliveries: one per check-in, newest first.
    seat_of(&app.f.member).give(&app).await;
    let (s, hook) = app
        .add_webhook(&admin, "http://127.0.0.1:9/hook", &["checkin.created"])
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let member = app.token_for(&app.f.member).await;
    for _ in 0..5 {
        app.visit(&member).await;
    }
    let deliveries = format!(
        "/api/v1/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap()
    );
    let (_, whole) = app
        .get_json_with(&admin, &format!("{deliveries}?limit=1000"))
        .await;
    let whole = ids(whole.as_array().unwrap());
    assert_eq!(whole.len(), 5);
    let created: Vec<DateTime<Utc>> = app
        .store
        .list_deliveries(None, 100)
        .await
        .unwrap()
        .iter()
        .map(|d| d.created_at)
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let pages = follow(&app, Some(&admin), &format!("{deliveries}?limit=2")).await;
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.iter().flat_map(|p| ids(p)).collect::<Vec<_>>(), whole);
}

async fn the_audit_api_gives_a_next_link_too(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    second_records(&app, &admin).await;
    // Three webhooks created: three entries.
    let r = app
        .client
        .get(app.url("/api/v1/audit?object_kind=webhook&limit=2"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let next = next_link(&r).unwrap();
    let page: Value = r.json().await.unwrap();
    let cursor = page["next"].as_str().unwrap();
    assert!(next.contains(&format!("before={cursor}")), "{next}");
    assert!(next.contains("object_kind=webhook"), "{next}");
    let (s, rest) = app.get_json_with(&admin, &next).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rest["entries"].as_array().unwrap().len(), 1);
    // A page that ends exactly at the last entry points nowhere further.
    let r = app
        .client
        .get(app.url("/api/v1/audit?object_kind=webhook&limit=3"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(next_link(&r).is_none());
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len(), 3);
    assert!(page["next"].is_null(), "{page}");
}

async fn my_bookings_show_the_upcoming_past_a_thousand_old_ones(app: TestApp) {
    // Listed by start, a cut at 1 000 used to drop the upcoming ones.
    bookings_from(&app, "2025-01-01T00:00:00Z", 1_001, "Gammalt").await;
    bookings_from(&app, "2026-12-01T08:00:00Z", 1, "Kommande").await;
    let member = app.signed_in(&app.f.member).await;
    let html = app.html(&member, "/bookings").await;
    assert!(
        html.contains("Kommande 0"),
        "the upcoming booking is listed"
    );
    assert!(
        html.contains("Visar de senaste 1000 tidigare"),
        "the cut is said"
    );
    assert!(
        html.contains("Gammalt 1000<"),
        "the latest past one is listed"
    );
    assert!(!html.contains("Gammalt 0<"), "the oldest is not");
}
