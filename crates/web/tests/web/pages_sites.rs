//! The site planner page (`/admin/sites`) over a real socket, on SQLite and
//! PostgreSQL: results with an SVG map, the GeoJSON and CSV downloads that
//! agree with the page, admins only, and field errors.

use crate::common;

use common::*;
use reqwest::StatusCode;

on_both_backends!(
    a_network_admin_plans_five_sites_with_a_map_and_downloads_that_agree,
    members_may_not_plan_and_a_bad_radius_is_shown_by_its_field,
);

const QUERY: &str = "county=Kalmar+l%C3%A4n&radius_km=15&detour_factor=1&mode=count&site_count=5";

/// (rank, name) of each row of the suggestions table.
fn table_rows(html: &str) -> Vec<(usize, String)> {
    html.split("<tr data-rank=\"")
        .skip(1)
        .map(|row| {
            let rank = row[..row.find('"').unwrap()].parse().unwrap();
            let start = row.find("<th scope=\"row\">").unwrap() + "<th scope=\"row\">".len();
            let end = start + row[start..].find("</th>").unwrap();
            (rank, row[start..end].to_string())
        })
        .collect()
}

async fn a_network_admin_plans_five_sites_with_a_map_and_downloads_that_agree(app: TestApp) {
    let admin = app.signed_in(&app.f.admin).await;

    // The admin index links to the planner; the bare page shows the form only.
    let index = page_text(admin.get(app.url("/admin")).send().await.unwrap()).await;
    assert!(index.contains("href=\"/admin/sites\""), "{index}");
    let r = admin.get(app.url("/admin/sites")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bare = page_text(r).await;
    assert!(bare.contains("name=\"county\"") && !bare.contains("<svg xmlns"));
    assert!(bare.contains("Kalmar län"));
    assert!(bare.contains("GeoNames"));

    let r = admin
        .get(app.url(&format!("/admin/sites?{QUERY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(
        html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""),
        "{html}"
    );
    assert!(html.contains("<title id=\"map-title\">"));
    assert!(html.contains("CC BY 4.0"), "attribution under the map");
    let rows = table_rows(&html);
    assert_eq!(rows.len(), 5, "{html}");
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    // Five numbered markers on the map, and the fixture hubs as squares.
    assert_eq!(html.matches("<g data-rank=\"").count(), 5);
    assert!(html.matches("<rect x=").count() >= 2, "existing hubs drawn");
    assert!(html.contains("Ladda ner GeoJSON") && html.contains("Ladda ner CSV"));
    assert!(
        html.contains("href=\"/admin/sites.csv?county=Kalmar"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/admin/sites.geojson?county=Kalmar"),
        "{html}"
    );

    // CSV: the same sites in the same order.
    let r = admin
        .get(app.url(&format!("/admin/sites.csv?{QUERY}")))
        .send()
        .await
        .unwrap();
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let mut records = page_csv(r).await;
    assert_eq!(
        records.remove(0),
        [
            "Ordning",
            "Id",
            "Ort",
            "Latitud",
            "Longitud",
            "Nya invånare inom räckhåll"
        ]
    );
    assert_eq!(records.len(), 5, "{records:?}");
    let mut csv_added = 0.0;
    for (rec, (rank, name)) in records.iter().zip(&rows) {
        assert_eq!(rec.len(), 6, "{rec:?}");
        assert_eq!(rec[0].parse::<usize>().unwrap(), *rank);
        assert_eq!(&rec[2], name);
        // Coordinates with the decimal comma, as Swedish Excel reads them.
        let lat: f64 = rec[3].replace(',', ".").parse().unwrap();
        let lon: f64 = rec[4].replace(',', ".").parse().unwrap();
        assert!(
            (56.0..58.5).contains(&lat) && (15.0..17.5).contains(&lon),
            "{rec:?}"
        );
        csv_added += rec[5].parse::<f64>().unwrap();
    }

    // GeoJSON: a FeatureCollection of the same points with a summary.
    let r = admin
        .get(app.url(&format!("/admin/sites.geojson?{QUERY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/geo+json"
    );
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let geo: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 5);
    for (f, rec) in features.iter().zip(&records) {
        assert_eq!(f["geometry"]["type"], "Point");
        assert_eq!(f["properties"]["name"], rec[2].as_str());
        assert_eq!(f["properties"]["rank"].to_string(), rec[0]);
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        assert_eq!(
            c[0].as_f64().unwrap(),
            rec[4].replace(',', ".").parse::<f64>().unwrap()
        );
        assert_eq!(
            c[1].as_f64().unwrap(),
            rec[3].replace(',', ".").parse::<f64>().unwrap()
        );
    }
    let s = &geo["summary"];
    let (before, after) = (
        s["covered_before"].as_f64().unwrap(),
        s["covered_after"].as_f64().unwrap(),
    );
    assert!((before + csv_added - after).abs() < 1e-6, "{s}");
    assert_eq!(s["existing_hubs"], 2);
    assert!(s["attribution"].as_str().unwrap().contains("GeoNames"));

    // By target share, with the hubs ignored, the page still answers.
    let r = admin
        .get(app.url(
            "/admin/sites?county=Kalmar+l%C3%A4n&radius_km=20&mode=share&target_share=50&ignore_hubs=true",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = page_text(r).await;
    assert!(!table_rows(&html).is_empty(), "{html}");
}

async fn members_may_not_plan_and_a_bad_radius_is_shown_by_its_field(app: TestApp) {
    let member = app.signed_in(&app.f.member).await;
    for path in [
        format!("/admin/sites?{QUERY}"),
        format!("/admin/sites.csv?{QUERY}"),
        format!("/admin/sites.geojson?{QUERY}"),
    ] {
        let r = member.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }

    let admin = app.signed_in(&app.f.admin).await;
    let r = admin
        .get(app.url("/admin/sites?county=Kalmar+l%C3%A4n&radius_km=0&mode=count&site_count=5"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page_text(r).await;
    assert!(html.contains("id=\"f-radius_km-error\""), "{html}");
    assert!(html.contains("Räckvidden måste vara mer än 0"), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(!html.contains("<svg xmlns"));

    // Text where a number belongs is a field error too.
    let r = admin
        .get(app.url("/admin/sites?county=Kalmar+l%C3%A4n&radius_km=15&site_count=fem"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page_text(r).await.contains("id=\"f-site_count-error\""));
}
