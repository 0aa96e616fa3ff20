//! Invoicing over HTTP (issue 16): an operator's month with seats and room
//! bookings is previewed, issued once (a retry and a second run charge
//! nothing twice, numbers follow each other), written as Peppol BIS 3 XML
//! (left in `target/einvoice/` for `.ci/einvoice.sh`) and as a PDF whose
//! text shows the number, the total and the OCR reference; credited in
//! full; marked paid; and seen only by those who may. On both databases.

use crate::common;

use chrono::{Duration, NaiveDate};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use thirdplace_domain::booking::{Booking, BookingStatus, Price};
use thirdplace_domain::membership::Plan;
use thirdplace_domain::{new_id, Person};
use thirdplace_domain::{Bankgiro, Postcode};
use thirdplace_invoicing::pdf::Language;

on_both_backends!(
    a_month_is_previewed_issued_once_and_written_as_peppol_and_pdf,
    only_network_admins_run_and_organisation_admins_see_their_own,
    bad_months_and_keys_and_incomplete_operators_are_refused_with_a_message,
    the_pages_preview_confirm_and_issue_once_then_credit_and_mark_paid,
    a_bgmax_file_pays_by_ocr_once_and_bad_or_foreign_files_are_refused,
    payments_a_bank_file_left_waiting_are_linked_or_accepted_on_the_page,
    overdue_invoices_are_reminded_of_by_email_at_most_once_a_week,
);

/// `<workspace root>/target/einvoice`, where `.ci/einvoice.sh` looks: from
/// the manifest dir, not CARGO_TARGET_DIR (as the invoicing crate's tests).
fn einvoice_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/einvoice");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Leaves a document for the validators: the same name on both backends
/// (the documents are alike), written whole and then renamed, so that two
/// tests at once never leave half a file.
fn leave_for_validation(name: &str, tag: &str, contents: &[u8]) {
    let dir = einvoice_dir();
    let tmp = dir.join(format!("{name}.{tag}.tmp"));
    std::fs::write(&tmp, contents).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The fixture's operator as a seller, Skatteverket as a buyer with a
/// reference, Stockholms stad without one; a seat for the member
/// (Skatteverket, all November, 4 hours included, two 3-hour bookings) and
/// one for Sven (Stockholms stad, from 16 November).
async fn month_of_use(app: &TestApp) -> Person {
    let mut op = app.f.operator.clone();
    op.seller.legal_name = Some("Oskarshamns kommun".into());
    op.seller.f_tax_approved = true;
    op.seller.street_address = Some("Box 706".into());
    op.seller.postal_code = Some(Postcode::parse("572 28").unwrap());
    op.seller.city = Some("Oskarshamn".into());
    op.seller.bankgiro = Some(Bankgiro::parse("5050-1055").unwrap());
    op.seller.invoice_prefix = "OK".into();
    op.seller.invoice_number_start = 1001;
    app.store.update_operator(&op).await.unwrap();

    let mut org = app.f.org.clone();
    org.buyer.buyer_reference = Some("4711".into());
    org.buyer.invoice_street = Some("Fakturaservice, Box 100".into());
    org.buyer.invoice_postal_code = Some(Postcode::parse("171 94").unwrap());
    org.buyer.invoice_city = Some("Solna".into());
    app.store.update_organisation(&org).await.unwrap();
    let mut other = app.f.other_org.clone();
    other.buyer.invoice_street = Some("Box 1".into());
    other.buyer.invoice_postal_code = Some(Postcode::parse("105 35").unwrap());
    other.buyer.invoice_city = Some("Stockholm".into());
    app.store.update_organisation(&other).await.unwrap();

    let plan = |name: &str| Plan {
        name: name.into(),
        selling_operator_id: Some(app.f.operator.id),
        ..network_plan()
    };
    let seat = hold_seat(app, &app.f.member, &plan("Nätverkskort"), day(2026, 11, 1)).await;
    let sven = app
        .add_person(person("Sven", "Stad", "sven@stad.example", Some(other.id)))
        .await;
    hold_seat(app, &sven, &plan("Hubbkort"), day(2026, 11, 16)).await;

    let booking = |start: &str| {
        let start = instant(start);
        Booking {
            id: new_id(),
            room_id: app.f.room.id,
            hub_id: app.f.hub.id,
            booker_id: app.f.member.id,
            organisation_id: app.f.org.id,
            on_behalf_of_organisation: false,
            seat_id: Some(seat.id),
            series_id: None,
            title: "Planering".into(),
            start,
            end: start + Duration::hours(3),
            status: BookingStatus::Confirmed,
            price: Price {
                included_minutes: 0,
                billable_minutes: 180,
                price_ex_vat_ore: 90_000,
                vat_percent: 25,
                vat_ore: 22_500,
                total_ore: 112_500,
            },
            created_at: instant("2026-11-01T08:00:00Z"),
            cancelled_at: None,
            cancelled_by: None,
            cancel_reason: String::new(),
            cancellation_charged: false,
        }
    };
    app.store
        .insert_bookings(
            &[
                booking("2026-11-10T08:00:00Z"),
                booking("2026-11-12T08:00:00Z"),
            ],
            &[],
        )
        .await
        .unwrap();
    sven
}

fn run_path(app: &TestApp) -> String {
    format!("/api/v1/operators/{}/invoice-run", app.f.operator.id)
}

async fn issue(app: &TestApp, token: &str, key: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(&run_path(app)))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"month": "2026-11"}))
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap())
}

