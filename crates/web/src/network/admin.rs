//! Admin pages of the network: the admin start page, and create, edit and
//! archive regions, municipalities, operators, hubs (with opening hours),
//! zones and rooms. Network admins manage everything; a hub host only their
//! hubs and those hubs' zones and rooms.
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
use crate::http::roles::{require_hub, require_network_admin};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_domain::*;
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
        add("/admin/bookings", "admin.bookings");
        add("/admin/events", "admin.events");
    }
    if u.is_network_admin || !u.admin_of_organisation_ids.is_empty() {
        add("/admin/organisations", "admin.organisations");
        add("/admin/people", "admin.people");
    }
    if u.is_network_admin {
        add("/admin/plans", "admin.plans");
        add("/admin/webhooks", "admin.webhooks");
        add("/admin/sites", "admin.sites");
        add("/admin/outbox", "admin.outbox");
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

const REGIONS: Resource = Resource {
    list: "/admin/regions",
    new_title: "admin.new_region",
    edit_title: "admin.edit_region",
};

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
        .archived(&input.archived);
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
            href: REGIONS.href(r.id),
            cells: vec![r.name, r.code, status_cell(&page, r.archived)],
        })
        .collect();
    render_list(
        &page,
        "admin.regions",
        Some(REGIONS.new_href()),
        &["field.name", "field.code", "admin.status"],
        rows,
    )
}

async fn new_region(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let input = RegionInput::default();
    region_form(&page, REGIONS.new_page(), &input, NO_ERRORS)
}

async fn create_region(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = region_input(&form);
    let validated = input.validate(new_id());
    match save(validated, async |r| state.store.insert_region(r).await).await? {
        Ok(r) => Ok(REGIONS.saved(r.id)),
        Err(e) => region_form(&page, REGIONS.new_page(), &input, &e),
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
    let fp = REGIONS.edit_page(r.id, q.saved.is_some());
    region_form(&page, fp, &input, NO_ERRORS)
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
    let validated = input.validate(id);
    match save(validated, async |r| state.store.update_region(r).await).await? {
        Ok(_) => Ok(REGIONS.saved(id)),
        Err(e) => region_form(&page, REGIONS.edit_page(id, false), &input, &e),
    }
}

// --------------------------------------------------------- municipalities

const MUNICIPALITIES: Resource = Resource {
    list: "/admin/municipalities",
    new_title: "admin.new_municipality",
    edit_title: "admin.edit_municipality",
};

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
        .archived(&input.archived);
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
            href: MUNICIPALITIES.href(m.id),
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
        Some(MUNICIPALITIES.new_href()),
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

async fn new_municipality(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let (fp, input) = (MUNICIPALITIES.new_page(), MunicipalityInput::default());
    municipality_form(&state, &page, fp, &input, NO_ERRORS).await
}

async fn create_municipality(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = municipality_input(&form);
    let validated = input.validate(new_id());
    match save(validated, async |m| {
        state.store.insert_municipality(m).await
    })
    .await?
    {
        Ok(m) => Ok(MUNICIPALITIES.saved(m.id)),
        Err(e) => municipality_form(&state, &page, MUNICIPALITIES.new_page(), &input, &e).await,
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
    let fp = MUNICIPALITIES.edit_page(m.id, q.saved.is_some());
    let input = MunicipalityInput {
        region_id: m.region_id.to_string(),
        name: m.name,
        code: m.code,
        central_town: m.central_town,
        archived: bool_str(m.archived),
    };
    municipality_form(&state, &page, fp, &input, NO_ERRORS).await
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
    let validated = input.validate(id);
    match save(validated, async |m| {
        state.store.update_municipality(m).await
    })
    .await?
    {
        Ok(_) => Ok(MUNICIPALITIES.saved(id)),
        Err(e) => {
            let fp = MUNICIPALITIES.edit_page(id, false);
            municipality_form(&state, &page, fp, &input, &e).await
        }
    }
}

// --------------------------------------------------------------- operators

const OPERATORS: Resource = Resource {
    list: "/admin/operators",
    new_title: "admin.new_operator",
    edit_title: "admin.edit_operator",
};

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
        .archived(&input.archived);
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
            href: OPERATORS.href(o.id),
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
        Some(OPERATORS.new_href()),
        &[
            "field.name",
            "field.org_number",
            "field.contact_email",
            "admin.status",
        ],
        rows,
    )
}

