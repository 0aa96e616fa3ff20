//! The calendar and event pages over a real socket, on SQLite and
//! PostgreSQL: who sees which events, the filters, an event's page, signing
//! up (confirmed, then waitlisted when full) and cancelling through the
//! forms, English texts, and unknown events.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use thirdplace_domain::membership::*;
use thirdplace_domain::*;

on_both_backends!(
    the_calendar_shows_what_anonymous_visitors_may_see_and_filters_by_hub_and_topic,
    a_member_signs_up_on_the_event_page_then_the_next_is_waitlisted_and_cancels,
    the_pages_speak_english_and_unknown_events_are_not_found,
);

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap().replace("&#x2f;", "/")
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    let s = r.status();
    (s, text(r).await)
}

async fn give_seat(app: &TestApp, person: &Person) {
    let plan = Plan {
        id: new_id(),
        name: format!("Nätverkskort {}", new_id()),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 145_000,
        included_hours_per_month: 4,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
    };
    hold_seat(
        app,
        person,
        &plan,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await;
}

fn online(hub: uuid::Uuid, title: &str, topics: &[&str], visibility: &str, capacity: i64) -> Value {
    json!({
        "hub_id": hub,
        "venue": "online",
        "title": title,
        "description": "Vi testar verktyg tillsammans.",
        "topics": topics,
        "start": "2026-11-25T10:00:00+01:00",
        "end": "2026-11-25T12:00:00+01:00",
        "capacity": capacity,
        "visibility": visibility,
    })
}

/// An event created by the network admin, who publishes at once.
async fn published(app: &TestApp, body: &Value) -> String {
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app.post_json("/api/v1/events", Some(&admin), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "published", "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn the_calendar_shows_what_anonymous_visitors_may_see_and_filters_by_hub_and_topic(
    app: TestApp,
) {
    let hub = app.f.hub.id;
    let other = app.f.other_hub.id;
    let public = published(&app, &online(hub, "Workshop om AI", &["AI"], "public", 10)).await;
    let secret = published(
        &app,
        &online(hub, "Medlemsfrukost", &["Nätverk"], "members_only", 10),
    )
    .await;
    let culture = published(
        &app,
        &online(other, "Kulturkväll", &["Kultur"], "public", 10),
    )
    .await;
    let client = new_client();

    let (s, html) = page(&app, &client, "/calendar").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!("href=\"/events/{public}\"")),
        "{html}"
    );
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(
        html.contains(&format!("href=\"/events/{culture}\"")),
        "{html}"
    );
    assert!(!html.contains("Medlemsfrukost"), "{html}");
    assert!(!html.contains(&secret), "{html}");
    assert!(html.contains("10 platser kvar"), "{html}");
    assert!(html.contains("<label for=\"hub\">"), "{html}");
    assert!(html.contains("href=\"/calendar.ics\""), "{html}");
    assert!(
        html.contains("href=\"/calendar\" aria-current=\"page\""),
        "{html}"
    );

    // A member sees the members-only event too.
    give_seat(&app, &app.f.member).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = page(&app, &member, "/calendar").await;
    assert!(html.contains("Medlemsfrukost"), "{html}");

    let (_, html) = page(&app, &client, &format!("/calendar?hub={other}")).await;
    assert!(html.contains("Kulturkväll"), "{html}");
    assert!(!html.contains("Workshop om AI"), "{html}");
    assert!(
        html.contains(&format!("href=\"/hubs/{other}/calendar.ics\"")),
        "{html}"
    );
    let (_, html) = page(&app, &client, "/calendar?topic=AI").await;
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(!html.contains("Kulturkväll"), "{html}");
    let (_, html) = page(
        &app,
        &client,
        &format!("/calendar?region={}", app.f.region.id),
    )
    .await;
    assert!(html.contains("Workshop om AI"), "{html}");
}

async fn a_member_signs_up_on_the_event_page_then_the_next_is_waitlisted_and_cancels(app: TestApp) {
    let id = published(
        &app,
        &online(
            app.f.hub.id,
            "Workshop om AI",
            &["AI", "Offentlig sektor"],
            "public",
            1,
        ),
    )
    .await;
    let path = format!("/events/{id}");

    // Anonymous visitors see the details and a way to sign in.
    let (s, html) = page(&app, &new_client(), &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(html.contains("Vi testar verktyg tillsammans."), "{html}");
    assert!(html.contains("2026-11-25 10:00–12:00"), "{html}");
    assert!(html.contains("AI, Offentlig sektor"), "{html}");
    assert!(html.contains(&app.f.admin.first_name), "organiser: {html}");
    assert!(html.contains("Logga in för att anmäla dig"), "{html}");
    assert!(
        html.contains(&format!("/login?next=/events/{id}"))
            || html.contains(&format!("/login?next=%2Fevents%2F{id}")),
        "{html}"
    );
    assert!(!html.contains("Anmäl mig"), "{html}");

    give_seat(&app, &app.f.member).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = page(&app, &member, &path).await;
    assert!(html.contains("Anmäl mig"), "{html}");
    let r = app
        .post_form(&member, &format!("{path}/register"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=confirmed"));
    let (_, html) = page(&app, &member, &to).await;
    assert!(html.contains("Du är anmäld. Välkommen!"), "{html}");
    assert!(html.contains("Avanmäl mig"), "{html}");
    assert!(html.contains("Fullt – väntelista"), "{html}");

    // The event is full: the host goes on the waiting list.
    let host = app.signed_in(&app.f.host).await;
    let r = app.post_form(&host, &format!("{path}/register"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=waitlisted"));
    let (_, html) = page(&app, &host, &to).await;
    assert!(html.contains("väntelistan"), "{html}");

    // Signing up twice is refused, translated.
    let r = app.post_form(&host, &format!("{path}/register"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = text(r).await;
    assert!(html.contains("Du är redan anmäld."), "{html}");

    // The member cancels; the host moves up.
    let r = app
        .post_form(&member, &format!("{path}/unregister"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&app, &member, &to).await;
    assert!(html.contains("Din anmälan är avbokad."), "{html}");
    assert!(html.contains("Anmäl mig"), "{html}");
    let (_, html) = page(&app, &host, &path).await;
    assert!(html.contains("Du är anmäld."), "{html}");

    // A form without the CSRF token writes nothing.
    let r = member
        .post(app.url(&format!("{path}/register")))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn the_pages_speak_english_and_unknown_events_are_not_found(app: TestApp) {
    let id = published(
        &app,
        &online(app.f.hub.id, "Workshop om AI", &["AI"], "public", 5),
    )
    .await;
    let client = new_client();
    app.post_form(&client, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (_, html) = page(&app, &client, "/calendar").await;
    assert!(html.contains("5 places left"), "{html}");
    assert!(html.contains(">Calendar</a>"), "{html}");
    let (_, html) = page(&app, &client, &format!("/events/{id}")).await;
    assert!(html.contains("Log in to sign up"), "{html}");

    let (s, _) = page(&app, &client, &format!("/events/{}", new_id())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = page(&app, &client, "/events/nonsense").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let secret = published(
        &app,
        &online(app.f.hub.id, "Medlemsfrukost", &[], "members_only", 5),
    )
    .await;
    let (s, _) = page(&app, &client, &format!("/events/{secret}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
