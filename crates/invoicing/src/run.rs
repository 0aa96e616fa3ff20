//! The invoice run: what one operator invoices each customer organisation
//! for a period (usually a calendar month), from plain inputs the web layer
//! fills from the store.
//!
//! - **Seats** the operator sells: one line per holder and month, the
//!   monthly price pro-rated by day ([`crate::prorate`]) when the seat
//!   starts, ends or changes holder, so the parts of a month sum to the
//!   monthly price.
//! - **Room hours** beyond the hours the seat's plan includes per calendar
//!   month (in the hubs' civil time): the included hours are consumed by the
//!   seat's bookings in time order, the rest is charged, one line per room,
//!   month and price with the dates listed. Durations are real elapsed time
//!   between UTC instants, so a night with a DST change counts right.
//! - **Late cancellations** the rules made chargeable, and **event fees**.
//!
//! Lines come sorted seats → rooms → cancellations → events, each with its
//! product kind and period, labelled in Swedish or English so the customer
//! recognises them ("Medlemskap Kalmar Coworking – Anna Berg 1–14 mars").
//! Every line carries the [`ChargeKey`]s of what it charges; an item whose
//! key is passed in as already invoiced is skipped, so nothing is charged
//! twice. Problems that would stop a customer's invoice (a missing buyer
//! reference, a seat with two holders on one day) are stated for that
//! customer and block only that customer.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::document::{
    Address, Buyer, Document, DocumentError, DocumentInput, PayeeAccount, Payment, PeppolEndpoint,
    Seller,
};
use crate::invoice::{
    compute_totals, DocumentKind, InvoiceError, Line, LineInput, Period, ProductKind, Quantity,
    Totals, UnitCode,
};
use crate::ocr::{LengthDigit, OcrError, OcrReference};
use crate::pdf::Language;
use crate::prorate::{month_of, prorate, split_by_month, ProrateError};
use crate::vat::VatCategory;

/// Who held a seat, and when (both days inclusive; `to: None` is still
/// held).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    /// The holding's (membership's) id, part of its [`ChargeKey`].
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// A seat a customer holds, with its plan's price and the operator that
/// sells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatInput {
    pub seat_id: String,
    /// What the customer bought, "Medlemskap Kalmar Coworking".
    pub plan_name: String,
    pub monthly_price_ore: i64,
    pub vat: VatCategory,
    /// The selling operator's id; only the run's operator's seats are
    /// invoiced.
    pub operator: String,
    /// Room minutes the plan includes per calendar month (0: none).
    pub included_room_minutes: i64,
    pub holdings: Vec<Holding>,
}

/// A booked room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingInput {
    pub id: String,
    pub room_name: String,
    pub hub_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub hourly_price_ore: i64,
    pub vat: VatCategory,
    /// The operator that invoices it.
    pub operator: String,
    pub booker: String,
    /// The seat whose plan's included hours it uses, if any.
    pub seat_id: Option<String>,
}

/// A late cancellation the booking rules made chargeable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationInput {
    pub id: String,
    pub room_name: String,
    /// The booking's day, in the hub's time.
    pub date: NaiveDate,
    pub fee_ore: i64,
    pub vat: VatCategory,
    pub operator: String,
    pub who: String,
}

/// A fee for taking part in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFeeInput {
    pub id: String,
    pub title: String,
    pub date: NaiveDate,
    pub fee_ore: i64,
    pub vat: VatCategory,
    pub operator: String,
    pub who: String,
}

/// One customer organisation and everything it may be invoiced for. The
/// bookings should cover whole months (also days before the run's period),
/// since they consume the included hours in time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInput {
    pub id: String,
    pub buyer: Buyer,
    pub seats: Vec<SeatInput>,
    pub bookings: Vec<BookingInput>,
    pub cancellations: Vec<CancellationInput>,
    pub events: Vec<EventFeeInput>,
}

