//! Retention, on SQLite and on PostgreSQL: network admins (only) read and
//! set the limits through the API and the admin page, bad values are
//! refused with a message, changes are in the audit trail, and a run —
//! from the API, the page or the hourly worker — reduces what is older than
//! the limits while the statistics stay.

use crate::common;

use chrono::Duration;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    only_network_admins_read_and_set_the_limits,
    bad_limits_are_refused_with_their_fields,
    the_admin_page_shows_saves_validates_and_runs,
    a_run_reduces_old_visits_and_keeps_the_statistics,
);

fn defaults() -> Value {
    json!({
        "checkin_days": 396,
        "guest_name_days": 30,
        "email_days": 90,
        "webhook_days": 30,
        "session_days": 1,
        "sign_in_failure_days": 1,
    })
}

async fn only_network_admins_read_and_set_the_limits(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let org_admin = app.token_for(&app.f.org_admin).await;
    let (s, v) = app.get_json("/api/v1/retention").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(error_code(&v), "unauthorized");
    let (s, _) = app.get_json_with(&org_admin, "/api/v1/retention").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app.get_json_with(&admin, "/api/v1/retention").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, defaults());

    let mut shorter = defaults();
    shorter["guest_name_days"] = json!(7);
    shorter["session_days"] = json!(0);
    let (s, _) = app.put_json("/api/v1/retention", None, &shorter).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .put_json("/api/v1/retention", Some(&org_admin), &shorter)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post_json("/api/v1/retention/run", Some(&org_admin), &json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.retention_policy().await.unwrap(),
        Default::default()
    );

    let (s, v) = app
        .put_json("/api/v1/retention", Some(&admin), &shorter)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, shorter);
    let (_, v) = app.get_json_with(&admin, "/api/v1/retention").await;
    assert_eq!(v, shorter);

    let (s, trail) = app
        .get_json_with(&admin, "/api/v1/audit?object_kind=retention")
        .await;
    assert_eq!(s, StatusCode::OK);
    let e = &trail["entries"][0];
    assert_eq!(e["action"], "retention.changed");
    assert_eq!(e["actor_id"], json!(app.f.admin.id));
    assert_eq!(
        e["details"],
        json!({ "guest_name_days": [30, 7], "session_days": [1, 0] })
    );
    // The trail's page names the change in words and links the settings.
    let signed_in = app.signed_in(&app.f.admin).await;
    let html = app
        .html(&signed_in, "/admin/audit?object_kind=retention")
        .await;
    assert!(html.contains("Ändrade gallringsregler"), "{html}");
    assert!(
        html.contains(r#"<a href="/admin/retention">Gallring</a>"#),
        "{html}"
    );
}

async fn bad_limits_are_refused_with_their_fields(app: TestApp) {
    let admin = app.token_for(&app.f.admin).await;
    let mut bad = defaults();
    bad["checkin_days"] = json!(7);
    bad["email_days"] = json!(100_000);
    bad["session_days"] = json!(-1);
    let (s, v) = app.put_json("/api/v1/retention", Some(&admin), &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        field_names(&v),
        ["checkin_days", "email_days", "session_days"]
    );
    assert!(v.to_string().contains("between 31 and 3650"), "{v}");

    // Not whole days, a missing field, an unknown one: 4xx in the API's
    // shape, nothing written.
    for body in [
        json!({ "checkin_days": 1.5, "guest_name_days": 30, "email_days": 90, "webhook_days": 30, "session_days": 1, "sign_in_failure_days": 1 }),
        json!({ "checkin_days": 396 }),
        {
            let mut b = defaults();
            b["keep_forever"] = json!(true);
            b
        },
    ] {
        let (s, v) = app.put_json("/api/v1/retention", Some(&admin), &body).await;
        assert!(s.is_client_error(), "{body}: {s} {v}");
        assert!(v["error"]["message"].is_string(), "{v}");
    }
    assert_eq!(
        app.store.retention_policy().await.unwrap(),
        Default::default()
    );
}

