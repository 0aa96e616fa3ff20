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
    bool_str, key_options, listed_routes, routes, saved_redirect, status_cell, Child, Form,
    FormPage, Listed, NoQuery, Resource, Row, StoreWrite,
};
use crate::http::page::{parse_id, Page};
use crate::http::roles::{
    hub_to_edit, hub_to_edit_id, require_host_pages, require_hub, require_network_admin,
};
use crate::AppState;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;
use thirdplace_domain::*;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .merge(listed_routes::<Regions>())
        .merge(listed_routes::<Municipalities>())
        .merge(listed_routes::<Operators>())
        .merge(listed_routes::<Hubs>())
        .merge(routes::<Zones>())
        .merge(routes::<Rooms>())
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
        add("/admin/invoicing/hub", "hub_lines.title");
        add("/admin/pilots", "evaluation.pilots");
    }
    if u.is_network_admin || !u.admin_of_organisation_ids.is_empty() {
        add("/admin/organisations", "admin.organisations");
        add("/admin/people", "admin.people");
    }
    if u.sees_invoices() {
        add("/admin/invoices", "admin.invoices");
    }
    if u.invoices_for_any() {
        add("/admin/invoicing", "admin.invoicing");
        add("/admin/payments", "payments.title");
    }
    if u.is_network_admin {
        add("/admin/settlement", "admin.settlement");
        add("/admin/plans", "admin.plans");
        add("/admin/webhooks", "admin.webhooks");
        add("/admin/sites", "admin.sites");
        add("/admin/outbox", "admin.outbox");
        add("/admin/audit", "admin.audit");
        add("/admin/processing", "admin.processing");
        add("/admin/retention", "admin.retention");
        add("/admin/sso", "admin.sso");
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

/// Only network admins see the page; the answer carries nothing else.
fn network_admin(page: &Page) -> AppResult<()> {
    require_network_admin(page).map(drop)
}

// ---------------------------------------------------------------- regions

struct Regions;

impl Resource for Regions {
    type Parent = ();
    type Record = Region;
    type Input = RegionInput;
    const BASE: &'static str = "/admin/regions";
    const NEW: &'static str = "/admin/regions/new";
    const NEW_TITLE: &'static str = "admin.new_region";
    const EDIT_TITLE: &'static str = "admin.edit_region";

    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        network_admin(page)
    }

    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Region> {
        network_admin(page)?;
        Ok(state.store.get_region(parse_id(id)?).await?)
    }

    fn key(r: &Region) -> (Uuid, ()) {
        (r.id, ())
    }

    fn to_input(r: &Region) -> RegionInput {
        RegionInput {
            name: r.name.clone(),
            code: r.code.clone(),
            archived: bool_str(r.archived),
        }
    }

    fn validate(input: &RegionInput, id: Uuid, _: &()) -> Result<Region, ValidationErrors> {
        input.validate(id)
    }

    const INSERT: StoreWrite<Region> = |store, r| store.insert_region(r);
    const UPDATE: StoreWrite<Region> = |store, r| store.update_region(r);

    async fn fields<'a>(_: &AppState, form: Form<'a>, input: &RegionInput) -> AppResult<Form<'a>> {
        Ok(form
            .text("name", &input.name)
            .required()
            .text("code", &input.code)
            .required()
            .numeric("numeric")
            .help("field.region_code_help")
            .archived(&input.archived))
    }
}

impl Listed for Regions {
    type Query = NoQuery;
    const TITLE: &'static str = "admin.regions";
    const COLUMNS: &'static [&'static str] = &["field.name", "field.code", "admin.status"];

    async fn rows(state: &AppState, page: &Page, _: NoQuery) -> AppResult<(Vec<Row>, bool)> {
        network_admin(page)?;
        let regions = state.store.list_regions().await?;
        let rows = Self::rows_of(regions, |r| {
            (r.id, vec![r.name, r.code, status_cell(page, r.archived)])
        });
        Ok((rows, true))
    }
}

// --------------------------------------------------------- municipalities

struct Municipalities;

