//! Admin pages of organisations and people: create, edit and archive them.
//! Network admins manage every organisation; an organisation admin only
//! their organisation and its people.
//!
//! Forms are re-shown with every field's problem next to the field and in a
//! summary at the top; nothing is written unless the whole form is valid.

use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{
    bool_str, render_form, render_list, save, status_cell, Child, Form, FormPage, Resource, Row,
    SavedQuery, NO_ERRORS,
};
use crate::http::page::{parse_id, Page};
use crate::http::roles::{require_network_admin, require_org};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use thirdplace_domain::*;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/organisations", get(organisations))
        .route(
            "/admin/organisations/new",
            get(new_organisation).post(create_organisation),
        )
        .route(
            "/admin/organisations/{id}",
            get(edit_organisation).post(update_organisation),
        )
        .route("/admin/people", get(people))
        .route("/admin/people/new", get(new_person).post(create_person))
        .route("/admin/people/{id}", get(edit_person).post(update_person))
}

// ----------------------------------------------------------- organisations

const ORGANISATIONS: Resource = Resource {
    list: "/admin/organisations",
    new_title: "admin.new_organisation",
    edit_title: "admin.edit_organisation",
};

fn organisation_input(f: &FormData) -> OrganisationInput {
    OrganisationInput {
        name: f.get("name"),
        org_number: f.get("org_number"),
        kind: f.get("kind"),
        archived: f.get("archived"),
    }
}

fn organisation_form(
    page: &Page,
    fp: FormPage,
    input: &OrganisationInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let kinds = OrgKind::ALL
        .iter()
        .map(|k| {
            (
                k.key().to_string(),
                page.t(&format!("org_kind.{}", k.key())),
            )
        })
        .collect();
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .text("org_number", &input.org_number)
        .required()
        .help("field.org_number_help")
        .select("kind", &input.kind, kinds, "admin.choose")
        .required()
        .archived(&input.archived);
    render_form(page, fp, form)
}

