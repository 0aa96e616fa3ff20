//! A person's own data over the API and the account page, on SQLite and
//! on PostgreSQL: the export holds the person's rows and nobody else's
//! personal data, and comes as a dated attachment; erasure needs the
//! person's own address, ends every way in, frees future bookings and
//! places, and spares the last network admin. Network admins erase a
//! person on request by the same rules, once, recorded in the audit trail;
//! the privacy page, the accessibility statement and the record of
//! processing come from the network's own operators and one table.

use crate::common;

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
    a_network_admin_erases_a_person_over_the_api_once,
    only_network_admins_erase_others_and_bad_requests_are_told_why,
    the_person_page_erases_after_saying_what_happens,
    the_privacy_page_is_public_and_names_the_operator,
    the_accessibility_statement_is_public_and_honest,
    the_record_of_processing_is_for_network_admins,
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

/// `answer` refuses to erase the last network admin, who still gets in
/// with `admin`, their token.
async fn the_last_admin_stays(app: &TestApp, admin: &str, (s, v): (StatusCode, Value)) {
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "last_network_admin"),
        "{v}"
    );
    let (s, _) = app.get_json_with(admin, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
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
    let (member, _) = app.member_books_the_board_meeting().await;
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
    let doc = attachment_json(r).await;
    assert_eq!(doc["person"]["email"], json!(app.f.member.email));
}

async fn erasure_over_the_api_ends_every_way_in_and_frees_the_future(app: TestApp) {
    let (member, v) = app.member_books_the_board_meeting().await;
    let other = app.token_for(&app.f.member).await;
    let booking_id: uuid::Uuid = v["id"].as_str().unwrap().parse().unwrap();
    // A webhook that hears of check-ins: its payloads carry the first name.
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app
        .add_webhook(&admin, "http://127.0.0.1:9/hook", &["checkin.created"])
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
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
    let answer = erase(&app, &admin, app.f.admin.email.as_str()).await;
    the_last_admin_stays(&app, &admin, answer).await;
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

/// `POST /api/v1/people/{id}/erase` with `token` and `reason`.
async fn erase_other(
    app: &TestApp,
    token: &str,
    id: uuid::Uuid,
    reason: &str,
) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/people/{id}/erase"),
        Some(token),
        &json!({ "reason": reason }),
    )
    .await
}

/// The audit entries about erasing `person`.
async fn erasures_of(app: &TestApp, person: uuid::Uuid) -> Vec<thirdplace_store::AuditEntry> {
    app.store
        .list_audit(&thirdplace_store::AuditFilter {
            object_id: Some(person),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "person.erased")
        .collect()
}

async fn a_network_admin_erases_a_person_over_the_api_once(app: TestApp) {
    let (member, v) = app.member_books_the_board_meeting().await;
    let booking_id: uuid::Uuid = v["id"].as_str().unwrap().parse().unwrap();
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = erase_other(
        &app,
        &admin,
        app.f.member.id,
        "Dnr 2026/117, begäran 2026-11-20",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"erased": true, "already_erased": false, "cancelled_bookings": 1, "cancelled_registrations": 0})
    );
    // The same rules as self-erasure: every way in ends, the future is freed.
    let (s, _) = app.get_json_with(&member, "/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let gone = app.store.get_person(app.f.member.id).await.unwrap();
    assert_eq!(gone.first_name, "Raderad");
    assert!(gone.archived && gone.email.as_str().ends_with("@invalid"));
    assert_eq!(
        app.store.get_booking(booking_id).await.unwrap().status,
        thirdplace_domain::booking::BookingStatus::Cancelled
    );
    let trail = erasures_of(&app, app.f.member.id).await;
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert_eq!(trail[0].actor_id, Some(app.f.admin.id));
    assert_eq!(
        trail[0].details["reason"],
        "Dnr 2026/117, begäran 2026-11-20"
    );
    assert_eq!(trail[0].details["cancelled_bookings"], 1);
    // A retry is a clear answer, and nothing is done or recorded twice.
    let (s, v) = erase_other(&app, &admin, app.f.member.id, "Dnr 2026/117").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["already_erased"], true, "{v}");
    assert_eq!(v["cancelled_bookings"], 0, "{v}");
    assert_eq!(erasures_of(&app, app.f.member.id).await.len(), 1);
    assert_eq!(app.store.get_person(app.f.member.id).await.unwrap(), gone);
}

