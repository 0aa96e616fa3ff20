//! The invoicing API: an operator's monthly invoice run (preview, then
//! issue with an `Idempotency-Key`), issued invoices with their Peppol XML
//! and PDF, full credit notes and payments marked by hand.
//!
//! Who sees what (the rules are [`Principal`]'s): network admins
//! everything; an operator's staff its invoicing (the run, its invoices,
//! crediting, payments, bank files, SIE); an organisation's admins its
//! invoices (read and download only). Hub hosts see their hub's lines
//! ([`super::hub_lines`]).

use super::service::{self, kronor, month_text, parse_month, Run};
use crate::http::api::{path_id, ApiJson};
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::idempotency::IdempotencyKey;
use crate::http::paging::Paging;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::{new_id, Principal};
use thirdplace_invoicing::pdf::Language;
use thirdplace_invoicing::run::CustomerPreview;
use thirdplace_store::{InvoiceFilter, InvoiceScope, InvoiceStatus, IssuedInvoice, Payment};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

// ------------------------------------------------------------ who sees what

/// Whether `p` may see the invoice.
pub fn may_see(p: &Principal, inv: &IssuedInvoice) -> bool {
    p.can_see_invoice(inv.operator_id, inv.organisation_id)
}

/// 403 unless `p` works with the operator's invoicing.
pub fn invoicing_for(p: &Principal, operator: Uuid) -> AppResult<()> {
    if p.can_invoice_for(operator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The invoice `id` if `p` may see it (else, to them, it is not there).
pub async fn visible_invoice(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> AppResult<IssuedInvoice> {
    let inv = state.store.invoice(id).await?;
    if may_see(p, &inv) {
        Ok(inv)
    } else {
        Err(AppError::NotFound)
    }
}

// ------------------------------------------------------------ the run

#[derive(Deserialize, IntoParams)]
pub struct MonthQuery {
    /// The month to invoice, `YYYY-MM`.
    pub month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RunLineOut {
    pub description: String,
    /// The quantity as written on the invoice ("1", "2.5").
    pub quantity: String,
    /// UN/ECE rec 20: `MON`, `DAY`, `HUR`, `C62`.
    pub unit: String,
    pub unit_price_ore: i64,
    pub net_ore: i64,
    /// VAT rate in percent (0 for exempt).
    pub vat_rate_percent: u8,
    /// `seat`, `room_hours`, `late_cancellation`, `event_fee`.
    pub product: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    pub code: String,
    /// What to fill in, in Swedish.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct RunCustomerOut {
    pub organisation_id: String,
    pub name: String,
    pub lines: Vec<RunLineOut>,
    pub net_ore: Option<i64>,
    pub vat_ore: Option<i64>,
    pub payable_ore: Option<i64>,
    /// Blocked customers get no invoice until their problems are fixed.
    pub blocked: bool,
    pub problems: Vec<ProblemOut>,
}

impl From<&CustomerPreview> for RunCustomerOut {
    fn from(c: &CustomerPreview) -> Self {
        RunCustomerOut {
            organisation_id: c.customer_id.clone(),
            name: c.customer_name.clone(),
            lines: c
                .lines
                .iter()
                .map(|l| RunLineOut {
                    description: l.line.description.clone(),
                    quantity: l.line.quantity.to_string(),
                    unit: l.line.unit.code().into(),
                    unit_price_ore: l.line.unit_price_ore,
                    net_ore: l.line.net_ore,
                    vat_rate_percent: l.line.vat.percent().unwrap_or(0),
                    product: serde_json::to_value(l.line.product)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                })
                .collect(),
            net_ore: c.totals.as_ref().map(|t| t.tax_exclusive_ore),
            vat_ore: c.totals.as_ref().map(|t| t.vat_ore),
            payable_ore: c.totals.as_ref().map(|t| t.payable_ore),
            blocked: c.is_blocked(),
            problems: c
                .problems
                .iter()
                .map(|p| ProblemOut {
                    code: p.code.into(),
                    message: p.message.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunOut {
    pub operator_id: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// Every customer with something to invoice, blocked or not.
    pub customers: Vec<RunCustomerOut>,
    /// How many invoices issuing would make.
    pub invoices: usize,
    /// What they add up to, VAT included.
    pub total_payable_ore: i64,
    /// "1 234,50 kr".
    pub total_payable: String,
}

fn run_out(run: &Run) -> RunOut {
    let (invoices, total) = run.issuable();
    RunOut {
        operator_id: run.operator.id,
        month: month_text(&run.input.period),
        issue_date: run.input.issue_date,
        due_date: run.input.due_date,
        customers: run.preview.customers.iter().map(Into::into).collect(),
        invoices,
        total_payable_ore: total,
        total_payable: kronor(total),
    }
}

pub(super) fn month_of(raw: Option<&str>) -> AppResult<thirdplace_invoicing::invoice::Period> {
    match raw {
        Some(m) => parse_month(m),
        None => Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_month",
            "say which month to invoice: month=YYYY-MM, e.g. 2026-11",
        )),
    }
}

/// The preview of an operator's invoice run for a month: each customer's
/// lines, totals and the problems that block its invoice. Network admins
/// and the operator's staff.
#[utoipa::path(get, path = "/operators/{id}/invoice-run", tag = "invoicing", params(MonthQuery), security(("token" = [])),
    responses((status = 200, body = RunOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview_run(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Json<RunOut>> {
    let operator = path_id(&id)?;
    invoicing_for(auth.require()?, operator)?;
    let month = month_of(q.month.as_deref())?;
    let run = service::prepare(&state, operator, month).await?;
    Ok(Json(run_out(&run)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// `YYYY-MM`.
    pub month: String,
    /// Only these customers (organisation ids); all when left out.
    #[serde(default)]
    pub customers: Option<Vec<Uuid>>,
}

#[derive(Serialize, ToSchema)]
pub struct IssueOut {
    /// The invoices issued under this `Idempotency-Key` (a retry lists
    /// those the first attempt issued, and issues nothing twice).
    pub issued: Vec<InvoiceOut>,
    /// Customers whose invoice was not issued, with what to fill in.
    pub blocked: Vec<RunCustomerOut>,
    pub total_issued_ore: i64,
}

/// Issues the month's invoices of the customers not blocked, each
/// atomically with the next number of the operator's series and what it
/// charges, so nothing is ever charged twice. The same `Idempotency-Key`
/// again issues nothing and answers with the invoices issued under it.
/// Network admins and the operator's staff.
#[utoipa::path(post, path = "/operators/{id}/invoice-run", tag = "invoicing", request_body = IssueBody, params(IdempotencyKey), security(("token" = [])),
    responses((status = 200, body = IssueOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_run(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiJson<IssueBody>,
) -> AppResult<Json<IssueOut>> {
    let operator = path_id(&id)?;
    let admin = auth.require()?;
    invoicing_for(admin, operator)?;
    let body = body.parse()?;
    // Without a key, a fresh one: what was charged is recorded with each
    // invoice, so a repeated request finds nothing left to charge anyway;
    // the key lets a retry be answered with the invoices it issued.
    let fresh = new_id().to_string();
    let key = key.key().unwrap_or(&fresh);
    let month = parse_month(&body.month)?;
    let run = service::prepare(&state, operator, month).await?;
    let done = service::issue(
        &state,
        &run,
        body.customers.as_deref(),
        key,
        admin.person_id,
    )
    .await?;
    let today = local_date(state.now());
    Ok(Json(IssueOut {
        total_issued_ore: done.invoices.iter().map(|i| i.gross_ore).sum(),
        issued: done
            .invoices
            .iter()
            .map(|i| invoice_out(i, today))
            .collect(),
        blocked: done.blocked.iter().map(Into::into).collect(),
    }))
}

// ------------------------------------------------------------ invoices

#[derive(Serialize, ToSchema)]
pub struct InvoiceOut {
    pub id: Uuid,
    pub operator_id: Uuid,
    pub organisation_id: Uuid,
    /// As printed: the series' prefix and the number.
    pub number: String,
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub credits_invoice_id: Option<Uuid>,
    /// `open`, `paid`, `overdue`, `credited` or `credit_note`.
    pub status: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub buyer_reference: String,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub gross_ore: i64,
    pub paid_ore: i64,
    pub credited_ore: i64,
    pub outstanding_ore: i64,
    pub paid_on: Option<NaiveDate>,
    /// The OCR reference to pay with (invoices).
    pub ocr: Option<String>,
}

pub fn invoice_out(i: &IssuedInvoice, today: NaiveDate) -> InvoiceOut {
    InvoiceOut {
        id: i.id,
        operator_id: i.operator_id,
        organisation_id: i.organisation_id,
        number: i.display_number(),
        kind: i.kind.as_str().into(),
        credits_invoice_id: i.credits_invoice_id,
        status: i.status(today).as_str().into(),
        issue_date: i.issue_date,
        due_date: i.due_date,
        period_start: i.period_start,
        period_end: i.period_end,
        buyer_reference: i.buyer_reference.clone(),
        net_ore: i.net_ore,
        vat_ore: i.vat_ore,
        gross_ore: i.gross_ore,
        paid_ore: i.paid_ore,
        credited_ore: i.credited_ore,
        outstanding_ore: i.outstanding_ore(),
        paid_on: i.paid_on,
        ocr: service::ocr_of(i),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct InvoiceQuery {
    pub operator_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// `open`, `paid`, `overdue`, `credited` or `credit_note`.
    pub status: Option<String>,
}

/// The invoices the caller may see, newest first, after the invoice
/// `after` and at most `limit` (0: all): everything for network admins,
/// their operators' for operators' staff, their organisations' for
/// organisation admins. The store selects them, so that pages are full.
pub async fn visible_invoices(
    state: &AppState,
    p: &Principal,
    q: &InvoiceQuery,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<IssuedInvoice>> {
    if !p.sees_invoices() {
        return Err(AppError::Forbidden);
    }
    let today = local_date(state.now());
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(InvoiceStatus::parse(s).ok_or_else(|| {
            AppError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_status",
                "status is one of open, paid, overdue, credited, credit_note",
            )
        })?),
        None => None,
    };
    let visible = (!p.is_network_admin).then(|| InvoiceScope {
        operator_ids: p.staff_of_operator_ids.clone(),
        organisation_ids: p.admin_of_organisation_ids.clone(),
    });
    let filter = InvoiceFilter {
        operator_id: q.operator_id,
        organisation_id: q.organisation_id,
        status,
        on: Some(today),
        after,
        limit,
        visible,
    };
    Ok(state.store.list_invoices(&filter).await?)
}

/// The name of the invoices list's cursors.
const INVOICES: &str = "invoices";

/// Issued invoices and credit notes the caller may see, newest first: all
/// for network admins, their operators' for operators' staff, their
/// organisations' for organisation admins; a page at a time (`limit`,
/// `cursor`, and a `Link: <…>; rel="next"` header while there are more).
#[utoipa::path(get, path = "/invoices", tag = "invoicing", params(InvoiceQuery, Paging), security(("token" = [])),
    responses((status = 200, body = [InvoiceOut], headers(("Link" = String, description = "`<url>; rel=\"next\"` (RFC 8288) when there are more invoices"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_invoices(
    State(state): State<AppState>,
    auth: Auth,
    paging: Paging,
    Query(q): Query<InvoiceQuery>,
) -> AppResult<Response> {
    let p = auth.require()?;
    let today = local_date(state.now());
    let after = paging.cursor(INVOICES)?;
    let list = visible_invoices(&state, p, &q, after, paging.fetch()).await?;
    let (list, next) = paging.page(INVOICES, list, |i| i.id);
    let body = Json(
        list.iter()
            .map(|i| invoice_out(i, today))
            .collect::<Vec<_>>(),
    );
    Ok(paging.respond(body, next.as_deref()))
}

#[derive(Serialize, ToSchema)]
pub struct InvoiceLineOut {
    pub description: String,
    pub quantity_milli: i64,
    pub unit_code: String,
    pub unit_price_ore: i64,
    pub net_ore: i64,
    pub vat_category: String,
    pub vat_rate_percent: u8,
    pub product_kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentOut {
    pub id: Uuid,
    pub amount_ore: i64,
    pub paid_on: NaiveDate,
    pub reference: String,
    /// `manual` or `bank_file`.
    pub source: String,
}

fn payment_out(p: &Payment) -> PaymentOut {
    PaymentOut {
        id: p.id,
        amount_ore: p.amount_ore,
        paid_on: p.paid_on,
        reference: p.reference.clone(),
        source: p.source.as_str().into(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvoiceDetailOut {
    #[serde(flatten)]
    pub invoice: InvoiceOut,
    pub lines: Vec<InvoiceLineOut>,
    pub payments: Vec<PaymentOut>,
}

/// An invoice or credit note with its lines and payments.
#[utoipa::path(get, path = "/invoices/{id}", tag = "invoicing", security(("token" = [])),
    responses((status = 200, body = InvoiceDetailOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_invoice(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<InvoiceDetailOut>> {
    let id = path_id(&id)?;
    let p = auth.require()?;
    let inv = visible_invoice(&state, p, id).await?;
    let lines = state.store.invoice_lines(inv.id).await?;
    let payments = state.store.invoice_payments(inv.id).await?;
    Ok(Json(InvoiceDetailOut {
        invoice: invoice_out(&inv, local_date(state.now())),
        lines: lines
            .into_iter()
            .map(|l| InvoiceLineOut {
                description: l.description,
                quantity_milli: l.quantity_milli,
                unit_code: l.unit_code,
                unit_price_ore: l.unit_price_ore,
                net_ore: l.net_ore,
                vat_category: l.vat_category,
                vat_rate_percent: l.vat_rate_percent,
                product_kind: l.product_kind,
            })
            .collect(),
        payments: payments.iter().map(payment_out).collect(),
    }))
}

/// The file name of an invoice's download.
fn file_name(inv: &IssuedInvoice, ext: &str) -> String {
    let safe: String = inv
        .display_number()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kind = match inv.kind {
        thirdplace_store::InvoiceKind::Invoice => "faktura",
        thirdplace_store::InvoiceKind::CreditNote => "kreditfaktura",
    };
    format!("{kind}-{safe}.{ext}")
}

/// The Peppol BIS Billing 3.0 UBL of an issued invoice (or credit note).
pub async fn ubl_response(state: &AppState, p: &Principal, id: Uuid) -> AppResult<Response> {
    let inv = visible_invoice(state, p, id).await?;
    let doc = service::document(&inv)?;
    let xml = thirdplace_invoicing::ubl::to_ubl(&doc);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&inv, "xml")),
            ),
        ],
        xml,
    )
        .into_response())
}

/// The PDF of an issued invoice (or credit note), in Swedish or English.
pub async fn pdf_response(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    lang: Language,
) -> AppResult<Response> {
    let inv = visible_invoice(state, p, id).await?;
    let doc = service::document(&inv)?;
    let pdf = thirdplace_invoicing::pdf::to_pdf(&doc, lang)
        .map_err(|e| AppError::Internal(e.to_string().into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&inv, "pdf")),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The invoice as Peppol BIS Billing 3.0 UBL XML.
#[utoipa::path(get, path = "/invoices/{id}/ubl", tag = "invoicing", security(("token" = [])),
    responses((status = 200, content_type = "application/xml", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_ubl(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    ubl_response(&state, auth.require()?, id).await
}

#[derive(Deserialize, IntoParams)]
pub struct PdfQuery {
    /// `sv` (the default) or `en`.
    pub lang: Option<String>,
}

pub fn pdf_language(raw: Option<&str>) -> Language {
    match raw {
        Some("en") => Language::English,
        _ => Language::Swedish,
    }
}

/// The invoice as a PDF a person reads.
#[utoipa::path(get, path = "/invoices/{id}/pdf", tag = "invoicing", params(PdfQuery), security(("token" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PdfQuery>,
) -> AppResult<Response> {
    let id = path_id(&id)?;
    let lang = pdf_language(q.lang.as_deref());
    pdf_response(&state, auth.require()?, id, lang).await
}

/// Credits an invoice in full with a credit note that refers to it (once:
/// the same request again answers with that credit note). Network admins
/// and the operator's staff.
#[utoipa::path(post, path = "/invoices/{id}/credit", tag = "invoicing", security(("token" = [])),
    responses((status = 201, body = InvoiceOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn credit_invoice(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<InvoiceOut>)> {
    let id = path_id(&id)?;
    let p = auth.require()?;
    let inv = visible_invoice(&state, p, id).await?;
    invoicing_for(p, inv.operator_id)?;
    let note = service::credit(&state, &inv, p.person_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(invoice_out(&note, local_date(state.now()))),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// Öre; what is outstanding when left out.
    #[serde(default)]
    pub amount_ore: Option<i64>,
    /// Today when left out.
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    #[serde(default)]
    pub reference: Option<String>,
}

/// Marks an invoice paid by hand (in full by default). With an
/// `Idempotency-Key` a retry records nothing twice. Network admins and the
/// operator's staff.
#[utoipa::path(post, path = "/invoices/{id}/payments", tag = "invoicing", request_body = PaymentBody, params(IdempotencyKey), security(("token" = [])),
    responses((status = 201, body = PaymentOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pay_invoice(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    key: IdempotencyKey,
    body: ApiJson<PaymentBody>,
) -> AppResult<(StatusCode, Json<PaymentOut>)> {
    let id = path_id(&id)?;
    let admin = auth.require()?;
    let inv = visible_invoice(&state, admin, id).await?;
    invoicing_for(admin, inv.operator_id)?;
    let body = body
        .parse_optional("{\"amount_ore\"?, \"paid_on\"?, \"reference\"?}")?
        .unwrap_or_default();
    let payment_id = key.id_for(admin.person_id, &format!("payment of {}", inv.id), new_id);
    let paid = service::pay(
        &state,
        &inv,
        payment_id,
        body.amount_ore,
        body.paid_on,
        body.reference,
        admin.person_id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(payment_out(&paid))))
}

#[derive(Deserialize, IntoParams)]
pub struct SieQuery {
    /// The first day, `YYYY-MM-DD` (default: 1 January this year).
    pub from: Option<NaiveDate>,
    /// The last day, `YYYY-MM-DD` (default: 31 December this year).
    pub to: Option<NaiveDate>,
}

/// The SIE 4 file (PC8) of an operator's invoices, credit notes and
/// payments in a period, for its bookkeeping. The whole year by default.
pub async fn sie_response(
    state: &AppState,
    operator: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Response> {
    use chrono::Datelike;
    let year = local_date(state.now()).year();
    let from = from.or_else(|| NaiveDate::from_ymd_opt(year, 1, 1));
    let to = to.or_else(|| NaiveDate::from_ymd_opt(year, 12, 31));
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::NotFound);
    };
    let bytes = service::sie_export(state, operator, from, to).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=IBM437".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"sie-{from}-{to}.se\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The operator's invoicing as an SIE 4 file for its bookkeeping. Network
/// admins and the operator's staff.
#[utoipa::path(get, path = "/operators/{id}/sie", tag = "invoicing", params(SieQuery), security(("token" = [])),
    responses((status = 200, content_type = "text/plain", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_sie(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<SieQuery>,
) -> AppResult<Response> {
    let operator = path_id(&id)?;
    invoicing_for(auth.require()?, operator)?;
    sie_response(&state, operator, q.from, q.to).await
}

#[derive(Serialize, ToSchema)]
pub struct BankFileOut {
    /// The same file was imported before: nothing changed.
    pub already_imported: bool,
    /// Payments that paid an invoice in full.
    pub matched: u64,
    /// Payments that pay part of an invoice (left for a person).
    pub partial: u64,
    /// Payments no invoice matched (left for a person).
    pub unmatched: u64,
    /// Payments seen before in another file, skipped.
    pub skipped: u64,
}

pub fn bank_file_out(o: &thirdplace_store::BankFileOutcome) -> BankFileOut {
    use thirdplace_store::BankFileOutcome;
    match *o {
        BankFileOutcome::AlreadyImported(_) => BankFileOut {
            already_imported: true,
            matched: 0,
            partial: 0,
            unmatched: 0,
            skipped: 0,
        },
        BankFileOutcome::Imported {
            matched,
            partial,
            unmatched,
            skipped,
        } => BankFileOut {
            already_imported: false,
            matched,
            partial,
            unmatched,
            skipped,
        },
    }
}

#[derive(Deserialize, IntoParams)]
pub struct BankFileQuery {
    /// The file's name, for the record.
    pub file_name: Option<String>,
}

/// Imports a BgMax file (Bankgirot's payments, the body as sent) of the
/// operator's bankgiro: payments matched by OCR reference mark invoices
/// paid; partial and unmatched ones wait for a person. The same file again
/// changes nothing. A file that is not BgMax is refused with the line and
/// the reason. Network admins and the operator's staff.
#[utoipa::path(post, path = "/operators/{id}/bank-files", tag = "invoicing", params(BankFileQuery), request_body(content = String, content_type = "text/plain"), security(("token" = [])),
    responses((status = 201, body = BankFileOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_bank_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<BankFileQuery>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<BankFileOut>)> {
    let operator = path_id(&id)?;
    let admin = auth.require()?;
    invoicing_for(admin, operator)?;
    let name = q.file_name.unwrap_or_else(|| "bgmax.txt".into());
    let outcome = service::import_bgmax(&state, operator, &body, &name, admin.person_id).await?;
    Ok((StatusCode::CREATED, Json(bank_file_out(&outcome))))
}