impl Resource for Municipalities {
    type Parent = ();
    type Record = Municipality;
    type Input = MunicipalityInput;
    const BASE: &'static str = "/admin/municipalities";
    const NEW: &'static str = "/admin/municipalities/new";
    const NEW_TITLE: &'static str = "admin.new_municipality";
    const EDIT_TITLE: &'static str = "admin.edit_municipality";

    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        network_admin(page)
    }

    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Municipality> {
        network_admin(page)?;
        Ok(state.store.get_municipality(parse_id(id)?).await?)
    }

    fn key(m: &Municipality) -> (Uuid, ()) {
        (m.id, ())
    }

    fn to_input(m: &Municipality) -> MunicipalityInput {
        MunicipalityInput {
            region_id: m.region_id.to_string(),
            name: m.name.clone(),
            code: m.code.clone(),
            central_town: m.central_town.clone(),
            archived: bool_str(m.archived),
        }
    }

    fn validate(
        input: &MunicipalityInput,
        id: Uuid,
        _: &(),
    ) -> Result<Municipality, ValidationErrors> {
        input.validate(id)
    }

    const INSERT: StoreWrite<Municipality> = |store, m| store.insert_municipality(m);
    const UPDATE: StoreWrite<Municipality> = |store, m| store.update_municipality(m);

    async fn fields<'a>(
        state: &AppState,
        form: Form<'a>,
        input: &MunicipalityInput,
    ) -> AppResult<Form<'a>> {
        let regions = state
            .store
            .list_regions()
            .await?
            .into_iter()
            .filter(|r| !r.archived || r.id.to_string() == input.region_id)
            .map(|r| (r.id.to_string(), r.name))
            .collect();
        Ok(form
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
            .archived(&input.archived))
    }
}

impl Listed for Municipalities {
    type Query = NoQuery;
    const TITLE: &'static str = "admin.municipalities";
    const COLUMNS: &'static [&'static str] = &[
        "field.name",
        "field.code",
        "field.region_id",
        "field.central_town",
        "admin.status",
    ];

    async fn rows(state: &AppState, page: &Page, _: NoQuery) -> AppResult<(Vec<Row>, bool)> {
        network_admin(page)?;
        let regions = state.store.list_regions().await?;
        let region_name = |id: Uuid| {
            regions
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        };
        let municipalities = state.store.list_municipalities().await?;
        let rows = Self::rows_of(municipalities, |m| {
            let region = region_name(m.region_id);
            let status = status_cell(page, m.archived);
            (m.id, vec![m.name, m.code, region, m.central_town, status])
        });
        Ok((rows, true))
    }
}

// --------------------------------------------------------------- operators

struct Operators;

impl Resource for Operators {
    type Parent = ();
    type Record = Operator;
    type Input = OperatorInput;
    const BASE: &'static str = "/admin/operators";
    const NEW: &'static str = "/admin/operators/new";
    const NEW_TITLE: &'static str = "admin.new_operator";
    const EDIT_TITLE: &'static str = "admin.edit_operator";

    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        network_admin(page)
    }

    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Operator> {
        network_admin(page)?;
        Ok(state.store.get_operator(parse_id(id)?).await?)
    }

    fn key(o: &Operator) -> (Uuid, ()) {
        (o.id, ())
    }

    fn to_input(o: &Operator) -> OperatorInput {
        OperatorInput::from_operator(o)
    }

    /// A new operator starts with the defaults of a Swedish seller.
    fn blank(_: &Page, _: &()) -> AppResult<OperatorInput> {
        Ok(OperatorInput::from_operator(&Operator {
            id: Uuid::nil(),
            name: String::new(),
            org_number: None,
            contact_email: None,
            archived: false,
            seller: SellerDetails::default(),
        }))
    }

    fn validate(input: &OperatorInput, id: Uuid, _: &()) -> Result<Operator, ValidationErrors> {
        input.validate(id)
    }

    const INSERT: StoreWrite<Operator> = |store, o| store.insert_operator(o);
    const UPDATE: StoreWrite<Operator> = |store, o| store.update_operator(o);

    async fn fields<'a>(
        _: &AppState,
        form: Form<'a>,
        input: &OperatorInput,
    ) -> AppResult<Form<'a>> {
        Ok(form
            .text("name", &input.name)
            .required()
            .text("org_number", &input.org_number)
            .help("field.org_number_help")
            .text("contact_email", &input.contact_email)
            .autocomplete("email")
            // As the seller on its invoices (issue 16).
            .text("legal_name", &input.legal_name)
            .help("field.legal_name_help")
            .text("vat_number", &input.vat_number)
            .help("field.vat_number_help")
            .checkbox("f_tax_approved", &input.f_tax_approved)
            .text("street_address", &input.street_address)
            .autocomplete("street-address")
            .text("postal_code", &input.postal_code)
            .autocomplete("postal-code")
            .text("city", &input.city)
            .autocomplete("address-level2")
            .text("country", &input.country)
            .text("bankgiro", &input.bankgiro)
            .text("plusgiro", &input.plusgiro)
            .text("invoice_prefix", &input.invoice_prefix)
            .text("invoice_number_start", &input.invoice_number_start)
            .numeric("numeric")
            .help("field.invoice_number_start_help")
            .text("payment_terms_days", &input.payment_terms_days)
            .numeric("numeric")
            .checkbox("ocr_length_digit", &input.ocr_length_digit)
            .text("peppol_scheme", &input.peppol_scheme)
            .numeric("numeric")
            .text("peppol_id", &input.peppol_id)
            .help("field.peppol_id_help")
            .text("account_seat", &input.account_seat)
            .numeric("numeric")
            .text("account_room_hours", &input.account_room_hours)
            .numeric("numeric")
            .text(
                "account_late_cancellation",
                &input.account_late_cancellation,
            )
            .numeric("numeric")
            .text("account_event_fee", &input.account_event_fee)
            .numeric("numeric")
            .archived(&input.archived))
    }
}

