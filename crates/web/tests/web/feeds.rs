//! The iCalendar feeds over a real socket, on SQLite and on PostgreSQL,
//! read back with an independent parser (the `ical` crate): what a room's
//! public feed shows and hides, what a member's private feed shows, that
//! times are the bookings' instants (across daylight-saving changes), that
//! lines are folded as RFC 5545 asks, and that forged and rotated addresses
//! are not found.

use crate::common;

use common::calendar::*;
use common::*;
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::*;
use thirdplace_store::Cancellation;

on_both_backends!(
    a_rooms_feed_shows_when_it_is_busy_and_nothing_else,
    a_members_feed_shows_their_own_bookings_and_cancellations,
    long_titles_with_swedish_letters_are_folded_and_read_back_whole,
    forged_and_rotated_feed_addresses_are_not_found,
    the_account_page_shows_the_address_and_replaces_it,
);

// ---------------------------------------------------------------- helpers

fn booking(
    app: &TestApp,
    room: &Room,
    booker: &Person,
    title: &str,
    start: &str,
    end: &str,
) -> Booking {
    let (start, end) = (instant(start), instant(end));
    let minutes = (end - start).num_minutes();
    Booking {
        id: new_id(),
        room_id: room.id,
        hub_id: room.hub_id,
        booker_id: booker.id,
        organisation_id: booker.organisation_id.unwrap_or(app.f.org.id),
        on_behalf_of_organisation: false,
        seat_id: None,
        series_id: None,
        title: title.into(),
        start,
        end,
        status: BookingStatus::Confirmed,
        price: Price {
            included_minutes: 0,
            billable_minutes: minutes,
            price_ex_vat_ore: 5 * minutes * 100,
            vat_percent: 25,
            vat_ore: 125 * minutes,
            total_ore: 625 * minutes,
        },
        created_at: instant("2026-10-01T08:00:00Z"),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    }
}

async fn insert(app: &TestApp, bookings: &[Booking]) {
    app.store.insert_bookings(bookings, &[]).await.unwrap();
}

async fn cancel(app: &TestApp, b: &Booking) {
    let c = Cancellation {
        at: instant("2026-11-20T12:00:00Z"),
        by: b.booker_id,
        reason: "Flyttat".into(),
        charged: false,
    };
    app.store.cancel_booking(b.id, &c, None).await.unwrap();
}

async fn other_room(app: &TestApp) -> Room {
    let room = Room {
        id: new_id(),
        hub_id: app.f.other_hub.id,
        name: "Hamnkontoret".into(),
        kind: RoomKind::Meeting,
        capacity: 4,
        hourly_price_ore: 20_000,
        vat_rate_percent: 25,
        archived: false,
    };
    app.store.insert_room(&room).await.unwrap();
    room
}

/// Fetches a feed, checks the response and the raw lines, and parses it.
async fn feed(app: &TestApp, path: &str) -> (String, IcalCalendar) {
    let body = feed_body(app, path).await;
    assert!(body.ends_with("END:VCALENDAR\r\n"), "{body}");
    // Every line ends in CRLF (no bare LF or CR); `parse` checks their length.
    assert_eq!(body.matches('\n').count(), body.matches("\r\n").count());
    assert_eq!(body.matches('\r').count(), body.matches("\r\n").count());
    let cal = parse(&body);
    assert_eq!(prop(&cal.properties, "VERSION"), Some("2.0".into()));
    assert!(prop(&cal.properties, "PRODID").is_some_and(|p| p.contains("thirdplace")));
    assert_eq!(prop(&cal.properties, "CALSCALE"), Some("GREGORIAN".into()));
    (body, cal)
}

/// The feed's UIDs, in no order.
fn uid_set(cal: &IcalCalendar) -> BTreeSet<String> {
    uids(cal).into_iter().collect()
}

fn assert_times(e: &IcalEvent, b: &Booking) {
    assert_eq!(utc(&ev(e, "DTSTART")), b.start);
    assert_eq!(utc(&ev(e, "DTEND")), b.end);
    utc(&ev(e, "DTSTAMP"));
}

/// The member's feed path, as the API gives it.
async fn feed_path(app: &TestApp, token: &str) -> String {
    let (s, v) = app.get_json_with(token, "/api/v1/me/calendar-feed").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with(&app.base), "{url}");
    assert!(url.ends_with(".ics"), "{url}");
    url[app.base.len()..].to_string()
}

