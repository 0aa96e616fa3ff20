//! `/api/v1/pilots`: pilots (network admins write them; hosts read the
//! pilots of their hubs) and `/api/v1/pilots/{id}/evaluation`, every
//! indicator per hub and for the pilot with each goal's verdict.

use super::service;
use crate::http::api::{path_id, require, seen_by, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thirdplace_domain::evaluation::{
    BucketMeasures, Direction, GoalInput, GoalResult, GoalScope, Indicator, Measures, Pilot,
    PilotInput,
};
use thirdplace_domain::new_id;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_pilots, create_pilot))
        .routes(routes!(get_pilot, update_pilot))
        .routes(routes!(pilot_evaluation))
}

/// A goal: an indicator with a direction and a target.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalBody {
    pub indicator: Indicator,
    /// The goal in the pilot's words; required for `manual`.
    #[serde(default)]
    pub label: String,
    /// `at_least` when left out.
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Hours for `visit_hours`, per cent for retention.
    pub target: i64,
    /// `each_hub` when left out.
    #[serde(default)]
    pub scope: Option<GoalScope>,
    /// The value of a `manual` indicator, as measured elsewhere.
    #[serde(default)]
    pub manual_value: Option<i64>,
}

/// A pilot as written.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PilotBody {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The responsible region.
    pub region_id: Uuid,
    /// First day, `YYYY-MM-DD`.
    #[schema(value_type = String, example = "2021-12-01")]
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    #[schema(value_type = String, example = "2023-05-30")]
    pub ends_on: String,
    /// Different people in a week that make critical mass (5 when left out).
    #[serde(default)]
    pub critical_mass_people: Option<i64>,
    pub hub_ids: Vec<Uuid>,
    #[serde(default)]
    pub goals: Vec<GoalBody>,
    #[serde(default)]
    pub archived: bool,
}

impl PilotBody {
    fn validate(self, id: Uuid) -> AppResult<Pilot> {
        let input = PilotInput {
            name: self.name,
            description: self.description,
            region_id: self.region_id.to_string(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            critical_mass_people: self
                .critical_mass_people
                .map(|n| n.to_string())
                .unwrap_or_default(),
            hub_ids: self.hub_ids.iter().map(Uuid::to_string).collect(),
            goals: self
                .goals
                .into_iter()
                .map(|g| GoalInput {
                    indicator: g.indicator.key().into(),
                    label: g.label,
                    direction: g.direction.map(|d| d.key().into()).unwrap_or_default(),
                    target: g.target.to_string(),
                    scope: g.scope.map(|s| s.key().into()).unwrap_or_default(),
                    manual_value: g.manual_value.map(|v| v.to_string()).unwrap_or_default(),
                })
                .collect(),
            archived: if self.archived {
                "true".into()
            } else {
                String::new()
            },
        };
        Ok(input.validate(id)?)
    }
}

/// The pilots the caller may see: all for network admins, those with a
/// hub of theirs for hosts.
#[utoipa::path(get, path = "/pilots", tag = "evaluation", security(("token" = [])),
    responses((status = 200, body = Vec<Pilot>), (status = 401, body = ErrorBody)))]
pub async fn list_pilots(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Pilot>>> {
    let p = require(&auth, |_| true)?;
    Ok(Json(service::visible(&state, &p).await?))
}

/// Adds a pilot. Network admins only.
#[utoipa::path(post, path = "/pilots", tag = "evaluation", request_body = PilotBody, security(("token" = [])),
    responses((status = 201, body = Pilot), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_pilot(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<PilotBody>,
) -> AppResult<(StatusCode, Json<Pilot>)> {
    let who = require(&auth, |p| p.can_manage_network())?;
    let pilot = body.parse()?.validate(new_id())?;
    service::save(&state, who.person_id, &pilot, true).await?;
    Ok((StatusCode::CREATED, Json(pilot)))
}

/// One pilot with its hubs and goals.
#[utoipa::path(get, path = "/pilots/{id}", tag = "evaluation", security(("token" = [])),
    responses((status = 200, body = Pilot), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_pilot(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Pilot>> {
    let id = path_id(&id)?;
    let p = require(&auth, |_| true)?;
    Ok(Json(
        seen_by(&p, state.store.get_pilot(id), service::may_see).await?,
    ))
}

/// Replaces a pilot, its hubs and goals. Network admins only.
#[utoipa::path(put, path = "/pilots/{id}", tag = "evaluation", request_body = PilotBody, security(("token" = [])),
    responses((status = 200, body = Pilot), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_pilot(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<PilotBody>,
) -> AppResult<Json<Pilot>> {
    let id = path_id(&id)?;
    let who = require(&auth, |p| p.can_manage_network())?;
    state.store.get_pilot(id).await?;
    let pilot = body.parse()?.validate(id)?;
    service::save(&state, who.person_id, &pilot, false).await?;
    Ok(Json(pilot))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD`; the pilot's first day when left out.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`; the pilot's last day when left out.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HubMeasuresOut {
    pub hub_id: Uuid,
    pub name: String,
    pub measures: Measures,
}

#[derive(Serialize, ToSchema)]
pub struct MonthOut {
    #[schema(value_type = String, example = "2022-01-01")]
    pub from: NaiveDate,
    #[schema(value_type = String, example = "2022-01-31")]
    pub to: NaiveDate,
    pub measures: BucketMeasures,
}

/// A pilot's evaluation over a period.
#[derive(Serialize, ToSchema)]
pub struct EvaluationOut {
    pub pilot_id: Uuid,
    #[schema(value_type = String, example = "2021-12-01")]
    pub from: NaiveDate,
    #[schema(value_type = String, example = "2023-05-30")]
    pub to: NaiveDate,
    /// When it was measured; a period still running is judged as of now.
    pub as_of: DateTime<Utc>,
    pub hubs: Vec<HubMeasuresOut>,
    /// The pilot's hubs together (each person once).
    pub pilot: Measures,
    pub goals: Vec<GoalResult>,
    pub months: Vec<MonthOut>,
}

/// Every indicator of a pilot per hub and for the pilot, every goal's
/// verdict (`met`, `not_met`, `too_early`) and the months, over the
/// pilot's period or the one asked for.
#[utoipa::path(get, path = "/pilots/{id}/evaluation", tag = "evaluation", params(PeriodQuery), security(("token" = [])),
    responses((status = 200, body = EvaluationOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pilot_evaluation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<EvaluationOut>> {
    let id = path_id(&id)?;
    let p = require(&auth, |_| true)?;
    let pilot = seen_by(&p, state.store.get_pilot(id), service::may_see).await?;
    let period = service::period_of(
        &pilot,
        q.from.as_deref().unwrap_or(""),
        q.to.as_deref().unwrap_or(""),
    )?;
    let r = service::report(&state, &pilot, period).await?;
    let names: std::collections::HashMap<Uuid, String> = r.hub_names.into_iter().collect();
    Ok(Json(EvaluationOut {
        pilot_id: pilot.id,
        from: period.from,
        to: period.to,
        as_of: r.now,
        hubs: r
            .evaluation
            .hubs
            .into_iter()
            .map(|h| HubMeasuresOut {
                name: names.get(&h.hub_id).cloned().unwrap_or_default(),
                hub_id: h.hub_id,
                measures: h.measures,
            })
            .collect(),
        pilot: r.evaluation.pilot,
        goals: r.evaluation.goals,
        months: r
            .months
            .into_iter()
            .map(|(m, measures)| MonthOut {
                from: m.from,
                to: m.to,
                measures,
            })
            .collect(),
    }))
}
