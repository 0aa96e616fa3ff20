//! The audit trail, on SQLite and on PostgreSQL: administrative actions are
//! recorded with who did them and what changed; network admins (only) read
//! them on a page, filtered and paged, export them as CSV and read them
//! through the API.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    purchases_host_cancellations_and_erasures_are_in_the_trail,
    only_network_admins_read_the_trail_filtered_and_paged,
    prices_plans_roles_rules_and_seats_are_recorded_with_what_changed,
);

async fn trail(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.get_json_with(token, &format!("/api/v1/audit{query}"))
        .await
}

fn actions(page: &Value) -> Vec<&str> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

async fn purchases_host_cancellations_and_erasures_are_in_the_trail(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    // An organisation admin buys seats.
    let plan = network_plan();
    app.store.insert_plan(&plan).await.unwrap();
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, v) = app
        .post_json(
            &format!("/api/v1/organisations/{}/seats", app.f.org.id),
            Some(&org_admin),
            &json!({ "plan_id": plan.id, "count": 2, "start_date": "2026-12-01" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A host cancels a member's booking.
    seat_of(&app.f.member).hours(4).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let (_, b) = app
        .book_room(
            &member,
            "2026-11-24T09:00:00+01:00",
            "2026-11-24T10:00:00+01:00",
            "Möte",
        )
        .await;
    let booking = b["id"].as_str().unwrap().to_string();
    let host = app.token_for(&app.f.host).await;
    let (s, v) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/bookings/{booking}"),
            Some(&host),
            &json!({"reason": "Vattenläcka"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A member cancelling their own booking is not an administrative action.
    let (_, own) = app
        .book_room(
            &member,
            "2026-11-25T09:00:00+01:00",
            "2026-11-25T10:00:00+01:00",
            "Eget",
        )
        .await;
    let (s, _) = app
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/bookings/{}", own["id"].as_str().unwrap()),
            Some(&member),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let (s, page) = trail(&app, &admin, "").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(
        actions(&page),
        ["booking.cancelled_by_host", "seats.bought"]
    );
    let cancelled = &page["entries"][0];
    assert_eq!(cancelled["actor_id"], json!(app.f.host.id));
    assert_eq!(cancelled["actor_name"], "Hugo Testsson");
    assert_eq!(cancelled["object_id"], json!(booking));
    let bought = &page["entries"][1];
    assert_eq!(bought["actor_id"], json!(app.f.org_admin.id));
    assert_eq!(bought["object_kind"], "organisation");
    assert_eq!(bought["details"]["count"], 2);
    assert_eq!(
        bought["details"]["monthly_price_ore"],
        plan.monthly_price_ore
    );

    // The member erases themselves: the trail says so, and names nobody.
    let (s, v) = app
        .post_json(
            "/api/v1/me/erase",
            Some(&member),
            &json!({ "confirm": app.f.member.email.as_str() }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, page) = trail(&app, &admin, "?object_kind=person").await;
    assert_eq!(actions(&page), ["person.erased"]);
    let erased = &page["entries"][0];
    assert_eq!(erased["object_id"], json!(app.f.member.id));
    assert!(!erased.to_string().contains("Maja"), "{erased}");
}

async fn only_network_admins_read_the_trail_filtered_and_paged(app: TestApp) {
    let plan = network_plan();
    app.store.insert_plan(&plan).await.unwrap();
    let org_admin = app.token_for(&app.f.org_admin).await;
    for n in 1..=3 {
        let (s, v) = app
            .post_json(
                &format!("/api/v1/organisations/{}/seats", app.f.org.id),
                Some(&org_admin),
                &json!({ "plan_id": plan.id, "count": n, "start_date": "2026-12-01" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    // Who may read it.
    let (s, v) = app.get_json("/api/v1/audit").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let (s, v) = trail(&app, &org_admin, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let admin = app.token_for(&app.f.admin).await;

    // Pages of two, then one, then none.
    let (s, first) = trail(&app, &admin, "?limit=2").await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["entries"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let (_, second) = trail(&app, &admin, &format!("?limit=2&before={next}")).await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 1);
    assert!(second["next"].is_null());
    let counts: Vec<i64> = [&first, &second]
        .iter()
        .flat_map(|p| p["entries"].as_array().unwrap().clone())
        .map(|e| e["details"]["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [3, 2, 1], "newest first, each once");

    // Filters.
    let by = |q: String| {
        let (app, admin) = (&app, &admin);
        async move {
            trail(app, admin, &q).await.1["entries"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(by(format!("?person_id={}", app.f.org_admin.id)).await, 3);
    assert_eq!(by(format!("?person_id={}", app.f.host.id)).await, 0);
    assert_eq!(by(format!("?object_id={}", app.f.org.id)).await, 3);
    assert_eq!(by("?object_kind=room".into()).await, 0);
    assert_eq!(by("?from=2026-11-23&to=2026-11-23".into()).await, 3);
    assert_eq!(by("?to=2026-11-22".into()).await, 0);
    for bad in ["?person_id=nobody", "?from=23/11", "?limit=0", "?before=x"] {
        let (s, v) = trail(&app, &admin, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }

    // The page and the export, for network admins only.
    let admin_client = app.signed_in(&app.f.admin).await;
    let (s, text) = app.page(&admin_client, "/admin/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        text.contains("Köpte medlemskap") && text.contains("Olga Testsson"),
        "{text}"
    );
    let (s, text) = app
        .page(&admin_client, "/admin/audit?object_kind=room")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!text.contains("Köpte medlemskap"), "{text}");
    // The page offers an older page only when there is one: three entries
    // in pages of two, then in pages of three (no empty page after it).
    let html = app.html(&admin_client, "/admin/audit?limit=2").await;
    assert!(html.contains("before="), "{html}");
    let html = app.html(&admin_client, "/admin/audit?limit=3").await;
    assert!(!html.contains("before="), "{html}");
    let r = admin_client
        .get(app.url("/admin/audit.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let rows = page_csv(r).await;
    assert_eq!(rows.len(), 4, "a header and every entry: {rows:?}");
    assert_eq!(
        rows[0],
        [
            "Tid",
            "Person (id)",
            "Vem",
            "Händelse",
            "Typ av objekt",
            "Objekt (id)",
            "Objekt",
            "Ändringar"
        ]
    );
    // Actions and kinds as words, never as lookup keys.
    assert!(
        rows[1..]
            .iter()
            .all(|r| !r[3].starts_with("audit.") && !r[4].starts_with("audit.")),
        "{rows:?}"
    );
    let org_client = app.signed_in(&app.f.org_admin).await;
    let (s, _) = app.page(&org_client, "/admin/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = org_client
        .get(app.url("/admin/audit.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn prices_plans_roles_rules_and_seats_are_recorded_with_what_changed(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    // A room's price, changed on its form by a host (pages).
    let host = app.signed_in(&app.f.host).await;
    let r = app
        .post_form(
            &host,
            &format!("/admin/rooms/{}", app.f.room.id),
            &[
                ("name", "Sjöutsikten"),
                ("kind", "meeting"),
                ("capacity", "8"),
                ("hourly_price_sek", "350"),
                ("vat_rate_percent", "25"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A plan, created and repriced through the API.
    let plan = json!({
        "name": "Hubbkort", "scope": "network", "monthly_price_ore": 40_000,
        "validity": "monthly_rolling", "selling_operator_id": app.f.operator.id
    });
    let (s, created) = app.post_json("/api/v1/plans", Some(&admin), &plan).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let mut repriced = plan.clone();
    repriced["monthly_price_ore"] = json!(45_000);
    let (s, v) = app
        .put_json(&format!("/api/v1/plans/{id}"), Some(&admin), &repriced)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A hub's booking rules.
    let host_token = app.token_for(&app.f.host).await;
    let (s, v) = app
        .put_json(
            &format!("/api/v1/hubs/{}/booking-rules", app.f.hub.id),
            Some(&host_token),
            &json!({"cancel_notice_hours": 48, "max_length_hours": 10, "max_days_ahead": 180, "non_members_may_book": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A seat given to a member.
    let seat = seat_of(&app.f.org_admin).give(&app).await;
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, v) = app
        .put_json(
            &format!("/api/v1/seats/{}/holder", seat.id),
            Some(&org_admin),
            &json!({ "person_id": app.f.member.id }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (_, page) = trail(&app, &admin, "").await;
    assert_eq!(
        actions(&page),
        [
            "seat.assigned",
            "hub.booking_rules_changed",
            "plan.updated",
            "plan.created",
            "room.updated"
        ]
    );
    let e = &page["entries"];
    assert_eq!(
        e[0]["details"]["holder_id"],
        json!([app.f.org_admin.id, app.f.member.id])
    );
    assert_eq!(
        e[1]["details"]["cancel_notice_minutes"],
        json!([1440, 2880])
    );
    assert_eq!(
        e[1]["details"]["non_members_may_book"],
        json!([true, false])
    );
    assert_eq!(
        e[2]["details"],
        json!({ "monthly_price_ore": [40000, 45000] })
    );
    assert_eq!(e[3]["details"]["monthly_price_ore"], json!([null, 40000]));
    assert_eq!(e[4]["actor_id"], json!(app.f.host.id));
    assert_eq!(e[4]["details"]["hourly_price_ore"], json!([30000, 35000]));
}
