//! The JSON API over a real socket, on SQLite and on PostgreSQL: every
//! route, each kind of bad input, and each role boundary.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    health_and_readiness_answer,
    public_reads_need_no_token_and_return_the_documented_fields,
    unknown_and_malformed_ids_are_not_found_in_the_error_shape,
    the_openapi_document_describes_the_real_routes,
    writes_need_a_token_and_the_right_role,
    hosts_change_only_their_own_hubs,
    every_resource_can_be_created_and_updated,
    bad_input_gets_a_clear_4xx_and_writes_nothing,
    people_are_visible_only_to_those_entitled,
    organisation_admins_cannot_grant_roles_they_do_not_hold,
    oversized_bodies_are_refused,
    archived_hubs_leave_the_public_list,
);

async fn health_and_readiness_answer(app: TestApp) {
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-request-id"));
}

async fn public_reads_need_no_token_and_return_the_documented_fields(app: TestApp) {
    let (s, hubs) = app.get_json("/api/v1/hubs").await;
    assert_eq!(s, StatusCode::OK);
    let hubs = hubs.as_array().unwrap();
    assert_eq!(hubs.len(), 2);
    let h = hubs.iter().find(|h| h["name"] == "Figeholms hubb").unwrap();
    assert_eq!(h["id"], app.f.hub.id.to_string());
    assert_eq!(h["municipality"], "Oskarshamns kommun");
    assert_eq!(h["region"], "Region Kalmar län");
    assert_eq!(h["latitude"], 57.375);
    assert_eq!(h["longitude"], 16.5583);
    assert_eq!(h["in_central_town"], false);
    assert_eq!(h["opening_hours"]["monday"][0]["open"], "08:00");
    assert_eq!(h["time_zone"], "Europe/Stockholm");
    let other = hubs
        .iter()
        .find(|h| h["name"] == "Oskarshamns stadshubb")
        .unwrap();
    assert_eq!(other["in_central_town"], true);

    let (s, one) = app
        .get_json(&format!("/api/v1/hubs/{}", app.f.hub.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&one, h);

    let (s, rooms) = app
        .get_json(&format!("/api/v1/hubs/{}/rooms", app.f.hub.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        rooms[0],
        json!({"id": app.f.room.id, "hub_id": app.f.hub.id, "name": "Sjöutsikten", "kind": "meeting", "capacity": 8,
               "hourly_price_ore": 30000, "vat_rate_percent": 25, "archived": false})
    );
    let (s, zones) = app
        .get_json(&format!("/api/v1/hubs/{}/zones", app.f.hub.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(zones[0]["name"], "Gläntan");
    assert_eq!(zones[0]["capacity"], 6);
    for path in [
        "/api/v1/regions",
        "/api/v1/municipalities",
        "/api/v1/operators",
        "/api/v1/organisations",
    ] {
        let (s, v) = app.get_json(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!v.as_array().unwrap().is_empty(), "{path}");
    }
    let (_, m) = app
        .get_json(&format!("/api/v1/municipalities/{}", app.f.municipality.id))
        .await;
    assert_eq!(m["central_town"], "Oskarshamn");
}

async fn unknown_and_malformed_ids_are_not_found_in_the_error_shape(app: TestApp) {
    for path in [
        format!("/api/v1/hubs/{}", thirdplace_domain::new_id()),
        "/api/v1/hubs/not-a-uuid".to_string(),
        format!("/api/v1/hubs/{}/rooms", thirdplace_domain::new_id()),
        format!("/api/v1/rooms/{}", thirdplace_domain::new_id()),
        "/api/v1/no-such-thing".to_string(),
    ] {
        let (s, v) = app.get_json(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(&v), "not_found");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
}

async fn the_openapi_document_describes_the_real_routes(app: TestApp) {
    let (s, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/hubs",
        "/api/v1/hubs/{id}",
        "/api/v1/hubs/{id}/rooms",
        "/api/v1/hubs/{id}/zones",
        "/api/v1/regions",
        "/api/v1/people/{id}",
        "/api/v1/organisations",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    assert!(paths["/api/v1/hubs"]["post"]["security"].is_array());
    // Every documented GET path without parameters really answers: public
    // ones with 200, those that declare a token with 401 without one.
    for (p, ops) in paths {
        let Some(get) = ops.get("get") else { continue };
        if p.contains('{') {
            continue;
        }
        let expected = if get.get("security").is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        assert_eq!(app.get(p).await.status(), expected, "{p}");
    }
}

async fn writes_need_a_token_and_the_right_role(app: TestApp) {
    let body = json!({"name": "Region Jämtland Härjedalen", "code": "23"});
    let (s, v) = app.post_json("/api/v1/regions", None, &body).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&v), "unauthorized");
    let (s, v) = app
        .post_json("/api/v1/regions", Some("tp_wrong"), &body)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let r = app
        .client
        .post(app.url("/api/v1/regions"))
        .header("authorization", "Basic abc")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let member = app.token_for(&app.f.member).await;
    let (s, v) = app.post_json("/api/v1/regions", Some(&member), &body).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&v), "forbidden");
    let host = app.token_for(&app.f.host).await;
    assert_eq!(
        app.post_json("/api/v1/hubs", Some(&host), &hub_body(&app.f, "X"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let admin = app.token_for(&app.f.admin).await;
    let (s, v) = app.post_json("/api/v1/regions", Some(&admin), &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A browser session is not enough for API writes (no cross-site writes).
    let browser = app.signed_in(&app.f.admin).await;
    let r = browser
        .post(app.url("/api/v1/regions"))
        .json(&json!({"name": "R", "code": "24"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A revoked token stops working.
    let me = app
        .store
        .find_person_by_email("admin@test.example")
        .await
        .unwrap()
        .unwrap();
    let t = app.store.list_api_tokens(me.id).await.unwrap()[0].id;
    app.store
        .revoke_api_token(me.id, t, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        app.post_json(
            "/api/v1/regions",
            Some(&admin),
            &json!({"name": "R", "code": "25"})
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn hosts_change_only_their_own_hubs(app: TestApp) {
    let host = app.token_for(&app.f.host).await;
    let (s, v) = app
        .put_json(
            &format!("/api/v1/hubs/{}", app.f.hub.id),
            Some(&host),
            &hub_body(&app.f, "Figeholms nya hubb"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "Figeholms nya hubb");
    assert_eq!(v["opening_hours"]["exceptions"][0]["note"], "Julafton");
    let (s, _) = app
        .put_json(
            &format!("/api/v1/hubs/{}", app.f.other_hub.id),
            Some(&host),
            &hub_body(&app.f, "Nope"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post_json(&format!("/api/v1/hubs/{}/rooms", app.f.hub.id), Some(&host), &json!({"name": "Båthuset", "kind": "conference", "capacity": 12, "hourly_price_ore": 60000})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post_json(
            &format!("/api/v1/hubs/{}/zones", app.f.other_hub.id),
            Some(&host),
            &json!({"name": "Cirkeln", "capacity": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .put_json(
            &format!("/api/v1/zones/{}", app.f.zone.id),
            Some(&host),
            &json!({"name": "Gläntan", "purpose": "Tyst arbete", "capacity": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, _) = app
        .put_json(
            &format!("/api/v1/rooms/{}", app.f.room.id),
            Some(&org_admin),
            &json!({"name": "X", "kind": "meeting", "capacity": 1, "hourly_price_ore": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn every_resource_can_be_created_and_updated(app: TestApp) {
    let t = app.token_for(&app.f.admin).await;
    let t = Some(t.as_str());
    let (s, region) = app
        .post_json(
            "/api/v1/regions",
            t,
            &json!({"name": "Region Jämtland Härjedalen", "code": "23"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let rid = region["id"].as_str().unwrap();
    let (s, v) = app
        .put_json(
            &format!("/api/v1/regions/{rid}"),
            t,
            &json!({"name": "Region Jämtland Härjedalen", "code": "23", "archived": true}),
        )
        .await;
    assert_eq!((s, &v["archived"]), (StatusCode::OK, &json!(true)));
    let (s, m) = app.post_json("/api/v1/municipalities", t, &json!({"region_id": rid, "name": "Östersunds kommun", "code": "2380", "central_town": "Östersund"})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap();
    let (s, _) = app.put_json(&format!("/api/v1/municipalities/{mid}"), t, &json!({"region_id": rid, "name": "Östersunds kommun", "code": "2380", "central_town": "Östersund C"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, o) = app
        .post_json(
            "/api/v1/operators",
            t,
            &json!({"name": "Offentlig Coworking", "org_number": "769641-2837"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let oid = o["id"].as_str().unwrap();
    let (s, _) = app.put_json(&format!("/api/v1/operators/{oid}"), t, &json!({"name": "Offentlig Coworking ek. för.", "contact_email": "hej@coworking.example"})).await;
    assert_eq!(s, StatusCode::OK);
    let mut body = hub_body(&app.f, "Arenan Östersund");
    body["municipality_id"] = json!(mid);
    body["operator_id"] = json!(oid);
    body["in_central_town"] = json!(true);
    let (s, hub) = app.post_json("/api/v1/hubs", t, &body).await;
    assert_eq!(s, StatusCode::CREATED, "{hub}");
    assert_eq!(hub["municipality"], "Östersunds kommun");
    assert_eq!(hub["central_town"], "Östersund C");
    let hid = hub["id"].as_str().unwrap();
    let (s, z) = app
        .post_json(
            &format!("/api/v1/hubs/{hid}/zones"),
            t,
            &json!({"name": "Oasen", "purpose": "En kort meditation", "capacity": 4}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .get_json(&format!("/api/v1/zones/{}", z["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, room) = app.post_json(&format!("/api/v1/hubs/{hid}/rooms"), t, &json!({"name": "Storsjön", "kind": "conference", "capacity": 20, "hourly_price_ore": 90050, "vat_rate_percent": 25})).await;
    assert_eq!(s, StatusCode::CREATED, "{room}");
    assert_eq!(room["hourly_price_ore"], 90050);
    let (s, room) = app.put_json(&format!("/api/v1/rooms/{}", room["id"].as_str().unwrap()), t, &json!({"name": "Storsjön", "kind": "event_space", "capacity": 40, "hourly_price_ore": 150000})).await;
    assert_eq!((s, &room["kind"]), (StatusCode::OK, &json!("event_space")));
    let (s, org) = app.post_json("/api/v1/organisations", t, &json!({"name": "Trafikverket", "org_number": "2021006297", "kind": "government_agency"})).await;
    assert_eq!(s, StatusCode::CREATED, "{org}");
    assert_eq!(org["org_number"], "202100-6297");
    let org_id = org["id"].as_str().unwrap();
    let (s, _) = app.put_json(&format!("/api/v1/organisations/{org_id}"), t, &json!({"name": "Trafikverket", "org_number": "202100-6297", "kind": "government_agency", "archived": false})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = app.post_json("/api/v1/people", t, &json!({"first_name": "Tove", "last_name": "Berg", "email": "Tove.Berg@trafikverket.example", "organisation_id": org_id, "admin_of_organisation_ids": [org_id]})).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["email"], "tove.berg@trafikverket.example");
    let pid = p["id"].as_str().unwrap();
    let (s, p) = app.put_json(&format!("/api/v1/people/{pid}"), t, &json!({"first_name": "Tove", "last_name": "Berg", "email": "tove@trafikverket.example", "organisation_id": org_id, "hosted_hub_ids": [hid]})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["hosted_hub_ids"], json!([hid]));
    let (s, got) = app.get_json(&format!("/api/v1/people/{pid}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{got}");
}

async fn bad_input_gets_a_clear_4xx_and_writes_nothing(app: TestApp) {
    let token = app.token_for(&app.f.admin).await;
    let t = Some(token.as_str());
    let hubs_before = app.store.list_hubs().await.unwrap().len();
    let orgs_before = app.store.list_organisations().await.unwrap().len();

    let r = app.post_raw_json("/api/v1/hubs", &token, "{not json").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.json().await.unwrap()), "invalid_json");
    let r = app
        .client
        .post(app.url("/api/v1/regions"))
        .bearer_auth(&token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_code(&r.json().await.unwrap()),
        "unsupported_media_type"
    );

    let (s, v) = app
        .post_json("/api/v1/regions", t, &json!({"name": 5, "code": "01"}))
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        "{v}"
    );
    let (s, v) = app
        .post_json(
            "/api/v1/regions",
            t,
            &json!({"name": "R", "code": "01", "colour": "red"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("colour"),
        "{v}"
    );
    let (s, v) = app
        .post_json("/api/v1/regions", t, &json!({"name": "  ", "code": "1"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = field_names(&v);
    assert_eq!(fields, ["name", "code"]);
    let (s, v) = app
        .post_json(
            "/api/v1/regions",
            t,
            &json!({"name": "x".repeat(121), "code": "01"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("too_long"))
    );

    let (s, v) = app
        .post_json(
            "/api/v1/organisations",
            t,
            &json!({"name": "Fel AB", "org_number": "212000-0143", "kind": "company"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["field"], "org_number");
    assert_eq!(v["error"]["fields"][0]["code"], "org_number_checksum");
    let (s, v) = app
        .post_json(
            "/api/v1/organisations",
            t,
            &json!({"name": "Dubbel", "org_number": "202100-5448", "kind": "company"}),
        )
        .await;
    assert_eq!((s, error_code(&v)), (StatusCode::CONFLICT, "conflict"));
    assert_eq!(v["error"]["fields"][0]["field"], "org_number");

    let mut body = hub_body(&app.f, "Fel");
    body["latitude"] = json!(91.0);
    body["longitude"] = json!(-181.0);
    body["opening_hours"] = json!({"monday": [{"open": "17:00", "close": "08:00"}]});
    let (s, v) = app.post_json("/api/v1/hubs", t, &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields = field_names(&v);
    assert_eq!(fields, ["latitude", "longitude", "hours_monday"]);
    let mut body = hub_body(&app.f, "Fel");
    body["opening_hours"] = json!({"monday": [{"open": "25:00", "close": "26:00"}]});
    assert_eq!(
        app.post_json("/api/v1/hubs", t, &body).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut body = hub_body(&app.f, "Fel");
    body["municipality_id"] = json!(thirdplace_domain::new_id());
    let (s, v) = app.post_json("/api/v1/hubs", t, &body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["fields"][0]["field"], "municipality_id");
    let (s, v) = app.post_json(&format!("/api/v1/hubs/{}/rooms", app.f.hub.id), t, &json!({"name": "R", "kind": "ballroom", "capacity": 0, "hourly_price_ore": -5, "vat_rate_percent": 20})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = app.post_json(&format!("/api/v1/hubs/{}/rooms", app.f.hub.id), t, &json!({"name": "R", "kind": "ballroom", "capacity": 0, "hourly_price_ore": 100, "vat_rate_percent": 20})).await;
    let fields = field_names(&v);
    assert_eq!(
        (s, fields),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["kind", "capacity", "vat_rate_percent"]
        )
    );
    let (s, v) = app
        .post_json(
            "/api/v1/people",
            t,
            &json!({"first_name": "A", "last_name": "B", "email": "not-an-address"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    let (s, v) = app
        .post_json(
            "/api/v1/people",
            t,
            &json!({"first_name": "A", "last_name": "B", "email": "MEMBER@test.example"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["fields"][0]["field"].as_str()),
        (StatusCode::CONFLICT, Some("email"))
    );
    let (s, _) = app
        .put_json(
            &format!("/api/v1/regions/{}", thirdplace_domain::new_id()),
            t,
            &json!({"name": "R", "code": "01"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    assert_eq!(app.store.list_hubs().await.unwrap().len(), hubs_before);
    assert_eq!(
        app.store.list_organisations().await.unwrap().len(),
        orgs_before
    );
    assert_eq!(app.store.list_rooms(app.f.hub.id).await.unwrap().len(), 1);
}

async fn people_are_visible_only_to_those_entitled(app: TestApp) {
    let member = app.token_for(&app.f.member).await;
    let (s, me) = app.get_json_with(&member, "/api/v1/me").await;
    assert_eq!(
        (s, me["first_name"].as_str()),
        (StatusCode::OK, Some("Maja"))
    );
    assert_eq!(
        app.get_json_with(&member, "/api/v1/people").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_json_with(&member, &format!("/api/v1/people/{}", app.f.admin.id))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_json_with(&member, &format!("/api/v1/people/{}", app.f.member.id))
            .await
            .0,
        StatusCode::OK
    );
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, people) = app.get_json_with(&org_admin, "/api/v1/people").await;
    assert_eq!(s, StatusCode::OK);
    let mut names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["first_name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Maja", "Olga"]);
    let admin = app.token_for(&app.f.admin).await;
    assert_eq!(
        app.get_json_with(&admin, "/api/v1/people")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        app.get_json("/api/v1/people").await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn organisation_admins_cannot_grant_roles_they_do_not_hold(app: TestApp) {
    let t = app.token_for(&app.f.org_admin).await;
    let t = Some(t.as_str());
    let org = app.f.org.id;
    let (s, p) = app.post_json("/api/v1/people", t, &json!({"first_name": "Nils", "last_name": "Ny", "email": "nils@skv.example", "organisation_id": org})).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, _) = app.post_json("/api/v1/people", t, &json!({"first_name": "Eva", "last_name": "Ny", "email": "eva@skv.example", "organisation_id": org, "is_network_admin": true})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post_json("/api/v1/people", t, &json!({"first_name": "Eva", "last_name": "Ny", "email": "eva@skv.example", "organisation_id": app.f.other_org.id})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.put_json(&format!("/api/v1/people/{}", p["id"].as_str().unwrap()), t, &json!({"first_name": "Nils", "last_name": "Ny", "email": "nils@skv.example", "organisation_id": org, "hosted_hub_ids": [app.f.hub.id]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .put_json(
            &format!("/api/v1/organisations/{}", app.f.other_org.id),
            t,
            &json!({"name": "X", "org_number": "212000-0142", "kind": "municipality"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.put_json(&format!("/api/v1/organisations/{org}"), t, &json!({"name": "Skatteverket (Huvudkontoret)", "org_number": "202100-5448", "kind": "government_agency"})).await;
    assert_eq!(s, StatusCode::OK);
}

async fn oversized_bodies_are_refused(app: TestApp) {
    let t = app.token_for(&app.f.admin).await;
    let big = json!({"name": "x".repeat(200 * 1024), "code": "01"});
    let r = app
        .client
        .post(app.url("/api/v1/regions"))
        .bearer_auth(&t)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert!(
        r.status() == StatusCode::PAYLOAD_TOO_LARGE || r.status() == StatusCode::BAD_REQUEST,
        "{}",
        r.status()
    );
    assert_eq!(app.store.list_regions().await.unwrap().len(), 1);
}

async fn archived_hubs_leave_the_public_list(app: TestApp) {
    let t = app.token_for(&app.f.admin).await;
    let mut body = hub_body(&app.f, "Oskarshamns stadshubb");
    body["archived"] = json!(true);
    let (s, _) = app
        .put_json(
            &format!("/api/v1/hubs/{}", app.f.other_hub.id),
            Some(&t),
            &body,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.get_json("/api/v1/hubs")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get_json("/api/v1/hubs?include_archived=true")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get(&format!("/hubs/{}", app.f.other_hub.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
