//! The holes found by probing the app from outside (issue 14), each closed
//! and held closed, on SQLite and on PostgreSQL: `next=` goes only to paths
//! on this site and never gives a 500; every response carries the security
//! headers, and what is personal is not stored by caches; every error of
//! the API has its JSON shape, and an anonymous write, or one without the
//! role it needs, is refused before its body is read; dates far ahead and direction-changing characters are
//! refused.

use crate::common;

use common::*;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirdplace_web::http::page::safe_next;
use thirdplace_web::WebConfig;

on_both_backends!(
    sign_in_sends_nasty_next_values_to_the_start_page,
    a_signed_in_visit_to_the_login_form_redirects_only_locally,
    choosing_a_language_sends_nasty_next_values_to_the_start_page,
    every_response_carries_the_security_headers,
    personal_answers_are_not_stored_and_public_caching_is_kept,
    api_errors_from_extractors_have_the_json_shape,
    pages_show_extractor_errors_as_readable_pages,
    anonymous_writes_are_refused_before_their_body_is_read,
    writes_without_the_role_are_refused_before_their_body_is_read,
    events_and_seats_far_ahead_are_refused,
    direction_overrides_are_refused_in_names_and_titles,
);

/// Values of `next` that must not send anyone anywhere but `/`: other
/// sites in every spelling a browser accepts, control characters (which
/// browsers drop, and which are invalid in a header), look-alikes of `/`.
const NASTY: &[&str] = &[
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "\t",
    "/\r\n/x",
    "/x\r\nSet-Cookie: tp_session=stolen",
    "/%0d%0aSet-Cookie:%20tp_session=stolen",
    "/\0x",
    "https://evil.example",
    "http:/evil.example",
    "HTTPS://evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/..//evil.example",
    "/./\t/evil.example",
    "%2F%2Fevil.example",
    "evil.example",
    " /account",
    "/\u{FF0F}evil.example",
    "/\u{2215}evil.example",
    "\u{FF0F}\u{FF0F}evil.example",
    "/\u{202E}elpmaxe.live",
    "/ account",
    "",
];

/// Paths on this site that `next` keeps as they are.
const LOCAL: &[&str] = &[
    "/",
    "/account",
    "/calendar?month=2026-12",
    "/admin/bookings?hub_id=1&from=2026-11-23&include_cancelled=true",
    "/events?q=AI%20i%20offentlig%20sektor",
    "/hubs/0193a1b2-0000-7000-8000-000000000000#rooms",
];

#[test]
fn safe_next_keeps_local_paths_and_refuses_everything_else() {
    for next in NASTY {
        assert_eq!(safe_next(next), "/", "{next:?} must go to the start page");
    }
    for next in LOCAL {
        assert_eq!(safe_next(next), *next, "{next:?} is a path on this site");
    }
}

/// What a browser does with a `Location`: it must stay on this site,
/// whatever the browser drops or reads as a slash.
fn assert_local_location(r: &reqwest::Response, next: &str) {
    let loc = r
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("{next:?}: no Location ({})", r.status()));
    let bytes = loc.as_bytes();
    assert!(
        bytes.iter().all(|b| b.is_ascii_graphic()),
        "{next:?}: control or non-ASCII characters in Location {loc:?}"
    );
    assert_eq!(bytes.first(), Some(&b'/'), "{next:?}: {loc:?}");
    assert!(
        !matches!(bytes.get(1), Some(b'/') | Some(b'\\')),
        "{next:?}: scheme-relative Location {loc:?}"
    );
}

/// Signs in as the member with `password` from a fresh browser, asking to
/// go to `next` afterwards.
async fn sign_in(app: &TestApp, password: &str, next: &str) -> reqwest::Response {
    let fields = [
        ("email", "member@test.example"),
        ("password", password),
        ("next", next),
    ];
    app.post_form(&new_client(), "/login", &fields).await
}