/// What one run invoices, and with which terms.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInput {
    /// The invoicing operator's id.
    pub operator: String,
    pub seller: Seller,
    pub account: PayeeAccount,
    pub ocr_length: LengthDigit,
    /// "30 dagar netto".
    pub payment_terms: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period: Period,
    /// The hubs' civil time, Europe/Stockholm.
    pub time_zone: Tz,
    pub language: Language,
}

/// What a line charges, recorded when the invoice is issued so that the
/// next run skips it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChargeKey {
    /// A holding's part of the month beginning on `month`.
    Seat {
        holding: String,
        month: NaiveDate,
    },
    Booking {
        id: String,
    },
    Cancellation {
        id: String,
    },
    Event {
        id: String,
    },
}

/// A proposed line and what it charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunLine {
    pub line: Line,
    pub keys: Vec<ChargeKey>,
}

/// Something that stops a customer's invoice, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

/// The preview of one customer's invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerPreview {
    pub customer_id: String,
    pub customer_name: String,
    pub lines: Vec<RunLine>,
    /// `None` when the lines cannot make an invoice (see `problems`).
    pub totals: Option<Totals>,
    /// Empty when the invoice can be issued.
    pub problems: Vec<Problem>,
}

impl CustomerPreview {
    pub fn is_blocked(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The invoice as issued under `number` (the next in the operator's
    /// series), with its OCR reference.
    pub fn document(
        &self,
        run: &RunInput,
        buyer: &Buyer,
        number: &str,
    ) -> Result<Document, IssueError> {
        let ocr = OcrReference::for_invoice_number(number, run.ocr_length)?;
        Ok(Document::new(document_input(
            run,
            buyer,
            number,
            ocr,
            self.lines.iter().map(|l| l.line.clone()).collect(),
        ))?)
    }
}

/// Why a previewed invoice could not be made into a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error(transparent)]
    Ocr(#[from] OcrError),
}

/// The preview of a run: the customers with something to invoice, in the
/// order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunPreview {
    pub customers: Vec<CustomerPreview>,
}

impl RunPreview {
    /// The sum payable over the invoices that can be issued.
    pub fn payable_ore(&self) -> i64 {
        self.customers
            .iter()
            .filter(|c| !c.is_blocked())
            .filter_map(|c| c.totals.as_ref().map(|t| t.payable_ore))
            .sum()
    }
}

/// Previews the run for every customer; customers with nothing to invoice
/// are left out.
pub fn preview(
    run: &RunInput,
    customers: &[CustomerInput],
    already_invoiced: &HashSet<ChargeKey>,
) -> RunPreview {
    RunPreview {
        customers: customers
            .iter()
            .filter_map(|c| preview_customer(run, c, already_invoiced))
            .collect(),
    }
}

/// Previews one customer's invoice; `None` when there is nothing to invoice.
pub fn preview_customer(
    run: &RunInput,
    customer: &CustomerInput,
    already_invoiced: &HashSet<ChargeKey>,
) -> Option<CustomerPreview> {
    let texts = texts(run.language);
    let mut problems = Vec::new();
    let lines = match customer_lines(run, customer, already_invoiced) {
        Ok(lines) => lines,
        Err(e) => {
            problems.push(e.problem(run.language));
            Vec::new()
        }
    };
    if lines.is_empty() && problems.is_empty() {
        return None;
    }
    let mut totals = None;
    if !lines.is_empty() {
        let plain: Vec<Line> = lines.iter().map(|l| l.line.clone()).collect();
        match compute_totals(&plain) {
            Ok(t) => totals = Some(t),
            Err(e) => problems.push(RunError::Line(e).problem(run.language)),
        }
        if problems.is_empty() {
            problems.extend(document_problems(run, &customer.buyer, plain, texts));
        }
    }
    Some(CustomerPreview {
        customer_id: customer.id.clone(),
        customer_name: customer.buyer.legal_name.clone(),
        lines,
        totals,
        problems,
    })
}

fn document_input(
    run: &RunInput,
    buyer: &Buyer,
    number: &str,
    ocr: OcrReference,
    lines: Vec<Line>,
) -> DocumentInput {
    DocumentInput {
        kind: DocumentKind::Invoice,
        number: number.to_string(),
        issue_date: run.issue_date,
        due_date: Some(run.due_date),
        seller: run.seller.clone(),
        buyer: buyer.clone(),
        payment: Some(Payment {
            account: run.account.clone(),
            ocr,
        }),
        payment_terms: run.payment_terms.clone(),
        note: None,
        order_reference: None,
        period: Some(run.period),
        lines,
    }
}

/// Every refusal of [`Document::new`] for this customer: each one the
/// customer can fix is recorded and patched over to look for the next.
fn document_problems(
    run: &RunInput,
    buyer: &Buyer,
    lines: Vec<Line>,
    texts: &Texts,
) -> Vec<Problem> {
    let ocr = OcrReference::for_invoice_number("1", LengthDigit::Without).expect("digits");
    let mut input = document_input(run, buyer, "PREVIEW-1", ocr, lines);
    let mut problems = Vec::new();
    for _ in 0..8 {
        let err = match Document::new(input.clone()) {
            Ok(_) => break,
            Err(e) => e,
        };
        let message = match &err {
            DocumentError::BuyerReferenceMissing => {
                input.buyer.buyer_reference = "x".into();
                texts.no_buyer_reference.to_string()
            }
            DocumentError::BuyerAddressMissing => {
                input.buyer.address = Address {
                    street: "x".into(),
                    additional: None,
                    postal_code: "x".into(),
                    city: "x".into(),
                    country: "SE".into(),
                };
                texts.no_buyer_address.to_string()
            }
            DocumentError::EndpointMissing => {
                let patch = PeppolEndpoint {
                    scheme: "0007".into(),
                    id: "x".into(),
                };
                input.buyer.endpoint = patch.clone();
                input.seller.endpoint = patch;
                texts.no_endpoint.to_string()
            }
            DocumentError::ReverseChargeWithoutBuyerVat => {
                input.buyer.vat_number = Some("x".into());
                texts.no_buyer_vat.to_string()
            }
            other => {
                problems.push(Problem {
                    code: other.code(),
                    message: other.to_string(),
                });
                break;
            }
        };
        problems.push(Problem {
            code: err.code(),
            message,
        });
    }
    problems
}

/// Why a customer's lines could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Line(#[from] InvoiceError),
    #[error(transparent)]
    Prorate(#[from] ProrateError),
    #[error("seat {seat}: {name}'s holding from {from} ends before it starts")]
    HoldingReversed {
        seat: String,
        name: String,
        from: NaiveDate,
    },
    #[error("seat {seat} has two holders on {day}")]
    HoldingsOverlap { seat: String, day: NaiveDate },
    #[error("booking {0} ends before it starts")]
    BookingReversed(String),
}

impl RunError {
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Line(e) => e.code(),
            RunError::Prorate(e) => e.code(),
            RunError::HoldingReversed { .. } => "run_holding_reversed",
            RunError::HoldingsOverlap { .. } => "run_holdings_overlap",
            RunError::BookingReversed(_) => "run_booking_reversed",
        }
    }

    fn problem(&self, lang: Language) -> Problem {
        let message = match (lang, self) {
            (Language::Swedish, RunError::HoldingsOverlap { seat, day }) => {
                format!("Platsen {seat} har två innehavare {day} — rätta medlemskapen")
            }
            (Language::Swedish, RunError::HoldingReversed { seat, name, .. }) => {
                format!(
                    "Platsen {seat}: {name}s innehav slutar innan det börjar — rätta medlemskapet"
                )
            }
            (Language::Swedish, RunError::BookingReversed(id)) => {
                format!("Bokningen {id} slutar innan den börjar")
            }
            _ => self.to_string(),
        };
        Problem {
            code: self.code(),
            message,
        }
    }
}