impl Listed for Operators {
    type Query = NoQuery;
    const TITLE: &'static str = "admin.operators";
    const COLUMNS: &'static [&'static str] = &[
        "field.name",
        "field.org_number",
        "field.contact_email",
        "admin.status",
    ];

    async fn rows(state: &AppState, page: &Page, _: NoQuery) -> AppResult<(Vec<Row>, bool)> {
        network_admin(page)?;
        let operators = state.store.list_operators().await?;
        let rows = Self::rows_of(operators, |o| {
            let org_number = o.org_number.map(OrgNumber::into_string);
            let email = o.contact_email.map(Email::into_string);
            let status = status_cell(page, o.archived);
            (
                o.id,
                vec![
                    o.name,
                    org_number.unwrap_or_default(),
                    email.unwrap_or_default(),
                    status,
                ],
            )
        });
        Ok((rows, true))
    }
}

// -------------------------------------------------------------------- hubs

struct Hubs;

const HOUR_FIELDS: [&str; 7] = [
    "hours_monday",
    "hours_tuesday",
    "hours_wednesday",
    "hours_thursday",
    "hours_friday",
    "hours_saturday",
    "hours_sunday",
];

impl Resource for Hubs {
    type Parent = ();
    type Record = Hub;
    type Input = HubInput;
    const BASE: &'static str = "/admin/hubs";
    const NEW: &'static str = "/admin/hubs/new";
    const NEW_TITLE: &'static str = "admin.new_hub";
    const EDIT_TITLE: &'static str = "admin.edit_hub";

    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        network_admin(page)
    }

    /// A new hub starts open on weekdays, with nothing chosen and no position.
    fn blank(_: &Page, _: &()) -> AppResult<HubInput> {
        let hours = OpeningHours::weekdays("08:00", "17:00");
        Ok(HubInput {
            hours: std::array::from_fn(|i| OpeningHours::format_day(&hours.weekly[i])),
            exceptions: hours.format_exceptions(),
            ..HubInput::default()
        })
    }

    /// Hosts may edit the hubs they host: "forbidden" before "not found".
    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Hub> {
        Ok(hub_to_edit(state, page, id).await?.hub)
    }

    fn key(h: &Hub) -> (Uuid, ()) {
        (h.id, ())
    }

    fn to_input(h: &Hub) -> HubInput {
        HubInput::from_hub(h)
    }

    /// A hub's page also leads to who is there, its booking rules, and its
    /// zones and rooms.
    async fn children(state: &AppState, page: &Page, h: &Hub) -> AppResult<Vec<Child>> {
        hub_children(state, page, h.id).await
    }

    fn read(f: &FormData, _: &Page, _: Option<&Hub>) -> AppResult<HubInput> {
        Ok(HubInput {
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
        })
    }

    fn validate(input: &HubInput, id: Uuid, _: &()) -> Result<Hub, ValidationErrors> {
        input.validate(id)
    }

    const INSERT: StoreWrite<Hub> = |store, h| store.insert_hub(h);
    const UPDATE: StoreWrite<Hub> = |store, h| store.update_hub(h);

    async fn fields<'a>(state: &AppState, form: Form<'a>, input: &HubInput) -> AppResult<Form<'a>> {
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
        let mut form = form
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
        Ok(form
            .textarea("exceptions", &input.exceptions)
            .help("admin.exceptions_help")
            .archived(&input.archived))
    }
}

