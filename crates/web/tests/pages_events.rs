//! The calendar and event pages over a real socket, on SQLite and
//! PostgreSQL: who sees which events, the filters, an event's page, signing
//! up (confirmed, then waitlisted when full) and cancelling through the
//! forms, English texts, and unknown events.

mod common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use thirdplace_domain::membership::*;
use thirdplace_domain::*;

on_both_backends!(
    the_calendar_shows_what_anonymous_visitors_may_see_and_filters_by_hub_and_topic,
    a_member_signs_up_on_the_event_page_then_the_next_is_waitlisted_and_cancels,
    the_pages_speak_english_and_unknown_events_are_not_found,
    the_month_view_shows_events_on_their_day_with_the_filters_kept,
    a_bad_month_or_position_is_refused_with_a_clear_message,
    the_month_view_speaks_english,
    the_list_shows_fifty_events_and_links_to_the_later_ones,
);

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap().replace("&#x2f;", "/")
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    let s = r.status();
    (s, text(r).await)
}

async fn give_seat(app: &TestApp, person: &Person) {
    let plan = Plan {
        id: new_id(),
        name: format!("Nätverkskort {}", new_id()),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 145_000,
        included_hours_per_month: 4,
        max_guests: 1,
        validity: Validity::MonthlyRolling,
        archived: false,
    };
    hold_seat(
        app,
        person,
        &plan,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await;
}

fn online(hub: uuid::Uuid, title: &str, topics: &[&str], visibility: &str, capacity: i64) -> Value {
    json!({
        "hub_id": hub,
        "venue": "online",
        "title": title,
        "description": "Vi testar verktyg tillsammans.",
        "topics": topics,
        "start": "2026-11-25T10:00:00+01:00",
        "end": "2026-11-25T12:00:00+01:00",
        "capacity": capacity,
        "visibility": visibility,
    })
}

/// An event created by the network admin, who publishes at once.
async fn published(app: &TestApp, body: &Value) -> String {
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app.post_json("/api/v1/events", Some(&admin), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "published", "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn the_calendar_shows_what_anonymous_visitors_may_see_and_filters_by_hub_and_topic(
    app: TestApp,
) {
    let hub = app.f.hub.id;
    let other = app.f.other_hub.id;
    let public = published(&app, &online(hub, "Workshop om AI", &["AI"], "public", 10)).await;
    let secret = published(
        &app,
        &online(hub, "Medlemsfrukost", &["Nätverk"], "members_only", 10),
    )
    .await;
    let culture = published(
        &app,
        &online(other, "Kulturkväll", &["Kultur"], "public", 10),
    )
    .await;
    let client = new_client();

    let (s, html) = page(&app, &client, "/calendar").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!("href=\"/events/{public}\"")),
        "{html}"
    );
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(
        html.contains(&format!("href=\"/events/{culture}\"")),
        "{html}"
    );
    assert!(!html.contains("Medlemsfrukost"), "{html}");
    assert!(!html.contains(&secret), "{html}");
    assert!(html.contains("10 platser kvar"), "{html}");
    assert!(html.contains("<label for=\"hub\">"), "{html}");
    assert!(html.contains("href=\"/calendar.ics\""), "{html}");
    assert!(
        html.contains("href=\"/calendar\" aria-current=\"page\""),
        "{html}"
    );

    // A member sees the members-only event too.
    give_seat(&app, &app.f.member).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = page(&app, &member, "/calendar").await;
    assert!(html.contains("Medlemsfrukost"), "{html}");

    let (_, html) = page(&app, &client, &format!("/calendar?hub={other}")).await;
    assert!(html.contains("Kulturkväll"), "{html}");
    assert!(!html.contains("Workshop om AI"), "{html}");
    assert!(
        html.contains(&format!("href=\"/hubs/{other}/calendar.ics\"")),
        "{html}"
    );
    let (_, html) = page(&app, &client, "/calendar?topic=AI").await;
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(!html.contains("Kulturkväll"), "{html}");
    let (_, html) = page(
        &app,
        &client,
        &format!("/calendar?region={}", app.f.region.id),
    )
    .await;
    assert!(html.contains("Workshop om AI"), "{html}");
}

