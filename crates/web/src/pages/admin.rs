//! Admin pages: create, edit and archive regions, municipalities,
//! operators, hubs (with opening hours), zones, rooms, organisations and
//! people. Network admins manage everything; a hub host only their hubs and
//! those hubs' zones and rooms; an organisation admin only their
//! organisation and its people.
//!
//! Forms are re-shown with every field's problem next to the field and in a
//! summary at the top; nothing is written unless the whole form is valid.

use super::public::parse_id;
use super::Page;
use crate::error::{AppError, AppResult};
use crate::forms::FormData;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::{Deserialize, Serialize};
use thirdplace_domain::*;
use thirdplace_store::{StoreError, StoreResult};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/regions", get(regions))
        .route("/admin/regions/new", get(new_region).post(create_region))
        .route("/admin/regions/{id}", get(edit_region).post(update_region))
        .route("/admin/municipalities", get(municipalities))
        .route(
            "/admin/municipalities/new",
            get(new_municipality).post(create_municipality),
        )
        .route(
            "/admin/municipalities/{id}",
            get(edit_municipality).post(update_municipality),
        )
        .route("/admin/operators", get(operators))
        .route(
            "/admin/operators/new",
            get(new_operator).post(create_operator),
        )
        .route(
            "/admin/operators/{id}",
            get(edit_operator).post(update_operator),
        )
        .route("/admin/hubs", get(hubs))
        .route("/admin/hubs/new", get(new_hub).post(create_hub))
        .route("/admin/hubs/{id}", get(edit_hub).post(update_hub))
        .route(
            "/admin/hubs/{id}/zones/new",
            get(new_zone).post(create_zone),
        )
        .route("/admin/zones/{id}", get(edit_zone).post(update_zone))
        .route(
            "/admin/hubs/{id}/rooms/new",
            get(new_room).post(create_room),
        )
        .route("/admin/rooms/{id}", get(edit_room).post(update_room))
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

// ------------------------------------------------------------ form helpers

#[derive(Serialize)]
pub(crate) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
pub(crate) struct Field {
    id: String,
    name: String,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<Opt>,
    error: Option<String>,
    help: Option<String>,
    required: bool,
    inputmode: Option<&'static str>,
    autocomplete: Option<&'static str>,
}

/// Builds a form's fields, attaching each field's error in the page language.
pub(crate) struct Form<'a> {
    page: &'a Page,
    errors: &'a ValidationErrors,
    fields: Vec<Field>,
}

impl<'a> Form<'a> {
    pub(crate) fn new(page: &'a Page, errors: &'a ValidationErrors) -> Self {
        Form {
            page,
            errors,
            fields: Vec::new(),
        }
    }

    fn push(mut self, kind: &'static str, name: &str, value: &str, options: Vec<Opt>) -> Self {
        let error = self
            .errors
            .for_field(name)
            .map(|e| self.page.field_message(e));
        self.fields.push(Field {
            id: format!("f-{name}"),
            name: name.to_string(),
            label: self.page.t(&format!("field.{name}")),
            kind,
            value: value.to_string(),
            options,
            error,
            help: None,
            required: false,
            inputmode: None,
            autocomplete: None,
        });
        self
    }

    pub(crate) fn text(self, name: &str, value: &str) -> Self {
        self.push("text", name, value, vec![])
    }

    pub(crate) fn textarea(self, name: &str, value: &str) -> Self {
        self.push("textarea", name, value, vec![])
    }

    pub(crate) fn checkbox(self, name: &str, value: &str) -> Self {
        let checked = matches!(value, "true" | "on");
        self.push("checkbox", name, if checked { "true" } else { "" }, vec![])
    }

    /// A single choice; `empty` is the label key of the "nothing chosen" option.
    pub(crate) fn select(
        self,
        name: &str,
        value: &str,
        options: Vec<(String, String)>,
        empty: &str,
    ) -> Self {
        let mut opts = vec![Opt {
            value: String::new(),
            label: self.page.t(empty),
            selected: value.is_empty(),
        }];
        opts.extend(options.into_iter().map(|(v, l)| Opt {
            selected: v == value,
            value: v,
            label: l,
        }));
        self.push("select", name, value, opts)
    }

    pub(crate) fn multi(
        self,
        name: &str,
        selected: &[String],
        options: Vec<(String, String)>,
    ) -> Self {
        let opts = options
            .into_iter()
            .map(|(v, l)| Opt {
                selected: selected.contains(&v),
                value: v,
                label: l,
            })
            .collect();
        self.push("multi", name, "", opts)
    }