impl Listed for Hubs {
    type Query = NoQuery;
    const TITLE: &'static str = "admin.hubs";
    const COLUMNS: &'static [&'static str] = &[
        "field.name",
        "field.municipality_id",
        "field.operator_id",
        "admin.status",
    ];

    /// Network admins see every hub and may add one; hosts see theirs.
    async fn rows(state: &AppState, page: &Page, _: NoQuery) -> AppResult<(Vec<Row>, bool)> {
        let u = require_host_pages(page)?;
        let mut hubs = state.store.list_hubs().await?;
        hubs.retain(|l| u.can_edit_hub(l.hub.id));
        let rows = Self::rows_of(hubs, |l| {
            let status = status_cell(page, l.hub.archived);
            let cells = vec![l.hub.name, l.municipality_name, l.operator_name, status];
            (l.hub.id, cells)
        });
        Ok((rows, u.is_network_admin))
    }
}

async fn hub_children(state: &AppState, page: &Page, hub_id: Uuid) -> AppResult<Vec<Child>> {
    let zones = state.store.list_zones(hub_id).await?;
    let zones = Zones::rows_of(zones, |z| {
        let status = status_cell(page, z.archived);
        (z.id, vec![z.name, z.capacity.to_string(), status])
    });
    let rooms = state.store.list_rooms(hub_id).await?;
    let rooms = Rooms::rows_of(rooms, |r| {
        let kind = page.t(&format!("room_kind.{}", r.kind.key()));
        let price = format!("{} kr", format_ore_as_sek(r.hourly_price_ore));
        let status = status_cell(page, r.archived);
        (
            r.id,
            vec![r.name, kind, r.capacity.to_string(), price, status],
        )
    });
    let hub = format!("/admin/hubs/{hub_id}");
    let room_columns = [
        "field.name",
        "field.kind",
        "field.capacity",
        "field.hourly_price_sek",
        "admin.status",
    ];
    Ok(vec![
        // Link sections (no columns): who is here now and the access
        // numbers, and the hub's booking rules.
        Child::link(
            page,
            "presence.title",
            format!("{hub}/presence"),
            "presence.open",
        ),
        Child::link(
            page,
            "booking.rules_title",
            format!("{hub}/booking-rules"),
            "booking.rules_open",
        ),
        Child::table(
            page,
            "admin.zones",
            format!("{hub}/zones/new"),
            "admin.new_zone",
            &["field.name", "field.capacity", "admin.status"],
            zones,
        ),
        Child::table(
            page,
            "admin.rooms",
            format!("{hub}/rooms/new"),
            "admin.new_room",
            &room_columns,
            rooms,
        ),
    ])
}

// ------------------------------------------------------ zones and rooms

// Zones and rooms are made from their hub's page
// (`/admin/hubs/{hub}/zones/new`), edited at their own address, and both
// forms lead back to the hub, where a new one is listed after saving.

/// The hub that a new zone or room is for, if the person may edit it and
/// it exists.
async fn hub_for_new_part(state: &AppState, page: &Page, hub_id: Option<&str>) -> AppResult<Uuid> {
    let hub = hub_to_edit(state, page, hub_id.unwrap_or_default()).await?;
    Ok(hub.hub.id)
}

/// The hub that a sent zone or room is for, if the person may edit it; the
/// store refuses a hub that does not exist.
fn hub_for_sent_part(page: &Page, hub_id: Option<&str>) -> AppResult<Uuid> {
    hub_to_edit_id(page, hub_id.unwrap_or_default())
}

/// The form for a new zone or room of a hub.
fn new_in_hub_page(title: &'static str, part: &str, hub_id: Uuid) -> FormPage<'static> {
    let action = format!("/admin/hubs/{hub_id}/{part}/new");
    FormPage::new(title, action, Hubs::href(hub_id))
}

struct Zones;

impl Resource for Zones {
    /// The hub's id.
    type Parent = Uuid;
    type Record = Zone;
    type Input = ZoneInput;
    const BASE: &'static str = "/admin/zones";
    const NEW: &'static str = "/admin/hubs/{id}/zones/new";
    const NEW_TITLE: &'static str = "admin.new_zone";
    const EDIT_TITLE: &'static str = "admin.edit_zone";

    async fn parent_for_new(state: &AppState, page: &Page, hub: Option<&str>) -> AppResult<Uuid> {
        hub_for_new_part(state, page, hub).await
    }

    async fn parent_for_create(_: &AppState, page: &Page, hub: Option<&str>) -> AppResult<Uuid> {
        hub_for_sent_part(page, hub)
    }

    fn new_page(hub_id: &Uuid) -> FormPage<'static> {
        new_in_hub_page(Self::NEW_TITLE, "zones", *hub_id)
    }

    /// "Not found" before "forbidden": the zone says which hub it is in.
    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Zone> {
        let z = state.store.get_zone(parse_id(id)?).await?;
        require_hub(page, z.hub_id)?;
        Ok(z)
    }

    fn key(z: &Zone) -> (Uuid, Uuid) {
        (z.id, z.hub_id)
    }

    fn to_input(z: &Zone) -> ZoneInput {
        ZoneInput {
            name: z.name.clone(),
            purpose: z.purpose.clone(),
            capacity: z.capacity.to_string(),
            archived: bool_str(z.archived),
        }
    }

    /// Its forms lead back to its hub.
    fn back(hub_id: &Uuid) -> String {
        Hubs::href(*hub_id)
    }

    fn validate(input: &ZoneInput, id: Uuid, hub_id: &Uuid) -> Result<Zone, ValidationErrors> {
        input.validate(id, *hub_id)
    }

    const INSERT: StoreWrite<Zone> = |store, z| store.insert_zone(z);
    const UPDATE: StoreWrite<Zone> = |store, z| store.update_zone(z);

    /// A new zone is listed on its hub's page.
    fn created(hub_id: &Uuid, _: Uuid) -> Response {
        saved_redirect(Hubs::href(*hub_id))
    }

    async fn fields<'a>(_: &AppState, form: Form<'a>, input: &ZoneInput) -> AppResult<Form<'a>> {
        Ok(form
            .text("name", &input.name)
            .required()
            .textarea("purpose", &input.purpose)
            .text("capacity", &input.capacity)
            .required()
            .numeric("numeric")
            .archived(&input.archived))
    }
}

