//! The settlement between operators, on SQLite and on PostgreSQL: a member
//! whose seat another operator sells checks in and books at our hub, and
//! network admins (only) see the month's statement as a page, as JSON and
//! as CSV and XLSX; they set the tariff through the API and the page, bad tariffs
//! and months are refused with a message, and changes are in the audit
//! trail.

use crate::common;

use chrono::Duration;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::{new_id, Operator};

on_both_backends!(
    network_admins_see_the_statement_as_page_json_and_csv,
    others_are_refused_and_bad_months_are_400,
    bad_tariffs_are_refused_and_changes_are_audited,
    a_month_without_use_between_operators_says_so,
);

/// Emmaboda sells the member's seat; the member checks in twice on the
/// test day at our (Oskarshamn's) hub and has booked a room there for
/// 800 kr without VAT. The other operator.
async fn member_from_elsewhere(app: &TestApp) -> Operator {
    let home = Operator {
        id: new_id(),
        name: "Emmaboda kommun".into(),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    app.store.insert_operator(&home).await.unwrap();
    let mut plan = network_plan();
    plan.selling_operator_id = Some(home.id);
    let seat = hold_seat(
        app,
        &app.f.member,
        &plan,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await;
    let member = app.token_for(&app.f.member).await;
    app.visit(&member).await;
    app.visit(&member).await;
    let start = app.clock.now() - Duration::days(3);
    let booking = Booking {
        id: new_id(),
        room_id: app.f.room.id,
        hub_id: app.f.hub.id,
        booker_id: app.f.member.id,
        organisation_id: app.f.member.organisation_id.unwrap(),
        on_behalf_of_organisation: false,
        seat_id: Some(seat.id),
        series_id: None,
        title: "Planering".into(),
        start,
        end: start + Duration::minutes(90),
        status: BookingStatus::Confirmed,
        price: Price {
            included_minutes: 0,
            billable_minutes: 90,
            price_ex_vat_ore: 80_000,
            vat_percent: 25,
            vat_ore: 20_000,
            total_ore: 100_000,
        },
        created_at: start - Duration::days(7),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    };
    app.store.insert_bookings(&[booking], &[]).await.unwrap();
    home
}

fn tariff(visit_day_ore: i64, booking_share_per_mille: i64) -> Value {
    json!({ "visit_day_ore": visit_day_ore, "booking_share_per_mille": booking_share_per_mille })
}

async fn network_admins_see_the_statement_as_page_json_and_csv(app: TestApp) {
    let home = member_from_elsewhere(&app).await;
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app
        .put_json(
            "/api/v1/settlement/tariff",
            Some(&admin),
            &tariff(7_500, 100),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (s, v) = app
        .get_json_with(&admin, "/api/v1/settlement?month=2026-11")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["month"], "2026-11");
    assert_eq!(v["tariff"], tariff(7_500, 100));
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{v}");
    let (visits, booked) = (&lines[0], &lines[1]);
    assert_eq!(visits["kind"], "visit_days");
    assert_eq!(visits["debtor"], "Emmaboda kommun");
    assert_eq!(visits["debtor_id"], json!(home.id));
    assert_eq!(visits["creditor"], app.f.operator.name.as_str());
    assert_eq!(
        visits["count"], 1,
        "two check-ins on one day are one visit day"
    );
    assert_eq!(visits["items"].as_array().unwrap().len(), 2);
    assert_eq!(visits["amount_ore"], 7_500);
    assert_eq!(booked["kind"], "bookings");
    assert_eq!(
        (
            &booked["count"],
            &booked["minutes"],
            &booked["base_ore"],
            &booked["amount_ore"]
        ),
        (&json!(1), &json!(90), &json!(80_000), &json!(8_000))
    );
    assert_eq!(
        v["net"],
        json!([{
            "payer_id": home.id, "payer": "Emmaboda kommun",
            "payee_id": app.f.operator.id, "payee": app.f.operator.name,
            "amount_ore": 15_500,
        }])
    );
    // Last month when none is named: October had nothing.
    let (s, v) = app.get_json_with(&admin, "/api/v1/settlement").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["month"], "2026-10");
    assert_eq!(v["lines"], json!([]));

    let client = app.signed_in(&app.f.admin).await;
    let (s, text) = app.page(&client, "/admin/settlement?month=2026-11").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        text.contains("Emmaboda kommun betalar Oskarshamns kommun 155,00\u{a0}kr"),
        "{text}"
    );
    assert!(text.contains("Besöksdagar"), "{text}");
    assert!(text.contains("800,00\u{a0}kr"), "{text}");
    assert!(text.contains("value=\"75,00\""), "{text}");
    assert!(text.contains("value=\"10\""), "{text}");
    assert!(
        text.contains("href=\"/admin/settlement.csv?month=2026-11\"")
            && text.contains("href=\"/admin/settlement.xlsx?month=2026-11\""),
        "{text}"
    );
    // The admin page and the invoice run link to it.
    let (_, text) = app.page(&client, "/admin").await;
    assert!(text.contains("href=\"/admin/settlement\""), "{text}");
    let (_, text) = app.page(&client, "/admin/invoicing").await;
    assert!(text.contains("href=\"/admin/settlement\""), "{text}");

    let r = client
        .get(app.url("/admin/settlement.csv?month=2026-11"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("settlement-2026-11.csv"));
    let rows = page_csv(r).await;
    assert_eq!(
        rows[0],
        [
            "Månad",
            "Hemoperatörens id",
            "Hemoperatör (är skyldig)",
            "Värdoperatörens id",
            "Värdoperatör (har att få)",
            "Avser",
            "Antal",
            "Bokade minuter",
            "Bokat belopp (kr)",
            "Belopp (kr)",
        ]
    );
    let (home_id, ours) = (home.id.to_string(), app.f.operator.id.to_string());
    let line = |kind: &str, count: &str, minutes: &str, base: &str, amount: &str| {
        let fields = [
            "2026-11",
            home_id.as_str(),
            "Emmaboda kommun",
            ours.as_str(),
            app.f.operator.name.as_str(),
            kind,
        ];
        let numbers = [count, minutes, base, amount];
        fields
            .iter()
            .chain(&numbers)
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows[1..],
        [
            line("Besöksdagar", "1", "", "", "75,00"),
            line("Bokningar", "1", "90", "800,00", "80,00"),
        ]
    );

    // In English, for an admin who chose it.
    app.post_form(&client, "/lang", &[("lang", "en"), ("next", "/")])
        .await;
    let r = client
        .get(app.url("/admin/settlement.csv?month=2026-11"))
        .send()
        .await
        .unwrap();
    let rows = page_csv(r).await;
    assert_eq!(
        rows[0][5..],
        [
            "For",
            "Count",
            "Booked minutes",
            "Booked amount (SEK)",
            "Amount (SEK)"
        ]
    );
    assert_eq!(rows[2][5..], ["Bookings", "1", "90", "800.00", "80.00"]);

    // As XLSX to filter and sum: amounts as numbers in kronor.
    let r = client
        .get(app.url("/admin/settlement.xlsx?month=2026-11"))
        .send()
        .await
        .unwrap();
    let bytes = xlsx_bytes(r, "settlement-2026-11.xlsx").await;
    if let Some(book) = read_xlsx(&bytes) {
        assert_eq!(book["sheet"], "Settlement 2026-11");
        assert_eq!(book["freeze"], "A2");
        assert_eq!(book["filter"], "A1:J3");
        let rows = book["rows"].as_array().unwrap();
        assert_eq!(rows[0][9]["v"], "Amount (SEK)");
        assert_eq!(rows[0][9]["b"], true);
        assert_eq!(rows[1][7]["v"], Value::Null, "visit days have no minutes");
        assert_eq!(rows[2][7]["v"], 90);
        assert_eq!(rows[2][8]["v"], 800);
        assert_eq!(rows[2][9]["v"], 80);
        assert_eq!(rows[2][9]["f"], "#,##0.00");
        assert_eq!(rows[1][9]["v"], 75);
    }
}

async fn others_are_refused_and_bad_months_are_400(app: TestApp) {
    member_from_elsewhere(&app).await;
    let org_admin = app.token_for(&app.f.org_admin).await;
    let admin = app.token_for(&app.f.admin).await;
    for path in [
        "/api/v1/settlement?month=2026-11",
        "/api/v1/settlement/tariff",
    ] {
        let (s, v) = app.get_json(path).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {v}");
        let (s, v) = app.get_json_with(&org_admin, path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {v}");
    }
    let (s, _) = app
        .put_json("/api/v1/settlement/tariff", None, &tariff(1, 1))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A member of staff without the role gets 403 whatever the body.
    let (s, _) = app
        .put_json(
            "/api/v1/settlement/tariff",
            Some(&org_admin),
            &json!({ "x": 1 }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.settlement_tariff().await.unwrap(),
        Default::default()
    );

    for client in [
        app.signed_in(&app.f.org_admin).await,
        app.signed_in(&app.f.member).await,
    ] {
        for path in ["/admin/settlement", "/admin/settlement.csv?month=2026-11"] {
            let (s, _) = app.page(&client, path).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
        }
        let r = app
            .post_form(
                &client,
                "/admin/settlement/tariff",
                &[("visit_day", "1"), ("booking_share", "1")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }

    for month in ["2026-13", "november", "2026-1", "1999-12"] {
        let (s, v) = app
            .get_json_with(&admin, &format!("/api/v1/settlement?month={month}"))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{month}: {v}");
        assert_eq!(error_code(&v), "invalid_month");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("YYYY-MM"),
            "{v}"
        );
    }
    let client = app.signed_in(&app.f.admin).await;
    let (s, text) = app.page(&client, "/admin/settlement?month=2026-13").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(text.contains("YYYY-MM"), "{text}");
    let (s, _) = app.page(&client, "/admin/settlement.csv?month=x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

async fn bad_tariffs_are_refused_and_changes_are_audited(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    for (body, field) in [
        (tariff(7_500, 1_001), "booking_share_per_mille"),
        (tariff(-1, 100), "visit_day_ore"),
    ] {
        let (s, v) = app
            .put_json("/api/v1/settlement/tariff", Some(&admin), &body)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(field_names(&v), [field]);
        assert!(v["error"]["message"].is_string(), "{v}");
    }
    for body in [
        json!({ "visit_day_ore": 7_500 }),
        json!({ "visit_day_ore": 1.5, "booking_share_per_mille": 100 }),
        json!({ "visit_day_ore": 1, "booking_share_per_mille": 1, "per_hour": 3 }),
    ] {
        let (s, v) = app
            .put_json("/api/v1/settlement/tariff", Some(&admin), &body)
            .await;
        assert!(s.is_client_error(), "{body}: {s} {v}");
    }
    assert_eq!(
        app.store.settlement_tariff().await.unwrap(),
        Default::default()
    );

    let client = app.signed_in(&app.f.admin).await;
    let post = |visit: &'static str, share: &'static str| {
        let client = &client;
        let app = &app;
        async move {
            app.post_form(
                client,
                "/admin/settlement/tariff",
                &[
                    ("visit_day", visit),
                    ("booking_share", share),
                    ("month", "2026-11"),
                ],
            )
            .await
        }
    };
    let r = post("75", "150").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = page_text(r).await;
    assert!(
        text.contains("Andelen måste vara mellan 0 och 100 %"),
        "{text}"
    );
    let r = post("sjuttiofem", "tio").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = page_text(r).await;
    assert!(text.contains("Skriv en procentsats"), "{text}");
    assert!(text.contains("value=\"sjuttiofem\""), "{text}");
    assert_eq!(
        app.store.settlement_tariff().await.unwrap(),
        Default::default()
    );

    let r = post("62,50", "12,5").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/settlement?month=2026-11&saved=1");
    let (s, v) = app.get_json_with(&admin, "/api/v1/settlement/tariff").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, tariff(6_250, 125));

    let (s, trail) = app
        .get_json_with(&admin, "/api/v1/audit?object_kind=settlement")
        .await;
    assert_eq!(s, StatusCode::OK);
    let e = &trail["entries"][0];
    assert_eq!(e["action"], "settlement.tariff_changed");
    assert_eq!(e["actor_id"], json!(app.f.admin.id));
    assert_eq!(
        e["details"],
        json!({ "visit_day_ore": [0, 6_250], "booking_share_per_mille": [0, 125] })
    );
    let html = app
        .html(&client, "/admin/audit?object_kind=settlement")
        .await;
    assert!(
        html.contains("Ändrade taxan för avräkning mellan operatörer"),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/admin/settlement">Avräkningstaxa</a>"#),
        "{html}"
    );
}

async fn a_month_without_use_between_operators_says_so(app: TestApp) {
    // The member's seat is sold by the hub's own operator: no settlement.
    let mut plan = network_plan();
    plan.selling_operator_id = Some(app.f.operator.id);
    hold_seat(
        &app,
        &app.f.member,
        &plan,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    )
    .await;
    let member = app.token_for(&app.f.member).await;
    app.visit(&member).await;
    let client = app.signed_in(&app.f.admin).await;
    let (s, text) = app.page(&client, "/admin/settlement?month=2026-11").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        text.contains("Inga medlemmar har checkat in eller bokat hos en annan operatör"),
        "{text}"
    );
    assert!(text.contains("Taxan är inte satt"), "{text}");
    assert!(!text.contains("settlement.csv"), "{text}");
}
