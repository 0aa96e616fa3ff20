//! Room bookings over the JSON API, on SQLite and on PostgreSQL:
//! availability, prices with included hours, the specific refusals, series,
//! cancellation, non-members, booking rules, lists and 200 simultaneous
//! requests for one slot.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use thirdplace_domain::*;

on_both_backends!(
    availability_shows_opening_hours_and_busy_times_as_instants,
    bookings_use_included_hours_first_then_the_hourly_price_with_vat,
    bad_slots_get_specific_codes_and_write_nothing,
    two_hundred_simultaneous_requests_for_one_slot_give_one_booking,
    a_series_lists_its_conflicts_and_books_the_free_ones_on_request,
    cancelling_is_free_before_the_deadline_and_charged_after,
    hosts_cancel_with_a_reason_and_the_booker_gets_an_email,
    non_members_book_conference_rooms_billed_to_their_organisation,
    dst_days_have_their_real_hours_and_lengths,
    hosts_set_booking_rules_and_list_their_hubs_bookings_as_csv,
);

fn body(app: &TestApp, start: &str, end: &str) -> Value {
    json!({"room_id": app.f.room.id, "start": start, "end": end, "title": "Planeringsmöte"})
}

async fn book(app: &TestApp, token: &str, start: &str, end: &str) -> (StatusCode, Value) {
    app.book_room(token, start, end, "Planeringsmöte").await
}

