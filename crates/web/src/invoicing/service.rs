//! The invoice run and issued invoices, between the store and the
//! `thirdplace-invoicing` domain: the store's facts of a month become the
//! run's inputs, the run's preview becomes issued invoices (each atomically,
//! with what it charges, so a second run charges nothing twice), and an
//! issued invoice's stored document becomes its Peppol XML and PDF again.
//!
//! The API and the pages both call this module; neither computes a line,
//! a total or a VAT amount itself.

use crate::http::audit;
use crate::http::error::{AppError, AppResult};
use crate::AppState;
use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::{new_id, Operator, Organisation};
use thirdplace_invoicing::document::{
    Address, Buyer, Document, DocumentInput, PayeeAccount, Payment, PeppolEndpoint, SeVatNumber,
    Seller,
};
use thirdplace_invoicing::invoice::{DocumentKind, InvoiceReference, Line, Period, ProductKind};
use thirdplace_invoicing::ocr::{LengthDigit, OcrReference};
use thirdplace_invoicing::pdf::Language;
use thirdplace_invoicing::run::{
    self, BookingInput, CancellationInput, ChargeKey, CustomerInput, CustomerPreview, Holding,
    RunInput, RunPreview, SeatInput,
};
use thirdplace_invoicing::vat::{standard_rated, Exemption, VatCategory};
use thirdplace_store::{
    InvoiceKind, InvoiceLine, IssueAudit, IssueRequest, IssuedInvoice, NewPayment,
    Payment as StoredPayment, PaymentSource, RunFacts, StoreError,
};
use uuid::Uuid;

/// The hubs' civil time.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Stockholm;

/// A calendar month, "2026-11": the run's period.
pub fn parse_month(raw: &str) -> AppResult<Period> {
    let bad = || {
        AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_month",
            format!("{raw:?} is not a month: write it as YYYY-MM, e.g. 2026-11"),
        )
    };
    let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let first = NaiveDate::from_ymd_opt(y, m, 1)
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(bad)?;
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .ok_or_else(bad)?;
    Period::new(first, last).map_err(|_| bad())
}

/// "2026-11".
pub fn month_text(p: &Period) -> String {
    p.start().format("%Y-%m").to_string()
}

/// A charge key as the store keeps it: `seat:<holding>:<month>`,
/// `booking:<id>`, `cancellation:<id>`, `event:<id>`.
pub fn key_text(k: &ChargeKey) -> String {
    match k {
        ChargeKey::Seat { holding, month } => format!("seat:{holding}:{month}"),
        ChargeKey::Booking { id } => format!("booking:{id}"),
        ChargeKey::Cancellation { id } => format!("cancellation:{id}"),
        ChargeKey::Event { id } => format!("event:{id}"),
    }
}

/// The key a stored text names; `None` for one this version does not know.
pub fn parse_key(s: &str) -> Option<ChargeKey> {
    let (kind, rest) = s.split_once(':')?;
    Some(match kind {
        "seat" => {
            let (holding, month) = rest.rsplit_once(':')?;
            ChargeKey::Seat {
                holding: holding.to_string(),
                month: month.parse().ok()?,
            }
        }
        "booking" => ChargeKey::Booking { id: rest.into() },
        "cancellation" => ChargeKey::Cancellation { id: rest.into() },
        "event" => ChargeKey::Event { id: rest.into() },
        _ => return None,
    })
}

/// A VAT rate as the run's category: 25, 12 and 6 % standard rated, 0 %
/// exempt with the reason Swedish invoices state.
fn vat_of(percent: i64) -> Result<VatCategory, String> {
    if percent == 0 {
        return Exemption::new(
            None,
            "Undantagen från skatteplikt enligt 10 kap. mervärdesskattelagen",
        )
        .map(VatCategory::exempt)
        .map_err(|e| e.to_string());
    }
    u8::try_from(percent)
        .ok()
        .and_then(|p| standard_rated(p).ok())
        .ok_or_else(|| format!("{percent} % is not a Swedish VAT rate"))
}

/// What the operator's details lack for it to invoice, as sentences.
fn operator_problem(what: &str) -> AppError {
    AppError::refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "operator_incomplete",
        format!("The operator cannot invoice yet: {what} — fill it in under the operator's invoicing details"),
    )
}

