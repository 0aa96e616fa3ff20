//! The calendar and event pages over a real socket, on SQLite and
//! PostgreSQL: who sees which events, the filters, an event's page, signing
//! up (confirmed, then waitlisted when full) and cancelling through the
//! forms, English texts, and unknown events; proposing, changing,
//! cancelling and publishing events through the forms, signing up a
//! colleague, participants per organisation, attendance and invitations.

use crate::common;

use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use thirdplace_domain::*;

on_both_backends!(
    the_calendar_shows_what_anonymous_visitors_may_see_and_filters_by_hub_and_topic,
    a_member_signs_up_on_the_event_page_then_the_next_is_waitlisted_and_cancels,
    the_pages_speak_english_and_unknown_events_are_not_found,
    a_member_proposes_an_event_through_the_form_and_refused_ones_write_nothing,
    the_host_publishes_a_proposal_on_admin_events_and_others_cannot,
    the_organiser_changes_and_cancels_an_event_through_the_forms,
    a_member_signs_up_a_colleague_and_the_page_counts_participants_per_organisation,
    the_organiser_marks_attendance_and_a_bad_invitation_address_sends_nothing,
    the_event_forms_speak_english,
    the_month_view_shows_events_on_their_day_with_the_filters_kept,
    a_bad_month_or_position_is_refused_with_a_clear_message,
    the_month_view_speaks_english,
    the_list_shows_fifty_events_and_links_to_the_later_ones,
);

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

    let (s, html) = app.page(&client, "/calendar").await;
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
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = app.page(&member, "/calendar").await;
    assert!(html.contains("Medlemsfrukost"), "{html}");

    let (_, html) = app.page(&client, &format!("/calendar?hub={other}")).await;
    assert!(html.contains("Kulturkväll"), "{html}");
    assert!(!html.contains("Workshop om AI"), "{html}");
    assert!(
        html.contains(&format!("href=\"/hubs/{other}/calendar.ics\"")),
        "{html}"
    );
    let (_, html) = app.page(&client, "/calendar?topic=AI").await;
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(!html.contains("Kulturkväll"), "{html}");
    let (_, html) = app
        .page(&client, &format!("/calendar?region={}", app.f.region.id))
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
    let (s, html) = app.page(&new_client(), &path).await;
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

    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = app.page(&member, &path).await;
    assert!(html.contains("Anmäl mig"), "{html}");
    let r = app
        .post_form(&member, &format!("{path}/register"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=confirmed"));
    let (_, html) = app.page(&member, &to).await;
    assert!(html.contains("Du är anmäld. Välkommen!"), "{html}");
    assert!(html.contains("Avanmäl mig"), "{html}");
    assert!(html.contains("Fullt – väntelista"), "{html}");

    // The event is full: the host goes on the waiting list.
    let host = app.signed_in(&app.f.host).await;
    let r = app.post_form(&host, &format!("{path}/register"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=waitlisted"));
    let (_, html) = app.page(&host, &to).await;
    assert!(html.contains("väntelistan"), "{html}");

    // Signing up twice is refused, translated.
    let r = app.post_form(&host, &format!("{path}/register"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = page_text(r).await;
    assert!(html.contains("Du är redan anmäld."), "{html}");

    // The member cancels; the host moves up.
    let r = app
        .post_form(&member, &format!("{path}/unregister"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&member, &to).await;
    assert!(html.contains("Du är avanmäld."), "{html}");
    assert!(html.contains("Anmäl mig"), "{html}");
    let (_, html) = app.page(&host, &path).await;
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
    let (_, html) = app.page(&client, "/calendar").await;
    assert!(html.contains("5 places left"), "{html}");
    assert!(html.contains(">Calendar</a>"), "{html}");
    let (_, html) = app.page(&client, &format!("/events/{id}")).await;
    assert!(html.contains("Log in to sign up"), "{html}");

    let (s, _) = app.page(&client, &format!("/events/{}", new_id())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.page(&client, "/events/nonsense").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let secret = published(
        &app,
        &online(app.f.hub.id, "Medlemsfrukost", &[], "members_only", 5),
    )
    .await;
    let (s, _) = app.page(&client, &format!("/events/{secret}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn event_count(app: &TestApp) -> usize {
    app.store
        .list_events(&thirdplace_store::EventFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

/// A filled-in propose form: an online workshop on Wednesday 25 November
/// 2026, 10:00–12:00 Swedish time.
fn form(app: &TestApp, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_string()),
        ("description", "Vi testar verktyg tillsammans.".into()),
        ("topics", "AI, Offentlig sektor".into()),
        ("hub_id", app.f.hub.id.to_string()),
        ("place", "online".into()),
        ("date", "2026-11-25".into()),
        ("start", "10:00".into()),
        ("end", "12:00".into()),
        ("end_date", String::new()),
        ("capacity", "10".into()),
        ("visibility", "public".into()),
    ]
}

fn with(
    mut f: Vec<(&'static str, String)>,
    changes: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    for (k, v) in changes {
        if let Some(x) = f.iter_mut().find(|(n, _)| n == k) {
            x.1 = v.to_string();
        }
    }
    f
}

async fn post(
    app: &TestApp,
    client: &Client,
    path: &str,
    f: &[(&str, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(client, path, &fields).await
}

/// Proposes through the form; returns the event's id and where it went.
async fn propose(app: &TestApp, client: &Client, f: &[(&str, String)]) -> (String, String) {
    let r = post(app, client, "/events/new", f).await;
    let s = r.status();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let Some(to) = to else {
        panic!("{s}: {}", page_text(r).await);
    };
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id = to
        .trim_start_matches("/events/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    (id, to)
}

async fn a_member_proposes_an_event_through_the_form_and_refused_ones_write_nothing(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (s, html) = app.page(&member, "/events/new").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Föreslå ett evenemang"), "{html}");
    assert!(html.contains("<label for=\"f-title\">"), "{html}");
    assert!(html.contains(&app.f.room.name), "rooms to choose: {html}");
    assert!(html.contains(&app.f.zone.name), "zones to choose: {html}");
    assert!(html.contains("href=\"/events/new\""), "navigation: {html}");

    let (id, to) = propose(&app, &member, &form(&app, "Workshop om AI")).await;
    assert_eq!(to, format!("/events/{id}?done=proposed"));
    let (s, html) = app.page(&member, &to).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("väntar på att hubbens värd publicerar det"),
        "{html}"
    );
    let e = app.store.get_event(id.parse().unwrap()).await.unwrap();
    assert_eq!(e.status, thirdplace_domain::event::EventStatus::Proposed);
    assert_eq!(
        e.start,
        instant("2026-11-25T09:00:00Z"),
        "10:00 in winter time"
    );
    assert_eq!(e.end, instant("2026-11-25T11:00:00Z"));
    assert_eq!(e.topics, ["AI", "Offentlig sektor"]);
    assert_eq!(event_count(&app).await, 1);

    // The end before the start: the translated message by the field, the
    // values kept, nothing written.
    let r = post(
        &app,
        &member,
        "/events/new",
        &with(form(&app, "Andra workshoppen"), &[("end", "09:00")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(
        html.contains("Evenemanget slutar innan det börjar."),
        "{html}"
    );
    assert!(html.contains("id=\"f-end-error\""), "{html}");
    assert!(html.contains("value=\"Andra workshoppen\""), "{html}");
    assert!(html.contains("value=\"09:00\""), "{html}");

    // In the past.
    let r = post(
        &app,
        &member,
        "/events/new",
        &with(form(&app, "Förr"), &[("date", "2026-11-20")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r).await.contains("Den tiden har redan varit."));

    // The hour that does not exist when summer time starts.
    let r = post(
        &app,
        &member,
        "/events/new",
        &with(
            form(&app, "Natt"),
            &[("date", "2027-03-28"), ("start", "02:30"), ("end", "04:00")],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r).await.contains("finns inte i svensk tid"));

    // Capacity that is not a number.
    let r = post(
        &app,
        &member,
        "/events/new",
        &with(form(&app, "Kapacitet"), &[("capacity", "många")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r).await.contains("id=\"f-capacity-error\""));

    // A room event books the room; a second one at the same time is refused.
    let room = format!("room:{}", app.f.room.id);
    let in_room = with(
        form(&app, "Workshop i rummet"),
        &[("place", &room), ("date", "2026-11-26")],
    );
    let (_, _) = propose(&app, &member, &in_room).await;
    let r = post(
        &app,
        &member,
        "/events/new",
        &with(in_room, &[("title", "Krock")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = page_text(r).await;
    assert!(html.contains("Rummet är redan bokat"), "{html}");
    assert!(html.contains("value=\"Krock\""), "{html}");
    assert_eq!(
        event_count(&app).await,
        2,
        "nothing written for the refused"
    );

    // Without a membership no form, and no event.
    let org_admin = app.signed_in(&app.f.org_admin).await;
    let (s, html) = app.page(&org_admin, "/events/new").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("Bara medlemmar"), "{html}");
    let r = post(&app, &org_admin, "/events/new", &form(&app, "Utan kort")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(event_count(&app).await, 2);
    // Anonymous visitors are sent to sign in.
    let (s, _) = app.page(&new_client(), "/events/new").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

async fn the_host_publishes_a_proposal_on_admin_events_and_others_cannot(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (id, _) = propose(&app, &member, &form(&app, "Workshop om AI")).await;
    let path = format!("/events/{id}");

    // A proposal is not in the calendar yet.
    let (s, _) = app.page(&new_client(), &path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The organiser may not publish it, nor see the hosts' list.
    let r = app
        .post_form(&member, &format!("{path}/publish"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(page_text(r).await.contains("Bara hubbens värdar"));
    let (s, _) = app.page(&member, "/admin/events").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Someone else neither.
    let org_admin = app.signed_in(&app.f.org_admin).await;
    let r = app
        .post_form(&org_admin, &format!("{path}/publish"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.store
            .get_event(id.parse().unwrap())
            .await
            .unwrap()
            .status,
        thirdplace_domain::event::EventStatus::Proposed
    );

    let host = app.signed_in(&app.f.host).await;
    let (_, html) = app.page(&host, "/admin").await;
    assert!(html.contains("href=\"/admin/events\""), "{html}");
    let (s, html) = app.page(&host, "/admin/events").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Förslag som väntar på publicering"), "{html}");
    assert!(html.contains("Workshop om AI"), "{html}");
    assert!(
        html.contains(&format!("action=\"/events/{id}/publish\"")),
        "{html}"
    );
    // The host sees a Publish button on the event's page too.
    let (_, html) = app.page(&host, &path).await;
    assert!(
        html.contains(&format!("action=\"/events/{id}/publish\"")),
        "{html}"
    );

    let r = app
        .post_form(&host, &format!("{path}/publish"), &[("back", "admin")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/admin/events?done=published"), "{to}");
    let (_, html) = app.page(&host, &to).await;
    assert!(
        html.contains("Evenemanget är publicerat i kalendern."),
        "{html}"
    );
    assert!(html.contains("Inga förslag väntar."), "{html}");
    assert!(html.contains("Kommande publicerade evenemang"), "{html}");

    let (s, html) = app.page(&new_client(), "/calendar").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/events/{id}\"")), "{html}");

    // A host's own proposal is published at once.
    let (hid, to) = propose(&app, &host, &form(&app, "Värdens frukost")).await;
    assert_eq!(to, format!("/events/{hid}?done=published"));
}

async fn the_organiser_changes_and_cancels_an_event_through_the_forms(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (id, _) = propose(&app, &member, &form(&app, "Workshop om AI")).await;
    let path = format!("/events/{id}");
    let (_, html) = app.page(&member, &path).await;
    assert!(html.contains(&format!("href=\"{path}/edit\"")), "{html}");
    assert!(
        html.contains(&format!("href=\"{path}/attendance\"")),
        "{html}"
    );

    let (s, html) = app.page(&member, &format!("{path}/edit")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("value=\"Workshop om AI\""), "{html}");
    assert!(html.contains("value=\"2026-11-25\""), "{html}");
    assert!(html.contains("value=\"10:00\""), "{html}");
    assert!(html.contains("value=\"AI, Offentlig sektor\""), "{html}");

    // A refused change writes nothing.
    let r = post(
        &app,
        &member,
        &format!("{path}/edit"),
        &with(form(&app, "Ny rubrik"), &[("end", "08:00")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(
        html.contains("Evenemanget slutar innan det börjar."),
        "{html}"
    );
    let e = app.store.get_event(id.parse().unwrap()).await.unwrap();
    assert_eq!(e.title, "Workshop om AI");

    let r = post(
        &app,
        &member,
        &format!("{path}/edit"),
        &with(
            form(&app, "Workshop om AI, del 1"),
            &[
                ("start", "13:00"),
                ("end", "15:30"),
                ("end_date", "2026-11-26"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{path}?done=updated")
    );
    let e = app.store.get_event(id.parse().unwrap()).await.unwrap();
    assert_eq!(e.title, "Workshop om AI, del 1");
    assert_eq!(e.start, instant("2026-11-25T12:00:00Z"));
    assert_eq!(e.end, instant("2026-11-26T14:30:00Z"), "over two days");
    let (_, html) = app.page(&member, &format!("{path}/edit")).await;
    assert!(
        html.contains("value=\"2026-11-26\""),
        "the end date: {html}"
    );

    // Someone else may not change it.
    let org_admin = app.signed_in(&app.f.org_admin).await;
    let (s, _) = app.page(&org_admin, &format!("{path}/edit")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (_, html) = app.page(&member, &format!("{path}/edit")).await;
    assert!(html.contains("Ja, ställ in evenemanget"), "{html}");
    let r = app.post_form(&member, &format!("{path}/cancel"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&member, &to).await;
    assert!(
        html.contains("Evenemanget är inställt. Alla anmälda får e-post."),
        "{html}"
    );
    let e = app.store.get_event(id.parse().unwrap()).await.unwrap();
    assert_eq!(e.status, thirdplace_domain::event::EventStatus::Cancelled);
    // Cancelling twice is refused, translated.
    let r = app.post_form(&member, &format!("{path}/cancel"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

async fn a_member_signs_up_a_colleague_and_the_page_counts_participants_per_organisation(
    app: TestApp,
) {
    let id = published(
        &app,
        &online(app.f.hub.id, "Workshop om AI", &["AI"], "public", 10),
    )
    .await;
    let path = format!("/events/{id}");
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = app.page(&member, &path).await;
    assert!(html.contains("Anmäl en kollega"), "{html}");
    assert!(
        html.contains(&format!("<option value=\"{}\">", app.f.org_admin.id)),
        "{html}"
    );

    let r = app
        .post_form(
            &member,
            &format!("{path}/colleague"),
            &[("colleague_id", &app.f.org_admin.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("{path}?done=colleague_confirmed"));
    let (_, html) = app.page(&member, &to).await;
    assert!(html.contains("Din kollega är anmäld."), "{html}");
    // The colleague is signed up, so no longer offered.
    assert!(
        !html.contains(&format!("<option value=\"{}\">", app.f.org_admin.id)),
        "{html}"
    );
    let r = app
        .store
        .registration_of(id.parse().unwrap(), app.f.org_admin.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.registered_by, Some(app.f.member.id));

    // Participants per organisation, without names, for anyone.
    app.post_form(&member, &format!("{path}/register"), &[])
        .await;
    let (_, html) = app.page(&new_client(), &path).await;
    assert!(html.contains("Deltagare per organisation"), "{html}");
    assert!(html.contains("Skatteverket: 2"), "{html}");
    assert!(!html.contains(&app.f.org_admin.first_name), "{html}");

    // Someone of another organisation is no colleague.
    let stranger = app
        .add_person(person(
            "Sven",
            "Stad",
            "sven@stad.example",
            Some(app.f.other_org.id),
        ))
        .await;
    let r = app
        .post_form(
            &member,
            &format!("{path}/colleague"),
            &[("colleague_id", &stranger.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(page_text(r)
        .await
        .contains("Du kan anmäla kollegor från din egen organisation"));
    // No colleague chosen.
    let r = app
        .post_form(
            &member,
            &format!("{path}/colleague"),
            &[("colleague_id", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_organiser_marks_attendance_and_a_bad_invitation_address_sends_nothing(app: TestApp) {
    let id = published(
        &app,
        &online(app.f.hub.id, "Workshop om AI", &["AI"], "public", 10),
    )
    .await;
    let path = format!("/events/{id}");
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    app.post_form(&member, &format!("{path}/register"), &[])
        .await;
    // Only those who manage the event see its attendance.
    let (s, _) = app.page(&member, &format!("{path}/attendance")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let admin = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&admin, &format!("{path}/attendance")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&app.f.member.first_name), "{html}");
    assert!(
        !html.contains(&app.f.member.last_name),
        "first names only: {html}"
    );
    assert!(html.contains("Skatteverket"), "{html}");
    assert!(html.contains("data-summary=\"registered\">1<"), "{html}");
    assert!(html.contains("data-summary=\"attended\">0<"), "{html}");
    let reg = app
        .store
        .registration_of(id.parse().unwrap(), app.f.member.id)
        .await
        .unwrap()
        .unwrap();
    let r = app
        .post_form(
            &admin,
            &format!("{path}/attendance"),
            &[
                ("registration_id", &reg.id.to_string()),
                ("attended", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&admin, &to).await;
    assert!(html.contains("Närvaron är sparad."), "{html}");
    assert!(html.contains("data-summary=\"attended\">1<"), "{html}");
    assert!(html.contains("data-summary=\"organisations\">1<"), "{html}");
    let summary = app.store.event_summary(id.parse().unwrap()).await.unwrap();
    assert_eq!(summary.attended, 1);

    // One bad address: nothing sent, the address named, the text kept.
    let emails = "gast@kommun.example\ninte-en-adress\n";
    let r = app
        .post_form(&admin, &format!("{path}/invite"), &[("emails", emails)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("Inget skickades."), "{html}");
    assert!(html.contains("inte-en-adress"), "{html}");
    assert!(html.contains("gast@kommun.example"), "kept: {html}");
    assert!(app
        .store
        .list_invitations(id.parse().unwrap())
        .await
        .unwrap()
        .is_empty());

    let r = app
        .post_form(
            &admin,
            &format!("{path}/invite"),
            &[("emails", "gast@kommun.example\nannan@region.example")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&admin, &to).await;
    assert!(html.contains("Inbjudningarna är skickade."), "{html}");
    assert!(html.contains("annan@region.example"), "{html}");
    assert_eq!(
        app.store
            .list_invitations(id.parse().unwrap())
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn the_event_forms_speak_english(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    app.post_form(&member, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let (_, html) = app.page(&member, "/events/new").await;
    assert!(html.contains("Propose an event"), "{html}");
    assert!(html.contains("Who sees the event"), "{html}");
    let r = post(
        &app,
        &member,
        "/events/new",
        &with(form(&app, "Workshop"), &[("end", "09:00")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r)
        .await
        .contains("The event ends before it starts."));
    let (id, to) = propose(&app, &member, &form(&app, "Workshop")).await;
    let (_, html) = app.page(&member, &to).await;
    assert!(
        html.contains("waits for the hub&#x27;s host") || html.contains("waits for the hub's host"),
        "{html}"
    );
    let (_, html) = app.page(&member, &format!("/events/{id}/attendance")).await;
    assert!(html.contains("Attendance"), "{html}");
    assert!(html.contains("External participants"), "{html}");
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
    let (s, html) = app.page(&client, "/calendar?view=month").await;
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

    let (_, dec) = app
        .page(&client, "/calendar?view=month&month=2026-12")
        .await;
    assert!(dec.contains("<caption>December 2026"), "{dec}");
    assert!(cell(&dec, "tisdag 15 december").contains(">15:00</time> Julfika"));
    assert!(!dec.contains("Workshop om AI"), "{dec}");

    // Filters apply, and every link keeps them.
    let (_, html) = app
        .page(
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
    let (_, html) = app
        .page(&client, "/calendar?view=month&month=2026-12&topic=AI")
        .await;
    assert!(html.contains("Julfika"), "{html}");
    assert!(html.contains("topic=AI"), "{html}");
    let (_, html) = app
        .page(
            &client,
            &format!(
                "/calendar?view=month&region={}&topic=Kultur",
                app.f.region.id
            ),
        )
        .await;
    assert!(!html.contains("Workshop om AI"), "{html}");

    // A member sees the members-only event on its day too.
    seat_of(&app.f.member).give(&app).await;
    let member = app.signed_in(&app.f.member).await;
    let (_, html) = app.page(&member, "/calendar?view=month").await;
    assert!(
        cell(&html, "onsdag 25 november").contains("Medlemsfrukost"),
        "{html}"
    );

    // The list view links to the month view with the same filters.
    let (_, html) = app.page(&client, &format!("/calendar?hub={hub}")).await;
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
        let (s, html) = app
            .page(&client, &format!("/calendar?view=month&month={bad}"))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {html}");
        assert!(html.contains("ÅÅÅÅ-MM"), "{bad}: {html}");
    }
    let (s, html) = app.page(&client, "/calendar?view=week").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("lista eller månad"), "{html}");
    let (s, html) = app.page(&client, "/calendar?after=nonsense").await;
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
    let (s, html) = app
        .page(&client, "/calendar?view=month&month=2026-11")
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<caption>November 2026"), "{html}");
    assert!(html.contains("<abbr title=\"Monday\">Mon</abbr>"), "{html}");
    assert!(html.contains("Wednesday 25 November"), "{html}");
    assert!(html.contains(&format!("href=\"/events/{id}\"")), "{html}");
    assert!(html.contains("October 2026"), "{html}");
    assert!(html.contains(">List</a>"), "{html}");
    let (s, html) = app
        .page(&client, "/calendar?view=month&month=2026-99")
        .await;
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
    let (s, html) = app.page(&client, "/calendar").await;
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
    let (s, later) = app.page(&client, &href).await;
    assert_eq!(s, StatusCode::OK, "{later}");
    assert_eq!(shown(&later), 2, "{later}");
    assert!(
        later.contains("Träff 25-0") && later.contains("Träff 25-1"),
        "{later}"
    );
    assert!(!later.contains("rel=\"next\""), "{later}");
    assert!(later.contains("Till de närmaste evenemangen"), "{later}");

    // The filters stay on the later page's link.
    let (_, html) = app
        .page(&client, &format!("/calendar?hub={hub}&topic=AI"))
        .await;
    assert!(html.contains("topic=AI\" rel=\"next\""), "{html}");
}