async fn cancel(app: &TestApp, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(
        reqwest::Method::DELETE,
        &format!("/api/v1/bookings/{id}"),
        Some(token),
        &body,
    )
    .await
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

async fn availability_shows_opening_hours_and_busy_times_as_instants(app: TestApp) {
    let path = format!(
        "/api/v1/rooms/{}/availability?date=2026-11-24",
        app.f.room.id
    );
    let (s, v) = app.get_json(&path).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["date"], "2026-11-24");
    assert_eq!(
        v["open"],
        json!([{"start": "2026-11-24T07:00:00Z", "end": "2026-11-24T16:00:00Z"}])
    );
    assert_eq!(v["busy"], json!([]));

    seat_of(&app.f.member).hours(4).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    let (s, v) = book(
        &app,
        &token,
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T11:30:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = app.get_json(&path).await;
    assert_eq!(
        v["busy"],
        json!([{"start": "2026-11-24T09:00:00Z", "end": "2026-11-24T10:30:00Z"}])
    );
    // The next day is still free; names never show.
    let (_, v) = app
        .get_json(&format!(
            "/api/v1/rooms/{}/availability?date=2026-11-25",
            app.f.room.id
        ))
        .await;
    assert_eq!(v["busy"], json!([]));

    // Bad input.
    let (s, v) = app
        .get_json(&format!(
            "/api/v1/rooms/{}/availability?date=24/11",
            app.f.room.id
        ))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["code"], "invalid_date");
    // Without a date: today, in Swedish time (the test clock's Monday).
    let (s, v) = app
        .get_json(&format!("/api/v1/rooms/{}/availability", app.f.room.id))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["date"], "2026-11-23");
    for date in ["262143-12-31", "9999-12-31", "2026-02-30"] {
        let (s, _) = app
            .get_json(&format!(
                "/api/v1/rooms/{}/availability?date={date}",
                app.f.room.id
            ))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
    }
    let (s, _) = app
        .get_json(&format!(
            "/api/v1/rooms/{}/availability?date=2026-11-24",
            new_id()
        ))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn bookings_use_included_hours_first_then_the_hourly_price_with_vat(app: TestApp) {
    let seat = seat_of(&app.f.member).hours(4).give(&app).await;
    let token = app.token_for(&app.f.member).await;

    // The quote shows the price before booking, and books nothing.
    let (s, q) = app
        .post_json(
            "/api/v1/bookings/quote",
            Some(&token),
            &body(
                &app,
                "2026-11-24T09:00:00+01:00",
                "2026-11-24T12:00:00+01:00",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{q}");
    assert_eq!(q["total"]["included_minutes"], 180);
    assert_eq!(q["total"]["total_ore"], 0);
    assert_eq!(count_bookings(&app).await, 0);

    let (s, b) = book(
        &app,
        &token,
        "2026-11-24T09:00:00+01:00",
        "2026-11-24T12:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    for key in ["id", "room_id", "start", "end", "status"] {
        assert!(b.get(key).is_some(), "{key} missing in {b}");
    }
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["start"], "2026-11-24T08:00:00Z");
    assert_eq!(
        (
            b["included_minutes"].as_i64(),
            b["billable_minutes"].as_i64(),
            b["total_ore"].as_i64()
        ),
        (Some(180), Some(0), Some(0))
    );

    // 2 hours more: 1 hour included is left, 1 hour at 300 kr + 25 % VAT.
    let quote_body = body(
        &app,
        "2026-11-25T13:00:00+01:00",
        "2026-11-25T15:00:00+01:00",
    );
    let (_, q) = app
        .post_json("/api/v1/bookings/quote", Some(&token), &quote_body)
        .await;
    assert_eq!(q["total"]["included_minutes"], 60);
    assert_eq!(q["total"]["billable_minutes"], 60);
    let (s, b) = book(
        &app,
        &token,
        "2026-11-25T13:00:00+01:00",
        "2026-11-25T15:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["included_minutes"], 60);
    assert_eq!(b["billable_minutes"], 60);
    assert_eq!(b["price_ex_vat_ore"], 30_000);
    assert_eq!(b["vat_ore"], 7_500);
    assert_eq!(b["total_ore"], 37_500);
    assert_eq!(
        q["total"]["total_ore"], b["total_ore"],
        "the quote matches the booking"
    );

    // Included hours count per calendar month: December starts afresh.
    let (s, b) = book(
        &app,
        &token,
        "2026-12-01T09:00:00+01:00",
        "2026-12-01T10:15:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["included_minutes"], 75);
    assert_eq!(b["total_ore"], 0);
    let used = app
        .store
        .seat_minutes_used(&[seat.id], "2026-11")
        .await
        .unwrap();
    assert_eq!(used, vec![(seat.id, 240)]);

    // The booker reads it back; someone else does not see it.
    let id = b["id"].as_str().unwrap();
    let (s, _) = app
        .get_json_with(&token, &format!("/api/v1/bookings/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let other = app.token_for(&app.f.admin).await;
    let (s, _) = app
        .get_json_with(&other, &format!("/api/v1/bookings/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK, "network admins see every booking");
    let stranger = app.token_for(&app.f.org_admin).await;
    let (s, _) = app
        .get_json_with(&stranger, &format!("/api/v1/bookings/{}", new_id()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, mine) = app.get_json_with(&token, "/api/v1/bookings").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 3);
}

async fn bad_slots_get_specific_codes_and_write_nothing(app: TestApp) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    let (s, _) = book(
        &app,
        &token,
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T11:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    let cases = [
        (
            "2026-11-24T10:30:00+01:00",
            "2026-11-24T11:30:00+01:00",
            409,
            "booking_conflict",
        ),
        (
            "2026-11-24T09:00:00+01:00",
            "2026-11-24T12:00:00+01:00",
            409,
            "booking_conflict",
        ),
        (
            "2026-11-24T16:00:00+01:00",
            "2026-11-24T18:00:00+01:00",
            422,
            "outside_opening_hours",
        ),
        (
            "2026-11-29T09:00:00+01:00",
            "2026-11-29T10:00:00+01:00",
            422,
            "outside_opening_hours",
        ),
        (
            "2026-11-23T08:00:00+01:00",
            "2026-11-23T09:00:00+01:00",
            422,
            "in_the_past",
        ),
        (
            "2026-11-25T06:00:00Z",
            "2026-11-25T16:15:00Z",
            422,
            "too_long",
        ),
        (
            "2027-08-02T09:00:00+02:00",
            "2027-08-02T10:00:00+02:00",
            422,
            "too_far_ahead",
        ),
        (
            "2026-11-24T13:10:00+01:00",
            "2026-11-24T14:00:00+01:00",
            422,
            "off_grid",
        ),
        (
            "2026-11-24T14:00:00+01:00",
            "2026-11-24T13:00:00+01:00",
            422,
            "end_before_start",
        ),
        (
            "2026-11-24T14:00:00+01:00",
            "2026-11-24T14:00:00+01:00",
            422,
            "zero_length",
        ),
    ];
    for (start, end, status, code) in cases {
        let (s, v) = book(&app, &token, start, end).await;
        assert_eq!(s.as_u16(), status, "{start}–{end}: {v}");
        assert_eq!(error_code(&v), code, "{start}–{end}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }

    // Times without an offset say which field is wrong.
    let (s, v) = book(&app, &token, "2026-11-24T13:00:00", "2026-11-24T14:00").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields = field_names(&v);
    assert_eq!(fields, ["start", "end"]);

    // Unknown and archived rooms, an organisation one cannot charge, no
    // title, no token.
    let mut b = body(
        &app,
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    );
    b["room_id"] = json!(new_id());
    let (s, v) = app.post_json("/api/v1/bookings", Some(&token), &b).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["field"], "room_id");
    let archived = Room {
        id: new_id(),
        archived: true,
        ..app.f.room.clone()
    };
    app.store.insert_room(&archived).await.unwrap();
    b["room_id"] = json!(archived.id);
    let (s, v) = app.post_json("/api/v1/bookings", Some(&token), &b).await;
    assert_eq!((s.as_u16(), error_code(&v)), (422, "room_archived"));
    let mut b = body(
        &app,
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    );
    b["organisation_id"] = json!(app.f.other_org.id);
    let (s, v) = app.post_json("/api/v1/bookings", Some(&token), &b).await;
    assert_eq!(
        (s.as_u16(), error_code(&v)),
        (403, "cannot_charge_organisation")
    );
    let mut b = body(
        &app,
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    );
    b["title"] = json!("  ");
    let (s, v) = app.post_json("/api/v1/bookings", Some(&token), &b).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["field"], "title");
    let (s, _) = app
        .post_json(
            "/api/v1/bookings",
            None,
            &body(
                &app,
                "2026-11-24T13:00:00+01:00",
                "2026-11-24T14:00:00+01:00",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = app
        .post_json(
            "/api/v1/bookings",
            Some(&token),
            &json!({"room_id": "nope"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // A member without a seat may not book a meeting room.
    let mut lone = app.f.member.clone();
    lone.id = new_id();
    lone.email = Email::parse("lone@test.example").unwrap();
    app.store.insert_person(&lone).await.unwrap();
    let lone_token = app.token_for(&lone).await;
    let (s, v) = book(
        &app,
        &lone_token,
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    )
    .await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "members_only"), "{v}");
    // Nor a series of it: refused alike (403), not a conflict of dates.
    let mut series = body(
        &app,
        "2026-11-24T13:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    );
    series["recurrence"] = json!({"every_weeks": 1, "count": 3});
    let (s, v) = app
        .post_json("/api/v1/booking-series", Some(&lone_token), &series)
        .await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "members_only"), "{v}");

    assert_eq!(count_bookings(&app).await, 1, "nothing else was written");
}

async fn two_hundred_simultaneous_requests_for_one_slot_give_one_booking(app: TestApp) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(200));
    let client = new_client();
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let req = client
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&token)
            .json(&body(
                &app,
                "2026-11-26T13:00:00+01:00",
                "2026-11-26T14:00:00+01:00",
            ));
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = req.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }));
    }
    let (mut created, mut conflicts) = (0, 0);
    for t in tasks {
        let (s, v) = t.await.unwrap();
        match s {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(error_code(&v), "booking_conflict");
                conflicts += 1
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!((created, conflicts), (1, 199));
    assert_eq!(count_bookings(&app).await, 1);
}

async fn a_series_lists_its_conflicts_and_books_the_free_ones_on_request(app: TestApp) {
    seat_of(&app.f.member).hours(2).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    // Someone has the second Tuesday already.
    let (s, _) = book(
        &app,
        &token,
        "2026-12-08T10:00:00+01:00",
        "2026-12-08T11:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    let series = |free_only: bool| {
        json!({
            "room_id": app.f.room.id,
            "start": "2026-12-01T10:00:00+01:00",
            "end": "2026-12-01T11:00:00+01:00",
            "title": "Veckomöte",
            "recurrence": {"every_weeks": 1, "count": 4},
            "free_only": free_only,
        })
    };
    let (s, v) = app
        .post_json("/api/v1/booking-series", Some(&token), &series(false))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(error_code(&v), "series_conflict");
    let occ = v["error"]["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0]["start"], "2026-12-08T09:00:00Z");
    assert_eq!(occ[0]["code"], "booking_conflict");
    assert_eq!(
        count_bookings(&app).await,
        1,
        "nothing of the series was written"
    );

    // The quote shows the same, occurrence by occurrence.
    let mut q = series(false);
    q.as_object_mut().unwrap().remove("free_only");
    let (s, quote) = app
        .post_json("/api/v1/bookings/quote", Some(&token), &q)
        .await;
    assert_eq!(s, StatusCode::OK, "{quote}");
    let bookable: Vec<bool> = quote["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["bookable"].as_bool().unwrap())
        .collect();
    assert_eq!(bookable, [true, false, true, true]);

    let (s, v) = app
        .post_json("/api/v1/booking-series", Some(&token), &series(true))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let made = v["bookings"].as_array().unwrap();
    assert_eq!(made.len(), 3);
    assert!(made.iter().all(|b| b["series_id"] == v["series_id"]));
    assert_eq!(v["skipped"][0]["code"], "booking_conflict");
    // 2 included hours a month: the first booking (1 h) and the first free
    // occurrence take them; the rest are billed.
    let included: i64 = made
        .iter()
        .map(|b| b["included_minutes"].as_i64().unwrap())
        .sum();
    assert_eq!(included, 60);

    // Every other week, until a date.
    let mut b = series(false);
    b["start"] = json!("2027-01-05T13:00:00+01:00");
    b["end"] = json!("2027-01-05T14:00:00+01:00");
    b["recurrence"] = json!({"every_weeks": 2, "until": "2027-02-02"});
    let (s, v) = app
        .post_json("/api/v1/booking-series", Some(&token), &b)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let starts: Vec<&str> = v["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2027-01-05T12:00:00Z",
            "2027-01-19T12:00:00Z",
            "2027-02-02T12:00:00Z"
        ]
    );

    // Bad recurrences.
    for rec in [
        json!({"every_weeks": 3, "count": 2}),
        json!({"every_weeks": 1, "count": 0}),
        json!({"every_weeks": 1}),
        json!({"every_weeks": 1, "count": 53}),
    ] {
        let mut b = series(false);
        b["recurrence"] = rec.clone();
        let (s, v) = app
            .post_json("/api/v1/booking-series", Some(&token), &b)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{rec}: {v}");
        assert_eq!(error_code(&v), "validation_failed");
    }
}

async fn cancelling_is_free_before_the_deadline_and_charged_after(app: TestApp) {
    let seat = seat_of(&app.f.member).hours(4).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    // Thursday: more than 24 hours ahead.
    let (_, b) = book(
        &app,
        &token,
        "2026-11-26T09:00:00+01:00",
        "2026-11-26T11:00:00+01:00",
    )
    .await;
    assert_eq!(b["included_minutes"], 120);
    let id = b["id"].as_str().unwrap().to_string();

    // Someone else may not cancel it.
    let other = app.token_for(&app.f.org_admin).await;
    let (s, v) = cancel(&app, &other, &id, json!({})).await;
    assert_eq!(
        (s.as_u16(), error_code(&v)),
        (403, "not_your_booking"),
        "{v}"
    );

    let (s, v) = cancel(&app, &token, &id, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancellation_charged"], false);
    // The included hours are back.
    assert_eq!(
        app.store
            .seat_minutes_used(&[seat.id], "2026-11")
            .await
            .unwrap(),
        vec![]
    );
    let (s, v) = cancel(&app, &token, &id, json!({})).await;
    assert_eq!((s.as_u16(), error_code(&v)), (409, "already_cancelled"));
    // The slot is free again.
    let (s, _) = book(
        &app,
        &token,
        "2026-11-26T09:00:00+01:00",
        "2026-11-26T10:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    // Tomorrow morning: inside the 24-hour notice, so it stays charged.
    let (_, b) = book(
        &app,
        &token,
        "2026-11-24T08:00:00+01:00",
        "2026-11-24T09:00:00+01:00",
    )
    .await;
    let id = b["id"].as_str().unwrap().to_string();
    let req = app
        .client
        .delete(app.url(&format!("/api/v1/bookings/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(req.status(), StatusCode::OK, "DELETE without a body works");
    let v: Value = req.json().await.unwrap();
    assert_eq!(v["cancellation_charged"], true);
    assert_eq!(
        app.store
            .seat_minutes_used(&[seat.id], "2026-11")
            .await
            .unwrap(),
        vec![(seat.id, 120)],
        "a charged cancellation keeps its included hours spent"
    );

    // Once a booking has started it cannot be cancelled.
    let (_, b) = book(
        &app,
        &token,
        "2026-11-23T11:00:00+01:00",
        "2026-11-23T12:00:00+01:00",
    )
    .await;
    let id = b["id"].as_str().unwrap().to_string();
    app.clock.set(instant("2026-11-23T10:30:00Z"));
    let (s, v) = cancel(&app, &token, &id, json!({})).await;
    assert_eq!((s.as_u16(), error_code(&v)), (422, "already_started"));
}

async fn hosts_cancel_with_a_reason_and_the_booker_gets_an_email(app: TestApp) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    let (_, b) = book(
        &app,
        &token,
        "2026-11-24T09:00:00+01:00",
        "2026-11-24T10:00:00+01:00",
    )
    .await;
    let id = b["id"].as_str().unwrap().to_string();
    let host = app.token_for(&app.f.host).await;
    let path = format!("/api/v1/bookings/{id}");
    let (s, v) = app
        .send_json(reqwest::Method::DELETE, &path, Some(&host), &json!({}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a host must give a reason: {v}"
    );
    assert_eq!(v["error"]["fields"][0]["field"], "reason");
    let (s, v) = app
        .send_json(
            reqwest::Method::DELETE,
            &path,
            Some(&host),
            &json!({"reason": "Vattenläcka i rummet"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["cancellation_charged"], false,
        "inside the notice, but the host cancelled"
    );
    assert_eq!(v["cancel_reason"], "Vattenläcka i rummet");
    let mail = app.store.list_emails(10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to_address, app.f.member.email);
    assert!(
        mail[0].body.contains("Vattenläcka i rummet"),
        "{}",
        mail[0].body
    );
    assert!(
        mail[0].body.contains("2026-11-24 09:00–10:00"),
        "{}",
        mail[0].body
    );
    assert!(mail[0].subject.contains(&app.f.room.name));

    // A host of another hub is nobody to this booking.
    let mut other_host = app.f.host.clone();
    other_host.id = new_id();
    other_host.email = Email::parse("otherhost@test.example").unwrap();
    other_host.hosted_hub_ids = vec![app.f.other_hub.id];
    app.store.insert_person(&other_host).await.unwrap();
    let t = app.token_for(&other_host).await;
    let (_, b) = book(
        &app,
        &token,
        "2026-11-25T09:00:00+01:00",
        "2026-11-25T10:00:00+01:00",
    )
    .await;
    let (s, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/bookings/{}", b["id"].as_str().unwrap()),
            Some(&t),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn non_members_book_conference_rooms_billed_to_their_organisation(app: TestApp) {
    let conference = Room {
        id: new_id(),
        name: "Konferensrummet".into(),
        kind: RoomKind::Conference,
        hourly_price_ore: 45_050,
        ..app.f.room.clone()
    };
    app.store.insert_room(&conference).await.unwrap();
    let mut guest = app.f.member.clone();
    guest.id = new_id();
    guest.email = Email::parse("visitor@test.example").unwrap();
    guest.organisation_id = Some(app.f.other_org.id);
    app.store.insert_person(&guest).await.unwrap();
    let token = app.token_for(&guest).await;
    let mut b = body(
        &app,
        "2026-11-24T09:00:00+01:00",
        "2026-11-24T10:30:00+01:00",
    );
    b["room_id"] = json!(conference.id);
    let (s, v) = app.post_json("/api/v1/bookings", Some(&token), &b).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["organisation_id"], json!(app.f.other_org.id));
    assert_eq!(v["included_minutes"], 0);
    // 450,50 kr × 1,5 h = 675,75 kr; VAT 25 % = 168,9375 → 168,94 kr.
    assert_eq!(v["price_ex_vat_ore"], 67_575);
    assert_eq!(v["vat_ore"], 16_894);
    assert_eq!(v["total_ore"], 84_469);

    // The hub can close its rooms to non-members.
    let host = app.token_for(&app.f.host).await;
    let path = format!("/api/v1/hubs/{}/booking-rules", app.f.hub.id);
    let (s, v) = app
        .put_json(
            &path,
            Some(&host),
            &json!({"cancel_notice_hours": 24, "max_length_hours": 10, "max_days_ahead": 180, "non_members_may_book": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut b = body(
        &app,
        "2026-11-25T09:00:00+01:00",
        "2026-11-25T10:00:00+01:00",
    );
    b["room_id"] = json!(conference.id);
    let (s, v) = app.post_json("/api/v1/bookings", Some(&token), &b).await;
    assert_eq!((s.as_u16(), error_code(&v)), (403, "members_only"));

    // An organisation's administrator books on its behalf: billed to the
    // organisation, no included hours used.
    seat_of(&app.f.org_admin).hours(4).give(&app).await;
    let t = app.token_for(&app.f.org_admin).await;
    let mut b = body(
        &app,
        "2026-11-25T09:00:00+01:00",
        "2026-11-25T10:00:00+01:00",
    );
    b["organisation_id"] = json!(app.f.org.id);
    let (s, v) = app.post_json("/api/v1/bookings", Some(&t), &b).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["on_behalf_of_organisation"], true);
    assert_eq!(v["included_minutes"], 0);
    assert_eq!(v["total_ore"], 37_500);
}

async fn dst_days_have_their_real_hours_and_lengths(app: TestApp) {
    // Both change days are Sundays, open 10–14 Swedish time.
    for (date, open) in [
        (
            "2026-03-29",
            json!([{"start": "2026-03-29T08:00:00Z", "end": "2026-03-29T12:00:00Z"}]),
        ),
        (
            "2026-10-25",
            json!([{"start": "2026-10-25T09:00:00Z", "end": "2026-10-25T13:00:00Z"}]),
        ),
    ] {
        let (s, v) = app
            .get_json(&format!(
                "/api/v1/rooms/{}/availability?date={date}",
                app.f.room.id
            ))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["open"], open, "{date}");
    }

    // A booking on the change day lasts its real elapsed time, and a
    // weekly series keeps its wall-clock time across the change.
    seat_of(&app.f.member).hours(0).give(&app).await;
    let token = app.token_for(&app.f.member).await;
    app.clock.set(instant("2026-10-20T08:00:00Z"));
    let (s, v) = book(
        &app,
        &token,
        "2026-10-25T10:00:00+01:00",
        "2026-10-25T14:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["billable_minutes"], 240);
    assert_eq!(v["total_ore"], 150_000);
    let (s, v) = app
        .post_json(
            "/api/v1/booking-series",
            Some(&token),
            &json!({
                "room_id": app.f.room.id, "title": "Veckomöte",
                "start": "2026-10-21T10:00:00+02:00", "end": "2026-10-21T11:00:00+02:00",
                "recurrence": {"every_weeks": 1, "count": 2},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["bookings"][0]["start"], "2026-10-21T08:00:00Z");
    assert_eq!(v["bookings"][1]["start"], "2026-10-28T09:00:00Z");

    app.clock.set(instant("2026-03-25T08:00:00Z"));
    let (s, v) = book(
        &app,
        &token,
        "2026-03-29T10:00:00+02:00",
        "2026-03-29T14:00:00+02:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["start"], "2026-03-29T08:00:00Z");
    assert_eq!(v["billable_minutes"], 240);
    // 09:30–10:30 would start before the hub opens that day.
    let (s, v) = book(
        &app,
        &token,
        "2026-03-29T09:30:00+02:00",
        "2026-03-29T10:30:00+02:00",
    )
    .await;
    assert_eq!((s.as_u16(), error_code(&v)), (422, "outside_opening_hours"));
}

async fn hosts_set_booking_rules_and_list_their_hubs_bookings_as_csv(app: TestApp) {
    let path = format!("/api/v1/hubs/{}/booking-rules", app.f.hub.id);
    let (s, v) = app.get_json(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v,
        json!({"cancel_notice_hours": 24, "max_length_hours": 10, "max_days_ahead": 180, "non_members_may_book": true, "publish_member_events": false})
    );
    let member = app.token_for(&app.f.member).await;
    let rules = json!({"cancel_notice_hours": 48, "max_length_hours": 4, "max_days_ahead": 30, "non_members_may_book": true, "publish_member_events": false});
    let (s, _) = app.put_json(&path, Some(&member), &rules).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let host = app.token_for(&app.f.host).await;
    let (s, v) = app.put_json(&path, Some(&host), &rules).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = app.get_json(&path).await;
    assert_eq!(v, rules);
    let mut bad = rules.clone();
    bad["max_length_hours"] = json!(0);
    let (s, v) = app.put_json(&path, Some(&host), &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The new rules hold: 5 hours is too long now.
    seat_of(&app.f.member).hours(4).give(&app).await;
    let (s, v) = book(
        &app,
        &member,
        "2026-11-24T09:00:00+01:00",
        "2026-11-24T14:00:00+01:00",
    )
    .await;
    assert_eq!((s.as_u16(), error_code(&v)), (422, "too_long"), "{v}");
    let (s, _) = book(
        &app,
        &member,
        "2026-11-24T09:00:00+01:00",
        "2026-11-24T10:00:00+01:00",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    // The host's list, as JSON and CSV; a member may not list the hub.
    let list = format!("/api/v1/bookings?hub_id={}", app.f.hub.id);
    let (s, v) = app.get_json_with(&host, &list).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (s, _) = app.get_json_with(&member, &list).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .client
        .get(app.url(&format!("{list}&format=csv")))
        .bearer_auth(&host)
        .send()
        .await
        .unwrap();
    let csv = csv_text(r).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,hub,room,start,end,title"));
    assert!(
        lines[1].contains("2026-11-24 09:00,2026-11-24 10:00,Planeringsmöte,Maja Testsson"),
        "{csv}"
    );
    let (s, v) = app
        .get_json_with(&host, &format!("{list}&from=yesterday"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}
