//! Sessions people understand (issue 15), on SQLite and PostgreSQL: the
//! list of one's sessions and tokens with where and when they were used,
//! signing out one session or everywhere, a new session id at every
//! sign-in, and the language: the browser's until the person picks one,
//! then theirs on every device.

use crate::common;

use chrono::Duration;
use common::*;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use thirdplace_domain::Person;

on_both_backends!(
    the_account_lists_my_sessions_with_this_device_marked,
    a_use_is_recorded_at_most_once_a_minute,
    signing_out_one_session_ends_only_that_one,
    signing_out_everywhere_ends_every_device_and_says_so,
    a_session_cookie_from_before_sign_in_is_never_reused,
    another_person_cannot_end_my_session,
    the_api_lists_sessions_and_tokens_and_signs_out_everywhere,
    the_browser_language_is_used_until_one_is_chosen,
    the_chosen_language_follows_the_person_to_a_new_device,
    my_export_has_my_language_and_sessions,
);

const FIREFOX_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// A browser of its own: its cookie jar (to read cookies back) and its
/// user agent.
fn browser(user_agent: &str) -> (Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap();
    (client, jar)
}

/// The value of cookie `name` in `jar` for the app.
fn cookie(app: &TestApp, jar: &Jar, name: &str) -> Option<String> {
    let url = app.url("/").parse().unwrap();
    let header = jar.cookies(&url)?;
    header
        .to_str()
        .unwrap()
        .split("; ")
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

async fn sign_in(app: &TestApp, client: &Client, p: &Person) {
    let r = app
        .post_form(
            client,
            "/login",
            &[
                ("email", p.email.as_str()),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in as {}", p.email);
}

/// Whether `client` is signed in (the account page answers, not a redirect
/// to the sign-in page).
async fn signed_in(app: &TestApp, client: &Client) -> bool {
    let r = client.get(app.url("/account")).send().await.unwrap();
    match r.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER | StatusCode::FOUND => {
            assert!(location(&r).starts_with("/login"), "{}", location(&r));
            false
        }
        s => panic!("unexpected {s}"),
    }
}

/// The member's sessions as the API shows them to `token`.
async fn my_sessions(app: &TestApp, token: &str) -> Value {
    let (s, v) = app.get_json_with(token, "/api/v1/me/sessions").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn the_account_lists_my_sessions_with_this_device_marked(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    let (phone, _) = browser(SAFARI_IPHONE);
    sign_in(&app, &laptop, &app.f.member).await;
    sign_in(&app, &phone, &app.f.member).await;
    let (s, text) = app.page(&laptop, "/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("Inloggningar"), "{text}");
    assert!(
        text.contains("Firefox på Windows <strong>(den här enheten)"),
        "{text}"
    );
    assert!(text.contains("Safari på iPhone/iPad"), "{text}");
    assert!(
        !text.contains("Safari på iPhone/iPad <strong>(den här enheten)"),
        "{text}"
    );
    // Where: the address the app sees; when: Swedish time (09:00 UTC).
    assert!(text.contains("127.0.0.1"), "{text}");
    assert!(text.contains("2026-11-23 10:00"), "{text}");
    assert!(text.contains("Logga ut överallt"), "{text}");
    // The phone sees itself marked.
    let (_, text) = app.page(&phone, "/account").await;
    assert!(
        text.contains("Safari på iPhone/iPad <strong>(den här enheten)"),
        "{text}"
    );
}

async fn a_use_is_recorded_at_most_once_a_minute(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &laptop, &app.f.member).await;
    let last_used = || async {
        let s = app
            .store
            .list_sessions(app.f.member.id, app.clock.now())
            .await
            .unwrap();
        assert_eq!(s.len(), 1);
        s[0].last_used_at
    };
    assert_eq!(last_used().await, None, "signing in is no use yet");
    assert!(signed_in(&app, &laptop).await);
    let first = last_used().await.expect("the first use is recorded");
    assert!(signed_in(&app, &laptop).await);
    assert!(signed_in(&app, &laptop).await);
    assert_eq!(last_used().await, Some(first), "no write within the minute");
    app.clock.set(first + Duration::minutes(2));
    assert!(signed_in(&app, &laptop).await);
    let later = last_used().await.unwrap();
    assert!(later >= first + Duration::minutes(2), "{later}");

    // Tokens alike.
    let token = app.token_for(&app.f.member).await;
    app.get_json_with(&token, "/api/v1/me").await;
    let seen = app.store.api_tokens_seen(app.f.member.id).await.unwrap();
    let used = seen[0].last_used_at.expect("the token's use is recorded");
    assert_eq!(seen[0].last_used_source.as_deref(), Some("127.0.0.1"));
    app.get_json_with(&token, "/api/v1/me").await;
    let seen = app.store.api_tokens_seen(app.f.member.id).await.unwrap();
    assert_eq!(seen[0].last_used_at, Some(used));
}

async fn signing_out_one_session_ends_only_that_one(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    let (phone, _) = browser(SAFARI_IPHONE);
    sign_in(&app, &laptop, &app.f.member).await;
    sign_in(&app, &phone, &app.f.member).await;
    let token = app.token_for(&app.f.member).await;
    let sessions = my_sessions(&app, &token).await;
    let phone_id = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["browser"] == "safari")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_form(&laptop, &format!("/account/sessions/{phone_id}/end"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account#sessions-h");
    assert!(!signed_in(&app, &phone).await, "the phone is signed out");
    assert!(signed_in(&app, &laptop).await, "the laptop is not");
    let (_, text) = app.page(&laptop, "/account").await;
    assert!(!text.contains("Safari på iPhone/iPad"), "{text}");
    // Ending one's own session is signing out.
    let sessions = my_sessions(&app, &token).await;
    let own = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let r = app
        .post_form(&laptop, &format!("/account/sessions/{own}/end"), &[])
        .await;
    assert_eq!(location(&r), "/");
    assert!(!signed_in(&app, &laptop).await);
}

async fn signing_out_everywhere_ends_every_device_and_says_so(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    let (phone, _) = browser(SAFARI_IPHONE);
    let (colleague, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &laptop, &app.f.member).await;
    sign_in(&app, &phone, &app.f.member).await;
    sign_in(&app, &colleague, &app.f.host).await;
    let token = app.token_for(&app.f.member).await;
    let r = app
        .post_form(&laptop, "/account/sessions/sign-out-everywhere", &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = page_text(r).await;
    assert!(text.contains("Du är nu utloggad på alla enheter"), "{text}");
    assert!(text.contains("Logga in"), "{text}");
    assert!(!signed_in(&app, &laptop).await);
    assert!(!signed_in(&app, &phone).await);
    assert!(
        signed_in(&app, &colleague).await,
        "nobody else is signed out"
    );
    // Tokens are revoked one by one, not here.
    let (s, _) = app.get_json_with(&token, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
}

async fn a_session_cookie_from_before_sign_in_is_never_reused(app: TestApp) {
    // Someone signs in on their own, then plants their session cookie in
    // the browser the member is about to use.
    let (theirs, their_jar) = browser(FIREFOX_WINDOWS);
    let other = app.f.host.clone();
    sign_in(&app, &theirs, &other).await;
    let planted = cookie(&app, &their_jar, "tp_session").unwrap();
    let (shared, jar) = browser(FIREFOX_WINDOWS);
    let url = app.url("/").parse().unwrap();
    jar.add_cookie_str(&format!("tp_session={planted}; Path=/"), &url);
    sign_in(&app, &shared, &app.f.member).await;
    let fresh = cookie(&app, &jar, "tp_session").unwrap();
    assert_ne!(fresh, planted, "a new session id at sign-in");
    // The planted session's row is gone: it signs nobody in any more.
    assert!(!signed_in(&app, &theirs).await);
    let left = app.store.list_sessions(other.id, app.clock.now()).await;
    assert!(left.unwrap().is_empty());
    assert!(signed_in(&app, &shared).await);

    // A made-up cookie is not taken over either.
    let (browser2, jar2) = browser(SAFARI_IPHONE);
    jar2.add_cookie_str("tp_session=chosen-by-someone; Path=/", &url);
    sign_in(&app, &browser2, &app.f.member).await;
    assert_ne!(
        cookie(&app, &jar2, "tp_session").as_deref(),
        Some("chosen-by-someone")
    );
    assert!(signed_in(&app, &browser2).await);
}

async fn another_person_cannot_end_my_session(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &laptop, &app.f.member).await;
    let mine = app.token_for(&app.f.member).await;
    let id = my_sessions(&app, &mine).await["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (intruder, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &intruder, &app.f.host).await;
    let r = app
        .post_form(&intruder, &format!("/account/sessions/{id}/end"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let theirs = app.token_for(&app.f.host).await;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{id}")))
        .bearer_auth(&theirs)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), "not_found");
    // Nor can they see it.
    let listed = my_sessions(&app, &theirs).await;
    assert!(!listed.to_string().contains(&id), "{listed}");
    assert!(signed_in(&app, &laptop).await);
    // Not an id at all: not found either.
    let r = app
        .client
        .delete(app.url("/api/v1/me/sessions/not-an-id"))
        .bearer_auth(&mine)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn the_api_lists_sessions_and_tokens_and_signs_out_everywhere(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &laptop, &app.f.member).await;
    assert!(signed_in(&app, &laptop).await);
    let token = app.token_for(&app.f.member).await;
    let v = my_sessions(&app, &token).await;
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{v}");
    let s = &sessions[0];
    assert_eq!(s["browser"], "firefox");
    assert_eq!(s["os"], "windows");
    assert_eq!(s["user_agent"], FIREFOX_WINDOWS);
    assert_eq!(s["source"], "127.0.0.1");
    assert_eq!(s["current"], false, "asked with a token, not this session");
    assert!(s["last_used_at"].is_string(), "{v}");
    assert!(s.get("id_hash").is_none(), "{v}");
    let tokens = v["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "{v}");
    assert_eq!(tokens[0]["name"], "test");
    assert!(tokens[0]["last_used_at"].is_string(), "{v}");
    assert_eq!(tokens[0]["last_used_source"], "127.0.0.1");

    let r = app
        .client
        .post(app.url("/api/v1/me/sessions/sign-out-everywhere"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(!signed_in(&app, &laptop).await);
    let v = my_sessions(&app, &token).await;
    assert_eq!(v["sessions"], serde_json::json!([]));
    // Only the person themself: without a token, nothing.
    let r = app.get("/api/v1/me/sessions").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn the_browser_language_is_used_until_one_is_chosen(app: TestApp) {
    let lang_of = |accept: &'static str, cookie: Option<&'static str>| {
        let app = &app;
        async move {
            let mut r = app
                .client
                .get(app.url("/"))
                .header("accept-language", accept);
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            let html = r.send().await.unwrap().text().await.unwrap();
            let i = html.find("<html lang=\"").unwrap() + 12;
            html[i..i + 2].to_string()
        }
    };
    assert_eq!(lang_of("en-GB,en;q=0.9", None).await, "en");
    assert_eq!(lang_of("en-US", None).await, "en");
    assert_eq!(lang_of("sv-FI", None).await, "sv");
    assert_eq!(
        lang_of("de-DE,de;q=0.9,en;q=0.8,sv;q=0.9", None).await,
        "sv"
    );
    assert_eq!(lang_of("de-DE,de;q=0.9,en;q=0.5", None).await, "en");
    assert_eq!(lang_of("fi, de", None).await, "sv");
    assert_eq!(lang_of("", None).await, "sv");
    // A choice made in this browser wins.
    assert_eq!(lang_of("en", Some("tp_lang=sv")).await, "sv");
    assert_eq!(lang_of("sv", Some("tp_lang=en")).await, "en");
}

async fn the_chosen_language_follows_the_person_to_a_new_device(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &laptop, &app.f.member).await;
    let r = app
        .post_form(&laptop, "/lang", &[("lang", "en"), ("next", "/account")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let kept = app.store.person_language(app.f.member.id).await.unwrap();
    assert_eq!(kept.as_deref(), Some("en"));

    // A new device that asks for Swedish gets the person's English at
    // sign-in, cookie and all.
    let jar = Arc::new(Jar::default());
    let phone = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .user_agent(SAFARI_IPHONE)
        .default_headers(
            [(reqwest::header::ACCEPT_LANGUAGE, "sv-SE".parse().unwrap())]
                .into_iter()
                .collect(),
        )
        .build()
        .unwrap();
    let (_, text) = app.page(&phone, "/login").await;
    assert!(text.contains("Logga in"), "Swedish before signing in");
    sign_in(&app, &phone, &app.f.member).await;
    assert_eq!(cookie(&app, &jar, "tp_lang").as_deref(), Some("en"));
    let (_, text) = app.page(&phone, "/account").await;
    assert!(text.contains("Sessions and tokens"), "{text}");

    // Without the cookie, the account's choice still beats the browser's.
    let url = app.url("/").parse().unwrap();
    jar.add_cookie_str("tp_lang=; Max-Age=0; Path=/", &url);
    assert_eq!(cookie(&app, &jar, "tp_lang"), None);
    let (_, text) = app.page(&phone, "/account").await;
    assert!(text.contains("Sessions and tokens"), "{text}");

    // Mail to the person comes in their language only.
    let (anon, _) = browser(FIREFOX_WINDOWS);
    let r = app
        .post_form(
            &anon,
            "/access/forgot",
            &[("email", app.f.member.email.as_str())],
        )
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let mail = app
        .store
        .list_emails(100)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.to_address == app.f.member.email.as_str())
        .expect("the reset mail");
    assert!(
        !mail.body.contains("\n---\n"),
        "one language: {}",
        mail.body
    );
    let english =
        thirdplace_web::i18n::t(thirdplace_web::i18n::Lang::En, "access.mail.reset_subject");
    assert_eq!(mail.subject, english);

    // A person who chose before signing in keeps that choice.
    let (fresh, jar) = browser(FIREFOX_WINDOWS);
    jar.add_cookie_str("tp_lang=en; Path=/", &url);
    sign_in(&app, &fresh, &app.f.host).await;
    let kept = app.store.person_language(app.f.host.id).await.unwrap();
    assert_eq!(kept.as_deref(), Some("en"));
}

async fn my_export_has_my_language_and_sessions(app: TestApp) {
    let (laptop, _) = browser(FIREFOX_WINDOWS);
    sign_in(&app, &laptop, &app.f.member).await;
    app.post_form(&laptop, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let token = app.token_for(&app.f.member).await;
    let (s, doc) = app.get_json_with(&token, "/api/v1/me/export").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["person"]["language"], "en", "{doc}");
    let sessions = doc["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{doc}");
    assert_eq!(sessions[0]["user_agent"], FIREFOX_WINDOWS);
    assert_eq!(sessions[0]["source"], "127.0.0.1");
    let tokens = doc["api_tokens"].as_array().unwrap();
    assert!(tokens[0]["last_used_at"].is_string(), "{doc}");
    let text = doc.to_string();
    assert!(
        !text.contains("id_hash") && !text.contains("token_hash"),
        "{text}"
    );
}
