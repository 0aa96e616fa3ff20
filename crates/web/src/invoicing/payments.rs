//! Payments that wait for a person (issue 16): a bank file's payments that
//! matched no invoice, or paid one only in part, are listed at
//! `/admin/payments` (and `GET /api/v1/payments/to-resolve`) for a network
//! admin or the operator's staff to link to the invoice they pay, by its
//! number, or to accept as they are. Operators' staff see and resolve only
//! their operators' payments. The same page takes a BgMax file from Bankgirot, as an upload,
//! through the same import as the API's.

use super::api::{bank_file_out, invoicing_for, BankFileOut};
use super::service::{self, kronor};
use crate::http::api::{path_id, require, ApiJson};
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form_data::FormData;
use crate::http::page::{parse_id, Page};
use crate::http::roles::require_invoicing_pages;
use crate::http::upload::{field, read_form};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::{Entry, HashMap};
use thirdplace_domain::Principal;
use thirdplace_store::{Payment, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/payments", get(payments_page))
        .route("/admin/payments/bank-file", post(upload_page))
        .route("/admin/payments/{id}/resolve", post(resolve_page))
}

// ------------------------------------------------------------- the rules

/// The invoice of the payment's operator that `number` names: its display
/// number ("OSK1005") or the number alone ("1005").
async fn invoice_named(state: &AppState, p: &Payment, number: &str) -> AppResult<Uuid> {
    let digits: String = number
        .trim()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let unknown = || {
        AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invoice_unknown",
            format!(
                "{:?} is not an invoice number of this operator: write it as on the invoice, e.g. OSK1005",
                number.trim()
            ),
        )
    };
    let n: i64 = digits.parse().map_err(|_| unknown())?;
    match state.store.invoice_by_number(p.operator_id, n).await? {
        Some(inv)
            if number.trim().len() == digits.len() || number.trim() == inv.display_number() =>
        {
            Ok(inv.id)
        }
        _ => Err(unknown()),
    }
}

/// The payments waiting for a person that `who` may resolve (their
/// operators'), oldest first.
async fn waiting_for(state: &AppState, who: &Principal) -> AppResult<Vec<Payment>> {
    let mut waiting = state.store.payments_to_resolve(None).await?;
    waiting.retain(|p| who.can_invoice_for(p.operator_id));
    Ok(waiting)
}

/// Links a waiting payment to the invoice `number` names (or, without a
/// number, accepts it as it stands) and marks it resolved, in the audit
/// trail. A payment resolved before is refused; one of an operator `who`
/// does not invoice for is forbidden.
async fn resolve(
    state: &AppState,
    payment_id: Uuid,
    number: Option<&str>,
    who: &Principal,
) -> AppResult<Payment> {
    let by = who.person_id;
    let waiting = state.store.payments_to_resolve(None).await?;
    let found = waiting.into_iter().find(|p| p.id == payment_id);
    if let Some(p) = &found {
        invoicing_for(who, p.operator_id)?;
    }
    let Some(p) = found else {
        return Err(AppError::refused(
            StatusCode::CONFLICT,
            "payment_resolved",
            "the payment is not waiting to be resolved (it was resolved before, or is unknown)",
        ));
    };
    let invoice = match number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(invoice_named(state, &p, n).await?),
        None if p.invoice_id.is_none() => {
            return Err(AppError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invoice_required",
                "the payment matched no invoice: give the number of the invoice it pays",
            ))
        }
        None => None,
    };
    let done = match state
        .store
        .resolve_payment(p.id, invoice, Some(by), state.now())
        .await
    {
        Err(StoreError::Reference(_)) => {
            return Err(AppError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invoice_unknown",
                "that invoice is not one of the operator's invoices",
            ))
        }
        r => r?,
    };
    let details = serde_json::json!({
        "invoice_id": done.invoice_id,
        "amount_ore": done.amount_ore,
        "reference": done.reference,
    });
    audit::record(
        state,
        Some(by),
        "payment.resolved",
        ("payment", done.id),
        details,
    )
    .await;
    Ok(done)
}

// ------------------------------------------------------------------ API

/// A payment waiting for a person.
#[derive(Serialize, ToSchema)]
pub struct WaitingPaymentOut {
    pub id: Uuid,
    pub operator_id: Uuid,
    /// The invoice it was matched to, when it pays it only in part.
    pub invoice_id: Option<Uuid>,
    pub amount_ore: i64,
    pub paid_on: NaiveDate,
    /// The OCR reference or message the payer gave.
    pub reference: String,
    pub payer: Option<String>,
    /// `manual` or `bank_file`.
    pub source: String,
}

fn waiting_out(p: &Payment) -> WaitingPaymentOut {
    WaitingPaymentOut {
        id: p.id,
        operator_id: p.operator_id,
        invoice_id: p.invoice_id,
        amount_ore: p.amount_ore,
        paid_on: p.paid_on,
        reference: p.reference.clone(),
        payer: p.payer.clone(),
        source: p.source.as_str().into(),
    }
}