fn require_org_pages(page: &Page) -> AppResult<&Principal> {
    let u = page.user()?;
    if u.is_network_admin || !u.admin_of_organisation_ids.is_empty() {
        Ok(u)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn organisations(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let u = require_org_pages(&page)?.clone();
    let rows = state
        .store
        .list_organisations()
        .await?
        .into_iter()
        .filter(|o| u.can_edit_organisation(o.id))
        .map(|o| Row {
            href: ORGANISATIONS.href(o.id),
            cells: vec![
                o.name,
                o.org_number,
                page.t(&format!("org_kind.{}", o.kind.key())),
                status_cell(&page, o.archived),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.organisations",
        u.is_network_admin.then(|| ORGANISATIONS.new_href()),
        &[
            "field.name",
            "field.org_number",
            "field.kind",
            "admin.status",
        ],
        rows,
    )
}

fn edit_organisation_page(page: &Page, id: Uuid, saved: bool) -> FormPage<'static> {
    // A link section (no columns) to the organisation's seats.
    ORGANISATIONS
        .edit_page(id, saved)
        .with_children(vec![Child {
            title: page.t("admin.seats"),
            new_href: format!("/admin/organisations/{id}/seats"),
            new_label: page.t("seats.open"),
            columns: vec![],
            rows: vec![],
        }])
}

async fn new_organisation(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let (fp, input) = (ORGANISATIONS.new_page(), OrganisationInput::default());
    organisation_form(&page, fp, &input, NO_ERRORS)
}

async fn create_organisation(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = organisation_input(&form);
    let validated = input.validate(new_id());
    match save(validated, async |o| {
        state.store.insert_organisation(o).await
    })
    .await?
    {
        Ok(o) => Ok(ORGANISATIONS.saved(o.id)),
        Err(e) => organisation_form(&page, ORGANISATIONS.new_page(), &input, &e),
    }
}

async fn edit_organisation(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    require_org(&page, id)?;
    let o = state.store.get_organisation(id).await?;
    let input = OrganisationInput {
        name: o.name,
        org_number: o.org_number,
        kind: o.kind.key().into(),
        archived: bool_str(o.archived),
    };
    let fp = edit_organisation_page(&page, id, q.saved.is_some());
    organisation_form(&page, fp, &input, NO_ERRORS)
}

async fn update_organisation(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let id = parse_id(&id)?;
    require_org(&page, id)?;
    state.store.get_organisation(id).await?;
    let input = organisation_input(&form);
    let validated = input.validate(id);
    match save(validated, async |o| {
        state.store.update_organisation(o).await
    })
    .await?
    {
        Ok(_) => Ok(ORGANISATIONS.saved(id)),
        Err(e) => organisation_form(&page, edit_organisation_page(&page, id, false), &input, &e),
    }
}

// ------------------------------------------------------------------ people

const PEOPLE: Resource = Resource {
    list: "/admin/people",
    new_title: "admin.new_person",
    edit_title: "admin.edit_person",
};

/// Reads a person form. Fields the editor is not shown (roles only a
/// network admin grants) keep the values of `old`.
fn person_input(f: &FormData, editor: &Principal, old: Option<&Person>) -> PersonInput {
    let ids = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<Vec<_>>();
    PersonInput {
        first_name: f.get("first_name"),
        last_name: f.get("last_name"),
        email: f.get("email"),
        organisation_id: f.get("organisation_id"),
        is_network_admin: if editor.is_network_admin {
            f.get("is_network_admin")
        } else {
            bool_str(old.is_some_and(|p| p.is_network_admin))
        },
        hosted_hub_ids: if editor.is_network_admin {
            f.all("hosted_hub_ids")
        } else {
            old.map(|p| ids(&p.hosted_hub_ids)).unwrap_or_default()
        },
        admin_of_organisation_ids: f.all("admin_of_organisation_ids"),
        archived: f.get("archived"),
    }
}

fn person_to_input(p: &Person) -> PersonInput {
    PersonInput {
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        email: p.email.clone(),
        organisation_id: p.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
        is_network_admin: bool_str(p.is_network_admin),
        hosted_hub_ids: p.hosted_hub_ids.iter().map(Uuid::to_string).collect(),
        admin_of_organisation_ids: p
            .admin_of_organisation_ids
            .iter()
            .map(Uuid::to_string)
            .collect(),
        archived: bool_str(p.archived),
    }
}

async fn person_form(
    state: &AppState,
    page: &Page,
    fp: FormPage<'_>,
    input: &PersonInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let editor = page.user()?;
    let orgs: Vec<(String, String)> = state
        .store
        .list_organisations()
        .await?
        .into_iter()
        .filter(|o| editor.can_edit_organisation(o.id))
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let mut form = Form::new(page, errors)
        .text("first_name", &input.first_name)
        .autocomplete("given-name")
        .required()
        .text("last_name", &input.last_name)
        .autocomplete("family-name")
        .required()
        .text("email", &input.email)
        .autocomplete("email")
        .required()
        .select(
            "organisation_id",
            &input.organisation_id,
            orgs.clone(),
            if editor.is_network_admin {
                "admin.none"
            } else {
                "admin.choose"
            },
        );
    if editor.is_network_admin {
        let hubs = state
            .store
            .list_hubs()
            .await?
            .into_iter()
            .map(|l| (l.hub.id.to_string(), l.hub.name))
            .collect();
        form = form
            .checkbox("is_network_admin", &input.is_network_admin)
            .multi("hosted_hub_ids", &input.hosted_hub_ids, hubs);
    }
    let form = form
        .multi(
            "admin_of_organisation_ids",
            &input.admin_of_organisation_ids,
            orgs,
        )
        .archived(&input.archived);
    render_form(page, fp, form)
}

#[derive(Deserialize, Default)]
struct PeopleQuery {
    #[serde(default)]
    organisation: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<PeopleQuery>,
) -> AppResult<Response> {
    let u = require_org_pages(&page)?.clone();
    let filter = match q.organisation.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id(s)?),
        None => None,
    };
    let orgs = state.store.list_organisations().await?;
    let org_name = |id: Option<Uuid>| {
        id.and_then(|id| orgs.iter().find(|o| o.id == id))
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let rows = state
        .store
        .list_people(filter)
        .await?
        .into_iter()
        .filter(|p| {
            u.is_network_admin
                || p.organisation_id
                    .is_some_and(|o| u.can_edit_organisation(o))
        })
        .map(|p| Row {
            href: PEOPLE.href(p.id),
            cells: vec![
                format!("{} {}", p.first_name, p.last_name),
                p.email.clone(),
                org_name(p.organisation_id),
                status_cell(&page, p.archived),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.people",
        Some(PEOPLE.new_href()),
        &[
            "field.name",
            "field.email",
            "field.organisation_id",
            "admin.status",
        ],
        rows,
    )
}

async fn new_person(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let u = require_org_pages(&page)?;
    let mut input = PersonInput::default();
    if !u.is_network_admin {
        input.organisation_id = u
            .admin_of_organisation_ids
            .first()
            .map(Uuid::to_string)
            .unwrap_or_default();
    }
    person_form(&state, &page, PEOPLE.new_page(), &input, NO_ERRORS).await
}

async fn create_person(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let editor = require_org_pages(&page)?.clone();
    let input = person_input(&form, &editor, None);
    let validated = input.validate(new_id());
    if validated
        .as_ref()
        .is_ok_and(|p| !editor.can_save_person(None, p))
    {
        return Err(AppError::Forbidden);
    }
    match save(validated, async |p| state.store.insert_person(p).await).await? {
        Ok(p) => Ok(PEOPLE.saved(p.id)),
        Err(e) => person_form(&state, &page, PEOPLE.new_page(), &input, &e).await,
    }
}

async fn load_editable_person(state: &AppState, page: &Page, id: &str) -> AppResult<Person> {
    let editor = page.user()?;
    let p = state.store.get_person(parse_id(id)?).await?;
    if editor.is_network_admin
        || p.organisation_id
            .is_some_and(|o| editor.can_edit_organisation(o))
    {
        Ok(p)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn edit_person(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let p = load_editable_person(&state, &page, &id).await?;
    let fp = PEOPLE.edit_page(p.id, q.saved.is_some());
    person_form(&state, &page, fp, &person_to_input(&p), NO_ERRORS).await
}

async fn update_person(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let old = load_editable_person(&state, &page, &id).await?;
    let editor = page.user()?.clone();
    let input = person_input(&form, &editor, Some(&old));
    let validated = input.validate(old.id);
    if validated
        .as_ref()
        .is_ok_and(|p| !editor.can_save_person(Some(&old), p))
    {
        return Err(AppError::Forbidden);
    }
    match save(validated, async |p| state.store.update_person(p).await).await? {
        Ok(_) => Ok(PEOPLE.saved(old.id)),
        Err(e) => {
            let fp = PEOPLE.edit_page(old.id, false);
            person_form(&state, &page, fp, &input, &e).await
        }
    }
}
