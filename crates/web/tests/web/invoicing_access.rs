//! Who sees what in invoicing (issue 16, item 5), over HTTP on both
//! databases: an operator's staff run, see, credit, mark paid and export
//! their operator's invoicing and nothing of another operator's; an
//! organisation's admins see only their organisation's invoices; a hub's
//! hosts see the invoiced lines of their hub and nothing else of the
//! invoices; anonymous callers get 401 and a way to sign in; only network
//! admins grant the staff role; the invoices list pages.

use crate::common;

use chrono::NaiveDate;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::membership::Plan;
use thirdplace_domain::{new_id, Bankgiro, Operator, Person, Postcode, Room, RoomKind};
use thirdplace_store::{InvoiceKind, InvoiceLine, IssueRequest};
use uuid::Uuid;

on_both_backends!(
    operator_staff_work_with_their_operators_invoicing_only,
    organisation_admins_see_only_their_organisations_invoices,
    hub_hosts_see_their_hubs_lines_and_nothing_else,
    anonymous_callers_are_asked_to_sign_in,
    only_network_admins_grant_the_staff_role,
    the_invoices_list_pages_within_what_the_caller_sees,
);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// What the tests share: operator B (Emmaboda, series `EMB`) with an
/// invoice to the other organisation; the fixture's operator A as a
/// complete seller, selling the member a seat for November; an invoice of
/// A with a line for a booking at our hub and one at the other hub; and
/// Lena, A's staff.
struct Two {
    b: Operator,
    b_invoice: Uuid,
    a_lines_invoice: Uuid,
    staff: Person,
}

fn line(description: &str, net_ore: i64, booking: Option<Uuid>) -> InvoiceLine {
    InvoiceLine {
        description: description.into(),
        quantity_milli: 1000,
        unit_code: "HUR".into(),
        unit_price_ore: net_ore,
        net_ore,
        vat_category: "S".into(),
        vat_rate_percent: 25,
        vat_exemption_reason: None,
        product_kind: "room_hours".into(),
        revenue_account: 3041,
        seat_id: None,
        booking_id: booking,
        event_id: None,
    }
}

/// An invoice for November, issued through the store.
fn invoice(operator: Uuid, org: Uuid, lines: Vec<InvoiceLine>) -> IssueRequest {
    let net: i64 = lines.iter().map(|l| l.net_ore).sum();
    IssueRequest {
        id: new_id(),
        idempotency_key: new_id().to_string(),
        operator_id: operator,
        organisation_id: org,
        kind: InvoiceKind::Invoice,
        credits_invoice_id: None,
        issue_date: day(2026, 12, 1),
        due_date: day(2026, 12, 31),
        period_start: day(2026, 11, 1),
        period_end: day(2026, 11, 30),
        currency: "SEK".into(),
        buyer_reference: "4711".into(),
        seller: "{}".into(),
        buyer: "{}".into(),
        lines,
        net_ore: net,
        vat_ore: net / 4,
        gross_ore: net + net / 4,
        issued_at: instant("2026-12-01T07:00:00Z"),
        charge_keys: vec![],
        document: None,
    }
}

fn booking(app: &TestApp, room: &Room, start: &str) -> Booking {
    let start = instant(start);
    Booking {
        id: new_id(),
        room_id: room.id,
        hub_id: room.hub_id,
        booker_id: app.f.member.id,
        organisation_id: app.f.org.id,
        on_behalf_of_organisation: false,
        seat_id: None,
        series_id: None,
        title: "Planering".into(),
        start,
        end: start + chrono::Duration::hours(2),
        status: BookingStatus::Confirmed,
        price: Price::default(),
        created_at: instant("2026-11-01T08:00:00Z"),
        cancelled_at: None,
        cancelled_by: None,
        cancel_reason: String::new(),
        cancellation_charged: false,
    }
}

/// Adds `p` with the tests' password, so that they can sign in.
async fn with_password(app: &TestApp, p: Person) -> Person {
    let p = app.add_person(p).await;
    let hash = thirdplace_web::people::auth::hash_password(PASSWORD);
    app.store.set_password_hash(p.id, &hash).await.unwrap();
    p
}