/// What is kept with each issued invoice (the store's `document`): all
/// that its Peppol XML and PDF are written from, but for the number and
/// OCR reference, which come from the number the store gave it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedDocument {
    pub seller: Seller,
    pub buyer: Buyer,
    /// Where to pay (an invoice); `None` on a credit note.
    pub account: Option<PayeeAccount>,
    pub ocr_length_digit: bool,
    pub payment_terms: String,
    pub period: Period,
    pub lines: Vec<Line>,
    /// The invoice a credit note credits.
    pub credits: Option<InvoiceReference>,
    pub note: Option<String>,
}

/// The seller, account and terms of an operator's invoices.
fn seller_of(o: &Operator) -> AppResult<(Seller, PayeeAccount, bool, i64)> {
    let s = &o.seller;
    let org_number = o
        .org_number
        .clone()
        .ok_or_else(|| operator_problem("its organisation number"))?;
    let vat_number = match &s.vat_number {
        Some(v) => SeVatNumber::parse(v.as_str())
            .map_err(|_| operator_problem("a Swedish VAT number (SE…01)"))?,
        None => SeVatNumber::for_org_number(&org_number),
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let address = Address {
        street: text(&s.street_address),
        additional: None,
        postal_code: s
            .postal_code
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        city: text(&s.city),
        country: s.country.clone(),
    };
    let account = match (&s.bankgiro, &s.plusgiro) {
        (Some(bg), _) => PayeeAccount::bankgiro(bg.as_str()),
        (None, Some(pg)) => PayeeAccount::plusgiro(pg.as_str()),
        (None, None) => return Err(operator_problem("a bankgiro or plusgiro number")),
    }
    .map_err(|_| operator_problem("a valid bankgiro or plusgiro number"))?;
    let endpoint = PeppolEndpoint {
        scheme: s.peppol_scheme.clone(),
        id: s
            .peppol_id
            .clone()
            .unwrap_or_else(|| PeppolEndpoint::for_org_number(&org_number).id),
    };
    let seller = Seller {
        legal_name: s.legal_name.clone().unwrap_or_else(|| o.name.clone()),
        trading_name: s.legal_name.as_ref().map(|_| o.name.clone()),
        org_number,
        vat_number,
        f_skatt: s.f_tax_approved,
        legal_info: None,
        address,
        contact: None,
        endpoint,
    };
    Ok((
        seller,
        account,
        s.ocr_length_digit,
        s.payment_terms_days.max(0),
    ))
}

/// The buyer an organisation is on its invoices; what it lacks is left
/// empty, for the run to state as the customer's problem.
pub fn buyer_of(org: &Organisation) -> Buyer {
    let b = &org.buyer;
    Buyer {
        legal_name: org.name.clone(),
        org_number: Some(org.org_number.clone()),
        vat_number: None,
        buyer_reference: b.buyer_reference.clone().unwrap_or_default(),
        address: Address {
            street: b.invoice_street.clone().unwrap_or_default(),
            additional: b.cost_centre.as_ref().map(|c| format!("Kst {c}")),
            postal_code: b
                .invoice_postal_code
                .as_ref()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            city: b.invoice_city.clone().unwrap_or_default(),
            country: b.invoice_country.clone(),
        },
        contact: None,
        endpoint: PeppolEndpoint {
            scheme: b.peppol_scheme.clone(),
            id: b
                .peppol_id
                .clone()
                .unwrap_or_else(|| PeppolEndpoint::for_org_number(&org.org_number).id),
        },
    }
}

fn payment_terms(days: i64) -> String {
    format!("{days} dagar netto")
}

/// One operator's run over a month: its inputs and the preview.
pub struct Run {
    pub operator: Operator,
    pub input: RunInput,
    pub customers: Vec<CustomerInput>,
    pub organisations: Vec<Organisation>,
    pub preview: RunPreview,
    pub ocr_length_digit: bool,
}

impl Run {
    pub fn organisation(&self, id: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.id.to_string() == id)
    }

    /// The invoices that can be issued and what they add up to.
    pub fn issuable(&self) -> (usize, i64) {
        let n = self
            .preview
            .customers
            .iter()
            .filter(|c| !c.is_blocked())
            .count();
        (n, self.preview.payable_ore())
    }
}

/// The civil day of an instant.
fn civil(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TIME_ZONE).date_naive()
}

