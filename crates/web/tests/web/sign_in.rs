//! Signing in under attack, on SQLite and PostgreSQL: a stranger's wrong
//! guesses delay the owner of an account by at most half a minute and never
//! lock them out, a password spray from one address is refused with 429
//! and `Retry-After`, the counts are shared by every server process on the
//! database, `X-Forwarded-For` counts only behind a configured proxy, and
//! the CSRF token changes at sign-in and sign-out.

use crate::common;

use chrono::Duration;
use common::*;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Client, Response, StatusCode};
use thirdplace_web::{AppState, WebConfig};

macro_rules! on_both_backends_behind_a_proxy {
    ($($name:ident),* $(,)?) => {
        mod sqlite_behind_a_proxy {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = super::spawn(Backend::Sqlite).await.unwrap();
                    super::$name(app).await;
                }
            )*
            use super::Backend;
        }
        mod postgres_behind_a_proxy {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = super::spawn(Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
            use super::Backend;
        }
    };
}

on_both_backends_behind_a_proxy!(
    a_strangers_hundred_guesses_delay_the_owner_at_most_half_a_minute,
    a_password_spray_from_one_address_is_refused_with_retry_after,
    two_server_processes_share_the_counts,
);

on_both_backends!(
    forwarded_for_is_ignored_unless_behind_a_proxy,
    the_csrf_token_changes_at_sign_in_and_sign_out,
);

async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_app_with(
        backend,
        WebConfig {
            behind_proxy: true,
            ..WebConfig::default()
        },
    )
    .await
}

/// A browser whose requests reach the app through the proxy from `address`.
fn client_at(address: &str) -> Client {
    let mut h = HeaderMap::new();
    h.insert("x-forwarded-for", HeaderValue::from_str(address).unwrap());
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(h)
        .build()
        .unwrap()
}

