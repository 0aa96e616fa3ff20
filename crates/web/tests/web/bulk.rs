//! Seats for many people at once from a CSV list (issue 15): the page
//! (preview, then confirm) and its API twin
//! `POST /api/v1/organisations/{id}/seats/bulk`, on both databases.

use crate::common;

use chrono::NaiveDate;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirdplace_domain::membership::Seat;
use thirdplace_domain::{new_id, Person};
use thirdplace_store::AuditFilter;
use uuid::Uuid;

on_both_backends!(
    a_dry_run_tells_every_outcome_and_writes_nothing,
    confirming_places_each_line_once_and_a_replay_creates_no_one_twice,
    two_lists_at_once_never_take_a_seat_from_each_other,
    semicolons_a_header_and_a_text_csv_body_are_read,
    a_list_with_wrong_columns_is_refused_naming_the_line,
    too_few_seats_are_told_with_how_many_are_free_and_needed,
    the_page_previews_an_upload_then_confirms,
    the_page_tells_wrong_columns_and_missing_seats,
    only_the_organisations_admins_and_network_admins_may_use_it,
);

/// Buys `n` seats of a new plan for our organisation, held by no one.
async fn free_seats(app: &TestApp, n: usize) -> Vec<Seat> {
    let plan = network_plan();
    app.store.insert_plan(&plan).await.unwrap();
    let seats: Vec<Seat> = (0..n)
        .map(|_| Seat {
            id: new_id(),
            plan_id: plan.id,
            organisation_id: app.f.org.id,
            start_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            end_date: None,
            created_at: instant("2026-11-01T08:00:00Z"),
            selling_operator_id: None,
        })
        .collect();
    app.store.insert_seats(&seats).await.unwrap();
    seats
}

fn bulk_path(app: &TestApp) -> String {
    format!("/api/v1/organisations/{}/seats/bulk", app.f.org.id)
}

async fn send_list(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> (StatusCode, Value) {
    let path = format!("{}?dry_run={dry_run}", bulk_path(app));
    app.post_json(&path, Some(token), &json!({ "csv": csv }))
        .await
}

fn outcomes(v: &Value) -> Vec<&str> {
    v["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {v}"))
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect()
}

async fn person_by(app: &TestApp, email: &str) -> Option<Person> {
    app.store.find_person_by_email(email).await.unwrap()
}

/// Whether `p` holds one of our organisation's seats now.
async fn holds_seat(app: &TestApp, p: Uuid) -> bool {
    app.store
        .list_seats(app.f.org.id)
        .await
        .unwrap()
        .iter()
        .any(|s| s.holder.as_ref().is_some_and(|h| h.person_id == p))
}

async fn mails_to(app: &TestApp, address: &str) -> usize {
    let all = app.store.list_emails(10_000).await.unwrap();
    all.iter().filter(|e| e.to_address == address).count()
}