/// Bank payments that matched no invoice, or paid one in part, oldest
/// first. Network admins (all) and operators' staff (their operators').
#[utoipa::path(get, path = "/payments/to-resolve", tag = "invoicing", security(("token" = [])),
    responses((status = 200, body = Vec<WaitingPaymentOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_waiting(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<WaitingPaymentOut>>> {
    let who = require(&auth, Principal::invoices_for_any)?;
    let waiting = waiting_for(&state, &who).await?;
    Ok(Json(waiting.iter().map(waiting_out).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// The invoice the payment pays, as on the invoice ("OSK1005"); leave
    /// it out to accept a partial payment as it stands.
    pub invoice_number: Option<String>,
}

/// Resolves a waiting payment: links it to the invoice it pays, or accepts
/// a partial payment as it stands. Network admins and the operator's staff.
#[utoipa::path(post, path = "/payments/{id}/resolve", tag = "invoicing", request_body = ResolveBody, security(("token" = [])),
    responses((status = 200, body = WaitingPaymentOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "payment_resolved"), (status = 422, body = ErrorBody, description = "invoice_unknown, invoice_required")))]
pub async fn resolve_payment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: ApiJson<ResolveBody>,
) -> AppResult<Json<WaitingPaymentOut>> {
    let id = path_id(&id)?;
    let admin = require(&auth, Principal::invoices_for_any)?;
    let body = body
        .parse_optional("{\"invoice_number\"?}")?
        .unwrap_or_default();
    let done = resolve(&state, id, body.invoice_number.as_deref(), &admin).await?;
    Ok(Json(waiting_out(&done)))
}

// ---------------------------------------------------------------- pages

async fn render(
    state: &AppState,
    page: &Page,
    notice: Option<(bool, String)>,
    outcome: Option<&BankFileOut>,
    status: StatusCode,
) -> AppResult<Response> {
    let who = page.user()?;
    let operators = state.store.list_operators().await?;
    let names: HashMap<Uuid, String> = operators.iter().map(|o| (o.id, o.name.clone())).collect();
    let mut numbers: HashMap<Uuid, String> = HashMap::new();
    let mut rows: Vec<Value> = Vec::new();
    for p in waiting_for(state, who).await? {
        let invoice = match p.invoice_id {
            Some(id) => {
                if let Entry::Vacant(slot) = numbers.entry(id) {
                    slot.insert(state.store.invoice(id).await?.display_number());
                }
                numbers.get(&id).cloned()
            }
            None => None,
        };
        rows.push(context! {
            id => p.id,
            operator => names.get(&p.operator_id).cloned().unwrap_or_default(),
            paid_on => p.paid_on.to_string(),
            amount => kronor(p.amount_ore),
            reference => p.reference,
            payer => p.payer.unwrap_or_default(),
            invoice,
            invoice_href => p.invoice_id.map(|id| format!("/admin/invoices/{id}")),
        });
    }
    let operators: Vec<Value> = operators
        .iter()
        .filter(|o| o.seller.bankgiro.is_some() && who.can_invoice_for(o.id))
        .map(|o| context! { id => o.id, name => o.name.clone() })
        .collect();
    let outcome = outcome.map(|o| {
        if o.already_imported {
            page.t("payments.already_imported")
        } else {
            page.t("payments.imported")
                .replace("{matched}", &o.matched.to_string())
                .replace("{partial}", &o.partial.to_string())
                .replace("{unmatched}", &o.unmatched.to_string())
                .replace("{skipped}", &o.skipped.to_string())
        }
    });
    let notice = notice.map(|(error, text)| context! { error, text });
    page.render_with_status(
        status,
        "invoicing/payments.html",
        context! { rows, operators, notice, outcome },
    )
}

async fn payments_page(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_invoicing_pages(&page)?;
    render(&state, &page, None, None, StatusCode::OK).await
}

/// A refusal shown on the page, or the error as it is.
async fn refused(state: &AppState, page: &Page, e: AppError) -> AppResult<Response> {
    match &e {
        AppError::Refused {
            status, message, ..
        } => {
            // "line 1: …" reads as a sentence on the page.
            let mut text = message.clone();
            if let Some(first) = text.get(..1) {
                text = first.to_uppercase() + &text[1..];
            }
            render(state, page, Some((true, text)), None, *status).await
        }
        _ => Err(e),
    }
}

async fn upload_page(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let who = require_invoicing_pages(&page)?.clone();
    let fields = read_form(&page, &headers, &body)?;
    let operator = field(&fields, "operator")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok());
    let file = field(&fields, "file").filter(|f| !f.is_empty());
    let (Some(operator), Some(file)) = (operator, file) else {
        let text = page.t("payments.upload_missing");
        return render(
            &state,
            &page,
            Some((true, text)),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    invoicing_for(&who, operator)?;
    let by = who.person_id;
    match service::import_bgmax(&state, operator, file, "bgmax (upload)", by).await {
        Ok(outcome) => {
            let out = bank_file_out(&outcome);
            render(&state, &page, None, Some(&out), StatusCode::OK).await
        }
        Err(e) => refused(&state, &page, e).await,
    }
}

async fn resolve_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let who = require_invoicing_pages(&page)?.clone();
    let form = FormData::parse(&page, &body)?;
    let id = parse_id(&id)?;
    let number = form.get("invoice_number");
    let number = if form.get("accept") == "yes" && number.trim().is_empty() {
        None
    } else {
        Some(number.as_str())
    };
    match resolve(&state, id, number, &who).await {
        Ok(_) => Ok(Redirect::to("/admin/payments").into_response()),
        Err(e) => refused(&state, &page, e).await,
    }
}