async fn the_admin_page_shows_saves_validates_and_runs(app: TestApp) {
    let admin = app.signed_in(&app.f.admin).await;
    let (s, text) = app.page(&admin, "/admin").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("Gallring"), "{text}");
    let (s, text) = app.page(&admin, "/admin/retention").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("Incheckningar (dagar)"), "{text}");
    assert!(
        text.contains("Ingen automatisk gallring har körts ännu"),
        "{text}"
    );
    assert!(app
        .html(&admin, "/admin/retention")
        .await
        .contains("value=\"396\""));

    let org_admin = app.signed_in(&app.f.org_admin).await;
    let (s, _) = app.page(&org_admin, "/admin/retention").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app.post_form(&org_admin, "/admin/retention/run", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let fields = |checkins: &'static str| {
        [
            ("checkin_days", checkins),
            ("guest_name_days", "14"),
            ("email_days", "90"),
            ("webhook_days", "30"),
            ("session_days", "1"),
            ("sign_in_failure_days", "1"),
        ]
    };
    let r = app
        .post_form(&admin, "/admin/retention", &fields("tretton"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = page_text(r).await;
    assert!(text.contains("Ange ett tal"), "{text}");
    assert_eq!(
        app.store.retention_policy().await.unwrap(),
        Default::default()
    );

    let r = app
        .post_form(&admin, "/admin/retention", &fields("730"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/retention?saved=1");
    let p = app.store.retention_policy().await.unwrap();
    assert_eq!((p.checkin_days, p.guest_name_days), (730, 14));

    // A run from the page says what it reduced.
    let r = app.post_form(&admin, "/admin/retention/run", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = page_text(r).await;
    assert!(text.contains("Gallringen är klar"), "{text}");
    assert!(text.contains("Incheckningar raderade: 0"), "{text}");
}

async fn a_run_reduces_old_visits_and_keeps_the_statistics(app: TestApp) {
    seat_of(&app.f.member).give(&app).await;
    let member = app.token_for(&app.f.member).await;
    let admin = app.token_for(&app.f.admin).await;
    let checkin = app.visit(&member).await;
    let visit_day = app.clock.now().date_naive();
    let summary = || async {
        app.store
            .access_summary(
                app.f.hub.id,
                app.f.region.id,
                visit_day,
                app.clock.now(),
                visit_day - Duration::days(29),
            )
            .await
            .unwrap()
    };
    let before = summary().await;
    assert_eq!(before.visits_last_30_days, 1);

    // A week on, nothing is old enough but the member's expired sessions.
    app.clock.advance(Duration::days(7));
    let (s, v) = app
        .post_json("/api/v1/retention/run", Some(&admin), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["checkins"], 0);
    let (s, _) = app
        .get_json_with(&member, &format!("/api/v1/checkins/{checkin}"))
        .await;
    assert_eq!(s, StatusCode::OK);

    // Fourteen months on, the visit is reduced to its count.
    app.clock.advance(Duration::days(420));
    let (s, v) = app
        .post_json("/api/v1/retention/run", Some(&admin), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["checkins"], 1, "{v}");
    let (s, _) = app
        .get_json_with(&member, &format!("/api/v1/checkins/{checkin}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(summary().await, before);
    let (_, trail) = app
        .get_json_with(&admin, "/api/v1/audit?object_kind=retention")
        .await;
    assert_eq!(trail["entries"][0]["action"], "retention.applied");
    assert_eq!(trail["entries"][0]["details"]["checkins"], 1);

    // The hourly worker: one process claims the hour, the next finds it taken.
    let first = thirdplace_web::retention::service::run_if_due(&app.state)
        .await
        .unwrap();
    assert_eq!(first.map(|c| c.checkins), Some(0));
    assert!(app.store.last_retention_run().await.unwrap().is_some());
    let second = thirdplace_web::retention::service::run_if_due(&app.state)
        .await
        .unwrap();
    assert_eq!(second, None);
}
