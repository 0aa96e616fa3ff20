//! Getting in without a known password, on SQLite and PostgreSQL: a reset
//! link is asked for with the same answer whether or not the address is
//! known, arrives through the outbox (where admins cannot read its secret),
//! works once and ends every session; used, expired and forged links get
//! a clear 4xx page; asking is throttled per address and per source; an
//! invitation link activates an account once the terms are accepted.

use crate::common;

use chrono::Duration;
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::json;
use thirdplace_domain::Person;
use thirdplace_store::{OutgoingEmail, TokenKind};
use uuid::Uuid;

on_both_backends!(
    asking_for_a_reset_answers_alike_and_mails_only_known_addresses,
    a_reset_link_works_once_and_ends_every_session,
    expired_and_forged_links_get_clear_pages,
    asking_for_resets_is_throttled_per_address_and_per_source,
    an_invitation_link_activates_the_account_once_the_terms_are_accepted,
    creating_a_person_or_giving_a_seat_to_one_without_a_password_invites_them,
    the_admin_page_shows_the_invitation_and_sends_it_again_or_revokes_it,
    the_api_shows_sends_again_and_revokes_an_invitation,
);

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn mails_to(app: &TestApp, address: &str) -> Vec<OutgoingEmail> {
    let mut all = app.store.list_emails(10_000).await.unwrap();
    all.retain(|e| e.to_address == address);
    all
}

/// The path of the one-time link in the newest e-mail to `address`.
async fn link_to(app: &TestApp, address: &str, prefix: &str) -> String {
    let mails = mails_to(app, address).await;
    let body = &mails.first().expect("an e-mail with a link").body;
    let at = body.find(prefix).expect("the link") + prefix.len();
    let secret: String = body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(secret.len(), 43, "256 bits, base64url: {body}");
    format!("{prefix}{secret}")
}

async fn ask_for_reset(app: &TestApp, client: &Client, address: &str) -> (StatusCode, String) {
    let r = app
        .post_form(client, "/access/forgot", &[("email", address)])
        .await;
    (r.status(), page_text(r).await)
}

async fn choose(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)]) -> StatusCode {
    app.post_form(client, path, fields).await.status()
}

