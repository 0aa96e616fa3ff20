//! Memberships, check-ins, guests, presence, the access summary and
//! webhooks over the JSON API, on SQLite and on PostgreSQL.

use crate::common;

use chrono::Duration;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use thirdplace_domain::membership::*;
use thirdplace_domain::*;
use uuid::Uuid;

on_both_backends!(
    plans_are_public_to_read_and_managed_by_network_admins,
    organisations_buy_assign_and_reassign_seats_with_history,
    check_in_needs_a_membership_that_opens_the_hub_today,
    check_in_twice_conflicts_and_checkout_ends_the_visit,
    concurrent_check_ins_of_one_member_give_exactly_one,
    closed_and_archived_hubs_refuse_check_in,
    forgotten_check_ins_close_at_closing_time,
    guests_come_from_the_hosts_organisation_within_the_limit,
    hosts_scan_signed_qr_codes_and_refuse_forged_old_or_rotated_ones,
    presence_shows_first_names_of_those_who_opted_in,
    access_summary_counts_people_organisations_and_visits,
    webhooks_are_signed_retried_and_not_lost_while_the_receiver_is_down,
    bad_membership_input_gets_clear_errors_and_writes_nothing,
);

fn plan(scope: PlanScope, max_guests: i64) -> Plan {
    Plan {
        scope,
        max_guests,
        ..network_plan()
    }
}

/// This file's usual seat: network-wide, no guests, held since 1 November
/// 2026.
fn seat_since_november(person: &Person) -> GiveSeat<'_> {
    seat_of(person).max_guests(0).from(2026, 11, 1)
}

async fn plans_are_public_to_read_and_managed_by_network_admins(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let member = app.token_for(&app.f.member).await;
    let body = json!({
        "name": "Hubbkort Figeholm",
        "description": "Tillgång till Figeholms hubb.",
        "scope": "hub",
        "scope_id": app.f.hub.id,
        "monthly_price_ore": 40_000,
        "included_hours_per_month": 2,
        "guests_allowed": true,
        "max_guests": 1,
        "validity": "monthly_rolling"
    });
    let (s, v) = app.post_json("/api/v1/plans", Some(&member), &body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = app.post_json("/api/v1/plans", None, &body).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let (s, created) = app.post_json("/api/v1/plans", Some(&admin), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["scope"], "hub");
    assert_eq!(created["scope_id"], app.f.hub.id.to_string());
    assert_eq!(created["monthly_price_ore"], 40_000);
    assert_eq!(created["guests_allowed"], true);

    let (s, list) = app.get_json("/api/v1/plans").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);

    let trial = json!({
        "name": "Provvecka",
        "scope": "network",
        "monthly_price_ore": 0,
        "validity": "fixed_days",
        "validity_days": 7
    });
    // A network-wide plan has no hub whose operator could sell it.
    let (s, v) = app.post_json("/api/v1/plans", Some(&admin), &trial).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        v["error"]["fields"][0]["field"], "selling_operator_id",
        "{v}"
    );
    assert_eq!(v["error"]["fields"][0]["code"], "seller_required", "{v}");
    let mut trial = trial;
    trial["selling_operator_id"] = json!(app.f.operator.id);
    let (s, t) = app.post_json("/api/v1/plans", Some(&admin), &trial).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["selling_operator_id"], app.f.operator.id.to_string());
    assert_eq!(t["validity_days"], 7);
    assert_eq!(t["guests_allowed"], false);

    let mut archived = body.clone();
    archived["archived"] = json!(true);
    let id = created["id"].as_str().unwrap();
    let (s, _) = app
        .put_json(&format!("/api/v1/plans/{id}"), Some(&admin), &archived)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get_json("/api/v1/plans").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "archived plans leave the list"
    );
}