async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (s, ct, r.bytes().await.unwrap().to_vec())
}

fn pdf_text(pdf: &[u8], name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

fn customer<'a>(run: &'a Value, name: &str) -> &'a Value {
    run["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {run}"))
}

async fn a_month_is_previewed_issued_once_and_written_as_peppol_and_pdf(app: TestApp) {
    let sven = month_of_use(&app).await;
    let admin = app.token_for(&app.f.admin).await;
    let (s, run) = app
        .get_json_with(&admin, &format!("{}?month=2026-11", run_path(&app)))
        .await;
    assert_eq!(s, StatusCode::OK, "{run}");
    // Skatteverket: the seat for November (1 450 kr) and 2 of the 6 room
    // hours beyond the 4 included (2 × 300 kr); 25 % VAT.
    let skv = customer(&run, "Skatteverket");
    assert_eq!(skv["blocked"], false, "{skv}");
    assert_eq!(skv["net_ore"], 145_000 + 60_000, "{skv}");
    assert_eq!(skv["payable_ore"], 256_250);
    let lines: Vec<&str> = skv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["description"].as_str().unwrap())
        .collect();
    assert!(
        lines[0].contains("Maja Testsson") && lines[0].contains("november 2026"),
        "{lines:?}"
    );
    assert!(
        lines[1]
            .ends_with("Sjöutsikten, Figeholms hubb – timmar utöver de inkluderade, 12 november"),
        "{lines:?}"
    );
    // Stockholms stad has no buyer reference: blocked, told what to fill in.
    let sthlm = customer(&run, "Stockholms stad");
    assert_eq!(sthlm["blocked"], true);
    assert_eq!(sthlm["problems"][0]["code"], "buyer_reference_missing");
    assert!(sthlm["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("köparreferens"));
    assert_eq!(run["invoices"], 1);
    assert_eq!(run["total_payable_ore"], 256_250);
    assert_eq!(run["total_payable"], "2\u{a0}562,50\u{a0}kr");

    // Issued: the unblocked one; the blocked one is reported.
    let (s, first) = issue(&app, &admin, "run-2026-11-a").await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["issued"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["issued"][0]["number"], "OK1001");
    assert_eq!(first["blocked"][0]["name"], "Stockholms stad");
    // The same request again (a double click, a retry) issues nothing more.
    let (s, again) = issue(&app, &admin, "run-2026-11-a").await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["issued"], first["issued"]);
    let (_, all) = app.get_json_with(&admin, "/api/v1/invoices").await;
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");

    // Once Stockholms stad has a buyer reference, a second run issues only
    // its invoice, with the next number.
    let mut other = app
        .store
        .get_organisation(app.f.other_org.id)
        .await
        .unwrap();
    other.buyer.buyer_reference = Some("Kst 12".into());
    app.store.update_organisation(&other).await.unwrap();
    let (s, second) = issue(&app, &admin, "run-2026-11-b").await;
    assert_eq!(s, StatusCode::OK, "{second}");
    let issued = second["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 1, "{second}");
    assert_eq!(issued[0]["number"], "OK1002");
    assert_eq!(issued[0]["organisation_id"], app.f.other_org.id.to_string());
    // Sven's seat from 16 November: 15 of 30 days.
    assert_eq!(issued[0]["net_ore"], 72_500, "{second}");
    assert!(second["blocked"].as_array().unwrap().is_empty());
    // Nothing is left to charge for November.
    let (_, run) = app
        .get_json_with(&admin, &format!("{}?month=2026-11", run_path(&app)))
        .await;
    assert_eq!(run["invoices"], 0, "{run}");
    assert!(run["customers"].as_array().unwrap().is_empty(), "{run}");
    let (_, third) = issue(&app, &admin, "run-2026-11-c").await;
    assert!(third["issued"].as_array().unwrap().is_empty(), "{third}");
    // Without a key too: nothing is charged twice.
    let (s, fourth) = app
        .post_json(&run_path(&app), Some(&admin), &json!({"month": "2026-11"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{fourth}");
    assert!(fourth["issued"].as_array().unwrap().is_empty(), "{fourth}");

    // Each invoice as Peppol XML and as a PDF a person reads.
    let (_, all) = app.get_json_with(&admin, "/api/v1/invoices").await;
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), 2);
    // The operator's id keeps the two backends' temporary files apart.
    let tag = app.f.operator.id.simple().to_string();
    for inv in &all {
        let id = inv["id"].as_str().unwrap();
        let number = inv["number"].as_str().unwrap();
        let (s, ct, xml) = download(&app, &admin, &format!("/api/v1/invoices/{id}/ubl")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("application/xml"), "{ct}");
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(
            text.contains(&format!("<cbc:ID>{number}</cbc:ID>")),
            "{text}"
        );
        leave_for_validation(&format!("web-invoice-run-{number}.xml"), &tag, &xml);

        let (s, ct, pdf) = download(&app, &admin, &format!("/api/v1/invoices/{id}/pdf")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ct, "application/pdf");
        let text = pdf_text(&pdf, "f.pdf");
        let ocr = inv["ocr"].as_str().unwrap();
        let total = Language::Swedish.amount(inv["gross_ore"].as_i64().unwrap());
        for needle in [number, ocr, total.as_str()] {
            assert!(
                text.contains(needle),
                "{needle} not in the PDF text:\n{text}"
            );
        }
    }

    // A full credit note referring to the first invoice, once.
    let skv = all
        .iter()
        .find(|i| i["organisation_id"] == app.f.org.id.to_string())
        .unwrap();
    let path = format!("/api/v1/invoices/{}/credit", skv["id"].as_str().unwrap());
    let (s, note) = app.post_json(&path, Some(&admin), &json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    assert_eq!(note["kind"], "credit_note");
    assert_eq!(note["number"], "OK1003");
    assert_eq!(note["credits_invoice_id"], skv["id"]);
    assert_eq!(note["gross_ore"], skv["gross_ore"]);
    let (_, twice) = app.post_json(&path, Some(&admin), &json!({})).await;
    assert_eq!(twice["id"], note["id"]);
    let note_id = note["id"].as_str().unwrap();
    let (s, _, xml) = download(&app, &admin, &format!("/api/v1/invoices/{note_id}/ubl")).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(
        text.contains("CreditNote") && text.contains("OK1001"),
        "{text}"
    );
    leave_for_validation("web-invoice-run-OK1003-credit.xml", &tag, &xml);
    let (_, credited) = app
        .get_json_with(
            &admin,
            &format!("/api/v1/invoices/{}", skv["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(credited["status"], "credited", "{credited}");

    // Stockholms stad's invoice marked paid by hand, once per key.
    let sthlm = all
        .iter()
        .find(|i| i["organisation_id"] == app.f.other_org.id.to_string())
        .unwrap();
    let pay = format!(
        "/api/v1/invoices/{}/payments",
        sthlm["id"].as_str().unwrap()
    );
    for _ in 0..2 {
        let r = app
            .client
            .post(app.url(&pay))
            .bearer_auth(&admin)
            .header("Idempotency-Key", "paid-by-hand")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (_, paid) = app
        .get_json_with(
            &admin,
            &format!("/api/v1/invoices/{}", sthlm["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(paid["payments"].as_array().unwrap().len(), 1, "{paid}");
    assert_eq!(paid["paid_ore"], sthlm["gross_ore"]);
    let _ = sven;

    // The operator's year as an SIE 4 file: the invoices, the credit note
    // and the payment (left for `check-sie4` in `.ci/einvoice.sh`).
    let sie = format!("/api/v1/operators/{}/sie", app.f.operator.id);
    let (s, ct, bytes) = download(&app, &admin, &sie).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert!(ct.starts_with("text/plain"), "{ct}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("#SIETYP 4") && text.contains("#VER A 1001"),
        "{text}"
    );
    assert!(
        text.contains("#VER A 1003") && text.contains("#VER B 1"),
        "{text}"
    );
    leave_for_validation("web-invoice-run.se", &tag, &bytes);

    // Each write is in the audit trail once, by the admin.
    let trail = app
        .store
        .list_audit(&thirdplace_store::AuditFilter {
            actor_id: Some(app.f.admin.id),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let count = |a: &str| trail.iter().filter(|e| e.action == a).count();
    assert_eq!(count("invoice.issued"), 2);
    assert_eq!(count("invoice.credited"), 1);
    assert_eq!(count("invoice.paid_by_hand"), 1);
    let (s, v) = app
        .get_json_with(&admin, &format!("{sie}?from=2026-12-01&to=2026-11-01"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

async fn only_network_admins_run_and_organisation_admins_see_their_own(app: TestApp) {
    month_of_use(&app).await;
    let mut other = app
        .store
        .get_organisation(app.f.other_org.id)
        .await
        .unwrap();
    other.buyer.buyer_reference = Some("Kst 12".into());
    app.store.update_organisation(&other).await.unwrap();
    let admin = app.token_for(&app.f.admin).await;
    let org_admin = app.token_for(&app.f.org_admin).await;
    let member = app.token_for(&app.f.member).await;

    // Only network admins preview and issue.
    let preview = format!("{}?month=2026-11", run_path(&app));
    for t in [&org_admin, &member] {
        let (s, v) = app.get_json_with(t, &preview).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(error_code(&v), "forbidden");
        let (s, _) = issue(&app, t, "k").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, done) = issue(&app, &admin, "k").await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["issued"].as_array().unwrap().len(), 2, "{done}");

    // The organisation admin sees and downloads only their own.
    let (s, mine) = app.get_json_with(&org_admin, "/api/v1/invoices").await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["organisation_id"], app.f.org.id.to_string());
    let theirs = done["issued"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["organisation_id"] == app.f.other_org.id.to_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let own = mine[0]["id"].as_str().unwrap();
    let (s, _) = app
        .get_json_with(&org_admin, &format!("/api/v1/invoices/{theirs}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = download(&app, &org_admin, &format!("/api/v1/invoices/{theirs}/pdf")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, ct, _) = download(
        &app,
        &org_admin,
        &format!("/api/v1/invoices/{own}/pdf?lang=en"),
    )
    .await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    let (s, _, _) = download(&app, &org_admin, &format!("/api/v1/invoices/{own}/ubl")).await;
    assert_eq!(s, StatusCode::OK);
    // … but neither credits nor marks paid.
    let (s, v) = app
        .post_json(
            &format!("/api/v1/invoices/{own}/credit"),
            Some(&org_admin),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = app
        .post_json(
            &format!("/api/v1/invoices/{own}/payments"),
            Some(&org_admin),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A member sees no invoices at all.
    let (s, v) = app.get_json_with(&member, "/api/v1/invoices").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = app
        .get_json_with(&member, &format!("/api/v1/invoices/{own}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Signed out: 401.
    let (s, _) = app.get_json("/api/v1/invoices").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn bad_months_and_keys_and_incomplete_operators_are_refused_with_a_message(app: TestApp) {
    month_of_use(&app).await;
    let admin = app.token_for(&app.f.admin).await;
    for bad in ["2026-13", "november", "2026-1", ""] {
        let (s, v) = app
            .get_json_with(&admin, &format!("{}?month={bad}", run_path(&app)))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(error_code(&v), "invalid_month");
    }
    let (s, v) = app.get_json_with(&admin, &run_path(&app)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // A malformed Idempotency-Key is told.
    let r = app
        .client
        .post(app.url(&run_path(&app)))
        .bearer_auth(&admin)
        .header("Idempotency-Key", "two words")
        .json(&json!({"month": "2026-11"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (s, v) = issue_body(&app, &admin, json!({"month": "2026-99"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = issue_body(&app, &admin, json!({"month": 11})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // An unknown operator is not found; an unknown status is told.
    let (s, _) = app
        .get_json_with(
            &admin,
            &format!("/api/v1/operators/{}/invoice-run?month=2026-11", new_id()),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app
        .get_json_with(&admin, "/api/v1/invoices?status=lost")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // An operator without a bankgiro cannot invoice yet, and is told why.
    let mut op = app.store.get_operator(app.f.operator.id).await.unwrap();
    op.seller.bankgiro = None;
    app.store.update_operator(&op).await.unwrap();
    let (s, v) = app
        .get_json_with(&admin, &format!("{}?month=2026-11", run_path(&app)))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), "operator_incomplete");
    assert!(v["error"]["message"].as_str().unwrap().contains("bankgiro"));
}

async fn issue_body(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(&run_path(app)))
        .bearer_auth(token)
        .header("Idempotency-Key", "bad")
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap())
}

/// The value of the hidden field `name` in a page's form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[i..i + html[i..].find('"').unwrap()].to_string()
}

async fn the_pages_preview_confirm_and_issue_once_then_credit_and_mark_paid(app: TestApp) {
    month_of_use(&app).await;
    let admin = app.signed_in(&app.f.admin).await;
    let (s, start) = app.page(&admin, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(start.contains("/admin/invoicing") && start.contains("/admin/invoices"));

    // The preview: each customer, the blocked one with what to fill in,
    // and a confirmation with the number of invoices and the total.
    let path = format!(
        "/admin/invoicing?operator={}&month=2026-11",
        app.f.operator.id
    );
    let (s, html) = app.page(&admin, &path).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Skatteverket") && html.contains("Stockholms stad"));
    assert!(html.contains("Kunden saknar köparreferens"), "{html}");
    assert!(
        html.contains("Antal fakturor som utfärdas: 1. Totalt att betala: 2\u{a0}562,50\u{a0}kr"),
        "{html}"
    );
    let key = hidden(&html, "key");
    // Issued; the same form sent again (a double click) issues nothing more.
    for _ in 0..2 {
        let r = app
            .post_form(
                &admin,
                "/admin/invoicing",
                &[
                    ("operator", &app.f.operator.id.to_string()),
                    ("month", "2026-11"),
                    ("key", &key),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = page_text(r).await;
        assert!(
            html.contains("OK1001") && !html.contains("OK1002"),
            "{html}"
        );
        assert!(
            html.contains("Stockholms stad"),
            "the blocked customer is named"
        );
    }
    let (s, list) = app.page(&admin, "/admin/invoices").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list.contains("OK1001") && list.contains("2\u{a0}562,50\u{a0}kr"),
        "{list}"
    );
    let invoices = app.store.list_invoices(&Default::default()).await.unwrap();
    assert_eq!(invoices.len(), 1);
    let inv = &invoices[0];
    let page = format!("/admin/invoices/{}", inv.id);
    let (s, html) = app.page(&admin, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Ladda ned PDF") && html.contains("Peppol"),
        "{html}"
    );
    assert!(html.contains(&ocr("1001")), "{html}");
    // The page's downloads work with the browser's session.
    for link in [
        format!("/api/v1/invoices/{}/pdf?lang=sv", inv.id),
        format!("/api/v1/invoices/{}/ubl", inv.id),
        format!("/api/v1/operators/{}/sie", app.f.operator.id),
    ] {
        assert!(
            html.contains(&link) || link.contains("/sie"),
            "{link} not on the page"
        );
        let r = admin.get(app.url(&link)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{link}");
    }
    // The organisation's admin sees it (not the run); a member sees neither.
    let org_admin = app.signed_in(&app.f.org_admin).await;
    let (s, theirs) = app.page(&org_admin, "/admin/invoices").await;
    assert_eq!(s, StatusCode::OK);
    assert!(theirs.contains("OK1001"));
    let (s, html) = app.page(&org_admin, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !html.contains("Utfärda kreditfaktura"),
        "no credit form for them"
    );
    let (s, _) = app.page(&org_admin, "/admin/invoicing").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let member = app.signed_in(&app.f.member).await;
    let (s, _) = app.page(&member, "/admin/invoices").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Marking paid and crediting need the box ticked.
    let r = app
        .post_form(&admin, &format!("{page}/payments"), &[("amount", "100")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(
            &admin,
            &format!("{page}/payments"),
            &[
                ("amount", "100"),
                ("confirm", "yes"),
                ("key", &new_id().to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(page_text(r).await.contains("100,00\u{a0}kr"));
    let r = app.post_form(&admin, &format!("{page}/credit"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(&admin, &format!("{page}/credit"), &[("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Kreditfakturan OK1002"), "{html}");
    let credited = app.store.invoice(inv.id).await.unwrap();
    assert_eq!(credited.credited_ore, inv.gross_ore);
}

/// A BgMax file (Bankgirot's layout: 80-character records) of payments to
/// bankgiro 5050-1055 on 25 November 2026: `(OCR reference, öre)` each.
/// The month of use with both customers ready to invoice, issued by the
/// network admin through the API: OK1001 to Skatteverket, OK1002 to
/// Stockholms stad. The admin's API token.
async fn both_issued(app: &TestApp) -> String {
    month_of_use(app).await;
    let mut other = app
        .store
        .get_organisation(app.f.other_org.id)
        .await
        .unwrap();
    other.buyer.buyer_reference = Some("Kst 12".into());
    app.store.update_organisation(&other).await.unwrap();
    let admin = app.token_for(&app.f.admin).await;
    let (s, done) = issue(app, &admin, "k").await;
    assert_eq!(s, StatusCode::OK, "{done}");
    admin
}

/// The OCR reference of invoice number `n` (no length digit).
fn ocr(n: &str) -> String {
    use thirdplace_invoicing::ocr::{LengthDigit, OcrReference};
    OcrReference::for_invoice_number(n, LengthDigit::Without)
        .unwrap()
        .as_str()
        .to_string()
}

fn bgmax(payee: &str, payments: &[(&str, i64)]) -> String {
    let pad = |s: String| format!("{s:<80}");
    let mut lines = vec![
        pad("01BGMAX               0120261126080000000000P".into()),
        pad(format!("05{payee:0>10}          SEK")),
    ];
    for (i, (ocr, ore)) in payments.iter().enumerate() {
        lines.push(pad(format!(
            "20{:010}{ocr:>25}{ore:018}21{:012}0",
            0,
            261125000 + i
        )));
    }
    let total: i64 = payments.iter().map(|p| p.1).sum();
    lines.push(pad(format!(
        "15{:0>35}2026112500071{total:018}SEK{:08}",
        "84500000123456",
        payments.len()
    )));
    lines.push(pad(format!(
        "70{:08}{:08}{:08}{:08}",
        payments.len(),
        0,
        0,
        1
    )));
    lines.join("\n") + "\n"
}

async fn a_bgmax_file_pays_by_ocr_once_and_bad_or_foreign_files_are_refused(app: TestApp) {
    let admin = both_issued(&app).await;
    // OK1001 in full, OK1002 in part, and one no invoice has.
    let file = bgmax(
        "50501055",
        &[
            (&ocr("1001"), 256_250),
            (&ocr("1002"), 50_000),
            (&ocr("9999"), 100),
        ],
    );
    let path = format!(
        "/api/v1/operators/{}/bank-files?file_name=bgmax-1125.txt",
        app.f.operator.id
    );
    let send = |body: String| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&admin)
            .header("content-type", "text/plain")
            .body(body)
            .send()
    };
    let r = send(file.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["matched"].as_i64(),
            v["partial"].as_i64(),
            v["unmatched"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{v}"
    );
    // The same file again changes nothing.
    let v: Value = send(file).await.unwrap().json().await.unwrap();
    assert_eq!(v["already_imported"], true, "{v}");
    let (_, paid) = app
        .get_json_with(&admin, "/api/v1/invoices?status=paid")
        .await;
    let paid: Vec<&str> = paid
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(paid, ["OK1001"]);
    let (_, open) = app
        .get_json_with(&admin, "/api/v1/invoices?status=open")
        .await;
    assert_eq!(open[0]["number"], "OK1002");
    assert_eq!(open[0]["paid_ore"], 50_000);
    // A file that is not BgMax is refused with its line; another
    // bankgiro's file as foreign.
    let r = send("hello\n".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), "bank_file_invalid");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Line 1:"),
        "{v}"
    );
    let r = send(bgmax("9912346", &[(&ocr("1002"), 100)]))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), "bank_file_foreign", "{v}");
    // Only network admins import.
    let org_admin = app.token_for(&app.f.org_admin).await;
    let r = app
        .client
        .post(app.url(&path))
        .bearer_auth(&org_admin)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// The bank file uploaded on the payments page leaves an unmatched and a
/// partial payment waiting; the unmatched one is linked to its invoice by
/// number, the partial one accepted as it stands, over the page and the
/// API; bad numbers and second tries are refused with a message.
async fn payments_a_bank_file_left_waiting_are_linked_or_accepted_on_the_page(app: TestApp) {
    let admin_token = both_issued(&app).await;
    let admin = app.signed_in(&app.f.admin).await;
    let html = app.html(&admin, "/admin/payments").await;
    assert!(html.contains("Inga inbetalningar väntar."), "{html}");
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let csrf = hidden_csrf(&html);
    let operator = app.f.operator.id.to_string();
    // OK1001 and OK1002 in part; a payment no invoice has.
    let file = bgmax(
        "50501055",
        &[
            (&ocr("1001"), 50_000),
            (&ocr("1002"), 100),
            (&ocr("9999"), 206_250),
        ],
    );
    let upload = |file: String| {
        let (admin, csrf, operator) = (&admin, csrf.clone(), operator.clone());
        let app = &app;
        async move {
            app.post_multipart(
                admin,
                "/admin/payments/bank-file",
                &[
                    ("_csrf", None, csrf.as_str()),
                    ("operator", None, operator.as_str()),
                    ("file", Some("bgmax-1126.txt"), file.as_str()),
                ],
            )
            .await
        }
    };
    let r = upload(file.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(
        html.contains("0 betalade fakturor, 2 delbetalningar och 1 utan faktura"),
        "{html}"
    );
    assert!(html.contains("OK1001</a> (delbetalning)"), "{html}");
    assert!(html.contains("Ingen faktura hittades"), "{html}");
    // Again: nothing changes.
    let html = page_text(upload(file).await).await;
    assert!(html.contains("redan inläst"), "{html}");
    // A file that is not BgMax is refused on the page, with its line.
    let r = upload("hello\n".into()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("Line 1:"), "{html}");

    let (s, waiting) = app
        .get_json_with(&admin_token, "/api/v1/payments/to-resolve")
        .await;
    assert_eq!(s, StatusCode::OK);
    let waiting = waiting.as_array().unwrap().clone();
    assert_eq!(waiting.len(), 3, "{waiting:?}");
    let id_of = |amount: i64| {
        waiting.iter().find(|p| p["amount_ore"] == amount).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (partial, small, unmatched) = (id_of(50_000), id_of(100), id_of(206_250));

    // A number that is no invoice of the operator is refused with a message.
    let r = app
        .post_form(
            &admin,
            &format!("/admin/payments/{unmatched}/resolve"),
            &[("invoice_number", "OK9999")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r).await.contains("is not an invoice number"));
    // An unmatched payment needs a number.
    let (s, v) = app
        .post_json(
            &format!("/api/v1/payments/{unmatched}/resolve"),
            Some(&admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invoice_required")
    );
    // Linked by its number on the page: OK1001 is then paid in full.
    let r = app
        .post_form(
            &admin,
            &format!("/admin/payments/{unmatched}/resolve"),
            &[("invoice_number", "OK1001")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", page_text(r).await);
    let (_, paid) = app
        .get_json_with(&admin_token, "/api/v1/invoices?status=paid")
        .await;
    assert_eq!(paid[0]["number"], "OK1001", "{paid}");
    // Paying the invoice in full settled its partial payment with it; the
    // small one for OK1002 is accepted as it stands.
    let (_, waiting) = app
        .get_json_with(&admin_token, "/api/v1/payments/to-resolve")
        .await;
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(waiting[0]["id"], small.as_str());
    let r = app
        .post_form(
            &admin,
            &format!("/admin/payments/{small}/resolve"),
            &[("accept", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", page_text(r).await);
    let (_, open) = app
        .get_json_with(&admin_token, "/api/v1/invoices?status=open")
        .await;
    assert_eq!(open[0]["number"], "OK1002");
    assert_eq!(open[0]["paid_ore"], 100, "accepted, still owing the rest");
    // Resolving again is refused; others may not resolve at all.
    let (s, v) = app
        .post_json(
            &format!("/api/v1/payments/{partial}/resolve"),
            Some(&admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, "payment_resolved")
    );
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, _) = app
        .get_json_with(&org_admin, "/api/v1/payments/to-resolve")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let html = app.html(&admin, "/admin/payments").await;
    assert!(html.contains("Inga inbetalningar väntar."), "{html}");
}

/// The customer's invoice address for e-mail.
async fn invoice_email(app: &TestApp, org: uuid::Uuid, address: &str) {
    let mut o = app.store.get_organisation(org).await.unwrap();
    o.buyer.invoice_email = Some(thirdplace_domain::Email::parse(address).unwrap());
    app.store.update_organisation(&o).await.unwrap();
}

async fn reminder_mails(app: &TestApp) -> Vec<thirdplace_store::OutgoingEmail> {
    let all = app.store.list_emails(100).await.unwrap();
    all.into_iter()
        .filter(|e| e.subject.starts_with("Betalningspåminnelse"))
        .collect()
}

async fn overdue_invoices_are_reminded_of_by_email_at_most_once_a_week(app: TestApp) {
    let admin = both_issued(&app).await;
    let invoices = app.store.list_invoices(&Default::default()).await.unwrap();
    let by_number = |n: i64| invoices.iter().find(|i| i.number == n).unwrap().clone();
    let ok1001 = by_number(1001);
    let path = format!("/api/v1/invoices/{}/reminders", ok1001.id);
    let post = |token: String| {
        let (app, path) = (&app, path.clone());
        async move {
            let r = app
                .client
                .post(app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }
    };

    // Not yet due: refused, with the due date.
    let (s, body) = post(admin.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "reminder_not_overdue", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&ok1001.due_date.to_string()),
        "{body}"
    );

    // Overdue, but the customer has no invoice address for e-mail.
    app.clock.set(instant("2027-01-04T09:00:00Z"));
    let (s, body) = post(admin.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "reminder_no_address", "{body}");
    assert!(reminder_mails(&app).await.is_empty());

    // With one: sent through the outbox, once; a retry is refused.
    invoice_email(&app, app.f.org.id, "faktura@skatteverket.example").await;
    let (s, sent) = post(admin.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["to_address"], "faktura@skatteverket.example");
    assert_eq!(sent["sent_on"], "2027-01-04");
    assert_eq!(sent["outstanding_ore"], ok1001.gross_ore);
    let (s, again) = post(admin.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "reminder_too_soon", "{again}");
    let mails = reminder_mails(&app).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to_address, "faktura@skatteverket.example");
    assert!(mail.subject.contains("faktura OK1001"), "{}", mail.subject);
    for needle in [
        format!("Den förföll {}.", ok1001.due_date),
        "bankgiro 5050-1055".into(),
        ocr("1001"),
        "(er referens: 4711)".into(),
        "Oskarshamns kommun".into(),
    ] {
        assert!(mail.body.contains(&needle), "{needle} in {}", mail.body);
    }

    // The organisation's admin sees the reminders and may not send one.
    let org_admin = app.token_for(&app.f.org_admin).await;
    let r = app
        .client
        .get(app.url(&path))
        .bearer_auth(&org_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let seen: Value = r.json().await.unwrap();
    assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
    let (s, _) = post(org_admin).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The overdue list: OK1001 waits a week, OK1002 has no address.
    let page = app.signed_in(&app.f.admin).await;
    let (s, html) = app.page(&page, "/admin/invoices/reminders").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("OK1001") && html.contains("OK1002"), "{html}");
    assert!(
        html.contains("Nästa påminnelse kan skickas 2027-01-11."),
        "{html}"
    );
    assert!(html.contains("Fakturaadress för e-post saknas"), "{html}");
    assert!(
        html.contains("Ingen påminnelse kan skickas just nu."),
        "{html}"
    );

    // Stockholms stad gets an address: one may go, asked first.
    invoice_email(&app, app.f.other_org.id, "ekonomi@stockholm.example").await;
    let (_, html) = app.page(&page, "/admin/invoices/reminders").await;
    assert!(
        html.contains("1 fakturor på sammanlagt") && html.contains("Skicka påminnelser (1)"),
        "{html}"
    );
    let r = app.post_form(&page, "/admin/invoices/reminders", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reminder_mails(&app).await.len(),
        1,
        "nothing without the confirmation"
    );
    let r = app
        .post_form(&page, "/admin/invoices/reminders", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(html.contains("Påminnelser i utkorgen: 1."), "{html}");
    let mails = reminder_mails(&app).await;
    assert_eq!(mails.len(), 2);
    assert!(mails
        .iter()
        .any(|m| m.to_address == "ekonomi@stockholm.example" && m.subject.contains("OK1002")));
    // Sent twice (a double click): nothing more goes.
    let r = app
        .post_form(&page, "/admin/invoices/reminders", &[("confirm", "yes")])
        .await;
    assert!(page_text(r).await.contains("Påminnelser i utkorgen: 0."));
    assert_eq!(reminder_mails(&app).await.len(), 2);

    // A week on, OK1001's page offers the next, which goes once asked.
    app.clock.set(instant("2027-01-11T09:00:00Z"));
    let invoice_page = format!("/admin/invoices/{}", ok1001.id);
    let (_, html) = app.page(&page, &invoice_page).await;
    assert!(
        html.contains("2027-01-04 till faktura@skatteverket.example"),
        "{html}"
    );
    assert!(html.contains("Skicka påminnelse"), "{html}");
    let r = app
        .post_form(
            &page,
            &format!("{invoice_page}/reminders"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(
        html.contains("Påminnelsen ligger i utkorgen till faktura@skatteverket.example."),
        "{html}"
    );
    assert!(
        html.contains("Nästa påminnelse kan skickas 2027-01-18."),
        "{html}"
    );
    assert_eq!(reminder_mails(&app).await.len(), 3);

    // Paid, it leaves the list.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/invoices/{}/payments", ok1001.id)))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let (_, html) = app.page(&page, "/admin/invoices/reminders").await;
    assert!(
        !html.contains("OK1001") && html.contains("OK1002"),
        "{html}"
    );
}