async fn two_operators(app: &TestApp) -> Two {
    let mut a = app.f.operator.clone();
    a.seller.legal_name = Some("Oskarshamns kommun".into());
    a.seller.f_tax_approved = true;
    a.seller.street_address = Some("Box 706".into());
    a.seller.postal_code = Some(Postcode::parse("572 28").unwrap());
    a.seller.city = Some("Oskarshamn".into());
    a.seller.bankgiro = Some(Bankgiro::parse("5050-1055").unwrap());
    a.seller.invoice_prefix = "OK".into();
    a.seller.invoice_number_start = 1001;
    app.store.update_operator(&a).await.unwrap();
    let mut org = app.f.org.clone();
    org.buyer.buyer_reference = Some("4711".into());
    org.buyer.invoice_street = Some("Box 100".into());
    org.buyer.invoice_postal_code = Some(Postcode::parse("171 94").unwrap());
    org.buyer.invoice_city = Some("Solna".into());
    app.store.update_organisation(&org).await.unwrap();
    let plan = Plan {
        selling_operator_id: Some(a.id),
        ..network_plan()
    };
    hold_seat(app, &app.f.member, &plan, day(2026, 11, 1)).await;

    let mut b = Operator {
        id: new_id(),
        name: "Emmaboda kommun".into(),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    b.seller.invoice_prefix = "EMB".into();
    app.store.insert_operator(&b).await.unwrap();
    let b_invoice = app
        .store
        .issue_invoice(&invoice(
            b.id,
            app.f.other_org.id,
            vec![line("Glasbruksrummet", 50_000, None)],
        ))
        .await
        .unwrap()
        .id;

    let other_room = Room {
        id: new_id(),
        hub_id: app.f.other_hub.id,
        name: "Hamnrummet".into(),
        kind: RoomKind::Meeting,
        capacity: 4,
        hourly_price_ore: 20_000,
        vat_rate_percent: 25,
        archived: false,
    };
    app.store.insert_room(&other_room).await.unwrap();
    let here = booking(app, &app.f.room, "2026-11-10T08:00:00Z");
    let there = booking(app, &other_room, "2026-11-11T08:00:00Z");
    app.store
        .insert_bookings(&[here.clone(), there.clone()], &[])
        .await
        .unwrap();
    let a_lines_invoice = app
        .store
        .issue_invoice(&invoice(
            a.id,
            app.f.org.id,
            vec![
                line("Sjöutsikten 10 november", 60_000, Some(here.id)),
                line("Hamnrummet 11 november", 40_000, Some(there.id)),
            ],
        ))
        .await
        .unwrap()
        .id;
    let staff = with_password(
        app,
        Person {
            staff_of_operator_ids: vec![a.id],
            ..person("Lena", "Holmqvist", "lena@oskarshamn.example", None)
        },
    )
    .await;
    Two {
        b,
        b_invoice,
        a_lines_invoice,
        staff,
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

async fn operator_staff_work_with_their_operators_invoicing_only(app: TestApp) {
    let two = two_operators(&app).await;
    let t = app.token_for(&two.staff).await;
    let a = app.f.operator.id;
    let run = |op: Uuid| format!("/api/v1/operators/{op}/invoice-run");

    // A's run: previewed and issued by its staff; B's refused.
    let (s, v) = app
        .get_json_with(&t, &format!("{}?month=2026-11", run(a)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .get_json_with(&t, &format!("{}?month=2026-11", run(two.b.id)))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(error_code(&v), "forbidden");
    let (s, done) = app
        .post_json(&run(a), Some(&t), &json!({"month": "2026-11"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["issued"].as_array().unwrap().len(), 1, "{done}");
    let issued = done["issued"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post_json(&run(two.b.id), Some(&t), &json!({"month": "2026-11"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A's invoices listed, B's not there at all.
    let (s, list) = app.get_json_with(&t, "/api/v1/invoices").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let mut expected = vec![issued.clone(), two.a_lines_invoice.to_string()];
    expected.sort();
    let mut got = ids(&list);
    got.sort();
    assert_eq!(got, expected);
    let b_path = format!("/api/v1/invoices/{}", two.b_invoice);
    let (s, _) = app.get_json_with(&t, &b_path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post_json(&format!("{b_path}/credit"), Some(&t), &json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A's invoice: read, downloaded, paid in part and credited.
    let own = format!("/api/v1/invoices/{issued}");
    let (s, _) = app.get_json_with(&t, &own).await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .client
        .get(app.url(&format!("{own}/pdf")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (s, v) = app
        .post_json(
            &format!("{own}/payments"),
            Some(&t),
            &json!({"amount_ore": 100}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .post_json(&format!("{own}/credit"), Some(&t), &json!({}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // A's bookkeeping (the day of the run: the invoices issued through the
    // store in these tests have no document to book) and bank files; B's
    // refused.
    let sie = |op: Uuid| format!("/api/v1/operators/{op}/sie?from=2026-11-23&to=2026-11-23");
    let r = app
        .client
        .get(app.url(&sie(a)))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (s, _) = app.get_json_with(&t, &sie(two.b.id)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/operators/{}/bank-files", two.b.id)))
        .bearer_auth(&t)
        .body("not bgmax")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (s, v) = app.get_json_with(&t, "/api/v1/payments/to-resolve").await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Nothing else is theirs.
    for path in ["/api/v1/people", "/api/v1/audit"] {
        let (s, _) = app.get_json_with(&t, path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    let hub_lines = format!("/api/v1/hubs/{}/invoice-lines?month=2026-11", app.f.hub.id);
    let (s, v) = app.get_json_with(&t, &hub_lines).await;
    assert_eq!(s, StatusCode::OK, "the hubs of their operator: {v}");

    // The pages: the run offers A only, the list shows A's invoices only.
    let client = app.signed_in(&two.staff).await;
    let (s, html) = app.page(&client, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/admin/invoicing"), "{html}");
    assert!(!html.contains("/admin/organisations"), "{html}");
    let (s, html) = app.page(&client, "/admin/invoicing").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&app.f.operator.name), "{html}");
    assert!(!html.contains("Emmaboda kommun"), "{html}");
    let (s, _) = app
        .page(
            &client,
            &format!("/admin/invoicing?operator={}&month=2026-11", two.b.id),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) = app.page(&client, "/admin/invoices").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("OK1001"), "{html}");
    assert!(!html.contains("EMB"), "{html}");
    let (s, html) = app
        .page(&client, &format!("/admin/invoices/{}", two.a_lines_invoice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/payments\""), "may mark paid: {html}");
    let (s, _) = app
        .page(&client, &format!("/admin/invoices/{}", two.b_invoice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.page(&client, "/admin/payments").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.page(&client, "/admin/organisations").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn organisation_admins_see_only_their_organisations_invoices(app: TestApp) {
    let two = two_operators(&app).await;
    let t = app.token_for(&app.f.org_admin).await;
    let (s, list) = app.get_json_with(&t, "/api/v1/invoices").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(ids(&list), [two.a_lines_invoice.to_string()]);
    let (s, _) = app
        .get_json_with(&t, &format!("/api/v1/invoices/{}", two.b_invoice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Asking for another organisation's gives nothing of it.
    let (s, list) = app
        .get_json_with(
            &t,
            &format!("/api/v1/invoices?organisation_id={}", app.f.other_org.id),
        )
        .await;
    assert_eq!((s, list), (StatusCode::OK, json!([])));
    // They run nothing and see no hub's lines.
    let (s, _) = app
        .get_json_with(
            &t,
            &format!(
                "/api/v1/operators/{}/invoice-run?month=2026-11",
                app.f.operator.id
            ),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let client = app.signed_in(&app.f.org_admin).await;
    let (s, html) = app
        .page(&client, &format!("/admin/invoices/{}", two.a_lines_invoice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("/payments\""), "may not mark paid: {html}");
    let (s, _) = app.page(&client, "/admin/invoicing/hub").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn hub_hosts_see_their_hubs_lines_and_nothing_else(app: TestApp) {
    let two = two_operators(&app).await;
    let t = app.token_for(&app.f.host).await;
    let lines = |hub: Uuid, month: &str| format!("/api/v1/hubs/{hub}/invoice-lines?month={month}");
    let (s, v) = app.get_json_with(&t, &lines(app.f.hub.id, "2026-11")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let got: Vec<(&str, &str, i64)> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["description"].as_str().unwrap(),
                l["organisation_name"].as_str().unwrap(),
                l["net_ore"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("Sjöutsikten 10 november", "Skatteverket", 60_000)]);
    assert_eq!(v["total_net_ore"], 60_000);
    assert_eq!(v["lines"][0]["invoice_number"], "OK1001");
    assert!(v["lines"][0].get("gross_ore").is_none(), "{v}");
    let (s, v) = app.get_json_with(&t, &lines(app.f.hub.id, "2026-10")).await;
    assert_eq!((s, v["lines"].clone()), (StatusCode::OK, json!([])));

    // Not another hub's, and no invoice of their own.
    let (s, v) = app
        .get_json_with(&t, &lines(app.f.other_hub.id, "2026-11"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = app.get_json_with(&t, "/api/v1/invoices").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .get_json_with(&t, &format!("/api/v1/invoices/{}", two.a_lines_invoice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .get_json_with(&t, &lines(app.f.hub.id, "november"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), "invalid_month");
    let (s, _) = app.get_json_with(&t, &lines(new_id(), "2026-11")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The other hub's host sees the other line.
    let other = app.add_other_host().await;
    let t = app.token_for(&other).await;
    let (s, v) = app
        .get_json_with(&t, &lines(app.f.other_hub.id, "2026-11"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["lines"][0]["description"], "Hamnrummet 11 november");

    // The page: the hub's lines and their total, no link into the invoice.
    let client = app.signed_in(&app.f.host).await;
    let (s, html) = app
        .page(
            &client,
            &format!("/admin/invoicing/hub?hub={}&month=2026-11", app.f.hub.id),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Sjöutsikten 10 november"), "{html}");
    assert!(!html.contains("Hamnrummet"), "{html}");
    assert!(html.contains("600,00"), "{html}");
    assert!(!html.contains("/admin/invoices/"), "{html}");
    let (s, _) = app
        .page(
            &client,
            &format!(
                "/admin/invoicing/hub?hub={}&month=2026-11",
                app.f.other_hub.id
            ),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) = app
        .page(&client, "/admin/invoicing/hub?month=2026-13")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (s, _) = app.page(&client, "/admin/invoices").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A network admin's view links each line to its invoice.
    let admin = app.signed_in(&app.f.admin).await;
    let (_, html) = app
        .page(
            &admin,
            &format!("/admin/invoicing/hub?hub={}&month=2026-11", app.f.hub.id),
        )
        .await;
    assert!(
        html.contains(&format!("/admin/invoices/{}", two.a_lines_invoice)),
        "{html}"
    );
}

async fn anonymous_callers_are_asked_to_sign_in(app: TestApp) {
    let two = two_operators(&app).await;
    for path in [
        "/api/v1/invoices".to_string(),
        format!("/api/v1/invoices/{}", two.b_invoice),
        format!("/api/v1/hubs/{}/invoice-lines?month=2026-11", app.f.hub.id),
        format!(
            "/api/v1/operators/{}/invoice-run?month=2026-11",
            app.f.operator.id
        ),
    ] {
        let (s, v) = app.get_json(&path).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {v}");
    }
    for path in [
        "/admin/invoices",
        "/admin/invoicing",
        "/admin/invoicing/hub",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&r).starts_with("/login"), "{path}");
    }
}

async fn only_network_admins_grant_the_staff_role(app: TestApp) {
    let a = app.f.operator.id;
    let body = |email: &str| {
        json!({
            "first_name": "Lena",
            "last_name": "Holmqvist",
            "email": email,
            "organisation_id": app.f.org.id,
            "staff_of_operator_ids": [a],
        })
    };
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, v) = app
        .post_json("/api/v1/people", Some(&org_admin), &body("a@x.example"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app
        .post_json("/api/v1/people", Some(&admin), &body("b@x.example"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["staff_of_operator_ids"], json!([a]));
    let id = v["id"].as_str().unwrap().to_string();
    // An organisation admin editing the person keeps the role as it is.
    let (s, _) = app
        .put_json(
            &format!("/api/v1/people/{id}"),
            Some(&org_admin),
            &json!({"first_name": "Lena", "last_name": "H", "email": "b@x.example", "organisation_id": app.f.org.id}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post_json(
            "/api/v1/people",
            Some(&admin),
            &json!({"first_name": "O", "last_name": "K", "email": "c@x.example", "staff_of_operator_ids": [new_id()]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(field_names(&v).contains(&"staff_of_operator_ids"), "{v}");
    // The form shows the role to network admins only.
    let client = app.signed_in(&app.f.admin).await;
    let html = app.html(&client, "/admin/people/new").await;
    assert!(html.contains("name=\"staff_of_operator_ids\""), "{html}");
    let client = app.signed_in(&app.f.org_admin).await;
    let html = app.html(&client, "/admin/people/new").await;
    assert!(!html.contains("staff_of_operator_ids"), "{html}");
}

async fn the_invoices_list_pages_within_what_the_caller_sees(app: TestApp) {
    let two = two_operators(&app).await;
    for i in 0..3 {
        let lines = vec![line(&format!("Rad {i}"), 1_000, None)];
        app.store
            .issue_invoice(&invoice(app.f.operator.id, app.f.org.id, lines))
            .await
            .unwrap();
    }
    let follow = |token: String| {
        let app = &app;
        async move {
            let mut seen = Vec::new();
            let mut next = Some("/api/v1/invoices?limit=2".to_string());
            while let Some(path) = next {
                let r = app
                    .client
                    .get(app.url(&path))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                next = r.headers().get("link").map(|l| {
                    let l = l.to_str().unwrap();
                    l[l.find('<').unwrap() + 1..l.find('>').unwrap()].to_string()
                });
                let page: Value = r.json().await.unwrap();
                assert!(page.as_array().unwrap().len() <= 2);
                seen.extend(ids(&page));
            }
            seen
        }
    };
    let staff = follow(app.token_for(&two.staff).await).await;
    assert_eq!(staff.len(), 4, "A's four invoices");
    assert!(!staff.contains(&two.b_invoice.to_string()));
    let mut sorted = staff.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(staff, sorted, "newest first, each once");
    let all = follow(app.token_for(&app.f.admin).await).await;
    assert_eq!(all.len(), 5);
    let (s, v) = app
        .get_json_with(
            &app.token_for(&app.f.admin).await,
            "/api/v1/invoices?cursor=nonsense",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // The page links to the older page when there is one.
    let client = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&client, "/admin/invoices").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("after="), "five fit on a page: {html}");
    let (s, _) = app.page(&client, "/admin/invoices?after=nonsense").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
