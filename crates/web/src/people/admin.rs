//! Admin pages of organisations and people: create, edit and archive them.
//! Network admins manage every organisation; an organisation admin only
//! their organisation and its people.
//!
//! Forms are re-shown with every field's problem next to the field and in a
//! summary at the top; nothing is written unless the whole form is valid.

use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{
    bool_str, listed_routes, status_cell, Child, Form, FormPage, Listed, NoQuery, Resource, Row,
    StoreWrite,
};
use crate::http::page::{parse_id, Page};
use crate::http::roles::{require_network_admin, require_org, require_org_pages};
use crate::AppState;
use axum::Router;
use serde::Deserialize;
use thirdplace_domain::*;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(listed_routes::<Organisations>())
        .merge(listed_routes::<People>())
}

// ----------------------------------------------------------- organisations

struct Organisations;

impl Resource for Organisations {
    type Parent = ();
    type Record = Organisation;
    type Input = OrganisationInput;
    const BASE: &'static str = "/admin/organisations";
    const NEW: &'static str = "/admin/organisations/new";
    const NEW_TITLE: &'static str = "admin.new_organisation";
    const EDIT_TITLE: &'static str = "admin.edit_organisation";

    /// Only network admins add organisations.
    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        require_network_admin(page).map(drop)
    }

    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Organisation> {
        let id = parse_id(id)?;
        require_org(page, id)?;
        Ok(state.store.get_organisation(id).await?)
    }

    fn key(o: &Organisation) -> (Uuid, ()) {
        (o.id, ())
    }

    fn to_input(o: &Organisation) -> OrganisationInput {
        OrganisationInput {
            name: o.name.clone(),
            org_number: o.org_number.to_string(),
            kind: o.kind.key().into(),
            archived: bool_str(o.archived),
        }
    }

    /// A link section (no columns) to the organisation's seats.
    async fn edit_page(
        _: &AppState,
        page: &Page,
        o: &Organisation,
        saved: bool,
    ) -> AppResult<FormPage<'static>> {
        let id = o.id;
        let fp = FormPage::new(Self::EDIT_TITLE, Self::href(id), Self::BASE.into());
        Ok(fp.saved(saved).with_children(vec![Child {
            title: page.t("admin.seats"),
            new_href: format!("/admin/organisations/{id}/seats"),
            new_label: page.t("seats.open"),
            columns: vec![],
            rows: vec![],
        }]))
    }

    fn read(f: &FormData, _: &Page, _: Option<&Organisation>) -> AppResult<OrganisationInput> {
        Ok(OrganisationInput {
            name: f.get("name"),
            org_number: f.get("org_number"),
            kind: f.get("kind"),
            archived: f.get("archived"),
        })
    }

    fn validate(
        input: &OrganisationInput,
        id: Uuid,
        _: &(),
    ) -> Result<Organisation, ValidationErrors> {
        input.validate(id)
    }

    const INSERT: StoreWrite<Organisation> = |store, o| store.insert_organisation(o);
    const UPDATE: StoreWrite<Organisation> = |store, o| store.update_organisation(o);

    async fn fields<'a>(
        _: &AppState,
        form: Form<'a>,
        input: &OrganisationInput,
    ) -> AppResult<Form<'a>> {
        let page = form.page();
        let kinds = OrgKind::ALL
            .iter()
            .map(|k| {
                (
                    k.key().to_string(),
                    page.t(&format!("org_kind.{}", k.key())),
                )
            })
            .collect();
        Ok(form
            .text("name", &input.name)
            .required()
            .text("org_number", &input.org_number)
            .required()
            .help("field.org_number_help")
            .select("kind", &input.kind, kinds, "admin.choose")
            .required()
            .archived(&input.archived))
    }
}

impl Listed for Organisations {
    type Query = NoQuery;
    const TITLE: &'static str = "admin.organisations";
    const COLUMNS: &'static [&'static str] = &[
        "field.name",
        "field.org_number",
        "field.kind",
        "admin.status",
    ];

    /// Organisation admins see their own; only network admins add one.
    async fn rows(state: &AppState, page: &Page, _: NoQuery) -> AppResult<(Vec<Row>, bool)> {
        let u = require_org_pages(page)?;
        let rows = state
            .store
            .list_organisations()
            .await?
            .into_iter()
            .filter(|o| u.can_edit_organisation(o.id))
            .map(|o| Row {
                href: Self::href(o.id),
                cells: vec![
                    o.name,
                    o.org_number.into_string(),
                    page.t(&format!("org_kind.{}", o.kind.key())),
                    status_cell(page, o.archived),
                ],
            })
            .collect();
        Ok((rows, u.is_network_admin))
    }
}

