//! The invoicing pages: `/admin/invoicing` (network admins and operators'
//! staff: choose an operator and a month, see each customer's invoice with
//! its problems, confirm the number of invoices and the total, issue),
//! `/admin/invoices` (the list, a page at a time; operators' staff see
//! their operators', an organisation's admins their own) and
//! `/admin/invoices/{id}` (lines, totals, OCR, payments, downloads, and for
//! those who invoice for its operator crediting and marking paid, each
//! confirmed).
//!
//! The issue form carries a hidden idempotency key made when the preview
//! was shown: a double click or a resubmitted form issues nothing twice.

use super::api::{invoicing_for, may_see, visible_invoices, InvoiceQuery};
use super::service::{self, kronor, month_text, parse_month, Run};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::page::{parse_id, Page};
use crate::http::roles::{require_invoice_pages, require_invoicing_pages};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::hash_map::{Entry, HashMap};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::new_id;
use thirdplace_invoicing::run::CustomerPreview;
use thirdplace_store::{IssuedInvoice, StoreError};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/invoicing", get(run_page).post(issue_page))
        .route("/admin/invoices", get(list_page))
        .route("/admin/invoices/{id}", get(invoice_page))
        .route("/admin/invoices/{id}/credit", post(credit_page))
        .route("/admin/invoices/{id}/payments", post(pay_page))
}

#[derive(Deserialize)]
struct RunQuery {
    operator: Option<String>,
    month: Option<String>,
}

/// The month before today's: what a monthly run usually invoices.
pub(super) fn last_month(state: &AppState) -> String {
    let today = local_date(state.now());
    let first = today.with_day(1).unwrap_or(today);
    first
        .pred_opt()
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// A line's UN/ECE unit as the customer reads it ("mån", "tim").
/// The unit of `thousandths` (a line's quantity) in the page's language:
/// "1 dag", "4 dagar"; "1 day", "4 days".
pub(super) fn unit_text(page: &Page, code: &str, thousandths: i64) -> String {
    let number = if thousandths == 1000 { "one" } else { "other" };
    match code {
        "C62" | "HUR" | "DAY" | "MON" => page.t(&format!("invoicing.unit.{code}.{number}")),
        other => other.to_string(),
    }
}

fn status_text(page: &Page, inv: &IssuedInvoice, today: chrono::NaiveDate) -> String {
    page.t(&format!("invoicing.status.{}", inv.status(today).as_str()))
}

fn customer_value(page: &Page, c: &CustomerPreview) -> Value {
    let lines: Vec<Value> = c
        .lines
        .iter()
        .map(|l| {
            context! {
                description => l.line.description.clone(),
                quantity => l.line.quantity.to_string(),
                unit => unit_text(page, l.line.unit.code(), l.line.quantity.thousandths()),
                unit_price => kronor(l.line.unit_price_ore),
                net => kronor(l.line.net_ore),
                vat => l.line.vat.percent().unwrap_or(0),
            }
        })
        .collect();
    let problems: Vec<String> = c.problems.iter().map(|p| p.message.clone()).collect();
    context! {
        name => c.customer_name.clone(),
        lines,
        net => c.totals.as_ref().map(|t| kronor(t.tax_exclusive_ore)),
        vat => c.totals.as_ref().map(|t| kronor(t.vat_ore)),
        payable => c.totals.as_ref().map(|t| kronor(t.payable_ore)),
        blocked => c.is_blocked(),
        problems,
    }
}

fn run_value(page: &Page, run: &Run) -> Value {
    let (count, total) = run.issuable();
    context! {
        operator_id => run.operator.id.to_string(),
        month => month_text(&run.input.period),
        issue_date => run.input.issue_date.to_string(),
        due_date => run.input.due_date.to_string(),
        customers => run.preview.customers.iter().map(|c| customer_value(page, c)).collect::<Vec<_>>(),
        count,
        total => kronor(total),
        confirm_text => page
            .t("invoicing.confirm_text")
            .replace("{count}", &count.to_string())
            .replace("{total}", &kronor(total)),
        // Made when the preview is shown: the same form sent again issues
        // nothing twice.
        key => new_id().to_string(),
    }
}

/// What the run page shows below its form.
enum Shown {
    Nothing,
    Preview(Value),
    Issued(Value),
}

/// The run page; a refusal (a month the run cannot do, a customer's
/// problem, a run meanwhile) is shown on it as a notice with 422.
async fn render_run(
    state: &AppState,
    page: &Page,
    user: &thirdplace_domain::Principal,
    operator: Option<Uuid>,
    month: &str,
    shown: AppResult<Shown>,
) -> AppResult<Response> {
    let (run, issued, notice, status) = match shown {
        Ok(Shown::Nothing) => (None, None, None, StatusCode::OK),
        Ok(Shown::Preview(v)) => (Some(v), None, None, StatusCode::OK),
        Ok(Shown::Issued(v)) => (None, Some(v), None, StatusCode::OK),
        Err(e) => match notice_of(&e) {
            Some(n) => (None, None, Some(n), StatusCode::UNPROCESSABLE_ENTITY),
            None => return Err(e),
        },
    };
    let operators: Vec<Value> = state
        .store
        .list_operators()
        .await?
        .into_iter()
        .filter(|o| !o.archived && user.can_invoice_for(o.id))
        .map(|o| {
            context! {
                id => o.id.to_string(),
                name => o.name,
                selected => Some(o.id) == operator,
            }
        })
        .collect();
    page.render_with_status(
        status,
        "invoicing/run.html",
        context! { operators, month, run, issued, notice },
    )
}

/// The message of a refusal, for the page.
fn notice_of(e: &AppError) -> Option<String> {
    match e {
        AppError::Refused { message, .. } | AppError::Conflict { message, .. } => {
            Some(message.clone())
        }
        AppError::Validation(v) => Some(v.to_string()),
        _ => None,
    }
}

async fn run_page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<RunQuery>,
) -> AppResult<Response> {
    let user = require_invoicing_pages(&page)?.clone();
    let month = q
        .month
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| last_month(&state));
    let operator = q
        .operator
        .as_deref()
        .filter(|o| !o.is_empty())
        .and_then(|o| Uuid::parse_str(o).ok());
    if let Some(operator) = operator {
        invoicing_for(&user, operator)?;
    }
    let Some(operator) = operator else {
        return render_run(&state, &page, &user, None, &month, Ok(Shown::Nothing)).await;
    };
    let prepared = match parse_month(&month) {
        Ok(period) => service::prepare(&state, operator, period).await,
        Err(e) => Err(e),
    };
    let shown = prepared.map(|run| Shown::Preview(run_value(&page, &run)));
    render_run(&state, &page, &user, Some(operator), &month, shown).await
}