async fn new_operator(page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let input = OperatorInput::default();
    operator_form(&page, OPERATORS.new_page(), &input, NO_ERRORS)
}

async fn create_operator(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = operator_input(&form);
    let validated = input.validate(new_id());
    match save(validated, async |o| state.store.insert_operator(o).await).await? {
        Ok(o) => Ok(OPERATORS.saved(o.id)),
        Err(e) => operator_form(&page, OPERATORS.new_page(), &input, &e),
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
    let fp = OPERATORS.edit_page(o.id, q.saved.is_some());
    let input = OperatorInput {
        name: o.name,
        org_number: o.org_number.unwrap_or_default(),
        contact_email: o.contact_email.unwrap_or_default(),
        archived: bool_str(o.archived),
    };
    operator_form(&page, fp, &input, NO_ERRORS)
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
    let validated = input.validate(id);
    match save(validated, async |o| state.store.update_operator(o).await).await? {
        Ok(_) => Ok(OPERATORS.saved(id)),
        Err(e) => operator_form(&page, OPERATORS.edit_page(id, false), &input, &e),
    }
}

// -------------------------------------------------------------------- hubs

const HUBS: Resource = Resource {
    list: "/admin/hubs",
    new_title: "admin.new_hub",
    edit_title: "admin.edit_hub",
};

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
        .archived(&input.archived);
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
            href: HUBS.href(l.hub.id),
            cells: vec![
                l.hub.name,
                l.municipality_name,
                l.operator_name,
                status_cell(&page, l.hub.archived),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.hubs",
        u.is_network_admin.then(|| HUBS.new_href()),
        &[
            "field.name",
            "field.municipality_id",
            "field.operator_id",
            "admin.status",
        ],
        rows,
    )
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
    hub_form(&state, &page, HUBS.new_page(), &input, NO_ERRORS).await
}

async fn create_hub(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = hub_input(&form);
    let validated = input.validate(new_id());
    match save(validated, async |h| state.store.insert_hub(h).await).await? {
        Ok(h) => Ok(HUBS.saved(h.id)),
        Err(e) => hub_form(&state, &page, HUBS.new_page(), &input, &e).await,
    }
}

async fn hub_children(state: &AppState, page: &Page, hub_id: Uuid) -> AppResult<Vec<Child>> {
    let zones = state
        .store
        .list_zones(hub_id)
        .await?
        .into_iter()
        .map(|z| Row {
            href: ZONES.href(z.id),
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
            href: ROOMS.href(r.id),
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
            title: page.t("booking.rules_title"),
            new_href: format!("/admin/hubs/{hub_id}/booking-rules"),
            new_label: page.t("booking.rules_open"),
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
    let children = hub_children(state, page, id).await?;
    Ok(HUBS.edit_page(id, saved).with_children(children))
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
    let input = HubInput::from_hub(&h);
    hub_form(&state, &page, fp, &input, NO_ERRORS).await
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
    let validated = input.validate(id);
    match save(validated, async |h| state.store.update_hub(h).await).await? {
        Ok(_) => Ok(HUBS.saved(id)),
        Err(e) => {
            let fp = edit_hub_page(&state, &page, id, false).await?;
            hub_form(&state, &page, fp, &input, &e).await
        }
    }
}

// ------------------------------------------------------ zones and rooms

// Zones and rooms are made from their hub's page
// (`/admin/hubs/{hub}/zones/new`), edited at their own address, and both
// forms lead back to the hub, where a new one is listed after saving.

const ZONES: Resource = Resource {
    list: "/admin/zones",
    new_title: "admin.new_zone",
    edit_title: "admin.edit_zone",
};

const ROOMS: Resource = Resource {
    list: "/admin/rooms",
    new_title: "admin.new_room",
    edit_title: "admin.edit_room",
};

/// The form for a new zone or room of a hub.
fn new_in_hub_page(r: &Resource, part: &str, hub_id: Uuid) -> FormPage<'static> {
    let action = format!("/admin/hubs/{hub_id}/{part}/new");
    FormPage::new(r.new_title, action, HUBS.href(hub_id))
}

/// The form of a hub's zone or room.
fn edit_in_hub_page(r: &Resource, id: Uuid, hub_id: Uuid, saved: bool) -> FormPage<'static> {
    FormPage::new(r.edit_title, r.href(id), HUBS.href(hub_id)).saved(saved)
}