/// The inputs of the run from the store's facts.
fn customer_inputs(operator: &Operator, facts: &RunFacts) -> AppResult<Vec<CustomerInput>> {
    let op = operator.id.to_string();
    // Each customer's seats and bookings, in the facts' order.
    let mut seats_of: HashMap<Uuid, Vec<&thirdplace_store::RunSeat>> = HashMap::new();
    for s in &facts.seats {
        seats_of.entry(s.organisation_id).or_default().push(s);
    }
    let mut bookings_of: HashMap<Uuid, Vec<&thirdplace_store::RunBooking>> = HashMap::new();
    for b in &facts.bookings {
        bookings_of.entry(b.organisation_id).or_default().push(b);
    }
    let mut out = Vec::new();
    for org in &facts.customers {
        let mut seats = Vec::new();
        for s in seats_of.remove(&org.id).unwrap_or_default() {
            let vat = vat_of(s.vat_rate_percent)
                .map_err(|m| AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, "vat_rate", m))?;
            let holdings = s
                .holdings
                .iter()
                .filter_map(|h| {
                    // The day a seat changes hands is the new holder's.
                    let from = civil(h.from).max(s.start_date);
                    let to = h.until.map(|u| civil(u) - Days::new(1));
                    let to = match (to, s.end_date) {
                        (Some(t), Some(e)) => Some(t.min(e)),
                        (t, e) => t.or(e),
                    };
                    if to.is_some_and(|t| t < from) {
                        return None;
                    }
                    Some(Holding {
                        id: format!("{}/{}/{}", s.id, h.person_id, h.from.timestamp()),
                        first_name: h.first_name.clone(),
                        last_name: h.last_name.clone(),
                        from,
                        to,
                    })
                })
                .collect();
            seats.push(SeatInput {
                seat_id: s.id.to_string(),
                plan_name: s.plan_name.clone(),
                monthly_price_ore: s.monthly_price_ore,
                vat,
                operator: op.clone(),
                included_room_minutes: s.included_hours_per_month.max(0) * 60,
                holdings,
            });
        }
        let mut bookings = Vec::new();
        let mut cancellations = Vec::new();
        for b in bookings_of.remove(&org.id).unwrap_or_default() {
            let vat = vat_of(b.vat_rate_percent)
                .map_err(|m| AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, "vat_rate", m))?;
            let who = format!(
                "{} {}",
                b.booker_first_name.trim(),
                b.booker_last_name.trim()
            );
            if b.cancellation_charged {
                if b.price_ex_vat_ore > 0 {
                    cancellations.push(CancellationInput {
                        id: b.id.to_string(),
                        room_name: b.room_name.clone(),
                        date: civil(b.starts_at),
                        fee_ore: b.price_ex_vat_ore,
                        vat,
                        operator: b.operator_id.to_string(),
                        who,
                    });
                }
                continue;
            }
            bookings.push(BookingInput {
                id: b.id.to_string(),
                room_name: b.room_name.clone(),
                hub_name: b.hub_name.clone(),
                start: b.starts_at,
                end: b.ends_at,
                hourly_price_ore: b.hourly_price_ore,
                vat,
                operator: b.operator_id.to_string(),
                booker: who,
                seat_id: b.seat_id.map(|s| s.to_string()),
            });
        }
        out.push(CustomerInput {
            id: org.id.to_string(),
            buyer: buyer_of(org),
            seats,
            bookings,
            cancellations,
            events: Vec::new(),
        });
    }
    Ok(out)
}

/// The operator's run for the month, previewed as of now.
pub async fn prepare(state: &AppState, operator_id: Uuid, month: Period) -> AppResult<Run> {
    let operator = state.store.get_operator(operator_id).await?;
    let (seller, account, ocr_length_digit, days) = seller_of(&operator)?;
    let today = local_date(state.now());
    // Whole months, since bookings use the included hours in time order.
    let facts = state
        .store
        .run_facts(operator.id, month.start(), month.end())
        .await?;
    let input = RunInput {
        operator: operator.id.to_string(),
        seller,
        account,
        ocr_length: if ocr_length_digit {
            LengthDigit::With
        } else {
            LengthDigit::Without
        },
        payment_terms: payment_terms(days),
        issue_date: today,
        due_date: today + Days::new(days.unsigned_abs()),
        period: month,
        time_zone: TIME_ZONE,
        language: Language::Swedish,
    };
    let customers = customer_inputs(&operator, &facts)?;
    let invoiced: HashSet<ChargeKey> = facts.invoiced.iter().filter_map(|k| parse_key(k)).collect();
    let preview = run::preview(&input, &customers, &invoiced);
    Ok(Run {
        operator,
        input,
        customers,
        organisations: facts.customers,
        preview,
        ocr_length_digit,
    })
}

