//! The booking pages over a real socket, on SQLite and PostgreSQL: a hub's
//! day view, the booking form with its price preview, series with
//! conflicts, my bookings, the hosts' list with CSV, XLSX and cancelling, booking
//! rules, and the member card's remaining included hours.

use crate::common;

use common::*;
use reqwest::{Client, StatusCode};
use thirdplace_domain::*;
use thirdplace_store::BookingFilter;

on_both_backends!(
    the_day_view_shows_busy_blocks_without_names_and_switches_weeks,
    a_dst_day_shows_its_real_hours,
    the_preview_shows_the_price_and_writes_nothing_then_the_form_books,
    a_series_with_a_conflict_offers_to_book_only_the_free_ones,
    my_bookings_lists_upcoming_and_cancelled_and_cancels_for_free_before_the_deadline,
    hosts_list_filter_download_and_cancel_with_a_reason_that_is_mailed,
    hosts_download_bookings_for_a_spreadsheet_in_their_language,
    the_booking_rules_form_validates_and_saves,
    bad_input_shows_the_translated_error_and_writes_nothing,
    the_card_shows_the_remaining_included_hours_per_seat,
    an_organisation_admin_books_on_behalf_of_the_organisation_at_the_full_price,
);

async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = app.post_form(client, path, fields).await;
    let s = r.status();
    let loc = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (s, loc, page_text(r).await)
}

fn book_path(app: &TestApp) -> String {
    format!("/rooms/{}/book", app.f.room.id)
}

/// Books through the form: Tuesday 2026-11-24 (the day after TEST_NOW).
async fn book_form(
    app: &TestApp,
    client: &Client,
    start: &str,
    end: &str,
    title: &str,
) -> (StatusCode, String, String) {
    post(
        app,
        client,
        &book_path(app),
        &[
            ("date", "2026-11-24"),
            ("start", start),
            ("end", end),
            ("title", title),
            ("action", "book"),
        ],
    )
    .await
}

async fn bookings_of(app: &TestApp, person: &Person) -> Vec<thirdplace_store::BookingView> {
    app.store
        .list_bookings(&BookingFilter {
            booker_id: Some(person.id),
            include_cancelled: true,
            limit: 100,
            ..BookingFilter::default()
        })
        .await
        .unwrap()
}

