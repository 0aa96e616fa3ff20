//! The server-rendered pages over a real socket, on SQLite and PostgreSQL:
//! the public pages, signing in and out, the language switch, the admin
//! forms with their field errors, and who may see which admin page.

use crate::common;

use common::*;
use reqwest::StatusCode;

on_both_backends!(
    the_start_page_lists_hubs_with_todays_hours_and_the_central_town_rule,
    a_hub_page_shows_zones_rooms_and_prices_with_vat,
    signing_in_sets_a_safe_session_cookie_and_signing_out_ends_it,
    forms_without_the_csrf_token_are_refused,
    wrong_passwords_are_throttled,
    the_language_choice_is_remembered,
    admin_pages_follow_the_roles,
    admin_forms_create_and_edit_with_errors_next_to_the_fields,
    hub_forms_keep_opening_hours_and_exceptions,
    organisation_admins_manage_only_their_own_people,
    passwords_change_and_other_sessions_end,
    api_tokens_are_created_in_the_ui_shown_once_and_revocable,
    unknown_pages_are_readable_404s,
    cached_public_pages_carry_each_visitors_own_csrf_token_and_expire,
);

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn the_start_page_lists_hubs_with_todays_hours_and_the_central_town_rule(app: TestApp) {
    let r = app.get("/").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = text(r).await;
    assert!(html.contains("<html lang=\"sv\">"));
    assert!(html.contains("Figeholms hubb"));
    assert!(html.contains("Oskarshamns kommun"));
    assert!(html.contains("Region Kalmar län"));
    assert!(html.contains("Utanför centralorten"));
    assert!(html.contains("I centralorten"));
    assert!(
        html.contains("08:00–17:00") || html.contains("10:00–14:00"),
        "today's hours are shown"
    );
    assert!(html.contains("Kontorskollektiv i gamla skolan."));
}

async fn a_hub_page_shows_zones_rooms_and_prices_with_vat(app: TestApp) {
    let html = text(app.get(&format!("/hubs/{}", app.f.hub.id)).await).await;
    for s in [
        "Figeholms hubb",
        "Gläntan",
        "Fokuserat eget arbete",
        "Sjöutsikten",
        "Mötesrum",
        "300,00 kr",
        "375,00 kr",
        "Skolgatan 4",
        "Oskarshamn",
        "Måndag",
        "08:00–17:00",
        "svensk tid",
    ] {
        assert!(html.contains(s), "{s} missing");
    }
    assert!(!html.contains("Redigera hubb"), "visitors get no edit link");
    let host = app.signed_in(&app.f.host).await;
    let html = app.html(&host, &format!("/hubs/{}", app.f.hub.id)).await;
    assert!(html.contains("Redigera hubb"));
}