fn invoice_row(
    page: &Page,
    inv: &IssuedInvoice,
    today: chrono::NaiveDate,
    customer: &str,
) -> Value {
    context! {
        customer => customer,
        id => inv.id.to_string(),
        href => format!("/admin/invoices/{}", inv.id),
        number => inv.display_number(),
        kind => page.t(&format!("invoicing.kind.{}", inv.kind.as_str())),
        status => status_text(page, inv, today),
        issue_date => inv.issue_date.to_string(),
        due_date => inv.due_date.to_string(),
        gross => kronor(inv.gross_ore),
        outstanding => kronor(inv.outstanding_ore()),
    }
}

async fn issue_page(State(state): State<AppState>, page: Page, body: Bytes) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = require_invoicing_pages(&page)?.clone();
    let actor = user.person_id;
    let month = form.get("month");
    let operator = Uuid::parse_str(&form.get("operator")).map_err(|_| AppError::NotFound)?;
    invoicing_for(&user, operator)?;
    let key = form.get("key");
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::bad_request(
            "invalid_form",
            "the form could not be read",
        ));
    }
    let done = match parse_month(&month) {
        Ok(period) => match service::prepare(&state, operator, period).await {
            Ok(run) => service::issue(&state, &run, None, &key, actor).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let shown = done.map(|done| {
        let today = local_date(state.now());
        let total = kronor(done.invoices.iter().map(|i| i.gross_ore).sum());
        Shown::Issued(context! {
            summary => page
                .t("invoicing.issued_summary")
                .replace("{count}", &done.invoices.len().to_string())
                .replace("{total}", &total),
            invoices => done.invoices.iter().map(|i| invoice_row(&page, i, today, "")).collect::<Vec<_>>(),
            blocked => done.blocked.iter().map(|c| customer_value(&page, c)).collect::<Vec<_>>(),
        })
    });
    render_run(&state, &page, &user, Some(operator), &month, shown).await
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    /// The page after this invoice (the last of the page before).
    after: Option<String>,
}

/// Invoices on one page of the list.
const PAGE: usize = 50;

async fn list_page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let user = require_invoice_pages(&page)?.clone();
    let status = q.status.clone().filter(|s| !s.is_empty());
    let query = InvoiceQuery {
        operator_id: None,
        organisation_id: None,
        status: status.clone(),
    };
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a)?),
        None => None,
    };
    let mut list = visible_invoices(&state, &user, &query, after, PAGE as i64 + 1).await?;
    // One more than shown says whether there is an older page.
    let older = (list.len() > PAGE).then(|| {
        list.truncate(PAGE);
        let last = list.last().map(|i| i.id.to_string()).unwrap_or_default();
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(s) = &status {
            q.push(("status", s));
        }
        q.push(("after", &last));
        format!(
            "/admin/invoices?{}",
            serde_urlencoded::to_string(q).unwrap_or_default()
        )
    });
    let today = local_date(state.now());
    let mut names = HashMap::new();
    let mut rows = Vec::new();
    for inv in &list {
        if let Entry::Vacant(slot) = names.entry(inv.organisation_id) {
            let name = match state.store.get_organisation(inv.organisation_id).await {
                Ok(o) => o.name,
                Err(StoreError::NotFound) => String::new(),
                Err(e) => return Err(e.into()),
            };
            slot.insert(name);
        }
        let name = names.get(&inv.organisation_id).map_or("", String::as_str);
        rows.push(invoice_row(&page, inv, today, name));
    }
    page.render(
        "invoicing/list.html",
        context! { rows, can_run => user.invoices_for_any(), older, first_href => after.map(|_| "/admin/invoices") },
    )
}