async fn english(app: &TestApp, client: &Client) {
    let r = app
        .post_form(client, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn the_day_view_shows_busy_blocks_without_names_and_switches_weeks(app: TestApp) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (s, loc, body) = book_form(&app, &member, "09:00", "10:30", "Styrelsemöte").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert!(loc.starts_with("/bookings?done=booked"), "{loc}");

    // The public sees the blocks in words, without the title.
    let path = format!("/hubs/{}/rooms?date=2026-11-24", app.f.hub.id);
    let (s, html) = app.page(&app.client, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Sjöutsikten"), "{html}");
    assert!(html.contains("08:00–09:00</span> <strong>ledigt"), "{html}");
    assert!(
        html.contains("09:00–10:30</span> <strong>upptaget"),
        "{html}"
    );
    assert!(html.contains("10:30–17:00</span> <strong>ledigt"), "{html}");
    assert!(!html.contains("Styrelsemöte"), "no names for the public");
    assert!(html.contains("tisdag 24 november"), "{html}");
    // The week switcher: the week before and after, and the 7 days.
    assert!(html.contains(&format!("/hubs/{}/rooms?date=2026-11-17", app.f.hub.id)));
    assert!(html.contains(&format!("/hubs/{}/rooms?date=2026-12-01", app.f.hub.id)));
    for d in 23..=29 {
        assert!(html.contains(&format!("rooms?date=2026-11-{d}")), "day {d}");
    }
    assert!(
        html.contains("aria-current=\"date\">tisdag 24 november"),
        "{html}"
    );
    assert!(html.contains("Vecka 48"), "{html}");

    // A host sees the title; the hub page links to the day view.
    let host = app.signed_in(&app.f.host).await;
    let (_, html) = app.page(&host, &path).await;
    assert!(html.contains("upptaget</strong> – Styrelsemöte"), "{html}");
    let (_, hub) = app
        .page(&app.client, &format!("/hubs/{}", app.f.hub.id))
        .await;
    assert!(
        hub.contains(&format!("/hubs/{}/rooms", app.f.hub.id)),
        "{hub}"
    );

    // A bad date says so in Swedish and shows today.
    let (s, html) = app
        .page(
            &app.client,
            &format!("/hubs/{}/rooms?date=24/11", app.f.hub.id),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Skriv ett datum som 2026-12-01."), "{html}");

    // In English.
    let en = new_client();
    english(&app, &en).await;
    let (_, html) = app.page(&en, &path).await;
    assert!(html.contains("09:00–10:30</span> <strong>booked"), "{html}");
    assert!(html.contains("Next week"), "{html}");

    // Today: the free time that has passed says so and cannot be booked;
    // booking starts at the next quarter hour.
    let (_, html) = app
        .page(&member, &format!("/hubs/{}/rooms", app.f.hub.id))
        .await;
    assert!(
        html.contains("08:00–10:00</span> <strong>passerat"),
        "{html}"
    );
    assert!(html.contains("10:00–17:00</span> <strong>ledigt"), "{html}");
    assert!(html.contains("start=10%3A15"), "{html}");
}

async fn a_dst_day_shows_its_real_hours(app: TestApp) {
    // Open from midnight on Sundays: the change days are an hour shorter
    // and longer than the wall clock says.
    let mut hub = app.f.hub.clone();
    hub.opening_hours.weekly[6] = OpeningHours::parse_day("00:00-23:45").unwrap();
    app.store.update_hub(&hub).await.unwrap();
    for (date, length) in [
        ("2026-03-29", "22 h 45 min"),
        ("2026-10-25", "24 h 45 min"),
        ("2026-11-29", "23 h 45 min"),
    ] {
        let (s, html) = app
            .page(&app.client, &format!("/hubs/{}/rooms?date={date}", hub.id))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&format!("Öppet 00:00–23:45 ({length})")),
            "{date}: {html}"
        );
    }
    // A weekday keeps its hours, in Swedish time.
    let (_, html) = app
        .page(
            &app.client,
            &format!("/hubs/{}/rooms?date=2026-03-30", hub.id),
        )
        .await;
    assert!(html.contains("Öppet 08:00–17:00 (9 h)"), "{html}");
}

async fn the_preview_shows_the_price_and_writes_nothing_then_the_form_books(app: TestApp) {
    // One included hour; two hours booked: one hour at 300 kr + 25 % VAT.
    seat_of(&app.f.member).hours(1).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (s, html) = app
        .page(
            &member,
            &format!("{}?date=2026-11-24&start=10:00", book_path(&app)),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("value=\"10:00\""), "{html}");
    assert!(html.contains("step=\"900\""));
    assert!(html.contains("Förhandsgranska pris"));
    let fields = [
        ("date", "2026-11-24"),
        ("start", "10:00"),
        ("end", "12:00"),
        ("title", "Workshop"),
        ("action", "preview"),
    ];
    let (s, _, html) = post(&app, &member, &book_path(&app), &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("<dd>1 h</dd>"),
        "included and billable: {html}"
    );
    assert!(html.contains("300,00 kr"), "{html}");
    assert!(html.contains("75,00 kr"), "{html}");
    assert!(html.contains("data-total>375,00 kr"), "{html}");
    assert!(
        html.contains("name=\"action\" value=\"book\""),
        "a confirm button: {html}"
    );
    assert!(
        bookings_of(&app, &app.f.member).await.is_empty(),
        "a preview writes nothing"
    );
    // It starts 24 hours from now, the hub's notice: the preview warns
    // that cancelling it would already be charged; an afternoon one not.
    let late = "fristen för kostnadsfri avbokning har redan passerat";
    assert!(html.contains(late), "{html}");
    let mut later = fields;
    later[1] = ("start", "14:00");
    later[2] = ("end", "15:00");
    let (s, _, afternoon) = post(&app, &member, &book_path(&app), &later).await;
    assert_eq!(s, StatusCode::OK, "{afternoon}");
    assert!(afternoon.contains("data-total>"), "{afternoon}");
    assert!(!afternoon.contains(late), "{afternoon}");

    // Confirming after changing the time prices it again instead of booking.
    let previewed = "2026-11-24|10:00|12:00||||";
    assert!(
        html.contains(&format!("name=\"previewed\" value=\"{previewed}\"")),
        "{html}"
    );
    let mut changed = fields.to_vec();
    changed[2] = ("end", "13:00");
    changed[4] = ("action", "book");
    changed.push(("previewed", previewed));
    let (s, _, html) = post(&app, &member, &book_path(&app), &changed).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Kontrollera det nya priset"), "{html}");
    assert!(html.contains("data-total>750,00 kr"), "{html}");
    assert!(bookings_of(&app, &app.f.member).await.is_empty());

    let mut confirm = fields.to_vec();
    confirm[4] = ("action", "book");
    confirm.push(("previewed", previewed));
    let (s, loc, _) = post(&app, &member, &book_path(&app), &confirm).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/bookings?done=booked&count=1");
    let list = bookings_of(&app, &app.f.member).await;
    assert_eq!(list.len(), 1);
    let b = &list[0].booking;
    assert_eq!(
        b.start,
        instant("2026-11-24T09:00:00Z"),
        "10:00 Swedish time"
    );
    assert_eq!(b.price.total_ore, 37_500);
    assert_eq!(b.title, "Workshop");

    // The same slot again is refused next to the form, in Swedish.
    let (s, _, html) = post(&app, &member, &book_path(&app), &confirm).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("Rummet är redan bokat under en del av den tiden."),
        "{html}"
    );
    assert_eq!(bookings_of(&app, &app.f.member).await.len(), 1);
}