async fn a_member_signs_up_on_the_event_page_then_the_next_is_waitlisted_and_cancels(app: TestApp) {
    let id = published(
        &app,
        &online(
            app.f.hub.id,
            "Workshop om AI",
            &["AI", "Offentlig sektor"],
            "public",
            1,
        ),
    )
    .await;
    let path = format!("/events/{id}");

    // Anonymous visitors see the details and a way to sign in.
    let (s, html) = page(&app, &new_client(), &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(html.contains("Vi testar verktyg tillsammans."), "{html}");
    assert!(html.contains("2026-11-25 10:00–12:00"), "{html}");
    assert!(html.contains("AI, Offentlig sektor"), "{html}");
    assert!(html.contains(&app.f.admin.first_name), "organiser: {html}");
    assert!(html.contains("Logga in för att anmäla dig"), "{html}");
    assert!(
        html.contains(&format!("/login?next=/events/{id}"))
            || html.contains(&format!("/login?next=%2Fevents%2F{id}")),
        "{html}"
    );
    assert!(!html.contains("Anmäl mig"), "{html}");

    give_seat(&app, &app.f.member).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = page(&app, &member, &path).await;
    assert!(html.contains("Anmäl mig"), "{html}");
    let r = app
        .post_form(&member, &format!("{path}/register"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=confirmed"));
    let (_, html) = page(&app, &member, &to).await;
    assert!(html.contains("Du är anmäld. Välkommen!"), "{html}");
    assert!(html.contains("Avanmäl mig"), "{html}");
    assert!(html.contains("Fullt – väntelista"), "{html}");

    // The event is full: the host goes on the waiting list.
    let host = app.signed_in(&app.f.host).await;
    let r = app.post_form(&host, &format!("{path}/register"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=waitlisted"));
    let (_, html) = page(&app, &host, &to).await;
    assert!(html.contains("väntelistan"), "{html}");

    // Signing up twice is refused, translated.
    let r = app.post_form(&host, &format!("{path}/register"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = text(r).await;
    assert!(html.contains("Du är redan anmäld."), "{html}");

    // The member cancels; the host moves up.
    let r = app
        .post_form(&member, &format!("{path}/unregister"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = page(&app, &member, &to).await;
    assert!(html.contains("Din anmälan är avbokad."), "{html}");
    assert!(html.contains("Anmäl mig"), "{html}");
    let (_, html) = page(&app, &host, &path).await;
    assert!(html.contains("Du är anmäld."), "{html}");

    // A form without the CSRF token writes nothing.
    let r = member
        .post(app.url(&format!("{path}/register")))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn the_pages_speak_english_and_unknown_events_are_not_found(app: TestApp) {
    let id = published(
        &app,
        &online(app.f.hub.id, "Workshop om AI", &["AI"], "public", 5),
    )
    .await;
    let client = new_client();
    app.post_form(&client, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (_, html) = page(&app, &client, "/calendar").await;
    assert!(html.contains("5 places left"), "{html}");
    assert!(html.contains(">Calendar</a>"), "{html}");
    let (_, html) = page(&app, &client, &format!("/events/{id}")).await;
    assert!(html.contains("Log in to sign up"), "{html}");

    let (s, _) = page(&app, &client, &format!("/events/{}", new_id())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = page(&app, &client, "/events/nonsense").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let secret = published(
        &app,
        &online(app.f.hub.id, "Medlemsfrukost", &[], "members_only", 5),
    )
    .await;
    let (s, _) = page(&app, &client, &format!("/events/{secret}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn at(hub: uuid::Uuid, title: &str, topics: &[&str], start: &str, end: &str) -> Value {
    let mut v = online(hub, title, topics, "public", 10);
    v["start"] = json!(start);
    v["end"] = json!(end);
    v
}

async fn the_month_view_shows_events_on_their_day_with_the_filters_kept(app: TestApp) {
    let hub = app.f.hub.id;
    let other = app.f.other_hub.id;
    let ai = published(&app, &online(hub, "Workshop om AI", &["AI"], "public", 10)).await;
    let culture = published(
        &app,
        &at(
            other,
            "Kulturkväll",
            &["Kultur"],
            "2026-11-27T18:00:00+01:00",
            "2026-11-27T20:00:00+01:00",
        ),
    )
    .await;
    let december = published(
        &app,
        &at(
            hub,
            "Julfika",
            &["AI"],
            "2026-12-15T15:00:00+01:00",
            "2026-12-15T16:00:00+01:00",
        ),
    )
    .await;
    let secret = published(
        &app,
        &online(hub, "Medlemsfrukost", &["Nätverk"], "members_only", 10),
    )
    .await;
    let client = new_client();

    // The current Swedish month by default (the tests' clock: November 2026).
    let (s, html) = page(&app, &client, "/calendar?view=month").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<table class=\"month\">"), "{html}");
    assert!(html.contains("<caption>November 2026"), "{html}");
    // Monday first, named in full for screen readers.
    let first_th = html.find("<th scope=\"col\">").unwrap();
    assert!(
        html[first_th..].starts_with("<th scope=\"col\"><abbr title=\"måndag\">mån</abbr></th>"),
        "{html}"
    );
    // Each event in its day's cell, with its start time.
    let cell = |html: &str, label: &str| {
        let at = html
            .find(&format!("<span class=\"day-label\">{label}</span>"))
            .unwrap_or_else(|| panic!("no day {label}: {html}"));
        let end = html[at..].find("</td>").unwrap();
        html[at..at + end].to_string()
    };
    let wed = cell(&html, "onsdag 25 november");
    assert!(wed.contains(&format!("href=\"/events/{ai}\"")), "{wed}");
    assert!(wed.contains(">10:00</time> Workshop om AI"), "{wed}");
    let fri = cell(&html, "fredag 27 november");
    assert!(
        fri.contains(&format!("href=\"/events/{culture}\"")),
        "{fri}"
    );
    assert!(!cell(&html, "tisdag 24 november").contains("<a "));
    assert!(!html.contains(&december), "December is not in November");
    assert!(!html.contains(&secret), "{html}");
    assert!(
        html.contains("href=\"/calendar?view=month&amp;month=2026-10\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"/calendar?view=month&amp;month=2026-12\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"/calendar?view=month&amp;month=2026-11\" aria-current=\"page\""),
        "the month view is marked in the toggle: {html}"
    );
    // The first of November 2026 is a Sunday: six empty days before it.
    let first_row = &html[html.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert_eq!(
        first_row.matches("class=\"outside\"").count(),
        6,
        "{first_row}"
    );

    let (_, dec) = page(&app, &client, "/calendar?view=month&month=2026-12").await;
    assert!(dec.contains("<caption>December 2026"), "{dec}");
    assert!(cell(&dec, "tisdag 15 december").contains(">15:00</time> Julfika"));
    assert!(!dec.contains("Workshop om AI"), "{dec}");

    // Filters apply, and every link keeps them.
    let (_, html) = page(
        &app,
        &client,
        &format!("/calendar?view=month&month=2026-11&hub={other}"),
    )
    .await;
    assert!(html.contains("Kulturkväll"), "{html}");
    assert!(!html.contains(&format!("/events/{ai}")), "{html}");
    assert!(
        html.contains(&format!(
            "href=\"/calendar?view=month&amp;month=2026-12&amp;hub={other}\""
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!("href=\"/calendar?hub={other}\"")),
        "list toggle: {html}"
    );
    assert!(
        html.contains("<input type=\"hidden\" name=\"view\" value=\"month\">"),
        "{html}"
    );
    let (_, html) = page(&app, &client, "/calendar?view=month&month=2026-12&topic=AI").await;
    assert!(html.contains("Julfika"), "{html}");
    assert!(html.contains("topic=AI"), "{html}");
    let (_, html) = page(
        &app,
        &client,
        &format!(
            "/calendar?view=month&region={}&topic=Kultur",
            app.f.region.id
        ),
    )
    .await;
    assert!(!html.contains("Workshop om AI"), "{html}");

    // A member sees the members-only event on its day too.
    give_seat(&app, &app.f.member).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = page(&app, &member, "/calendar?view=month").await;
    assert!(
        cell(&html, "onsdag 25 november").contains("Medlemsfrukost"),
        "{html}"
    );

    // The list view links to the month view with the same filters.
    let (_, html) = page(&app, &client, &format!("/calendar?hub={hub}")).await;
    assert!(
        html.contains(&format!(
            "href=\"/calendar?view=month&amp;month=2026-11&amp;hub={hub}\""
        )),
        "{html}"
    );
}

async fn a_bad_month_or_position_is_refused_with_a_clear_message(app: TestApp) {
    let client = new_client();
    for bad in ["2026-13", "2026-1", "november", "2026-11-01", "1899-01"] {
        let (s, html) = page(&app, &client, &format!("/calendar?view=month&month={bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {html}");
        assert!(html.contains("ÅÅÅÅ-MM"), "{bad}: {html}");
    }
    let (s, html) = page(&app, &client, "/calendar?view=week").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("lista eller månad"), "{html}");
    let (s, html) = page(&app, &client, "/calendar?after=nonsense").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("Börja om"), "{html}");
}

async fn the_month_view_speaks_english(app: TestApp) {
    let id = published(
        &app,
        &online(app.f.hub.id, "Workshop om AI", &["AI"], "public", 5),
    )
    .await;
    let client = new_client();
    app.post_form(&client, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (s, html) = page(&app, &client, "/calendar?view=month&month=2026-11").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<caption>November 2026"), "{html}");
    assert!(html.contains("<abbr title=\"Monday\">Mon</abbr>"), "{html}");
    assert!(html.contains("Wednesday 25 November"), "{html}");
    assert!(html.contains(&format!("href=\"/events/{id}\"")), "{html}");
    assert!(html.contains("October 2026"), "{html}");
    assert!(html.contains(">List</a>"), "{html}");
    let (s, html) = page(&app, &client, "/calendar?view=month&month=2026-99").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("YYYY-MM"), "{html}");
}

async fn the_list_shows_fifty_events_and_links_to_the_later_ones(app: TestApp) {
    let hub = app.f.hub.id;
    // 52 events, two at each start time, so the position needs the id too.
    let mut ids = Vec::new();
    for k in 0..26 {
        for n in 0..2 {
            let start = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:00:00+01:00").unwrap()
                + chrono::Duration::hours(k * 6);
            let end = start + chrono::Duration::hours(1);
            let id = published(
                &app,
                &at(
                    hub,
                    &format!("Träff {k}-{n}"),
                    &["AI"],
                    &start.to_rfc3339(),
                    &end.to_rfc3339(),
                ),
            )
            .await;
            ids.push((start, id));
        }
    }
    let client = new_client();
    let (s, html) = page(&app, &client, "/calendar").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let shown = |html: &str| {
        ids.iter()
            .filter(|(_, id)| html.contains(&format!("href=\"/events/{id}\"")))
            .count()
    };
    assert_eq!(shown(&html), 50, "{html}");
    assert!(
        html.contains("Träff 0-0") && html.contains("Träff 0-1"),
        "soonest first"
    );
    assert!(!html.contains("Träff 25-"), "{html}");
    let at_link = html
        .find("rel=\"next\"")
        .expect("a link to the later events");
    let href_start = html[..at_link].rfind("href=\"").unwrap() + 6;
    let href = html[href_start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(href.starts_with("/calendar?after="), "{href}");
    let (s, later) = page(&app, &client, &href).await;
    assert_eq!(s, StatusCode::OK, "{later}");
    assert_eq!(shown(&later), 2, "{later}");
    assert!(
        later.contains("Träff 25-0") && later.contains("Träff 25-1"),
        "{later}"
    );
    assert!(!later.contains("rel=\"next\""), "{later}");
    assert!(later.contains("Till de närmaste evenemangen"), "{later}");

    // The filters stay on the later page's link.
    let (_, html) = page(&app, &client, &format!("/calendar?hub={hub}&topic=AI")).await;
    assert!(html.contains("topic=AI\" rel=\"next\""), "{html}");
}