/// The customer's lines for the run, sorted seats → rooms → cancellations
/// → events.
pub fn customer_lines(
    run: &RunInput,
    customer: &CustomerInput,
    already_invoiced: &HashSet<ChargeKey>,
) -> Result<Vec<RunLine>, RunError> {
    let texts = texts(run.language);
    let mut lines = seat_lines(run, customer, already_invoiced, texts)?;
    lines.extend(room_lines(run, customer, already_invoiced, texts)?);
    let within = |d: NaiveDate| run.period.start() <= d && d <= run.period.end();

    let mut cancellations: Vec<&CancellationInput> = customer
        .cancellations
        .iter()
        .filter(|c| c.operator == run.operator && within(c.date))
        .filter(|c| !already_invoiced.contains(&ChargeKey::Cancellation { id: c.id.clone() }))
        .collect();
    cancellations.sort_by(|a, b| (a.date, &a.room_name, &a.id).cmp(&(b.date, &b.room_name, &b.id)));
    for c in cancellations {
        let line = Line::new(LineInput {
            description: format!(
                "{} {}, {} – {}",
                texts.late_cancellation,
                c.room_name,
                day_label(c.date, texts),
                c.who
            ),
            quantity: Quantity::ONE,
            unit: UnitCode::Piece,
            unit_price_ore: c.fee_ore,
            vat: c.vat.clone(),
            period: Some(Period::new(c.date, c.date)?),
            product: ProductKind::LateCancellation,
        })?;
        lines.push(RunLine {
            line,
            keys: vec![ChargeKey::Cancellation { id: c.id.clone() }],
        });
    }

    let mut events: Vec<&EventFeeInput> = customer
        .events
        .iter()
        .filter(|e| e.operator == run.operator && within(e.date))
        .filter(|e| !already_invoiced.contains(&ChargeKey::Event { id: e.id.clone() }))
        .collect();
    events.sort_by(|a, b| (a.date, &a.title, &a.id).cmp(&(b.date, &b.title, &b.id)));
    for e in events {
        let line = Line::new(LineInput {
            description: format!(
                "{}: {}, {} – {}",
                texts.event,
                e.title,
                day_label(e.date, texts),
                e.who
            ),
            quantity: Quantity::ONE,
            unit: UnitCode::Piece,
            unit_price_ore: e.fee_ore,
            vat: e.vat.clone(),
            period: Some(Period::new(e.date, e.date)?),
            product: ProductKind::EventFee,
        })?;
        lines.push(RunLine {
            line,
            keys: vec![ChargeKey::Event { id: e.id.clone() }],
        });
    }
    Ok(lines)
}