async fn a_series_with_a_conflict_offers_to_book_only_the_free_ones(app: TestApp) {
    seat_of(&app.f.member).hours(20).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    // Someone has the room on the second Tuesday.
    seat_of(&app.f.org_admin).hours(4).give(&app).await;
    let org_admin = app.signed_in(&app.f.org_admin).await;
    let (s, _, html) = post(
        &app,
        &org_admin,
        &book_path(&app),
        &[
            ("date", "2026-12-01"),
            ("start", "09:00"),
            ("end", "10:00"),
            ("title", "Annat"),
            ("action", "book"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");

    let mut fields = vec![
        ("date", "2026-11-24"),
        ("start", "09:00"),
        ("end", "10:00"),
        ("title", "Veckomöte"),
        ("repeat", "1"),
        ("count", "3"),
        ("action", "preview"),
    ];
    let (s, _, html) = post(&app, &member, &book_path(&app), &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("tisdag 1 december"), "{html}");
    assert!(
        html.contains("går inte att boka</strong>: Rummet är redan bokat"),
        "{html}"
    );
    assert!(html.contains("2 lediga av 3"), "{html}");
    assert!(html.contains("value=\"book_free\""), "{html}");
    assert!(
        !html.contains("value=\"book\""),
        "no plain confirm with conflicts"
    );

    // Booking all of it is refused with the list; free-only books two.
    fields[6] = ("action", "book");
    let (s, _, html) = post(&app, &member, &book_path(&app), &fields).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("Några tillfällen i serien går inte att boka"),
        "{html}"
    );
    assert!(bookings_of(&app, &app.f.member).await.is_empty());
    fields[6] = ("action", "book_free");
    let (s, loc, _) = post(&app, &member, &book_path(&app), &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/bookings?done=booked&count=2");
    assert_eq!(bookings_of(&app, &app.f.member).await.len(), 2);
}

async fn my_bookings_lists_upcoming_and_cancelled_and_cancels_for_free_before_the_deadline(
    app: TestApp,
) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    book_form(&app, &member, "13:00", "14:00", "Kundmöte").await;
    let (s, html) = app.page(&member, "/bookings?done=booked&count=1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("href=\"/bookings\" aria-current=\"page\">Mina bokningar"),
        "nav link: {html}"
    );
    assert!(html.contains("Klart!"), "{html}");
    assert!(html.contains("Kundmöte"));
    assert!(html.contains("tisdag 24 november, 13:00–14:00"), "{html}");
    assert!(html.contains("Sjöutsikten, <a href=\"/hubs/"), "{html}");
    assert!(html.contains("0,00 kr"), "included hours: {html}");
    // The default notice is 24 hours: free until Monday 13:00.
    assert!(
        html.contains("Kostnadsfri avbokning till 2026-11-23 13:00."),
        "{html}"
    );

    let id = bookings_of(&app, &app.f.member).await[0].booking.id;
    let (s, loc, _) = post(&app, &member, &format!("/bookings/{id}/cancel"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/bookings?done=cancelled");
    let b = app.store.get_booking(id).await.unwrap();
    assert!(!b.cancellation_charged);
    let (_, html) = app.page(&member, &loc).await;
    assert!(html.contains("Bokningen är avbokad."), "{html}");
    assert!(html.contains("Du har inga kommande bokningar."), "{html}");
    let past = &html[html.find("past-h").unwrap()..];
    assert!(
        past.contains("Kundmöte") && past.contains("Avbokad"),
        "{past}"
    );

    // Cancelling again is refused in words.
    let (s, _, html) = post(&app, &member, &format!("/bookings/{id}/cancel"), &[]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("Bokningen är redan avbokad."), "{html}");

    // Inside the notice the page warns that the price is charged, says how
    // much, and asks before it cancels.
    book_form(&app, &member, "15:00", "16:00", "Sent möte").await;
    app.clock.set(instant("2026-11-24T08:00:00Z"));
    let (_, html) = app.page(&member, "/bookings").await;
    assert!(html.contains("Avbokningsfristen har passerat"), "{html}");
    assert!(html.contains("Det kostar 0,00 kr."), "{html}");
    assert!(
        html.contains("De inkluderade timmarna (1 h) räknas som använda."),
        "{html}"
    );
    assert!(html.contains("name=\"confirm_charge\""), "{html}");
    assert!(html.contains("Ja, avboka och debitera 0,00 kr"), "{html}");
    let late = bookings_of(&app, &app.f.member)
        .await
        .into_iter()
        .find(|v| v.booking.title == "Sent möte")
        .unwrap()
        .booking
        .id;
    // Without the box ticked nothing is cancelled.
    let cancel = format!("/bookings/{late}/cancel");
    let (s, _, html) = post(&app, &member, &cancel, &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Kryssa i rutan vid bokningen"), "{html}");
    let b = app.store.get_booking(late).await.unwrap();
    assert_eq!(
        b.status,
        thirdplace_domain::booking::BookingStatus::Confirmed
    );
    // Ticked: cancelled, and charged.
    let (s, loc, _) = post(&app, &member, &cancel, &[("confirm_charge", "yes")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/bookings?done=cancelled");
    let b = app.store.get_booking(late).await.unwrap();
    assert_eq!(
        b.status,
        thirdplace_domain::booking::BookingStatus::Cancelled
    );
    assert!(b.cancellation_charged);

    // Signed out: to the sign-in page.
    let r = new_client().get(app.url("/bookings")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn hosts_list_filter_download_and_cancel_with_a_reason_that_is_mailed(app: TestApp) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    book_form(&app, &member, "09:00", "10:00", "=Planering").await;
    let host = app.signed_in(&app.f.host).await;
    let (s, html) = app.page(&host, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/admin/bookings"), "{html}");
    let q = format!("hub_id={}&from=2026-11-24&to=2026-11-24", app.f.hub.id);
    let (s, html) = app.page(&host, &format!("/admin/bookings?{q}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("=Planering"), "{html}");
    assert!(html.contains("Maja"), "{html}");
    assert!(html.contains("Skatteverket"), "{html}");
    // Another day: nothing.
    let (_, html) = app
        .page(
            &host,
            &format!("/admin/bookings?hub_id={}&from=2026-11-25", app.f.hub.id),
        )
        .await;
    assert!(html.contains("Inga bokningar."), "{html}");

    // The CSV with the same filters.
    let r = host
        .get(app.url(&format!("/admin/bookings.csv?{q}")))
        .send()
        .await
        .unwrap();
    let rows = page_csv(r).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rows[0][..6],
        ["Boknings-id", "Hubb", "Rum", "Start", "Slut", "Rubrik"]
    );
    assert_eq!(
        rows[1][3..7],
        [
            "2026-11-24 09:00",
            "2026-11-24 10:00",
            "'=Planering",
            "Maja Testsson"
        ]
    );

    // A member may not see the list; a host of another hub not this hub.
    let (s, _) = app.page(&member, "/admin/bookings").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .page(
            &host,
            &format!("/admin/bookings?hub_id={}", app.f.other_hub.id),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Cancel: a reason is required, then the booker gets an e-mail.
    let id = bookings_of(&app, &app.f.member).await[0].booking.id;
    let back = format!("/admin/bookings?{q}");
    let path = format!("/admin/bookings/{id}/cancel");
    let (s, _, html) = post(&app, &host, &path, &[("reason", " "), ("back", &back)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Fältet måste fyllas i."), "{html}");
    assert!(app.store.list_emails(10).await.unwrap().is_empty());
    let (s, loc, _) = post(
        &app,
        &host,
        &path,
        &[("reason", "Vattenläcka"), ("back", &back)],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.ends_with("&done=cancelled"), "{loc}");
    assert!(loc.contains(&format!("hub_id={}", app.f.hub.id)), "{loc}");
    let mail = app.store.list_emails(10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to_address, app.f.member.email);
    assert!(mail[0].body.contains("Vattenläcka"));
    let (_, html) = app.page(&host, &loc).await;
    assert!(
        html.contains("den som bokade får ett e-postmeddelande"),
        "{html}"
    );
    let (_, html) = app
        .page(
            &host,
            &format!("/admin/bookings?{q}&include_cancelled=true"),
        )
        .await;
    assert!(html.contains("Avbokad: Vattenläcka"), "{html}");
}

async fn the_booking_rules_form_validates_and_saves(app: TestApp) {
    let host = app.signed_in(&app.f.host).await;
    let path = format!("/admin/hubs/{}/booking-rules", app.f.hub.id);
    let (s, html) = app.page(&host, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Avbokningsfrist (timmar)"), "{html}");
    assert!(html.contains("value=\"24\""), "the default notice: {html}");
    let (s, _, html) = post(
        &app,
        &host,
        &path,
        &[
            ("cancel_notice_hours", "48"),
            ("max_length_hours", "99"),
            ("max_days_ahead", "x"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Längsta bokning (timmar)"), "{html}");
    assert!(html.contains("aria-invalid"), "{html}");
    assert_eq!(
        app.store
            .booking_rules(app.f.hub.id)
            .await
            .unwrap()
            .cancel_notice_minutes,
        24 * 60,
        "nothing written"
    );
    let (s, loc, _) = post(
        &app,
        &host,
        &path,
        &[
            ("cancel_notice_hours", "48"),
            ("max_length_hours", "4"),
            ("max_days_ahead", "60"),
            ("non_members_may_book", "true"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("{path}?saved=1"));
    let r = app.store.booking_rules(app.f.hub.id).await.unwrap();
    assert_eq!(
        (
            r.cancel_notice_minutes,
            r.max_length_minutes,
            r.max_days_ahead,
            r.non_members_may_book
        ),
        (48 * 60, 240, 60, true)
    );
    // The form now says so to the booker.
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = app.page(&member, &book_path(&app)).await;
    assert!(html.contains("högst 4 h"), "{html}");
    // The hub's admin page links to the rules.
    let (_, html) = app
        .page(&host, &format!("/admin/hubs/{}", app.f.hub.id))
        .await;
    assert!(html.contains(&format!("href=\"{path}\"")), "{html}");
    // Not for the host of another hub, nor members.
    let (s, _) = app.page(&member, &path).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn bad_input_shows_the_translated_error_and_writes_nothing(app: TestApp) {
    seat_of(&app.f.member).hours(4).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (s, _, html) = book_form(&app, &member, "10:07", "11:00", "Möte").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Bokningar börjar och slutar på en kvart"),
        "{html}"
    );
    assert!(
        html.contains("value=\"10:07\""),
        "the form keeps what was typed"
    );
    let (s, _, html) = book_form(&app, &member, "10:00", "11:00", "  ").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-title-error\">Fältet måste fyllas i."),
        "{html}"
    );
    let (s, _, html) = book_form(&app, &member, "18:00", "19:00", "Kväll").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("inom hubbens öppettider"), "{html}");
    let (s, _, html) = book_form(&app, &member, "kl 10", "11:00", "Möte").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Ange tider som 08:30."), "{html}");
    let (s, _, html) = book_form(&app, &member, "11:00", "10:00", "Möte").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Bokningen slutar innan den börjar."),
        "{html}"
    );
    assert!(bookings_of(&app, &app.f.member).await.is_empty());

    // English: the service's own sentence.
    let en = app.signed_in(&app.f.member).await;
    english(&app, &en).await;
    let (s, _, html) = book_form(&app, &en, "10:07", "11:00", "Möte").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Bookings start and end on a quarter hour"),
        "{html}"
    );
    assert!(html.contains("Preview the price"), "{html}");

    // No CSRF token: refused.
    let r = member
        .post(app.url(&book_path(&app)))
        .form(&[
            ("date", "2026-11-24"),
            ("start", "10:00"),
            ("end", "11:00"),
            ("title", "x"),
            ("action", "book"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(bookings_of(&app, &app.f.member).await.is_empty());
}

async fn the_card_shows_the_remaining_included_hours_per_seat(app: TestApp) {
    let seat = seat_of(&app.f.member).hours(4).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    book_form(&app, &member, "09:00", "10:30", "Möte").await;
    let (s, html) = app.page(&member, "/account/card").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("2 h 30 min kvar av 4 h i november"), "{html}");
    // The month's totals agree with the seat's line, on the page and in the API.
    assert!(
        html.contains("<dt>Kvar denna månad</dt><dd>2 h 30 min</dd>"),
        "{html}"
    );
    let token = app.token_for(&app.f.member).await;
    let (s, card) = app.get_json_with(&token, "/api/v1/me/card").await;
    assert_eq!(s, StatusCode::OK, "{card}");
    assert_eq!(card["included_minutes_this_month"], 240);
    assert_eq!(card["remaining_minutes_this_month"], 150);
    let _ = seat;
}

async fn an_organisation_admin_books_on_behalf_of_the_organisation_at_the_full_price(app: TestApp) {
    seat_of(&app.f.org_admin).hours(4).give(&app).await;
    seat_of(&app.f.member).hours(4).give(&app).await;
    let org = app.f.org.id.to_string();
    let admin = app.signed_in(&app.f.org_admin).await;
    let (_, html) = app.page(&admin, &book_path(&app)).await;
    assert!(html.contains("Boka för organisationen"), "{html}");
    assert!(
        html.contains(&format!("<option value=\"{org}\">Skatteverket</option>")),
        "{html}"
    );
    let fields = [
        ("date", "2026-11-24"),
        ("start", "10:00"),
        ("end", "11:00"),
        ("title", "Ledningsgrupp"),
        ("organisation_id", org.as_str()),
        ("action", "preview"),
    ];
    let (s, _, html) = post(&app, &admin, &book_path(&app), &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("data-total>375,00 kr"),
        "no included hours: {html}"
    );
    assert!(html.contains("faktureras organisationen"), "{html}");
    let mut book = fields.to_vec();
    book[5] = ("action", "book");
    let (s, _, _) = post(&app, &admin, &book_path(&app), &book).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let b = &bookings_of(&app, &app.f.org_admin).await[0].booking;
    assert!(b.on_behalf_of_organisation);
    assert_eq!(b.price.included_minutes, 0);

    // A member who does not administer it cannot, and is not offered it.
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = app.page(&member, &book_path(&app)).await;
    assert!(!html.contains("Boka för organisationen"));
    let mut other = book.clone();
    other[1] = ("start", "13:00");
    other[2] = ("end", "14:00");
    let (s, _, html) = post(&app, &member, &book_path(&app), &other).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        html.contains("Du kan bara boka för en organisation som du administrerar."),
        "{html}"
    );
    assert!(bookings_of(&app, &app.f.member).await.is_empty());
}

/// Two bookings of the member's at the test hub (the second partly
/// charged: 30 minutes past the included hours, 150 kr + 37,50 kr VAT).
async fn two_bookings(app: &TestApp) {
    seat_of(&app.f.member).give(app).await;
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
}

async fn hosts_download_bookings_for_a_spreadsheet_in_their_language(app: TestApp) {
    two_bookings(&app).await;
    let host = app.signed_in(&app.f.host).await;
    let q = format!("hub_id={}&from=2026-11-24&to=2026-11-30", app.f.hub.id);
    let (_, html) = app.page(&host, &format!("/admin/bookings?{q}")).await;
    assert!(
        html.contains(&format!(
            "href=\"/admin/bookings.xlsx?hub_id={}&amp;",
            app.f.hub.id
        )) && html.contains("Ladda ner som Excel (XLSX)"),
        "the XLSX is linked beside the CSV: {html}"
    );
    // Each booking's date with its weekday.
    assert!(
        html.contains("tisdag 24 november") && html.contains("onsdag 25 november"),
        "{html}"
    );

    // Swedish (the default): Swedish headings and values, kronor with a
    // decimal comma, Swedish time.
    let r = host
        .get(app.url(&format!("/admin/bookings.csv?{q}")))
        .send()
        .await
        .unwrap();
    let rows = page_csv(r).await;
    assert_eq!(
        rows[0],
        [
            "Boknings-id",
            "Hubb",
            "Rum",
            "Start",
            "Slut",
            "Rubrik",
            "Bokad av",
            "Organisation",
            "Status",
            "Inkluderade minuter",
            "Debiterade minuter",
            "Pris exkl. moms (kr)",
            "Moms (kr)",
            "Totalt (kr)",
            "Avbokningsavgift tas ut",
        ]
    );
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[2][3..],
        [
            "2026-11-25 13:00",
            "2026-11-25 16:30",
            "Styrelsemöte; \"budget\"",
            "Maja Testsson",
            "Skatteverket",
            "Bokad",
            "180",
            "30",
            "150,00",
            "37,50",
            "187,50",
            "nej",
        ]
    );

    // In English for a host who chose English.
    app.post_form(&host, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let r = host
        .get(app.url(&format!("/admin/bookings.csv?{q}")))
        .send()
        .await
        .unwrap();
    let rows = page_csv(r).await;
    assert_eq!(rows[0][..3], ["Booking id", "Hub", "Room"]);
    assert_eq!(rows[0][13], "Total (SEK)");
    assert_eq!(rows[2][8], "Booked");
    assert_eq!(rows[2][11..], ["150.00", "37.50", "187.50", "no"]);

    // The API's CSV stays for programs: commas, no byte-order mark,
    // English keys, öre.
    let token = app.token_for(&app.f.host).await;
    let r = app
        .client
        .get(app.url(&format!("/api/v1/bookings?{q}&format=csv")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let api = csv_text(r).await;
    assert!(api.starts_with("id,hub,room,start,end,title,"), "{api}");
    assert!(api.contains(",15000,3750,18750,false"), "{api}");

    // XLSX, as openpyxl reads it: numbers as numbers, times as dates, a
    // bold, frozen header row with a filter.
    app.post_form(&host, "/lang", &[("lang", "sv"), ("next", "/")])
        .await;
    let r = host
        .get(app.url(&format!("/admin/bookings.xlsx?{q}")))
        .send()
        .await
        .unwrap();
    let bytes = xlsx_bytes(r, "bookings.xlsx").await;
    let Some(book) = read_xlsx(&bytes) else {
        return;
    };
    assert_eq!(book["sheet"], "Bokningar");
    assert_eq!(book["freeze"], "A2");
    assert_eq!(book["filter"], "A1:O3");
    let rows = book["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0]["v"], "Boknings-id");
    assert!(
        rows[0].as_array().unwrap().iter().all(|c| c["b"] == true),
        "bold headings"
    );
    let second = &rows[2];
    assert_eq!(second[3]["v"], "2026-11-25T13:00:00");
    assert_eq!(second[3]["t"], "datetime");
    assert_eq!(second[5]["v"], "Styrelsemöte; \"budget\"");
    assert_eq!(second[9]["v"], 180);
    assert_eq!(second[13]["v"], 187.5);
    assert_eq!(second[13]["t"], "float");
    assert_eq!(second[13]["f"], "#,##0.00");
    assert_eq!(second[12]["v"], 37.5);
}
