//! Pilots and their evaluation, on SQLite and on PostgreSQL: network
//! admins write pilots through the API and the pages; the evaluation
//! counts the hub's own card at its hub only, the visits of the period,
//! and judges each goal per hub and for the pilot; hosts read their hubs'
//! pilots, others see nothing; bad pilots and periods get a message.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use thirdplace_domain::membership::PlanScope;

on_both_backends!(
    a_pilot_is_evaluated_per_hub_and_for_the_whole_pilot,
    only_network_admins_write_pilots_and_hosts_read_their_hubs,
    bad_pilots_and_periods_are_refused_with_a_message,
    the_pilot_pages_create_edit_and_show_verdicts,
    the_tables_download_as_csv_and_xlsx,
);

fn pilot_body(app: &TestApp) -> Value {
    json!({
        "name": "Kalmarpiloten",
        "description": "Landsbygdshubbar",
        "region_id": app.f.region.id,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "hub_ids": [app.f.hub.id, app.f.other_hub.id],
        "goals": [
            {"indicator": "people_with_access", "target": 1},
            {"indicator": "visits", "target": 2, "scope": "pilot"},
            {"indicator": "manual", "label": "Lokala företag som stödjer", "target": 3,
             "direction": "at_most", "scope": "pilot", "manual_value": 2}
        ]
    })
}

