//! The open calendar over the JSON API and its iCalendar feeds, on SQLite
//! and on PostgreSQL: proposing and publishing, who sees what, an event's
//! room under the booking rules, places with the waiting list and its
//! e-mails, 50 simultaneous sign-ups for 10 places, colleagues, invitation
//! links, attendance and the summary, reminders, feeds parsed with the
//! independent `ical` crate, and bad input.

use crate::common;

use common::calendar::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use thirdplace_domain::*;

on_both_backends!(
    members_propose_hosts_publish_and_each_sees_what_they_may,
    a_hub_may_publish_members_events_without_a_host,
    an_event_in_a_room_keeps_the_booking_rules,
    full_events_waitlist_and_promote_in_order_with_emails,
    fifty_simultaneous_sign_ups_for_ten_places,
    members_sign_up_colleagues_of_their_own_organisation_only,
    an_invitation_link_registers_an_outsider_once,
    the_invitation_page_registers_an_outsider_without_an_account,
    attendance_and_the_summary_count_places_organisations_and_outsiders,
    reminders_are_queued_once_a_day_before,
    feeds_follow_rfc_5545_and_show_only_public_events,
    a_change_shows_in_the_next_feed_and_an_unchanged_feed_answers_304,
    a_kept_feed_reads_as_one_written_afresh_after_every_change,
    feeds_are_gzipped_for_apps_that_take_it,
    bad_input_gets_clear_4xx_answers_and_writes_nothing,
);

/// A new person of `org` with an API token.
async fn person(app: &TestApp, name: &str, org: Option<uuid::Uuid>) -> (Person, String) {
    let email = format!("{}-{}@test.example", name.to_lowercase(), new_id());
    let p = app
        .add_person(common::person(name, "Testsson", &email, org))
        .await;
    let token = app.token_for(&p).await;
    (p, token)
}