async fn organisations_buy_assign_and_reassign_seats_with_history(app: TestApp) {
    let p = plan(PlanScope::Network, 1);
    app.store.insert_plan(&p).await.unwrap();
    let org_admin = app.token_for(&app.f.org_admin).await;
    let host = app.token_for(&app.f.host).await;
    let seats_path = format!("/api/v1/organisations/{}/seats", app.f.org.id);
    let buy = json!({ "plan_id": p.id, "count": 3, "start_date": "2026-11-23" });
    let (s, _) = app.post_json(&seats_path, Some(&host), &buy).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "only the organisation's admins buy"
    );
    let (s, seats) = app.post_json(&seats_path, Some(&org_admin), &buy).await;
    assert_eq!(s, StatusCode::CREATED, "{seats}");
    let seats = seats.as_array().unwrap().clone();
    assert_eq!(seats.len(), 3);
    assert!(seats
        .iter()
        .all(|s| s["holder"].is_null() && s["active_today"] == true));

    // An unheld seat grants nothing.
    let member = app.token_for(&app.f.member).await;
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(error_code(&v), "no_membership");

    let seat = seats[0]["id"].as_str().unwrap().to_string();
    let holder_path = format!("/api/v1/seats/{seat}/holder");
    let (s, v) = app
        .put_json(
            &holder_path,
            Some(&org_admin),
            &json!({ "person_id": app.f.member.id }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["holder"]["first_name"], "Maja");
    app.visit(&member).await;

    // Someone outside the organisation cannot get it.
    let outsider = app
        .add_person(person(
            "Per",
            "Annan",
            "per@other.example",
            Some(app.f.other_org.id),
        ))
        .await;
    let (s, v) = app
        .put_json(
            &holder_path,
            Some(&org_admin),
            &json!({ "person_id": outsider.id }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["code"], "outside_organisation");

    // Reassign to the organisation admin a little later: history has both.
    app.clock.advance(Duration::minutes(5));
    let (s, v) = app
        .put_json(
            &holder_path,
            Some(&org_admin),
            &json!({ "person_id": app.f.org_admin.id }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{v}");
    assert_eq!(history[0]["person_id"], app.f.member.id.to_string());
    assert!(!history[0]["until"].is_null());
    assert_eq!(history[1]["person_id"], app.f.org_admin.id.to_string());
    assert!(history[1]["until"].is_null());
    // The member no longer has access.
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // Ending a monthly seat keeps it to the end of the paid month.
    let (s, v) = app
        .post_json(
            &format!("/api/v1/seats/{seat}/end"),
            Some(&org_admin),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["end_date"], "2026-12-22");

    // Another organisation's admin does not see these seats.
    let (s, _) = app.get_json_with(&host, &seats_path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, list) = app.get_json_with(&org_admin, &seats_path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 3);
}

async fn check_in_needs_a_membership_that_opens_the_hub_today(app: TestApp) {
    let member = app.token_for(&app.f.member).await;
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&v), "no_membership");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Figeholms hubb"));

    // A card for the other hub does not open this one.
    seat_since_november(&app.f.member)
        .scope(PlanScope::Hub(app.f.other_hub.id))
        .give(&app)
        .await;
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // An expired and a future seat do not either.
    let p = plan(PlanScope::Network, 0);
    app.store.insert_plan(&p).await.unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for (start, end) in [("2026-10-01", Some("2026-11-22")), ("2026-11-24", None)] {
        let seat = Seat {
            id: new_id(),
            plan_id: p.id,
            organisation_id: app.f.org.id,
            start_date: d(start),
            end_date: end.map(d),
            created_at: instant("2026-10-01T08:00:00Z"),
            selling_operator_id: None,
        };
        app.store
            .insert_seats(std::slice::from_ref(&seat))
            .await
            .unwrap();
        app.store
            .assign_seat(
                seat.id,
                Some(app.f.member.id),
                instant("2026-10-01T08:00:00Z"),
            )
            .await
            .unwrap();
    }
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // A region card does.
    seat_since_november(&app.f.member)
        .scope(PlanScope::Region(app.f.region.id))
        .give(&app)
        .await;
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["method"], "api");
    assert_eq!(v["hub_id"], app.f.hub.id.to_string());

    // Unknown hub: a field error; no token: 401.
    let (s, v) = app.check_in(&member, new_id()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "hub_id");
    let (s, _) = app
        .post_json("/api/v1/checkins", None, &json!({ "hub_id": app.f.hub.id }))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn check_in_twice_conflicts_and_checkout_ends_the_visit(app: TestApp) {
    seat_since_november(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let (s, first) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, v) = app.check_in(&member, app.f.other_hub.id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(error_code(&v), "already_checked_in");
    // The message names where and since when they are checked in.
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("10:00") && message.contains("Figeholms hubb"),
        "{message}"
    );

    let id = first["id"].as_str().unwrap();
    // Someone else cannot end it.
    let other = app.token_for(&app.f.org_admin).await;
    let (s, _) = app.check_out(&other, id).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app.check_out(&member, id).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v["checked_out_at"].is_null());
    assert_eq!(v["auto_closed"], false);
    let (s, v) = app.check_out(&member, id).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(error_code(&v), "already_checked_out");
    // Checked out, they can check in again.
    let (s, _) = app.check_in(&member, app.f.other_hub.id).await;
    assert_eq!(s, StatusCode::CREATED);
}

