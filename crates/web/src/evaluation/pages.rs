//! `/admin/pilots`: the pilots, a form for one (network admins), and each
//! pilot's evaluation — every goal's verdict per hub and for the pilot,
//! every indicator, the months — over its period or one chosen. Hosts see
//! the pilots with a hub of theirs.

use super::service::{self, Report};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::forms::{key_options, saved_redirect, Form, NO_ERRORS};
use crate::http::page::{parse_id, Page};
use crate::http::roles::{require_host_pages, require_network_admin};
use crate::http::spreadsheet::{self, Cell, Csv};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use minijinja::{context, Value};
use serde::Deserialize;
use thirdplace_domain::evaluation::{
    GoalInput, Indicator, Measures, Pilot, PilotInput, Verdict, MAX_GOALS,
};
use thirdplace_domain::{new_id, ValidationErrors};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/pilots", get(list))
        .route("/admin/pilots/new", get(new_form).post(create))
        .route("/admin/pilots/{id}", get(show))
        .route("/admin/pilots/{id}/edit", get(edit_form).post(update))
        .route("/admin/pilots/{id}/{file}", get(download))
}

async fn list(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let u = require_host_pages(&page)?;
    let regions = state.store.list_regions().await?;
    let pilots: Vec<Value> = service::visible(&state, u)
        .await?
        .into_iter()
        .map(|p| {
            let region = regions
                .iter()
                .find(|r| r.id == p.region_id)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            context! {
                href => format!("/admin/pilots/{}", p.id),
                name => p.name,
                region,
                from => p.starts_on.to_string(),
                to => p.ends_on.to_string(),
                hubs => p.hub_ids.len(),
                goals => p.goals.len(),
                archived => p.archived,
            }
        })
        .collect();
    page.render(
        "evaluation/list.html",
        context! { pilots, can_write => u.can_manage_network() },
    )
}

// ------------------------------------------------------------------- form

/// The goal rows of a form: `goals[i].field`, as many as were sent.
fn goals_of(form: &FormData) -> Vec<GoalInput> {
    (0..MAX_GOALS + 5)
        .map(|i| {
            let f = |name: &str| form.get(&format!("goals[{i}].{name}"));
            GoalInput {
                indicator: f("indicator"),
                label: f("label"),
                direction: f("direction"),
                target: f("target"),
                scope: f("scope"),
                manual_value: f("manual_value"),
            }
        })
        .filter(|g| !g.is_blank())
        .collect()
}

fn input_of(form: &FormData) -> PilotInput {
    PilotInput {
        name: form.get("name"),
        description: form.get("description"),
        region_id: form.get("region_id"),
        starts_on: form.get("starts_on"),
        ends_on: form.get("ends_on"),
        critical_mass_people: form.get("critical_mass_people"),
        hub_ids: form.all("hub_ids"),
        goals: goals_of(form),
        archived: form.get("archived"),
    }
}

