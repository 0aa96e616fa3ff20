//! A person's own data over the API and the account page, on SQLite and
//! on PostgreSQL: the export holds the person's rows and nobody else's
//! personal data, and comes as a dated attachment; erasure needs the
//! person's own address, ends every way in, frees future bookings and
//! places, and spares the last network admin.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    the_export_holds_the_persons_data_and_no_one_elses,
    the_export_needs_a_signed_in_person,
    the_account_page_links_to_the_export,
    erasure_over_the_api_ends_every_way_in_and_frees_the_future,
    erasure_needs_the_persons_own_address,
    the_last_network_admin_is_not_erased,
    the_account_page_erases_with_the_csrf_field,
);

/// `POST /api/v1/me/erase` with `token`, confirming with `email`.
async fn erase(app: &TestApp, token: &str, email: &str) -> (StatusCode, Value) {
    app.post_json(
        "/api/v1/me/erase",
        Some(token),
        &json!({ "confirm": email }),
    )
    .await
}

async fn export(app: &TestApp, token: &str) -> (reqwest::header::HeaderMap, Value) {
    let r = app
        .client
        .get(app.url("/api/v1/me/export"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let headers = r.headers().clone();
    (headers, r.json().await.unwrap())
}

async fn the_export_holds_the_persons_data_and_no_one_elses(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let (s, v) = app
        .book_room(
            &member,
            "2026-11-25T10:00:00+01:00",
            "2026-11-25T11:00:00+01:00",
            "Styrelsemöte",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Someone else's booking must not show.
    seat_of(&app.f.org_admin).give(&app).await;
    let other = app.token_for(&app.f.org_admin).await;
    let (s, v) = app
        .book_room(
            &other,
            "2026-11-26T10:00:00+01:00",
            "2026-11-26T11:00:00+01:00",
            "Annans möte",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let (headers, doc) = export(&app, &member).await;
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        "attachment; filename=\"thirdplace-export-2026-11-23.json\""
    );
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(doc["person"]["email"], json!(app.f.member.email));
    assert_eq!(doc["person"]["first_name"], json!(app.f.member.first_name));
    assert_eq!(doc["organisation"]["id"], json!(app.f.org.id));
    assert_eq!(doc["seats"].as_array().unwrap().len(), 1, "{doc}");
    let bookings = doc["bookings"].as_array().unwrap();
    assert_eq!(bookings.len(), 1, "{doc}");
    assert_eq!(bookings[0]["title"], "Styrelsemöte");
    for key in [
        "roles",
        "profile",
        "checkins",
        "guests",
        "event_registrations",
        "events_organised",
        "invitations_sent",
        "emails",
        "api_tokens",
        "calendar_feed_generation",
    ] {
        assert!(doc.get(key).is_some(), "no {key} in {doc}");
    }
    let text = doc.to_string();
    assert!(!text.contains(app.f.org_admin.email.as_str()), "{text}");
    assert!(!text.contains("Annans möte"), "{text}");
    assert!(!text.contains(app.f.admin.email.as_str()), "{text}");
}

async fn the_export_needs_a_signed_in_person(app: TestApp) {
    let r = app.get("/api/v1/me/export").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn the_account_page_links_to_the_export(app: TestApp) {
    let client = app.signed_in(&app.f.member).await;
    let html = app.html(&client, "/account").await;
    assert!(html.contains("href=\"/account/export\""), "{html}");
    assert!(html.contains("Ladda ner mina uppgifter"), "{html}");
    let r = client.get(app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["person"]["email"], json!(app.f.member.email));
}

async fn erasure_over_the_api_ends_every_way_in_and_frees_the_future(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let other = app.token_for(&app.f.member).await;
    let (s, v) = app
        .book_room(
            &member,
            "2026-11-25T10:00:00+01:00",
            "2026-11-25T11:00:00+01:00",
            "Styrelsemöte",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let booking_id: uuid::Uuid = v["id"].as_str().unwrap().parse().unwrap();
    // A webhook that hears of check-ins: its payloads carry the first name.
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app
        .post_json(
            "/api/v1/webhooks",
            Some(&admin),
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["checkin.created"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .post_json(
            "/api/v1/checkins",
            Some(&member),
            &json!({"hub_id": app.f.hub.id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mentions = |d: &[thirdplace_domain::membership::WebhookDelivery]| {
        d.iter()
            .filter(|d| d.payload.contains(&app.f.member.id.to_string()))
            .count()
    };
    let before = app.store.list_deliveries(None, 100).await.unwrap();
    assert_eq!(mentions(&before), 1);
    let checkin_id: uuid::Uuid = v["id"].as_str().unwrap().parse().unwrap();
    let (s, v) = app
        .post_json(
            &format!("/api/v1/checkins/{checkin_id}/guests"),
            Some(&member),
            &json!({"first_name": "Kim", "last_name": "Gästsson", "organisation_id": app.f.org.id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, doc) = export(&app, &member).await;
    assert_eq!(doc["checkins"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(doc["guests"][0]["first_name"], "Kim", "{doc}");
    let email = app.f.member.email.as_str().to_uppercase();
    let (s, v) = erase(&app, &member, &email).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["erased"], true);
    assert_eq!(v["cancelled_bookings"], 1);
    for token in [&member, &other] {
        let (s, _) = app.get_json_with(token, "/api/v1/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let after = app.store.list_deliveries(None, 100).await.unwrap();
    assert_eq!(mentions(&after), 0);
    let guests = app.store.list_guests(checkin_id).await.unwrap();
    assert_eq!(guests.len(), 1);
    assert_eq!(
        (guests[0].first_name.as_str(), guests[0].last_name.as_str()),
        ("Raderad", "")
    );
    // The visit itself is kept for the statistics.
    assert_eq!(
        app.store.get_checkin(checkin_id).await.unwrap().person_id,
        app.f.member.id
    );
    let gone = app.store.get_person(app.f.member.id).await.unwrap();
    assert_eq!(gone.first_name, "Raderad");
    assert!(
        gone.email.as_str().starts_with("erased-") && gone.email.as_str().ends_with("@invalid")
    );
    assert!(gone.archived);
    assert_eq!(
        app.store.get_booking(booking_id).await.unwrap().status,
        thirdplace_domain::booking::BookingStatus::Cancelled
    );
    // The old address no longer signs in.
    let client = new_client();
    let r = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", app.f.member.email.as_str()),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
}

async fn erasure_needs_the_persons_own_address(app: TestApp) {
    let member = app.token_for(&app.f.member).await;
    let (s, v) = erase(&app, &member, app.f.host.email.as_str()).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "confirmation_mismatch"),
        "{v}"
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains(app.f.member.email.as_str()));
    let (s, _) = app.get_json_with(&member, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.store.get_person(app.f.member.id).await.unwrap(),
        app.f.member
    );
    let r = app
        .client
        .post(app.url("/api/v1/me/erase"))
        .json(&json!({"confirm": app.f.member.email}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn the_last_network_admin_is_not_erased(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = erase(&app, &admin, app.f.admin.email.as_str()).await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "last_network_admin"),
        "{v}"
    );
    let (s, _) = app.get_json_with(&admin, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
}

async fn the_account_page_erases_with_the_csrf_field(app: TestApp) {
    let client = app.signed_in(&app.f.member).await;
    let html = app.html(&client, "/account").await;
    assert!(html.contains("action=\"/account/erase\""), "{html}");
    assert!(html.contains("Radera mina uppgifter"), "{html}");
    // The section is in the page once, and the title is only the title.
    assert!(
        html.contains("<title>Mitt konto – thirdplace</title>"),
        "{html}"
    );
    assert_eq!(html.matches("id=\"privacy-h\"").count(), 1);
    let r = app
        .post_form(&client, "/account/erase", &[("confirm", "fel@example.se")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("E-postadressen stämmer inte"));
    assert!(
        !app.store
            .get_person(app.f.member.id)
            .await
            .unwrap()
            .archived
    );
    // Without the CSRF field the form is refused.
    let r = client
        .post(app.url("/account/erase"))
        .form(&[("confirm", app.f.member.email.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(
        !app.store
            .get_person(app.f.member.id)
            .await
            .unwrap()
            .archived
    );
    let r = app
        .post_form(
            &client,
            "/account/erase",
            &[("confirm", app.f.member.email.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.store
            .get_person(app.f.member.id)
            .await
            .unwrap()
            .archived
    );
    let r = client.get(app.url("/account")).send().await.unwrap();
    assert_ne!(r.status(), StatusCode::OK);
}