/// The store's key of one customer's invoice of a run issued with `key`.
fn issue_key(key: &str, organisation: &str) -> String {
    format!("run/{key}/{organisation}")
}

/// What issuing a run did.
pub struct Issued {
    /// The invoices of this request's key (also those a first attempt
    /// issued), by number.
    pub invoices: Vec<IssuedInvoice>,
    /// The customers whose invoice cannot be issued, with why.
    pub blocked: Vec<CustomerPreview>,
}

fn revenue_account(o: &Operator, p: ProductKind) -> i64 {
    match p {
        ProductKind::Seat => o.seller.account_seat,
        ProductKind::RoomHours => o.seller.account_room_hours,
        ProductKind::LateCancellation => o.seller.account_late_cancellation,
        ProductKind::EventFee => o.seller.account_event_fee,
        ProductKind::Other => o.seller.account_seat,
    }
}

fn product_text(p: ProductKind) -> &'static str {
    match p {
        ProductKind::Seat => "seat",
        ProductKind::RoomHours => "room_hours",
        ProductKind::LateCancellation => "late_cancellation",
        ProductKind::EventFee => "event_fee",
        ProductKind::Other => "other",
    }
}

/// A line as the store keeps it.
fn stored_line(o: &Operator, l: &Line, keys: &[ChargeKey]) -> InvoiceLine {
    let uuid_of = |s: &str| Uuid::parse_str(s.split('/').next().unwrap_or(s)).ok();
    let seat_id = keys.iter().find_map(|k| match k {
        ChargeKey::Seat { holding, .. } => uuid_of(holding),
        _ => None,
    });
    let booking_id = match keys {
        [ChargeKey::Booking { id }] | [ChargeKey::Cancellation { id }] => uuid_of(id),
        _ => None,
    };
    InvoiceLine {
        description: l.description.clone(),
        quantity_milli: l.quantity.thousandths(),
        unit_code: l.unit.code().into(),
        unit_price_ore: l.unit_price_ore,
        net_ore: l.net_ore,
        vat_category: l.vat.code().into(),
        vat_rate_percent: l.vat.percent().unwrap_or(0),
        vat_exemption_reason: l.vat.exemption().map(|e| e.text().to_string()),
        product_kind: product_text(l.product).into(),
        revenue_account: revenue_account(o, l.product),
        seat_id,
        booking_id,
        event_id: None,
    }
}

/// Invoices issued in one store transaction (with their audit entries).
const ISSUE_BATCH: usize = 500;

