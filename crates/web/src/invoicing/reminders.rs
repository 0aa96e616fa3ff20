//! Payment reminders of overdue invoices (issue 16, item 4): the overdue
//! list with each customer's reminders (`/admin/invoices/reminders`), a
//! reminder of one invoice from its page or the API
//! (`POST /api/v1/invoices/{id}/reminders`), and all that may go at once
//! from the list. Each reminder is an e-mail through the outbox to the
//! organisation's invoice address. When one may go is the invoicing
//! crate's rule ([`thirdplace_invoicing::reminder`]); the store keeps one
//! per invoice and day, so a retry or a second click sends nothing twice.

use super::api::{invoicing_for, visible_invoice};
use super::service::{self, kronor};
use crate::http::api::path_id;
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form_data::FormData;
use crate::http::page::Page;
use crate::http::roles::require_invoicing_pages;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, NaiveDate};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::hash_map::{Entry, HashMap};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::{new_id, Principal};
use thirdplace_invoicing::reminder::{self, ReminderFacts, ReminderState, INTERVAL_DAYS};
use thirdplace_store::{
    InvoiceKind, InvoiceReminder, IssuedInvoice, NewReminder, OutgoingEmail, Refusal, StoreError,
};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/invoices/reminders",
            get(list_page).post(send_all_page),
        )
        .route("/admin/invoices/{id}/reminders", post(send_page))
}

// ------------------------------------------------------------- the rule

/// Whether `inv` may be reminded of today, from its reminders so far.
fn state_of(inv: &IssuedInvoice, last: Option<NaiveDate>) -> ReminderState {
    ReminderState {
        is_invoice: inv.kind == InvoiceKind::Invoice,
        due_date: inv.due_date,
        outstanding_ore: inv.outstanding_ore(),
        last_reminded_on: last,
    }
}

/// The refusal of the rule as the API and the pages tell it.
fn refusal(r: reminder::ReminderRefusal) -> AppError {
    let status = match r {
        reminder::ReminderRefusal::TooSoon { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    AppError::refused(status, r.code(), r.to_string())
}

fn no_address() -> AppError {
    AppError::refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "reminder_no_address",
        "the customer has no e-mail address for invoices: fill it in on the organisation's page",
    )
}

/// Sends a reminder of `inv` now: checks the rule, writes the e-mail to
/// the organisation's invoice address and records both at once.
pub async fn remind(
    state: &AppState,
    inv: &IssuedInvoice,
    actor: Option<Uuid>,
) -> AppResult<InvoiceReminder> {
    let today = local_date(state.now());
    let last = state
        .store
        .invoice_reminders(inv.id)
        .await?
        .last()
        .map(|r| r.sent_on);
    state_of(inv, last).check(today).map_err(refusal)?;
    let customer = state.store.get_organisation(inv.organisation_id).await?;
    let to = customer
        .buyer
        .invoice_email
        .as_ref()
        .map(ToString::to_string)
        .ok_or_else(no_address)?;
    let doc = service::issued_document(inv)?;
    let seller = doc
        .seller
        .trading_name
        .clone()
        .unwrap_or_else(|| doc.seller.legal_name.clone());
    let seller_email = doc.seller.contact.as_ref().and_then(|c| c.email.clone());
    let ocr = service::ocr_of(inv);
    let number = inv.display_number();
    let (subject, body) = reminder::text(&ReminderFacts {
        seller: &seller,
        seller_email: seller_email.as_deref(),
        customer: &customer.name,
        buyer_reference: &inv.buyer_reference,
        number: &number,
        issue_date: inv.issue_date,
        due_date: inv.due_date,
        outstanding_ore: inv.outstanding_ore(),
        account: doc.account.as_ref(),
        ocr: ocr.as_deref(),
    });
    let now = state.now();
    let sent = state
        .store
        .send_invoice_reminder(&NewReminder {
            reminder: InvoiceReminder {
                id: new_id(),
                invoice_id: inv.id,
                sent_on: today,
                sent_at: now,
                to_address: to.clone(),
                outstanding_ore: inv.outstanding_ore(),
            },
            quiet_after: today - Duration::days(INTERVAL_DAYS),
            email: OutgoingEmail {
                id: new_id(),
                to_address: to,
                subject,
                body,
                created_at: now,
                sent_at: None,
                attempts: 0,
                last_error: None,
                failed: false,
            },
        })
        .await
        .map_err(|e| match e {
            StoreError::Refused(Refusal::ReminderSent) => AppError::refused(
                StatusCode::CONFLICT,
                "reminder_too_soon",
                "a reminder of this invoice was sent within the last week",
            ),
            e => e.into(),
        })?;
    let details = serde_json::json!({
        "to": sent.to_address,
        "outstanding_ore": sent.outstanding_ore,
    });
    audit::record(
        state,
        actor,
        "invoice.reminded",
        ("invoice", inv.id),
        details,
    )
    .await;
    Ok(sent)
}

// ------------------------------------------------------------- the API

#[derive(Serialize, ToSchema)]
pub struct ReminderOut {
    pub id: Uuid,
    pub invoice_id: Uuid,
    /// The operator's civil day it went.
    pub sent_on: NaiveDate,
    pub sent_at: chrono::DateTime<chrono::Utc>,
    pub to_address: String,
    /// What was left to pay when it went, in öre.
    pub outstanding_ore: i64,
}

impl From<InvoiceReminder> for ReminderOut {
    fn from(r: InvoiceReminder) -> Self {
        ReminderOut {
            id: r.id,
            invoice_id: r.invoice_id,
            sent_on: r.sent_on,
            sent_at: r.sent_at,
            to_address: r.to_address,
            outstanding_ore: r.outstanding_ore,
        }
    }
}

/// The reminders sent of an invoice, oldest first.
#[utoipa::path(get, path = "/invoices/{id}/reminders", tag = "invoicing", security(("token" = [])),
    params(("id" = Uuid, Path, description = "The invoice")),
    responses(
        (status = 200, body = [ReminderOut]),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)
    ))]