async fn asking_for_a_reset_answers_alike_and_mails_only_known_addresses(app: TestApp) {
    let client = new_client();
    let (s, login) = app.page(&client, "/login").await;
    assert_eq!(s, StatusCode::OK);
    assert!(login.contains("href=\"/access/forgot\""), "{login}");
    assert!(login.contains("Glömt lösenordet?"));
    let (s, form) = app.page(&client, "/access/forgot").await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("<label for=\"email\">"), "{form}");
    let member = app.f.member.email.as_str();
    let (known_status, known) = ask_for_reset(&app, &client, member).await;
    let (unknown_status, unknown) = ask_for_reset(&app, &client, "nobody@nowhere.example").await;
    assert_eq!(known_status, StatusCode::OK);
    assert_eq!(unknown_status, StatusCode::OK);
    assert_eq!(known, unknown, "the answer must not tell");
    assert!(known.contains("Om adressen finns hos oss"), "{known}");
    assert!(mails_to(&app, "nobody@nowhere.example").await.is_empty());
    let mails = mails_to(&app, member).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.contains("Välj ett nytt lösenord"));
    assert!(mails[0].body.contains("Choose") || mails[0].body.contains("choose"));
    let link = link_to(&app, member, "/access/reset/").await;
    // Admins see the message in the outbox, but not the link's secret.
    let admin = app.signed_in(&app.f.admin).await;
    let (s, outbox) = app.page(&admin, "/admin/outbox").await;
    assert_eq!(s, StatusCode::OK);
    assert!(outbox.contains("/access/reset/…"), "{outbox}");
    assert!(!outbox.contains(&link), "the outbox shows the secret");
    // A malformed address is told so (that says nothing about accounts).
    let (s, _) = ask_for_reset(&app, &client, "not an address").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_reset_link_works_once_and_ends_every_session(app: TestApp) {
    let member: &Person = &app.f.member;
    let elsewhere = app.signed_in(member).await;
    assert_eq!(app.page(&elsewhere, "/account").await.0, StatusCode::OK);
    let client = new_client();
    ask_for_reset(&app, &client, member.email.as_str()).await;
    let link = link_to(&app, member.email.as_str(), "/access/reset/").await;
    let (s, form) = app.page(&client, &link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("<h1>Välj ett nytt lösenord</h1>"), "{form}");
    assert!(form.contains("<label for=\"password\">"));
    assert!(form.contains("<label for=\"password_again\">"));
    let short = [("password", "short"), ("password_again", "short")];
    assert_eq!(
        choose(&app, &client, &link, &short).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let differ = [
        ("password", NEW_PASSWORD),
        ("password_again", "another long password"),
    ];
    assert_eq!(
        choose(&app, &client, &link, &differ).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let good = [("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)];
    let r = app.post_form(&client, &link, &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account");
    // Signed in here, signed out everywhere else.
    assert_eq!(app.page(&client, "/account").await.0, StatusCode::OK);
    assert_ne!(app.page(&elsewhere, "/account").await.0, StatusCode::OK);
    // The new password signs in; the old one no longer does.
    let old = app
        .post_form(
            &new_client(),
            "/login",
            &[
                ("email", member.email.as_str()),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .post_form(
            &new_client(),
            "/login",
            &[
                ("email", member.email.as_str()),
                ("password", NEW_PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER);
    // Replaying the link is refused with a page that says why.
    let (s, page) = app.page(&new_client(), &link).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("Länken har redan använts"), "{page}");
    let replay = [
        ("password", "an attackers password"),
        ("password_again", "an attackers password"),
    ];
    assert_eq!(
        choose(&app, &new_client(), &link, &replay).await,
        StatusCode::GONE
    );
}

async fn expired_and_forged_links_get_clear_pages(app: TestApp) {
    let member = app.f.member.email.as_str();
    let client = new_client();
    ask_for_reset(&app, &client, member).await;
    let first = link_to(&app, member, "/access/reset/").await;
    // A newer link replaces the older one.
    app.clock.set(app.clock.now() + Duration::minutes(1));
    ask_for_reset(&app, &client, member).await;
    let second = link_to(&app, member, "/access/reset/").await;
    assert_ne!(first, second);
    let (s, page) = app.page(&client, &first).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("ersatts av en nyare"), "{page}");
    // An hour later the link has expired.
    app.clock.set(app.clock.now() + Duration::minutes(60));
    let (s, page) = app.page(&client, &second).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("Länken har slutat gälla"), "{page}");
    let good = [("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)];
    assert_eq!(
        choose(&app, &client, &second, &good).await,
        StatusCode::GONE
    );
    // Forged, cut short, or a reset link used as an invitation: not found.
    let invitation_path = second.replace("/access/reset/", "/access/invitation/");
    for forged in [
        "/access/reset/forged",
        &second[..second.len() - 1],
        &invitation_path,
    ] {
        let (s, page) = app.page(&client, forged).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{forged}");
        assert!(page.contains("Länken är inte giltig"), "{page}");
        assert_eq!(
            choose(&app, &client, forged, &good).await,
            StatusCode::NOT_FOUND
        );
    }
    // In English too.
    let english = new_client();
    app.post_form(&english, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (_, page) = app.page(&english, "/access/reset/forged").await;
    assert!(page.contains("The link is not valid"), "{page}");
}

async fn asking_for_resets_is_throttled_per_address_and_per_source(app: TestApp) {
    let client = new_client();
    let member = app.f.member.email.as_str();
    for _ in 0..3 {
        assert_eq!(ask_for_reset(&app, &client, member).await.0, StatusCode::OK);
    }
    let r = app
        .post_form(&client, "/access/forgot", &[("email", member)])
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert_eq!(mails_to(&app, member).await.len(), 3);
    // Other addresses from the same source: ten in all, then no more.
    for i in 3..10 {
        let other = format!("someone{i}@nowhere.example");
        assert_eq!(ask_for_reset(&app, &client, &other).await.0, StatusCode::OK);
    }
    let (s, _) = ask_for_reset(&app, &client, "one-more@nowhere.example").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // An hour later the address may ask again.
    app.clock.set(app.clock.now() + Duration::minutes(61));
    assert_eq!(ask_for_reset(&app, &client, member).await.0, StatusCode::OK);
    assert_eq!(mails_to(&app, member).await.len(), 4);
}

async fn an_invitation_link_activates_the_account_once_the_terms_are_accepted(app: TestApp) {
    let newcomer = person("Nils", "Ny", "nils@oskarshamn.example", Some(app.f.org.id));
    app.store.insert_person(&newcomer).await.unwrap();
    thirdplace_web::access::service::send_link(
        &app.state,
        &app.base,
        TokenKind::Invitation,
        &newcomer,
        Some(app.f.admin.id),
    )
    .await
    .unwrap();
    let mails = mails_to(&app, "nils@oskarshamn.example").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].body.contains("Hej Nils!"), "{}", mails[0].body);
    assert!(mails[0].body.contains("7 dagar"));
    let link = link_to(&app, "nils@oskarshamn.example", "/access/invitation/").await;
    let client = new_client();
    let (s, form) = app.page(&client, &link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("<label for=\"accept\">"), "{form}");
    assert!(form.contains("href=\"/privacy\""));
    let unaccepted = [("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)];
    assert_eq!(
        choose(&app, &client, &link, &unaccepted).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.store.password_hash(newcomer.id).await.unwrap(), None);
    let accepted = [
        ("password", NEW_PASSWORD),
        ("password_again", NEW_PASSWORD),
        ("accept", "yes"),
    ];
    let r = app.post_form(&client, &link, &accepted).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account/card");
    assert!(app
        .store
        .password_hash(newcomer.id)
        .await
        .unwrap()
        .is_some());
    let token = app
        .store
        .latest_token(newcomer.id, TokenKind::Invitation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.created_by, Some(app.f.admin.id));
    assert!(token.used_at.is_some());
    assert_eq!(
        choose(&app, &new_client(), &link, &accepted).await,
        StatusCode::GONE
    );
}

async fn creating_a_person_or_giving_a_seat_to_one_without_a_password_invites_them(app: TestApp) {
    let org_admin = app.token_for(&app.f.org_admin).await;
    let org_id = app.f.org.id;
    let body = json!({"first_name": "Tove", "last_name": "Berg", "email": "tove@oskarshamn.example", "organisation_id": org_id});
    let (s, v) = app
        .post_json("/api/v1/people", Some(&org_admin), &body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let tove = v["id"].as_str().unwrap().parse().unwrap();
    let link = link_to(&app, "tove@oskarshamn.example", "/access/invitation/").await;
    let invitation = app
        .store
        .latest_token(tove, TokenKind::Invitation)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(invitation.created_by, Some(app.f.org_admin.id));
    // A seat given to her while the invitation is live sends no second one.
    let seat = seat_of(&app.f.org_admin).give(&app).await;
    let holder = format!("/api/v1/seats/{}/holder", seat.id);
    let (s, v) = app
        .put_json(&holder, Some(&org_admin), &json!({ "person_id": tove }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(mails_to(&app, "tove@oskarshamn.example").await.len(), 1);
    // Once it has expired, giving her a seat invites her again.
    app.clock.set(app.clock.now() + Duration::days(8));
    let (s, _) = app
        .put_json(&holder, Some(&org_admin), &json!({ "person_id": null }))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .put_json(&holder, Some(&org_admin), &json!({ "person_id": tove }))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mails_to(&app, "tove@oskarshamn.example").await.len(), 2);
    let newer = link_to(&app, "tove@oskarshamn.example", "/access/invitation/").await;
    assert_ne!(newer, link);
    assert_eq!(app.page(&new_client(), &link).await.0, StatusCode::GONE);
    // Someone who already has a password is not invited.
    let (s, _) = app
        .put_json(
            &holder,
            Some(&org_admin),
            &json!({ "person_id": app.f.member.id }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(mails_to(&app, app.f.member.email.as_str()).await.is_empty());
}

async fn the_admin_page_shows_the_invitation_and_sends_it_again_or_revokes_it(app: TestApp) {
    let oa = app.signed_in(&app.f.org_admin).await;
    let org = app.f.org.id.to_string();
    let tove = "tove@oskarshamn.example";
    // Creating a person on the admin page invites them, as the API does.
    let fields = [
        ("first_name", "Tove"),
        ("last_name", "Berg"),
        ("email", tove),
        ("organisation_id", org.as_str()),
    ];
    let r = app.post_form(&oa, "/admin/people/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let person_page = location(&r).split('?').next().unwrap().to_string();
    assert_eq!(mails_to(&app, tove).await.len(), 1);
    let first = link_to(&app, tove, "/access/invitation/").await;
    // Valid seven days, told in Swedish time (UTC+1 in November).
    let (s, html) = app.page(&oa, &person_page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Inbjuden, länken gäller till 2026-11-30 10:00"),
        "{html}"
    );
    assert!(html.contains("Skicka inbjudan igen") && html.contains("Återkalla inbjudan"));
    // Sending it again mails a new link and revokes the old one.
    app.clock.set(app.clock.now() + Duration::minutes(1));
    let again = format!("{person_page}/invitation/send");
    let r = app.post_form(&oa, &again, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), person_page);
    assert_eq!(mails_to(&app, tove).await.len(), 2);
    let second = link_to(&app, tove, "/access/invitation/").await;
    assert_ne!(first, second);
    assert_eq!(app.page(&new_client(), &first).await.0, StatusCode::GONE);
    assert_eq!(app.page(&new_client(), &second).await.0, StatusCode::OK);
    // Revoking it makes the link gone.
    let r = app
        .post_form(&oa, &format!("{person_page}/invitation/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, page) = app.page(&new_client(), &second).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(page.contains("dragits tillbaka"), "{page}");
    let html = app.page(&oa, &person_page).await.1;
    assert!(html.contains("Inte inbjuden."), "{html}");
    assert!(html.contains("Skicka inbjudan") && !html.contains("Återkalla inbjudan"));
    // An invitation that ran out says so, in English too.
    app.post_form(&oa, &again, &[]).await;
    app.clock.set(app.clock.now() + Duration::days(8));
    assert!(app
        .page(&oa, &person_page)
        .await
        .1
        .contains("Inbjudan har gått ut."));
    app.post_form(&oa, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let html = app.page(&oa, &person_page).await.1;
    assert!(html.contains("The invitation has expired."), "{html}");
    assert!(html.contains("Send the invitation again"));
    // The admin of another organisation may not touch the invitation.
    let other = person(
        "Olle",
        "Annan",
        "olle@annan.example",
        Some(app.f.other_org.id),
    );
    app.store.insert_person(&other).await.unwrap();
    let path = format!("/admin/people/{}/invitation", other.id);
    let send = format!("{path}/send");
    assert_eq!(
        app.post_form(&oa, &send, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let revoke = format!("{path}/revoke");
    assert_eq!(
        app.post_form(&oa, &revoke, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(mails_to(&app, "olle@annan.example").await.is_empty());
    // An archived person is not invited and cannot be.
    let admin = app.signed_in(&app.f.admin).await;
    let archived = Person {
        archived: true,
        ..other
    };
    app.store.update_person(&archived).await.unwrap();
    let archived_page = format!("/admin/people/{}", archived.id);
    let html = app.page(&admin, &archived_page).await.1;
    assert!(
        html.contains("Not invited.") || html.contains("Inte inbjuden."),
        "{html}"
    );
    assert!(!html.contains("/invitation/send"), "{html}");
    let r = app
        .post_form(&admin, &format!("{archived_page}/invitation/send"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Someone with a password is activated and cannot be invited.
    let member_page = format!("/admin/people/{}", app.f.member.id);
    let html = app.page(&admin, &member_page).await.1;
    assert!(html.contains("Aktiverad"), "{html}");
    assert!(!html.contains("Skicka inbjudan"));
    let r = app
        .post_form(&admin, &format!("{member_page}/invitation/send"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(page_text(r)
        .await
        .contains("har redan aktiverat sitt konto"));
    assert!(mails_to(&app, app.f.member.email.as_str()).await.is_empty());
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str) -> StatusCode {
    let r = app.client.request(method, app.url(path)).bearer_auth(token);
    r.send().await.unwrap().status()
}

async fn the_api_shows_sends_again_and_revokes_an_invitation(app: TestApp) {
    let token = app.token_for(&app.f.org_admin).await;
    let tove = "tove@oskarshamn.example";
    let body = json!({"first_name": "Tove", "last_name": "Berg", "email": tove, "organisation_id": app.f.org.id});
    let (s, v) = app.post_json("/api/v1/people", Some(&token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let path = format!("/api/v1/people/{}/invitation", v["id"].as_str().unwrap());
    let (s, v) = app.get_json_with(&token, &path).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "invited");
    assert!(
        v["expires_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-30T09:00"),
        "{v}"
    );
    let first = link_to(&app, tove, "/access/invitation/").await;
    // Sent again: a new link, the old one gone.
    app.clock.set(app.clock.now() + Duration::minutes(1));
    let (s, v) = app.post_json(&path, Some(&token), &json!(null)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["state"], "invited");
    assert_eq!(mails_to(&app, tove).await.len(), 2);
    let second = link_to(&app, tove, "/access/invitation/").await;
    assert_eq!(app.page(&new_client(), &first).await.0, StatusCode::GONE);
    // Revoked: the link is gone and the person not invited.
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &path, &token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.page(&new_client(), &second).await.0, StatusCode::GONE);
    let (_, v) = app.get_json_with(&token, &path).await;
    assert_eq!(v["state"], "not_invited");
    assert_eq!(v["expires_at"], serde_json::Value::Null);
    // Someone with a password cannot be invited.
    let member = format!("/api/v1/people/{}/invitation", app.f.member.id);
    let admin = app.token_for(&app.f.admin).await;
    assert_eq!(
        app.get_json_with(&admin, &member).await.1["state"],
        "activated"
    );
    let (s, v) = app.post_json(&member, Some(&admin), &json!(null)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(error_code(&v), "already_activated");
    // Another organisation's people are not found by this admin; members
    // may not ask at all.
    let other = person(
        "Olle",
        "Annan",
        "olle@annan.example",
        Some(app.f.other_org.id),
    );
    app.store.insert_person(&other).await.unwrap();
    let elsewhere = format!("/api/v1/people/{}/invitation", other.id);
    for method in [
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::DELETE,
    ] {
        let s = send(&app, method, &elsewhere, &token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let unknown = format!("/api/v1/people/{}/invitation", Uuid::nil());
    assert_eq!(
        send(&app, reqwest::Method::GET, &unknown, &admin).await,
        StatusCode::NOT_FOUND
    );
    let member_token = app.token_for(&app.f.member).await;
    assert_eq!(
        send(&app, reqwest::Method::GET, &member, &member_token).await,
        StatusCode::FORBIDDEN
    );
    assert!(mails_to(&app, "olle@annan.example").await.is_empty());
}

/// Anyone may ask for a reset link, so the `Host` header they send must not
/// choose where the secret link leads: without a public URL the link leads
/// to where the server listens, with one to the public URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_never_leads_to_the_host_the_asker_named() {
    for (public_url, listen_origin, expected) in [
        (
            None,
            Some("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/access/reset/",
        ),
        (
            Some("https://hubbar.example.se"),
            Some("http://127.0.0.1:8080"),
            "https://hubbar.example.se/access/reset/",
        ),
    ] {
        let config = thirdplace_web::WebConfig {
            public_url: public_url.map(str::to_owned),
            listen_origin: listen_origin.map(str::to_owned),
            ..Default::default()
        };
        let app = spawn_app_with(Backend::Sqlite, config).await.unwrap();
        let client = new_client();
        let csrf = app.csrf(&client, "/access/forgot").await;
        let member = app.f.member.email.as_str();
        let r = client
            .post(app.url("/access/forgot"))
            .header(reqwest::header::HOST, "evil.example")
            .form(&[("_csrf", csrf.as_str()), ("email", member)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let mails = mails_to(&app, member).await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].body.contains(expected), "{}", mails[0].body);
        assert!(!mails[0].body.contains("evil.example"), "{}", mails[0].body);
    }
}
