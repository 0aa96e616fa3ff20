//! Settlement between operators (issue 16, item 6), for network admins:
//! the month's statement of what each operator owes the others for its
//! members' visit days and bookings at their hubs, at the network's
//! tariff. `/admin/settlement?month=YYYY-MM` (the statement, a month
//! picker, the tariff and its form), `/admin/settlement.csv?month=…` and
//! `.xlsx` (the lines, for a spreadsheet), `GET /api/v1/settlement?month=…`, `GET`/`PUT
//! /api/v1/settlement/tariff`.
//!
//! The statement is `thirdplace_invoicing::settlement`'s, from what the
//! store's `SettlementStore` says was used (who is home, which bookings
//! count); the tariff's bounds are checked there too. Changing the tariff
//! is written to the audit trail.

use super::service::{kronor, month_text, parse_month};
use crate::http::api::{require, ApiJson};
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form_data::FormData;
use crate::http::forms::{Form, NO_ERRORS};
use crate::http::page::{urlencode, Page};
use crate::http::roles::require_network_admin;
use crate::http::spreadsheet::{self, Cell, Csv};
use crate::i18n::{self, Lang};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use thirdplace_domain::{FieldError, ValidationErrors};
use thirdplace_invoicing::invoice::Period;
use thirdplace_invoicing::settlement::{
    statement, SettlementBooking, SettlementError, SettlementKind, Statement, Tariff, Visit,
};
use thirdplace_store::SettlementTariff;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

const PATH: &str = "/admin/settlement";

/// The audit trail's object for the tariff: there is one, the network's.
const OBJECT: (&str, Uuid) = ("settlement", Uuid::nil());

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/admin/settlement/tariff", post(save_tariff))
        .route("/admin/settlement.csv", get(csv))
        .route("/admin/settlement.xlsx", get(xlsx))
}

pub fn api_routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_settlement))
        .routes(routes!(get_settlement_tariff, set_settlement_tariff))
}

// ---------------------------------------------------------------- service

fn tariff_of(t: SettlementTariff) -> Tariff {
    Tariff {
        visit_day_ore: t.visit_day_ore,
        booking_share_per_mille: u32::try_from(t.booking_share_per_mille).unwrap_or(u32::MAX),
    }
}

/// A tariff refused by the domain, as the field it is about.
fn tariff_error(e: &SettlementError) -> ValidationErrors {
    let field = match e {
        SettlementError::NegativeVisitTariff => "visit_day_ore",
        _ => "booking_share_per_mille",
    };
    ValidationErrors::single(field, e.code(), e.to_string())
}

/// Checks `t` by the domain's rule and keeps it, recording what changed.
async fn change_tariff(state: &AppState, actor: Uuid, t: Tariff) -> AppResult<Tariff> {
    let t = t
        .checked()
        .map_err(|e| AppError::Validation(tariff_error(&e)))?;
    let kept = SettlementTariff {
        visit_day_ore: t.visit_day_ore,
        booking_share_per_mille: i64::from(t.booking_share_per_mille),
    };
    let old = tariff_of(state.store.settlement_tariff().await?);
    state.store.set_settlement_tariff(&kept).await?;
    let details = audit::changes(&old, &t);
    audit::record(
        state,
        Some(actor),
        "settlement.tariff_changed",
        OBJECT,
        details,
    )
    .await;
    Ok(t)
}

/// A month's statement with the tariff it was made at and the operators'
/// names by id.
struct Settled {
    period: Period,
    tariff: Tariff,
    statement: Statement,
    names: HashMap<String, String>,
}

impl Settled {
    fn name(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

async fn settle(state: &AppState, period: Period) -> AppResult<Settled> {
    let tariff = tariff_of(state.store.settlement_tariff().await?);
    let facts = state
        .store
        .settlement_facts(period.start(), period.end())
        .await?;
    let visits: Vec<Visit> = facts
        .visits
        .into_iter()
        .map(|v| Visit {
            id: v.checkin_id.to_string(),
            home: v.home_operator_id.to_string(),
            host: v.host_operator_id.to_string(),
            hub_name: v.hub_name,
            person: v.person_id.to_string(),
            date: v.date,
        })
        .collect();
    let bookings: Vec<SettlementBooking> = facts
        .bookings
        .into_iter()
        .map(|b| SettlementBooking {
            id: b.booking_id.to_string(),
            home: b.home_operator_id.to_string(),
            host: b.host_operator_id.to_string(),
            hub_name: b.hub_name,
            date: b.date,
            minutes: (b.ends_at - b.starts_at).num_minutes(),
            amount_ore: b.amount_ore,
        })
        .collect();
    let statement = statement(period, tariff, &visits, &bookings).map_err(|e| {
        AppError::refused(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            e.code(),
            e.to_string(),
        )
    })?;
    let names = state
        .store
        .list_operators()
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    Ok(Settled {
        period,
        tariff,
        statement,
        names,
    })
}

/// The month asked for (last month when none is), or 400.
fn month(state: &AppState, raw: Option<&str>) -> AppResult<Period> {
    let raw = raw
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| super::pages::last_month(state));
    parse_month(&raw).map_err(|e| AppError::bad_request("invalid_month", e.to_string()))
}

fn kind_key(k: SettlementKind) -> &'static str {
    match k {
        SettlementKind::VisitDays => "visit_days",
        SettlementKind::Bookings => "bookings",
    }
}