fn seat_lines(
    run: &RunInput,
    customer: &CustomerInput,
    already_invoiced: &HashSet<ChargeKey>,
    texts: &Texts,
) -> Result<Vec<RunLine>, RunError> {
    let mut seats: Vec<&SeatInput> = customer
        .seats
        .iter()
        .filter(|s| s.operator == run.operator)
        .collect();
    seats.sort_by(|a, b| (&a.plan_name, &a.seat_id).cmp(&(&b.plan_name, &b.seat_id)));
    let mut lines = Vec::new();
    for seat in seats {
        let mut holdings: Vec<&Holding> = seat.holdings.iter().collect();
        holdings.sort_by_key(|h| (h.from, h.id.clone()));
        for h in &holdings {
            if h.to.is_some_and(|to| to < h.from) {
                return Err(RunError::HoldingReversed {
                    seat: seat.seat_id.clone(),
                    name: format!("{} {}", h.first_name.trim(), h.last_name.trim()),
                    from: h.from,
                });
            }
        }
        // No two holders on one day: the parts of a month would sum to more
        // than the month.
        for pair in holdings.windows(2) {
            if pair[0].to.is_none_or(|to| to >= pair[1].from) {
                return Err(RunError::HoldingsOverlap {
                    seat: seat.seat_id.clone(),
                    day: pair[1].from,
                });
            }
        }
        for h in holdings {
            let name = format!("{} {}", h.first_name.trim(), h.last_name.trim());
            let start = h.from.max(run.period.start());
            let end = h.to.map_or(run.period.end(), |to| to.min(run.period.end()));
            if end < start {
                continue;
            }
            for part in split_by_month(Period::new(start, end)?) {
                let month = month_of(part.start());
                let key = ChargeKey::Seat {
                    holding: h.id.clone(),
                    month: month.start(),
                };
                if already_invoiced.contains(&key) {
                    continue;
                }
                let share = prorate(seat.monthly_price_ore, part)?;
                let when = if part == month {
                    month_label(month.start(), texts)
                } else {
                    range_label(part, texts)
                };
                let description = format!("{} – {name} {when}", seat.plan_name.trim());
                let line = share.line(&description, seat.vat.clone(), ProductKind::Seat)?;
                lines.push(RunLine {
                    line,
                    keys: vec![key],
                });
            }
        }
    }
    Ok(lines)
}

