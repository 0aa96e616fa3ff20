//! The site planner for network admins: where the next hubs of a county
//! should go, with the coverage before and after, a map drawn as SVG from
//! the coordinates (no map tiles) and GeoJSON / CSV downloads. The form is
//! a GET, so a plan is a link; nothing is written.

use crate::http::error::{AppError, AppResult};
use crate::http::forms::{key_options, Form, NO_ERRORS};
use crate::http::page::{urlencode, Page};
use crate::http::roles::require_network_admin;
use crate::http::spreadsheet::{self, Csv};
use crate::i18n::Lang;
use crate::sites::api::{compute, hub_points, SuggestBody, SuggestOut};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::{Deserialize, Serialize};
use thirdplace_domain::ValidationErrors;
use thirdplace_sites::Point;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites", get(planner))
        .route("/admin/sites.geojson", get(geojson))
        .route("/admin/sites.csv", get(csv))
}

/// The form as typed; every field is optional so a bare visit shows the form.
#[derive(Deserialize, Default, Clone)]
pub struct SiteQuery {
    #[serde(default)]
    county: Option<String>,
    #[serde(default)]
    radius_km: Option<String>,
    #[serde(default)]
    detour_factor: Option<String>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    site_count: Option<String>,
    #[serde(default)]
    target_share: Option<String>,
    #[serde(default)]
    ignore_hubs: Option<String>,
}

/// The form's values with defaults filled in, as shown and linked.
struct Input {
    county: String,
    radius_km: String,
    detour_factor: String,
    mode: String,
    count: String,
    target_share: String,
    ignore_hubs: bool,
}

impl Input {
    fn of(q: &SiteQuery) -> Self {
        let or = |v: &Option<String>, d: &str| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(d)
                .to_string()
        };
        let mode = match q.mode.as_deref() {
            Some("share") => "share",
            _ => "count",
        };
        Input {
            county: or(&q.county, ""),
            radius_km: or(&q.radius_km, "15"),
            detour_factor: or(&q.detour_factor, "1"),
            mode: mode.to_string(),
            count: or(&q.site_count, "5"),
            target_share: or(&q.target_share, "80"),
            ignore_hubs: matches!(q.ignore_hubs.as_deref(), Some("true" | "on")),
        }
    }

    /// The query string that reproduces this plan (for the download links).
    fn query(&self) -> String {
        let mut q = format!(
            "county={}&radius_km={}&detour_factor={}&mode={}",
            urlencode(&self.county),
            urlencode(&self.radius_km),
            urlencode(&self.detour_factor),
            self.mode
        );
        if self.mode == "share" {
            q.push_str(&format!("&target_share={}", urlencode(&self.target_share)));
        } else {
            q.push_str(&format!("&site_count={}", urlencode(&self.count)));
        }
        if self.ignore_hubs {
            q.push_str("&ignore_hubs=true");
        }
        q
    }

    /// The question for [`compute`], or the fields that cannot be read.
    fn body(&self) -> Result<SuggestBody, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut number = |field: &str, v: &str| -> f64 {
            match v.replace(',', ".").replace(' ', "").parse::<f64>() {
                Ok(n) if n.is_finite() => n,
                _ => {
                    errors.add(field, "not_a_number", "enter a number");
                    f64::NAN
                }
            }
        };
        let radius_km = number("radius_km", &self.radius_km);
        let detour_factor = number("detour_factor", &self.detour_factor);
        let (count, target_share) = if self.mode == "share" {
            (
                None,
                Some(number("target_share", &self.target_share) / 100.0),
            )
        } else {
            (Some(number("site_count", &self.count)), None)
        };
        if self.county.is_empty() {
            errors.add("county", "required", "this field is required");
        }
        let count = match count {
            Some(c) if c.is_nan() => None,
            Some(c) if c < 1.0 || c.fract() != 0.0 || c > 1000.0 => {
                errors.add(
                    "site_count",
                    "sites_count",
                    "the number of sites must be a whole number from 1",
                );
                None
            }
            Some(c) => Some(c as usize),
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SuggestBody {
            county: self.county.clone(),
            radius_km,
            detour_factor,
            count,
            target_share,
            ignore_hubs: self.ignore_hubs,
        })
    }
}