async fn render_form(
    state: &AppState,
    page: &Page,
    input: &PilotInput,
    errors: &ValidationErrors,
    id: Option<Uuid>,
) -> AppResult<Response> {
    let regions = state.store.list_regions().await?;
    let hubs = state.store.list_hubs().await?;
    let region_options = regions
        .iter()
        .filter(|r| !r.archived || r.id.to_string() == input.region_id)
        .map(|r| (r.id.to_string(), r.name.clone()))
        .collect();
    let hub_options = hubs
        .iter()
        .filter(|h| !h.hub.archived || input.hub_ids.contains(&h.hub.id.to_string()))
        .map(|h| {
            (
                h.hub.id.to_string(),
                format!("{} ({})", h.hub.name, h.municipality_name),
            )
        })
        .collect();
    let form = Form::new(page, errors)
        .text("name", &input.name)
        .required()
        .textarea("description", &input.description)
        .select(
            "region_id",
            &input.region_id,
            region_options,
            "evaluation.choose_region",
        )
        .required()
        .text("starts_on", &input.starts_on)
        .required()
        .help("evaluation.date_help")
        .text("ends_on", &input.ends_on)
        .required()
        .help("evaluation.date_help")
        .text("critical_mass_people", &input.critical_mass_people)
        .numeric("numeric")
        .help("evaluation.critical_mass_help")
        .multi("hub_ids", &input.hub_ids, hub_options)
        .archived(&input.archived);
    let status = form.status();
    let (fields, mut summary) = form.into_parts();

    // The goal rows: those given and three blank ones to add more.
    let mut rows = input.goals.clone();
    rows.extend(std::iter::repeat_n(GoalInput::default(), 3));
    rows.truncate(MAX_GOALS);
    let indicators = key_options(
        page,
        "evaluation.indicator",
        Indicator::ALL.iter().map(|i| i.key()),
    );
    let field_error = |name: &str| errors.for_field(name).map(|e| page.field_message(e));
    let goals: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let name = |f: &str| format!("goals[{i}].{f}");
            let opts = |list: &[(String, String)], value: &str| {
                list.iter()
                    .map(|(v, l)| context! { value => v, label => l, selected => v == value })
                    .collect::<Vec<_>>()
            };
            context! {
                n => i + 1,
                prefix => format!("goals[{i}]"),
                indicator => g.indicator,
                indicators => opts(&indicators, &g.indicator),
                label => g.label,
                direction => g.direction,
                target => g.target,
                scope => g.scope,
                manual_value => g.manual_value,
                errors => context! {
                    indicator => field_error(&name("indicator")),
                    label => field_error(&name("label")),
                    direction => field_error(&name("direction")),
                    target => field_error(&name("target")),
                    scope => field_error(&name("scope")),
                    manual_value => field_error(&name("manual_value")),
                },
            }
        })
        .collect();
    // The goals' problems in the summary, named as the form names them.
    summary.retain(|e| {
        !e.get_attr("id")
            .map(|id| id.to_string().starts_with("f-goals["))
            .unwrap_or(false)
    });
    for e in errors
        .errors
        .iter()
        .filter(|e| e.field.starts_with("goals["))
    {
        let (row, field) = e.field.split_once("].").unwrap_or((&e.field, ""));
        let n: usize = row
            .trim_start_matches("goals[")
            .parse::<usize>()
            .unwrap_or(0)
            + 1;
        let label = format!(
            "{} {n}: {}",
            page.t("evaluation.goal"),
            page.t(&format!("evaluation.goal_field.{field}"))
        );
        summary.push(
            context! { id => format!("f-{}", e.field), label, message => page.field_message(e) },
        );
    }
    let action = match id {
        Some(id) => format!("/admin/pilots/{id}/edit"),
        None => "/admin/pilots/new".into(),
    };
    let back = match id {
        Some(id) => format!("/admin/pilots/{id}"),
        None => "/admin/pilots".into(),
    };
    page.render_with_status(
        status,
        "evaluation/form.html",
        context! { fields, errors => summary, goals, action, back, editing => id.is_some() },
    )
}

async fn new_form(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_network_admin(&page)?;
    let input = PilotInput {
        critical_mass_people: thirdplace_domain::evaluation::DEFAULT_CRITICAL_MASS.to_string(),
        ..PilotInput::default()
    };
    render_form(&state, &page, &input, NO_ERRORS, None).await
}

async fn create(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    let form = FormData::parse(&page, &body)?;
    let input = input_of(&form);
    let id = new_id();
    save(&state, &page, actor, input, id, true).await
}