/// Room hours charged per room, hub, civil month, price and VAT.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct RoomKey {
    room: String,
    hub: String,
    month: NaiveDate,
    price: i64,
    vat: String,
}

struct RoomGroup {
    vat: VatCategory,
    minutes: i64,
    dates: BTreeSet<NaiveDate>,
    keys: Vec<ChargeKey>,
}

/// The minutes of each booking charged beyond its seat's included
/// minutes, consuming the included minutes per seat and civil month in
/// time order (ties by id). Bookings outside the run's period and other
/// operators' bookings consume included minutes too, but are not returned.
pub fn charged_minutes(
    run: &RunInput,
    customer: &CustomerInput,
) -> Result<Vec<(usize, i64)>, RunError> {
    let included: HashMap<&str, i64> = customer
        .seats
        .iter()
        .map(|s| (s.seat_id.as_str(), s.included_room_minutes.max(0)))
        .collect();
    let mut order: Vec<usize> = (0..customer.bookings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&customer.bookings[a], &customer.bookings[b]);
        (a.start, &a.id).cmp(&(b.start, &b.id))
    });
    let mut used: HashMap<(&str, NaiveDate), i64> = HashMap::new();
    let mut charged = Vec::new();
    for i in order {
        let b = &customer.bookings[i];
        if b.end < b.start {
            return Err(RunError::BookingReversed(b.id.clone()));
        }
        let minutes = (b.end - b.start).num_minutes();
        let civil = b.start.with_timezone(&run.time_zone).date_naive();
        let free = match b
            .seat_id
            .as_deref()
            .and_then(|s| included.get(s).map(|m| (s, *m)))
        {
            Some((seat, allowance)) => {
                let month = month_of(civil).start();
                let used = used.entry((seat, month)).or_insert(0);
                let take = (allowance - *used).clamp(0, minutes);
                *used += take;
                take
            }
            None => 0,
        };
        let in_run = run.period.start() <= civil && civil <= run.period.end();
        if in_run && b.operator == run.operator && minutes > free {
            charged.push((i, minutes - free));
        }
    }
    Ok(charged)
}