// ------------------------------------------------------------------ tests

async fn a_rooms_feed_shows_when_it_is_busy_and_nothing_else(app: TestApp) {
    let (room, member, other) = (&app.f.room, &app.f.member, &app.f.org_admin);
    let soon = booking(
        &app,
        room,
        member,
        "Styrelsemöte Maja",
        "2026-11-25T09:00:00Z",
        "2026-11-25T10:30:00Z",
    );
    // 02:00 summer time to 03:00 winter time: two real hours.
    let autumn_dst = booking(
        &app,
        room,
        other,
        "Nattjobb",
        "2026-10-25T00:00:00Z",
        "2026-10-25T02:00:00Z",
    );
    // 01:30 winter time to 04:30 summer time: two real hours.
    let spring_dst = booking(
        &app,
        room,
        member,
        "Tidig start",
        "2027-03-28T00:30:00Z",
        "2027-03-28T02:30:00Z",
    );
    let cancelled = booking(
        &app,
        room,
        member,
        "Inställt möte",
        "2026-11-26T09:00:00Z",
        "2026-11-26T10:00:00Z",
    );
    let long_ago = booking(
        &app,
        room,
        member,
        "Gammalt",
        "2026-10-01T09:00:00Z",
        "2026-10-01T10:00:00Z",
    );
    let too_far = booking(
        &app,
        room,
        member,
        "Långt fram",
        "2027-06-21T09:00:00Z",
        "2027-06-21T10:00:00Z",
    );
    let elsewhere_room = other_room(&app).await;
    let elsewhere = booking(
        &app,
        &elsewhere_room,
        member,
        "Annat rum",
        "2026-11-25T09:00:00Z",
        "2026-11-25T10:00:00Z",
    );
    insert(
        &app,
        &[
            soon.clone(),
            autumn_dst.clone(),
            spring_dst.clone(),
            cancelled.clone(),
        ],
    )
    .await;
    insert(
        &app,
        &[long_ago.clone(), too_far.clone(), elsewhere.clone()],
    )
    .await;
    cancel(&app, &cancelled).await;

    let (body, cal) = feed(&app, &format!("/rooms/{}/calendar.ics", room.id)).await;
    assert_eq!(
        prop(&cal.properties, "X-WR-CALNAME").map(|n| unescape(&n)),
        Some("Sjöutsikten – Figeholms hubb".into())
    );
    let expected: BTreeSet<String> = [&soon, &autumn_dst, &spring_dst]
        .iter()
        .map(|b| format!("busy-{}@thirdplace", b.id))
        .collect();
    assert_eq!(
        uid_set(&cal),
        expected,
        "active bookings in the window only"
    );
    for b in [&soon, &autumn_dst, &spring_dst] {
        let e = find(&cal, &format!("busy-{}@thirdplace", b.id));
        assert_times(e, b);
        assert_eq!(ev(e, "SUMMARY"), "Upptaget");
        assert_eq!(ev(e, "STATUS"), "CONFIRMED");
        assert_eq!(ev(e, "SEQUENCE"), "0");
        assert_eq!(unescape(&ev(e, "LOCATION")), "Sjöutsikten, Figeholms hubb");
    }
    assert_eq!(autumn_dst.minutes(), 120);
    // Nobody's name, organisation or titles.
    for secret in [
        "Maja",
        "Olga",
        "Testsson",
        "Skatteverket",
        "Styrelsemöte",
        "Nattjobb",
        "Tidig",
        "Inställt",
        "Flyttat",
        "CANCELLED",
    ] {
        assert!(!body.contains(secret), "the public feed shows {secret:?}");
    }

    let (_, en) = feed(&app, &format!("/rooms/{}/calendar.ics?lang=en", room.id)).await;
    assert!(en.events.iter().all(|e| ev(e, "SUMMARY") == "Booked"));

    for path in [
        format!("/rooms/{}/calendar.ics", new_id()),
        "/rooms/not-an-id/calendar.ics".to_string(),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn a_members_feed_shows_their_own_bookings_and_cancellations(app: TestApp) {
    let (room, member, other) = (&app.f.room, &app.f.member, &app.f.org_admin);
    let elsewhere_room = other_room(&app).await;
    let mine = booking(
        &app,
        room,
        member,
        "Planering; kvartal 1, 2027",
        "2026-11-25T09:00:00Z",
        "2026-11-25T10:30:00Z",
    );
    let dst = booking(
        &app,
        room,
        member,
        "Över tidsomställningen",
        "2026-10-25T00:00:00Z",
        "2026-10-25T02:00:00Z",
    );
    let cancelled = booking(
        &app,
        &elsewhere_room,
        member,
        "Inställt",
        "2026-11-26T09:00:00Z",
        "2026-11-26T10:00:00Z",
    );
    let theirs = booking(
        &app,
        room,
        other,
        "Olgas hemliga möte",
        "2026-11-25T11:00:00Z",
        "2026-11-25T12:00:00Z",
    );
    insert(
        &app,
        &[mine.clone(), dst.clone(), cancelled.clone(), theirs.clone()],
    )
    .await;
    cancel(&app, &cancelled).await;

    let token = app.token_for(member).await;
    let path = feed_path(&app, &token).await;
    let (body, cal) = feed(&app, &path).await;
    assert_eq!(
        prop(&cal.properties, "X-WR-CALNAME"),
        Some("Mina bokningar".into())
    );
    let expected: BTreeSet<String> = [&mine, &dst, &cancelled]
        .iter()
        .map(|b| format!("{}@thirdplace", b.id))
        .collect();
    assert_eq!(uid_set(&cal), expected);
    assert!(!body.contains("Olga"), "another member's booking leaked");
    assert!(!body.contains(&theirs.id.to_string()));

    let e = find(&cal, &format!("{}@thirdplace", mine.id));
    assert_times(e, &mine);
    assert_eq!(unescape(&ev(e, "SUMMARY")), "Planering; kvartal 1, 2027");
    assert_eq!(unescape(&ev(e, "LOCATION")), "Sjöutsikten, Figeholms hubb");
    assert_eq!(ev(e, "STATUS"), "CONFIRMED");
    assert_eq!(ev(e, "SEQUENCE"), "0");
    assert_eq!(utc(&ev(e, "DTSTAMP")), mine.created_at);

    let e = find(&cal, &format!("{}@thirdplace", dst.id));
    assert_times(e, &dst);
    assert_eq!(ev(e, "DTSTART"), "20261025T000000Z");
    assert_eq!(ev(e, "DTEND"), "20261025T020000Z");

    let e = find(&cal, &format!("{}@thirdplace", cancelled.id));
    assert_times(e, &cancelled);
    assert_eq!(ev(e, "STATUS"), "CANCELLED");
    assert_eq!(ev(e, "SEQUENCE"), "1");
    assert_eq!(utc(&ev(e, "DTSTAMP")), instant("2026-11-20T12:00:00Z"));
    assert_eq!(
        unescape(&ev(e, "LOCATION")),
        "Hamnkontoret, Oskarshamns stadshubb"
    );

    // The other member's own feed has only theirs.
    let other_token = app.token_for(other).await;
    let other_path = feed_path(&app, &other_token).await;
    assert_ne!(other_path, path);
    let (_, cal) = feed(&app, &other_path).await;
    assert_eq!(
        uid_set(&cal),
        BTreeSet::from([format!("{}@thirdplace", theirs.id)])
    );

    // English on request; the address needs a signed-in caller.
    let (_, en) = feed(&app, &format!("{path}?lang=en")).await;
    assert_eq!(
        prop(&en.properties, "X-WR-CALNAME"),
        Some("My bookings".into())
    );
    let (s, v) = app.get_json("/api/v1/me/calendar-feed").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&v), "unauthorized");
}

