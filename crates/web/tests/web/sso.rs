//! Single sign-on against a real, certified OpenID provider run locally:
//! `oidc/provider.mjs` (panva/oidc-provider) under Node on a free loopback
//! port, the app served on another, the whole flow driven with a
//! cookie-keeping client that follows no redirect by itself. Without Node
//! or `oidc/node_modules` (run `npm ci` in `oidc/`) the test skips with a
//! message, but under CI (`CI=true`) it fails instead.

use crate::common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use thirdplace_domain::{new_id, Person};
use thirdplace_store::{OneTimeToken, TokenKind};
use thirdplace_web::http::auth::sha256_hex;
use thirdplace_web::WebConfig;

const KEY: &str = "a test secret key of at least 32 characters";
const CLIENT_ID: &str = "thirdplace-test";
const CLIENT_SECRET: &str = "the client secret of the test provider";

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The provider's process, stopped when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn oidc_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../oidc")
}

/// Starts the provider for a client redirecting to `redirect`, with these
/// accounts; `None` (after saying why) if Node or its modules are missing
/// outside CI.
fn start_provider(redirect: &str, accounts: serde_json::Value) -> Option<Provider> {
    let dir = oidc_dir();
    let missing = if Command::new("node").arg("--version").output().is_err() {
        Some("node is not installed")
    } else if !dir.join("node_modules/oidc-provider").is_dir() {
        Some("oidc/node_modules is missing (run `npm ci` in oidc/)")
    } else {
        None
    };
    if let Some(why) = missing {
        assert!(
            !under_ci(),
            "the SSO test needs the OpenID provider under CI: {why}"
        );
        eprintln!("skipped: {why}");
        return None;
    }
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .current_dir(&dir)
        .env("OIDC_PORT", "0")
        .env("OIDC_CLIENT_ID", CLIENT_ID)
        .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
        .env("OIDC_REDIRECT_URIS", redirect)
        .env("OIDC_ACCOUNTS", accounts.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    // Keep reading what it prints: a closed pipe would end it.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let issuer = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
        .to_string();
    Some(Provider { child, issuer })
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location in a {} answer", r.status()))
        .to_str()
        .unwrap()
        .to_string()
}

fn absolute(base: &str, loc: &str) -> String {
    if loc.starts_with("http") {
        loc.to_string()
    } else {
        format!("{base}{loc}")
    }
}

/// Follows redirects at the provider, signing in as `sub` on its login
/// page, until it sends the browser back to the app: that callback URL
/// (not yet followed).
async fn sign_in_at_provider(
    client: &Client,
    p: &Provider,
    app: &TestApp,
    start: reqwest::Response,
    sub: &str,
) -> String {
    // A page of the app's sends the browser on (a form's answer may not
    // redirect to another site under the app's `form-action 'self'`).
    assert_eq!(start.status(), StatusCode::OK);
    assert_eq!(
        start.headers()[reqwest::header::CACHE_CONTROL],
        "no-store",
        "the page carries the sign-in's state"
    );
    let html = start.text().await.unwrap();
    // The URL as the page escapes it in its attributes.
    let attribute = |after: &str| {
        html.split(after)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no {after} on the page: {html}"))
            .replace("&#x2f;", "/")
            .replace("&amp;", "&")
    };
    let mut url = attribute("<a class=\"button\" href=\"");
    assert_eq!(
        attribute("<meta http-equiv=\"refresh\" content=\"0; url="),
        url,
        "the page sends the browser on by itself"
    );
    assert!(url.starts_with(&p.issuer), "{url}");
    for _ in 0..10 {
        if url.starts_with(&app.base) {
            return url;
        }
        let r = client.get(&url).send().await.unwrap();
        if r.status().is_redirection() {
            url = absolute(&p.issuer, &location(&r));
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let html = r.text().await.unwrap();
        let action = html
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no form at the provider: {html}"))
            .to_string();
        let fields: Vec<(&str, &str)> = if html.contains("name=\"login\"") {
            vec![
                ("prompt", "login"),
                ("login", sub),
                ("password", "anything"),
            ]
        } else {
            vec![("prompt", "consent")]
        };
        let r = client
            .post(absolute(&p.issuer, &action))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        url = absolute(&p.issuer, &location(&r));
    }
    panic!("the provider never sent the browser back");
}

/// The refusal page's text and its status.
async fn refused(r: reqwest::Response) -> (StatusCode, String) {
    let s = r.status();
    (s, page_text(r).await)
}

async fn add(app: &TestApp, first: &str, email: &str, seat: bool) -> Person {
    let p = app
        .add_person(person(first, "Testsson", email, Some(app.f.org.id)))
        .await;
    if seat {
        seat_of(&p).give(app).await;
    }
    p
}

async fn whole_flow(backend: Backend) {
    let config = WebConfig {
        secret_key: Some(KEY.into()),
        ..WebConfig::default()
    };
    let Some(app) = spawn_app_with(backend, config).await else {
        return;
    };
    let accounts = json!([
        {"sub": "sub-maja", "email": "member@test.example", "email_verified": true},
        {"sub": "sub-nora", "email": "nora@test.example", "email_verified": true},
        {"sub": "sub-ivar", "email": "ivar@test.example", "email_verified": true},
        {"sub": "sub-else", "email": "else@elsewhere.example", "email_verified": true},
        {"sub": "sub-unverified", "email": "member@test.example", "email_verified": false},
    ]);
    let redirect = app.url("/sso/callback");
    let Some(provider) = start_provider(&redirect, accounts) else {
        return;
    };

    // A network admin registers the provider; the secret is never shown back.
    let admin = app.signed_in(&app.f.admin).await;
    let org_id = app.f.org.id.to_string();
    let r = app
        .post_form(
            &admin,
            "/admin/sso",
            &[
                ("organisation_id", &org_id),
                ("issuer_url", &provider.issuer),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("domains", "Test.example, "),
                ("enabled", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", page_text(r).await);
    let html = app.html(&admin, "/admin/sso").await;
    let port = provider.issuer.rsplit(':').next().unwrap();
    assert!(
        html.contains(port) && html.contains("test.example"),
        "{html}"
    );
    assert!(!html.contains(CLIENT_SECRET));
    let stored = app.store.providers().await.unwrap().remove(0);
    assert!(!stored.sealed_secret.contains(CLIENT_SECRET));

    // A member with a seat signs in through the provider.
    seat_of(&app.f.member).give(&app).await;
    let maja = new_client();
    let start = app
        .post_form(
            &maja,
            "/sso/start",
            &[("email", "member@test.example"), ("next", "/account")],
        )
        .await;
    let callback = sign_in_at_provider(&maja, &provider, &app, start, "sub-maja").await;
    let r = maja.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", page_text(r).await);
    assert_eq!(location(&r), "/account");
    let (s, text) = app.page(&maja, "/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("member@test.example"), "{text}");
    let link = app
        .store
        .identity_link(stored.id, "sub-maja")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link.person_id, app.f.member.id);

    // The same callback again (with its cookie) is refused: taken once.
    let state = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let replay = new_client()
        .get(&callback)
        .header("cookie", format!("tp_sso={state}"))
        .send()
        .await
        .unwrap();
    let (s, text) = refused(replay).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text.contains("redan använts"), "{text}");

    // A tampered state is refused.
    let other = new_client();
    let start = app
        .post_form(&other, "/sso/start", &[("email", "member@test.example")])
        .await;
    let callback = sign_in_at_provider(&other, &provider, &app, start, "sub-maja").await;
    let tampered = callback.replace("state=", "state=x");
    let (s, text) = refused(other.get(&tampered).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text.contains("webbläsaren"), "{text}");

    // An invited person with a seat: first sign-in from the invitation
    // links them by verified e-mail and uses the invitation.
    let nora = add(&app, "Nora", "nora@test.example", true).await;
    let secret = "invitation-secret-of-nora-0123456789";
    app.store
        .issue_token(&OneTimeToken {
            id: new_id(),
            kind: TokenKind::Invitation,
            person_id: nora.id,
            token_hash: sha256_hex(secret),
            created_by: Some(app.f.admin.id),
            created_at: app.state.now(),
            expires_at: app.state.now() + chrono::Duration::days(7),
            used_at: None,
            revoked_at: None,
        })
        .await
        .unwrap();
    let browser = new_client();
    let page = app
        .html(&browser, &format!("/access/invitation/{secret}"))
        .await;
    assert!(page.contains("Logga in med Skatteverket"), "{page}");
    // Without accepting the terms, nothing happens.
    let r = app
        .post_form(&browser, "/sso/start", &[("invitation", secret)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let start = app
        .post_form(
            &browser,
            "/sso/start",
            &[("invitation", secret), ("accept", "yes")],
        )
        .await;
    let callback = sign_in_at_provider(&browser, &provider, &app, start, "sub-nora").await;
    let r = browser.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", page_text(r).await);
    assert_eq!(location(&r), "/account/card");
    let used = app
        .store
        .find_token(TokenKind::Invitation, &sha256_hex(secret))
        .await
        .unwrap()
        .unwrap();
    assert!(used.used_at.is_some());
    // Nora has activated her account without a password: so say her
    // organisation's lists and the API, and she is not invited again.
    let token = app.token_for(&app.f.admin).await;
    let (s, body) = app
        .get_json_with(&token, &format!("/api/v1/people/{}/invitation", nora.id))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "activated", "{body}");
    let seats = app
        .html(&admin, &format!("/admin/organisations/{org_id}/seats"))
        .await;
    let nora_row = seats
        .split("<tr>")
        .find(|row| row.contains("<td>Nora Testsson</td>"))
        .unwrap_or_else(|| panic!("no seat held by Nora: {seats}"));
    assert!(
        nora_row.contains("<td>Aktiverat</td>"),
        "Nora is shown as activated: {nora_row}"
    );
    let (s, _) = app
        .post_json(
            &format!("/api/v1/people/{}/invitation", nora.id),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .page(&browser, &format!("/access/invitation/{secret}"))
        .await;
    assert_eq!(s, StatusCode::GONE);

    // Someone with neither seat nor role is refused, and nothing is linked.
    add(&app, "Ivar", "ivar@test.example", false).await;
    let ivar = new_client();
    let start = app
        .post_form(&ivar, "/sso/start", &[("email", "ivar@test.example")])
        .await;
    let callback = sign_in_at_provider(&ivar, &provider, &app, start, "sub-ivar").await;
    let (s, text) = refused(ivar.get(&callback).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text.contains("ingen plats eller roll"), "{text}");
    assert!(app
        .store
        .identity_link(stored.id, "sub-ivar")
        .await
        .unwrap()
        .is_none());

    // An address outside the provider's domains is refused.
    let x = new_client();
    let start = app
        .post_form(&x, "/sso/start", &[("email", "member@test.example")])
        .await;
    let callback = sign_in_at_provider(&x, &provider, &app, start, "sub-else").await;
    let (s, text) = refused(x.get(&callback).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text.contains("domäner"), "{text}");

    // An address the provider has not verified is refused.
    let u = new_client();
    let start = app
        .post_form(&u, "/sso/start", &[("email", "member@test.example")])
        .await;
    let callback = sign_in_at_provider(&u, &provider, &app, start, "sub-unverified").await;
    let (s, text) = refused(u.get(&callback).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text.contains("inte bekräftat"), "{text}");

    // An unknown domain gets the sign-in page again, with a message.
    let r = app
        .post_form(
            &new_client(),
            "/sso/start",
            &[("email", "someone@nowhere.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A disabled provider is refused.
    let mut off = app.store.provider(stored.id).await.unwrap().unwrap();
    off.enabled = false;
    app.store.save_provider(&off).await.unwrap();
    let d = new_client();
    let (s, text) = refused(
        app.post_form(&d, "/sso/start", &[("email", "member@test.example")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(text.contains("avstängd"), "{text}");

    // Every refusal and sign-in is in the audit log.
    let entries = app
        .store
        .list_audit(&thirdplace_store::AuditFilter {
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"sso.signed_in") && actions.contains(&"sso.refused"),
        "{actions:?}"
    );
    assert!(actions.contains(&"identity_provider.created"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_on_sqlite() {
    whole_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_on_postgres() {
    whole_flow(Backend::Postgres).await;
}
