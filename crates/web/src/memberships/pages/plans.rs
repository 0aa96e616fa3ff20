//! Membership plans for network admins: list, create, edit and archive.

use crate::http::error::AppResult;
use crate::http::form_data::FormData;
use crate::http::forms::{
    render_form, render_list, save, status_cell, Form, FormPage, Resource, Row, SavedQuery,
    NO_ERRORS,
};
use crate::http::page::parse_id;
use crate::http::page::Page;
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use thirdplace_domain::membership::{Plan, PlanInput, PlanScope, Validity};
use thirdplace_domain::{format_ore_as_sek, new_id, ValidationErrors};
use uuid::Uuid;

const PLANS: Resource = Resource {
    list: "/admin/plans",
    new_title: "admin.new_plan",
    edit_title: "admin.edit_plan",
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/plans", get(list))
        .route("/admin/plans/new", get(new_plan).post(create))
        .route("/admin/plans/{id}", get(edit).post(update))
}

fn input_of(f: &FormData) -> PlanInput {
    PlanInput {
        name: f.get("name"),
        description: f.get("description"),
        scope: f.get("scope"),
        scope_id: f.get("scope_id"),
        monthly_price_sek: f.get("monthly_price_sek"),
        included_hours_per_month: f.get("included_hours_per_month"),
        guests_allowed: f.get("guests_allowed"),
        max_guests: f.get("max_guests"),
        validity: f.get("validity"),
        validity_days: f.get("validity_days"),
        archived: f.get("archived"),
    }
}

/// Names of the regions and hubs a plan can be limited to.
async fn scope_names(state: &AppState) -> AppResult<HashMap<Uuid, String>> {
    let mut names: HashMap<Uuid, String> = state
        .store
        .list_regions()
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    for l in state.store.list_hubs().await? {
        names.insert(l.hub.id, l.hub.name);
    }
    Ok(names)
}

async fn plan_form(
    state: &AppState,
    page: &Page,
    fp: FormPage<'_>,
    input: &PlanInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let region_label = page.t("plan.scope.region");
    let hub_label = page.t("plan.scope.hub");
    let mut targets: Vec<(String, String)> = state
        .store
        .list_regions()
        .await?
        .into_iter()
        .filter(|r| !r.archived || r.id.to_string() == input.scope_id)
        .map(|r| (r.id.to_string(), format!("{region_label}: {}", r.name)))
        .collect();
    targets.extend(
        state
            .store
            .list_hubs()
            .await?
            .into_iter()
            .filter(|l| !l.hub.archived || l.hub.id.to_string() == input.scope_id)
            .map(|l| (l.hub.id.to_string(), format!("{hub_label}: {}", l.hub.name))),
    );
    let scopes = ["network", "region", "hub"]
        .iter()
        .map(|k| (k.to_string(), page.t(&format!("plan.scope.{k}"))))
        .collect();
    let validities = ["monthly_rolling", "fixed_days"]
        .iter()
        .map(|k| (k.to_string(), page.t(&format!("plan.validity.{k}"))))
        .collect();
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .textarea("description", &input.description)
        .select("scope", &input.scope, scopes, "admin.choose")
        .required()
        .select("scope_id", &input.scope_id, targets, "admin.none")
        .help("field.scope_id_help")
        .text("monthly_price_sek", &input.monthly_price_sek)
        .required()
        .numeric("decimal")
        .help("field.monthly_price_sek_help")
        .text("included_hours_per_month", &input.included_hours_per_month)
        .numeric("numeric")
        .checkbox("guests_allowed", &input.guests_allowed)
        .text("max_guests", &input.max_guests)
        .numeric("numeric")
        .help("field.max_guests_help")
        .select("validity", &input.validity, validities, "admin.choose")
        .required()
        .text("validity_days", &input.validity_days)
        .numeric("numeric")
        .help("field.validity_days_help")
        .checkbox("archived", &input.archived)
        .help("plan.archived_help");
    render_form(page, fp, form)
}

fn scope_cell(page: &Page, scope: PlanScope, names: &HashMap<Uuid, String>) -> String {
    let kind = page.t(&format!("plan.scope.{}", scope.key()));
    match scope.target_id() {
        Some(id) => format!(
            "{kind}: {}",
            names.get(&id).cloned().unwrap_or_else(|| id.to_string())
        ),
        None => kind,
    }
}

fn validity_cell(page: &Page, v: Validity) -> String {
    match v {
        Validity::MonthlyRolling => page.t("plan.validity.monthly_rolling"),
        Validity::FixedDays(d) => format!("{d} {}", page.t("plan.days")),
    }
}

async fn list(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let names = scope_names(&state).await?;
    let rows = state
        .store
        .list_plans()
        .await?
        .into_iter()
        .map(|p: Plan| Row {
            href: PLANS.href(p.id),
            cells: vec![
                p.name.clone(),
                scope_cell(&page, p.scope, &names),
                format!("{} kr", format_ore_as_sek(p.monthly_price_ore)),
                p.included_hours_per_month.to_string(),
                p.max_guests.to_string(),
                validity_cell(&page, p.validity),
                status_cell(&page, p.archived),
            ],
        })
        .collect();
    render_list(
        &page,
        "admin.plans",
        Some(PLANS.new_href()),
        &[
            "field.name",
            "field.scope",
            "field.monthly_price_sek",
            "field.included_hours_per_month",
            "field.max_guests",
            "field.validity",
            "admin.status",
        ],
        rows,
    )
}

async fn new_plan(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let input = PlanInput {
        scope: "network".into(),
        validity: "monthly_rolling".into(),
        included_hours_per_month: "0".into(),
        ..PlanInput::default()
    };
    plan_form(&state, &page, PLANS.new_page(), &input, NO_ERRORS).await
}

async fn create(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let input = input_of(&form);
    let validated = input.validate(new_id());
    match save(validated, async |p| state.store.insert_plan(p).await).await? {
        Ok(p) => Ok(PLANS.saved(p.id)),
        Err(e) => plan_form(&state, &page, PLANS.new_page(), &input, &e).await,
    }
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let p = state.store.get_plan(parse_id(&id)?).await?;
    let fp = PLANS.edit_page(p.id, q.saved.is_some());
    plan_form(&state, &page, fp, &PlanInput::from_plan(&p), NO_ERRORS).await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    require_network_admin(&page)?;
    let id = state.store.get_plan(parse_id(&id)?).await?.id;
    let input = input_of(&form);
    let validated = input.validate(id);
    match save(validated, async |p| state.store.update_plan(p).await).await? {
        Ok(_) => Ok(PLANS.saved(id)),
        Err(e) => plan_form(&state, &page, PLANS.edit_page(id, false), &input, &e).await,
    }
}