pub async fn list_reminders(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<ReminderOut>>> {
    let inv = visible_invoice(&state, auth.require()?, path_id(&id)?).await?;
    let all = state.store.invoice_reminders(inv.id).await?;
    Ok(Json(all.into_iter().map(ReminderOut::from).collect()))
}

/// Sends a payment reminder of an overdue invoice by e-mail (through the
/// outbox) to the organisation's invoice address. At most one a week per
/// invoice: a retry within it is refused with 409 and sends nothing.
#[utoipa::path(post, path = "/invoices/{id}/reminders", tag = "invoicing", security(("token" = [])),
    params(("id" = Uuid, Path, description = "The invoice")),
    responses(
        (status = 201, body = ReminderOut),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "A reminder went within the last week"),
        (status = 422, body = ErrorBody,
            description = "Not overdue, nothing to pay, a credit note, or no invoice address")
    ))]
pub async fn send_reminder(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let p = auth.require()?;
    let inv = visible_invoice(&state, p, path_id(&id)?).await?;
    invoicing_for(p, inv.operator_id)?;
    let sent = remind(&state, &inv, Some(p.person_id)).await?;
    Ok((StatusCode::CREATED, Json(ReminderOut::from(sent))).into_response())
}

// ------------------------------------------------------------- the pages

/// A reminder refusal as the page says it, in the page's language.
fn page_text(page: &Page, e: &AppError) -> Option<String> {
    match e {
        AppError::Refused { code, message, .. } => {
            let key = format!("reminders.refused.{code}");
            let text = page.t(&key);
            Some(if text == key { message.clone() } else { text })
        }
        _ => None,
    }
}

/// One overdue invoice as the list shows it.
struct Overdue {
    invoice: IssuedInvoice,
    customer: String,
    address: Option<String>,
    last: Option<NaiveDate>,
    count: i64,
}

/// The overdue invoices of the operators `user` invoices for.
async fn overdue(state: &AppState, user: &Principal) -> AppResult<Vec<Overdue>> {
    let today = local_date(state.now());
    let mut list = state.store.overdue_invoices(None, today).await?;
    list.retain(|i| user.can_invoice_for(i.operator_id));
    let reminded: HashMap<Uuid, (NaiveDate, i64)> = state
        .store
        .reminder_summaries(None)
        .await?
        .into_iter()
        .map(|s| (s.invoice_id, (s.last_sent_on, s.count)))
        .collect();
    let mut orgs = HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for inv in list {
        if let Entry::Vacant(slot) = orgs.entry(inv.organisation_id) {
            let org = state.store.get_organisation(inv.organisation_id).await?;
            let address = org.buyer.invoice_email.as_ref().map(ToString::to_string);
            slot.insert((org.name, address));
        }
        let (customer, address) = orgs[&inv.organisation_id].clone();
        let (last, count) = match reminded.get(&inv.id) {
            Some((l, c)) => (Some(*l), *c),
            None => (None, 0),
        };
        out.push(Overdue {
            invoice: inv,
            customer,
            address,
            last,
            count,
        });
    }
    Ok(out)
}

impl Overdue {
    /// Whether a reminder may go now (an address and the rule).
    fn ready(&self, today: NaiveDate) -> bool {
        self.address.is_some() && state_of(&self.invoice, self.last).check(today).is_ok()
    }

    fn row(&self, page: &Page, today: NaiveDate) -> Value {
        let s = state_of(&self.invoice, self.last);
        let next = match (&self.address, s.check(today)) {
            (None, _) => page.t("reminders.no_address"),
            (Some(_), Ok(())) => page.t("reminders.ready"),
            (Some(_), Err(reminder::ReminderRefusal::TooSoon { next, .. })) => page
                .t("reminders.next_on")
                .replace("{date}", &next.to_string()),
            (Some(_), Err(r)) => r.to_string(),
        };
        context! {
            href => format!("/admin/invoices/{}", self.invoice.id),
            number => self.invoice.display_number(),
            customer => self.customer.clone(),
            due_date => self.invoice.due_date.to_string(),
            days => s.days_overdue(today),
            outstanding => kronor(self.invoice.outstanding_ore()),
            last => self.last.map(|d| d.to_string()),
            count => self.count,
            next,
            ready => self.ready(today),
        }
    }
}