async fn concurrent_check_ins_of_one_member_give_exactly_one(app: TestApp) {
    seat_since_november(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = new_client();
        let url = app.url("/api/v1/checkins");
        let token = member.clone();
        let hub = if i % 2 == 0 {
            app.f.hub.id
        } else {
            app.f.other_hub.id
        };
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "hub_id": hub }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, conflicts), (1, 19));
    let open = app.store.list_open_checkins().await.unwrap();
    assert_eq!(open.len(), 1);
}

async fn closed_and_archived_hubs_refuse_check_in(app: TestApp) {
    seat_since_november(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    // Monday 18:30 Swedish time: closed until Tuesday 08:00.
    app.clock.set(instant("2026-11-23T17:30:00Z"));
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), "hub_closed");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2026-11-24 08:00"));

    app.clock.set(instant(TEST_NOW));
    let mut hub = app.f.hub.clone();
    hub.archived = true;
    app.store.update_hub(&hub).await.unwrap();
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(error_code(&v), "hub_archived");
    assert!(app.store.list_open_checkins().await.unwrap().is_empty());
}

async fn forgotten_check_ins_close_at_closing_time(app: TestApp) {
    seat_since_november(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::CREATED);
    let id: Uuid = v["id"].as_str().unwrap().parse().unwrap();
    // Before closing nothing happens.
    assert_eq!(
        thirdplace_web::memberships::checkins::close_forgotten(&app.state)
            .await
            .unwrap(),
        0
    );
    // After 17:00 Swedish time (16:00Z in November) it is closed at 17:00.
    app.clock.set(instant("2026-11-23T16:30:00Z"));
    assert_eq!(
        thirdplace_web::memberships::checkins::close_forgotten(&app.state)
            .await
            .unwrap(),
        1
    );
    let c = app.store.get_checkin(id).await.unwrap();
    assert_eq!(c.checked_out_at, Some(instant("2026-11-23T16:00:00Z")));
    assert!(c.auto_closed);

    // Left open overnight and not yet swept: the next check-in closes it.
    app.clock.set(instant("2026-11-24T08:00:00Z"));
    let (s, v) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    app.clock.set(instant("2026-11-25T08:00:00Z"));
    let (s, v) = app.check_in(&member, app.f.other_hub.id).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mine = app
        .store
        .list_checkins_of(app.f.member.id, 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 3);
    assert_eq!(
        mine[1].checked_out_at,
        Some(instant("2026-11-24T16:00:00Z"))
    );
    assert!(mine[1].auto_closed);
}