async fn save(
    state: &AppState,
    page: &Page,
    actor: Uuid,
    input: PilotInput,
    id: Uuid,
    new: bool,
) -> AppResult<Response> {
    let shown = if new { None } else { Some(id) };
    let pilot = match input.validate(id) {
        Ok(p) => p,
        Err(e) => return render_form(state, page, &input, &e, shown).await,
    };
    match service::save(state, actor, &pilot, new).await {
        Ok(()) => Ok(saved_redirect(format!("/admin/pilots/{id}"))),
        Err(AppError::Validation(e)) => render_form(state, page, &input, &e, shown).await,
        Err(e) => Err(e),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let pilot = state.store.get_pilot(parse_id(&id)?).await?;
    render_form(
        &state,
        &page,
        &PilotInput::from_pilot(&pilot),
        NO_ERRORS,
        Some(pilot.id),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    let id = parse_id(&id)?;
    state.store.get_pilot(id).await?;
    let form = FormData::parse(&page, &body)?;
    save(&state, &page, actor, input_of(&form), id, false).await
}

// -------------------------------------------------------------- dashboard

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    saved: Option<String>,
}

/// A value as the page shows it: whole numbers with a thin space between
/// thousands, hours from minutes, "–" for none.
fn shown(indicator: Indicator, value: Option<i64>) -> String {
    let Some(v) = value else {
        return "–".into();
    };
    let digits = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    let sign = if v < 0 { "−" } else { "" };
    let unit = match indicator {
        Indicator::Retention3Months | Indicator::Retention6Months => "\u{a0}%",
        _ => "",
    };
    format!("{sign}{out}{unit}")
}

fn verdict_of(page: &Page, v: Verdict) -> Value {
    context! { key => v.key(), label => page.t(&format!("evaluation.verdict.{}", v.key())) }
}

fn goal_text(page: &Page, g: &thirdplace_domain::evaluation::Goal) -> String {
    let what = if g.label.is_empty() {
        page.t(&format!("evaluation.indicator.{}", g.indicator.key()))
    } else {
        g.label.clone()
    };
    format!(
        "{what}: {} {}",
        page.t(&format!("evaluation.direction.{}", g.direction.key())),
        shown(g.indicator, Some(g.target))
    )
}

fn dashboard(page: &Page, pilot: &Pilot, r: &Report) -> Value {
    let hubs: Vec<Value> = r
        .hub_names
        .iter()
        .map(|(id, name)| context! { id => id.to_string(), name })
        .collect();
    let goals: Vec<Value> = r
        .evaluation
        .goals
        .iter()
        .map(|g| {
            context! {
                text => goal_text(page, &g.goal),
                scope => page.t(&format!("evaluation.scope.{}", g.goal.scope.key())),
                hubs => g.hubs.iter().map(|h| context! {
                    value => shown(g.goal.indicator, h.value),
                    verdict => verdict_of(page, h.verdict),
                }).collect::<Vec<_>>(),
                value => shown(g.goal.indicator, g.value),
                verdict => verdict_of(page, g.verdict),
            }
        })
        .collect();
    let row = |m: &Measures, i: Indicator| shown(i, m.value(i));
    let indicators: Vec<Value> = Indicator::ALL
        .iter()
        .filter(|i| **i != Indicator::Manual)
        .map(|&i| {
            context! {
                label => page.t(&format!("evaluation.indicator.{}", i.key())),
                hubs => r.evaluation.hubs.iter().map(|h| row(&h.measures, i)).collect::<Vec<_>>(),
                pilot => row(&r.evaluation.pilot, i),
            }
        })
        .collect();
    let mut kinds: Vec<Value> = r
        .evaluation
        .pilot
        .participants_by_kind
        .iter()
        .map(|(k, n)| context! { label => page.t(&format!("org_kind.{k}")), n => shown(Indicator::Events, Some(*n)) })
        .collect();
    kinds.sort_by_key(|v| {
        v.get_attr("label")
            .map(|l| l.to_string())
            .unwrap_or_default()
    });
    let months: Vec<Value> = r
        .months
        .iter()
        .map(|(p, m)| {
            context! {
                month => format!("{} {}", page.t(&format!("month.{}", p.from.month())), p.from.year()),
                visits => shown(Indicator::Visits, Some(m.visits)),
                visitors => shown(Indicator::Visits, Some(m.unique_visitors)),
                hours => shown(Indicator::Visits, Some(m.visit_hours())),
                new_members => shown(Indicator::Visits, Some(m.new_members)),
                events => shown(Indicator::Visits, Some(m.events)),
                participants => shown(Indicator::Visits, Some(m.event_participants)),
            }
        })
        .collect();
    context! {
        id => pilot.id.to_string(),
        name => pilot.name,
        description => pilot.description,
        from => r.period.from.to_string(),
        to => r.period.to.to_string(),
        pilot_from => pilot.starts_on.to_string(),
        pilot_to => pilot.ends_on.to_string(),
        running => r.period.to >= thirdplace_domain::membership::local_date(r.now),
        critical_mass => pilot.critical_mass_people,
        hubs, goals, indicators, kinds, months,
        archived => pilot.archived,
    }
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let u = require_host_pages(&page)?;
    let pilot = state.store.get_pilot(parse_id(&id)?).await?;
    if !service::may_see(u, &pilot) {
        return Err(AppError::NotFound);
    }
    let region = state
        .store
        .get_region(pilot.region_id)
        .await
        .map(|r| r.name)
        .unwrap_or_default();
    let (period, period_error) = match service::period_of(&pilot, &q.from, &q.to) {
        Ok(p) => (p, None),
        Err(e) => (
            pilot.period(),
            e.errors
                .first()
                .map(|f| (f.field.clone(), page.field_message(f))),
        ),
    };
    let r = service::report(&state, &pilot, period).await?;
    let status = if period_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    page.render_with_status(
        status,
        "evaluation/show.html",
        context! {
            p => dashboard(&page, &pilot, &r),
            region,
            saved => q.saved.is_some(),
            can_write => u.can_manage_network(),
            asked_from => q.from,
            asked_to => q.to,
            period_error => period_error.map(|(field, message)| context! { field, message }),
        },
    )
}

// -------------------------------------------------------------- downloads

/// A table of the pilot's page as a spreadsheet: the indicators per hub
/// and for the pilot, or the months.
struct Sheet {
    name: String,
    headings: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

fn cell(v: Option<i64>) -> Cell {
    v.map(Cell::Int).unwrap_or(Cell::Empty)
}

fn indicators_sheet(page: &Page, r: &Report) -> Sheet {
    let mut headings = vec![page.t("evaluation.indicator")];
    headings.extend(r.hub_names.iter().map(|(_, n)| n.clone()));
    headings.push(page.t("evaluation.whole_pilot"));
    let rows = Indicator::ALL
        .iter()
        .filter(|i| **i != Indicator::Manual)
        .map(|&i| {
            let mut row = vec![Cell::Text(
                page.t(&format!("evaluation.indicator.{}", i.key())),
            )];
            row.extend(r.evaluation.hubs.iter().map(|h| cell(h.measures.value(i))));
            row.push(cell(r.evaluation.pilot.value(i)));
            row
        })
        .collect();
    Sheet {
        name: page.t("evaluation.indicators"),
        headings,
        rows,
    }
}

fn months_sheet(page: &Page, r: &Report) -> Sheet {
    let headings = [
        "evaluation.month",
        "evaluation.indicator.visits",
        "evaluation.indicator.unique_visitors",
        "evaluation.indicator.visit_hours",
        "evaluation.indicator.new_members",
        "evaluation.indicator.events",
        "evaluation.indicator.event_participants",
    ]
    .iter()
    .map(|k| page.t(k))
    .collect();
    let rows = r
        .months
        .iter()
        .map(|(p, m)| {
            vec![
                Cell::Date(p.from),
                Cell::Int(m.visits),
                Cell::Int(m.unique_visitors),
                Cell::Int(m.visit_hours()),
                Cell::Int(m.new_members),
                Cell::Int(m.events),
                Cell::Int(m.event_participants),
            ]
        })
        .collect();
    Sheet {
        name: page.t("evaluation.months"),
        headings,
        rows,
    }
}

/// `indicators.csv`, `indicators.xlsx`, `months.csv` or `months.xlsx`, over
/// the period asked for (`from`, `to`) as on the page.
async fn download(
    State(state): State<AppState>,
    page: Page,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let u = require_host_pages(&page)?;
    let (table, kind) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    if !matches!(table, "indicators" | "months") || !matches!(kind, "csv" | "xlsx") {
        return Err(AppError::NotFound);
    }
    let pilot = state.store.get_pilot(parse_id(&id)?).await?;
    if !service::may_see(u, &pilot) {
        return Err(AppError::NotFound);
    }
    let period = service::period_of(&pilot, &q.from, &q.to)?;
    let r = service::report(&state, &pilot, period).await?;
    let sheet = if table == "indicators" {
        indicators_sheet(&page, &r)
    } else {
        months_sheet(&page, &r)
    };
    let name = format!("{table}-{}-{}.{kind}", period.from, period.to);
    if kind == "csv" {
        let mut body = Csv::start(&sheet.headings);
        let mut rows = Csv::new();
        for row in &sheet.rows {
            rows.cells(row, page.lang);
        }
        body.extend(rows.into_bytes());
        Ok(spreadsheet::csv_attachment(&name, body))
    } else {
        let body = spreadsheet::xlsx(&sheet.name, &sheet.headings, &sheet.rows)?;
        Ok(spreadsheet::xlsx_attachment(&name, body))
    }
}