async fn a_dry_run_tells_every_outcome_and_writes_nothing(app: TestApp) {
    let f = &app.f;
    seat_of(&f.member).give(&app).await;
    free_seats(&app, 2).await;
    let pia = app
        .add_person(person("Pia", "Ek", "pia@test.example", Some(f.org.id)))
        .await;
    app.add_other_member().await;
    let mut gone = person("Gun", "Ek", "gun@test.example", Some(f.org.id));
    gone.archived = true;
    app.add_person(gone).await;
    let token = app.token_for(&f.org_admin).await;
    let csv = "Maja,Testsson,member@test.example\n\
               Pia,Ek,PIA@test.example\n\
               Nils,Nyman,nils@test.example\n\
               Nils,Nyman,nils@test.example\n\
               Ida,Ek,not-an-address\n\
               ,Ek,noname@test.example\n\
               Oskar,Testsson,othermember@test.example\n\
               Gun,Ek,gun@test.example\n\
               Sist,Ek,last@test.example\n";
    let (s, v) = send_list(&app, &token, csv, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        outcomes(&v),
        [
            "already_member",
            "give",
            "invite",
            "duplicate",
            "invalid_email",
            "missing_name",
            "other_organisation",
            "person_archived",
            "no_free_seat",
        ]
    );
    assert_eq!(v["applied"], false);
    assert_eq!(
        (v["free_seats"].as_u64(), v["needed"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(v["rows"][3]["duplicate_of"], 3);
    assert_eq!(v["rows"][1]["person_id"], pia.id.to_string());
    assert_eq!(v["rows"][0]["line"], 1);
    // Nothing was written.
    assert!(person_by(&app, "nils@test.example").await.is_none());
    assert!(!holds_seat(&app, pia.id).await);
    assert_eq!(mails_to(&app, "nils@test.example").await, 0);
}

async fn confirming_places_each_line_once_and_a_replay_creates_no_one_twice(app: TestApp) {
    let f = &app.f;
    free_seats(&app, 3).await;
    let token = app.token_for(&f.org_admin).await;
    let csv = "Maja,Testsson,member@test.example\nNils,Nyman,nils@test.example\n";
    let (s, v) = send_list(&app, &token, csv, false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["applied"], true);
    assert_eq!(outcomes(&v), ["give", "invite"]);
    assert!(v["rows"][1]["seat_id"].is_string(), "{v}");
    let nils = person_by(&app, "nils@test.example").await.unwrap();
    assert_eq!(nils.organisation_id, Some(f.org.id));
    assert_eq!(
        (nils.first_name.as_str(), nils.last_name.as_str()),
        ("Nils", "Nyman")
    );
    assert!(holds_seat(&app, nils.id).await);
    assert!(holds_seat(&app, f.member.id).await);
    // The new person is invited; Maja has a password already.
    assert_eq!(mails_to(&app, "nils@test.example").await, 1);
    assert_eq!(mails_to(&app, "member@test.example").await, 0);
    // Audited like the single-seat path.
    let audit = app
        .store
        .list_audit(&AuditFilter {
            actor_id: Some(f.org_admin.id),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "seat.assigned").count(),
        2,
        "{actions:?}"
    );
    assert!(actions.contains(&"person.created"), "{actions:?}");

    // The same list again: everyone is already a member, no one is added.
    let (s, again) = send_list(&app, &token, csv, false).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(outcomes(&again), ["already_member", "already_member"]);
    assert_eq!(again["free_seats"], 1);
    let people = app.store.list_people(Some(f.org.id)).await.unwrap();
    assert_eq!(
        people
            .iter()
            .filter(|p| p.email.as_str() == "nils@test.example")
            .count(),
        1
    );
    assert_eq!(mails_to(&app, "nils@test.example").await, 1);
}

/// Two admins send different lists at the same moment for the last two
/// seats: each seat ends with one of the new people, nobody is moved out
/// of a seat someone else was just given, and whoever got none is told so.
async fn two_lists_at_once_never_take_a_seat_from_each_other(app: TestApp) {
    let f = &app.f;
    let seats = free_seats(&app, 2).await;
    let token = app.token_for(&f.org_admin).await;
    let a = "Alva,Ek,alva@test.example\nBirk,Ek,birk@test.example\n";
    let b = "Cleo,Al,cleo@test.example\nDag,Al,dag@test.example\n";
    let ((sa, va), (sb, vb)) = tokio::join!(
        send_list(&app, &token, a, false),
        send_list(&app, &token, b, false)
    );
    assert_eq!((sa, sb), (StatusCode::OK, StatusCode::OK), "{va} {vb}");
    let placed: Vec<&Value> = [&va, &vb]
        .iter()
        .flat_map(|v| v["rows"].as_array().unwrap())
        .filter(|r| r["seat_id"].is_string())
        .collect();
    assert_eq!(placed.len(), 2, "{va} {vb}");
    let mut seat_ids: Vec<&str> = placed
        .iter()
        .map(|r| r["seat_id"].as_str().unwrap())
        .collect();
    seat_ids.sort();
    seat_ids.dedup();
    assert_eq!(seat_ids.len(), 2, "each seat given once: {va} {vb}");
    // Every seat has had exactly one holder: none was moved on.
    for seat in &seats {
        assert_eq!(app.store.seat_history(seat.id).await.unwrap().len(), 1);
    }
    let unplaced = [&va, &vb]
        .iter()
        .flat_map(|v| v["rows"].as_array().unwrap())
        .filter(|r| !r["seat_id"].is_string())
        .count();
    assert_eq!(unplaced, 2, "{va} {vb}");
}

async fn semicolons_a_header_and_a_text_csv_body_are_read(app: TestApp) {
    free_seats(&app, 1).await;
    let token = app.token_for(&app.f.admin).await;
    let csv = "\u{feff}Förnamn;Efternamn;E-post\r\nÅsa;Öberg;asa@test.example\r\n";
    let r = app
        .client
        .post(app.url(&format!("{}?dry_run=true", bulk_path(&app))))
        .bearer_auth(&token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(outcomes(&v), ["invite"]);
    assert_eq!(v["rows"][0]["line"], 2);
    assert_eq!(v["rows"][0]["first_name"], "Åsa");
    assert_eq!(v["rows"][0]["last_name"], "Öberg");

    // An English header with commas.
    let csv = "First name,Last name,Email\nBo,Ek,bo@test.example\n";
    let (s, v) = send_list(&app, &token, csv, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(outcomes(&v), ["invite"]);

    // Neither text nor JSON.
    let r = app
        .client
        .post(app.url(&bulk_path(&app)))
        .bearer_auth(&token)
        .header("content-type", "application/xml")
        .body("<list/>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), "unsupported_media_type");
}

async fn a_list_with_wrong_columns_is_refused_naming_the_line(app: TestApp) {
    free_seats(&app, 3).await;
    let token = app.token_for(&app.f.org_admin).await;
    let csv = "Anna,Berg,anna@test.example\nBo,bo@test.example\n";
    let (s, v) = send_list(&app, &token, csv, false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), "csv_columns");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.to_lowercase().contains("line 2 has 2"), "{message}");
    // Nothing half-done: the valid first line was not applied either.
    assert!(person_by(&app, "anna@test.example").await.is_none());

    let (s, v) = send_list(&app, &token, "\n\n", true).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), "csv_empty");
}

async fn too_few_seats_are_told_with_how_many_are_free_and_needed(app: TestApp) {
    free_seats(&app, 1).await;
    let token = app.token_for(&app.f.org_admin).await;
    let csv = "Anna,Berg,anna@test.example\nBo,Ek,bo@test.example\nCe,Ek,ce@test.example\n";
    let (s, v) = send_list(&app, &token, csv, false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(outcomes(&v), ["invite", "no_free_seat", "no_free_seat"]);
    assert_eq!(
        (v["free_seats"].as_u64(), v["needed"].as_u64()),
        (Some(1), Some(3))
    );
    // The lines that fit were placed, the others left untouched.
    assert!(person_by(&app, "anna@test.example").await.is_some());
    assert!(person_by(&app, "bo@test.example").await.is_none());
}

async fn the_page_previews_an_upload_then_confirms(app: TestApp) {
    free_seats(&app, 2).await;
    let client = app.signed_in(&app.f.org_admin).await;
    let seats = format!("/admin/organisations/{}/seats", app.f.org.id);
    let page = format!("{seats}/bulk");
    let (s, html) = app.page(&client, &seats).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"{page}\"")),
        "the seats page links the bulk page"
    );
    let (s, html) = app.page(&client, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("<label for=\"bulk-file\">"), "{html}");
    let csrf = hidden_csrf(&html);

    // Upload a semicolon file (Swedish Excel) with a header.
    let file = "Förnamn;Efternamn;E-post\r\nMaja;Testsson;member@test.example\r\nNils;Nyman;nils@test.example\r\nNils;Nyman;nils@test.example\r\n";
    let r = app
        .post_multipart(
            &client,
            &page,
            &[
                ("_csrf", None, csrf.as_str()),
                ("step", None, "preview"),
                ("csv", None, ""),
                ("file", Some("personal.csv"), file),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Förhandsgranskning"), "{html}");
    assert!(html.contains("Får en plats"), "{html}");
    assert!(
        html.contains("Läggs till, får en plats och en inbjudan"),
        "{html}"
    );
    assert!(html.contains("Samma e-postadress som rad 3"), "{html}");
    assert!(
        person_by(&app, "nils@test.example").await.is_none(),
        "a preview writes nothing"
    );

    // Confirm with the list the preview carries.
    let marker = "name=\"csv\" value=\"";
    let at = html
        .find(marker)
        .expect("the confirm form carries the list")
        + marker.len();
    let carried = &html[at..at + html[at..].find('"').unwrap()];
    assert!(carried.contains("nils@test.example"), "{carried}");
    let list = file.to_string();
    let confirm = [
        ("_csrf", csrf.as_str()),
        ("step", "confirm"),
        ("csv", list.as_str()),
    ];
    let r = client
        .post(app.url(&page))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Resultat"), "{html}");
    assert!(html.contains("Fick en plats"), "{html}");
    assert!(
        html.contains("Tillagd, fick en plats och en inbjudan"),
        "{html}"
    );
    let nils = person_by(&app, "nils@test.example").await.unwrap();
    assert!(holds_seat(&app, nils.id).await);

    // Sent again (the browser's back and resubmit): nothing new.
    let r = client
        .post(app.url(&page))
        .form(&confirm)
        .send()
        .await
        .unwrap();
    let html = page_text(r).await;
    assert!(
        html.contains("Har redan en plats i organisationen"),
        "{html}"
    );
    assert!(!html.contains("Tillagd, fick"), "{html}");
    assert_eq!(mails_to(&app, "nils@test.example").await, 1);

    // The seats page shows who is invited and who has activated.
    let (_, html) = app.page(&client, &seats).await;
    assert!(html.contains("Inbjuden"), "{html}");
    assert!(html.contains("Aktiverat"), "{html}");
    // So does the list of people.
    let people = format!("/admin/people?organisation={}", app.f.org.id);
    let (s, html) = app.page(&client, &people).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<th scope=\"col\">Konto</th>"), "{html}");
    assert!(html.contains("<td>Inbjuden</td>"), "{html}");
    assert!(html.contains("<td>Aktiverat</td>"), "{html}");
}

