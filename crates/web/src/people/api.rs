//! Organisations and people. Organisations are public register data;
//! people are personal data: only network admins and the admins of a
//! person's organisation see them, and everyone sees themself at `/me`.

use crate::http::api::{bool_str, path_id, require, seen_by, ApiJson};
use crate::http::api_resource::{plain_record, ApiDoc, ApiResource, At};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::one_time_links::invite_if_new;
use crate::http::origin::Origin;
use crate::http::paging::Paging;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use thirdplace_domain::{new_id, Organisation, OrganisationInput, Person, PersonInput, Principal};
use thirdplace_store::PeopleFilter;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationBody {
    pub name: String,
    /// Ten digits with a valid check digit, e.g. 212000-0142.
    pub org_number: String,
    pub kind: String,
    #[serde(default)]
    pub archived: bool,
    // As a buyer on invoices (issue 16): the buyer reference public buyers
    // require, the invoice address, the Peppol endpoint (by default scheme
    // 0007 with the organisation number).
    #[serde(default)]
    pub buyer_reference: Option<String>,
    #[serde(default)]
    pub cost_centre: Option<String>,
    #[serde(default)]
    pub invoice_street: Option<String>,
    #[serde(default)]
    pub invoice_postal_code: Option<String>,
    #[serde(default)]
    pub invoice_city: Option<String>,
    #[serde(default)]
    pub invoice_country: Option<String>,
    #[serde(default)]
    pub invoice_email: Option<String>,
    #[serde(default)]
    pub peppol_scheme: Option<String>,
    #[serde(default)]
    pub peppol_id: Option<String>,
}

impl OrganisationBody {
    fn input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            org_number: self.org_number.clone(),
            kind: self.kind.clone(),
            archived: bool_str(self.archived),
            buyer_reference: self.buyer_reference.clone().unwrap_or_default(),
            cost_centre: self.cost_centre.clone().unwrap_or_default(),
            invoice_street: self.invoice_street.clone().unwrap_or_default(),
            invoice_postal_code: self.invoice_postal_code.clone().unwrap_or_default(),
            invoice_city: self.invoice_city.clone().unwrap_or_default(),
            invoice_country: self.invoice_country.clone().unwrap_or_default(),
            invoice_email: self.invoice_email.clone().unwrap_or_default(),
            peppol_scheme: self.peppol_scheme.clone().unwrap_or_default(),
            peppol_id: self.peppol_id.clone().unwrap_or_default(),
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
    /// Operators whose invoicing the person works with (granted by network
    /// admins only).
    #[serde(default)]
    pub staff_of_operator_ids: Vec<Uuid>,
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
            staff_of_operator_ids: ids(&self.staff_of_operator_ids),
            archived: bool_str(self.archived),
        }
    }
}

/// Ids as a form's text.
fn ids(ids: &[Uuid]) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

pub struct Organisations;

impl ApiResource for Organisations {
    plain_record!(Organisation, OrganisationBody; list_organisations, get_organisation, insert_organisation, update_organisation);
    const DOC: ApiDoc = ApiDoc::new("people", "organisation", "organisations")
        .conflicts(true, true)
        .replaced("Replaces the organisation. Its admins and network admins.");

    fn may_replace(p: &Principal, old: &Organisation) -> bool {
        p.can_edit_organisation(old.id)
    }

    fn record(
        _: &AppState,
        body: OrganisationBody,
        at: At<Organisation>,
    ) -> AppResult<Organisation> {
        Ok(body.input().validate(at.id)?)
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
/// their organisations' people; by first name, last name and id, a page at
/// a time (`limit`, `cursor`, and a `Link: <…>; rel="next"` header while
/// there are more).
#[utoipa::path(get, path = "/people", tag = "people", params(PeopleQuery, Paging), security(("token" = [])),
    responses((status = 200, body = [Person], headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are more people"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    auth: Auth,
    paging: Paging,
    Query(q): Query<PeopleQuery>,
) -> AppResult<Response> {
    let viewer = require(&auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    // The store selects what the viewer may see, so that pages are full.
    let (organisation_ids, or_person) = match (viewer.is_network_admin, q.organisation_id) {
        (true, org) => (org.map(|o| vec![o]), None),
        (false, Some(o)) => (
            Some(
                Some(o)
                    .filter(|o| viewer.admin_of_organisation_ids.contains(o))
                    .into_iter()
                    .collect(),
            ),
            Some(viewer.person_id),
        ),
        (false, None) => (
            Some(viewer.admin_of_organisation_ids.clone()),
            Some(viewer.person_id),
        ),
    };
    let f = PeopleFilter {
        organisation_ids,
        or_person,
        include_archived: q.include_archived,
        after: paging.cursor(PEOPLE)?,
        limit: paging.fetch(),
    };
    let rows = state.store.list_people_page(&f).await?;
    let (rows, next) = paging.page(PEOPLE, rows, |p| {
        (p.first_name.clone(), p.last_name.clone(), p.id)
    });
    // The viewer is listed with an organisation's people only if theirs.
    let shown: Vec<Person> = rows
        .into_iter()
        .filter(|p| {
            may_see(&viewer, p)
                && q.organisation_id
                    .is_none_or(|o| p.organisation_id == Some(o))
        })
        .collect();
    Ok(paging.respond(Json(shown), next.as_deref()))
}

/// The name of the people list's cursors.
const PEOPLE: &str = "people";

#[utoipa::path(get, path = "/people/{id}", tag = "people", security(("token" = [])),
    responses((status = 200, body = Person), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Person>> {
    let viewer = require(&auth, |_| true)?;
    let p = seen_by(&viewer, state.store.get_person(path_id(&id)?), may_see).await?;
    Ok(Json(p))
}

/// Network admins, and organisation admins for their own organisations
/// (who can grant no role beyond admin of those organisations). The new
/// person is sent an invitation by e-mail to choose their password.
#[utoipa::path(post, path = "/people", tag = "people", request_body = PersonBody, security(("token" = [])),
    responses((status = 201, body = Person), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    auth: Auth,
    origin: Origin,
    body: ApiJson<PersonBody>,
) -> AppResult<(StatusCode, Json<Person>)> {
    let editor = require(&auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    // Which organisation and roles an organisation admin may give depends
    // on the body: it is read before that last check.
    let p = body.parse()?.input().validate(new_id())?;
    if !editor.can_save_person(None, &p) {
        return Err(AppError::Forbidden);
    }
    state.store.insert_person(&p).await?;
    // The new person gets in by the invitation's link.
    invite_if_new(&state, &origin.0, &p, editor.person_id).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Replaces the person and their roles.
#[utoipa::path(put, path = "/people/{id}", tag = "people", request_body = PersonBody, security(("token" = [])),
    responses((status = 200, body = Person), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<PersonBody>,
) -> AppResult<Json<Person>> {
    let editor = require(&auth, |p| {
        p.is_network_admin || !p.admin_of_organisation_ids.is_empty()
    })?;
    let old = seen_by(&editor, state.store.get_person(path_id(&id)?), may_see).await?;
    let p = body.parse()?.input().validate(old.id)?;
    if !editor.can_save_person(Some(&old), &p) {
        return Err(AppError::Forbidden);
    }
    state.store.update_person(&p).await?;
    Ok(Json(p))
}

/// The person behind the token.
#[utoipa::path(get, path = "/me", tag = "people", security(("token" = [])), responses((status = 200, body = Person), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Person>> {
    let p = auth.require()?;
    Ok(Json(state.store.get_person(p.person_id).await?))
}