/// Issues the run's invoices of the customers not blocked (all, or those
/// in `only`), [`ISSUE_BATCH`] to a transaction, each with what it charges
/// and its audit entry. With the same `key` again nothing is issued twice:
/// a customer issued before under it has nothing left to charge, and its
/// invoice is reported.
pub async fn issue(
    state: &AppState,
    run: &Run,
    only: Option<&[Uuid]>,
    key: &str,
    actor: Uuid,
) -> AppResult<Issued> {
    let only: Option<HashSet<String>> = only.map(|ids| ids.iter().map(Uuid::to_string).collect());
    let wanted = |id: &str| only.as_ref().is_none_or(|ids| ids.contains(id));
    let organisations: HashMap<String, &Organisation> = run
        .organisations
        .iter()
        .map(|o| (o.id.to_string(), o))
        .collect();
    let mut blocked = Vec::new();
    let mut reqs = Vec::new();
    for c in run
        .preview
        .customers
        .iter()
        .filter(|c| wanted(&c.customer_id))
    {
        if c.is_blocked() {
            blocked.push(c.clone());
            continue;
        }
        let (Some(totals), Some(org)) = (&c.totals, organisations.get(&c.customer_id)) else {
            continue;
        };
        let document = IssuedDocument {
            seller: run.input.seller.clone(),
            buyer: buyer_of(org),
            account: Some(run.input.account.clone()),
            ocr_length_digit: run.ocr_length_digit,
            payment_terms: run.input.payment_terms.clone(),
            period: run.input.period,
            lines: c.lines.iter().map(|l| l.line.clone()).collect(),
            credits: None,
            note: None,
        };
        reqs.push(IssueRequest {
            id: new_id(),
            idempotency_key: issue_key(key, &c.customer_id),
            operator_id: run.operator.id,
            organisation_id: org.id,
            kind: InvoiceKind::Invoice,
            credits_invoice_id: None,
            issue_date: run.input.issue_date,
            due_date: run.input.due_date,
            period_start: run.input.period.start(),
            period_end: run.input.period.end(),
            currency: "SEK".into(),
            buyer_reference: document.buyer.buyer_reference.clone(),
            seller: json(&document.seller)?,
            buyer: json(&document.buyer)?,
            lines: c
                .lines
                .iter()
                .map(|l| stored_line(&run.operator, &l.line, &l.keys))
                .collect(),
            net_ore: totals.tax_exclusive_ore,
            vat_ore: totals.vat_ore,
            gross_ore: totals.payable_ore,
            issued_at: state.now(),
            charge_keys: c
                .lines
                .iter()
                .flat_map(|l| l.keys.iter().map(key_text))
                .collect(),
            document: Some(json(&document)?),
        });
    }
    for batch in reqs.chunks(ISSUE_BATCH) {
        let audit = IssueAudit {
            actor_id: Some(actor),
            action: "invoice.issued".into(),
            at: state.now(),
        };
        match state.store.issue_invoices(batch, Some(&audit)).await {
            Ok(_) => {}
            // Another run charged some of it meanwhile: the next preview
            // shows what is left.
            Err(StoreError::Conflict(f)) if f == "charge_key" => {
                return Err(AppError::Conflict {
                    field: "month".into(),
                    message: "another invoice run charged some of this meanwhile: preview again"
                        .into(),
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    let prefix = format!("run/{key}/");
    let mut invoices: Vec<IssuedInvoice> = state
        .store
        .list_invoices(&thirdplace_store::InvoiceFilter {
            operator_id: Some(run.operator.id),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|i| i.idempotency_key.starts_with(&prefix))
        .collect();
    invoices.sort_by_key(|i| i.number);
    Ok(Issued { invoices, blocked })
}

fn internal(message: impl Into<String>) -> AppError {
    AppError::Internal(message.into().into())
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| internal(e.to_string()))
}

/// The stored document of an issued invoice.
pub fn issued_document(inv: &IssuedInvoice) -> AppResult<IssuedDocument> {
    let raw = inv.document.as_deref().ok_or(AppError::NotFound)?;
    serde_json::from_str(raw).map_err(|e| internal(format!("invoice document: {e}")))
}

/// The invoice or credit note as a document, numbered as issued.
pub fn document(inv: &IssuedInvoice) -> AppResult<Document> {
    let d = issued_document(inv)?;
    let number = inv.display_number();
    let length = if d.ocr_length_digit {
        LengthDigit::With
    } else {
        LengthDigit::Without
    };
    let (kind, due_date, payment) = match (&d.credits, &d.account) {
        (Some(original), _) => (
            DocumentKind::CreditNote {
                original: original.clone(),
            },
            None,
            None,
        ),
        (None, Some(account)) => {
            let ocr = OcrReference::for_invoice_number(&inv.number.to_string(), length)
                .map_err(|e| internal(e.to_string()))?;
            (
                DocumentKind::Invoice,
                Some(inv.due_date),
                Some(Payment {
                    account: account.clone(),
                    ocr,
                }),
            )
        }
        (None, None) => return Err(internal("an invoice without an account")),
    };
    Document::new(DocumentInput {
        kind,
        number,
        issue_date: inv.issue_date,
        due_date,
        seller: d.seller,
        buyer: d.buyer,
        payment,
        payment_terms: d.payment_terms,
        note: d.note,
        order_reference: None,
        period: Some(d.period),
        lines: d.lines,
    })
    .map_err(|e| internal(format!("issued document: {e}")))
}

/// The OCR reference customers pay an invoice with.
pub fn ocr_of(inv: &IssuedInvoice) -> Option<String> {
    let d = issued_document(inv).ok()?;
    if inv.kind != InvoiceKind::Invoice {
        return None;
    }
    let length = if d.ocr_length_digit {
        LengthDigit::With
    } else {
        LengthDigit::Without
    };
    OcrReference::for_invoice_number(&inv.number.to_string(), length)
        .ok()
        .map(|o| o.as_str().to_string())
}

/// A full credit note of `inv`, issued today; once per invoice (the same
/// request again answers with the credit note first issued).
pub async fn credit(
    state: &AppState,
    inv: &IssuedInvoice,
    actor: Uuid,
) -> AppResult<IssuedInvoice> {
    if inv.kind != InvoiceKind::Invoice {
        return Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_invoice",
            "a credit note cannot itself be credited",
        ));
    }
    let original = issued_document(inv)?;
    let today = local_date(state.now()).max(inv.issue_date);
    let lines = state.store.invoice_lines(inv.id).await?;
    let document = IssuedDocument {
        account: None,
        credits: Some(InvoiceReference {
            number: inv.display_number(),
            issue_date: inv.issue_date,
        }),
        payment_terms: format!(
            "Krediterar faktura {} i sin helhet; beloppet ska inte betalas.",
            inv.display_number()
        ),
        ..original
    };
    let req = IssueRequest {
        id: new_id(),
        idempotency_key: format!("credit/{}", inv.id),
        operator_id: inv.operator_id,
        organisation_id: inv.organisation_id,
        kind: InvoiceKind::CreditNote,
        credits_invoice_id: Some(inv.id),
        issue_date: today,
        due_date: today,
        period_start: inv.period_start,
        period_end: inv.period_end,
        currency: inv.currency.clone(),
        buyer_reference: inv.buyer_reference.clone(),
        seller: inv.seller.clone(),
        buyer: inv.buyer.clone(),
        lines,
        net_ore: inv.net_ore,
        vat_ore: inv.vat_ore,
        gross_ore: inv.gross_ore,
        issued_at: state.now(),
        charge_keys: Vec::new(),
        document: Some(json(&document)?),
    };
    let note = state.store.issue_invoice(&req).await?;
    if note.id == req.id {
        let details = serde_json::json!({ "credit_note": note.display_number() });
        audit::record(
            state,
            Some(actor),
            "invoice.credited",
            ("invoice", inv.id),
            details,
        )
        .await;
    }
    Ok(note)
}

/// Marks an invoice paid by hand (by default what is outstanding, today).
pub async fn pay(
    state: &AppState,
    inv: &IssuedInvoice,
    id: Uuid,
    amount_ore: Option<i64>,
    paid_on: Option<NaiveDate>,
    reference: Option<String>,
    by: Uuid,
) -> AppResult<StoredPayment> {
    if inv.kind != InvoiceKind::Invoice {
        return Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_invoice",
            "a credit note is not paid",
        ));
    }
    if let Some(done) = state
        .store
        .invoice_payments(inv.id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
    {
        return Ok(done);
    }
    let amount = amount_ore.unwrap_or_else(|| inv.outstanding_ore());
    if amount <= 0 {
        return Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_to_pay",
            "the amount must be more than 0 öre (nothing is outstanding on this invoice)",
        ));
    }
    let p = NewPayment {
        id,
        operator_id: inv.operator_id,
        invoice_id: Some(inv.id),
        invoice_number: None,
        amount_ore: amount,
        paid_on: paid_on.unwrap_or_else(|| local_date(state.now())),
        reference: reference.unwrap_or_else(|| inv.display_number()),
        source: PaymentSource::Manual,
        bank_key: None,
        payer: None,
        recorded_at: state.now(),
        recorded_by: Some(by),
    };
    let paid = state.store.record_payment(&p).await?;
    let details = serde_json::json!({ "amount_ore": paid.amount_ore, "paid_on": paid.paid_on });
    audit::record(
        state,
        Some(by),
        "invoice.paid_by_hand",
        ("invoice", inv.id),
        details,
    )
    .await;
    Ok(paid)
}