fn online(app: &TestApp, visibility: &str, capacity: i64) -> Value {
    json!({
        "hub_id": app.f.hub.id,
        "venue": "online",
        "title": "Workshop: AI i offentlig sektor",
        "description": "Vi testar verktyg tillsammans.",
        "topics": ["AI", "Offentlig sektor"],
        "start": "2026-11-25T10:00:00+01:00",
        "end": "2026-11-25T12:00:00+01:00",
        "capacity": capacity,
        "visibility": visibility,
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let (s, v) = app.post_json("/api/v1/events", Some(token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// A published public online event organised by the member, and the
/// member's token.
async fn published(app: &TestApp, visibility: &str, capacity: i64) -> (String, String) {
    seat_of(&app.f.member).give(app).await;
    let member = app.token_for(&app.f.member).await;
    let id = publish(app, &member, &online(app, visibility, capacity)).await;
    (id, member)
}

/// An event proposed by the holder of `token` and published by the host:
/// its id.
async fn publish(app: &TestApp, token: &str, body: &Value) -> String {
    let host = app.token_for(&app.f.host).await;
    let id = create(app, token, body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/publish"),
            Some(&host),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    id
}

async fn sign_up(app: &TestApp, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/events/{id}/registrations"),
        Some(token),
        &body,
    )
    .await
}

async fn outbox(app: &TestApp, subject_start: &str) -> Vec<thirdplace_store::OutgoingEmail> {
    app.store
        .list_emails(10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subject.starts_with(subject_start))
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

async fn members_propose_hosts_publish_and_each_sees_what_they_may(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let host = app.token_for(&app.f.host).await;
    let (outsider, outsider_token) = person(&app, "Nils", Some(app.f.other_org.id)).await;
    seat_of(&outsider).give(&app).await;

    let e = create(&app, &member, &online(&app, "public", 10)).await;
    assert_eq!(e["status"], "proposed");
    assert_eq!(e["sequence"], 0);
    assert_eq!(e["topics"], json!(["AI", "Offentlig sektor"]));
    let id = e["id"].as_str().unwrap().to_string();
    // A proposal is for its organiser and the hub's hosts.
    let (_, list) = app.get_json("/api/v1/events").await;
    assert!(!ids(&list).contains(&id));
    let (s, _) = app.get_json(&format!("/api/v1/events/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get_json_with(&outsider_token, &format!("/api/v1/events/{id}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get_json_with(&member, "/api/v1/events").await;
    assert!(ids(&list).contains(&id));
    // Members do not publish; the host does.
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/publish"),
            Some(&member),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/publish"),
            Some(&host),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "published");
    let (_, list) = app.get_json("/api/v1/events").await;
    assert_eq!(ids(&list), vec![id.clone()]);
    assert_eq!(list[0]["confirmed"], 0);
    assert_eq!(list[0]["hub_name"], "Figeholms hubb");
    let (s, v) = app.get_json(&format!("/api/v1/events/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["url"], format!("/events/{id}"));

    // A host's own event is published at once.
    let by_host = create(&app, &host, &online(&app, "members_only", 5)).await;
    assert_eq!(by_host["status"], "published");
    let members_only = by_host["id"].as_str().unwrap().to_string();
    let (_, list) = app.get_json("/api/v1/events").await;
    assert!(!ids(&list).contains(&members_only), "not for the public");
    let (_, list) = app.get_json_with(&outsider_token, "/api/v1/events").await;
    assert!(ids(&list).contains(&members_only), "for members");
    // Someone without a seat is no member.
    let (_, seatless) = person(&app, "Sara", Some(app.f.org.id)).await;
    let (_, list) = app.get_json_with(&seatless, "/api/v1/events").await;
    assert!(!ids(&list).contains(&members_only));
    let (s, v) = app
        .post_json(
            "/api/v1/events",
            Some(&seatless),
            &online(&app, "public", 5),
        )
        .await;
    assert_eq!((s, error_code(&v)), (StatusCode::FORBIDDEN, "members_only"));

    // Invitation only: its organiser and those signed up.
    let inv = create(&app, &host, &online(&app, "invitation_only", 5)).await;
    let inv = inv["id"].as_str().unwrap().to_string();
    let (_, list) = app.get_json_with(&outsider_token, "/api/v1/events").await;
    assert!(!ids(&list).contains(&inv));
    let (_, list) = app.get_json_with(&host, "/api/v1/events").await;
    assert!(ids(&list).contains(&inv));
    let (s, _) = sign_up(&app, &outsider_token, &inv, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Filters.
    let (_, list) = app
        .get_json(&format!("/api/v1/events?hub={}", app.f.other_hub.id))
        .await;
    assert_eq!(list, json!([]));
    let (_, list) = app.get_json("/api/v1/events?topic=ai").await;
    assert_eq!(ids(&list), vec![id.clone()]);
    let (_, list) = app.get_json("/api/v1/events?topic=Återbruk").await;
    assert_eq!(list, json!([]));
    let (_, list) = app
        .get_json("/api/v1/events?from=2026-11-26T00:00:00Z")
        .await;
    assert_eq!(list, json!([]));
    let (_, list) = app
        .get_json("/api/v1/events?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z")
        .await;
    assert_eq!(ids(&list), vec![id]);
}

async fn a_hub_may_publish_members_events_without_a_host(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let host = app.token_for(&app.f.host).await;
    let rules = format!("/api/v1/hubs/{}/booking-rules", app.f.hub.id);
    let (_, v) = app.get_json(&rules).await;
    assert_eq!(v["publish_member_events"], false, "off by default");
    // Members cannot turn it on; the hub's host can.
    let body = json!({"cancel_notice_hours": 24, "max_length_hours": 10, "max_days_ahead": 180,
        "non_members_may_book": true, "publish_member_events": true});
    let (s, _) = app.put_json(&rules, Some(&member), &body).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app.put_json(&rules, Some(&host), &body).await;
    assert_eq!(
        (s, &v["publish_member_events"]),
        (StatusCode::OK, &json!(true)),
        "{v}"
    );
    let (_, v) = app.get_json(&rules).await;
    assert_eq!(v["publish_member_events"], true);

    // A member's proposal is now public at once.
    let e = create(&app, &member, &online(&app, "public", 10)).await;
    assert_eq!(e["status"], "published", "{e}");
    let (_, list) = app.get_json("/api/v1/events").await;
    assert!(ids(&list).contains(&e["id"].as_str().unwrap().to_string()));
    // Other hubs keep waiting for their hosts.
    let mut elsewhere = online(&app, "public", 10);
    elsewhere["hub_id"] = json!(app.f.other_hub.id);
    let e = create(&app, &member, &elsewhere).await;
    assert_eq!(e["status"], "proposed", "{e}");
}

async fn an_event_in_a_room_keeps_the_booking_rules(app: TestApp) {
    let (member, _) = app.member_books_the_board_meeting().await;
    let in_room = |start: &str, end: &str| {
        let mut b = online(&app, "public", 10);
        b["venue"] = json!("room");
        b["room_id"] = json!(app.f.room.id);
        b["start"] = json!(start);
        b["end"] = json!(end);
        b
    };
    let (s, v) = app
        .post_json(
            "/api/v1/events",
            Some(&member),
            &in_room("2026-11-25T10:30:00+01:00", "2026-11-25T12:00:00+01:00"),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "booking_conflict"),
        "{v}"
    );
    let (s, v) = app
        .post_json(
            "/api/v1/events",
            Some(&member),
            &in_room("2026-11-25T18:00:00+01:00", "2026-11-25T19:00:00+01:00"),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "outside_opening_hours"),
        "{v}"
    );
    let (_, list) = app.get_json_with(&member, "/api/v1/events").await;
    assert_eq!(list, json!([]), "nothing written");

    let e = create(
        &app,
        &member,
        &in_room("2026-11-25T13:00:00+01:00", "2026-11-25T15:00:00+01:00"),
    )
    .await;
    assert_eq!(e["venue"], "room");
    let booking = e["booking_id"].as_str().expect("the room is booked");
    let (_, day) = app
        .get_json(&format!(
            "/api/v1/rooms/{}/availability?date=2026-11-25",
            app.f.room.id
        ))
        .await;
    assert_eq!(day["busy"].as_array().unwrap().len(), 2, "{day}");
    // The event's booking follows the event: cancelling it on its own is
    // refused with a message saying what to do instead.
    let (s, v) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/bookings/{booking}"),
            Some(&member),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "event_booking"),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("event"));
    let id = e["id"].as_str().unwrap();
    // Moving it keeps the same rules: onto the meeting, or after closing.
    for (start, end, status, code) in [
        (
            "2026-11-25T10:00:00+01:00",
            "2026-11-25T11:00:00+01:00",
            StatusCode::CONFLICT,
            "booking_conflict",
        ),
        (
            "2026-11-25T16:00:00+01:00",
            "2026-11-25T18:00:00+01:00",
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_opening_hours",
        ),
    ] {
        let (s, v) = app
            .put_json(
                &format!("/api/v1/events/{id}"),
                Some(&member),
                &in_room(start, end),
            )
            .await;
        assert_eq!((s, error_code(&v)), (status, code), "{v}");
    }
    let (s, v) = app
        .put_json(
            &format!("/api/v1/events/{id}"),
            Some(&member),
            &in_room("2026-11-25T14:00:00+01:00", "2026-11-25T16:00:00+01:00"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["booking_id"].as_str(),
        Some(booking),
        "the booking moves along"
    );
    // Cancelling the event frees the room.
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/cancel"),
            Some(&member),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    let b = app
        .store
        .get_booking(booking.parse().unwrap())
        .await
        .unwrap();
    assert!(!b.is_active());
}

async fn full_events_waitlist_and_promote_in_order_with_emails(app: TestApp) {
    let (id, organiser) = published(&app, "public", 2).await;
    let mut people = Vec::new();
    for name in ["Anna", "Bo", "Cecilia"] {
        people.push(person(&app, name, Some(app.f.org.id)).await);
    }
    let mut regs = Vec::new();
    for (p, token) in &people {
        let (s, v) = sign_up(&app, token, &id, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["person_id"], json!(p.id));
        regs.push(v);
    }
    assert_eq!(
        regs.iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["confirmed", "confirmed", "waitlisted"]
    );
    let (s, v) = sign_up(&app, &people[0].1, &id, json!({})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_registered")
    );
    // Someone else cannot cancel Anna's place.
    let first = regs[0]["id"].as_str().unwrap();
    let (s, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/registrations/{first}"),
            Some(&people[1].1),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/registrations/{first}"),
            Some(&people[0].1),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["registration"]["status"], "cancelled");
    assert_eq!(v["promoted"][0]["id"], regs[2]["id"]);
    assert_eq!(v["promoted"][0]["status"], "confirmed");
    let promoted = outbox(&app, "Du har fått en plats").await;
    assert_eq!(
        promoted
            .iter()
            .map(|e| e.to_address.clone())
            .collect::<Vec<_>>(),
        vec![people[2].0.email.clone()]
    );
    let (s, v) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/registrations/{first}"),
            Some(&people[0].1),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_cancelled")
    );

    // Capacity below the places taken; then a move, told to all.
    let mut body = online(&app, "public", 1);
    let (s, v) = app
        .put_json(&format!("/api/v1/events/{id}"), Some(&organiser), &body)
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "capacity_below_registrations"),
        "{v}"
    );
    body["capacity"] = json!(2);
    body["start"] = json!("2026-11-25T13:00:00+01:00");
    body["end"] = json!("2026-11-25T15:00:00+01:00");
    let (s, v) = app
        .put_json(&format!("/api/v1/events/{id}"), Some(&people[1].1), &body)
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::FORBIDDEN, "not_organiser")
    );
    let (s, v) = app
        .put_json(&format!("/api/v1/events/{id}"), Some(&organiser), &body)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["start"], "2026-11-25T12:00:00Z");
    assert!(v["sequence"].as_i64().unwrap() >= 2, "{v}");
    let mut moved: Vec<String> = outbox(&app, "Ändrat")
        .await
        .into_iter()
        .map(|e| e.to_address)
        .collect();
    moved.sort();
    let mut expected = vec![people[1].0.email.clone(), people[2].0.email.clone()];
    expected.sort();
    assert_eq!(moved, expected);

    let (s, _) = app
        .post_json(
            &format!("/api/v1/events/{id}/cancel"),
            Some(&organiser),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(outbox(&app, "Inställt").await.len(), 2);
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/cancel"),
            Some(&organiser),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_cancelled")
    );
    let (s, v) = sign_up(&app, &people[0].1, &id, json!({})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "event_cancelled")
    );
}

