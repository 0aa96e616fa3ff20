//! Admin pages of organisations and people: create, edit and archive them.
//! Network admins manage every organisation; an organisation admin only
//! their organisation and its people.
//!
//! Forms are re-shown with every field's problem next to the field and in a
//! summary at the top; nothing is written unless the whole form is valid.

use super::invitations;
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{
    bool_str, key_options, listed_routes, status_cell, Child, Form, Listed, NoQuery, Resource, Row,
    StoreWrite,
};
use crate::http::one_time_links::invite_if_new;
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
        OrganisationInput::from_organisation(o)
    }

    /// A link section (no columns) to the organisation's seats.
    async fn children(_: &AppState, page: &Page, o: &Organisation) -> AppResult<Vec<Child>> {
        let seats = format!("/admin/organisations/{}/seats", o.id);
        Ok(vec![Child::link(page, "admin.seats", seats, "seats.open")])
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
        let kinds = OrgKind::ALL.iter().map(|k| k.key());
        let kinds = key_options(form.page(), "org_kind", kinds);
        Ok(form
            .text("name", &input.name)
            .required()
            .text("org_number", &input.org_number)
            .required()
            .help("field.org_number_help")
            .select("kind", &input.kind, kinds, "admin.choose")
            .required()
            // As a buyer on invoices (issue 16).
            .text("buyer_reference", &input.buyer_reference)
            .help("field.buyer_reference_help")
            .text("cost_centre", &input.cost_centre)
            .text("invoice_street", &input.invoice_street)
            .autocomplete("street-address")
            .text("invoice_postal_code", &input.invoice_postal_code)
            .autocomplete("postal-code")
            .text("invoice_city", &input.invoice_city)
            .autocomplete("address-level2")
            .text("invoice_country", &input.invoice_country)
            .text("invoice_email", &input.invoice_email)
            .autocomplete("email")
            .text("peppol_scheme", &input.peppol_scheme)
            .numeric("numeric")
            .text("peppol_id", &input.peppol_id)
            .help("field.peppol_id_help")
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
        let mut orgs = state.store.list_organisations().await?;
        orgs.retain(|o| u.can_edit_organisation(o.id));
        let rows = Self::rows_of(orgs, |o| {
            let kind = page.t(&format!("org_kind.{}", o.kind.key()));
            let status = status_cell(page, o.archived);
            (o.id, vec![o.name, o.org_number.into_string(), kind, status])
        });
        Ok((rows, u.is_network_admin))
    }
}

// ------------------------------------------------------------------ people

pub(super) struct People;

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
        if editor.can_manage_person(&p) {
            Ok(p)
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn key(p: &Person) -> (Uuid, ()) {
        (p.id, ())
    }

    /// Whether the person has activated their account or been invited
    /// (with buttons to invite again or revoke); network admins also get
    /// a way to erase the person on request (unless that is done already).
    async fn children(state: &AppState, page: &Page, p: &Person) -> AppResult<Vec<Child>> {
        let mut children = vec![invitations::section(state, page, p).await?];
        if page.user()?.is_network_admin && !crate::people::privacy::is_erased(p) {
            let erase = format!("/admin/people/{}/erase", p.id);
            children.push(Child::link(
                page,
                "erase_person.title",
                erase,
                "erase_person.open",
            ));
        }
        Ok(children)
    }

    /// The new person is sent an invitation, as through the API.
    async fn after_create(
        state: &AppState,
        page: &Page,
        origin: &str,
        p: &Person,
    ) -> AppResult<()> {
        invite_if_new(state, origin, p, page.user()?.person_id)
            .await
            .map(drop)
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
            staff_of_operator_ids: p
                .staff_of_operator_ids
                .iter()
                .map(Uuid::to_string)
                .collect(),
            archived: bool_str(p.archived),
        }
    }

    /// Fields the editor is not shown (roles only a network admin grants)
    /// keep the values of `old`.
    fn read(f: &FormData, page: &Page, old: Option<&Person>) -> AppResult<PersonInput> {
        let mut input: PersonInput = f.decode()?;
        if !page.user()?.is_network_admin {
            input.is_network_admin = bool_str(old.is_some_and(|p| p.is_network_admin));
            input.hosted_hub_ids = old
                .map(|p| p.hosted_hub_ids.iter().map(Uuid::to_string).collect())
                .unwrap_or_default();
            input.staff_of_operator_ids = old
                .map(|p| {
                    p.staff_of_operator_ids
                        .iter()
                        .map(Uuid::to_string)
                        .collect()
                })
                .unwrap_or_default();
        }
        Ok(input)
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
            let operators = state
                .store
                .list_operators()
                .await?
                .into_iter()
                .filter(|o| !o.archived)
                .map(|o| (o.id.to_string(), o.name))
                .collect();
            form = form
                .checkbox("is_network_admin", &input.is_network_admin)
                .multi("hosted_hub_ids", &input.hosted_hub_ids, hubs)
                .multi(
                    "staff_of_operator_ids",
                    &input.staff_of_operator_ids,
                    operators,
                );
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
pub(super) struct PeopleQuery {
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
        "invitation_state.column",
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
        let mut people = state.store.list_people(filter).await?;
        people.retain(|p| u.can_manage_person(p));
        // One overview for the whole list, not two queries a person.
        let access = state.store.access_overview(filter).await?;
        let now = state.now();
        let rows = Self::rows_of(people, |p| {
            let name = format!("{} {}", p.first_name, p.last_name);
            let org = org_name(p.organisation_id);
            let account = access.state_of(p.id, p.archived, now).key();
            let account = page.t(&format!("invitation_state.{account}"));
            let status = status_cell(page, p.archived);
            (p.id, vec![name, p.email.to_string(), org, account, status])
        });
        Ok((rows, true))
    }
}