async fn long_titles_with_swedish_letters_are_folded_and_read_back_whole(app: TestApp) {
    let member = &app.f.member;
    let titles = [
        "Årsmöte för föreningen Öppna ängar i Figeholm – budget, val och övriga frågor",
        "ååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååååå",
        "Ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö ä å ö",
        "Möte med 🚀-gruppen om överenskommelsen, \"väg 743\" och bryggan; därefter fika",
    ];
    let mut bookings = Vec::new();
    for (i, t) in titles.iter().enumerate() {
        assert!(t.chars().count() <= thirdplace_domain::booking::MAX_TITLE_CHARS);
        let start = format!("2026-12-0{}T09:00:00Z", i + 1);
        let end = format!("2026-12-0{}T10:00:00Z", i + 1);
        bookings.push(booking(&app, &app.f.room, member, t, &start, &end));
    }
    insert(&app, &bookings).await;
    let token = app.token_for(member).await;
    let path = feed_path(&app, &token).await;
    let (body, cal) = feed(&app, &path).await;
    assert!(body.contains("\r\n "), "long lines are folded: {body}");
    for b in &bookings {
        let e = find(&cal, &format!("{}@thirdplace", b.id));
        assert_eq!(unescape(&ev(e, "SUMMARY")), b.title);
        assert_times(e, b);
    }
}