async fn the_page_tells_wrong_columns_and_missing_seats(app: TestApp) {
    free_seats(&app, 1).await;
    let client = app.signed_in(&app.f.admin).await;
    let page = format!("/admin/organisations/{}/seats/bulk", app.f.org.id);
    let csv = "Anna,Berg,anna@test.example\n\nBo,Ek\n";
    let r = app
        .post_form(&client, &page, &[("step", "preview"), ("csv", csv)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("Rad 3 har 2 kolumner"), "{html}");
    assert!(
        html.contains("Anna,Berg"),
        "the list is shown again to correct: {html}"
    );

    let csv = "Anna,Berg,anna@test.example\nBo,Ek,bo@test.example\n";
    let r = app
        .post_form(&client, &page, &[("step", "preview"), ("csv", csv)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(
        html.contains("Organisationen har 1 lediga platser men listan behöver 2."),
        "{html}"
    );
    assert!(html.contains("Ingen ledig plats"), "{html}");
    let buy = format!("href=\"/admin/organisations/{}/seats#buy-h\"", app.f.org.id);
    assert!(html.contains(&buy), "{html}");

    // In English.
    app.post_form(&client, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let r = app
        .post_form(&client, &page, &[("step", "preview"), ("csv", "Bo;Ek\n")])
        .await;
    let html = page_text(r).await;
    assert!(html.contains("Line 1 has 2 columns"), "{html}");
}

async fn only_the_organisations_admins_and_network_admins_may_use_it(app: TestApp) {
    free_seats(&app, 2).await;
    let f = &app.f;
    let mut other_admin = person(
        "Ola",
        "Testsson",
        "otheradmin@test.example",
        Some(f.other_org.id),
    );
    other_admin.admin_of_organisation_ids = vec![f.other_org.id];
    let other_admin = app.add_person(other_admin).await;
    app.store
        .set_password_hash(
            other_admin.id,
            &thirdplace_web::people::auth::hash_password(PASSWORD),
        )
        .await
        .unwrap();
    let csv = "Nils,Nyman,nils@test.example\n";
    let token = app.token_for(&other_admin).await;
    let (s, v) = send_list(&app, &token, csv, false).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let token = app.token_for(&f.member).await;
    let (s, _) = send_list(&app, &token, csv, false).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .client
        .post(app.url(&bulk_path(&app)))
        .json(&json!({ "csv": csv }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let page = format!("/admin/organisations/{}/seats/bulk", f.org.id);
    let client = app.signed_in(&other_admin).await;
    let (s, _) = app.page(&client, &page).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .post_form(&client, &page, &[("step", "confirm"), ("csv", csv)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let anonymous = new_client();
    let (s, html) = app.page(&anonymous, &page).await;
    assert_ne!(s, StatusCode::OK, "{html}");
    assert!(!html.contains("bulk-csv"), "{html}");
    assert!(person_by(&app, "nils@test.example").await.is_none());
}
