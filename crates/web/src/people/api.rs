//! Organisations and people. Organisations are public register data;
//! people are personal data: only network admins and the admins of a
//! person's organisation see them, and everyone sees themself at `/me`.

use crate::http::api::{bool_str, path_id, require, ApiJson, ListQuery};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use thirdplace_domain::{new_id, Organisation, OrganisationInput, Person, PersonInput, Principal};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: Uuid,
    pub name: String,
    /// Organisationsnummer, NNNNNN-NNNN.
    pub org_number: String,
    /// municipality, region, government_agency, company, sole_trader or association
    pub kind: String,
    pub archived: bool,
}

impl From<Organisation> for OrganisationOut {
    fn from(o: Organisation) -> Self {
        OrganisationOut {
            id: o.id,
            name: o.name,
            org_number: o.org_number.into_string(),
            kind: o.kind.key().into(),
            archived: o.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationBody {
    pub name: String,
    /// Ten digits with a valid check digit, e.g. 212000-0142.
    pub org_number: String,
    pub kind: String,
    #[serde(default)]
    pub archived: bool,
}

impl OrganisationBody {
    fn input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            org_number: self.org_number.clone(),
            kind: self.kind.clone(),
            archived: bool_str(self.archived),
        }
    }
}

#[utoipa::path(get, path = "/organisations", tag = "people", params(ListQuery), responses((status = 200, body = [OrganisationOut])))]
pub async fn list_organisations(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<OrganisationOut>>> {
    let all = state.store.list_organisations().await?;
    Ok(Json(
        all.into_iter()
            .filter(|o| q.include_archived || !o.archived)
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/organisations/{id}", tag = "people", responses((status = 200, body = OrganisationOut), (status = 404, body = ErrorBody)))]
pub async fn get_organisation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<OrganisationOut>> {
    Ok(Json(
        state.store.get_organisation(path_id(&id)?).await?.into(),
    ))
}

/// Network admins only.
#[utoipa::path(post, path = "/organisations", tag = "people", request_body = OrganisationBody, security(("token" = [])),
    responses((status = 201, body = OrganisationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<OrganisationBody>,
) -> AppResult<(StatusCode, Json<OrganisationOut>)> {
    require(&auth, |p| p.can_manage_network())?;
    let o = body.input().validate(new_id())?;
    state.store.insert_organisation(&o).await?;
    Ok((StatusCode::CREATED, Json(o.into())))
}

/// Replaces the organisation. Its admins and network admins.
#[utoipa::path(put, path = "/organisations/{id}", tag = "people", request_body = OrganisationBody, security(("token" = [])),
    responses((status = 200, body = OrganisationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_organisation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OrganisationBody>,
) -> AppResult<Json<OrganisationOut>> {
    let id = path_id(&id)?;
    require(&auth, |p| p.can_edit_organisation(id))?;
    let o = body.input().validate(id)?;
    state.store.update_organisation(&o).await?;
    Ok(Json(o.into()))
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub organisation_id: Option<Uuid>,
    pub is_network_admin: bool,
    pub hosted_hub_ids: Vec<Uuid>,
    pub admin_of_organisation_ids: Vec<Uuid>,
    pub archived: bool,
}

impl From<Person> for PersonOut {
    fn from(p: Person) -> Self {
        PersonOut {
            id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
            email: p.email.into_string(),
            organisation_id: p.organisation_id,
            is_network_admin: p.is_network_admin,
            hosted_hub_ids: p.hosted_hub_ids,
            admin_of_organisation_ids: p.admin_of_organisation_ids,
            archived: p.archived,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    #[serde(default)]
    pub is_network_admin: bool,
    #[serde(default)]
    pub hosted_hub_ids: Vec<Uuid>,
    #[serde(default)]
    pub admin_of_organisation_ids: Vec<Uuid>,
    #[serde(default)]
    pub archived: bool,
}

impl PersonBody {
    fn input(&self) -> PersonInput {
        PersonInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            organisation_id: self
                .organisation_id
                .map(|o| o.to_string())
                .unwrap_or_default(),
            is_network_admin: bool_str(self.is_network_admin),
            hosted_hub_ids: self.hosted_hub_ids.iter().map(Uuid::to_string).collect(),
            admin_of_organisation_ids: self
                .admin_of_organisation_ids
                .iter()
                .map(Uuid::to_string)
                .collect(),
            archived: bool_str(self.archived),
        }
    }
}

fn may_see(viewer: &Principal, p: &Person) -> bool {
    viewer.is_network_admin
        || viewer.person_id == p.id
        || p.organisation_id
            .is_some_and(|o| viewer.admin_of_organisation_ids.contains(&o))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Only the people of this organisation.
    pub organisation_id: Option<Uuid>,
    #[serde(default)]
    pub include_archived: bool,
}

/// People the caller may see: network admins everyone, organisation admins
/// their organisations' people.
#[utoipa::path(get, path = "/people", tag = "people", params(PeopleQuery), security(("token" = [])),
    responses((status = 200, body = [PersonOut]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PeopleQuery>,
) -> AppResult<Json<Vec<PersonOut>>> {
    let viewer = require(&auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    let all = state.store.list_people(q.organisation_id).await?;
    Ok(Json(
        all.into_iter()
            .filter(|p| may_see(&viewer, p) && (q.include_archived || !p.archived))
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/people/{id}", tag = "people", security(("token" = [])),
    responses((status = 200, body = PersonOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<PersonOut>> {
    let viewer = require(&auth, |_| true)?;
    let p = state.store.get_person(path_id(&id)?).await?;
    // Someone the caller may not see is, to them, not there.
    if !may_see(&viewer, &p) {
        return Err(AppError::NotFound);
    }
    Ok(Json(p.into()))
}

/// Network admins, and organisation admins for their own organisations
/// (who can grant no role beyond admin of those organisations).
#[utoipa::path(post, path = "/people", tag = "people", request_body = PersonBody, security(("token" = [])),
    responses((status = 201, body = PersonOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<PersonBody>,
) -> AppResult<(StatusCode, Json<PersonOut>)> {
    let editor = require(&auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    let p = body.input().validate(new_id())?;
    if !editor.can_save_person(None, &p) {
        return Err(AppError::Forbidden);
    }
    state.store.insert_person(&p).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Replaces the person and their roles.
#[utoipa::path(put, path = "/people/{id}", tag = "people", request_body = PersonBody, security(("token" = [])),
    responses((status = 200, body = PersonOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonBody>,
) -> AppResult<Json<PersonOut>> {
    let editor = require(&auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    let old = state.store.get_person(path_id(&id)?).await?;
    if !may_see(&editor, &old) {
        return Err(AppError::NotFound);
    }
    let p = body.input().validate(old.id)?;
    if !editor.can_save_person(Some(&old), &p) {
        return Err(AppError::Forbidden);
    }
    state.store.update_person(&p).await?;
    Ok(Json(p.into()))
}

/// The person behind the token.
#[utoipa::path(get, path = "/me", tag = "people", security(("token" = [])), responses((status = 200, body = PersonOut), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> AppResult<Json<PersonOut>> {
    let p = auth.require()?;
    Ok(Json(state.store.get_person(p.person_id).await?.into()))
}
