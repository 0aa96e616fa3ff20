//! Getting in without a known password, on SQLite and PostgreSQL: a reset
//! link is asked for with the same answer whether or not the address is
//! known, arrives through the outbox (where admins cannot read its secret),
//! works once and ends every session; used, expired and forged links get
//! a clear 4xx page; asking is throttled per address and per source; an
//! invitation link activates an account once the terms are accepted.

mod common;

use chrono::Duration;
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::json;
use thirdplace_domain::Person;
use thirdplace_store::{OutgoingEmail, TokenKind};

on_both_backends!(
    asking_for_a_reset_answers_alike_and_mails_only_known_addresses,
    a_reset_link_works_once_and_ends_every_session,
    expired_and_forged_links_get_clear_pages,
    asking_for_resets_is_throttled_per_address_and_per_source,
    an_invitation_link_activates_the_account_once_the_terms_are_accepted,
    creating_a_person_or_giving_a_seat_to_one_without_a_password_invites_them,
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