async fn signing_in_sets_a_safe_session_cookie_and_signing_out_ends_it(app: TestApp) {
    let client = new_client();
    let r = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "member@test.example"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("tp_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    let html = app.html(&client, "/account").await;
    assert!(
        html.contains("Maja")
            && html.contains("member@test.example")
            && html.contains("Skatteverket")
    );
    let r = app.post_form(&client, "/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Faccount");

    // Behind a TLS-terminating proxy the cookie is Secure; `next` never leaves the site.
    let client = new_client();
    let csrf = app.csrf(&client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "member@test.example"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    assert!(r.headers().get_all("set-cookie").iter().any(|v| v
        .to_str()
        .unwrap()
        .starts_with("tp_session=")
        && v.to_str().unwrap().contains("Secure")));

    let client = new_client();
    let r = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "member@test.example"),
                ("password", "wrong password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(text(r).await.contains("Fel e-postadress eller lösenord."));
}

async fn forms_without_the_csrf_token_are_refused(app: TestApp) {
    let client = new_client();
    let _ = client.get(app.url("/login")).send().await.unwrap();
    let r = client
        .post(app.url("/login"))
        .form(&[("email", "member@test.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("Ladda om sidan"));
    let admin = app.signed_in(&app.f.admin).await;
    let r = admin
        .post(app.url("/admin/regions/new"))
        .form(&[
            ("_csrf", "forged-forged-forged-forged-forged-x"),
            ("name", "R"),
            ("code", "01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.store.list_regions().await.unwrap().len(), 1);
}

async fn wrong_passwords_are_throttled(app: TestApp) {
    let client = new_client();
    for _ in 0..5 {
        let r = app
            .post_form(
                &client,
                "/login",
                &[
                    ("email", "member@test.example"),
                    ("password", "nope nope nope"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "member@test.example"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(r).await.contains("För många misslyckade försök"));
    // Other accounts are not affected.
    app.signed_in(&app.f.host).await;
}

async fn the_language_choice_is_remembered(app: TestApp) {
    let client = new_client();
    let r = app
        .post_form(&client, "/lang", &[("lang", "en"), ("next", "/login")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    let html = app.html(&client, "/").await;
    assert!(
        html.contains("<html lang=\"en\">")
            && html.contains("Hubs in the network")
            && html.contains("Outside the central town")
    );
    let html = app.html(&client, &format!("/hubs/{}", app.f.hub.id)).await;
    assert!(html.contains("Meeting room") && html.contains("Monday"));
    app.post_form(&client, "/lang", &[("lang", "sv"), ("next", "/")])
        .await;
    assert!(app.html(&client, "/").await.contains("<html lang=\"sv\">"));
}

async fn admin_pages_follow_the_roles(app: TestApp) {
    let anon = new_client();
    let r = anon.get(app.url("/admin/hubs")).send().await.unwrap();
    assert_eq!(
        (r.status(), r.headers()["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login?next=%2Fadmin%2Fhubs")
    );

    let admin = app.signed_in(&app.f.admin).await;
    let hub = app.f.hub.id;
    for path in [
        "/admin".to_string(),
        "/admin/regions".into(),
        "/admin/regions/new".into(),
        format!("/admin/regions/{}", app.f.region.id),
        "/admin/municipalities".into(),
        "/admin/municipalities/new".into(),
        format!("/admin/municipalities/{}", app.f.municipality.id),
        "/admin/operators".into(),
        "/admin/operators/new".into(),
        format!("/admin/operators/{}", app.f.operator.id),
        "/admin/hubs".into(),
        "/admin/hubs/new".into(),
        format!("/admin/hubs/{hub}"),
        format!("/admin/hubs/{hub}/zones/new"),
        format!("/admin/zones/{}", app.f.zone.id),
        format!("/admin/hubs/{hub}/rooms/new"),
        format!("/admin/rooms/{}", app.f.room.id),
        "/admin/organisations".into(),
        "/admin/organisations/new".into(),
        format!("/admin/organisations/{}", app.f.org.id),
        "/admin/people".into(),
        "/admin/people/new".into(),
        format!("/admin/people/{}", app.f.member.id),
    ] {
        let r = admin.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }

    let host = app.signed_in(&app.f.host).await;
    let html = app.html(&host, "/admin/hubs").await;
    assert!(html.contains("Figeholms hubb") && !html.contains("Oskarshamns stadshubb"));
    assert!(!html.contains("/admin/hubs/new"));
    assert_eq!(
        host.get(app.url(&format!("/admin/hubs/{hub}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    for path in [
        "/admin/regions".to_string(),
        "/admin/hubs/new".into(),
        format!("/admin/hubs/{}", app.f.other_hub.id),
        "/admin/people".into(),
    ] {
        let r = host.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(r.text().await.unwrap().contains("Du har inte behörighet"));
    }
    let member = app.signed_in(&app.f.member).await;
    assert_eq!(
        member.get(app.url("/admin")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let html = app.html(&member, "/").await;
    assert!(
        !html.contains("href=\"/admin\""),
        "members see no admin link"
    );
}

async fn admin_forms_create_and_edit_with_errors_next_to_the_fields(app: TestApp) {
    let admin = app.signed_in(&app.f.admin).await;
    let r = app
        .post_form(
            &admin,
            "/admin/regions/new",
            &[("name", "Region Jämtland Härjedalen"), ("code", "23")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let edit = r.headers()["location"].to_str().unwrap().to_string();
    let html = app.html(&admin, &edit).await;
    assert!(html.contains("Sparat.") && html.contains("Region Jämtland Härjedalen"));
    let path = edit.split('?').next().unwrap().to_string();
    let r = app
        .post_form(
            &admin,
            &path,
            &[
                ("name", "Region Jämtland Härjedalen"),
                ("code", "23"),
                ("archived", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app
        .store
        .list_regions()
        .await
        .unwrap()
        .iter()
        .any(|r| r.code == "23" && r.archived));

    let r = app
        .post_form(
            &admin,
            "/admin/organisations/new",
            &[
                ("name", "Fel AB"),
                ("org_number", "212000-0143"),
                ("kind", "company"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(r).await;
    assert!(html.contains("Formuläret innehåller fel"));
    assert!(
        html.contains("id=\"f-org_number-error\"") && html.contains("Kontrollsiffran stämmer inte")
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"Fel AB\""), "what was typed is kept");
    let r = app
        .post_form(
            &admin,
            "/admin/organisations/new",
            &[
                ("name", "Dubbel"),
                ("org_number", "202100-5448"),
                ("kind", "company"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("Värdet används redan"));
    assert_eq!(app.store.list_organisations().await.unwrap().len(), 2);

    let hub = app.f.hub.id;
    let r = app
        .post_form(
            &admin,
            &format!("/admin/hubs/{hub}/zones/new"),
            &[
                ("name", "Cirkeln"),
                ("purpose", "Dela berättelser"),
                ("capacity", "12"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post_form(
            &admin,
            &format!("/admin/hubs/{hub}/rooms/new"),
            &[
                ("name", "Konferensrummet"),
                ("kind", "conference"),
                ("capacity", "16"),
                ("hourly_price_sek", "900,50"),
                ("vat_rate_percent", "25"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rooms = app.store.list_rooms(hub).await.unwrap();
    assert!(rooms
        .iter()
        .any(|r| r.name == "Konferensrummet" && r.hourly_price_ore == 90_050));
    let r = app
        .post_form(
            &admin,
            &format!("/admin/hubs/{hub}/rooms/new"),
            &[
                ("name", ""),
                ("kind", "x"),
                ("capacity", "-1"),
                ("hourly_price_sek", "gratis"),
                ("vat_rate_percent", "20"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(r).await;
    for id in [
        "f-name-error",
        "f-kind-error",
        "f-capacity-error",
        "f-hourly_price_sek-error",
        "f-vat_rate_percent-error",
    ] {
        assert!(html.contains(id), "{id}");
    }
    let html = app.html(&admin, &format!("/admin/hubs/{hub}")).await;
    assert!(
        html.contains("Cirkeln") && html.contains("Konferensrummet") && html.contains("900,50 kr")
    );
}

async fn hub_forms_keep_opening_hours_and_exceptions(app: TestApp) {
    let admin = app.signed_in(&app.f.admin).await;
    let m = app.f.municipality.id.to_string();
    let o = app.f.operator.id.to_string();
    let mut fields = vec![
        ("name", "Bodahubben"),
        ("municipality_id", m.as_str()),
        ("operator_id", o.as_str()),
        ("street_address", "Storgatan 7"),
        ("postal_code", "36065"),
        ("city", "Boda glasbruk"),
        ("latitude", "56,7167"),
        ("longitude", "15.7333"),
        ("hours_monday", "07:00-12:00, 13:00-18:00"),
        ("hours_saturday", "10:00-14:00"),
        (
            "exceptions",
            "2026-12-24 closed Julafton\n2026-12-31 08:00-12:00 Nyårsafton",
        ),
    ];
    let r = app.post_form(&admin, "/admin/hubs/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: uuid::Uuid = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/admin/hubs/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let hub = app.store.get_hub(id).await.unwrap().hub;
    assert_eq!(hub.postal_code, "360 65");
    assert_eq!(hub.latitude, 56.7167);
    assert_eq!(hub.opening_hours.weekly[0].len(), 2);
    assert!(hub.opening_hours.weekly[1].is_empty());
    assert_eq!(hub.opening_hours.exceptions.len(), 2);
    assert!(!hub.in_central_town);

    fields[8] = ("hours_monday", "18:00-07:00");
    fields[10] = ("exceptions", "julafton stängt");
    fields[6] = ("latitude", "91");
    let r = app
        .post_form(&admin, &format!("/admin/hubs/{id}"), &fields)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(r).await;
    assert!(
        html.contains("f-hours_monday-error")
            && html.contains("f-exceptions-error")
            && html.contains("f-latitude-error")
    );
    // The summary lists the problems in the order of the form's fields.
    let at = |id: &str| {
        html.find(&format!("href=\"#{id}\""))
            .unwrap_or_else(|| panic!("{id} not in the summary"))
    };
    assert!(at("f-latitude") < at("f-hours_monday") && at("f-hours_monday") < at("f-exceptions"));
    assert_eq!(
        app.store.get_hub(id).await.unwrap().hub,
        hub,
        "nothing was written"
    );
}

async fn organisation_admins_manage_only_their_own_people(app: TestApp) {
    let oa = app.signed_in(&app.f.org_admin).await;
    let html = app.html(&oa, "/admin/people").await;
    assert!(html.contains("Maja") && !html.contains("Alva") && !html.contains("Hugo"));
    let html = app.html(&oa, "/admin/people/new").await;
    assert!(!html.contains("is_network_admin") && !html.contains("hosted_hub_ids"));
    assert!(
        html.contains("autocomplete=\"given-name\"") && html.contains("autocomplete=\"email\"")
    );
    let org = app.f.org.id.to_string();
    let r = app
        .post_form(
            &oa,
            "/admin/people/new",
            &[
                ("first_name", "Nils"),
                ("last_name", "Ny"),
                ("email", "nils@skv.example"),
                ("organisation_id", &org),
                ("is_network_admin", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let nils = app
        .store
        .find_person_by_email("nils@skv.example")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !nils.is_network_admin,
        "a role the form does not show cannot be posted"
    );
    let other = app.f.other_org.id.to_string();
    let r = app
        .post_form(
            &oa,
            "/admin/people/new",
            &[
                ("first_name", "Eva"),
                ("last_name", "Ny"),
                ("email", "eva@x.example"),
                ("organisation_id", &other),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        oa.get(app.url(&format!("/admin/people/{}", app.f.admin.id)))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        oa.get(app.url(&format!("/admin/organisations/{}", app.f.other_org.id)))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        oa.get(app.url("/admin/organisations/new"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

async fn passwords_change_and_other_sessions_end(app: TestApp) {
    let first = app.signed_in(&app.f.member).await;
    let second = app.signed_in(&app.f.member).await;
    let r = app
        .post_form(
            &first,
            "/account/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "another long password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r)
        .await
        .contains("Det nuvarande lösenordet stämmer inte."));
    let r = app
        .post_form(
            &first,
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(
            &first,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another long password"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(text(r).await.contains("Lösenordet är bytt"));
    assert_eq!(
        first
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        second
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
    let client = new_client();
    let r = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "member@test.example"),
                ("password", "another long password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn api_tokens_are_created_in_the_ui_shown_once_and_revocable(app: TestApp) {
    let host = app.signed_in(&app.f.host).await;
    let r = app
        .post_form(&host, "/account/tokens", &[("name", "dörrskärm")])
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let html = text(r).await;
    let i = html.find("<code class=\"token\">").unwrap() + "<code class=\"token\">".len();
    let token = html[i..i + html[i..].find('<').unwrap()].to_string();
    assert!(token.starts_with("tp_"));
    let (s, me) = app.get_json_with(&token, "/api/v1/me").await;
    assert_eq!(
        (s, me["first_name"].as_str()),
        (StatusCode::OK, Some("Hugo"))
    );
    let html = app.html(&host, "/account").await;
    assert!(
        html.contains("dörrskärm") && !html.contains(&token),
        "the token is shown only once"
    );
    let id = app.store.list_api_tokens(app.f.host.id).await.unwrap()[0].id;
    let r = app
        .post_form(&host, &format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_json_with(&token, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Someone else's token cannot be revoked.
    let member = app.signed_in(&app.f.member).await;
    let (t2, _) = (app.token_for(&app.f.host).await, ());
    let id2 = app
        .store
        .list_api_tokens(app.f.host.id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.revoked_at.is_none())
        .unwrap()
        .id;
    assert_eq!(
        app.post_form(&member, &format!("/account/tokens/{id2}/revoke"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get_json_with(&t2, "/api/v1/me").await.0, StatusCode::OK);
}

async fn unknown_pages_are_readable_404s(app: TestApp) {
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = text(r).await;
    assert!(html.contains("<html lang=\"sv\">") && html.contains("Sidan eller posten finns inte."));
    assert_eq!(
        app.get("/hubs/not-an-id").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/hubs/{}", thirdplace_domain::new_id()))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn cached_public_pages_carry_each_visitors_own_csrf_token_and_expire(app: TestApp) {
    let path = format!("/hubs/{}", app.f.hub.id);
    let (a, b) = (new_client(), new_client());
    let html_a = app.html(&a, &path).await;
    let html_b = app.html(&b, &path).await;
    let (csrf_a, csrf_b) = (hidden_csrf(&html_a), hidden_csrf(&html_b));
    assert_ne!(
        csrf_a, csrf_b,
        "a cached page must not share one visitor's token with another"
    );
    let r = b
        .post(app.url("/lang"))
        .form(&[("_csrf", csrf_b.as_str()), ("lang", "en"), ("next", &path)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.html(&b, &path).await;
    assert!(
        html.contains("<html lang=\"en\">"),
        "the cache is per language"
    );

    // A change made elsewhere (another process on the same database) shows
    // within the cache's lifetime of one second.
    let mut hub = app.f.hub.clone();
    hub.name = "Figeholms nya hubb".into();
    app.store.update_hub(&hub).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(app.html(&a, &path).await.contains("Figeholms nya hubb"));
    assert!(app
        .get("/api/v1/hubs")
        .await
        .text()
        .await
        .unwrap()
        .contains("Figeholms nya hubb"));
    assert!(app.html(&a, "/").await.contains("Figeholms nya hubb"));
}

/// The favicon, the app icons and the web app manifest: linked from every
/// page, served with their content types, and the manifest names icons
/// that are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_icons_and_the_web_app_manifest_are_served_and_linked() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let html = text(app.get("/").await).await.replace("&#x2f;", "/");
    for link in [
        r#"<link rel="icon" href="/static/icon.svg" type="image/svg+xml">"#,
        r#"<link rel="apple-touch-icon" href="/static/icon-192.png">"#,
        r#"<link rel="manifest" href="/manifest.webmanifest">"#,
    ] {
        assert!(html.contains(link), "{link} in {html}");
    }
    let r = app.get("/manifest.webmanifest").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/manifest+json");
    let manifest: serde_json::Value = r.json().await.unwrap();
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().unwrap();
    assert_eq!(icons.len(), 3);
    for icon in icons {
        let src = icon["src"].as_str().unwrap();
        let r = app.get(src).await;
        assert_eq!(r.status(), StatusCode::OK, "{src}");
        assert_eq!(r.headers()["content-type"], icon["type"].as_str().unwrap());
        let body = r.bytes().await.unwrap();
        if let Some(size) = icon["sizes"].as_str().unwrap().split_once('x') {
            // A PNG's width and height are the big-endian words at 16 and 20.
            assert!(body.starts_with(b"\x89PNG"), "{src}");
            let width = u32::from_be_bytes(body[16..20].try_into().unwrap());
            let height = u32::from_be_bytes(body[20..24].try_into().unwrap());
            assert_eq!(
                (width.to_string(), height.to_string()),
                (size.0.into(), size.1.into())
            );
        } else {
            assert!(body.starts_with(b"<svg"), "{src}");
        }
    }
}