/// Gives the computation's errors codes of their own, so the Swedish page
/// can say what is wrong with each field (English keeps the message); the
/// API's `count` is the form's `site_count`.
fn page_codes(mut errors: ValidationErrors) -> ValidationErrors {
    for e in &mut errors.errors {
        if e.field == "count" {
            e.field = "site_count".into();
        }
        if e.code == "invalid_parameter" {
            e.code = match e.field.as_str() {
                "radius_km" => "sites_radius",
                "detour_factor" => "sites_detour",
                "county" => "sites_county",
                "site_count" => "sites_count",
                "target_share" => "sites_share",
                _ => e.code,
            };
        }
    }
    errors
}

/// Reads and runs the plan: `Ok(None)` when no county was asked about yet.
async fn run(state: &AppState, input: &Input) -> AppResult<Result<SuggestOut, ValidationErrors>> {
    let body = match input.body() {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    match compute(state, &body).await {
        Ok(out) => Ok(Ok(out)),
        Err(AppError::Validation(e)) => Ok(Err(page_codes(e))),
        Err(e) => Err(e),
    }
}

// ------------------------------------------------------------------ page

#[derive(Serialize)]
struct Dot {
    cx: String,
    cy: String,
    r: String,
    name: String,
}

#[derive(Serialize)]
struct SiteRow {
    rank: usize,
    name: String,
    people_added: String,
    latitude: String,
    longitude: String,
    cx: String,
    cy: String,
    reach: String,
}

/// An equirectangular projection of the county's bounding box, with
/// longitudes scaled by the cosine of the mean latitude.
struct Projection {
    min_lon: f64,
    max_lat: f64,
    cos: f64,
    scale: f64,
    width: f64,
    height: f64,
}

const PAD: f64 = 16.0;

impl Projection {
    fn of(points: &[Point]) -> Option<Self> {
        let first = points.first()?;
        let (mut min_lat, mut max_lat) = (first.latitude, first.latitude);
        let (mut min_lon, mut max_lon) = (first.longitude, first.longitude);
        for p in points {
            min_lat = min_lat.min(p.latitude);
            max_lat = max_lat.max(p.latitude);
            min_lon = min_lon.min(p.longitude);
            max_lon = max_lon.max(p.longitude);
        }
        let cos = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let xrange = ((max_lon - min_lon) * cos).max(0.01);
        let yrange = (max_lat - min_lat).max(0.01);
        let (max_w, max_h) = (640.0 - 2.0 * PAD, 800.0 - 2.0 * PAD);
        let scale = (max_w / xrange).min(max_h / yrange);
        Some(Projection {
            min_lon,
            max_lat,
            cos,
            scale,
            width: xrange * scale + 2.0 * PAD,
            height: yrange * scale + 2.0 * PAD,
        })
    }

    fn xy(&self, p: Point) -> (f64, f64) {
        (
            PAD + (p.longitude - self.min_lon) * self.cos * self.scale,
            PAD + (self.max_lat - p.latitude) * self.scale,
        )
    }

    fn contains(&self, p: Point) -> bool {
        let (x, y) = self.xy(p);
        (0.0..=self.width).contains(&x) && (0.0..=self.height).contains(&y)
    }

    /// Kilometres as a length on the map (one degree of latitude ≈ 111.2 km).
    fn km(&self, km: f64) -> f64 {
        km / 111.2 * self.scale
    }
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// Zero (positive) for what is not above it: a negative or -0.0 left by
/// floating-point sums would print as "-0".
fn non_negative(v: f64) -> f64 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// A whole number with the language's thousands separator; never "-0".
fn whole(lang: Lang, v: f64) -> String {
    let digits = format!("{:.0}", non_negative(v.round()));
    let sep = match lang {
        Lang::Sv => "\u{a0}",
        Lang::En => ",",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn percent(lang: Lang, part: f64, total: f64) -> String {
    let p = if total > 0.0 {
        non_negative(part / total * 100.0)
    } else {
        0.0
    };
    match lang {
        Lang::Sv => format!("{}\u{a0}%", format!("{p:.1}").replace('.', ",")),
        Lang::En => format!("{p:.1}%"),
    }
}

async fn planner(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<SiteQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let asked = q.county.is_some();
    let input = Input::of(&q);
    let outcome = if asked {
        Some(run(&state, &input).await?)
    } else {
        None
    };
    let errors = match &outcome {
        Some(Err(e)) => e,
        _ => NO_ERRORS,
    };
    let counties = thirdplace_sites::data::counties()
        .into_iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let modes = key_options(&page, "sites.mode", ["count", "share"]);
    let form = Form::new(&page, errors)
        .select("county", &input.county, counties, "admin.choose")
        .required()
        .text("radius_km", &input.radius_km)
        .required()
        .numeric("decimal")
        .help("field.radius_km_help")
        .text("detour_factor", &input.detour_factor)
        .numeric("decimal")
        .help("field.detour_factor_help")
        .select("mode", &input.mode, modes, "admin.choose")
        .text("site_count", &input.count)
        .numeric("numeric")
        .help("field.site_count_help")
        .text("target_share", &input.target_share)
        .numeric("decimal")
        .help("field.target_share_help")
        .checkbox("ignore_hubs", if input.ignore_hubs { "true" } else { "" });
    let status = form.status();
    let (fields, error_list) = form.into_parts();
    let result = match &outcome {
        Some(Ok(out)) => Some(result_context(&state, &page, &input, out).await?),
        _ => None,
    };
    let ctx = context! {
        fields,
        errors => error_list,
        result,
    };
    page.render_with_status(status, "sites.html", ctx)
}

async fn result_context(
    state: &AppState,
    page: &Page,
    input: &Input,
    out: &SuggestOut,
) -> AppResult<minijinja::Value> {
    let lang = page.lang;
    let localities: Vec<_> = thirdplace_sites::sweden()
        .iter()
        .filter(|l| l.county == input.county.trim())
        .collect();
    let points: Vec<Point> = localities.iter().map(|l| l.point).collect();
    let proj = Projection::of(&points).ok_or(AppError::NotFound)?;
    let dots: Vec<Dot> = localities
        .iter()
        .map(|l| {
            let (x, y) = proj.xy(l.point);
            Dot {
                cx: px(x),
                cy: px(y),
                r: px(1.2 + (l.population as f64).sqrt() / 45.0),
                name: l.name.clone(),
            }
        })
        .collect();
    let hubs: Vec<Dot> = hub_points(state, input.ignore_hubs)
        .await?
        .into_iter()
        .filter(|(p, _)| proj.contains(*p))
        .map(|(p, name)| {
            let (x, y) = proj.xy(p);
            Dot {
                cx: px(x - 5.0),
                cy: px(y - 5.0),
                r: "10".into(),
                name,
            }
        })
        .collect();
    let detour: f64 = input.detour_factor.replace(',', ".").parse().unwrap_or(1.0);
    let radius: f64 = input.radius_km.replace(',', ".").parse().unwrap_or(0.0);
    let reach = proj.km(radius / detour.max(1.0));
    let sites: Vec<SiteRow> = out
        .sites
        .iter()
        .map(|s| {
            let (x, y) = proj.xy(Point::new(s.latitude, s.longitude));
            SiteRow {
                rank: s.rank,
                name: s.name.clone(),
                people_added: whole(lang, s.people_added),
                latitude: format!("{:.4}", s.latitude),
                longitude: format!("{:.4}", s.longitude),
                cx: px(x),
                cy: px(y),
                reach: px(reach),
            }
        })
        .collect();
    let query = input.query();
    Ok(context! {
        county => input.county,
        width => px(proj.width),
        height => px(proj.height),
        dots,
        hubs,
        sites,
        total => whole(lang, out.total),
        before => whole(lang, out.covered_before),
        after => whole(lang, out.covered_after),
        before_pct => percent(lang, out.covered_before, out.total),
        after_pct => percent(lang, out.covered_after, out.total),
        optimal => out.optimal,
        gap => whole(lang, out.gap),
        existing_hubs => out.existing_hubs,
        share => input.mode == "share",
        geojson_href => format!("/admin/sites.geojson?{query}"),
        csv_href => format!("/admin/sites.csv?{query}"),
    })
}

// ------------------------------------------------------------- downloads

async fn plan_for_download(
    state: &AppState,
    page: &Page,
    q: &SiteQuery,
) -> AppResult<(Input, SuggestOut)> {
    require_network_admin(page)?;
    let input = Input::of(q);
    let body = input.body().map_err(AppError::Validation)?;
    let out = compute(state, &body).await?;
    Ok((input, out))
}

/// An ASCII file name for the county, e.g. `sites-kalmar-lan`.
fn file_stem(county: &str) -> String {
    let mut s = String::from("sites-");
    for c in county.to_lowercase().chars() {
        match c {
            'å' | 'ä' => s.push('a'),
            'ö' => s.push('o'),
            c if c.is_ascii_alphanumeric() => s.push(c),
            _ if !s.ends_with('-') => s.push('-'),
            _ => {}
        }
    }
    s.trim_end_matches('-').to_string()
}

fn download(content_type: &str, file: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn geojson(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<SiteQuery>,
) -> AppResult<Response> {
    let (input, out) = plan_for_download(&state, &page, &q).await?;
    let features: Vec<serde_json::Value> = out
        .sites
        .iter()
        .map(|s| {
            serde_json::json!({
                "type": "Feature",
                "id": s.id,
                "geometry": { "type": "Point", "coordinates": [s.longitude, s.latitude] },
                "properties": { "rank": s.rank, "id": s.id, "name": s.name, "people_added": non_negative(s.people_added) },
            })
        })
        .collect();
    let doc = serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
        "summary": {
            "county": input.county,
            "radius_km": input.radius_km,
            "detour_factor": input.detour_factor,
            "total": out.total,
            "covered_before": out.covered_before,
            "covered_after": out.covered_after,
            "optimal": out.optimal,
            "gap": non_negative(out.gap),
            "existing_hubs": out.existing_hubs,
            "attribution": out.attribution,
        },
    });
    let body = serde_json::to_string_pretty(&doc).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(download(
        "application/geo+json",
        format!("{}.geojson", file_stem(&input.county)),
        body,
    ))
}

/// The suggested sites as CSV for a spreadsheet (see
/// [`spreadsheet::Csv`]), in the page's language: coordinates with its
/// decimal mark, people as whole numbers.
async fn csv(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<SiteQuery>,
) -> AppResult<Response> {
    let (input, out) = plan_for_download(&state, &page, &q).await?;
    let headings: Vec<String> = [
        "sites.rank",
        "sites.export.id",
        "sites.name",
        "sites.export.latitude",
        "sites.export.longitude",
        "sites.people_added",
    ]
    .iter()
    .map(|k| page.t(k))
    .collect();
    let mut body = Csv::start(&headings);
    let mut rows = Csv::new();
    for s in &out.sites {
        rows.row([
            s.rank.to_string(),
            spreadsheet::text(&s.id),
            spreadsheet::text(&s.name),
            spreadsheet::decimal(page.lang, s.latitude),
            spreadsheet::decimal(page.lang, s.longitude),
            format!("{:.0}", non_negative(s.people_added.round())),
        ]);
    }
    body.extend(rows.into_bytes());
    Ok(spreadsheet::csv_attachment(
        &format!("{}.csv", file_stem(&input.county)),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_file_names_read_well() {
        assert_eq!(whole(Lang::En, 1234567.0), "1,234,567");
        assert_eq!(whole(Lang::Sv, 950.0), "950");
        assert_eq!(percent(Lang::En, 1.0, 4.0), "25.0%");
        // Floating-point leftovers never show as "-0".
        for v in [-0.0, -0.2, -0.6, -1e-12] {
            assert_eq!(whole(Lang::Sv, v), "0", "{v}");
            assert_eq!(percent(Lang::En, v, 4.0), "0.0%", "{v}");
        }
        assert_eq!(percent(Lang::Sv, -0.0, 4.0), "0,0\u{a0}%");
        assert_eq!(
            file_stem("Västra Götalands län"),
            "sites-vastra-gotalands-lan"
        );
    }
}
