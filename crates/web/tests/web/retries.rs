//! Retries without duplicates, on SQLite and on PostgreSQL: the writes that
//! create something (bookings, series, check-ins, sign-ups, seats) take an
//! `Idempotency-Key`; a retry with the same key, sequential or racing the
//! first attempt, is answered with what the first attempt created and
//! creates nothing more. Without a key, or with another key, a write is new.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An answer with its `created_at` to the second: the first answer has the
/// clock's precision, a replay the stored one (SQLite keeps seconds).
fn as_stored(v: &Value) -> Value {
    let mut v = v.clone();
    let mut trim = |o: &mut Value| {
        if let Some(t) = o["created_at"].as_str() {
            let t: chrono::DateTime<chrono::Utc> = t.parse().unwrap();
            o["created_at"] = json!(t.timestamp());
        }
    };
    match v.as_array_mut() {
        Some(items) => items.iter_mut().for_each(&mut trim),
        None => trim(&mut v),
    }
    v
}

on_both_backends!(
    a_retried_booking_is_answered_with_the_first_and_books_once,
    a_retried_series_books_its_occurrences_once,
    racing_retries_of_one_booking_book_once,
    a_retried_check_in_sign_up_and_purchase_create_once,
    keys_that_are_not_visible_ascii_are_refused_in_the_error_shape,
);

/// POSTs `body` with a bearer token and, if given, an `Idempotency-Key`.
async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut req = app.client.post(app.url(path)).bearer_auth(token).json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let r = req.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn count_bookings(app: &TestApp) -> usize {
    app.store
        .list_bookings(&thirdplace_store::BookingFilter {
            include_cancelled: true,
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

fn booking(app: &TestApp, start: &str, end: &str) -> Value {
    json!({"room_id": app.f.room.id, "start": start, "end": end, "title": "Styrgruppen"})
}

async fn a_retried_booking_is_answered_with_the_first_and_books_once(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let body = booking(
        &app,
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T11:00:00+01:00",
    );
    let key = "7c1e2d9a-retry-booking";
    let (s, first) = post_with_key(&app, "/api/v1/bookings", &member, Some(key), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = post_with_key(&app, "/api/v1/bookings", &member, Some(key), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(
        as_stored(&again),
        as_stored(&first),
        "the retry is answered with the first booking"
    );
    assert_eq!(count_bookings(&app).await, 1);

    // Another key is another booking: the slot is taken.
    let (s, v) = post_with_key(&app, "/api/v1/bookings", &member, Some("other"), &body).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // The same key from another person is theirs, not the member's.
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, v) = post_with_key(&app, "/api/v1/bookings", &org_admin, Some(key), &body).await;
    assert_ne!(s, StatusCode::CREATED, "{v}");
    assert_eq!(count_bookings(&app).await, 1);
}

async fn a_retried_series_books_its_occurrences_once(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let mut body = booking(
        &app,
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    );
    body["recurrence"] = json!({"every_weeks": 1, "count": 4});
    let (s, first) = post_with_key(
        &app,
        "/api/v1/booking-series",
        &member,
        Some("series-1"),
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["bookings"].as_array().unwrap().len(), 4);
    let (s, again) = post_with_key(
        &app,
        "/api/v1/booking-series",
        &member,
        Some("series-1"),
        &body,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(again["series_id"], first["series_id"]);
    let ids = |v: &Value| {
        let mut ids: Vec<String> = v["bookings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(count_bookings(&app).await, 4);
}

async fn racing_retries_of_one_booking_book_once(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let body = booking(
        &app,
        "2026-11-25T09:00:00+01:00",
        "2026-11-25T10:00:00+01:00",
    );
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(12));
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let req = app
            .client
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&member)
            .header("Idempotency-Key", "race-1")
            .json(&body);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let first = &answers[0].1;
    for (s, v) in &answers {
        assert_eq!(*s, StatusCode::CREATED, "{v}");
        assert_eq!(v["id"], first["id"]);
    }
    assert_eq!(count_bookings(&app).await, 1);
}

async fn a_retried_check_in_sign_up_and_purchase_create_once(app: TestApp) {
    seat_of(&app.f.member)
        .max_guests(0)
        .from(2026, 11, 1)
        .give(&app)
        .await;
    let member = app.token_for(&app.f.member).await;

    // A check-in, retried, even after the check-out.
    let hub = json!({ "hub_id": app.f.hub.id });
    let (s, first) = post_with_key(&app, "/api/v1/checkins", &member, Some("in-1"), &hub).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = post_with_key(&app, "/api/v1/checkins", &member, Some("in-1"), &hub).await;
    assert_eq!(
        (s, &again["id"]),
        (StatusCode::CREATED, &first["id"]),
        "{again}"
    );
    let id = first["id"].as_str().unwrap();
    let (s, v) = app.check_out(&member, id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, again) = post_with_key(&app, "/api/v1/checkins", &member, Some("in-1"), &hub).await;
    assert_eq!(
        (s, &again["id"]),
        (StatusCode::CREATED, &first["id"]),
        "{again}"
    );
    assert!(app
        .store
        .open_checkin_of(app.f.member.id)
        .await
        .unwrap()
        .is_none());

    // A sign-up, retried.
    let (s, event) = app
        .post_json(
            "/api/v1/events",
            Some(&member),
            &json!({
                "hub_id": app.f.hub.id, "venue": "online", "title": "Frukostmöte",
                "description": "", "topics": [], "capacity": 10, "visibility": "public",
                "start": "2026-11-26T08:00:00+01:00", "end": "2026-11-26T09:00:00+01:00",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{event}");
    let event = event["id"].as_str().unwrap();
    let host = app.token_for(&app.f.host).await;
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{event}/publish"),
            Some(&host),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let path = format!("/api/v1/events/{event}/registrations");
    let (s, first) = post_with_key(&app, &path, &member, Some("signup-1"), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = post_with_key(&app, &path, &member, Some("signup-1"), &json!({})).await;
    assert_eq!(
        (s, as_stored(&again)),
        (StatusCode::CREATED, as_stored(&first))
    );
    let (s, v) = post_with_key(&app, &path, &member, Some("signup-2"), &json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a second sign-up is refused: {v}");

    // A purchase of seats (money), retried: bought once.
    let org_admin = app.token_for(&app.f.org_admin).await;
    let plan = network_plan();
    app.store.insert_plan(&plan).await.unwrap();
    let seats = format!("/api/v1/organisations/{}/seats", app.f.org.id);
    let buy = json!({ "plan_id": plan.id, "count": 3, "start_date": "2026-12-01" });
    let held = || async { app.store.list_seats(app.f.org.id).await.unwrap().len() };
    let before = held().await;
    let (s, first) = post_with_key(&app, &seats, &org_admin, Some("buy-1"), &buy).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = post_with_key(&app, &seats, &org_admin, Some("buy-1"), &buy).await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_eq!(as_stored(&again), as_stored(&first));
    assert_eq!(held().await, before + 3, "three seats bought, once");
    let (s, _) = post_with_key(&app, &seats, &org_admin, Some("buy-2"), &buy).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(held().await, before + 6, "another key is another purchase");
}

async fn keys_that_are_not_visible_ascii_are_refused_in_the_error_shape(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let body = booking(
        &app,
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T11:00:00+01:00",
    );
    for bad in ["", "två ord", &"x".repeat(256)] {
        let r = app
            .client
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&member)
            .header("Idempotency-Key", bad.as_bytes())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(error_code(&v), "invalid_idempotency_key");
    }
    assert_eq!(count_bookings(&app).await, 0, "nothing was written");
}
