//! A hub's invoiced lines (issue 16, item 5): what was invoiced for the
//! hub's room bookings, seats on its plans and its events in a month, with
//! the invoice number, the customer and the amount of each line and the
//! month's total. Its hosts see these lines and nothing else of the
//! invoices (no totals, no other lines); the operator's staff and network
//! admins see them too. `/admin/invoicing/hub?hub=…&month=YYYY-MM` and
//! `GET /api/v1/hubs/{id}/invoice-lines?month=YYYY-MM`.

use super::api::month_of;
use super::pages::{last_month, unit_text};
use super::service::{kronor, month_text, parse_month};
use crate::http::api::path_id;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::page::{parse_id, Page};
use crate::http::roles::require_hub_lines_pages;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use thirdplace_domain::Principal;
use thirdplace_invoicing::invoice::Period;
use thirdplace_store::{HubInvoiceLine, HubListing, InvoiceKind};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/invoicing/hub", get(hub_page))
}

// ------------------------------------------------------------- the rules

/// The hub `id` if `p` may see its lines (who may depends on the hub's
/// operator, so an unknown hub is 404 to everyone, another's hub 403).
async fn hub_for(state: &AppState, p: &Principal, id: Uuid) -> AppResult<HubListing> {
    let hub = state.store.get_hub(id).await?;
    if p.can_see_hub_lines(hub.hub.id, hub.hub.operator_id) {
        Ok(hub)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A line's amount as it counts for the hub: a credit note's lines take
/// away what its invoice charged.
fn signed(l: &HubInvoiceLine) -> i64 {
    match l.kind {
        InvoiceKind::Invoice => l.net_ore,
        InvoiceKind::CreditNote => -l.net_ore,
    }
}

async fn lines_of(
    state: &AppState,
    hub: &HubListing,
    month: &Period,
) -> AppResult<Vec<HubInvoiceLine>> {
    Ok(state
        .store
        .hub_invoice_lines(hub.hub.id, month.start(), month.end())
        .await?)
}

/// The quantity as written on an invoice ("1", "1,5").
fn quantity(milli: i64) -> String {
    let whole = milli / 1000;
    let frac = (milli % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole},{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

// ------------------------------------------------------------------ API

#[derive(Deserialize, IntoParams)]
pub struct HubLinesQuery {
    /// The month, `YYYY-MM`: lines of invoices whose period meets it.
    pub month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HubLineOut {
    /// The invoice's number as printed ("OSK1005").
    pub invoice_number: String,
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub issue_date: NaiveDate,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub description: String,
    pub quantity_milli: i64,
    /// UN/ECE rec 20: `MON`, `DAY`, `HUR`, `C62`.
    pub unit_code: String,
    /// The line's amount excluding VAT, negative on a credit note.
    pub net_ore: i64,
    pub vat_rate_percent: u8,
    /// `seat`, `room_hours`, `late_cancellation`, `event_fee`.
    pub product_kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct HubLinesOut {
    pub hub_id: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    pub lines: Vec<HubLineOut>,
    /// The lines' sum excluding VAT (credit notes subtracted).
    pub total_net_ore: i64,
}

/// The invoiced lines that concern a hub in a month (bookings of its
/// rooms, seats on its plans, events there), with the invoice number and
/// customer of each and the month's total; not the invoices' other lines
/// or totals. The hub's hosts, its operator's staff, network admins.
#[utoipa::path(get, path = "/hubs/{id}/invoice-lines", tag = "invoicing", params(HubLinesQuery), security(("token" = [])),
    responses((status = 200, body = HubLinesOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_hub_lines(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<HubLinesQuery>,
) -> AppResult<Json<HubLinesOut>> {
    let id = path_id(&id)?;
    let p = auth.require()?;
    let hub = hub_for(&state, p, id).await?;
    let month = month_of(q.month.as_deref())?;
    let lines = lines_of(&state, &hub, &month).await?;
    Ok(Json(HubLinesOut {
        hub_id: hub.hub.id,
        month: month_text(&month),
        total_net_ore: lines.iter().map(signed).sum(),
        lines: lines
            .iter()
            .map(|l| HubLineOut {
                invoice_number: l.invoice_number.clone(),
                kind: l.kind.as_str().into(),
                issue_date: l.issue_date,
                organisation_id: l.organisation_id,
                organisation_name: l.organisation_name.clone(),
                description: l.description.clone(),
                quantity_milli: l.quantity_milli,
                unit_code: l.unit_code.clone(),
                net_ore: signed(l),
                vat_rate_percent: l.vat_rate_percent,
                product_kind: l.product_kind.clone(),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------- page

#[derive(Deserialize)]
struct PageQuery {
    hub: Option<String>,
    month: Option<String>,
}

async fn hub_page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let user = require_hub_lines_pages(&page)?.clone();
    let hubs: Vec<HubListing> = state
        .store
        .list_hubs()
        .await?
        .into_iter()
        .filter(|h| !h.hub.archived && user.can_see_hub_lines(h.hub.id, h.hub.operator_id))
        .collect();
    let asked = match q.hub.as_deref().filter(|h| !h.is_empty()) {
        Some(raw) => Some(parse_id(raw)?),
        None => None,
    };
    let chosen = match asked {
        Some(id) => Some(hub_for(&state, &user, id).await?),
        None => hubs.first().cloned(),
    };
    let month_raw = q
        .month
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| last_month(&state));
    let choices: Vec<Value> = hubs
        .iter()
        .map(|h| {
            context! {
                id => h.hub.id.to_string(),
                name => h.hub.name.clone(),
                selected => chosen.as_ref().is_some_and(|c| c.hub.id == h.hub.id),
            }
        })
        .collect();
    let render = |status, notice: Option<String>, shown: Option<Value>| {
        page.render_with_status(
            status,
            "invoicing/hub_lines.html",
            context! { hubs => choices.clone(), month => month_raw.clone(), notice, shown },
        )
    };
    let Some(hub) = chosen else {
        return render(StatusCode::OK, None, None);
    };
    let month = match parse_month(&month_raw) {
        Ok(m) => m,
        Err(AppError::Refused { message, .. }) => {
            return render(StatusCode::UNPROCESSABLE_ENTITY, Some(message), None)
        }
        Err(e) => return Err(e),
    };
    let lines = lines_of(&state, &hub, &month).await?;
    let rows: Vec<Value> = lines
        .iter()
        .map(|l| {
            context! {
                number => l.invoice_number.clone(),
                // Only those who may open the invoice get a link to it.
                href => user
                    .can_see_invoice(hub.hub.operator_id, l.organisation_id)
                    .then(|| format!("/admin/invoices/{}", l.invoice_id)),
                kind => page.t(&format!("invoicing.kind.{}", l.kind.as_str())),
                customer => l.organisation_name.clone(),
                description => l.description.clone(),
                quantity => quantity(l.quantity_milli),
                unit => unit_text(&page, &l.unit_code, l.quantity_milli),
                net => kronor(signed(l)),
            }
        })
        .collect();
    let shown = context! {
        hub => hub.hub.name.clone(),
        month => month_text(&month),
        rows,
        total => kronor(lines.iter().map(signed).sum()),
    };
    render(StatusCode::OK, None, Some(shown))
}

#[cfg(test)]
mod tests {
    use super::quantity;

    #[test]
    fn quantities_are_written_as_on_the_invoice() {
        assert_eq!(quantity(1000), "1");
        assert_eq!(quantity(1500), "1,5");
        assert_eq!(quantity(2250), "2,25");
    }
}
