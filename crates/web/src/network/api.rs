//! Regions, municipalities and operators: the network's own structure.
//! Everyone may read; network admins write.

use crate::http::api::{bool_str, path_id, require, ApiJson, ListQuery};
use crate::http::auth::Auth;
use crate::http::error::{AppResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thirdplace_domain::{
    new_id, Email, Municipality, MunicipalityInput, Operator, OperatorInput, OrgNumber, Region,
    RegionInput,
};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct RegionOut {
    pub id: Uuid,
    pub name: String,
    /// County code (länskod), two digits.
    pub code: String,
    pub archived: bool,
}

impl From<Region> for RegionOut {
    fn from(r: Region) -> Self {
        RegionOut {
            id: r.id,
            name: r.name,
            code: r.code,
            archived: r.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    pub name: String,
    pub code: String,
    #[serde(default)]
    pub archived: bool,
}

impl RegionBody {
    fn input(&self) -> RegionInput {
        RegionInput {
            name: self.name.clone(),
            code: self.code.clone(),
            archived: bool_str(self.archived),
        }
    }
}

#[utoipa::path(get, path = "/regions", tag = "network", params(ListQuery), responses((status = 200, body = [RegionOut])))]
pub async fn list_regions(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<RegionOut>>> {
    let all = state.store.list_regions().await?;
    Ok(Json(
        all.into_iter()
            .filter(|r| q.include_archived || !r.archived)
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/regions/{id}", tag = "network", responses((status = 200, body = RegionOut), (status = 404, body = ErrorBody)))]
pub async fn get_region(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<RegionOut>> {
    Ok(Json(state.store.get_region(path_id(&id)?).await?.into()))
}

/// Network admins only.
#[utoipa::path(post, path = "/regions", tag = "network", request_body = RegionBody, security(("token" = [])),
    responses((status = 201, body = RegionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_region(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<RegionBody>,
) -> AppResult<(StatusCode, Json<RegionOut>)> {
    require(&auth, |p| p.can_manage_network())?;
    let r = body.input().validate(new_id())?;
    state.store.insert_region(&r).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Replaces the region. Network admins only.
#[utoipa::path(put, path = "/regions/{id}", tag = "network", request_body = RegionBody, security(("token" = [])),
    responses((status = 200, body = RegionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_region(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RegionBody>,
) -> AppResult<Json<RegionOut>> {
    require(&auth, |p| p.can_manage_network())?;
    let r = body.input().validate(path_id(&id)?)?;
    state.store.update_region(&r).await?;
    Ok(Json(r.into()))
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityOut {
    pub id: Uuid,
    pub region_id: Uuid,
    pub name: String,
    /// Municipality code (kommunkod), four digits.
    pub code: String,
    /// The municipality's central town (centralort).
    pub central_town: String,
    pub archived: bool,
}

impl From<Municipality> for MunicipalityOut {
    fn from(m: Municipality) -> Self {
        MunicipalityOut {
            id: m.id,
            region_id: m.region_id,
            name: m.name,
            code: m.code,
            central_town: m.central_town,
            archived: m.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityBody {
    pub region_id: Uuid,
    pub name: String,
    pub code: String,
    pub central_town: String,
    #[serde(default)]
    pub archived: bool,
}

impl MunicipalityBody {
    fn input(&self) -> MunicipalityInput {
        MunicipalityInput {
            region_id: self.region_id.to_string(),
            name: self.name.clone(),
            code: self.code.clone(),
            central_town: self.central_town.clone(),
            archived: bool_str(self.archived),
        }
    }
}

#[utoipa::path(get, path = "/municipalities", tag = "network", params(ListQuery), responses((status = 200, body = [MunicipalityOut])))]
pub async fn list_municipalities(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<MunicipalityOut>>> {
    let all = state.store.list_municipalities().await?;
    Ok(Json(
        all.into_iter()
            .filter(|m| q.include_archived || !m.archived)
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/municipalities/{id}", tag = "network", responses((status = 200, body = MunicipalityOut), (status = 404, body = ErrorBody)))]
pub async fn get_municipality(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<MunicipalityOut>> {
    Ok(Json(
        state.store.get_municipality(path_id(&id)?).await?.into(),
    ))
}

/// Network admins only.
#[utoipa::path(post, path = "/municipalities", tag = "network", request_body = MunicipalityBody, security(("token" = [])),
    responses((status = 201, body = MunicipalityOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_municipality(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<MunicipalityBody>,
) -> AppResult<(StatusCode, Json<MunicipalityOut>)> {
    require(&auth, |p| p.can_manage_network())?;
    let m = body.input().validate(new_id())?;
    state.store.insert_municipality(&m).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Replaces the municipality. Network admins only.
#[utoipa::path(put, path = "/municipalities/{id}", tag = "network", request_body = MunicipalityBody, security(("token" = [])),
    responses((status = 200, body = MunicipalityOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_municipality(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MunicipalityBody>,
) -> AppResult<Json<MunicipalityOut>> {
    require(&auth, |p| p.can_manage_network())?;
    let m = body.input().validate(path_id(&id)?)?;
    state.store.update_municipality(&m).await?;
    Ok(Json(m.into()))
}

#[derive(Serialize, ToSchema)]
pub struct OperatorOut {
    pub id: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    pub contact_email: Option<String>,
    pub archived: bool,
}

impl From<Operator> for OperatorOut {
    fn from(o: Operator) -> Self {
        OperatorOut {
            id: o.id,
            name: o.name,
            org_number: o.org_number.map(OrgNumber::into_string),
            contact_email: o.contact_email.map(Email::into_string),
            archived: o.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorBody {
    pub name: String,
    #[serde(default)]
    pub org_number: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

impl OperatorBody {
    fn input(&self) -> OperatorInput {
        OperatorInput {
            name: self.name.clone(),
            org_number: self.org_number.clone().unwrap_or_default(),
            contact_email: self.contact_email.clone().unwrap_or_default(),
            archived: bool_str(self.archived),
        }
    }
}

#[utoipa::path(get, path = "/operators", tag = "network", params(ListQuery), responses((status = 200, body = [OperatorOut])))]
pub async fn list_operators(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<OperatorOut>>> {
    let all = state.store.list_operators().await?;
    Ok(Json(
        all.into_iter()
            .filter(|o| q.include_archived || !o.archived)
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/operators/{id}", tag = "network", responses((status = 200, body = OperatorOut), (status = 404, body = ErrorBody)))]
pub async fn get_operator(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<OperatorOut>> {
    Ok(Json(state.store.get_operator(path_id(&id)?).await?.into()))
}

/// Network admins only.
#[utoipa::path(post, path = "/operators", tag = "network", request_body = OperatorBody, security(("token" = [])),
    responses((status = 201, body = OperatorOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_operator(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<OperatorBody>,
) -> AppResult<(StatusCode, Json<OperatorOut>)> {
    require(&auth, |p| p.can_manage_network())?;
    let o = body.input().validate(new_id())?;
    state.store.insert_operator(&o).await?;
    Ok((StatusCode::CREATED, Json(o.into())))
}

/// Replaces the operator. Network admins only.
#[utoipa::path(put, path = "/operators/{id}", tag = "network", request_body = OperatorBody, security(("token" = [])),
    responses((status = 200, body = OperatorOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_operator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OperatorBody>,
) -> AppResult<Json<OperatorOut>> {
    require(&auth, |p| p.can_manage_network())?;
    let o = body.input().validate(path_id(&id)?)?;
    state.store.update_operator(&o).await?;
    Ok(Json(o.into()))
}