// ---------------------------------------------------------------- the API

#[derive(Deserialize, IntoParams)]
pub struct SettlementQuery {
    /// The month, `YYYY-MM` (Swedish civil days); last month when left out.
    pub month: Option<String>,
}

/// The network's tariff between operators.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementTariffBody {
    /// What the home operator pays the host per member and visit day at
    /// the host's hubs, in öre (0 or more).
    #[schema(minimum = 0)]
    pub visit_day_ore: i64,
    /// The host's share of the amount (without VAT) of a booking made with
    /// another operator's seat, in per mille (0–1000).
    #[schema(minimum = 0, maximum = 1000)]
    pub booking_share_per_mille: i64,
}

impl From<Tariff> for SettlementTariffBody {
    fn from(t: Tariff) -> Self {
        SettlementTariffBody {
            visit_day_ore: t.visit_day_ore,
            booking_share_per_mille: i64::from(t.booking_share_per_mille),
        }
    }
}

/// What one operator owes another for one kind of use.
#[derive(Serialize, ToSchema)]
pub struct SettlementLineOut {
    /// The home operator (its members used the host's hubs).
    pub debtor_id: String,
    pub debtor: String,
    /// The host operator.
    pub creditor_id: String,
    pub creditor: String,
    /// `visit_days` or `bookings`.
    pub kind: String,
    /// Visit days (one per person and day), or bookings.
    pub count: i64,
    /// Booked minutes (0 for visit days).
    pub minutes: i64,
    /// The bookings' amount without VAT the share is taken of (0 for
    /// visit days).
    pub base_ore: i64,
    pub amount_ore: i64,
    /// The check-ins or bookings behind the line, by id.
    pub items: Vec<String>,
}

/// What one operator pays another after setting off.
#[derive(Serialize, ToSchema)]
pub struct SettlementNetOut {
    pub payer_id: String,
    pub payer: String,
    pub payee_id: String,
    pub payee: String,
    pub amount_ore: i64,
}

/// A month's statement between operators.
#[derive(Serialize, ToSchema)]
pub struct SettlementOut {
    /// `YYYY-MM`.
    pub month: String,
    pub tariff: SettlementTariffBody,
    /// By debtor, creditor and kind.
    pub lines: Vec<SettlementLineOut>,
    /// One per pair of operators with a balance.
    pub net: Vec<SettlementNetOut>,
}

fn settlement_out(s: &Settled) -> SettlementOut {
    SettlementOut {
        month: month_text(&s.period),
        tariff: s.tariff.into(),
        lines: s
            .statement
            .lines
            .iter()
            .map(|l| SettlementLineOut {
                debtor: s.name(&l.debtor),
                debtor_id: l.debtor.clone(),
                creditor: s.name(&l.creditor),
                creditor_id: l.creditor.clone(),
                kind: kind_key(l.kind).into(),
                count: l.count,
                minutes: l.minutes,
                base_ore: l.base_ore,
                amount_ore: l.amount_ore,
                items: l.items.clone(),
            })
            .collect(),
        net: s
            .statement
            .net
            .iter()
            .map(|n| SettlementNetOut {
                payer: s.name(&n.payer),
                payer_id: n.payer.clone(),
                payee: s.name(&n.payee),
                payee_id: n.payee.clone(),
                amount_ore: n.amount_ore,
            })
            .collect(),
    }
}