/// The hub that a new zone or room is for, if the person may edit it.
async fn hub_for_new_part(state: &AppState, page: &Page, hub_id: &str) -> AppResult<Uuid> {
    let hub_id = parse_id(hub_id)?;
    require_hub(page, hub_id)?;
    state.store.get_hub(hub_id).await?;
    Ok(hub_id)
}

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
        .archived(&input.archived);
    render_form(page, fp, form)
}

async fn new_zone(
    State(state): State<AppState>,
    page: Page,
    Path(hub_id): Path<String>,
) -> AppResult<Response> {
    let hub_id = hub_for_new_part(&state, &page, &hub_id).await?;
    let fp = new_in_hub_page(&ZONES, "zones", hub_id);
    zone_form(&page, fp, &ZoneInput::default(), NO_ERRORS)
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
    let validated = input.validate(new_id(), hub_id);
    match save(validated, async |z| state.store.insert_zone(z).await).await? {
        Ok(_) => Ok(HUBS.saved(hub_id)),
        Err(e) => zone_form(&page, new_in_hub_page(&ZONES, "zones", hub_id), &input, &e),
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
    let fp = edit_in_hub_page(&ZONES, z.id, z.hub_id, q.saved.is_some());
    let input = ZoneInput {
        name: z.name,
        purpose: z.purpose,
        capacity: z.capacity.to_string(),
        archived: bool_str(z.archived),
    };
    zone_form(&page, fp, &input, NO_ERRORS)
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
    let validated = input.validate(old.id, old.hub_id);
    match save(validated, async |z| state.store.update_zone(z).await).await? {
        Ok(_) => Ok(ZONES.saved(old.id)),
        Err(e) => {
            let fp = edit_in_hub_page(&ZONES, old.id, old.hub_id, false);
            zone_form(&page, fp, &input, &e)
        }
    }
}

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
        .archived(&input.archived);
    render_form(page, fp, form)
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
    let hub_id = hub_for_new_part(&state, &page, &hub_id).await?;
    let input = RoomInput {
        vat_rate_percent: "25".into(),
        ..Default::default()
    };
    let fp = new_in_hub_page(&ROOMS, "rooms", hub_id);
    room_form(&page, fp, &input, NO_ERRORS)
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
    let validated = input.validate(new_id(), hub_id);
    match save(validated, async |r| state.store.insert_room(r).await).await? {
        Ok(_) => Ok(HUBS.saved(hub_id)),
        Err(e) => room_form(&page, new_in_hub_page(&ROOMS, "rooms", hub_id), &input, &e),
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
    let fp = edit_in_hub_page(&ROOMS, r.id, r.hub_id, q.saved.is_some());
    let input = RoomInput {
        name: r.name,
        kind: r.kind.key().into(),
        capacity: r.capacity.to_string(),
        hourly_price_sek: ore_to_sek_input(r.hourly_price_ore),
        vat_rate_percent: r.vat_rate_percent.to_string(),
        archived: bool_str(r.archived),
    };
    room_form(&page, fp, &input, NO_ERRORS)
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
    let validated = input.validate(old.id, old.hub_id);
    match save(validated, async |r| state.store.update_room(r).await).await? {
        Ok(_) => Ok(ROOMS.saved(old.id)),
        Err(e) => {
            let fp = edit_in_hub_page(&ROOMS, old.id, old.hub_id, false);
            room_form(&page, fp, &input, &e)
        }
    }
}