/// Digits without leading zeros: a bankgiro number as BgMax and people
/// write it compare equal.
fn giro_key(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').to_string()
}

/// Imports a BgMax file of the operator's bankgiro: each payment matched
/// by its OCR reference to the operator's invoice, partial and unmatched
/// ones left for a person; the same file (or payment) again counts once.
/// A file that is not BgMax is refused with its line and reason, a file of
/// another bankgiro as foreign; nothing is half-imported.
pub async fn import_bgmax(
    state: &AppState,
    operator_id: Uuid,
    bytes: &[u8],
    file_name: &str,
    by: Uuid,
) -> AppResult<thirdplace_store::BankFileOutcome> {
    use thirdplace_invoicing::bgmax::{parse, ReferenceType};
    let operator = state.store.get_operator(operator_id).await?;
    let file = parse(bytes).map_err(|e| {
        AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bank_file_invalid",
            e.to_string(),
        )
    })?;
    let ours = operator
        .seller
        .bankgiro
        .as_ref()
        .map(|b| giro_key(b.as_str()));
    let theirs = file.payee_bankgiro.as_deref().map(giro_key);
    if ours.is_none() || theirs != ours {
        return Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bank_file_foreign",
            format!(
                "the file is for bankgiro {}, not the operator's ({})",
                file.payee_bankgiro.as_deref().unwrap_or("?"),
                operator
                    .seller
                    .bankgiro
                    .as_ref()
                    .map_or("none", |b| b.as_str())
            ),
        ));
    }
    let length = if operator.seller.ocr_length_digit {
        LengthDigit::With
    } else {
        LengthDigit::Without
    };
    let trailing = if operator.seller.ocr_length_digit {
        2
    } else {
        1
    };
    let now = state.now();
    let payments = file
        .payments
        .iter()
        .map(|p| {
            // The invoice number an OCR reference carries: its digits
            // before the length and check digits.
            let number = (p.reference_type == ReferenceType::Ocr)
                .then(|| OcrReference::parse(&p.reference, length).ok())
                .flatten()
                .and_then(|o| {
                    let d = o.as_str();
                    d.get(..d.len().saturating_sub(trailing))?
                        .parse::<i64>()
                        .ok()
                });
            NewPayment {
                id: new_id(),
                operator_id,
                invoice_id: None,
                invoice_number: number,
                amount_ore: p.amount_ore,
                paid_on: p.payment_date,
                reference: p.reference.clone(),
                source: PaymentSource::BankFile,
                bank_key: Some(p.key.clone()),
                payer: p.payer_name.clone(),
                recorded_at: now,
                recorded_by: Some(by),
            }
        })
        .collect();
    let import = thirdplace_store::BankFileImport {
        id: new_id(),
        operator_id,
        fingerprint: file.fingerprint.clone(),
        file_name: file_name.chars().take(200).collect(),
        imported_at: now,
        imported_by: Some(by),
        payments,
    };
    let outcome = state.store.import_bank_file(&import).await?;
    if let thirdplace_store::BankFileOutcome::Imported {
        matched,
        partial,
        unmatched,
        skipped,
    } = outcome
    {
        let details = serde_json::json!({
            "operator_id": operator_id,
            "file_name": import.file_name,
            "matched": matched,
            "partial": partial,
            "unmatched": unmatched,
            "skipped": skipped,
        });
        audit::record(
            state,
            Some(by),
            "bank_file.imported",
            ("bank_file", import.id),
            details,
        )
        .await;
    }
    Ok(outcome)
}