/// The month's statement between operators: per home and host operator
/// the visit days and bookings with their amounts, and what each pays the
/// other after setting off. Network admins.
#[utoipa::path(get, path = "/settlement", tag = "invoicing", params(SettlementQuery), security(("token" = [])),
    responses((status = 200, body = SettlementOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_settlement(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SettlementQuery>,
) -> AppResult<Json<SettlementOut>> {
    require(&auth, |p| p.can_manage_network())?;
    let period = month(&state, q.month.as_deref())?;
    Ok(Json(settlement_out(&settle(&state, period).await?)))
}

/// The network's tariff between operators. Network admins.
#[utoipa::path(get, path = "/settlement/tariff", tag = "invoicing", security(("token" = [])),
    responses((status = 200, body = SettlementTariffBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_settlement_tariff(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<SettlementTariffBody>> {
    require(&auth, |p| p.can_manage_network())?;
    Ok(Json(
        tariff_of(state.store.settlement_tariff().await?).into(),
    ))
}

/// Sets the network's tariff between operators (recorded in the audit
/// trail). Network admins.
#[utoipa::path(put, path = "/settlement/tariff", tag = "invoicing", request_body = SettlementTariffBody, security(("token" = [])),
    responses((status = 200, body = SettlementTariffBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_settlement_tariff(
    State(state): State<AppState>,
    auth: Auth,
    body: ApiJson<SettlementTariffBody>,
) -> AppResult<Json<SettlementTariffBody>> {
    let who = require(&auth, |p| p.can_manage_network())?;
    let body = body.parse()?;
    // A share past what `u32` holds is out of range all the same.
    let share = u32::try_from(body.booking_share_per_mille).unwrap_or(u32::MAX);
    let t = Tariff {
        visit_day_ore: body.visit_day_ore,
        booking_share_per_mille: share,
    };
    Ok(Json(change_tariff(&state, who.person_id, t).await?.into()))
}

// ---------------------------------------------------------------- the page

#[derive(Deserialize)]
struct PageQuery {
    month: Option<String>,
    saved: Option<String>,
}

/// A share in per mille as a percentage ("12,5").
fn percent_text(per_mille: u32) -> String {
    match per_mille % 10 {
        0 => (per_mille / 10).to_string(),
        d => format!("{},{d}", per_mille / 10),
    }
}

/// A percentage with at most one decimal ("12,5", "12.5", "3") in per
/// mille; the range is the domain's to judge.
fn parse_percent(raw: &str) -> Result<u32, FieldError> {
    let bad = || {
        thirdplace_domain::error::invalid(
            "invalid_percent",
            "is not a percentage (for example 10 or 12,5)",
        )
    };
    let s = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    if s.is_empty() {
        return Err(thirdplace_domain::error::invalid(
            "required",
            "must not be empty",
        ));
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 6 || frac.len() > 1 || !digits(whole) || !digits(frac) {
        return Err(bad());
    }
    let whole: u32 = whole.parse().map_err(|_| bad())?;
    let tenth: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    Ok(whole * 10 + tenth)
}

/// What the tariff form sent.
#[derive(Deserialize, Default)]
struct TariffForm {
    #[serde(default)]
    visit_day: String,
    #[serde(default)]
    booking_share: String,
    #[serde(default)]
    month: String,
}

impl TariffForm {
    fn of(t: Tariff) -> Self {
        TariffForm {
            visit_day: thirdplace_domain::money::format_ore_as_sek(t.visit_day_ore),
            booking_share: percent_text(t.booking_share_per_mille),
            month: String::new(),
        }
    }

    /// The tariff, or every field's problem (the domain's bounds included).
    fn read(&self) -> Result<Tariff, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let visit = e.check(
            "visit_day",
            thirdplace_domain::money::parse_sek_to_ore(&self.visit_day),
        );
        let share = e.check("booking_share", parse_percent(&self.booking_share));
        let (Some(visit_day_ore), Some(booking_share_per_mille)) = (visit, share) else {
            return Err(e);
        };
        Tariff {
            visit_day_ore,
            booking_share_per_mille,
        }
        .checked()
        .map_err(|err| {
            // The form asks for a percentage, not per mille.
            let (field, message) = match err {
                SettlementError::NegativeVisitTariff => ("visit_day", err.to_string()),
                _ => ("booking_share", "must be between 0 and 100 %".to_string()),
            };
            ValidationErrors::single(field, err.code(), message)
        })
    }
}

async fn render(
    state: &AppState,
    page: &Page,
    period: Period,
    form: &TariffForm,
    errors: &ValidationErrors,
    saved: bool,
) -> AppResult<Response> {
    let s = settle(state, period).await?;
    let fields = Form::new(page, errors)
        .text("visit_day", &form.visit_day)
        .required()
        .numeric("decimal")
        .help("settlement.visit_day_help")
        .text("booking_share", &form.booking_share)
        .required()
        .numeric("decimal")
        .help("settlement.booking_share_help");
    let status = fields.status();
    let (fields, errors) = fields.into_parts();
    let month = month_text(&s.period);
    let lines: Vec<_> = s
        .statement
        .lines
        .iter()
        .map(|l| {
            context! {
                debtor => s.name(&l.debtor),
                creditor => s.name(&l.creditor),
                kind => page.t(&format!("settlement.kind.{}", kind_key(l.kind))),
                count => l.count,
                minutes => l.minutes,
                base => (l.kind == SettlementKind::Bookings).then(|| kronor(l.base_ore)),
                amount => kronor(l.amount_ore),
            }
        })
        .collect();
    let net: Vec<String> = s
        .statement
        .net
        .iter()
        .map(|n| {
            page.t("settlement.pays")
                .replace("{payer}", &s.name(&n.payer))
                .replace("{payee}", &s.name(&n.payee))
                .replace("{amount}", &kronor(n.amount_ore))
        })
        .collect();
    let tariff = page
        .t("settlement.tariff_now")
        .replace("{visit}", &kronor(s.tariff.visit_day_ore))
        .replace("{share}", &percent_text(s.tariff.booking_share_per_mille));
    page.render_with_status(
        status,
        "invoicing/settlement.html",
        context! {
            month, lines, net, tariff, fields, errors, saved,
            tariff_unset => s.tariff == Tariff { visit_day_ore: 0, booking_share_per_mille: 0 },
            csv_href => format!("/admin/settlement.csv?month={month}"),
            xlsx_href => format!("/admin/settlement.xlsx?month={month}"),
        },
    )
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let period = month(&state, q.month.as_deref())?;
    let t = tariff_of(state.store.settlement_tariff().await?);
    render(
        &state,
        &page,
        period,
        &TariffForm::of(t),
        NO_ERRORS,
        q.saved.is_some(),
    )
    .await
}

async fn save_tariff(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let actor = require_network_admin(&page)?.person_id;
    let form: TariffForm = FormData::parse(&page, &body)?.decode()?;
    let period = month(&state, Some(&form.month))?;
    match form.read() {
        Ok(t) => {
            change_tariff(&state, actor, t).await?;
            let to = format!("{PATH}?month={}&saved=1", urlencode(&month_text(&period)));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => render(&state, &page, period, &form, &e, false).await,
    }
}

/// The columns of the statement's download, in `lang`.
fn export_headings(lang: Lang) -> Vec<String> {
    [
        "settlement.month",
        "settlement.export.debtor_id",
        "settlement.debtor",
        "settlement.export.creditor_id",
        "settlement.creditor",
        "settlement.what",
        "settlement.count",
        "settlement.minutes",
        "settlement.export.base",
        "settlement.export.amount",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect()
}

/// The statement's lines as rows of the download ([`export_headings`]):
/// amounts in kronor; visit days have no minutes nor booked amount.
fn export_rows(s: &Settled, lang: Lang) -> Vec<Vec<Cell>> {
    let month = month_text(&s.period);
    s.statement
        .lines
        .iter()
        .map(|l| {
            let bookings = l.kind == SettlementKind::Bookings;
            vec![
                Cell::Text(month.clone()),
                Cell::Text(l.debtor.clone()),
                Cell::Text(s.name(&l.debtor)),
                Cell::Text(l.creditor.clone()),
                Cell::Text(s.name(&l.creditor)),
                Cell::Text(i18n::t(
                    lang,
                    &format!("settlement.kind.{}", kind_key(l.kind)),
                )),
                Cell::Int(l.count),
                if bookings {
                    Cell::Int(l.minutes)
                } else {
                    Cell::Empty
                },
                if bookings {
                    Cell::Kronor(l.base_ore)
                } else {
                    Cell::Empty
                },
                Cell::Kronor(l.amount_ore),
            ]
        })
        .collect()
}

/// The month's lines as CSV for a spreadsheet (see
/// [`spreadsheet::Csv`]), one row per line, in the page's language.
async fn csv(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let period = month(&state, q.month.as_deref())?;
    let s = settle(&state, period).await?;
    let mut body = Csv::start(&export_headings(page.lang));
    let mut rows = Csv::new();
    for r in export_rows(&s, page.lang) {
        rows.cells(&r, page.lang);
    }
    body.extend(rows.into_bytes());
    let file = format!("settlement-{}.csv", month_text(&s.period));
    Ok(spreadsheet::csv_attachment(&file, body))
}

/// The month's lines as an XLSX workbook, to filter and sum.
async fn xlsx(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    require_network_admin(&page)?;
    let period = month(&state, q.month.as_deref())?;
    let s = settle(&state, period).await?;
    let month = month_text(&s.period);
    let body = spreadsheet::xlsx(
        &format!("{} {month}", i18n::t(page.lang, "settlement.export.sheet")),
        &export_headings(page.lang),
        &export_rows(&s, page.lang),
    )?;
    Ok(spreadsheet::xlsx_attachment(
        &format!("settlement-{month}.xlsx"),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_with_one_decimal_at_most() {
        assert_eq!(parse_percent("12,5"), Ok(125));
        assert_eq!(parse_percent(" 10 % "), Ok(100));
        assert_eq!(parse_percent("0.1"), Ok(1));
        assert_eq!(parse_percent("100"), Ok(1000));
        for bad in ["", "1,25", "-3", "tio", ",5", "1 000"] {
            assert!(parse_percent(bad).is_err(), "{bad:?}");
        }
        assert_eq!(percent_text(125), "12,5");
        assert_eq!(percent_text(100), "10");
    }
}