async fn sign_in_sends_nasty_next_values_to_the_start_page(app: TestApp) {
    for next in NASTY {
        let r = sign_in(&app, PASSWORD, next).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_local_location(&r, next);
        assert_eq!(location(&r), "/", "{next:?}");
    }
    let r = sign_in(&app, PASSWORD, "/calendar?month=2026-12").await;
    assert_eq!(location(&r), "/calendar?month=2026-12");
    // A wrong password with a line break in `next` is an ordinary refusal.
    let r = sign_in(&app, "not the password", "/\r\n/x").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The form shown again after a wrong password carries only a safe
    // `next`, never the one that came in.
    let r = sign_in(&app, "not the password", "//evil.example/x").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(!html.contains("evil.example"), "{html}");
    // (minijinja writes the slash as `&#x2f;`.)
    assert!(
        html.contains(r#"name="next" value="&#x2f;">"#)
            || html.contains(r#"name="next" value="/">"#),
        "{html}"
    );
}

async fn a_signed_in_visit_to_the_login_form_redirects_only_locally(app: TestApp) {
    let member = app.signed_in(&app.f.member).await;
    let anonymous = new_client();
    for next in NASTY {
        let url = format!("{}?next={}", app.url("/login"), urlencode(next));
        let r = member.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_local_location(&r, next);
        assert_eq!(location(&r), "/", "{next:?}");
        // The form carries only a safe value on to its POST.
        let html = anonymous
            .get(&url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(r#"name="next" value="&#x2f;""#),
            "{next:?}: the form must carry `/`"
        );
    }
}

async fn choosing_a_language_sends_nasty_next_values_to_the_start_page(app: TestApp) {
    let client = new_client();
    for next in NASTY {
        let r = app
            .post_form(&client, "/lang", &[("lang", "en"), ("next", next)])
            .await;
        assert!(r.status().is_redirection(), "{next:?}: {}", r.status());
        assert_local_location(&r, next);
        assert_eq!(location(&r), "/", "{next:?}");
    }
    let r = app
        .post_form(&client, "/lang", &[("lang", "en"), ("next", "/calendar")])
        .await;
    assert_eq!(location(&r), "/calendar");
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn assert_security_headers(h: &HeaderMap, what: &str) {
    let csp = header(h, "content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP without {part}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(header(h, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(
        header(h, "referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    let pp = header(h, "permissions-policy");
    for f in ["camera=()", "microphone=()", "geolocation=()"] {
        assert!(pp.contains(f), "{what}: {pp}");
    }
    // Served over plain HTTP here: HSTS would mean nothing.
    assert!(h.get("strict-transport-security").is_none(), "{what}");
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    let token = app.token_for(&app.f.member).await;
    let member = app.signed_in(&app.f.member).await;
    let anonymous = new_client();
    for (what, r) in [
        ("public page", anonymous.get(app.url("/")).send().await),
        (
            "sign-in form",
            anonymous.get(app.url("/login")).send().await,
        ),
        (
            "signed-in page",
            member.get(app.url("/account")).send().await,
        ),
        (
            "export",
            member.get(app.url("/account/export")).send().await,
        ),
        (
            "public feed",
            anonymous.get(app.url("/calendar.ics")).send().await,
        ),
        (
            "stylesheet",
            anonymous.get(app.url("/static/app.css")).send().await,
        ),
        (
            "public API",
            anonymous.get(app.url("/api/v1/hubs")).send().await,
        ),
        (
            "API with a token",
            with_token(&app, &token, "/api/v1/me/profile").await,
        ),
        (
            "not found page",
            anonymous.get(app.url("/nowhere")).send().await,
        ),
        (
            "API error",
            anonymous.get(app.url("/api/v1/nowhere")).send().await,
        ),
    ] {
        let r = r.unwrap();
        assert!(r.status().as_u16() < 500, "{what}: {}", r.status());
        assert_security_headers(r.headers(), what);
    }

    // Served over HTTPS (the public URL says so), browsers are told to
    // keep to it.
    let https = spawn_app_with(
        Backend::Sqlite,
        WebConfig {
            public_url: Some("https://hubbar.example.se".into()),
            ..WebConfig::default()
        },
    )
    .await
    .unwrap();
    let r = https.get("/").await;
    assert_eq!(
        header(r.headers(), "strict-transport-security"),
        "max-age=31536000"
    );
    let r = https.get("/api/v1/hubs").await;
    assert!(r.headers().get("strict-transport-security").is_some());
}

async fn personal_answers_are_not_stored_and_public_caching_is_kept(app: TestApp) {
    let token = app.token_for(&app.f.admin).await;
    let admin = app.signed_in(&app.f.admin).await;
    let anonymous = new_client();
    let no_store = |h: &HeaderMap| {
        h.get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
    };
    for (what, r) in [
        (
            "signed-in page",
            admin.get(app.url("/account")).send().await,
        ),
        ("signed-in start page", admin.get(app.url("/")).send().await),
        ("export", admin.get(app.url("/account/export")).send().await),
        (
            "bookings CSV",
            admin.get(app.url("/admin/bookings.csv")).send().await,
        ),
        (
            "bookings XLSX",
            admin.get(app.url("/admin/bookings.xlsx")).send().await,
        ),
        (
            "API export",
            with_token(&app, &token, "/api/v1/me/export").await,
        ),
        (
            "API bookings CSV",
            with_token(&app, &token, "/api/v1/bookings?format=csv").await,
        ),
        (
            "API list with a token",
            with_token(&app, &token, "/api/v1/people").await,
        ),
    ] {
        let r = r.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{what}");
        assert_eq!(no_store(r.headers()).as_deref(), Some("no-store"), "{what}");
    }
    // Public content keeps its caching: the feed its max-age and ETag (and
    // 304), the stylesheet its max-age; anonymous pages are not marked.
    let r = anonymous
        .get(app.url("/calendar.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_store(r.headers()).as_deref(),
        Some("public, max-age=300")
    );
    let etag = header(r.headers(), "etag").to_string();
    let r = anonymous
        .get(app.url("/calendar.ics"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    let r = anonymous
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_store(r.headers()).as_deref(),
        Some("public, max-age=3600")
    );
    let r = anonymous.get(app.url("/")).send().await.unwrap();
    assert_eq!(no_store(r.headers()), None);
    let r = anonymous.get(app.url("/api/v1/hubs")).send().await.unwrap();
    assert_eq!(no_store(r.headers()), None);
}

/// `GET path` with an API token and no cookies.
async fn with_token(app: &TestApp, token: &str, path: &str) -> reqwest::Result<reqwest::Response> {
    new_client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
}

/// The JSON error shape, with a sentence and a stable code.
async fn json_error(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = r.text().await.unwrap();
    assert!(ct.starts_with("application/json"), "{s} {ct}: {text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["error"]["code"].is_string(), "{v}");
    assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{v}");
    (s, v)
}

async fn api_errors_from_extractors_have_the_json_shape(app: TestApp) {
    let token = app.token_for(&app.f.admin).await;
    let c = &app.client;
    // A query string that does not parse.
    let (s, v) = json_error(app.get("/api/v1/hubs?include_archived=maybe").await).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&v), "invalid_query");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("include_archived"), "{message}");
    assert!(!message.contains("Failed to deserialize"), "{message}");
    // A path that does not decode.
    let (s, _) = json_error(app.get("/api/v1/hubs/%FF%FE").await).await;
    assert!(s.is_client_error(), "{s}");
    // Unknown routes, inside and outside the version.
    for path in ["/api/v1/nowhere", "/api/v2/hubs", "/api", "/api/"] {
        let (s, v) = json_error(app.get(path).await).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(&v), "not_found");
    }
    // A method the route does not take.
    let r = c
        .delete(app.url("/api/v1/hubs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (s, v) = json_error(r).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(&v), "method_not_allowed");
    // Not JSON, wrong content type, too large.
    let r = app.post_raw_json("/api/v1/hubs", &token, "{not json").await;
    assert_eq!(json_error(r).await.0, StatusCode::BAD_REQUEST);
    let r = c
        .post(app.url("/api/v1/hubs"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert!(json_error(r).await.0.is_client_error());
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(100 * 1024));
    let r = app.post_raw_json("/api/v1/hubs", &token, &big).await;
    let (s, v) = json_error(r).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&v), "payload_too_large");
    // A malformed Authorization header.
    let r = c
        .get(app.url("/api/v1/me/profile"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(r).await.0, StatusCode::BAD_REQUEST);
}

async fn pages_show_extractor_errors_as_readable_pages(app: TestApp) {
    let host = app.signed_in(&app.f.host).await;
    let r = host
        .get(app.url("/admin/bookings?include_cancelled=maybe&from=x"))
        .send()
        .await
        .unwrap();
    let s = r.status();
    assert!(s.is_client_error() || s.is_success(), "{s}");
    let ct = header(r.headers(), "content-type").to_string();
    assert!(ct.starts_with("text/html"), "{s} {ct}");
    // A body too large for a form is a page too, not axum's plain text.
    let big = "x".repeat(100 * 1024);
    let r = host
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(header(r.headers(), "content-type").starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("för stort"));
}

/// The API's writes that need no token: an invitation link carries its own
/// secret.
const ANONYMOUS_WRITES: &[(&str, &str)] = &[("post", "/api/v1/invitations/{token}/redeem")];

/// An id for every `{param}` of an OpenAPI path.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}').unwrap();
        out.push_str("0193a1b2-0000-7000-8000-000000000000");
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

async fn anonymous_writes_are_refused_before_their_body_is_read(app: TestApp) {
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    let cookie_client = app.signed_in(&app.f.admin).await;
    let mut writes = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let url = app.url(&concrete(path));
            let m: reqwest::Method = method.to_uppercase().parse().unwrap();
            let needs_token = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if !needs_token {
                // The one write whose secret is in its path: it answers
                // in the error shape, never with a 5xx.
                assert!(
                    ANONYMOUS_WRITES.contains(&(method, path.as_str())),
                    "{method} {path}: every write of the API needs a token, or is listed here"
                );
                let r = app
                    .client
                    .request(m.clone(), &url)
                    .header("content-type", "application/json")
                    .body("{\"bogus\": true")
                    .send()
                    .await
                    .unwrap();
                assert!(json_error(r).await.0.is_client_error(), "{method} {path}");
                continue;
            }
            writes += 1;
            for body in [Some("{\"bogus\": true"), Some("{\"name\": 12}"), None] {
                let mut req = app.client.request(m.clone(), &url);
                if let Some(b) = body {
                    req = req.header("content-type", "application/json").body(b);
                }
                let (s, v) = json_error(req.send().await.unwrap()).await;
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path} {body:?}: {v}");
                assert_eq!(error_code(&v), "unauthorized");
            }
            // A browser's session is not a token either.
            let r = cookie_client
                .request(m.clone(), &url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(
                json_error(r).await.0,
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
        }
    }
    assert!(writes > 30, "only {writes} writes in the document");
    // An unknown token is refused alike.
    let (s, v) = app
        .post_json("/api/v1/hubs", Some("not-a-token"), &json!({}))
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    // With a token, the body is judged as before.
    let token = app.token_for(&app.f.admin).await;
    let (s, v) = app
        .post_json("/api/v1/hubs", Some(&token), &json!({}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

/// A signed-in caller without the role a write needs gets 403 (or 404 for
/// what they may not see) whatever the body, never 422 with the fields
/// they should have sent; the one who has the role gets the 422.
async fn writes_without_the_role_are_refused_before_their_body_is_read(app: TestApp) {
    let f = &app.f;
    let other_host = app.add_other_host().await;
    let other_member = app.add_other_member().await;
    let member = app.token_for(&f.member).await;
    let other_host = app.token_for(&other_host).await;
    let other_member = app.token_for(&other_member).await;
    let admin = app.token_for(&f.admin).await;
    let host = app.token_for(&f.host).await;
    let org_admin = app.token_for(&f.org_admin).await;
    let hub = f.hub.id;
    let org = f.org.id;
    let room = f.room.id;
    let cases = [
        ("POST", "/api/v1/hubs".to_string(), &member, &admin),
        ("PUT", format!("/api/v1/hubs/{hub}"), &other_host, &host),
        (
            "POST",
            format!("/api/v1/hubs/{hub}/rooms"),
            &other_host,
            &host,
        ),
        ("PUT", format!("/api/v1/rooms/{room}"), &other_host, &host),
        (
            "PUT",
            format!("/api/v1/hubs/{hub}/booking-rules"),
            &other_host,
            &host,
        ),
        (
            "POST",
            format!("/api/v1/hubs/{hub}/scan"),
            &other_host,
            &host,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{org}/seats"),
            &other_member,
            &org_admin,
        ),
        (
            "PUT",
            format!("/api/v1/organisations/{org}"),
            &other_member,
            &admin,
        ),
        ("POST", "/api/v1/sites/suggest".to_string(), &member, &admin),
    ];
    for (method, path, refused, allowed) in cases {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        for body in ["{}", "{\"bogus\": true", "[1, 2]"] {
            let r = app
                .client
                .request(m.clone(), app.url(&path))
                .bearer_auth(refused)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let (s, v) = json_error(r).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path} {body}: {v}");
        }
        // Without a content type, too.
        let r = app
            .client
            .request(m.clone(), app.url(&path))
            .bearer_auth(refused)
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(
            json_error(r).await.0,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
        let (s, v) = app.send_json(m, &path, Some(allowed), &json!({})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {v}");
    }
    // What the caller may not see is not there, whatever the body: a
    // member's booking, to the host of another hub.
    seat_of(&f.member).give(&app).await;
    let (s, b) = app
        .book_room(
            &member,
            "2026-11-24T09:00:00Z",
            "2026-11-24T10:00:00Z",
            "Möte",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap();
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/bookings/{id}")))
        .bearer_auth(&other_host)
        .header("content-type", "application/json")
        .body("{\"bogus\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(r).await.0, StatusCode::NOT_FOUND);
}

async fn events_and_seats_far_ahead_are_refused(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let event = |start: &str, end: &str| {
        json!({
            "hub_id": app.f.hub.id,
            "venue": "online",
            "title": "Workshop",
            "description": "",
            "topics": [],
            "start": start,
            "end": end,
            "capacity": 10,
            "visibility": "public",
        })
    };
    // Two years from the tests' Monday 2026-11-23 is 2028-11-22.
    let (s, v) = app
        .post_json(
            "/api/v1/events",
            Some(&member),
            &event("2099-11-25T10:00:00+01:00", "2099-11-25T12:00:00+01:00"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("too_far_ahead"), "{v}");
    let (s, v) = app
        .post_json(
            "/api/v1/events",
            Some(&member),
            &event("2028-11-21T10:00:00+01:00", "2028-11-21T12:00:00+01:00"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    let p = network_plan();
    app.store.insert_plan(&p).await.unwrap();
    let org_admin = app.token_for(&app.f.org_admin).await;
    let path = format!("/api/v1/organisations/{}/seats", app.f.org.id);
    for (start, end, field) in [
        ("2026-11-23", "2199-12-31", "end_date"),
        ("2062-11-23", "", "start_date"),
    ] {
        let mut body = json!({ "plan_id": p.id, "count": 1, "start_date": start });
        if !end.is_empty() {
            body["end_date"] = json!(end);
        }
        let (s, v) = app.post_json(&path, Some(&org_admin), &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(field_names(&v), [field], "{v}");
        assert_eq!(v["error"]["fields"][0]["code"], "date_too_far_ahead");
    }
    let body = json!({ "plan_id": p.id, "count": 1, "start_date": "2026-11-23", "end_date": "2030-06-30" });
    let (s, v) = app.post_json(&path, Some(&org_admin), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn direction_overrides_are_refused_in_names_and_titles(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
        let name = format!("Hubben {c}gpj.exe");
        let (s, v) = app
            .post_json("/api/v1/hubs", Some(&admin), &hub_body(&app.f, &name))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "name", "{v}");
        assert_eq!(v["error"]["fields"][0]["code"], "bidi_override", "{v}");
    }
    // A booking's title, too.
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let (s, v) = app
        .post_json(
            "/api/v1/bookings",
            Some(&member),
            &json!({
                "room_id": app.f.room.id,
                "title": "Möte \u{202E}gnitteM",
                "start": "2026-11-24T10:00:00+01:00",
                "end": "2026-11-24T11:00:00+01:00",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(field_names(&v), ["title"], "{v}");
    // The form says so in Swedish.
    let client = app.signed_in(&app.f.admin).await;
    let r = app
        .post_form(
            &client,
            "/admin/regions/new",
            &[("name", "Region \u{202E}Kalmar"), ("code", "09")],
        )
        .await;
    let html = page_text(r).await;
    assert!(html.contains("vänder textens riktning"), "{html}");
    assert_eq!(app.store.list_regions().await.unwrap().len(), 1);
}

fn urlencode(s: &str) -> String {
    thirdplace_web::http::page::urlencode(s)
}