async fn sign_in(base: &str, client: &Client, email: &str, password: &str) -> Response {
    let csrf = hidden_csrf(
        &client
            .get(format!("{base}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
}

fn retry_after(r: &Response) -> i64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Another server process on the same database, on this one's clock.
async fn second_process(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = WebConfig {
        behind_proxy: true,
        ..WebConfig::default()
    };
    let mut state = AppState::new(app.store.clone(), config);
    state.clock = app.clock.clone();
    tokio::spawn(async move {
        thirdplace_web::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    base
}

async fn a_strangers_hundred_guesses_delay_the_owner_at_most_half_a_minute(app: TestApp) {
    let member = app.f.member.email.as_str().to_string();
    let stranger = client_at("203.0.113.66");
    let mut refused = 0;
    let mut unauthorised = 0;
    for _ in 0..100 {
        let r = sign_in(&app.base, &stranger, &member, "guess guess guess").await;
        match r.status() {
            StatusCode::UNAUTHORIZED => unauthorised += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("a wrong guess got {other}"),
        }
        // The stranger waits out the account's delay every time.
        app.clock.advance(Duration::seconds(31));
    }
    assert!(unauthorised >= 10, "{unauthorised} guesses were tried");
    // The account's delay (30 s at most) never refuses a guess that waited
    // 31 s: the refusals are the stranger's address being held back.
    assert!(
        refused > 50,
        "the stranger's address is held back: {refused}"
    );

    // The owner, from their own address: at most half a minute to wait,
    // and then the right password works.
    let owner = client_at("198.51.100.10");
    let r = sign_in(&app.base, &owner, &member, PASSWORD).await;
    let r = if r.status() == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after(&r);
        assert!((1..=30).contains(&wait), "the owner waits {wait} s");
        let html = r.text().await.unwrap();
        assert!(html.contains("Försök igen om"), "{html}");
        app.clock.advance(Duration::seconds(wait));
        sign_in(&app.base, &owner, &member, PASSWORD).await
    } else {
        r
    };
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Right after more guesses, too: the delay is capped, never a lockout.
    for _ in 0..10 {
        app.clock.advance(Duration::seconds(31));
        let r = sign_in(
            &app.base,
            &client_at("203.0.113.67"),
            &member,
            "guess guess guess",
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let owner = client_at("198.51.100.10");
    let r = sign_in(&app.base, &owner, &member, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&r);
    assert!((1..=30).contains(&wait), "the owner waits {wait} s");
    app.clock.advance(Duration::seconds(wait));
    let r = sign_in(&app.base, &owner, &member, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn a_password_spray_from_one_address_is_refused_with_retry_after(app: TestApp) {
    let sprayer = client_at("192.0.2.44");
    let mut statuses = Vec::new();
    let mut last = None;
    for i in 0..20 {
        let email = format!("person{i}@test.example");
        let r = sign_in(&app.base, &sprayer, &email, "Sommar2026!").await;
        statuses.push(r.status());
        if r.status() == StatusCode::TOO_MANY_REQUESTS && last.is_none() {
            last = Some((retry_after(&r), r.text().await.unwrap()));
        }
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[10..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let (wait, html) = last.unwrap();
    assert!((55..=60).contains(&wait), "Retry-After {wait}");
    assert!(html.contains("Försök igen om"), "{html}");
    // The sprayer's address is refused even the right password of a real
    // account; everyone else signs in as usual.
    let r = sign_in(&app.base, &sprayer, app.f.host.email.as_str(), PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = sign_in(
        &app.base,
        &client_at("198.51.100.10"),
        app.f.host.email.as_str(),
        PASSWORD,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // In English too, and after the wait the address may try again.
    let english = client_at("192.0.2.44");
    english
        .post(app.url("/lang"))
        .form(&[
            ("_csrf", app.csrf(&english, "/").await.as_str()),
            ("lang", "en"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let r = sign_in(&app.base, &english, "someone@test.example", "Sommar2026!").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("Try again in"));
    app.clock.advance(Duration::seconds(61));
    let r = sign_in(&app.base, &sprayer, app.f.host.email.as_str(), PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn two_server_processes_share_the_counts(app: TestApp) {
    let other = second_process(&app).await;
    // A spray through this process holds the address back in the other.
    let sprayer = client_at("192.0.2.45");
    for i in 0..10 {
        let r = sign_in(
            &app.base,
            &sprayer,
            &format!("p{i}@test.example"),
            "Vinter2026!",
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = sign_in(&other, &sprayer, app.f.member.email.as_str(), PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&r) > 30);
    // An account's failures in one process delay it in the other.
    let admin = app.f.admin.email.as_str();
    for i in 0..8 {
        if i > 0 {
            app.clock.advance(Duration::seconds(31));
        }
        let r = sign_in(
            &app.base,
            &client_at(&format!("203.0.113.{i}")),
            admin,
            "guess guess guess",
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = sign_in(&other, &client_at("198.51.100.11"), admin, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn forwarded_for_is_ignored_unless_behind_a_proxy(app: TestApp) {
    // Without the setting, a new X-Forwarded-For per guess does not make a
    // new source: the peer's address is what counts.
    let mut statuses = Vec::new();
    for i in 0..12 {
        let client = client_at(&format!("10.0.0.{i}"));
        let r = sign_in(
            &app.base,
            &client,
            &format!("q{i}@test.example"),
            "Host2026!",
        )
        .await;
        statuses.push(r.status());
    }
    assert_eq!(statuses[9], StatusCode::UNAUTHORIZED, "{statuses:?}");
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

async fn the_csrf_token_changes_at_sign_in_and_sign_out(app: TestApp) {
    let client = new_client();
    let before = app.csrf(&client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("_csrf", before.as_str()),
            ("email", app.f.member.email.as_str()),
            ("password", PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A form carrying the token from before the sign-in is refused.
    let r = client
        .post(app.url("/logout"))
        .form(&[("_csrf", before.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let signed_in = app.csrf(&client, "/account").await;
    assert_ne!(signed_in, before);
    assert!(app
        .html(&client, "/account")
        .await
        .contains(app.f.member.email.as_str()));
    let r = client
        .post(app.url("/logout"))
        .form(&[("_csrf", signed_in.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Nor is the signed-in token of any use after signing out.
    let r = client
        .post(app.url("/lang"))
        .form(&[("_csrf", signed_in.as_str()), ("lang", "en"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_ne!(app.csrf(&client, "/").await, signed_in);
}
