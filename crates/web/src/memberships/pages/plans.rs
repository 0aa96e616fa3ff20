//! Membership plans for network admins: list, create, edit and archive.

use crate::http::error::AppResult;
use crate::http::forms::{
    key_options, listed_routes, status_cell, Form, Listed, NoQuery, Resource, Row, StoreWrite,
};
use crate::http::page::parse_id;
use crate::http::page::Page;
use crate::http::roles::require_network_admin;
use crate::AppState;
use axum::Router;
use std::collections::HashMap;
use thirdplace_domain::membership::{Plan, PlanInput, PlanScope, Validity};
use thirdplace_domain::{format_ore_as_sek, ValidationErrors};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    listed_routes::<Plans>()
}

struct Plans;

impl Resource for Plans {
    type Parent = ();
    type Record = Plan;
    type Input = PlanInput;
    const BASE: &'static str = "/admin/plans";
    const NEW: &'static str = "/admin/plans/new";
    const NEW_TITLE: &'static str = "admin.new_plan";
    const EDIT_TITLE: &'static str = "admin.edit_plan";

    async fn parent_for_new(_: &AppState, page: &Page, _: Option<&str>) -> AppResult<()> {
        require_network_admin(page).map(drop)
    }

    /// A new plan starts as a monthly plan for the whole network.
    fn blank(_: &Page, _: &()) -> AppResult<PlanInput> {
        Ok(PlanInput {
            scope: "network".into(),
            validity: "monthly_rolling".into(),
            included_hours_per_month: "0".into(),
            ..PlanInput::default()
        })
    }

    async fn load(state: &AppState, page: &Page, id: &str) -> AppResult<Plan> {
        require_network_admin(page)?;
        Ok(state.store.get_plan(parse_id(id)?).await?)
    }

    fn key(p: &Plan) -> (Uuid, ()) {
        (p.id, ())
    }

    fn to_input(p: &Plan) -> PlanInput {
        PlanInput::from_plan(p)
    }

    fn validate(input: &PlanInput, id: Uuid, _: &()) -> Result<Plan, ValidationErrors> {
        input.validate(id)
    }

    const INSERT: StoreWrite<Plan> = |store, p| store.insert_plan(p);
    const UPDATE: StoreWrite<Plan> = |store, p| store.update_plan(p);

    async fn fields<'a>(
        state: &AppState,
        form: Form<'a>,
        input: &PlanInput,
    ) -> AppResult<Form<'a>> {
        let page = form.page();
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
        let operators: Vec<(String, String)> = state
            .store
            .list_operators()
            .await?
            .into_iter()
            .filter(|o| !o.archived || o.id.to_string() == input.selling_operator_id)
            .map(|o| (o.id.to_string(), o.name))
            .collect();
        let scopes = key_options(page, "plan.scope", ["network", "region", "hub"]);
        let validities = key_options(page, "plan.validity", ["monthly_rolling", "fixed_days"]);
        Ok(form
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
            .select(
                "selling_operator_id",
                &input.selling_operator_id,
                operators,
                "admin.none",
            )
            .help("field.selling_operator_id_help")
            .text("vat_rate_percent", &input.vat_rate_percent)
            .numeric("numeric")
            .help("field.vat_rate_percent_help")
            .checkbox("archived", &input.archived)
            .help("plan.archived_help"))
    }
}

impl Listed for Plans {
    type Query = NoQuery;
    const TITLE: &'static str = "admin.plans";
    const COLUMNS: &'static [&'static str] = &[
        "field.name",
        "field.scope",
        "field.monthly_price_sek",
        "field.included_hours_per_month",
        "field.max_guests",
        "field.validity",
        "admin.status",
    ];

    async fn rows(state: &AppState, page: &Page, _: NoQuery) -> AppResult<(Vec<Row>, bool)> {
        require_network_admin(page)?;
        let names = scope_names(state).await?;
        let plans = state.store.list_plans().await?;
        let rows = Self::rows_of(plans, |p: Plan| {
            let cells = vec![
                p.name.clone(),
                scope_cell(page, p.scope, &names),
                format!("{} kr", format_ore_as_sek(p.monthly_price_ore)),
                p.included_hours_per_month.to_string(),
                p.max_guests.to_string(),
                validity_cell(page, p.validity),
                status_cell(page, p.archived),
            ];
            (p.id, cells)
        });
        Ok((rows, true))
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
