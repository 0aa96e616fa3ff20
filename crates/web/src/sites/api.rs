//! Site selection over the API: where the next hubs of a county should go,
//! computed by `thirdplace-sites` on the shipped locality data (GeoNames,
//! CC BY 4.0) with the network's existing hubs taken into account.

use crate::http::api::{require, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use thirdplace_domain::ValidationErrors;
use thirdplace_sites::{
    data, solve_max_cover, solve_min_sites, Candidate, Coverage, Limits, Point, Reach, SitesError,
};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestBody {
    /// The county (län) as in the shipped data, e.g. "Kalmar län".
    pub county: String,
    /// Straight-line reach of a hub in kilometres (more than 0, at most 500).
    pub radius_km: f64,
    /// Roads are longer than straight lines: reach is radius / detour factor (1–5).
    #[serde(default = "one")]
    pub detour_factor: f64,
    /// How many new sites to choose; or give `target_share` instead.
    #[serde(default)]
    pub count: Option<usize>,
    /// The fewest sites that bring coverage to this share (0 < share ≤ 1).
    #[serde(default)]
    pub target_share: Option<f64>,
    /// Plan as if the network had no hubs yet.
    #[serde(default)]
    pub ignore_hubs: bool,
}

fn one() -> f64 {
    1.0
}

#[derive(Serialize, ToSchema)]
pub struct SuggestedSite {
    pub rank: usize,
    /// The GeoNames id of the locality.
    pub id: String,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Inhabitants newly within reach, in the order the sites are added.
    pub people_added: f64,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestOut {
    pub sites: Vec<SuggestedSite>,
    /// Inhabitants of the county's localities (≥ 500 inhabitants).
    pub total: f64,
    pub covered_before: f64,
    pub covered_after: f64,
    /// Proven optimal (for `count`) or proven minimal (for `target_share`).
    pub optimal: bool,
    /// How much better any answer could be at most (0 when optimal).
    pub gap: f64,
    pub existing_hubs: usize,
    pub attribution: String,
}

fn field_error(field: &str, e: SitesError) -> AppError {
    let message = match e {
        SitesError::Invalid(m) => m,
        other => other.to_string(),
    };
    AppError::Validation(ValidationErrors::single(
        field,
        "invalid_parameter",
        message,
    ))
}

/// Suggests new hub sites for a county: `count` of them chosen to bring the
/// most inhabitants within reach (maximal covering, solved exactly), or the
/// fewest that reach `target_share`. Candidates are the county's localities
/// outside the municipalities' central towns. Network admins.
#[utoipa::path(post, path = "/sites/suggest", tag = "sites", request_body = SuggestBody, security(("token" = [])),
    responses((status = 200, body = SuggestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<SuggestBody>,
) -> AppResult<Json<SuggestOut>> {
    require(&auth, |p| p.can_manage_network())?;
    let body = body.parse()?;
    compute(&state, &body).await.map(Json)
}

/// Where the network's active hubs stand, with their names; none when the
/// plan is to be made as if the network had no hubs yet.
pub(crate) async fn hub_points(
    state: &AppState,
    ignore_hubs: bool,
) -> AppResult<Vec<(Point, String)>> {
    if ignore_hubs {
        return Ok(vec![]);
    }
    let mut hubs = state.store.list_hubs().await?;
    hubs.retain(|l| !l.hub.archived);
    let hubs = hubs
        .into_iter()
        .map(|l| (l.hub.latitude, l.hub.longitude, l.hub.name));
    Ok(hubs
        .map(|(lat, lon, name)| (Point::new(lat, lon), name))
        .collect())
}

/// The computation behind [`suggest`], shared with the planner page
/// (`/admin/sites`). The caller checks that the person is a network admin.
pub async fn compute(state: &AppState, body: &SuggestBody) -> AppResult<SuggestOut> {
    let reach = Reach::new(body.radius_km, body.detour_factor).map_err(|e| {
        let field = if e.to_string().starts_with("radius") {
            "radius_km"
        } else {
            "detour_factor"
        };
        field_error(field, e)
    })?;
    let demand = data::county(body.county.trim()).map_err(|e| field_error("county", e))?;
    let candidates: Vec<Candidate> = data::default_candidates(&[body.county.trim()])
        .map_err(|e| field_error("county", e))?
        .iter()
        .map(|l| l.as_candidate())
        .collect();
    match (body.count, body.target_share) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(AppError::Validation(ValidationErrors::single(
                "count",
                "count_or_share",
                "give either count or target_share",
            )))
        }
        _ => {}
    }
    let hubs = hub_points(state, body.ignore_hubs).await?;
    let hubs: Vec<Point> = hubs.into_iter().map(|(p, _)| p).collect();
    let points: Vec<(Point, f64)> = demand
        .iter()
        .map(|l| (l.point, l.population as f64))
        .collect();
    let existing_hubs = hubs.len();
    let (count, share) = (body.count, body.target_share);
    // Exact search is CPU work: off the async workers, with a time limit
    // after which the answer reports its proven gap.
    let solved = tokio::task::spawn_blocking(move || {
        let sites: Vec<Point> = candidates.iter().map(|c| c.point).collect();
        let cov = Coverage::build(&points, &hubs, &sites, &reach);
        let limits = Limits {
            time_limit: Some(Duration::from_secs(5)),
            ..Limits::default()
        };
        let result = match (count, share) {
            (Some(k), _) => solve_max_cover(&cov, k, limits)
                .map(|s| {
                    let proven = s.optimal;
                    (s, proven)
                })
                .map_err(|e| field_error("count", e)),
            (None, Some(t)) => solve_min_sites(&cov, t, limits)
                .map(|m| (m.solution, m.proven_minimal))
                .map_err(|e| field_error("target_share", e)),
            (None, None) => unreachable!("checked above"),
        };
        result.map(|r| (r, candidates))
    })
    .await
    .map_err(|e| AppError::Internal(Box::new(e)))?;
    let ((s, proven), candidates) = solved?;
    Ok(SuggestOut {
        sites: s
            .chosen
            .iter()
            .zip(&s.gains)
            .enumerate()
            .map(|(i, (&j, g))| {
                let c = &candidates[j];
                SuggestedSite {
                    rank: i + 1,
                    id: c.id.clone(),
                    name: c.name.clone(),
                    latitude: c.point.latitude,
                    longitude: c.point.longitude,
                    people_added: *g,
                }
            })
            .collect(),
        total: s.total,
        covered_before: s.covered_before,
        covered_after: s.covered_after,
        optimal: proven,
        gap: s.gap,
        existing_hubs,
        attribution: thirdplace_sites::ATTRIBUTION.to_string(),
    })
}