async fn fifty_simultaneous_sign_ups_for_ten_places(app: TestApp) {
    let (id, _) = published(&app, "public", 10).await;
    let mut tokens = Vec::new();
    for k in 0..50 {
        tokens.push(person(&app, &format!("P{k}"), Some(app.f.org.id)).await.1);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let client = new_client();
    let mut tasks = Vec::new();
    for token in tokens {
        let req = client
            .post(app.url(&format!("/api/v1/events/{id}/registrations")))
            .bearer_auth(token)
            .json(&json!({}));
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = req.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }));
    }
    let mut placed = Vec::new();
    let (mut confirmed, mut waitlisted) = (0, 0);
    for t in tasks {
        let (s, v) = t.await.unwrap();
        assert_eq!(s, StatusCode::CREATED, "{v}");
        match v["status"].as_str().unwrap() {
            "confirmed" => confirmed += 1,
            "waitlisted" => waitlisted += 1,
            other => panic!("unexpected {other}"),
        }
        placed.push((v["position"].as_i64().unwrap(), v["status"].clone()));
    }
    assert_eq!((confirmed, waitlisted), (10, 40));
    // In arrival order as the database saw it: the first ten positions.
    placed.sort_by_key(|p| p.0);
    assert_eq!(
        placed.iter().map(|p| p.0).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<_>>()
    );
    assert!(placed[..10].iter().all(|p| p.1 == "confirmed"));
    assert!(placed[10..].iter().all(|p| p.1 == "waitlisted"));
}