    pub(crate) fn required(mut self) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.required = true;
        }
        self
    }

    pub(crate) fn help(mut self, key: &str) -> Self {
        let text = self.page.t(key);
        if let Some(f) = self.fields.last_mut() {
            f.help = Some(text);
        }
        self
    }

    /// The HTML autocomplete token, so browsers can fill in people's details.
    fn autocomplete(mut self, token: &'static str) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.autocomplete = Some(token);
        }
        self
    }

    pub(crate) fn numeric(mut self, mode: &'static str) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.inputmode = Some(mode);
        }
        self
    }
}

#[derive(Serialize)]
pub(crate) struct Row {
    pub(crate) cells: Vec<String>,
    pub(crate) href: String,
}

#[derive(Serialize)]
pub(crate) struct Child {
    pub(crate) title: String,
    pub(crate) new_href: String,
    pub(crate) new_label: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
pub(crate) struct SavedQuery {
    #[serde(default)]
    pub(crate) saved: Option<String>,
}

pub(crate) struct FormPage<'a> {
    pub(crate) title_key: &'a str,
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) saved: bool,
    pub(crate) children: Vec<Child>,
}

pub(crate) fn render_form(page: &Page, fp: FormPage, form: Form) -> AppResult<Response> {
    let status = if form.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (fields, errors) = form.into_parts();
    let ctx = context! {
        title => page.t(fp.title_key),
        action => fp.action,
        back_href => fp.back,
        saved => fp.saved,
        fields,
        errors,
        children => fp.children,
    };
    page.render_with_status(status, "admin/form.html", ctx)
}

impl Form<'_> {
    /// The fields and the error summary, for pages that lay out their own
    /// forms (several on one page) around the same field markup.
    pub(crate) fn into_parts(self) -> (Vec<Field>, Vec<minijinja::Value>) {
        let page = self.page;
        // The summary lists problems in the order the fields stand on the form.
        let position = |field: &str| {
            self.fields
                .iter()
                .position(|f| f.name == field)
                .unwrap_or(usize::MAX)
        };
        let mut ordered: Vec<_> = self.errors.errors.iter().collect();
        ordered.sort_by_key(|e| position(&e.field));
        let errors: Vec<_> = ordered
            .into_iter()
            .map(|e| {
                let label = self.fields.iter().find(|f| f.name == e.field).map(|f| f.label.clone()).unwrap_or_else(|| e.field.clone());
                context! { id => format!("f-{}", e.field), label => label, message => page.field_message(e) }
            })
            .collect();
        (self.fields, errors)
    }
}

pub(crate) fn render_list(
    page: &Page,
    title_key: &str,
    new_href: Option<&str>,
    columns: &[&str],
    rows: Vec<Row>,
) -> AppResult<Response> {
    let columns: Vec<String> = columns.iter().map(|c| page.t(c)).collect();
    page.render(
        "admin/list.html",
        context! { title => page.t(title_key), new_href, columns, rows },
    )
}

