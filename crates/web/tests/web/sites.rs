//! `POST /api/v1/sites/suggest` over HTTP, on SQLite and on PostgreSQL
//! (the existing hubs come from the database).

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    network_admins_get_proven_suggestions_outside_central_towns,
    bad_site_questions_are_explained_by_field,
);

async fn network_admins_get_proven_suggestions_outside_central_towns(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let body = json!({ "county": "Kalmar län", "radius_km": 15, "count": 3 });
    let member = app.token_for(&app.f.member).await;
    let (s, _) = app
        .post_json("/api/v1/sites/suggest", Some(&member), &body)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post_json("/api/v1/sites/suggest", Some(&admin), &body)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3, "{v}");
    assert_eq!(v["optimal"], true);
    assert_eq!(v["existing_hubs"], 2);
    assert!(v["attribution"].as_str().unwrap().contains("GeoNames"));
    let total = v["total"].as_f64().unwrap();
    let before = v["covered_before"].as_f64().unwrap();
    let after = v["covered_after"].as_f64().unwrap();
    let added: f64 = sites
        .iter()
        .map(|s| s["people_added"].as_f64().unwrap())
        .sum();
    // The fixture hubs stand in Figeholm: some people are already in reach.
    assert!(before > 0.0 && before < after && after <= total, "{v}");
    assert!((before + added - after).abs() < 1e-6, "{v}");
    let central: Vec<&str> = thirdplace_sites::sweden()
        .iter()
        .filter(|l| l.county == "Kalmar län" && l.is_central_town)
        .map(|l| l.name.as_str())
        .collect();
    for s in sites {
        assert!(!central.contains(&s["name"].as_str().unwrap()), "{s}");
    }

    // Ignoring the hubs, nothing is covered before.
    let (_, v) = app
        .post_json(
            "/api/v1/sites/suggest",
            Some(&admin),
            &json!({ "county": "Kalmar län", "radius_km": 15, "count": 3, "ignore_hubs": true }),
        )
        .await;
    assert_eq!(v["covered_before"], 0.0);

    // The fewest sites for a share.
    let (s, v) = app
        .post_json(
            "/api/v1/sites/suggest",
            Some(&admin),
            &json!({ "county": "Kalmar län", "radius_km": 15, "target_share": 0.5 }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["covered_after"].as_f64().unwrap() >= 0.5 * v["total"].as_f64().unwrap());
    assert_eq!(v["optimal"], true);
}

async fn bad_site_questions_are_explained_by_field(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    for (body, field) in [
        (
            json!({ "county": "Atlantis län", "radius_km": 15, "count": 3 }),
            "county",
        ),
        (
            json!({ "county": "Kalmar län", "radius_km": 0, "count": 3 }),
            "radius_km",
        ),
        (
            json!({ "county": "Kalmar län", "radius_km": 10000, "count": 3 }),
            "radius_km",
        ),
        (
            json!({ "county": "Kalmar län", "radius_km": 15, "detour_factor": 9, "count": 3 }),
            "detour_factor",
        ),
        (json!({ "county": "Kalmar län", "radius_km": 15 }), "count"),
        (
            json!({ "county": "Kalmar län", "radius_km": 15, "count": 2, "target_share": 0.5 }),
            "count",
        ),
        (
            json!({ "county": "Kalmar län", "radius_km": 15, "count": 100000 }),
            "count",
        ),
        (
            json!({ "county": "Kalmar län", "radius_km": 15, "target_share": 1.5 }),
            "target_share",
        ),
    ] {
        let (s, v) = app
            .post_json("/api/v1/sites/suggest", Some(&admin), &body)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {v}");
        assert_eq!(v["error"]["fields"][0]["field"], field, "{body} → {v}");
        assert!(!v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    let (s, v) = app
        .post_json(
            "/api/v1/sites/suggest",
            Some(&admin),
            &json!({ "county": "Kalmar län", "radius_km": "far", "count": 3 }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}