fn room_lines(
    run: &RunInput,
    customer: &CustomerInput,
    already_invoiced: &HashSet<ChargeKey>,
    texts: &Texts,
) -> Result<Vec<RunLine>, RunError> {
    let mut groups: BTreeMap<RoomKey, RoomGroup> = BTreeMap::new();
    for (i, minutes) in charged_minutes(run, customer)? {
        let b = &customer.bookings[i];
        let key = ChargeKey::Booking { id: b.id.clone() };
        if already_invoiced.contains(&key) {
            continue;
        }
        let civil = b.start.with_timezone(&run.time_zone).date_naive();
        let group = groups
            .entry(RoomKey {
                room: b.room_name.clone(),
                hub: b.hub_name.clone(),
                month: month_of(civil).start(),
                price: b.hourly_price_ore,
                vat: format!("{:?}", b.vat),
            })
            .or_insert_with(|| RoomGroup {
                vat: b.vat.clone(),
                minutes: 0,
                dates: BTreeSet::new(),
                keys: Vec::new(),
            });
        group.minutes += minutes;
        group.dates.insert(civil);
        group.keys.push(key);
    }
    let mut lines = Vec::new();
    for (key, group) in groups {
        let first = *group.dates.first().expect("a group has a booking");
        let last = *group.dates.last().expect("a group has a booking");
        let days: Vec<String> = group.dates.iter().map(|d| d.day().to_string()).collect();
        let description = format!(
            "{} {}, {} – {} {} {}",
            texts.room,
            key.room,
            key.hub,
            texts.hours_beyond,
            days.join(", "),
            month_name(key.month.month(), texts),
        );
        // Hours to three decimals (whole minutes: 15, 30, 45 are exact).
        let line = Line::new(LineInput {
            description,
            quantity: Quantity::from_thousandths(crate::vat::round_div(group.minutes * 1000, 60)),
            unit: UnitCode::Hour,
            unit_price_ore: key.price,
            vat: group.vat,
            period: Some(Period::new(first, last)?),
            product: ProductKind::RoomHours,
        })?;
        lines.push(RunLine {
            line,
            keys: group.keys,
        });
    }
    Ok(lines)
}

/// The words the run's lines and problems use.
pub struct Texts {
    months: [&'static str; 12],
    room: &'static str,
    hours_beyond: &'static str,
    late_cancellation: &'static str,
    event: &'static str,
    no_buyer_reference: &'static str,
    no_buyer_address: &'static str,
    no_endpoint: &'static str,
    no_buyer_vat: &'static str,
}

const SV: Texts = Texts {
    months: [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    room: "Rum",
    hours_beyond: "timmar utöver de inkluderade,",
    late_cancellation: "Sen avbokning",
    event: "Evenemang",
    no_buyer_reference:
        "Kunden saknar köparreferens — fyll i den under organisationens fakturauppgifter",
    no_buyer_address: "Kunden saknar fullständig fakturaadress (gata, postnummer, ort, land) — fyll i den under organisationens fakturauppgifter",
    no_endpoint: "Peppol-adress saknas — fyll i den under organisationens eller operatörens fakturauppgifter",
    no_buyer_vat: "Kunden saknar momsregistreringsnummer, som omvänd skattskyldighet kräver — fyll i det under organisationens fakturauppgifter",
};

const EN: Texts = Texts {
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    room: "Room",
    hours_beyond: "hours beyond those included,",
    late_cancellation: "Late cancellation",
    event: "Event",
    no_buyer_reference:
        "The customer has no buyer reference — fill it in under the organisation's invoicing details",
    no_buyer_address: "The customer has no complete invoice address (street, postal code, city, country) — fill it in under the organisation's invoicing details",
    no_endpoint: "A Peppol address is missing — fill it in under the organisation's or the operator's invoicing details",
    no_buyer_vat: "The customer has no VAT number, which reverse charge requires — fill it in under the organisation's invoicing details",
};

fn texts(lang: Language) -> &'static Texts {
    match lang {
        Language::Swedish => &SV,
        Language::English => &EN,
    }
}

fn month_name(month: u32, t: &Texts) -> &'static str {
    t.months[(month as usize).clamp(1, 12) - 1]
}

/// "mars 2026".
fn month_label(first: NaiveDate, t: &Texts) -> String {
    format!("{} {}", month_name(first.month(), t), first.year())
}

/// "14 mars".
fn day_label(d: NaiveDate, t: &Texts) -> String {
    format!("{} {}", d.day(), month_name(d.month(), t))
}

/// "1–14 mars" within one month, "14 mars" for one day.
fn range_label(p: Period, t: &Texts) -> String {
    if p.start() == p.end() {
        day_label(p.start(), t)
    } else {
        format!(
            "{}–{} {}",
            p.start().day(),
            p.end().day(),
            month_name(p.end().month(), t)
        )
    }
}