async fn create(app: &TestApp, admin: &str) -> Value {
    let (s, v) = app
        .post_json("/api/v1/pilots", Some(admin), &pilot_body(app))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// The member gets the fixture hub's own card and visits it `n` times.
async fn member_of_the_hub_visits(app: &TestApp, n: usize) {
    seat_of(&app.f.member)
        .scope(PlanScope::Hub(app.f.hub.id))
        .give(app)
        .await;
    let member = app.token_for(&app.f.member).await;
    for _ in 0..n {
        app.visit(&member).await;
    }
}

fn verdicts(goal: &Value) -> Vec<&str> {
    goal["hubs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["verdict"].as_str().unwrap())
        .collect()
}

async fn a_pilot_is_evaluated_per_hub_and_for_the_whole_pilot(app: TestApp) {
    // The member's card is the first hub's own; they visit it twice.
    member_of_the_hub_visits(&app, 2).await;
    let admin = app.token_for(&app.f.admin).await;
    let pilot = create(&app, &admin).await;
    let id = pilot["id"].as_str().unwrap();
    assert_eq!(pilot["goals"].as_array().unwrap().len(), 3);
    assert_eq!(pilot["critical_mass_people"], 5);

    let (s, e) = app
        .get_json_with(&admin, &format!("/api/v1/pilots/{id}/evaluation"))
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(
        (e["from"].as_str(), e["to"].as_str()),
        (Some("2026-01-01"), Some("2026-12-31"))
    );
    let hubs = e["hubs"].as_array().unwrap();
    assert_eq!(hubs[0]["name"], app.f.hub.name.as_str());
    assert_eq!(hubs[0]["measures"]["people_with_access"], 1);
    assert_eq!(
        hubs[1]["measures"]["people_with_access"], 0,
        "a hub card reaches its hub only"
    );
    assert_eq!(hubs[0]["measures"]["visits"], 2);
    assert_eq!(hubs[0]["measures"]["unique_visitors"], 1);
    assert_eq!(hubs[0]["measures"]["new_members"], 1);
    assert_eq!(e["pilot"]["visits"], 2);
    let goals = e["goals"].as_array().unwrap();
    // The year runs: access and the hand-entered value are judged at its
    // end; two visits already meet "at least 2".
    assert_eq!(verdicts(&goals[0]), ["too_early", "too_early"]);
    assert_eq!(goals[0]["verdict"], "too_early");
    assert_eq!(
        (goals[1]["value"].as_i64(), goals[1]["verdict"].as_str()),
        (Some(2), Some("met"))
    );
    assert_eq!(
        (goals[2]["value"].as_i64(), goals[2]["verdict"].as_str()),
        (Some(2), Some("too_early"))
    );
    let months = e["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[10]["measures"]["visits"], 2, "November");
    assert_eq!(months[9]["measures"]["visits"], 0);

    // A period that has ended: access is decided, per hub and for the pilot.
    let (s, e) = app
        .get_json_with(
            &admin,
            &format!("/api/v1/pilots/{id}/evaluation?from=2026-01-01&to=2026-11-22"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let goals = e["goals"].as_array().unwrap();
    assert_eq!(verdicts(&goals[0]), ["met", "not_met"]);
    assert_eq!(goals[0]["verdict"], "not_met");
    assert_eq!(goals[1]["verdict"], "not_met", "no visits before the 23rd");
}

async fn only_network_admins_write_pilots_and_hosts_read_their_hubs(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let pilot = create(&app, &admin).await;
    let id = pilot["id"].as_str().unwrap();
    let path = format!("/api/v1/pilots/{id}");

    let host = app.token_for(&app.f.host).await;
    let (s, v) = app.get_json_with(&host, "/api/v1/pilots").await;
    assert_eq!((s, v.as_array().unwrap().len()), (StatusCode::OK, 1), "{v}");
    let (s, _) = app
        .get_json_with(&host, &format!("{path}/evaluation"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app.put_json(&path, Some(&host), &pilot_body(&app)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    let member = app.token_for(&app.f.member).await;
    let (s, v) = app.get_json_with(&member, "/api/v1/pilots").await;
    assert_eq!((s, v), (StatusCode::OK, json!([])));
    let (s, _) = app.get_json_with(&member, &path).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get_json_with(&member, &format!("{path}/evaluation"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post_json("/api/v1/pilots", Some(&member), &pilot_body(&app))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get_json("/api/v1/pilots").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The admin changes it: one hub, no goals; the change is audited.
    let mut body = pilot_body(&app);
    body["hub_ids"] = json!([app.f.other_hub.id]);
    body["goals"] = json!([]);
    let (s, v) = app.put_json(&path, Some(&admin), &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = app.get_json_with(&admin, &path).await;
    assert_eq!(v["hub_ids"], json!([app.f.other_hub.id]));
    let log = app
        .store
        .list_audit(&thirdplace_store::AuditFilter {
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"pilot.created") && actions.contains(&"pilot.updated"),
        "{actions:?}"
    );
    let (s, _) = app
        .put_json(
            &format!("/api/v1/pilots/{}", thirdplace_domain::new_id()),
            Some(&admin),
            &body,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn bad_pilots_and_periods_are_refused_with_a_message(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let mut body = pilot_body(&app);
    body["name"] = json!(" ");
    body["ends_on"] = json!("2025-12-31");
    body["hub_ids"] = json!([]);
    body["goals"] = json!([{"indicator": "retention_3_months", "target": 140}]);
    let (s, v) = app.post_json("/api/v1/pilots", Some(&admin), &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields = field_names(&v);
    for f in ["name", "ends_on", "hub_ids", "goals[0].target"] {
        assert!(fields.contains(&f), "{f} in {fields:?}: {v}");
    }
    // A hub or region that is not there is the body's problem.
    let mut body = pilot_body(&app);
    body["hub_ids"] = json!([thirdplace_domain::new_id()]);
    let (s, v) = app.post_json("/api/v1/pilots", Some(&admin), &body).await;
    assert_eq!(
        (s, field_names(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["hub_ids"]),
        "{v}"
    );
    let mut body = pilot_body(&app);
    body["goals"] = json!([{"indicator": "happiness", "target": 1}]);
    let (s, v) = app.post_json("/api/v1/pilots", Some(&admin), &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        app.store.list_pilots().await.unwrap().is_empty(),
        "nothing was written"
    );

    let pilot = create(&app, &admin).await;
    let id = pilot["id"].as_str().unwrap();
    for (q, field) in [
        ("from=2026-05-01&to=2026-04-01", "to"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
    ] {
        let (s, v) = app
            .get_json_with(&admin, &format!("/api/v1/pilots/{id}/evaluation?{q}"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        assert_eq!(field_names(&v), vec![field], "{q}: {v}");
    }
    let (s, _) = app
        .get_json_with(&admin, "/api/v1/pilots/not-an-id/evaluation")
        .await;
    assert!(
        s == StatusCode::NOT_FOUND || s == StatusCode::BAD_REQUEST,
        "{s}"
    );
}

async fn the_pilot_pages_create_edit_and_show_verdicts(app: TestApp) {
    member_of_the_hub_visits(&app, 1).await;
    let admin = app.signed_in(&app.f.admin).await;
    let (s, list) = app.page(&admin, "/admin/pilots").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains("Det finns inga piloter ännu."), "{list}");
    let (s, _) = app.page(&admin, "/admin/pilots/new").await;
    assert_eq!(s, StatusCode::OK);

    let region = app.f.region.id.to_string();
    let hub = app.f.hub.id.to_string();
    // Mistakes come back with the fields kept and a message at each.
    let r = app
        .post_form(
            &admin,
            "/admin/pilots/new",
            &[
                ("name", "Kalmarpiloten"),
                ("region_id", &region),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2025-01-01"),
                ("goals[0].indicator", "people_with_access"),
                ("goals[0].target", "tjugo"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = page_text(r).await;
    for msg in [
        "Slutdatumet får inte vara före startdatumet.",
        "Välj minst en hubb.",
        "Mål 1: Målvärde",
    ] {
        if !text.contains(msg) {
            std::fs::write("/tmp/pilot-form.html", &text).unwrap();
        }
        assert!(text.contains(msg), "{msg} in /tmp/pilot-form.html");
    }
    assert!(text.contains("Kalmarpiloten"));

    let r = app
        .post_form(
            &admin,
            "/admin/pilots/new",
            &[
                ("name", "Kalmarpiloten"),
                ("region_id", &region),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2026-11-22"),
                ("hub_ids", &hub),
                ("critical_mass_people", "1"),
                // A blank row between two goals is skipped.
                ("goals[0].indicator", "people_with_access"),
                ("goals[0].target", "20"),
                ("goals[0].direction", "at_least"),
                ("goals[0].scope", "each_hub"),
                ("goals[2].indicator", "hubs_in_central_town"),
                ("goals[2].target", "0"),
                ("goals[2].direction", "at_most"),
                ("goals[2].scope", "pilot"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    let pilots = app.store.list_pilots().await.unwrap();
    assert_eq!(pilots.len(), 1);
    assert_eq!(pilots[0].goals.len(), 2);
    assert!(
        to.starts_with(&format!("/admin/pilots/{}", pilots[0].id)),
        "{to}"
    );
    let (s, show) = app.page(&admin, &to).await;
    assert!(
        show.contains("Sparat") || show.contains("sparat"),
        "the save is confirmed"
    );
    let to = to.split('?').next().unwrap().to_string();
    assert_eq!(s, StatusCode::OK);
    // The period ended yesterday: 1 person with access of 20 is not met;
    // no hub stands in a central town.
    for text in [
        "Kalmarpiloten",
        app.f.hub.name.as_str(),
        "Personer med tillgång: minst 20",
        "Inte uppnått",
        "Uppnått",
        "Hubbar i centralorten: högst 0",
    ] {
        assert!(show.contains(text), "{text} in {show}");
    }
    // Another period: today is in it, so access is too early to judge.
    let (s, show) = app
        .page(&admin, &format!("{to}?from=2026-11-01&to=2026-11-30"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(show.contains("För tidigt"), "{show}");
    let (s, show) = app
        .page(&admin, &format!("{to}?from=2026-11-30&to=2026-11-01"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        show.contains("Slutdatumet får inte vara före startdatumet."),
        "{show}"
    );

    let edit = format!("/admin/pilots/{}/edit", pilots[0].id);
    let (s, form) = app.page(&admin, &edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("Kalmarpiloten"));
    let r = app
        .post_form(
            &admin,
            &edit,
            &[
                ("name", "Kalmarpiloten 2"),
                ("region_id", &region),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2026-11-22"),
                ("hub_ids", &hub),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p = app.store.get_pilot(pilots[0].id).await.unwrap();
    assert_eq!((p.name.as_str(), p.goals.len()), ("Kalmarpiloten 2", 0));

    // The host of the hub reads it; a member may not.
    let host = app.signed_in(&app.f.host).await;
    let (s, list) = app.page(&host, "/admin/pilots").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list.contains("Kalmarpiloten 2") && !list.contains("Ny pilot"),
        "{list}"
    );
    let (s, _) = app.page(&host, &edit).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let member = app.signed_in(&app.f.member).await;
    let (s, _) = app.page(&member, "/admin/pilots").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn the_tables_download_as_csv_and_xlsx(app: TestApp) {
    member_of_the_hub_visits(&app, 1).await;
    let admin = app.token_for(&app.f.admin).await;
    let pilot = create(&app, &admin).await;
    let id = pilot["id"].as_str().unwrap();
    let client = app.signed_in(&app.f.admin).await;
    let get = |file: &str| {
        let url = app.url(&format!(
            "/admin/pilots/{id}/{file}?from=2026-11-01&to=2026-11-30"
        ));
        client.get(url).send()
    };
    let rows = page_csv(get("indicators.csv").await.unwrap()).await;
    assert_eq!(rows[0][0], "Mätvärde");
    assert_eq!(rows[0][1], app.f.hub.name);
    assert_eq!(rows[0].last().unwrap(), "Hela piloten");
    let visits = rows.iter().find(|r| r[0] == "Besök").unwrap();
    assert_eq!(visits[1..], ["1", "0", "1"]);
    let months = page_csv(get("months.csv").await.unwrap()).await;
    assert_eq!(months.len(), 2, "a heading and November: {months:?}");
    assert_eq!(months[1][..2], ["2026-11-01", "1"]);
    let r = get("indicators.xlsx").await.unwrap();
    let bytes = xlsx_bytes(r, "indicators-2026-11-01-2026-11-30.xlsx").await;
    if let Some(book) = read_xlsx(&bytes) {
        let rows = book["rows"].as_array().unwrap();
        let visits = rows.iter().find(|r| r[0]["v"] == "Besök").unwrap();
        assert_eq!(
            (visits[1]["v"].as_i64(), visits[1]["t"].as_str()),
            (Some(1), Some("int"))
        );
    }
    assert_eq!(
        get("other.csv").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let member = app.signed_in(&app.f.member).await;
    let r = member
        .get(app.url(&format!("/admin/pilots/{id}/indicators.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