async fn render_list(
    state: &AppState,
    page: &Page,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let today = local_date(state.now());
    let list = overdue(state, page.user()?).await?;
    let rows: Vec<Value> = list.iter().map(|o| o.row(page, today)).collect();
    let ready: Vec<&Overdue> = list.iter().filter(|o| o.ready(today)).collect();
    let ready_total: i64 = ready.iter().map(|o| o.invoice.outstanding_ore()).sum();
    page.render_with_status(
        status,
        "invoicing/reminders.html",
        context! {
            rows,
            ready => ready.len().to_string(),
            any_ready => !ready.is_empty(),
            ready_total => kronor(ready_total),
            interval => INTERVAL_DAYS.to_string(),
            notice => notice.map(|(error, text)| context! { error, text }),
        },
    )
}

async fn list_page(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    require_invoicing_pages(&page)?;
    render_list(&state, &page, None, StatusCode::OK).await
}

/// Sends every reminder that may go now (confirmed on the list).
async fn send_all_page(
    State(state): State<AppState>,
    page: Page,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = require_invoicing_pages(&page)?.clone();
    if form.get("confirm") != "yes" {
        let n = (true, page.t("invoicing.confirm_missing"));
        return render_list(&state, &page, Some(n), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let today = local_date(state.now());
    let (mut sent, mut failed) = (0, Vec::new());
    for o in overdue(&state, &user)
        .await?
        .iter()
        .filter(|o| o.ready(today))
    {
        match remind(&state, &o.invoice, Some(user.person_id)).await {
            Ok(_) => sent += 1,
            Err(e) => match page_text(&page, &e) {
                // Sent by someone else meanwhile, or paid: said, not fatal.
                Some(text) => failed.push(format!("{}: {text}", o.invoice.display_number())),
                None => return Err(e),
            },
        }
    }
    let mut text = page
        .t("reminders.sent_all")
        .replace("{n}", &sent.to_string());
    if !failed.is_empty() {
        text = format!("{text} {}", failed.join(" "));
    }
    render_list(
        &state,
        &page,
        Some((!failed.is_empty(), text)),
        StatusCode::OK,
    )
    .await
}

/// A reminder of one invoice, from its page.
async fn send_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let inv = super::pages::to_change(&state, &page, &id).await?;
    let actor = page.user()?.person_id;
    let notice = if form.get("confirm") != "yes" {
        Err(page.t("invoicing.confirm_missing"))
    } else {
        match remind(&state, &inv, Some(actor)).await {
            Ok(r) => Ok(page.t("reminders.sent").replace("{to}", &r.to_address)),
            Err(e) => Err(page_text(&page, &e).ok_or(e)?),
        }
    };
    let (notice, status) = match notice {
        Ok(text) => ((false, text), StatusCode::OK),
        Err(text) => ((true, text), StatusCode::UNPROCESSABLE_ENTITY),
    };
    super::pages::render_invoice(&state, &page, inv.id, Some(notice), status).await
}

/// What the invoice page shows of reminders: those sent, and whether (and
/// to whom) one may go now.
pub async fn invoice_section(
    state: &AppState,
    page: &Page,
    inv: &IssuedInvoice,
) -> AppResult<Value> {
    let sent = state.store.invoice_reminders(inv.id).await?;
    let today = local_date(state.now());
    let check = state_of(inv, sent.last().map(|r| r.sent_on)).check(today);
    let address = state
        .store
        .get_organisation(inv.organisation_id)
        .await?
        .buyer
        .invoice_email
        .map(|e| e.to_string());
    let sent: Vec<Value> = sent
        .iter()
        .map(|r| {
            context! {
                sent_on => r.sent_on.to_string(),
                to => r.to_address.clone(),
                outstanding => kronor(r.outstanding_ore),
            }
        })
        .collect();
    let blocked = match (&check, &address) {
        (Err(reminder::ReminderRefusal::TooSoon { next, .. }), _) => Some(
            page.t("reminders.next_on")
                .replace("{date}", &next.to_string()),
        ),
        (Ok(()), None) => Some(page.t("reminders.no_address_help")),
        _ => None,
    };
    Ok(context! {
        sent,
        overdue => !matches!(
            check,
            Err(reminder::ReminderRefusal::NotOverdue(_)
                | reminder::ReminderRefusal::NothingOutstanding
                | reminder::ReminderRefusal::NotAnInvoice)
        ),
        ready => check.is_ok() && address.is_some(),
        to => address,
        blocked,
    })
}