/// What a revenue account is called in the SIE file, by the product
/// booked on it.
fn account_name(product_kind: &str) -> &'static str {
    match product_kind {
        "seat" => "Försäljning medlemskap",
        "room_hours" => "Försäljning rumstimmar",
        "late_cancellation" => "Avbokningsavgifter",
        "event_fee" => "Evenemangsavgifter",
        _ => "Övriga intäkter",
    }
}

/// The operator's SIE 4 file (PC8) for the days `from..=to`: a
/// verification per invoice and credit note issued then (series A, by
/// number: receivables 1510, revenue per product account, output VAT per
/// rate) and per payment received then (series B: bank 1930 against
/// 1510). Payments no invoice matched are left for a person.
pub async fn sie_export(
    state: &AppState,
    operator_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<u8>> {
    use thirdplace_invoicing::sie::{
        credit_note_verification, invoice_verification, payment_verification, write_sie4,
        FinancialYear, InvoiceAmounts, SieCompany, SieExport,
    };
    let refused =
        |m: String| AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, "invalid_period", m);
    if to < from {
        return Err(refused(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    let operator = state.store.get_operator(operator_id).await?;
    let org_number = operator
        .org_number
        .clone()
        .ok_or_else(|| operator_problem("its organisation number"))?;
    let mut invoices = state
        .store
        .list_invoices(&thirdplace_store::InvoiceFilter {
            operator_id: Some(operator_id),
            ..Default::default()
        })
        .await?;
    invoices.sort_by_key(|i| i.number);
    let mut verifications = Vec::new();
    let mut names: Vec<(u32, String)> = Vec::new();
    let mut payments = Vec::new();
    for inv in &invoices {
        for p in state.store.invoice_payments(inv.id).await? {
            if from <= p.paid_on && p.paid_on <= to {
                payments.push((p, inv.display_number()));
            }
        }
        if inv.issue_date < from || inv.issue_date > to {
            continue;
        }
        let lines = state.store.invoice_lines(inv.id).await?;
        let mut net: Vec<(u32, i64)> = Vec::new();
        for l in &lines {
            let account = u32::try_from(l.revenue_account)
                .map_err(|_| internal(format!("revenue account {}", l.revenue_account)))?;
            match net.iter_mut().find(|(a, _)| *a == account) {
                Some(row) => row.1 += l.net_ore,
                None => net.push((account, l.net_ore)),
            }
            if !names.iter().any(|(a, _)| *a == account) {
                names.push((account, account_name(&l.product_kind).into()));
            }
        }
        let doc = document(inv)?;
        let mut vat = Vec::new();
        for b in &doc.totals().breakdown {
            let rate =
                thirdplace_domain::VatRate::parse(i64::from(b.category.percent().unwrap_or(0)))
                    .map_err(|e| internal(e.message))?;
            vat.push((rate, b.vat_ore));
        }
        let amounts = InvoiceAmounts {
            gross_ore: inv.gross_ore,
            vat,
            net,
        };
        let customer = serde_json::from_str::<Buyer>(&inv.buyer)
            .map(|b| b.legal_name)
            .unwrap_or_default();
        let number = u32::try_from(inv.number).map_err(|_| internal("invoice number"))?;
        let v = match inv.kind {
            InvoiceKind::Invoice => invoice_verification(
                "A",
                number,
                inv.issue_date,
                &format!("Faktura {} {customer}", inv.display_number()),
                &amounts,
            ),
            InvoiceKind::CreditNote => credit_note_verification(
                "A",
                number,
                inv.issue_date,
                &format!("Kreditfaktura {} {customer}", inv.display_number()),
                &amounts,
            ),
        }
        .map_err(|e| internal(e.to_string()))?;
        verifications.push(v);
    }
    payments.sort_by_key(|(p, _)| (p.paid_on, p.id));
    for (n, (p, number)) in payments.iter().enumerate() {
        verifications.push(payment_verification(
            "B",
            u32::try_from(n + 1).unwrap_or(u32::MAX),
            p.paid_on,
            &format!("Betalning faktura {number}"),
            p.amount_ore,
        ));
    }
    let export = SieExport {
        company: SieCompany {
            name: operator
                .seller
                .legal_name
                .clone()
                .unwrap_or_else(|| operator.name.clone()),
            org_number,
        },
        year: FinancialYear {
            start: from,
            end: to,
        },
        generated: local_date(state.now()),
        account_names: names,
        verifications,
    };
    write_sie4(&export).map_err(|e| refused(e.to_string()))
}

/// "1 234,50 kr" (no-break spaces), as the domain writes amounts.
pub fn kronor(ore: i64) -> String {
    format!(
        "{}\u{a0}kr",
        thirdplace_domain::money::format_ore_as_sek(ore)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_bad_ones_are_refused() {
        let p = parse_month("2026-02").unwrap();
        assert_eq!(p.start().to_string(), "2026-02-01");
        assert_eq!(p.end().to_string(), "2026-02-28");
        for bad in ["2026-13", "26-11", "2026-1", "november", "", "2026-11-01"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn charge_keys_round_trip() {
        let keys = [
            ChargeKey::Seat {
                holding: "a/b/1700000000".into(),
                month: "2026-11-01".parse().unwrap(),
            },
            ChargeKey::Booking { id: "x".into() },
            ChargeKey::Cancellation { id: "y".into() },
            ChargeKey::Event { id: "z".into() },
        ];
        for k in keys {
            assert_eq!(parse_key(&key_text(&k)), Some(k));
        }
        assert_eq!(parse_key("nonsense"), None);
    }

    #[test]
    fn money_is_shown_in_kronor() {
        assert_eq!(kronor(123_450), "1\u{a0}234,50\u{a0}kr");
        assert_eq!(kronor(5), "0,05\u{a0}kr");
        assert_eq!(kronor(100_000_000), "1\u{a0}000\u{a0}000,00\u{a0}kr");
    }
}