/// Store outcomes a person can fix become field errors on the form.
pub(crate) fn outcome(r: StoreResult<()>) -> AppResult<Result<(), ValidationErrors>> {
    match r {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Conflict(field)) => Ok(Err(ValidationErrors::single(
            &field,
            "taken",
            format!("{field} is already in use by another record"),
        ))),
        Err(StoreError::Reference(field)) => Ok(Err(ValidationErrors::single(
            &field,
            "unknown_reference",
            "refers to something that does not exist",
        ))),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn saved_redirect(path: String) -> Response {
    Redirect::to(&format!("{path}?saved=1")).into_response()
}

pub(crate) fn status_cell(page: &Page, archived: bool) -> String {
    page.t(if archived {
        "field.archived"
    } else {
        "admin.active"
    })
}

pub(crate) fn require_network_admin(page: &Page) -> AppResult<&Principal> {
    let u = page.user()?;
    if u.can_manage_network() {
        Ok(u)
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn bool_str(b: bool) -> String {
    if b {
        "true".into()
    } else {
        String::new()
    }
}

// ------------------------------------------------------------------ index

async fn index(page: Page) -> AppResult<Response> {
    let u = page.user()?;
    if !u.has_admin_pages() {
        return Err(AppError::Forbidden);
    }
    let mut sections = Vec::new();
    let mut add =
        |href: &str, label: &str| sections.push(context! { href => href, label => label });
    if u.is_network_admin {
        add("/admin/regions", "admin.regions");
        add("/admin/municipalities", "admin.municipalities");
        add("/admin/operators", "admin.operators");
    }
    if u.is_network_admin || !u.hosted_hub_ids.is_empty() {
        add("/admin/hubs", "admin.hubs");
    }
    if u.is_network_admin || !u.admin_of_organisation_ids.is_empty() {
        add("/admin/organisations", "admin.organisations");
        add("/admin/people", "admin.people");
    }
    if u.is_network_admin {
        add("/admin/plans", "admin.plans");
        add("/admin/webhooks", "admin.webhooks");
        add("/admin/sites", "admin.sites");
    }
    let own_seats = match u.admin_of_organisation_ids.as_slice() {
        [only] if !u.is_network_admin => Some(format!("/admin/organisations/{only}/seats")),
        _ => None,
    };
    if let Some(href) = &own_seats {
        add(href, "admin.seats");
    }
    page.render("admin/index.html", context! { sections })
}

// ---------------------------------------------------------------- regions

fn region_input(f: &FormData) -> RegionInput {
    RegionInput {
        name: f.get("name"),
        code: f.get("code"),
        archived: f.get("archived"),
    }
}

fn region_form(
    page: &Page,
    fp: FormPage,
    input: &RegionInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .text("code", &input.code)
        .required()
        .numeric("numeric")
        .help("field.region_code_help")
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
    render_form(page, fp, form)
}

async fn regions(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let rows = state
        .store
        .list_regions()
        .await?
        .into_iter()
        .map(|r| Row {
            href: format!("/admin/regions/{}", r.id),
            cells: vec![r.name, r.code, status_cell(&page, r.archived)],
        })
        .collect();
    render_list(
        &page,
        "admin.regions",
        Some("/admin/regions/new"),
        &["field.name", "field.code", "admin.status"],
        rows,
    )
}

fn new_region_page() -> FormPage<'static> {
    FormPage {
        title_key: "admin.new_region",
        action: "/admin/regions/new".into(),
        back: "/admin/regions".into(),
        saved: false,
        children: vec![],
    }
}

async fn new_region(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    region_form(
        &page,
        new_region_page(),
        &RegionInput::default(),
        &ValidationErrors::new(),
    )
}

async fn create_region(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = region_input(&form);
    let result = match input.validate(new_id()) {
        Ok(r) => outcome(state.store.insert_region(&r).await)?.map(|_| r.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(saved_redirect(format!("/admin/regions/{id}"))),
        Err(e) => region_form(&page, new_region_page(), &input, &e),
    }
}

fn edit_region_page(id: Uuid, saved: bool) -> FormPage<'static> {
    FormPage {
        title_key: "admin.edit_region",
        action: format!("/admin/regions/{id}"),
        back: "/admin/regions".into(),
        saved,
        children: vec![],
    }
}

async fn edit_region(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let r = state.store.get_region(parse_id(&id)?).await?;
    let input = RegionInput {
        name: r.name,
        code: r.code,
        archived: bool_str(r.archived),
    };
    region_form(
        &page,
        edit_region_page(r.id, q.saved.is_some()),
        &input,
        &ValidationErrors::new(),
    )
}

async fn update_region(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let id = state.store.get_region(parse_id(&id)?).await?.id;
    let input = region_input(&form);
    let result = match input.validate(id) {
        Ok(r) => outcome(state.store.update_region(&r).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/regions/{id}"))),
        Err(e) => region_form(&page, edit_region_page(id, false), &input, &e),
    }
}

// --------------------------------------------------------- municipalities

fn municipality_input(f: &FormData) -> MunicipalityInput {
    MunicipalityInput {
        region_id: f.get("region_id"),
        name: f.get("name"),
        code: f.get("code"),
        central_town: f.get("central_town"),
        archived: f.get("archived"),
    }
}

async fn municipality_form(
    state: &AppState,
    page: &Page,
    fp: FormPage<'_>,
    input: &MunicipalityInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let regions = state
        .store
        .list_regions()
        .await?
        .into_iter()
        .filter(|r| !r.archived || r.id.to_string() == input.region_id)
        .map(|r| (r.id.to_string(), r.name))
        .collect();
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .select("region_id", &input.region_id, regions, "admin.choose")
        .required()
        .text("code", &input.code)
        .required()
        .numeric("numeric")
        .help("field.municipality_code_help")
        .text("central_town", &input.central_town)
        .required()
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
    render_form(page, fp, form)
}

async fn municipalities(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let regions = state.store.list_regions().await?;
    let region_name = |id: Uuid| {
        regions
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let rows = state
        .store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| Row {
            href: format!("/admin/municipalities/{}", m.id),
            cells: vec![
                m.name,
                m.code,
                region_name(m.region_id),
                m.central_town,
                status_cell(&page, m.archived),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.municipalities",
        Some("/admin/municipalities/new"),
        &[
            "field.name",
            "field.code",
            "field.region_id",
            "field.central_town",
            "admin.status",
        ],
        rows,
    )
}

fn new_municipality_page() -> FormPage<'static> {
    FormPage {
        title_key: "admin.new_municipality",
        action: "/admin/municipalities/new".into(),
        back: "/admin/municipalities".into(),
        saved: false,
        children: vec![],
    }
}

fn edit_municipality_page(id: Uuid, saved: bool) -> FormPage<'static> {
    FormPage {
        title_key: "admin.edit_municipality",
        action: format!("/admin/municipalities/{id}"),
        back: "/admin/municipalities".into(),
        saved,
        children: vec![],
    }
}

async fn new_municipality(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    municipality_form(
        &state,
        &page,
        new_municipality_page(),
        &MunicipalityInput::default(),
        &ValidationErrors::new(),
    )
    .await
}

async fn create_municipality(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = municipality_input(&form);
    let result = match input.validate(new_id()) {
        Ok(m) => outcome(state.store.insert_municipality(&m).await)?.map(|_| m.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(saved_redirect(format!("/admin/municipalities/{id}"))),
        Err(e) => municipality_form(&state, &page, new_municipality_page(), &input, &e).await,
    }
}

async fn edit_municipality(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let m = state.store.get_municipality(parse_id(&id)?).await?;
    let input = MunicipalityInput {
        region_id: m.region_id.to_string(),
        name: m.name,
        code: m.code,
        central_town: m.central_town,
        archived: bool_str(m.archived),
    };
    municipality_form(
        &state,
        &page,
        edit_municipality_page(m.id, q.saved.is_some()),
        &input,
        &ValidationErrors::new(),
    )
    .await
}

async fn update_municipality(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let id = state.store.get_municipality(parse_id(&id)?).await?.id;
    let input = municipality_input(&form);
    let result = match input.validate(id) {
        Ok(m) => outcome(state.store.update_municipality(&m).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/municipalities/{id}"))),
        Err(e) => {
            municipality_form(&state, &page, edit_municipality_page(id, false), &input, &e).await
        }
    }
}

// --------------------------------------------------------------- operators

fn operator_input(f: &FormData) -> OperatorInput {
    OperatorInput {
        name: f.get("name"),
        org_number: f.get("org_number"),
        contact_email: f.get("contact_email"),
        archived: f.get("archived"),
    }
}

fn operator_form(
    page: &Page,
    fp: FormPage,
    input: &OperatorInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .text("org_number", &input.org_number)
        .help("field.org_number_help")
        .text("contact_email", &input.contact_email)
        .autocomplete("email")
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
    render_form(page, fp, form)
}

async fn operators(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let rows = state
        .store
        .list_operators()
        .await?
        .into_iter()
        .map(|o| Row {
            href: format!("/admin/operators/{}", o.id),
            cells: vec![
                o.name,
                o.org_number.unwrap_or_default(),
                o.contact_email.unwrap_or_default(),
                status_cell(&page, o.archived),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.operators",
        Some("/admin/operators/new"),
        &[
            "field.name",
            "field.org_number",
            "field.contact_email",
            "admin.status",
        ],
        rows,
    )
}

fn new_operator_page() -> FormPage<'static> {
    FormPage {
        title_key: "admin.new_operator",
        action: "/admin/operators/new".into(),
        back: "/admin/operators".into(),
        saved: false,
        children: vec![],
    }
}

fn edit_operator_page(id: Uuid, saved: bool) -> FormPage<'static> {
    FormPage {
        title_key: "admin.edit_operator",
        action: format!("/admin/operators/{id}"),
        back: "/admin/operators".into(),
        saved,
        children: vec![],
    }
}

async fn new_operator(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    operator_form(
        &page,
        new_operator_page(),
        &OperatorInput::default(),
        &ValidationErrors::new(),
    )
}

async fn create_operator(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = operator_input(&form);
    let result = match input.validate(new_id()) {
        Ok(o) => outcome(state.store.insert_operator(&o).await)?.map(|_| o.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(saved_redirect(format!("/admin/operators/{id}"))),
        Err(e) => operator_form(&page, new_operator_page(), &input, &e),
    }
}

async fn edit_operator(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let o = state.store.get_operator(parse_id(&id)?).await?;
    let input = OperatorInput {
        name: o.name,
        org_number: o.org_number.unwrap_or_default(),
        contact_email: o.contact_email.unwrap_or_default(),
        archived: bool_str(o.archived),
    };
    operator_form(
        &page,
        edit_operator_page(o.id, q.saved.is_some()),
        &input,
        &ValidationErrors::new(),
    )
}

async fn update_operator(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let id = state.store.get_operator(parse_id(&id)?).await?.id;
    let input = operator_input(&form);
    let result = match input.validate(id) {
        Ok(o) => outcome(state.store.update_operator(&o).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/operators/{id}"))),
        Err(e) => operator_form(&page, edit_operator_page(id, false), &input, &e),
    }
}

// -------------------------------------------------------------------- hubs

const HOUR_FIELDS: [&str; 7] = [
    "hours_monday",
    "hours_tuesday",
    "hours_wednesday",
    "hours_thursday",
    "hours_friday",
    "hours_saturday",
    "hours_sunday",
];

fn hub_input(f: &FormData) -> HubInput {
    HubInput {
        municipality_id: f.get("municipality_id"),
        operator_id: f.get("operator_id"),
        name: f.get("name"),
        description: f.get("description"),
        street_address: f.get("street_address"),
        postal_code: f.get("postal_code"),
        city: f.get("city"),
        latitude: f.get("latitude"),
        longitude: f.get("longitude"),
        in_central_town: f.get("in_central_town"),
        hours: HOUR_FIELDS.map(|n| f.get(n)),
        exceptions: f.get("exceptions"),
        archived: f.get("archived"),
    }
}

async fn hub_form(
    state: &AppState,
    page: &Page,
    fp: FormPage<'_>,
    input: &HubInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let municipalities = state
        .store
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.id.to_string(), m.name))
        .collect();
    let operators = state
        .store
        .list_operators()
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let mut form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .textarea("description", &input.description)
        .select(
            "municipality_id",
            &input.municipality_id,
            municipalities,
            "admin.choose",
        )
        .required()
        .select("operator_id", &input.operator_id, operators, "admin.choose")
        .required()
        .text("street_address", &input.street_address)
        .autocomplete("street-address")
        .required()
        .text("postal_code", &input.postal_code)
        .autocomplete("postal-code")
        .required()
        .numeric("numeric")
        .text("city", &input.city)
        .autocomplete("address-level2")
        .required()
        .text("latitude", &input.latitude)
        .required()
        .numeric("decimal")
        .text("longitude", &input.longitude)
        .required()
        .numeric("decimal")
        .checkbox("in_central_town", &input.in_central_town);
    for (i, name) in HOUR_FIELDS.iter().enumerate() {
        form = form.text(name, &input.hours[i]);
        if i == 0 {
            form = form.help("admin.hours_help");
        }
    }
    let form = form
        .textarea("exceptions", &input.exceptions)
        .help("admin.exceptions_help")
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
    render_form(page, fp, form)
}

async fn hubs(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let u = page.user()?.clone();
    if !u.is_network_admin && u.hosted_hub_ids.is_empty() {
        return Err(AppError::Forbidden);
    }
    let rows = state
        .store
        .list_hubs()
        .await?
        .into_iter()
        .filter(|l| u.can_edit_hub(l.hub.id))
        .map(|l| Row {
            href: format!("/admin/hubs/{}", l.hub.id),
            cells: vec![
                l.hub.name,
                l.municipality_name,
                l.operator_name,
                status_cell(&page, l.hub.archived),
            ],
        })
        .collect();
    let new_href = u.is_network_admin.then_some("/admin/hubs/new");
    render_list(
        &page,
        "admin.hubs",
        new_href,
        &[
            "field.name",
            "field.municipality_id",
            "field.operator_id",
            "admin.status",
        ],
        rows,
    )
}

fn new_hub_page() -> FormPage<'static> {
    FormPage {
        title_key: "admin.new_hub",
        action: "/admin/hubs/new".into(),
        back: "/admin/hubs".into(),
        saved: false,
        children: vec![],
    }
}

async fn new_hub(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let mut input = HubInput::from_hub(&Hub {
        id: Uuid::nil(),
        municipality_id: Uuid::nil(),
        operator_id: Uuid::nil(),
        name: String::new(),
        description: String::new(),
        street_address: String::new(),
        postal_code: String::new(),
        city: String::new(),
        latitude: 0.0,
        longitude: 0.0,
        in_central_town: false,
        opening_hours: OpeningHours::weekdays("08:00", "17:00"),
        archived: false,
    });
    input.municipality_id.clear();
    input.operator_id.clear();
    input.latitude.clear();
    input.longitude.clear();
    hub_form(
        &state,
        &page,
        new_hub_page(),
        &input,
        &ValidationErrors::new(),
    )
    .await
}

async fn create_hub(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = hub_input(&form);
    let result = match input.validate(new_id()) {
        Ok(h) => outcome(state.store.insert_hub(&h).await)?.map(|_| h.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(saved_redirect(format!("/admin/hubs/{id}"))),
        Err(e) => hub_form(&state, &page, new_hub_page(), &input, &e).await,
    }
}

async fn hub_children(state: &AppState, page: &Page, hub_id: Uuid) -> AppResult<Vec<Child>> {
    let zones = state
        .store
        .list_zones(hub_id)
        .await?
        .into_iter()
        .map(|z| Row {
            href: format!("/admin/zones/{}", z.id),
            cells: vec![
                z.name,
                z.capacity.to_string(),
                status_cell(page, z.archived),
            ],
        })
        .collect();
    let rooms = state
        .store
        .list_rooms(hub_id)
        .await?
        .into_iter()
        .map(|r| Row {
            href: format!("/admin/rooms/{}", r.id),
            cells: vec![
                r.name,
                page.t(&format!("room_kind.{}", r.kind.key())),
                r.capacity.to_string(),
                format!("{} kr", format_ore_as_sek(r.hourly_price_ore)),
                status_cell(page, r.archived),
            ],
        })
        .collect();
    Ok(vec![
        // A link section (no columns): who is here now and the access numbers.
        Child {
            title: page.t("presence.title"),
            new_href: format!("/admin/hubs/{hub_id}/presence"),
            new_label: page.t("presence.open"),
            columns: vec![],
            rows: vec![],
        },
        Child {
            title: page.t("admin.zones"),
            new_href: format!("/admin/hubs/{hub_id}/zones/new"),
            new_label: page.t("admin.new_zone"),
            columns: ["field.name", "field.capacity", "admin.status"]
                .iter()
                .map(|k| page.t(k))
                .collect(),
            rows: zones,
        },
        Child {
            title: page.t("admin.rooms"),
            new_href: format!("/admin/hubs/{hub_id}/rooms/new"),
            new_label: page.t("admin.new_room"),
            columns: [
                "field.name",
                "field.kind",
                "field.capacity",
                "field.hourly_price_sek",
                "admin.status",
            ]
            .iter()
            .map(|k| page.t(k))
            .collect(),
            rows: rooms,
        },
    ])
}

async fn edit_hub_page(
    state: &AppState,
    page: &Page,
    id: Uuid,
    saved: bool,
) -> AppResult<FormPage<'static>> {
    Ok(FormPage {
        title_key: "admin.edit_hub",
        action: format!("/admin/hubs/{id}"),
        back: "/admin/hubs".into(),
        saved,
        children: hub_children(state, page, id).await?,
    })
}

pub(crate) fn require_hub(page: &Page, hub_id: Uuid) -> AppResult<()> {
    if page.user()?.can_edit_hub(hub_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn edit_hub(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    require_hub(&page, id)?;
    let h = state.store.get_hub(id).await?.hub;
    let fp = edit_hub_page(&state, &page, id, q.saved.is_some()).await?;
    hub_form(
        &state,
        &page,
        fp,
        &HubInput::from_hub(&h),
        &ValidationErrors::new(),
    )
    .await
}

async fn update_hub(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let id = parse_id(&id)?;
    require_hub(&page, id)?;
    state.store.get_hub(id).await?;
    let input = hub_input(&form);
    let result = match input.validate(id) {
        Ok(h) => outcome(state.store.update_hub(&h).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/hubs/{id}"))),
        Err(e) => {
            let fp = edit_hub_page(&state, &page, id, false).await?;
            hub_form(&state, &page, fp, &input, &e).await
        }
    }
}

// ------------------------------------------------------------------- zones

fn zone_input(f: &FormData) -> ZoneInput {
    ZoneInput {
        name: f.get("name"),
        purpose: f.get("purpose"),
        capacity: f.get("capacity"),
        archived: f.get("archived"),
    }
}

fn zone_form(
    page: &Page,
    fp: FormPage,
    input: &ZoneInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .textarea("purpose", &input.purpose)
        .text("capacity", &input.capacity)
        .required()
        .numeric("numeric")
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
    render_form(page, fp, form)
}

fn zone_page(
    title_key: &'static str,
    action: String,
    hub_id: Uuid,
    saved: bool,
) -> FormPage<'static> {
    FormPage {
        title_key,
        action,
        back: format!("/admin/hubs/{hub_id}"),
        saved,
        children: vec![],
    }
}

async fn new_zone(
    State(state): State<AppState>,
    page: Page,
    Path(hub_id): Path<String>,
) -> AppResult<Response> {
    let hub_id = parse_id(&hub_id)?;
    require_hub(&page, hub_id)?;
    state.store.get_hub(hub_id).await?;
    zone_form(
        &page,
        zone_page(
            "admin.new_zone",
            format!("/admin/hubs/{hub_id}/zones/new"),
            hub_id,
            false,
        ),
        &ZoneInput::default(),
        &ValidationErrors::new(),
    )
}

async fn create_zone(
    State(state): State<AppState>,
    page: Page,
    Path(hub_id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let hub_id = parse_id(&hub_id)?;
    require_hub(&page, hub_id)?;
    let input = zone_input(&form);
    let result = match input.validate(new_id(), hub_id) {
        Ok(z) => outcome(state.store.insert_zone(&z).await)?.map(|_| z.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(saved_redirect(format!("/admin/hubs/{hub_id}"))),
        Err(e) => zone_form(
            &page,
            zone_page(
                "admin.new_zone",
                format!("/admin/hubs/{hub_id}/zones/new"),
                hub_id,
                false,
            ),
            &input,
            &e,
        ),
    }
}

async fn edit_zone(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let z = state.store.get_zone(parse_id(&id)?).await?;
    require_hub(&page, z.hub_id)?;
    let input = ZoneInput {
        name: z.name,
        purpose: z.purpose,
        capacity: z.capacity.to_string(),
        archived: bool_str(z.archived),
    };
    zone_form(
        &page,
        zone_page(
            "admin.edit_zone",
            format!("/admin/zones/{}", z.id),
            z.hub_id,
            q.saved.is_some(),
        ),
        &input,
        &ValidationErrors::new(),
    )
}

async fn update_zone(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let old = state.store.get_zone(parse_id(&id)?).await?;
    require_hub(&page, old.hub_id)?;
    let input = zone_input(&form);
    let result = match input.validate(old.id, old.hub_id) {
        Ok(z) => outcome(state.store.update_zone(&z).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/zones/{}", old.id))),
        Err(e) => zone_form(
            &page,
            zone_page(
                "admin.edit_zone",
                format!("/admin/zones/{}", old.id),
                old.hub_id,
                false,
            ),
            &input,
            &e,
        ),
    }
}

// ------------------------------------------------------------------- rooms

fn room_input(f: &FormData) -> RoomInput {
    RoomInput {
        name: f.get("name"),
        kind: f.get("kind"),
        capacity: f.get("capacity"),
        hourly_price_sek: f.get("hourly_price_sek"),
        vat_rate_percent: f.get("vat_rate_percent"),
        archived: f.get("archived"),
    }
}

fn room_form(
    page: &Page,
    fp: FormPage,
    input: &RoomInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let kinds = RoomKind::ALL
        .iter()
        .map(|k| {
            (
                k.key().to_string(),
                page.t(&format!("room_kind.{}", k.key())),
            )
        })
        .collect();
    let vats = ["25", "12", "6", "0"]
        .iter()
        .map(|v| (v.to_string(), format!("{v} %")))
        .collect();
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .select("kind", &input.kind, kinds, "admin.choose")
        .required()
        .text("capacity", &input.capacity)
        .required()
        .numeric("numeric")
        .text("hourly_price_sek", &input.hourly_price_sek)
        .required()
        .numeric("decimal")
        .select(
            "vat_rate_percent",
            &input.vat_rate_percent,
            vats,
            "admin.choose",
        )
        .required()
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
    render_form(page, fp, form)
}

fn room_page(
    title_key: &'static str,
    action: String,
    hub_id: Uuid,
    saved: bool,
) -> FormPage<'static> {
    FormPage {
        title_key,
        action,
        back: format!("/admin/hubs/{hub_id}"),
        saved,
        children: vec![],
    }
}

pub(crate) fn ore_to_sek_input(ore: i64) -> String {
    if ore % 100 == 0 {
        (ore / 100).to_string()
    } else {
        format!("{},{:02}", ore / 100, ore % 100)
    }
}

async fn new_room(
    State(state): State<AppState>,
    page: Page,
    Path(hub_id): Path<String>,
) -> AppResult<Response> {
    let hub_id = parse_id(&hub_id)?;
    require_hub(&page, hub_id)?;
    state.store.get_hub(hub_id).await?;
    let input = RoomInput {
        vat_rate_percent: "25".into(),
        ..Default::default()
    };
    room_form(
        &page,
        room_page(
            "admin.new_room",
            format!("/admin/hubs/{hub_id}/rooms/new"),
            hub_id,
            false,
        ),
        &input,
        &ValidationErrors::new(),
    )
}

async fn create_room(
    State(state): State<AppState>,
    page: Page,
    Path(hub_id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let hub_id = parse_id(&hub_id)?;
    require_hub(&page, hub_id)?;
    let input = room_input(&form);
    let result = match input.validate(new_id(), hub_id) {
        Ok(r) => outcome(state.store.insert_room(&r).await)?.map(|_| r.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(saved_redirect(format!("/admin/hubs/{hub_id}"))),
        Err(e) => room_form(
            &page,
            room_page(
                "admin.new_room",
                format!("/admin/hubs/{hub_id}/rooms/new"),
                hub_id,
                false,
            ),
            &input,
            &e,
        ),
    }
}

async fn edit_room(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let r = state.store.get_room(parse_id(&id)?).await?;
    require_hub(&page, r.hub_id)?;
    let input = RoomInput {
        name: r.name,
        kind: r.kind.key().into(),
        capacity: r.capacity.to_string(),
        hourly_price_sek: ore_to_sek_input(r.hourly_price_ore),
        vat_rate_percent: r.vat_rate_percent.to_string(),
        archived: bool_str(r.archived),
    };
    room_form(
        &page,
        room_page(
            "admin.edit_room",
            format!("/admin/rooms/{}", r.id),
            r.hub_id,
            q.saved.is_some(),
        ),
        &input,
        &ValidationErrors::new(),
    )
}

async fn update_room(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let old = state.store.get_room(parse_id(&id)?).await?;
    require_hub(&page, old.hub_id)?;
    let input = room_input(&form);
    let result = match input.validate(old.id, old.hub_id) {
        Ok(r) => outcome(state.store.update_room(&r).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/rooms/{}", old.id))),
        Err(e) => room_form(
            &page,
            room_page(
                "admin.edit_room",
                format!("/admin/rooms/{}", old.id),
                old.hub_id,
                false,
            ),
            &input,
            &e,
        ),
    }
}

// ----------------------------------------------------------- organisations

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
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
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
            href: format!("/admin/organisations/{}", o.id),
            cells: vec![
                o.name,
                o.org_number,
                page.t(&format!("org_kind.{}", o.kind.key())),
                status_cell(&page, o.archived),
            ],
        })
        .collect();
    let new_href = u.is_network_admin.then_some("/admin/organisations/new");
    render_list(
        &page,
        "admin.organisations",
        new_href,
        &[
            "field.name",
            "field.org_number",
            "field.kind",
            "admin.status",
        ],
        rows,
    )
}

fn new_organisation_page() -> FormPage<'static> {
    FormPage {
        title_key: "admin.new_organisation",
        action: "/admin/organisations/new".into(),
        back: "/admin/organisations".into(),
        saved: false,
        children: vec![],
    }
}

fn edit_organisation_page(page: &Page, id: Uuid, saved: bool) -> FormPage<'static> {
    FormPage {
        title_key: "admin.edit_organisation",
        action: format!("/admin/organisations/{id}"),
        back: "/admin/organisations".into(),
        saved,
        // A link section (no columns) to the organisation's seats.
        children: vec![Child {
            title: page.t("admin.seats"),
            new_href: format!("/admin/organisations/{id}/seats"),
            new_label: page.t("seats.open"),
            columns: vec![],
            rows: vec![],
        }],
    }
}

async fn new_organisation(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    organisation_form(
        &page,
        new_organisation_page(),
        &OrganisationInput::default(),
        &ValidationErrors::new(),
    )
}

async fn create_organisation(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = organisation_input(&form);
    let result = match input.validate(new_id()) {
        Ok(o) => outcome(state.store.insert_organisation(&o).await)?.map(|_| o.id),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(saved_redirect(format!("/admin/organisations/{id}"))),
        Err(e) => organisation_form(&page, new_organisation_page(), &input, &e),
    }
}

pub(crate) fn require_org(page: &Page, id: Uuid) -> AppResult<()> {
    if page.user()?.can_edit_organisation(id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
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
    organisation_form(
        &page,
        edit_organisation_page(&page, id, q.saved.is_some()),
        &input,
        &ValidationErrors::new(),
    )
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
    let result = match input.validate(id) {
        Ok(o) => outcome(state.store.update_organisation(&o).await)?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/organisations/{id}"))),
        Err(e) => organisation_form(&page, edit_organisation_page(&page, id, false), &input, &e),
    }
}

// ------------------------------------------------------------------ people

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
        .checkbox("archived", &input.archived)
        .help("admin.archived_help");
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
            href: format!("/admin/people/{}", p.id),
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
        Some("/admin/people/new"),
        &[
            "field.name",
            "field.email",
            "field.organisation_id",
            "admin.status",
        ],
        rows,
    )
}

fn new_person_page() -> FormPage<'static> {
    FormPage {
        title_key: "admin.new_person",
        action: "/admin/people/new".into(),
        back: "/admin/people".into(),
        saved: false,
        children: vec![],
    }
}

fn edit_person_page(id: Uuid, saved: bool) -> FormPage<'static> {
    FormPage {
        title_key: "admin.edit_person",
        action: format!("/admin/people/{id}"),
        back: "/admin/people".into(),
        saved,
        children: vec![],
    }
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
    person_form(
        &state,
        &page,
        new_person_page(),
        &input,
        &ValidationErrors::new(),
    )
    .await
}

async fn create_person(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let editor = require_org_pages(&page)?.clone();
    let input = person_input(&form, &editor, None);
    let result = match input.validate(new_id()) {
        Ok(p) => {
            if !editor.can_save_person(None, &p) {
                return Err(AppError::Forbidden);
            }
            outcome(state.store.insert_person(&p).await)?.map(|_| p.id)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(saved_redirect(format!("/admin/people/{id}"))),
        Err(e) => person_form(&state, &page, new_person_page(), &input, &e).await,
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
    person_form(
        &state,
        &page,
        edit_person_page(p.id, q.saved.is_some()),
        &person_to_input(&p),
        &ValidationErrors::new(),
    )
    .await
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
    let result = match input.validate(old.id) {
        Ok(p) => {
            if !editor.can_save_person(Some(&old), &p) {
                return Err(AppError::Forbidden);
            }
            outcome(state.store.update_person(&p).await)?
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(saved_redirect(format!("/admin/people/{}", old.id))),
        Err(e) => person_form(&state, &page, edit_person_page(old.id, false), &input, &e).await,
    }
}