// ------------------------------------------------------------------ people

struct People;

impl Resource for People {
    type Parent = ();
    type Record = Person;
    type Input = PersonInput;
    const BASE: &'static str = "/admin/people";
    const NEW: &'static str = "/admin/people/new";
    const NEW_TITLE: &'static str = "admin.new_person";
    const EDIT_TITLE: &'static str = "admin.edit_person";

    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        require_org_pages(page).map(drop)
    }

    /// An organisation admin's new person starts in their organisation.
    fn blank(page: &Page, _: &()) -> AppResult<PersonInput> {
        let u = page.user()?;
        let mut input = PersonInput::default();
        if !u.is_network_admin {
            input.organisation_id = u
                .admin_of_organisation_ids
                .first()
                .map(Uuid::to_string)
                .unwrap_or_default();
        }
        Ok(input)
    }

    /// Network admins edit everyone; organisation admins their people.
    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Person> {
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

    fn key(p: &Person) -> (Uuid, ()) {
        (p.id, ())
    }

    /// Network admins get a way to erase the person on request (unless
    /// that is done already).
    async fn edit_page(
        _: &AppState,
        page: &Page,
        p: &Person,
        saved: bool,
    ) -> AppResult<FormPage<'static>> {
        let fp = FormPage::new(Self::EDIT_TITLE, Self::href(p.id), Self::BASE.into()).saved(saved);
        if !page.user()?.is_network_admin || crate::people::privacy::is_erased(p) {
            return Ok(fp);
        }
        Ok(fp.with_children(vec![Child {
            title: page.t("erase_person.title"),
            new_href: format!("/admin/people/{}/erase", p.id),
            new_label: page.t("erase_person.open"),
            columns: vec![],
            rows: vec![],
        }]))
    }

    fn to_input(p: &Person) -> PersonInput {
        PersonInput {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            email: p.email.to_string(),
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

    /// Fields the editor is not shown (roles only a network admin grants)
    /// keep the values of `old`.
    fn read(f: &FormData, page: &Page, old: Option<&Person>) -> AppResult<PersonInput> {
        let editor = page.user()?;
        let ids = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<Vec<_>>();
        Ok(PersonInput {
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
        })
    }

    fn validate(input: &PersonInput, id: Uuid, _: &()) -> Result<Person, ValidationErrors> {
        input.validate(id)
    }

    /// An organisation admin may not move a person out of their
    /// organisations nor grant roles they do not hold.
    fn check(page: &Page, old: Option<&Person>, p: &Person) -> AppResult<()> {
        if page.user()?.can_save_person(old, p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    const INSERT: StoreWrite<Person> = |store, p| store.insert_person(p);
    const UPDATE: StoreWrite<Person> = |store, p| store.update_person(p);

    async fn fields<'a>(
        state: &AppState,
        form: Form<'a>,
        input: &PersonInput,
    ) -> AppResult<Form<'a>> {
        let page = form.page();
        let editor = page.user()?;
        let orgs: Vec<(String, String)> = state
            .store
            .list_organisations()
            .await?
            .into_iter()
            .filter(|o| editor.can_edit_organisation(o.id))
            .map(|o| (o.id.to_string(), o.name))
            .collect();
        let mut form = form
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
        Ok(form
            .multi(
                "admin_of_organisation_ids",
                &input.admin_of_organisation_ids,
                orgs,
            )
            .archived(&input.archived))
    }
}

#[derive(Deserialize, Default)]
struct PeopleQuery {
    #[serde(default)]
    organisation: Option<String>,
}

impl Listed for People {
    /// `?organisation=…` lists only that organisation's people.
    type Query = PeopleQuery;
    const TITLE: &'static str = "admin.people";
    const COLUMNS: &'static [&'static str] = &[
        "field.name",
        "field.email",
        "field.organisation_id",
        "admin.status",
    ];

    async fn rows(state: &AppState, page: &Page, q: PeopleQuery) -> AppResult<(Vec<Row>, bool)> {
        let u = require_org_pages(page)?;
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
                href: Self::href(p.id),
                cells: vec![
                    format!("{} {}", p.first_name, p.last_name),
                    p.email.to_string(),
                    org_name(p.organisation_id),
                    status_cell(page, p.archived),
                ],
            })
            .collect();
        Ok((rows, true))
    }
}