async fn members_sign_up_colleagues_of_their_own_organisation_only(app: TestApp) {
    let (id, member) = published(&app, "public", 10).await;
    let (colleague, _) = person(&app, "Kalle", Some(app.f.org.id)).await;
    let (stranger, _) = person(&app, "Stina", Some(app.f.other_org.id)).await;
    let (s, v) = sign_up(&app, &member, &id, json!({"person_id": colleague.id})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["person_id"], json!(colleague.id));
    assert_eq!(v["registered_by"], json!(app.f.member.id));
    assert_eq!(v["status"], "confirmed");
    let (s, v) = sign_up(&app, &member, &id, json!({"person_id": colleague.id})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "already_registered")
    );
    let (s, v) = sign_up(&app, &member, &id, json!({"person_id": stranger.id})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::FORBIDDEN, "colleague_other_organisation")
    );
    let (s, v) = sign_up(&app, &member, &id, json!({"person_id": new_id()})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
    );
    // Without a body: oneself.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/events/{id}/registrations")))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["person_id"], json!(app.f.member.id));
    assert_eq!(v["registered_by"], Value::Null);
    // Who signed up a colleague may cancel it.
    let reg = app
        .store
        .registration_of(id.parse().unwrap(), colleague.id)
        .await
        .unwrap()
        .unwrap();
    let (s, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/registrations/{}", reg.id),
            Some(&member),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

/// The token from an invitation e-mail's link.
fn token_in(body: &str) -> String {
    let i = body.find("/invitations/").expect("a link") + "/invitations/".len();
    body[i..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

async fn an_invitation_link_registers_an_outsider_once(app: TestApp) {
    let (id, organiser) = published(&app, "invitation_only", 5).await;
    let (_, other) = person(&app, "Olle", Some(app.f.org.id)).await;
    let path = format!("/api/v1/events/{id}/invitations");
    let (s, v) = app
        .post_json(&path, Some(&other), &json!({"email": "eva@region.example"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = app
        .post_json(&path, Some(&organiser), &json!({"email": "not an address"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "email");
    let (s, v) = app
        .post_json(
            &path,
            Some(&organiser),
            &json!({"email": "Eva@Region.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["email"], "eva@region.example");
    assert!(v.get("token").is_none() && v.get("token_hash").is_none());
    let mails = outbox(&app, "Inbjudan").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to_address, "eva@region.example");
    let token = token_in(&mails[0].body);
    assert!(token.len() >= 40, "{token}");
    // Only the hash is kept.
    let stored = app
        .store
        .list_invitations(id.parse().unwrap())
        .await
        .unwrap();
    assert_ne!(stored[0].token_hash, token);

    let guest = json!({"first_name": "Eva", "last_name": "Ek", "email": "eva@region.example", "organisation": "Region Kalmar län"});
    let redeem = format!("/api/v1/invitations/{token}/redeem");
    let (s, v) = app
        .post_json(
            &redeem,
            None,
            &json!({"first_name": "", "last_name": "Ek", "email": "nope", "organisation": "Region"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields = field_names(&v);
    assert!(
        fields.contains(&"first_name") && fields.contains(&"email"),
        "{v}"
    );
    let (s, v) = app.post_json(&redeem, None, &guest).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["external"], true);
    assert_eq!(v["status"], "confirmed");
    assert_eq!(v["person_id"], Value::Null);
    let (s, v) = app.post_json(&redeem, None, &guest).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "invitation_used")
    );
    let (s, v) = app
        .post_json("/api/v1/invitations/forged-token/redeem", None, &guest)
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::NOT_FOUND, "invitation_invalid")
    );
    let (_, v) = app
        .get_json_with(&organiser, &format!("/api/v1/events/{id}/summary"))
        .await;
    assert_eq!(v["external_participants"], 1);
}

async fn the_invitation_page_registers_an_outsider_without_an_account(app: TestApp) {
    let (id, organiser) = published(&app, "invitation_only", 5).await;
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/invitations"),
            Some(&organiser),
            &json!({"email": "eva@region.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = token_in(&outbox(&app, "Inbjudan").await[0].body);
    let path = format!("/invitations/{token}");
    let client = new_client();

    // The link shows the event and a form; a forged one is not found.
    let r = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Inbjudan"), "{html}");
    assert!(html.contains("name=\"organisation\""), "{html}");
    let r = client
        .get(app.url("/invitations/forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A missing name is explained next to the form; nothing is written.
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let (client, url, page) = (client.clone(), app.url(&path), path.clone());
        let app = &app;
        async move {
            let csrf = app.csrf(&client, &page).await;
            let mut all = vec![("_csrf", csrf.as_str())];
            all.extend(fields);
            let r = client.post(url).form(&all).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, html) = post(vec![
        ("first_name", ""),
        ("last_name", "Ek"),
        ("email", "eva@region.example"),
        ("organisation", "Region Kalmar län"),
    ])
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("href=\"#first_name\""), "{html}");
    assert!(html.contains("Fältet måste fyllas i."), "{html}");
    let (s, html) = post(vec![
        ("first_name", "Eva"),
        ("last_name", "Ek"),
        ("email", "eva@region.example"),
        ("organisation", "Region Kalmar län"),
    ])
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Du är anmäld."), "{html}");
    let regs = app
        .store
        .list_registrations(id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(regs.len(), 1);

    // The link works once.
    let r = client.get(app.url(&path)).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("redan använts"), "{html}");
    assert!(!html.contains("name=\"organisation\""), "no form any more");
    let (s, html) = post(vec![
        ("first_name", "Eva"),
        ("last_name", "Ek"),
        ("email", "eva@region.example"),
        ("organisation", "Region Kalmar län"),
    ])
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("redan använts"), "{html}");
}

async fn attendance_and_the_summary_count_places_organisations_and_outsiders(app: TestApp) {
    let (id, organiser) = published(&app, "public", 3).await;
    let mut regs = Vec::new();
    for (name, org) in [
        ("Anna", app.f.org.id),
        ("Bo", app.f.org.id),
        ("Cia", app.f.other_org.id),
        ("Dan", app.f.other_org.id),
    ] {
        let (_, token) = person(&app, name, Some(org)).await;
        let (s, v) = sign_up(&app, &token, &id, json!({})).await;
        assert_eq!(s, StatusCode::CREATED);
        regs.push(v["id"].as_str().unwrap().to_string());
    }
    for r in &regs[..2] {
        let (s, v) = app
            .put_json(
                &format!("/api/v1/registrations/{r}/attended"),
                Some(&organiser),
                &json!({"attended": true}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["attended"], true);
    }
    let (_, someone) = person(&app, "Eja", Some(app.f.org.id)).await;
    let (s, _) = app
        .put_json(
            &format!("/api/v1/registrations/{}/attended", regs[2]),
            Some(&someone),
            &json!({"attended": true}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .put_json(
            &format!("/api/v1/registrations/{}/attended", regs[2]),
            Some(&organiser),
            &json!({"attended": "yes"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, list) = app
        .get_json_with(&organiser, &format!("/api/v1/events/{id}/registrations"))
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["name"], "Anna Testsson");
    assert_eq!(list[0]["attended"], true);
    assert_eq!(list[2]["organisation_name"], "Stockholms stad");
    assert_eq!(list[3]["status"], "waitlisted");
    let (s, _) = app
        .get_json_with(&someone, &format!("/api/v1/events/{id}/registrations"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let host = app.token_for(&app.f.host).await;
    let (s, v) = app
        .get_json_with(&host, &format!("/api/v1/events/{id}/summary"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"registered": 3, "attended": 2, "waitlisted": 1, "organisations": 2, "external_participants": 0})
    );
    let (s, v) = app
        .get_json_with(&someone, &format!("/api/v1/events/{id}/summary"))
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::FORBIDDEN, "not_organiser")
    );
    let (s, _) = app.get_json(&format!("/api/v1/events/{id}/summary")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn reminders_are_queued_once_a_day_before(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let mut body = online(&app, "public", 1);
    body["start"] = json!("2026-11-24T08:00:00+01:00");
    body["end"] = json!("2026-11-24T09:00:00+01:00");
    let host = app.token_for(&app.f.host).await;
    let e = create(&app, &host, &body).await;
    let id = e["id"].as_str().unwrap();
    let (s, _) = sign_up(&app, &member, id, json!({})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, other) = person(&app, "Vera", Some(app.f.org.id)).await;
    let (_, v) = sign_up(&app, &other, id, json!({})).await;
    assert_eq!(v["status"], "waitlisted");
    // An event further away is not due yet.
    create(&app, &host, &online(&app, "public", 5)).await;

    let first = thirdplace_web::events::service::send_reminders(&app.state)
        .await
        .unwrap();
    let again = thirdplace_web::events::service::send_reminders(&app.state)
        .await
        .unwrap();
    assert!(first <= 1 && again == 0, "{first} {again}");
    let sent = outbox(&app, "Påminnelse").await;
    assert_eq!(sent.len(), 1, "once, to the one holding a place");
    assert_eq!(sent[0].to_address, app.f.member.email);
}

async fn feeds_follow_rfc_5545_and_show_only_public_events(app: TestApp) {
    let (public, organiser) = published(&app, "public", 5).await;
    let host = app.token_for(&app.f.host).await;
    let cancelled = create(&app, &host, &online(&app, "public", 5)).await;
    let cancelled = cancelled["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post_json(
            &format!("/api/v1/events/{cancelled}/cancel"),
            Some(&host),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut other = online(&app, "members_only", 5);
    other["topics"] = json!(["Återbruk"]);
    let members_only = create(&app, &host, &other).await;
    let members_only = members_only["id"].as_str().unwrap().to_string();
    let mut at_other_hub = online(&app, "public", 5);
    at_other_hub["hub_id"] = json!(app.f.other_hub.id);
    at_other_hub["topics"] = json!(["Återbruk"]);
    let admin = app.token_for(&app.f.admin).await;
    let elsewhere = create(&app, &admin, &at_other_hub).await;
    let elsewhere = elsewhere["id"].as_str().unwrap().to_string();

    let uid = |id: &str| format!("event-{id}@thirdplace");
    let cal = feed(&app, "/calendar.ics").await;
    let mut got = uids(&cal);
    got.sort();
    let mut want = vec![uid(&public), uid(&cancelled), uid(&elsewhere)];
    want.sort();
    assert_eq!(got, want, "members-only events stay out");
    for e in &cal.events {
        let id = ev(e, "UID");
        let id = id
            .trim_start_matches("event-")
            .trim_end_matches("@thirdplace");
        assert!(ev(e, "DTSTAMP").ends_with('Z'));
        assert!(ev(e, "DTSTART").ends_with('Z'));
        assert!(ev(e, "URL").ends_with(&format!("/events/{id}")));
        let stored = app.store.get_event(id.parse().unwrap()).await.unwrap();
        assert_eq!(ev(e, "SEQUENCE"), stored.sequence.to_string());
        let status = ev(e, "STATUS");
        if id == cancelled {
            assert_eq!(status, "CANCELLED");
            assert!(stored.sequence >= 1);
        } else {
            assert_eq!(status, "CONFIRMED");
        }
    }
    let e = cal
        .events
        .iter()
        .find(|e| ev(e, "UID") == uid(&public))
        .unwrap();
    assert_eq!(ev(e, "DTSTART"), "20261125T090000Z");
    assert_eq!(ev(e, "DTEND"), "20261125T110000Z");
    assert!(ev(e, "SUMMARY").starts_with("Workshop: AI"));
    // Fetched again: the same UIDs and stamps.
    let again = feed(&app, "/calendar.ics").await;
    assert_eq!(
        again
            .events
            .iter()
            .map(|e| prop(&e.properties, "DTSTAMP"))
            .collect::<Vec<_>>(),
        cal.events
            .iter()
            .map(|e| prop(&e.properties, "DTSTAMP"))
            .collect::<Vec<_>>()
    );

    let hub = feed(&app, &format!("/hubs/{}/calendar.ics", app.f.other_hub.id)).await;
    assert_eq!(uids(&hub), vec![uid(&elsewhere)]);
    let topic = feed(&app, "/topics/%C3%85terbruk/calendar.ics").await;
    assert_eq!(uids(&topic), vec![uid(&elsewhere)]);
    let topic = feed(&app, "/calendar.ics?topic=ai").await;
    let mut got = uids(&topic);
    got.sort();
    let mut want = vec![uid(&public), uid(&cancelled)];
    want.sort();
    assert_eq!(got, want);
    let r = app.get(&format!("/hubs/{}/calendar.ics", new_id())).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The member's private feed carries the events they organise.
    let (s, v) = app
        .get_json_with(&organiser, "/api/v1/me/calendar-feed")
        .await;
    assert_eq!(s, StatusCode::OK);
    let url = v["url"].as_str().unwrap();
    let path = &url[url.find("/feeds/").unwrap()..];
    let mine = feed(&app, path).await;
    assert_eq!(uids(&mine), vec![uid(&public)]);
    // Members-only events only reach their own people's feeds.
    let host_events = app
        .store
        .list_events(&thirdplace_store::EventFilter {
            involving: Some(app.f.host.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(host_events
        .iter()
        .any(|l| l.event.id.to_string() == members_only));
}

/// Feeds are kept rendered, yet any change to an event, through this
/// server or straight in the database (as another server process would),
/// shows in the very next request; an app that has the current version
/// is answered `304 Not Modified`.
async fn a_change_shows_in_the_next_feed_and_an_unchanged_feed_answers_304(app: TestApp) {
    let (id, _) = published(&app, "public", 5).await;
    let hub_path = format!("/hubs/{}/calendar.ics", app.f.hub.id);
    let first = app.get("/calendar.ics").await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let body = first.text().await.unwrap();
    assert!(body.contains("SUMMARY:Workshop: AI"), "{body}");
    let hub_body = app.get(&hub_path).await.text().await.unwrap();

    let conditional = |tag: String| {
        let req = app
            .client
            .get(app.url("/calendar.ics"))
            .header("if-none-match", tag);
        async move { req.send().await.unwrap() }
    };
    let r = conditional(etag.clone()).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    assert!(r.text().await.unwrap().is_empty());
    assert_eq!(app.get("/calendar.ics").await.text().await.unwrap(), body);

    // Changed in the database, not through this server.
    let mut e = app.store.get_event(id.parse().unwrap()).await.unwrap();
    e.title = "Ny titel på workshopen".into();
    e.sequence += 1;
    app.store
        .update_event(&e, None, &thirdplace_store::EventNotices::default())
        .await
        .unwrap();
    let r = conditional(etag.clone()).await;
    assert_eq!(r.status(), StatusCode::OK, "a changed feed is sent whole");
    let new_etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);
    let changed = r.text().await.unwrap();
    assert_ne!(changed, body);
    assert!(
        changed.contains("SUMMARY:Ny titel på workshopen"),
        "{changed}"
    );
    let hub_changed = app.get(&hub_path).await.text().await.unwrap();
    assert_ne!(hub_changed, hub_body);
    assert!(hub_changed.contains("Ny titel"), "{hub_changed}");

    // Cancelled through the API: the next feed says so.
    let host = app.token_for(&app.f.host).await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/events/{id}/cancel"),
            Some(&host),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let cal = feed(&app, "/calendar.ics").await;
    let e = cal
        .events
        .iter()
        .find(|e| ev(e, "UID") == format!("event-{id}@thirdplace"))
        .unwrap();
    assert_eq!(ev(e, "STATUS"), "CANCELLED");
    let r = conditional(new_etag).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// Feeds are brought up to date from the events changed since they were
/// last written (or listed whole when a hub changed, or as the window moves
/// on): after every kind of change each one reads exactly as a feed that a
/// freshly started server writes from scratch.
async fn a_kept_feed_reads_as_one_written_afresh_after_every_change(app: TestApp) {
    let (a, member) = published(&app, "public", 5).await;
    let host = app.token_for(&app.f.host).await;
    let mut later = online(&app, "public", 5);
    later["title"] = json!("Frukostmöte");
    later["topics"] = json!(["Landsbygd"]);
    later["start"] = json!("2027-01-20T08:00:00+01:00");
    later["end"] = json!("2027-01-20T09:00:00+01:00");
    let b = publish(&app, &member, &later).await;
    let paths = [
        "/calendar.ics".to_string(),
        format!("/hubs/{}/calendar.ics", app.f.hub.id),
        "/topics/AI/calendar.ics".to_string(),
        "/calendar.ics?topic=landsbygd".to_string(),
    ];
    let same = |step: &'static str| {
        let (app, paths) = (&app, paths.clone());
        async move {
            for p in &paths {
                let kept = app.get(p).await.text().await.unwrap();
                assert_eq!(kept, app.get_fresh(p).await, "{step}: {p}");
            }
        }
    };
    same("first").await;
    let whole = || app.state.feed_snapshots.whole_listings();
    let listed_whole = whole();
    let event_id = |id: &str| id.parse::<uuid::Uuid>().unwrap();
    let notices = thirdplace_store::EventNotices::default();

    // Changed in the database, as another process would.
    let mut e = app.store.get_event(event_id(&a)).await.unwrap();
    e.title = "Ny titel".into();
    e.topics = vec!["Landsbygd".into()];
    e.sequence += 1;
    app.store.update_event(&e, None, &notices).await.unwrap();
    same("a new title and topic").await;
    let mut e = app.store.get_event(event_id(&b)).await.unwrap();
    e.visibility = thirdplace_domain::event::EventVisibility::MembersOnly;
    app.store.update_event(&e, None, &notices).await.unwrap();
    same("members only").await;
    later["title"] = json!("Lunchföreläsning");
    let c = publish(&app, &member, &later).await;
    same("a new event").await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/events/{a}/cancel"),
            Some(&host),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    same("cancelled").await;
    let all = app.get("/calendar.ics").await.text().await.unwrap();
    assert!(all.contains("SUMMARY:Ny titel") && all.contains("STATUS:CANCELLED"));
    assert!(all.contains("SUMMARY:Lunchföreläsning") && !all.contains("Frukostmöte"));
    assert_eq!(whole(), listed_whole, "changed events only");

    // A renamed hub: every event of it reads anew.
    let mut hub = app.store.get_hub(app.f.hub.id).await.unwrap().hub;
    hub.name = "Omdöpt hubb".into();
    app.store.update_hub(&hub).await.unwrap();
    same("a renamed hub").await;
    assert_eq!(whole(), listed_whole + paths.len() as u64);
    assert!(app
        .get("/calendar.ics")
        .await
        .text()
        .await
        .unwrap()
        .contains("Omdöpt hubb"));

    // Weeks on, the first events have left the window; the later stays.
    app.clock.set(common::instant("2027-01-05T12:00:00Z"));
    same("weeks on").await;
    assert_eq!(whole(), listed_whole + paths.len() as u64, "moved on");
    let all = app.get("/calendar.ics").await.text().await.unwrap();
    assert!(!all.contains("Ny titel") && all.contains(&format!("event-{c}@")));
}

/// Apps that take gzip get the feed gzipped once the copy is made (in the
/// background: the first asks get the plain text), under its own tag.
async fn feeds_are_gzipped_for_apps_that_take_it(app: TestApp) {
    use std::io::Read;
    published(&app, "public", 5).await;
    let get = |accept: &'static str, tag: Option<String>| {
        let mut req = app
            .client
            .get(app.url("/calendar.ics"))
            .header("accept-encoding", accept);
        if let Some(tag) = tag {
            req = req.header("if-none-match", tag);
        }
        async move { req.send().await.unwrap() }
    };
    let plain = app.get("/calendar.ics").await;
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    assert!(plain.headers().get("content-encoding").is_none());
    let tag = plain.headers()["etag"].to_str().unwrap().to_string();
    let text = plain.text().await.unwrap();
    let mut tries = 0;
    let gz = loop {
        let r = get("br, gzip", None).await;
        assert_eq!(r.status(), StatusCode::OK);
        if r.headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip")
        {
            break r;
        }
        assert_eq!(r.text().await.unwrap(), text, "the plain text meanwhile");
        tries += 1;
        assert!(tries < 200, "no gzip copy after 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let gz_tag = gz.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(gz_tag, tag);
    let mut back = String::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_string(&mut back)
        .unwrap();
    assert_eq!(back, text);
    // Either tag is this version; each 304 names the copy asked about.
    let r = get("gzip", Some(gz_tag.clone())).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), gz_tag);
    let r = get("gzip", Some(tag.clone())).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), tag);
    // Refused gzip: the plain text.
    let r = get("gzip;q=0", None).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), text);
}

/// With a public URL configured, feeds and invitation e-mails give it, not
/// whatever host the request named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_public_url_is_used_in_feeds_and_invitations() {
    let config = thirdplace_web::WebConfig {
        public_url: Some("https://hubbar.example.se".into()),
        ..Default::default()
    };
    let app = spawn_app_with(Backend::Sqlite, config).await.unwrap();
    // The network feed is written ahead at start, for that address.
    let whole = || app.state.feed_snapshots.whole_listings();
    for _ in 0..200 {
        if whole() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(whole(), 1);
    app.get("/calendar.ics").await.text().await.unwrap();
    assert_eq!(whole(), 1, "the first request found it written");
    let (id, member) = published(&app, "public", 5).await;
    let feed = app.get("/calendar.ics").await.text().await.unwrap();
    let feed = feed.replace("\r\n ", "");
    assert!(
        feed.contains(&format!("URL:https://hubbar.example.se/events/{id}\r\n")),
        "{feed}"
    );
    assert!(!feed.contains(&app.base));
    let (s, v) = app
        .post_json(
            &format!("/api/v1/events/{id}/invitations"),
            Some(&member),
            &json!({"email": "eva@region.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mails = app.store.list_emails(10).await.unwrap();
    let invitation = mails
        .iter()
        .find(|m| m.to_address == "eva@region.example")
        .unwrap();
    assert!(
        invitation
            .body
            .contains("https://hubbar.example.se/invitations/"),
        "{}",
        invitation.body
    );
}

async fn bad_input_gets_clear_4xx_answers_and_writes_nothing(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let post = |body: Value| {
        let app = &app;
        let member = member.clone();
        async move { app.post_json("/api/v1/events", Some(&member), &body).await }
    };
    let field_of = |v: &Value| {
        v["error"]["fields"][0]["field"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let mut b = online(&app, "public", 5);
    b["end"] = json!("2026-11-25T09:00:00+01:00");
    let (s, v) = post(b).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(field_of(&v), "end");
    assert_eq!(v["error"]["fields"][0]["code"], "end_before_start");

    let mut b = online(&app, "public", 5);
    b["start"] = json!("2026-11-20T10:00:00+01:00");
    b["end"] = json!("2026-11-20T11:00:00+01:00");
    let (s, v) = post(b).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "start".into())
    );

    let (s, v) = post(online(&app, "public", 0)).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "capacity".into())
    );
    let (s, v) = post(online(&app, "secret", 5)).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "visibility".into())
    );
    let mut b = online(&app, "public", 5);
    b["start"] = json!("tomorrow");
    let (s, v) = post(b).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "start".into())
    );
    let mut b = online(&app, "public", 5);
    b["venue"] = json!("room");
    b["room_id"] = json!(new_id());
    let (s, v) = post(b).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "room_id".into())
    );
    let mut b = online(&app, "public", 5);
    b["title"] = json!("   ");
    let (s, v) = post(b).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "title".into())
    );
    let mut b = online(&app, "public", 5);
    b["hub_id"] = json!(new_id());
    let (s, v) = post(b).await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "hub_id".into())
    );
    let mut b = online(&app, "public", 5);
    b["colour"] = json!("red");
    let (s, _) = post(b).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_raw_json("/api/v1/events", &member, "{not json")
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (s, _) = app
        .post_json("/api/v1/events", None, &online(&app, "public", 5))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, list) = app.get_json_with(&member, "/api/v1/events").await;
    assert_eq!(list, json!([]), "nothing written");
    let (s, v) = app.get_json("/api/v1/events?from=yesterday").await;
    assert_eq!(
        (s, field_of(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "from".into())
    );
    let (s, _) = app.get_json("/api/v1/events/not-an-id").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = sign_up(&app, &member, &new_id().to_string(), json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Sign-up after the start.
    let host = app.token_for(&app.f.host).await;
    let e = create(&app, &host, &online(&app, "public", 5)).await;
    let id = e["id"].as_str().unwrap();
    let (s, v) = sign_up(&app, &member, id, json!({"person_id": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    app.clock.set(instant("2026-11-25T09:30:00Z"));
    let (s, v) = sign_up(&app, &member, id, json!({})).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "event_started")
    );
}
