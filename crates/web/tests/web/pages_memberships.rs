//! The membership pages over a real socket, on SQLite and PostgreSQL:
//! plans and webhooks for network admins, seats for organisation admins,
//! the member's card, the hub's check-in page with guests, the kiosk, and
//! who is here — for hosts and for everyone.

use crate::common;

use common::*;
use reqwest::StatusCode;
use thirdplace_domain::membership::*;
use thirdplace_domain::*;
use uuid::Uuid;

on_both_backends!(
    a_network_admin_creates_a_plan_and_a_bad_form_shows_field_errors_and_writes_nothing,
    an_organisation_admin_buys_assigns_and_reassigns_seats_and_the_history_shows_both_holders,
    a_member_checks_in_on_the_hub_page_and_brings_a_guest_from_their_own_organisation_only,
    a_member_without_membership_is_told_why_on_the_check_in_page,
    hosts_see_last_names_while_the_public_hub_page_shows_only_visible_first_names,
    the_kiosk_checks_in_by_the_code_on_the_card_and_refuses_a_rotated_one,
    the_webhooks_page_creates_a_webhook_shows_its_secret_and_retries_failed_deliveries,
    giving_someone_a_second_seat_of_a_plan_they_hold_asks_first,
);

async fn giving_someone_a_second_seat_of_a_plan_they_hold_asks_first(app: TestApp) {
    // The member holds a seat of the plan; the organisation has a free one.
    let held = seat_of(&app.f.member).from(2026, 11, 1).give(&app).await;
    let free = Seat {
        id: new_id(),
        created_at: instant("2026-11-20T09:00:00Z"),
        ..held.clone()
    };
    app.store
        .insert_seats(std::slice::from_ref(&free))
        .await
        .unwrap();
    let admin = app.signed_in(&app.f.org_admin).await;
    let holder_path = format!("/admin/seats/{}/holder", free.id);
    let member = app.f.member.id.to_string();
    let r = app
        .post_form(&admin, &holder_path, &[("person_id", &member)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("En plats till av samma plan?"), "{html}");
    assert!(
        html.contains("har redan en plats av ") && html.contains("(från 2026-11-01)"),
        "{html}"
    );
    assert!(
        html.contains("name=\"confirm_second\" value=\"yes\""),
        "{html}"
    );
    let holder_of = |seats: Vec<thirdplace_store::SeatView>| {
        seats
            .into_iter()
            .find(|v| v.seat.id == free.id)
            .and_then(|v| v.holder.map(|h| h.person_id))
    };
    let seats = app.store.list_seats(app.f.org.id).await.unwrap();
    assert_eq!(holder_of(seats), None, "not given before the answer");
    // Given when confirmed.
    let r = app
        .post_form(
            &admin,
            &holder_path,
            &[("person_id", &member), ("confirm_second", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let seats = app.store.list_seats(app.f.org.id).await.unwrap();
    assert_eq!(holder_of(seats), Some(app.f.member.id));
}

async fn another_person(app: &TestApp, first: &str, last: &str, org: Uuid) -> Person {
    let email = format!("{}@test.example", first.to_lowercase());
    app.add_person(person(first, last, &email, Some(org))).await
}

async fn a_network_admin_creates_a_plan_and_a_bad_form_shows_field_errors_and_writes_nothing(
    app: TestApp,
) {
    let admin = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&admin, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/admin/plans") && html.contains("/admin/webhooks"));
    let (s, html) = app.page(&admin, "/admin/plans/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Region Kalmar län") && html.contains("Figeholms hubb"));

    let r = app
        .post_form(
            &admin,
            "/admin/plans/new",
            &[
                ("name", "Kalmar län"),
                ("description", "Alla hubbar i regionen."),
                ("scope", "region"),
                ("scope_id", &app.f.region.id.to_string()),
                ("monthly_price_sek", "1 200"),
                ("included_hours_per_month", "4"),
                ("guests_allowed", "true"),
                ("max_guests", "2"),
                ("validity", "monthly_rolling"),
                ("validity_days", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let plans = app.store.list_plans().await.unwrap();
    assert_eq!(plans.len(), 1);
    let p = &plans[0];
    assert_eq!(p.scope, PlanScope::Region(app.f.region.id));
    assert_eq!(p.monthly_price_ore, 120_000);
    assert_eq!(p.max_guests, 2);
    assert_eq!(location(&r), format!("/admin/plans/{}?saved=1", p.id));
    let (_, html) = app
        .page(&admin, &format!("/admin/plans/{}?saved=1", p.id))
        .await;
    assert!(html.contains("Sparat.") && html.contains("value=\"1\u{a0}200,00\""));
    let (_, html) = app.page(&admin, "/admin/plans").await;
    assert!(html.contains("Kalmar län") && html.contains("1\u{a0}200,00 kr"));

    // Every problem at once, next to its field; nothing written.
    let r = app
        .post_form(
            &admin,
            "/admin/plans/new",
            &[
                ("name", ""),
                ("scope", "hub"),
                ("scope_id", ""),
                ("monthly_price_sek", "gratis"),
                ("guests_allowed", "true"),
                ("max_guests", "99"),
                ("validity", "fixed_days"),
                ("validity_days", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("Formuläret innehåller fel"));
    for id in [
        "f-name-error",
        "f-scope_id-error",
        "f-monthly_price_sek-error",
        "f-max_guests-error",
        "f-validity_days-error",
    ] {
        assert!(html.contains(id), "{id} missing");
    }
    assert!(html.contains("value=\"gratis\""), "input is kept");
    assert_eq!(app.store.list_plans().await.unwrap().len(), 1);

    // Only network admins.
    let member = app.signed_in(&app.f.member).await;
    let (s, _) = app.page(&member, "/admin/plans").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn an_organisation_admin_buys_assigns_and_reassigns_seats_and_the_history_shows_both_holders(
    app: TestApp,
) {
    let plan = seat_of(&app.f.org_admin)
        .max_guests(0)
        .from(2026, 11, 1)
        .give(&app)
        .await
        .plan_id;
    let org = app.f.org.id;
    let nils = another_person(&app, "Nils", "Nilsson", org).await;
    let petra = another_person(&app, "Petra", "Persson", org).await;
    let admin = app.signed_in(&app.f.org_admin).await;
    let seats_path = format!("/admin/organisations/{org}/seats");
    let (s, html) = app
        .page(&admin, &format!("/admin/organisations/{org}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&seats_path),
        "the organisation page links its seats"
    );
    let (s, html) = app.page(&admin, &seats_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("value=\"2026-11-23\""),
        "start defaults to today"
    );

    let purchase = [
        ("plan_id", plan.to_string()),
        ("count", "3".to_string()),
        ("start_date", "2026-11-23".to_string()),
        ("end_date", String::new()),
    ];
    let fields: Vec<(&str, &str)> = purchase.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // First the monthly total to confirm; nothing is bought yet.
    let r = app.post_form(&admin, &seats_path, &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Bekräfta köpet"), "{html}");
    assert!(
        html.contains("3 platser av ") && html.contains("à 1\u{a0}450,00\u{a0}kr i månaden från 2026-11-23 tills vidare: 4\u{a0}350,00\u{a0}kr i månaden exklusive moms, 5\u{a0}437,50\u{a0}kr med moms (25 %)."),
        "{html}"
    );
    assert!(
        html.contains("Bekräfta köp (5\u{a0}437,50\u{a0}kr i månaden)"),
        "{html}"
    );
    assert_eq!(app.store.list_seats(org).await.unwrap().len(), 1);
    let key = html
        .split("name=\"key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    // Confirmed: bought; the same confirmation again buys nothing more.
    let mut confirmed = fields.clone();
    confirmed.extend([("confirm", "yes"), ("key", key.as_str())]);
    let r = app.post_form(&admin, &seats_path, &confirmed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.post_form(&admin, &seats_path, &confirmed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.list_seats(org).await.unwrap().len(), 4);
    let bought: Vec<_> = app
        .store
        .list_seats(org)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.holder.is_none())
        .collect();
    assert_eq!(bought.len(), 3);

    // A bad purchase: field errors, nothing bought.
    let r = app
        .post_form(
            &admin,
            &seats_path,
            &[
                ("plan_id", &plan.to_string()),
                ("count", "0"),
                ("start_date", "2026-11-01"),
                ("end_date", "2026-10-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("f-count-error") && html.contains("f-start_date-error"));
    assert!(html.contains("Datumet får inte ligga bakåt i tiden."));
    assert_eq!(app.store.list_seats(org).await.unwrap().len(), 4);

    for (seat, person) in bought.iter().zip([&app.f.member, &nils, &petra]) {
        let r = app
            .post_form(
                &admin,
                &format!("/admin/seats/{}/holder", seat.seat.id),
                &[("person_id", &person.id.to_string())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(location(&r).starts_with(&seats_path));
    }
    let (_, html) = app.page(&admin, &seats_path).await;
    for name in ["Maja Testsson", "Nils Nilsson", "Petra Persson"] {
        assert!(html.contains(name), "{name} holds a seat");
    }

    // Reassign the first seat from Maja to Olga, from the seat's own page.
    // Olga holds a seat of this plan already, so the page asks first.
    app.clock.advance(chrono::Duration::minutes(5));
    let first = bought[0].seat.id;
    let olga = app.f.org_admin.id.to_string();
    let next = format!("/admin/seats/{first}");
    let mut fields = vec![("person_id", olga.as_str()), ("next", next.as_str())];
    let holder_path = format!("/admin/seats/{first}/holder");
    let r = app.post_form(&admin, &holder_path, &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(page_text(r).await.contains("En plats till av samma plan?"));
    fields.push(("confirm_second", "yes"));
    let r = app.post_form(&admin, &holder_path, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/admin/seats/{first}?done=assigned"));
    let (s, html) = app.page(&admin, &location(&r)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Innehavaren är sparad."));
    let history = &html[html.find("id=\"history-h\"").unwrap()..];
    assert!(history.contains("Maja Testsson") && history.contains("Olga Testsson"));
    assert_eq!(app.store.seat_history(first).await.unwrap().len(), 2);

    // Someone of another organisation cannot be given the seat.
    let stranger = another_person(&app, "Sten", "Stadsson", app.f.other_org.id).await;
    let r = app
        .post_form(
            &admin,
            &format!("/admin/seats/{first}/holder"),
            &[("person_id", &stranger.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r)
        .await
        .contains("En plats kan bara ges till någon i organisationen som köpte den."));

    // Ending a seat keeps it to the end of the paid month.
    let r = app
        .post_form(&admin, &format!("/admin/seats/{first}/end"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&admin, &location(&r)).await;
    assert!(
        html.contains("gäller till och med 2026-12-22"),
        "{}",
        location(&r)
    );

    // Not another organisation's seats.
    let (s, _) = app
        .page(
            &admin,
            &format!("/admin/organisations/{}/seats", app.f.other_org.id),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_member_checks_in_on_the_hub_page_and_brings_a_guest_from_their_own_organisation_only(
    app: TestApp,
) {
    seat_of(&app.f.member)
        .max_guests(2)
        .from(2026, 11, 1)
        .give(&app)
        .await;
    let hub = app.f.hub.id;
    let path = format!("/hubs/{hub}/checkin");

    // Signed out: sent to sign in and back.
    let r = app.get(&path).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/login?next=%2Fhubs%2F{hub}%2Fcheckin")
    );

    let member = app.signed_in(&app.f.member).await;
    let (s, html) = app.page(&member, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("action=\"/hubs/{hub}/checkin\"")));
    let r = app.post_form(&member, &path, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&member, &location(&r)).await;
    assert!(html.contains("Välkommen! Du är incheckad."));
    assert!(
        html.contains("Incheckad sedan 10:0"),
        "since 10:0x Swedish time"
    );
    let c = app
        .store
        .open_checkin_of(app.f.member.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.method, CheckInMethod::Page);
    assert!(html.contains(&format!("/checkins/{}/checkout", c.id)));
    // The guest form preselects the member's own organisation.
    assert!(html.contains(&format!("<option value=\"{}\" selected>", app.f.org.id)));

    let guests = format!("/hubs/{hub}/guests");
    let r = app
        .post_form(
            &member,
            &guests,
            &[
                ("first_name", "Sara"),
                ("last_name", "Kollega"),
                ("organisation_id", &app.f.org.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&member, &location(&r)).await;
    assert!(html.contains("Gästen är registrerad.") && html.contains("Sara Kollega"));

    let r = app
        .post_form(
            &member,
            &guests,
            &[
                ("first_name", "Sven"),
                ("last_name", "Annan"),
                ("organisation_id", &app.f.other_org.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = page_text(r).await;
    assert!(html.contains("En gäst måste komma från din egen organisation."));
    assert!(html.contains("inbjudningar till evenemang"));
    assert!(
        html.contains("value=\"Sven\""),
        "the form keeps what was typed"
    );
    assert_eq!(app.store.list_guests(c.id).await.unwrap().len(), 1);

    // A guest without a name: field errors.
    let r = app
        .post_form(
            &member,
            &guests,
            &[
                ("first_name", ""),
                ("last_name", ""),
                ("organisation_id", &app.f.org.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r).await.contains("f-first_name-error"));

    // Checking in again is refused readably; checking out ends the visit.
    let r = app
        .post_form(
            &member,
            &format!("/hubs/{}/checkin", app.f.other_hub.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(page_text(r).await.contains("Du är redan incheckad."));
    let r = app
        .post_form(
            &member,
            &format!("/checkins/{}/checkout", c.id),
            &[("next", &format!("{path}?done=checked_out"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&member, &location(&r)).await;
    assert!(html.contains("Utcheckad."));
    assert!(app
        .store
        .open_checkin_of(app.f.member.id)
        .await
        .unwrap()
        .is_none());
}

async fn a_member_without_membership_is_told_why_on_the_check_in_page(app: TestApp) {
    let member = app.signed_in(&app.f.member).await;
    let path = format!("/hubs/{}/checkin", app.f.hub.id);
    let r = app.post_form(&member, &path, &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = page_text(r).await;
    assert!(html.contains("Du har inget aktivt medlemskap som gäller för den här hubben i dag."));
    assert!(
        html.contains("<h1>Checka in: Figeholms hubb</h1>"),
        "on the check-in page itself"
    );
    // In English, the service's sentence names the hub.
    let r = app
        .post_form(&member, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.post_form(&member, &path, &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(page_text(r)
        .await
        .contains("You have no active membership that opens Figeholms hubb today."));
    assert!(app.store.list_open_checkins().await.unwrap().is_empty());
}

async fn hosts_see_last_names_while_the_public_hub_page_shows_only_visible_first_names(
    app: TestApp,
) {
    seat_of(&app.f.member)
        .max_guests(1)
        .from(2026, 11, 1)
        .give(&app)
        .await;
    seat_of(&app.f.org_admin)
        .max_guests(1)
        .from(2026, 11, 1)
        .give(&app)
        .await;
    let hub = app.f.hub.id;
    let member = app.signed_in(&app.f.member).await;
    let r = app
        .post_form(
            &member,
            "/account/profile",
            &[("visible", "true"), ("expertise", "GIS, upphandling")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .get_profile(app.f.member.id)
            .await
            .unwrap()
            .expertise,
        vec!["GIS".to_string(), "upphandling".to_string()]
    );
    let olga = app.signed_in(&app.f.org_admin).await;
    for c in [&member, &olga] {
        let r = app.post_form(c, &format!("/hubs/{hub}/checkin"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = app
        .post_form(
            &member,
            &format!("/hubs/{hub}/guests"),
            &[
                ("first_name", "Gunnar"),
                ("last_name", "Gästsson"),
                ("organisation_id", &app.f.org.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let host = app.signed_in(&app.f.host).await;
    let (s, html) = app.page(&host, &format!("/admin/hubs/{hub}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("/admin/hubs/{hub}/presence")));
    let (s, html) = app
        .page(&host, &format!("/admin/hubs/{hub}/presence"))
        .await;
    assert_eq!(s, StatusCode::OK);
    for t in [
        "Maja",
        "Olga",
        "Testsson",
        "Skatteverket",
        "Gunnar Gästsson",
        "Maja Testsson",
        "Personer med tillgång: 2 av målet 20",
        "målet är inte nått än.",
    ] {
        assert!(html.contains(t), "{t} missing on the host's page");
    }
    assert_eq!(
        html.matches("/checkout\"").count(),
        2,
        "a check-out per person"
    );

    // The public page: Maja by first name with her expertise, Olga only counted.
    let (s, html) = app.page(&new_client(), &format!("/hubs/{hub}")).await;
    assert_eq!(s, StatusCode::OK);
    let here = &html[html.find("id=\"here-h\"").unwrap()..];
    assert!(here.contains("Maja") && here.contains("GIS, upphandling"));
    assert!(here.contains("och 1 till"));
    assert!(here.contains("Gäster: 1"));
    assert!(!html.contains("Testsson") && !html.contains("Olga") && !html.contains("Gunnar"));

    // Members and other hubs' hosts do not get the host's page.
    let (s, _) = app
        .page(&member, &format!("/admin/hubs/{hub}/presence"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The host checks Olga out.
    let olga_checkin = app
        .store
        .open_checkin_of(app.f.org_admin.id)
        .await
        .unwrap()
        .unwrap();
    let r = app
        .post_form(
            &host,
            &format!("/checkins/{}/checkout", olga_checkin.id),
            &[(
                "next",
                &format!("/admin/hubs/{hub}/presence?done=checked_out"),
            )],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&host, &location(&r)).await;
    assert!(!html.contains("Olga"));
}

async fn the_kiosk_checks_in_by_the_code_on_the_card_and_refuses_a_rotated_one(app: TestApp) {
    seat_of(&app.f.member)
        .max_guests(0)
        .from(2026, 11, 1)
        .give(&app)
        .await;
    let hub = app.f.hub.id;
    let member = app.signed_in(&app.f.member).await;
    let (s, html) = app.page(&member, "/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/account/card\""));
    let (s, html) = app.page(&member, "/account/card").await;
    assert_eq!(s, StatusCode::OK);
    for t in [
        "<figure class=\"qr\">",
        "role=\"img\"",
        "<svg aria-hidden=\"true\"",
        "12 timmar",
        "Figeholms hubb",
        "Oskarshamns stadshubb",
        "4 h",
    ] {
        assert!(html.contains(t), "{t} missing on the card");
    }
    let marker = "data-qr-token>";
    let i = html.find(marker).unwrap() + marker.len();
    let token = html[i..i + html[i..].find('<').unwrap()].to_string();

    let host = app.signed_in(&app.f.host).await;
    let kiosk = format!("/hubs/{hub}/kiosk");
    let (s, html) = app.page(&host, &kiosk).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("autofocus"));
    let r = app.post_form(&host, &kiosk, &[("code", &token)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Välkommen, Maja!"));
    assert!(html.contains("autofocus"), "ready for the next scan");
    let c = app
        .store
        .open_checkin_of(app.f.member.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.method, CheckInMethod::Scan);

    // The card shows the visit; the member checks out there.
    let (_, html) = app.page(&member, "/account/card").await;
    assert!(html.contains("Du är incheckad"));
    let r = app
        .post_form(
            &member,
            &format!("/checkins/{}/checkout", c.id),
            &[("next", "/account/card?done=checked_out")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A rotated code is refused, with the reason.
    let r = app.post_form(&member, "/account/card/rotate", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&member, &location(&r)).await;
    assert!(html.contains("Du har fått en ny kod."));
    let r = app.post_form(&host, &kiosk, &[("code", &token)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = page_text(r).await;
    assert!(html.contains("Medlemskoden har ersatts av en nyare."));
    assert!(html.contains("autofocus"));
    let r = app.post_form(&host, &kiosk, &[("code", "nonsense")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(page_text(r)
        .await
        .contains("Koden är inte en giltig medlemskod"));
    assert!(app
        .store
        .open_checkin_of(app.f.member.id)
        .await
        .unwrap()
        .is_none());

    // Only the hub's hosts run its kiosk.
    let (s, _) = app.page(&member, &kiosk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn the_webhooks_page_creates_a_webhook_shows_its_secret_and_retries_failed_deliveries(
    app: TestApp,
) {
    let admin = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&admin, "/admin/webhooks/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("checkin.created") && html.contains("guest.registered"));

    let r = app
        .post_form(
            &admin,
            "/admin/webhooks/new",
            &[("url", "ftp://nope"), ("active", "true")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("f-url-error") && html.contains("f-events-error"));
    assert!(app.store.list_webhooks().await.unwrap().is_empty());

    // Port 9 (discard) on loopback: nothing listens, so deliveries fail fast.
    let r = app
        .post_form(
            &admin,
            "/admin/webhooks/new",
            &[
                ("url", "http://127.0.0.1:9/door"),
                ("events", "checkin.created"),
                ("events", "checkin.ended"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hooks = app.store.list_webhooks().await.unwrap();
    assert_eq!(hooks.len(), 1);
    let w = &hooks[0];
    assert_eq!(
        w.events,
        vec![WebhookEvent::CheckIn, WebhookEvent::CheckOut]
    );
    assert_eq!(
        location(&r),
        format!("/admin/webhooks/{}?done=created", w.id)
    );
    let (s, html) = app.page(&admin, &location(&r)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Webhooken är skapad."));
    assert!(html.contains(&w.secret) && w.secret.starts_with("whsec_"));
    let (_, html) = app.page(&admin, "/admin/webhooks").await;
    assert!(html.contains("http://127.0.0.1:9/door"));

    // A check-in queues a delivery; one given up on can be retried.
    seat_of(&app.f.member)
        .max_guests(0)
        .from(2026, 11, 1)
        .give(&app)
        .await;
    let member = app.signed_in(&app.f.member).await;
    let r = app
        .post_form(&member, &format!("/hubs/{}/checkin", app.f.hub.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Let the worker's first attempt finish (it fails: nothing listens), so
    // that marking it given up does not race with that attempt.
    let mut d = app.store.list_deliveries(Some(w.id), 10).await.unwrap();
    for _ in 0..100 {
        if d.len() == 1 && d[0].last_error.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        d = app.store.list_deliveries(Some(w.id), 10).await.unwrap();
    }
    assert_eq!(d.len(), 1);
    app.store
        .mark_attempt_failed(d[0].id, "connection refused", app.clock.now(), true)
        .await
        .unwrap();
    let (_, html) = app.page(&admin, &format!("/admin/webhooks/{}", w.id)).await;
    assert!(html.contains("Misslyckad") && html.contains("connection refused"));
    let retry = format!("/admin/webhooks/{}/deliveries/{}/retry", w.id, d[0].id);
    assert!(html.contains(&retry));
    let r = app.post_form(&admin, &retry, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d = app.store.list_deliveries(Some(w.id), 10).await.unwrap();
    assert!(!d[0].failed, "due again");

    // Editing keeps the secret.
    let r = app
        .post_form(
            &admin,
            &format!("/admin/webhooks/{}", w.id),
            &[
                ("url", "http://127.0.0.1:9/screen"),
                ("events", "guest.registered"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = app.store.get_webhook(w.id).await.unwrap();
    assert_eq!(after.url, "http://127.0.0.1:9/screen");
    assert!(!after.active);
    assert_eq!(after.secret, w.secret);

    let (s, _) = app.page(&member, "/admin/webhooks").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