pub(super) async fn render_invoice(
    state: &AppState,
    page: &Page,
    id: Uuid,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = page.user()?;
    let inv = state.store.invoice(id).await?;
    if !may_see(user, &inv) {
        return Err(AppError::NotFound);
    }
    let today = local_date(state.now());
    let customer = state.store.get_organisation(inv.organisation_id).await?;
    let lines: Vec<Value> = state
        .store
        .invoice_lines(inv.id)
        .await?
        .into_iter()
        .map(|l| {
            context! {
                description => l.description,
                quantity => format!("{}", l.quantity_milli as f64 / 1000.0).replace('.', ","),
                unit => unit_text(page, &l.unit_code, l.quantity_milli),
                unit_price => kronor(l.unit_price_ore),
                net => kronor(l.net_ore),
                vat => l.vat_rate_percent,
            }
        })
        .collect();
    let payments: Vec<Value> = state
        .store
        .invoice_payments(inv.id)
        .await?
        .into_iter()
        .map(|p| {
            context! {
                paid_on => p.paid_on.to_string(),
                amount => kronor(p.amount_ore),
                reference => p.reference,
                source => page.t(&format!("invoicing.source.{}", p.source.as_str())),
            }
        })
        .collect();
    let reminders = match inv.kind {
        thirdplace_store::InvoiceKind::Invoice => {
            Some(super::reminders::invoice_section(state, page, &inv).await?)
        }
        thirdplace_store::InvoiceKind::CreditNote => None,
    };
    let credits = match inv.credits_invoice_id {
        Some(orig) => Some(state.store.invoice(orig).await?),
        None => None,
    };
    page.render_with_status(
        status,
        "invoicing/invoice.html",
        context! {
            invoice => context! {
                number => inv.display_number(),
                kind => page.t(&format!("invoicing.kind.{}", inv.kind.as_str())),
                is_invoice => inv.kind == thirdplace_store::InvoiceKind::Invoice,
                status => status_text(page, &inv, today),
                customer => customer.name,
                buyer_reference => inv.buyer_reference.clone(),
                issue_date => inv.issue_date.to_string(),
                due_date => inv.due_date.to_string(),
                period => format!("{} – {}", inv.period_start, inv.period_end),
                net => kronor(inv.net_ore),
                vat => kronor(inv.vat_ore),
                gross => kronor(inv.gross_ore),
                paid => kronor(inv.paid_ore),
                outstanding => kronor(inv.outstanding_ore()),
                outstanding_ore => inv.outstanding_ore(),
                credited => inv.credited_ore > 0,
                ocr => service::ocr_of(&inv),
                pdf_href => format!("/api/v1/invoices/{}/pdf?lang={}", inv.id, page.lang.code()),
                xml_href => format!("/api/v1/invoices/{}/ubl", inv.id),
                credits => credits.map(|c| context! {
                    number => c.display_number(),
                    href => format!("/admin/invoices/{}", c.id),
                }),
                action => format!("/admin/invoices/{}", inv.id),
            },
            lines,
            payments,
            reminders,
            can_change => user.can_invoice_for(inv.operator_id),
            notice => notice.map(|(error, text)| context! { error, text }),
            pay_key => new_id().to_string(),
        },
    )
}