async fn forged_and_rotated_feed_addresses_are_not_found(app: TestApp) {
    let (member, other) = (&app.f.member, &app.f.org_admin);
    insert(
        &app,
        &[booking(
            &app,
            &app.f.room,
            member,
            "Mitt",
            "2026-11-25T09:00:00Z",
            "2026-11-25T10:00:00Z",
        )],
    )
    .await;
    let token = app.token_for(member).await;
    let path = feed_path(&app, &token).await;
    assert_eq!(feed_path(&app, &token).await, path, "the address is stable");
    let secret = path
        .strip_prefix("/feeds/")
        .and_then(|p| p.strip_suffix(".ics"))
        .unwrap()
        .to_string();
    let parts: Vec<&str> = secret.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert!(!secret.contains(&member.id.to_string()));

    // Another member's payload under this member's tag, a flipped
    // character, garbage, and the address without its extension.
    let other_path = feed_path(&app, &app.token_for(other).await).await;
    let other_payload = other_path.split('.').nth(1).unwrap();
    let mut flipped: Vec<char> = parts[2].chars().collect();
    flipped[3] = if flipped[3] == 'A' { 'B' } else { 'A' };
    let flipped: String = flipped.into_iter().collect();
    for forged in [
        format!("/feeds/{}.{}.{}.ics", parts[0], other_payload, parts[2]),
        format!("/feeds/{}.{}.{}.ics", parts[0], parts[1], flipped),
        "/feeds/tpc1.AAAA.AAAA.ics".to_string(),
        "/feeds/hello.ics".to_string(),
        format!("/feeds/{secret}"),
        format!("/feeds/{secret}.ics.ics"),
    ] {
        assert_eq!(
            app.get(&forged).await.status(),
            StatusCode::NOT_FOUND,
            "{forged}"
        );
    }

    // Rotating voids the old address at once.
    let (s, v) = app
        .post_json(
            "/api/v1/me/calendar-feed/rotate",
            Some(&token),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let new_path = v["url"].as_str().unwrap()[app.base.len()..].to_string();
    assert_ne!(new_path, path);
    assert_eq!(feed_path(&app, &token).await, new_path);
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    let (_, cal) = feed(&app, &new_path).await;
    assert_eq!(cal.events.len(), 1);
    // The other member's address is untouched.
    feed(&app, &other_path).await;

    // Rotating is a write: a browser session alone may not do it.
    let browser = app.signed_in(member).await;
    let r = browser
        .post(app.url("/api/v1/me/calendar-feed/rotate"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&new_path).await.status(), StatusCode::OK);
}

async fn the_account_page_shows_the_address_and_replaces_it(app: TestApp) {
    let member = &app.f.member;
    let token = app.token_for(member).await;
    let path = feed_path(&app, &token).await;
    let browser = app.signed_in(member).await;
    let html = app.html(&browser, "/account").await;
    // The page escapes the slashes; the secret part is as it is.
    let secret = |p: &str| p["/feeds/".len()..].to_string();
    assert!(
        html.contains(&secret(&path)),
        "the account page shows the address"
    );
    assert!(html.contains("Outlook"));
    assert!(html.contains("/account/calendar-feed/rotate"));

    // Without the CSRF token nothing changes.
    let r = browser
        .post(app.url("/account/calendar-feed/rotate"))
        .form(&[("_csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);

    let r = app
        .post_form(&browser, "/account/calendar-feed/rotate", &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    let new_path = feed_path(&app, &token).await;
    let html = app.html(&browser, "/account").await;
    assert!(html.contains(&secret(&new_path)));
    assert!(!html.contains(&secret(&path)));
}