async fn guests_come_from_the_hosts_organisation_within_the_limit(app: TestApp) {
    seat_since_november(&app.f.member)
        .max_guests(1)
        .give(&app)
        .await;
    let member = app.token_for(&app.f.member).await;
    let (_, v) = app.check_in(&member, app.f.hub.id).await;
    let id = v["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/checkins/{id}/guests");
    let guest = |org: Uuid, name: &str| json!({ "first_name": name, "last_name": "Gästsson", "organisation_id": org });
    let (s, v) = app
        .post_json(&path, Some(&member), &guest(app.f.other_org.id, "Kim"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(error_code(&v), "guest_other_organisation");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("invitations to events"));

    let (s, v) = app
        .post_json(&path, Some(&member), &guest(app.f.org.id, "Lo"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["host_person_id"], app.f.member.id.to_string());
    let (s, v) = app
        .post_json(&path, Some(&member), &guest(app.f.org.id, "Mo"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(error_code(&v), "guest_limit_reached");

    let (s, v) = app
        .post_json(
            &path,
            Some(&member),
            &json!({ "first_name": "", "last_name": "X", "organisation_id": app.f.org.id }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // Checking out ends the guests' visits too; then no more guests.
    app.check_out(&member, &id).await;
    let guests = app.store.list_guests(id.parse().unwrap()).await.unwrap();
    assert_eq!(guests.len(), 1);
    assert!(guests[0].left_at.is_some());
    let (s, v) = app
        .post_json(&path, Some(&member), &guest(app.f.org.id, "No"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(error_code(&v), "not_checked_in");

    // A plan without guests says so.
    let other = app
        .add_person(person(
            "Nils",
            "Utan",
            "nils@test.example",
            Some(app.f.org.id),
        ))
        .await;
    seat_since_november(&other).give(&app).await;
    let t = app.token_for(&other).await;
    let (_, v) = app.check_in(&t, app.f.hub.id).await;
    let (s, v) = app
        .post_json(
            &format!("/api/v1/checkins/{}/guests", v["id"].as_str().unwrap()),
            Some(&t),
            &guest(app.f.org.id, "Lo"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(error_code(&v), "guests_not_allowed");
}

async fn hosts_scan_signed_qr_codes_and_refuse_forged_old_or_rotated_ones(app: TestApp) {
    seat_since_november(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let host = app.token_for(&app.f.host).await;
    let (s, card) = app.get_json_with(&member, "/api/v1/me/card").await;
    assert_eq!(s, StatusCode::OK, "{card}");
    assert_eq!(card["memberships"].as_array().unwrap().len(), 1);
    assert_eq!(card["memberships"][0]["hubs"].as_array().unwrap().len(), 2);
    assert_eq!(card["included_minutes_this_month"], 240);
    let qr = card["qr_token"].as_str().unwrap().to_string();
    assert!(!qr.contains(&app.f.member.id.to_string()));

    let scan = format!("/api/v1/hubs/{}/scan", app.f.hub.id);
    // Only the hub's hosts scan.
    let (s, _) = app
        .post_json(&scan, Some(&member), &json!({ "qr": qr }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post_json(&scan, Some(&host), &json!({ "qr": qr }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["method"], "scan");
    assert_eq!(v["person_id"], app.f.member.id.to_string());
    let (s, v) = app
        .post_json(&scan, Some(&host), &json!({ "qr": qr }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let id = v["error"]["message"].as_str().map(|_| ());
    assert!(id.is_some());
    let open = app
        .store
        .open_checkin_of(app.f.member.id)
        .await
        .unwrap()
        .unwrap();
    app.check_out(&host, &open.id.to_string()).await;

    // Forged: another signature.
    let mut forged = qr.clone();
    forged.pop();
    forged.push(if qr.ends_with('A') { 'B' } else { 'A' });
    let (s, v) = app
        .post_json(&scan, Some(&host), &json!({ "qr": forged }))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(error_code(&v), "qr_invalid");
    let (s, v) = app
        .post_json(
            &scan,
            Some(&host),
            &json!({ "qr": app.f.member.id.to_string() }),
        )
        .await;
    assert_eq!((s, error_code(&v)), (StatusCode::BAD_REQUEST, "qr_invalid"));

    // Old: more than 12 hours.
    app.clock.advance(Duration::hours(13));
    let (s, v) = app
        .post_json(&scan, Some(&host), &json!({ "qr": qr }))
        .await;
    assert_eq!((s, error_code(&v)), (StatusCode::FORBIDDEN, "qr_expired"));
    app.clock.set(instant(TEST_NOW));

    // Rotated: the old code stops working, the new one works.
    let (s, rotated) = app
        .post_json("/api/v1/me/card/rotate", Some(&member), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .post_json(&scan, Some(&host), &json!({ "qr": qr }))
        .await;
    assert_eq!((s, error_code(&v)), (StatusCode::FORBIDDEN, "qr_rotated"));
    let (s, v) = app
        .post_json(&scan, Some(&host), &json!({ "qr": rotated["qr_token"] }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn presence_shows_first_names_of_those_who_opted_in(app: TestApp) {
    seat_since_november(&app.f.member)
        .max_guests(1)
        .give(&app)
        .await;
    seat_since_november(&app.f.org_admin).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, v) = app
        .put_json(
            "/api/v1/me/profile",
            Some(&member),
            &json!({ "visible": true, "expertise": ["GIS", "upphandling"] }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, c) = app.check_in(&member, app.f.hub.id).await;
    app.check_in(&org_admin, app.f.hub.id).await;
    app.post_json(
        &format!("/api/v1/checkins/{}/guests", c["id"].as_str().unwrap()),
        Some(&member),
        &json!({ "first_name": "Lo", "last_name": "Gäst", "organisation_id": app.f.org.id }),
    )
    .await;

    let path = format!("/api/v1/hubs/{}/presence", app.f.hub.id);
    let (s, v) = app.get_json(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["visible"].as_array().unwrap().len(), 1);
    assert_eq!(v["visible"][0]["first_name"], "Maja");
    assert_eq!(v["visible"][0]["organisation_name"], "Skatteverket");
    assert_eq!(v["visible"][0]["expertise"], json!(["GIS", "upphandling"]));
    assert_eq!(v["others"], 1);
    assert_eq!(v["guests"], 1);
    assert!(v.get("everyone").is_none());
    let text = v.to_string();
    assert!(
        !text.contains("Testsson") && !text.contains("Olga"),
        "{text}"
    );

    let host = app.token_for(&app.f.host).await;
    let (_, v) = app.get_json_with(&host, &path).await;
    let everyone = v["everyone"].as_array().unwrap();
    assert_eq!(everyone.len(), 2);
    assert_eq!(everyone[1]["last_name"], "Testsson");

    let (s, v) = app
        .put_json(
            "/api/v1/me/profile",
            Some(&member),
            &json!({ "visible": true, "expertise": ["x".repeat(41)] }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

async fn access_summary_counts_people_organisations_and_visits(app: TestApp) {
    seat_since_november(&app.f.member)
        .scope(PlanScope::Hub(app.f.hub.id))
        .give(&app)
        .await;
    seat_since_november(&app.f.org_admin)
        .scope(PlanScope::Region(app.f.region.id))
        .give(&app)
        .await;
    // Another organisation's person with a card for the other hub only.
    let other = app
        .add_person(person(
            "Per",
            "Annan",
            "per@other.example",
            Some(app.f.other_org.id),
        ))
        .await;
    seat_since_november(&other)
        .scope(PlanScope::Hub(app.f.other_hub.id))
        .give(&app)
        .await;
    let member = app.token_for(&app.f.member).await;
    let (_, c) = app.check_in(&member, app.f.hub.id).await;
    app.check_out(&member, c["id"].as_str().unwrap()).await;
    app.check_in(&member, app.f.hub.id).await;

    let (s, v) = app
        .get_json(&format!("/api/v1/hubs/{}/access-summary", app.f.hub.id))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["people_with_access"], 2);
    assert_eq!(v["organisations_with_access"], 1);
    assert_eq!(v["checked_in_now"], 1);
    assert_eq!(v["visits_last_30_days"], 2);
    assert_eq!(v["target_people_with_access"], 20);
    assert_eq!(v["target_met"], false);
    let (_, v) = app
        .get_json(&format!(
            "/api/v1/hubs/{}/access-summary",
            app.f.other_hub.id
        ))
        .await;
    assert_eq!(v["people_with_access"], 2);
    assert_eq!(v["organisations_with_access"], 2);
    assert_eq!(v["checked_in_now"], 0);
    let (s, _) = app
        .get_json(&format!("/api/v1/hubs/{}/access-summary", new_id()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// A webhook receiver on 127.0.0.1 that answers 503 to the first
/// `failures` requests and 200 after, recording what it got.
struct Receiver {
    seen: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>,
}

async fn start_receiver(listener: tokio::net::TcpListener, failures: usize) -> Receiver {
    let seen: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let s2 = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = s2.clone();
            let count = count.clone();
            async move {
                seen.lock().unwrap().push((headers, body));
                if count.fetch_add(1, Ordering::SeqCst) < failures {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { seen }
}

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..150 {
        if cond() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn webhooks_are_signed_retried_and_not_lost_while_the_receiver_is_down(app: TestApp) {
    // A port with nobody listening yet: the receiver is down.
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let admin = app.token_for(&app.f.admin).await;
    let (s, hook) = app
        .add_webhook(&admin, &format!("http://{addr}/hook"), &["checkin.created"])
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    let hook_id = hook["id"].as_str().unwrap().to_string();
    // Members cannot see webhooks.
    let member = app.token_for(&app.f.member).await;
    let (s, _) = app.get_json_with(&member, "/api/v1/webhooks").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    seat_since_november(&app.f.member).give(&app).await;
    let (s, c) = app.check_in(&member, app.f.hub.id).await;
    assert_eq!(s, StatusCode::CREATED);
    // Checkout is not subscribed: only one delivery is queued.
    let deliveries = format!("/api/v1/webhooks/{hook_id}/deliveries");
    let first_attempt_failed = || async {
        let (_, v) = app.get_json_with(&admin, &deliveries).await;
        v
    };
    let mut v = Value::Null;
    for _ in 0..100 {
        v = first_attempt_failed().await;
        if v[0]["attempts"] == 1 && !v[0]["last_error"].is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["status"], "pending", "{v}");
    assert_eq!(v[0]["attempts"], 1, "{v}");
    assert!(
        v[0]["last_error"].as_str().unwrap().contains("connect"),
        "{v}"
    );

    // The receiver comes up but fails once more, then succeeds.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let receiver = start_receiver(listener, 1).await;
    app.clock.advance(Duration::seconds(11));
    wait_until("the second attempt", || {
        !receiver.seen.lock().unwrap().is_empty()
    })
    .await;
    // Wait until the failure is recorded (and rescheduled from the clock's
    // time then) before moving the clock past the next backoff.
    for _ in 0..100 {
        let (_, v) = app.get_json_with(&admin, &deliveries).await;
        if v[0]["attempts"] == 2
            && v[0]["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("503"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.clock.advance(Duration::seconds(21));
    wait_until("the third attempt", || {
        receiver.seen.lock().unwrap().len() >= 2
    })
    .await;
    let mut v = Value::Null;
    for _ in 0..50 {
        let (_, got) = app.get_json_with(&admin, &deliveries).await;
        v = got;
        if v[0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(v[0]["status"], "delivered", "{v}");
    assert_eq!(v[0]["attempts"], 3, "{v}");

    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "no duplicate sends");
    let (headers, body) = &seen[1];
    assert_eq!(headers["x-thirdplace-event"], "checkin.created");
    assert_eq!(
        headers["x-thirdplace-delivery"],
        seen[0].0["x-thirdplace-delivery"]
    );
    let ts: i64 = headers["x-thirdplace-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        headers["x-thirdplace-signature"].to_str().unwrap(),
        thirdplace_web::memberships::webhooks::signature(&secret, ts, body)
    );
    // An independent HMAC-SHA256 over "<timestamp>.<body>".
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    assert_eq!(
        headers["x-thirdplace-signature"].to_str().unwrap(),
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    );
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "checkin.created");
    assert_eq!(payload["data"]["checkin_id"], c["id"]);
    assert_eq!(payload["data"]["first_name"], "Maja");
}

async fn bad_membership_input_gets_clear_errors_and_writes_nothing(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app
        .post_json(
            "/api/v1/plans",
            Some(&admin),
            &json!({ "name": "", "scope": "hub", "monthly_price_ore": -5, "validity": "forever" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app
        .post_json(
            "/api/v1/plans",
            Some(&admin),
            &json!({ "name": "X", "scope": "hub", "monthly_price_ore": 100, "validity": "forever" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields = field_names(&v);
    assert_eq!(fields, ["scope_id", "validity"]);
    let (s, v) = app
        .post_json(
            "/api/v1/plans",
            Some(&admin),
            &json!({ "name": "X", "scope": "hub", "scope_id": new_id(), "monthly_price_ore": 100, "validity": "monthly_rolling" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "scope_id");
    assert!(app.store.list_plans().await.unwrap().is_empty());

    let p = plan(PlanScope::Network, 0);
    app.store.insert_plan(&p).await.unwrap();
    let org_admin = app.token_for(&app.f.org_admin).await;
    let path = format!("/api/v1/organisations/{}/seats", app.f.org.id);
    for (body, field) in [
        (
            json!({ "plan_id": p.id, "count": 0, "start_date": "2026-11-23" }),
            "count",
        ),
        (
            json!({ "plan_id": p.id, "count": 501, "start_date": "2026-11-23" }),
            "count",
        ),
        (
            json!({ "plan_id": p.id, "count": 1, "start_date": "2026-11-22" }),
            "start_date",
        ),
        (
            json!({ "plan_id": p.id, "count": 1, "start_date": "23/11/2026" }),
            "start_date",
        ),
        (
            json!({ "plan_id": p.id, "count": 1, "start_date": "2026-12-01", "end_date": "2026-11-30" }),
            "end_date",
        ),
        (
            json!({ "plan_id": new_id(), "count": 1, "start_date": "2026-11-23" }),
            "plan_id",
        ),
    ] {
        let (s, v) = app.post_json(&path, Some(&org_admin), &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {v}");
        assert_eq!(v["error"]["fields"][0]["field"], field, "{v}");
    }
    let (s, v) = app
        .post_json(
            &path,
            Some(&org_admin),
            &json!({ "plan_id": p.id, "count": "three", "start_date": "2026-11-23" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(app.store.list_seats(app.f.org.id).await.unwrap().is_empty());

    let (s, v) = app.add_webhook(&admin, "ftp://x", &["door.opened"]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"].as_array().unwrap().len(), 2);
    assert!(app.store.list_webhooks().await.unwrap().is_empty());

    let member = app.token_for(&app.f.member).await;
    let (s, v) = app
        .post_json(
            "/api/v1/checkins",
            Some(&member),
            &json!({ "hub_id": "not-a-uuid" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app.check_out(&member, &new_id().to_string()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}