async fn only_network_admins_erase_others_and_bad_requests_are_told_why(app: TestApp) {
    let member = app.f.member.id;
    for p in [&app.f.org_admin, &app.f.host, &app.f.member] {
        let token = app.token_for(p).await;
        let (s, v) = erase_other(&app, &token, member, "Dnr 1").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}: {v}", p.email);
        assert_eq!(error_code(&v), "forbidden", "{v}");
    }
    let r = app
        .client
        .post(app.url(&format!("/api/v1/people/{member}/erase")))
        .json(&json!({"reason": "Dnr 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = erase_other(&app, &admin, thirdplace_domain::new_id(), "Dnr 1").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = app
        .post_json(
            "/api/v1/people/nobody/erase",
            Some(&admin),
            &json!({"reason": "Dnr 1"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let long = "x".repeat(301);
    for reason in ["", "   ", long.as_str(), "Dnr \u{202E}1"] {
        let (s, v) = erase_other(&app, &admin, member, reason).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{reason:?}: {v}");
        assert!(v["error"]["message"].as_str().is_some(), "{v}");
    }
    let (s, v) = app
        .post_json(
            &format!("/api/v1/people/{member}/erase"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // The last network admin is refused, as in self-erasure.
    let answer = erase_other(&app, &admin, app.f.admin.id, "Dnr 2").await;
    the_last_admin_stays(&app, &admin, answer).await;
    assert!(!app.store.get_person(member).await.unwrap().archived);
    assert!(erasures_of(&app, member).await.is_empty());
    assert!(erasures_of(&app, app.f.admin.id).await.is_empty());
}

async fn the_person_page_erases_after_saying_what_happens(app: TestApp) {
    let member = app.f.member.id;
    let admin = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&admin, &format!("/admin/people/{member}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"/admin/people/{member}/erase\"")),
        "{html}"
    );
    let path = format!("/admin/people/{member}/erase");
    let (s, html) = app.page(&admin, &path).await;
    assert_eq!(s, StatusCode::OK);
    for said in [
        "avbokas utan kostnad",
        "väntelistan får platsen",
        "Namnet ersätts",
        "API-nycklar",
        "bokföringslagen",
        "kan inte ångras",
        app.f.member.email.as_str(),
    ] {
        assert!(html.contains(said), "{said} not in {html}");
    }
    assert!(html.contains(&format!("action=\"{path}\"")), "{html}");
    // Without a reason nothing happens, and the page says what is missing.
    let r = app.post_form(&admin, &path, &[("reason", " ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("Skriv ärendets referens"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(!app.store.get_person(member).await.unwrap().archived);
    // Without the CSRF field the form is refused.
    let r = admin
        .post(app.url(&path))
        .form(&[("reason", "Dnr 3")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(!app.store.get_person(member).await.unwrap().archived);
    // Other roles never see it.
    let org_admin = app.signed_in(&app.f.org_admin).await;
    let (s, _) = app.page(&org_admin, &path).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .post_form(&org_admin, &path, &[("reason", "Dnr 3")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (s, html) = app
        .page(&org_admin, &format!("/admin/people/{member}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("/erase"), "{html}");
    assert!(!app.store.get_person(member).await.unwrap().archived);
    // The erasure itself.
    let r = app.post_form(&admin, &path, &[("reason", "Dnr 3")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Personen är raderad"), "{html}");
    assert!(app.store.get_person(member).await.unwrap().archived);
    let trail = erasures_of(&app, member).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].actor_id, Some(app.f.admin.id));
    assert_eq!(trail[0].details["reason"], "Dnr 3");
    // Afterwards: said so, no form, no link, and a repeat does nothing.
    let (s, html) = app.page(&admin, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("redan raderad"), "{html}");
    assert!(!html.contains(&format!("action=\"{path}\"")), "{html}");
    let (_, html) = app.page(&admin, &format!("/admin/people/{member}")).await;
    assert!(!html.contains("/erase\""), "{html}");
    let r = app.post_form(&admin, &path, &[("reason", "Dnr 3")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(page_text(r).await.contains("redan raderad"));
    assert_eq!(erasures_of(&app, member).await.len(), 1);
    // The last network admin is refused with the reason kept in the form.
    let own = format!("/admin/people/{}/erase", app.f.admin.id);
    let r = app.post_form(&admin, &own, &[("reason", "Dnr 4")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = page_text(r).await;
    assert!(html.contains("sista nätverksadministratören"), "{html}");
    assert!(html.contains("value=\"Dnr 4\""), "{html}");
}

/// The operator of the fixture, with a contact address.
async fn with_contact(app: &TestApp) -> &'static str {
    let contact = "dataskydd@oskarshamn.example";
    let mut op = app.f.operator.clone();
    op.contact_email = Some(thirdplace_domain::Email::parse(contact).unwrap());
    app.store.update_operator(&op).await.unwrap();
    contact
}

async fn the_privacy_page_is_public_and_names_the_operator(app: TestApp) {
    let contact = with_contact(&app).await;
    let client = new_client();
    let (s, html) = app.page(&client, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("href=\"/privacy\"") && html.contains("href=\"/accessibility\""),
        "{html}"
    );
    let (s, html) = app.page(&client, "/privacy").await;
    assert_eq!(s, StatusCode::OK);
    for said in [
        "Så behandlar vi personuppgifter",
        app.f.operator.name.as_str(),
        "212000-0761",
        contact,
        "Avtal (medlemskap och bokningar",
        "Berättigat intresse",
        "Rättslig förpliktelse (bokföringslagen",
        "sju år",
        "/admin/retention",
        "organisations administratörer",
        "värdar ser vilka som är incheckade",
        "href=\"/account\"",
        "Integritetsskyddsmyndigheten",
        "https://www.imy.se/",
    ] {
        assert!(html.contains(said), "{said} not in {html}");
    }
    for a in thirdplace_web::people::processing::activities(thirdplace_web::i18n::Lang::Sv) {
        assert!(html.contains(&a.name), "{} not in {html}", a.name);
        assert!(html.contains(&a.purpose), "{} not in {html}", a.purpose);
    }
    // In English too.
    let r = app
        .post_form(&client, "/lang", &[("lang", "en"), ("next", "/privacy")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, html) = app.page(&client, "/privacy").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Privacy: how we process personal data"),
        "{html}"
    );
    assert!(
        html.contains("Legal obligation (Swedish Bookkeeping Act"),
        "{html}"
    );
    // Signed in, the account page leads to it.
    let member = app.signed_in(&app.f.member).await;
    let html = app.html(&member, "/account").await;
    assert!(
        html.contains("href=\"/privacy\">Läs hur vi behandlar personuppgifter"),
        "{html}"
    );
}

async fn the_accessibility_statement_is_public_and_honest(app: TestApp) {
    let contact = with_contact(&app).await;
    let (s, html) = app.page(&new_client(), "/accessibility").await;
    assert_eq!(s, StatusCode::OK);
    for said in [
        "<h1>Tillgänglighetsredogörelse</h1>",
        app.f.operator.name.as_str(),
        "2018:1937",
        "delvis förenlig",
        "Innehåll som inte är tillgängligt",
        "axe-core",
        "WCAG 2.1",
        "Tillsyn",
        "href=\"https://www.digg.se/\"",
        contact,
        thirdplace_web::people::notices::STATEMENT_DATE,
    ] {
        assert!(html.contains(said), "{said} not in {html}");
    }
    // Without an operator, the page says so rather than naming anyone.
    let mut op = app.f.operator.clone();
    op.archived = true;
    app.store.update_operator(&op).await.unwrap();
    let (s, html) = app.page(&new_client(), "/accessibility").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains(app.f.operator.name.as_str()), "{html}");
    assert!(
        html.contains("Ingen kontaktadress är registrerad"),
        "{html}"
    );
}

async fn the_record_of_processing_is_for_network_admins(app: TestApp) {
    use thirdplace_web::people::processing::ACTIVITIES;
    let admin = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&admin, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/admin/processing\""), "{html}");
    let (s, html) = app.page(&admin, "/admin/processing").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<h1>Registerförteckning</h1>"), "{html}");
    for a in thirdplace_web::people::processing::activities(thirdplace_web::i18n::Lang::Sv) {
        for text in [&a.name, &a.subjects, &a.security, &a.retention] {
            assert!(html.contains(text.as_str()), "{text} not in {html}");
        }
    }
    assert!(html.contains(app.f.operator.name.as_str()), "{html}");
    let r = admin
        .get(app.url("/admin/processing.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let rows = page_csv(r).await;
    assert_eq!(
        rows[0],
        [
            "Behandling",
            "Ändamål",
            "Kategorier av registrerade",
            "Kategorier av personuppgifter",
            "Mottagare",
            "Lagringstid",
            "Rättslig grund",
            "Säkerhetsåtgärder",
            "Tabeller i databasen"
        ]
    );
    let rows = &rows[1..];
    assert_eq!(rows.len(), ACTIVITIES.len());
    assert!(rows
        .iter()
        .any(|r| r[8].split(' ').any(|t| t == "guest_visits")));
    let r = admin
        .get(app.url("/admin/processing.json"))
        .send()
        .await
        .unwrap();
    let doc = attachment_json(r).await;
    assert_eq!(
        doc["activities"].as_array().unwrap().len(),
        ACTIVITIES.len()
    );
    assert_eq!(doc["controllers"][0]["name"], json!(app.f.operator.name));
    assert!(
        doc["activities"][0]["legal_basis"].as_array().is_some(),
        "{doc}"
    );
    for p in [&app.f.org_admin, &app.f.host, &app.f.member] {
        let client = app.signed_in(p).await;
        for path in [
            "/admin/processing",
            "/admin/processing.csv",
            "/admin/processing.json",
        ] {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path} for {}", p.email);
        }
    }
    let r = new_client()
        .get(app.url("/admin/processing"))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK);
}