async fn invoice_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> AppResult<Response> {
    require_invoice_pages(&page)?;
    let id = parse_id(&id)?;
    render_invoice(&state, &page, id, None, StatusCode::OK).await
}

/// The invoice a write of someone who invoices for its operator is about.
pub(super) async fn to_change(
    state: &AppState,
    page: &Page,
    raw: &str,
) -> AppResult<IssuedInvoice> {
    let id = parse_id(raw)?;
    let user = page.user()?;
    let inv = state.store.invoice(id).await?;
    if !may_see(user, &inv) {
        return Err(AppError::NotFound);
    }
    invoicing_for(user, inv.operator_id)?;
    Ok(inv)
}

/// The invoice page after an action on invoice `id`: the action's notice
/// (on the invoice it names, a credit note perhaps), or its refusal as an
/// error notice on `id` with 422; other errors pass on.
async fn after_action(
    state: &AppState,
    page: &Page,
    id: Uuid,
    done: AppResult<(Uuid, String)>,
) -> AppResult<Response> {
    match done {
        Ok((shown, text)) => {
            render_invoice(state, page, shown, Some((false, text)), StatusCode::OK).await
        }
        Err(e) => match notice_of(&e) {
            Some(n) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                render_invoice(state, page, id, Some((true, n)), status).await
            }
            None => Err(e),
        },
    }
}

/// A refusal of a form on the invoice page, in the page's language.
fn refusal(page: &Page, code: &'static str, key: &str) -> AppError {
    AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, code, page.t(key))
}

async fn credit_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let inv = to_change(&state, &page, &id).await?;
    let done = if form.get("confirm") != "yes" {
        Err(refusal(
            &page,
            "confirm_missing",
            "invoicing.confirm_missing",
        ))
    } else {
        let actor = page.user()?.person_id;
        service::credit(&state, &inv, actor).await.map(|note| {
            let text = page
                .t("invoicing.credited")
                .replace("{number}", &note.display_number());
            (note.id, text)
        })
    };
    after_action(&state, &page, inv.id, done).await
}

/// "1 234,50" or "1234.5" kronor in öre; `None` if it is not an amount.
fn parse_kronor(raw: &str) -> Option<i64> {
    let s: String = raw
        .trim()
        .trim_end_matches("kr")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect::<String>()
        .replace(',', ".");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

async fn pay_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let inv = to_change(&state, &page, &id).await?;
    let raw = form.get("amount");
    let amount = if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_kronor(&raw)
            .map(Some)
            .ok_or_else(|| refusal(&page, "amount_invalid", "invoicing.amount_invalid"))
    };
    let done = match amount {
        _ if form.get("confirm") != "yes" => Err(refusal(
            &page,
            "confirm_missing",
            "invoicing.confirm_missing",
        )),
        Err(e) => Err(e),
        Ok(amount) => {
            let user = page.user()?.person_id;
            // The key of the form: the same form sent twice records one payment.
            let payment_id = match Uuid::parse_str(&form.get("key")) {
                Ok(k) => Uuid::new_v5(&k, inv.id.as_bytes()),
                Err(_) => new_id(),
            };
            service::pay(&state, &inv, payment_id, amount, None, None, user)
                .await
                .map(|_| (inv.id, page.t("invoicing.paid_done")))
        }
    };
    after_action(&state, &page, inv.id, done).await
}

#[cfg(test)]
mod tests {
    use super::parse_kronor;

    #[test]
    fn amounts_in_kronor_are_read_as_ore() {
        assert_eq!(parse_kronor("1 234,50"), Some(123_450));
        assert_eq!(parse_kronor("1234.5 kr"), Some(123_450));
        assert_eq!(parse_kronor("12"), Some(1_200));
        for bad in ["", "abc", "1,234", "-5", "1.2.3"] {
            assert_eq!(parse_kronor(bad), None, "{bad}");
        }
    }
}
