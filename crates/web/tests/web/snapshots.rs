//! Snapshots of shapes that clients depend on: the JSON error shape, an
//! iCalendar feed, the CSV exports and the whole OpenAPI document. To review
//! a change, run `cargo insta review` (with cargo-insta), or run these tests
//! with `INSTA_UPDATE=always` and read the `git diff` of `snapshots/`.
//!
//! SQLite only (the shapes do not depend on the backend), with a fixed
//! public address, and with ids, UUIDs and timestamps replaced by
//! placeholders, so that the snapshots are the same on every run and machine.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirdplace_web::WebConfig;

/// The address the app is told it is reached at, so feeds and exports do
/// not carry the test server's random port.
const PUBLIC_URL: &str = "https://hubs.example";

async fn app() -> TestApp {
    let config = WebConfig {
        public_url: Some(PUBLIC_URL.into()),
        ..WebConfig::default()
    };
    spawn_app_with(Backend::Sqlite, config).await.unwrap()
}

/// A regular expression for a UUID that may be cut by iCalendar line
/// folding (a line break and one space) anywhere inside it.
fn folded_uuid() -> String {
    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
        .chars()
        .map(|c| if c == 'x' { "[0-9a-f]" } else { "-" })
        .collect::<Vec<_>>()
        .join("(?:\n )?")
}

/// Runs `check` with the filters every snapshot here needs.
fn with_filters(check: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&folded_uuid(), "[uuid]");
    // iCalendar UTC date-times that come from the running clock.
    settings.add_filter(
        r"(DTSTAMP|LAST-MODIFIED|CREATED):\d{8}T\d{6}Z",
        "$1:[timestamp]",
    );
    // RFC 3339 instants that come from the running clock.
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
        "[instant]",
    );
    settings.bind(check);
}

/// One request's answer, for the error snapshot.
fn answer(request: &str, status: StatusCode, body: Value) -> Value {
    json!({ "request": request, "status": status.as_u16(), "body": body })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_error_shape() {
    let app = app().await;
    let admin = app.token_for(&app.f.admin).await;
    let member = app.token_for(&app.f.member).await;
    let mut answers = vec![];

    let (s, v) = app
        .get_json(&format!("/api/v1/hubs/{}", thirdplace_domain::new_id()))
        .await;
    answers.push(answer("GET an unknown hub", s, v));

    let (s, v) = app
        .post_json(
            "/api/v1/regions",
            None,
            &json!({"name": "Ny", "code": "99"}),
        )
        .await;
    answers.push(answer("POST a region without a token", s, v));

    let (s, v) = app
        .post_json(
            "/api/v1/regions",
            Some(&member),
            &json!({"name": "Ny", "code": "99"}),
        )
        .await;
    answers.push(answer("POST a region as a member", s, v));

    let (s, v) = app
        .post_json(
            "/api/v1/regions",
            Some(&admin),
            &json!({"name": "", "code": "x"}),
        )
        .await;
    answers.push(answer("POST a region with bad fields", s, v));

    let (s, v) = app
        .post_json(
            "/api/v1/organisations",
            Some(&admin),
            &json!({"name": "Dubbel", "org_number": app.f.org.org_number, "kind": "company"}),
        )
        .await;
    answers.push(answer("POST an organisation that exists", s, v));

    let r = app.post_raw_json("/api/v1/hubs", &admin, "{not json").await;
    let s = r.status();
    answers.push(answer(
        "POST a hub that is not JSON",
        s,
        r.json().await.unwrap(),
    ));

    let statuses: Vec<u64> = answers
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [404, 401, 403, 422, 409, 400]);
    with_filters(|| insta::assert_json_snapshot!("errors", answers));
}

/// An event published at once by the network admin.
async fn publish(app: &TestApp, token: &str, body: Value) {
    let (s, v) = app.post_json("/api/v1/events", Some(token), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "published", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_calendar_feed() {
    let app = app().await;
    let admin = app.token_for(&app.f.admin).await;
    publish(
        &app,
        &admin,
        json!({
            "hub_id": app.f.hub.id,
            "venue": "online",
            "title": "Workshop: AI i offentlig sektor, för oss som vill förstå mer än rubrikerna",
            "description": "Vi testar verktyg tillsammans.\nTa med egen dator; fika finns.",
            "topics": ["AI", "Offentlig sektor"],
            "start": "2026-11-25T10:00:00+01:00",
            "end": "2026-11-25T12:00:00+01:00",
            "capacity": 10,
            "visibility": "public",
        }),
    )
    .await;
    publish(
        &app,
        &admin,
        json!({
            "hub_id": app.f.other_hub.id,
            "venue": "online",
            "title": "Återbruksdag",
            "description": "Byt, laga och låna.",
            "topics": ["Återbruk"],
            "start": "2026-12-02T13:00:00+01:00",
            "end": "2026-12-02T15:30:00+01:00",
            "capacity": 20,
            "visibility": "public",
        }),
    )
    .await;
    let body = common::calendar::feed_body(&app, "/calendar.ics").await;
    // Line ends are CRLF throughout; the snapshot shows them as plain line
    // breaks (the feed tests check the octets).
    assert!(!body.replace("\r\n", "").contains(['\r', '\n']));
    let text = body.replace("\r\n", "\n");
    with_filters(|| insta::assert_snapshot!("calendar_ics", text));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bookings_csv_export() {
    let app = app().await;
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    for (start, end, title) in [
        (
            "2026-11-24T09:00:00+01:00",
            "2026-11-24T10:00:00+01:00",
            "Planeringsmöte",
        ),
        (
            "2026-11-25T13:00:00+01:00",
            "2026-11-25T16:30:00+01:00",
            "Styrelsemöte; \"budget\"",
        ),
    ] {
        let (s, v) = app.book_room(&member, start, end, title).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let host = app.token_for(&app.f.host).await;
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/bookings?hub_id={}&format=csv",
            app.f.hub.id
        )))
        .bearer_auth(&host)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    with_filters(|| insta::assert_snapshot!("bookings_csv", csv));

    // The same bookings as the hosts' download from the page, for Swedish
    // Excel (the byte-order mark shown as `[BOM]`).
    let host = app.signed_in(&app.f.host).await;
    let r = host
        .get(app.url(&format!("/admin/bookings.csv?hub_id={}", app.f.hub.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap().replace('\u{feff}', "[BOM]");
    with_filters(|| insta::assert_snapshot!("bookings_page_csv", csv));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_suggestions_csv_export() {
    let app = app().await;
    let admin = app.signed_in(&app.f.admin).await;
    let r = admin
        .get(app.url(
            "/admin/sites.csv?county=Kalmar+l%C3%A4n&radius_km=15&detour_factor=1&mode=count&site_count=5",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap().replace('\u{feff}', "[BOM]");
    with_filters(|| insta::assert_snapshot!("sites_csv", csv));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document() {
    let app = app().await;
    let (s, v) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    insta::assert_json_snapshot!("openapi", v);
}