struct Rooms;

impl Resource for Rooms {
    /// The hub's id.
    type Parent = Uuid;
    type Record = Room;
    type Input = RoomInput;
    const BASE: &'static str = "/admin/rooms";
    const NEW: &'static str = "/admin/hubs/{id}/rooms/new";
    const NEW_TITLE: &'static str = "admin.new_room";
    const EDIT_TITLE: &'static str = "admin.edit_room";

    async fn parent_for_new(state: &AppState, page: &Page, hub: Option<&str>) -> AppResult<Uuid> {
        hub_for_new_part(state, page, hub).await
    }

    async fn parent_for_create(_: &AppState, page: &Page, hub: Option<&str>) -> AppResult<Uuid> {
        hub_for_sent_part(page, hub)
    }

    /// Most rooms are let at the standard VAT rate.
    fn blank(_: &Page, _: &Uuid) -> AppResult<RoomInput> {
        Ok(RoomInput {
            vat_rate_percent: "25".into(),
            ..Default::default()
        })
    }

    fn new_page(hub_id: &Uuid) -> FormPage<'static> {
        new_in_hub_page(Self::NEW_TITLE, "rooms", *hub_id)
    }

    /// "Not found" before "forbidden": the room says which hub it is in.
    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Room> {
        let r = state.store.get_room(parse_id(id)?).await?;
        require_hub(page, r.hub_id)?;
        Ok(r)
    }

    fn key(r: &Room) -> (Uuid, Uuid) {
        (r.id, r.hub_id)
    }

    fn to_input(r: &Room) -> RoomInput {
        RoomInput {
            name: r.name.clone(),
            kind: r.kind.key().into(),
            capacity: r.capacity.to_string(),
            hourly_price_sek: ore_to_sek_input(r.hourly_price_ore),
            vat_rate_percent: r.vat_rate_percent.to_string(),
            archived: bool_str(r.archived),
        }
    }

    /// Its forms lead back to its hub.
    fn back(hub_id: &Uuid) -> String {
        Hubs::href(*hub_id)
    }

    fn validate(input: &RoomInput, id: Uuid, hub_id: &Uuid) -> Result<Room, ValidationErrors> {
        input.validate(id, *hub_id)
    }

    const INSERT: StoreWrite<Room> = |store, r| store.insert_room(r);
    const UPDATE: StoreWrite<Room> = |store, r| store.update_room(r);

    /// A new room is listed on its hub's page.
    fn created(hub_id: &Uuid, _: Uuid) -> Response {
        saved_redirect(Hubs::href(*hub_id))
    }

    async fn fields<'a>(_: &AppState, form: Form<'a>, input: &RoomInput) -> AppResult<Form<'a>> {
        let kinds = RoomKind::ALL.iter().map(|k| k.key());
        let kinds = key_options(form.page(), "room_kind", kinds);
        let vats = ["25", "12", "6", "0"]
            .iter()
            .map(|v| (v.to_string(), format!("{v} %")))
            .collect();
        Ok(form
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
            .archived(&input.archived))
    }
}

pub(crate) fn ore_to_sek_input(ore: i64) -> String {
    if ore % 100 == 0 {
        (ore / 100).to_string()
    } else {
        format!("{},{:02}", ore / 100, ore % 100)
    }
}
