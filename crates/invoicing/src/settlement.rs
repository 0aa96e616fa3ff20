//! Settlement between operators: when a member of one operator's customer
//! (the *home* operator, which invoices the customer) checks in or books at
//! a hub another operator runs (the *host*), the home operator owes the host
//! for it, at the tariff the network sets:
//!
//! - a fixed amount per **visit day**: one person's check-ins at one host
//!   operator's hubs on one (civil) day count once, however many;
//! - a share, in per mille, of the **booking amounts** (what the booking
//!   cost at the host's prices).
//!
//! The monthly statement lists, per home and host operator, the lines behind
//! the amounts (visit days, bookings) and the pairwise **net**: what each
//! operator pays the other after setting off what the other owes it.
//! Amounts are whole öre; the share is rounded once per line (per pair of
//! operators and month), half away from zero.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::invoice::Period;
use crate::vat::round_div;

/// What the network charges between its operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tariff {
    /// Per person and visit day at another operator's hubs.
    pub visit_day_ore: i64,
    /// The host's share of a booking's amount, in per mille (0–1000).
    pub booking_share_per_mille: u32,
}

impl Tariff {
    /// The tariff if it is one the network may set: a visit day costs
    /// nothing or more, the share is 0–1000 per mille.
    pub fn checked(self) -> Result<Tariff, SettlementError> {
        if self.booking_share_per_mille > 1000 {
            return Err(SettlementError::ShareOutOfRange);
        }
        if self.visit_day_ore < 0 {
            return Err(SettlementError::NegativeVisitTariff);
        }
        Ok(self)
    }
}

/// A recorded check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: String,
    /// The operator whose customer the person is a member of.
    pub home: String,
    /// The operator running the hub.
    pub host: String,
    pub hub_name: String,
    /// The person (member id), to count one visit day per person.
    pub person: String,
    /// The civil day of the check-in.
    pub date: NaiveDate,
}

/// A recorded booking at another operator's hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementBooking {
    pub id: String,
    pub home: String,
    pub host: String,
    pub hub_name: String,
    pub date: NaiveDate,
    /// Length in minutes (for the statement; the amount is what counts).
    pub minutes: i64,
    /// The booking's amount at the host's prices, without VAT.
    pub amount_ore: i64,
}

/// What a line of the statement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementKind {
    VisitDays,
    Bookings,
}

/// What `debtor` (the home operator) owes `creditor` (the host) for one
/// kind of use in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementLine {
    pub debtor: String,
    pub creditor: String,
    pub kind: SettlementKind,
    /// Visit days, or bookings.
    pub count: i64,
    /// Booked minutes (0 for visits).
    pub minutes: i64,
    /// The bookings' amount the share is taken of (0 for visits).
    pub base_ore: i64,
    pub amount_ore: i64,
    /// The visits or bookings behind the line, by id.
    pub items: Vec<String>,
}

/// What one operator pays another after setting off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetAmount {
    pub payer: String,
    pub payee: String,
    pub amount_ore: i64,
}

/// The month's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub period: Period,
    /// Sorted by debtor, creditor, kind.
    pub lines: Vec<SettlementLine>,
    /// One per pair of operators with a non-zero balance, sorted by payer
    /// and payee.
    pub net: Vec<NetAmount>,
}

impl Statement {
    /// What `debtor` owes `creditor` before setting off.
    pub fn gross(&self, debtor: &str, creditor: &str) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.debtor == debtor && l.creditor == creditor)
            .map(|l| l.amount_ore)
            .sum()
    }
}

/// Why a statement cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettlementError {
    #[error("the booking share must be between 0 and 1000 per mille")]
    ShareOutOfRange,
    #[error("the tariff per visit day cannot be negative")]
    NegativeVisitTariff,
    #[error("booking {0} has a negative amount")]
    NegativeBooking(String),
}

impl SettlementError {
    pub fn code(&self) -> &'static str {
        match self {
            SettlementError::ShareOutOfRange => "settlement_share_out_of_range",
            SettlementError::NegativeVisitTariff => "settlement_negative_visit_tariff",
            SettlementError::NegativeBooking(_) => "settlement_negative_booking",
        }
    }
}

/// The statement for `period` from the recorded visits and bookings. Use
/// within one operator (home = host) and outside the period is left out.
pub fn statement(
    period: Period,
    tariff: Tariff,
    visits: &[Visit],
    bookings: &[SettlementBooking],
) -> Result<Statement, SettlementError> {
    let tariff = tariff.checked()?;
    let within = |d: NaiveDate| period.start() <= d && d <= period.end();
    type Pair = (String, String);
    /// The distinct (person, day)s, and the visits behind them.
    type Days<'a> = (BTreeSet<(&'a str, NaiveDate)>, Vec<String>);

    let mut days: BTreeMap<Pair, Days> = BTreeMap::new();
    for v in visits.iter().filter(|v| v.home != v.host && within(v.date)) {
        let entry = days.entry((v.home.clone(), v.host.clone())).or_default();
        entry.0.insert((v.person.as_str(), v.date));
        entry.1.push(v.id.clone());
    }
    let mut booked: BTreeMap<Pair, (i64, i64, i64, Vec<String>)> = BTreeMap::new();
    for b in bookings
        .iter()
        .filter(|b| b.home != b.host && within(b.date))
    {
        if b.amount_ore < 0 {
            return Err(SettlementError::NegativeBooking(b.id.clone()));
        }
        let entry = booked.entry((b.home.clone(), b.host.clone())).or_default();
        entry.0 += 1;
        entry.1 += b.minutes.max(0);
        entry.2 += b.amount_ore;
        entry.3.push(b.id.clone());
    }

    let mut lines = Vec::new();
    for ((home, host), (distinct, mut items)) in days {
        items.sort();
        let count = i64::try_from(distinct.len()).unwrap_or(i64::MAX);
        lines.push(SettlementLine {
            debtor: home,
            creditor: host,
            kind: SettlementKind::VisitDays,
            count,
            minutes: 0,
            base_ore: 0,
            amount_ore: count.saturating_mul(tariff.visit_day_ore),
            items,
        });
    }
    for ((home, host), (count, minutes, base, mut items)) in booked {
        items.sort();
        lines.push(SettlementLine {
            debtor: home,
            creditor: host,
            kind: SettlementKind::Bookings,
            count,
            minutes,
            base_ore: base,
            amount_ore: round_div(
                base.saturating_mul(i64::from(tariff.booking_share_per_mille)),
                1000,
            ),
            items,
        });
    }
    lines.sort_by(|a, b| (&a.debtor, &a.creditor, a.kind).cmp(&(&b.debtor, &b.creditor, b.kind)));

    // Set off each pair: a positive balance a → b means a pays b.
    let mut balance: BTreeMap<Pair, i64> = BTreeMap::new();
    for l in &lines {
        if l.debtor < l.creditor {
            *balance
                .entry((l.debtor.clone(), l.creditor.clone()))
                .or_default() += l.amount_ore;
        } else {
            *balance
                .entry((l.creditor.clone(), l.debtor.clone()))
                .or_default() -= l.amount_ore;
        }
    }
    let mut net: Vec<NetAmount> = balance
        .into_iter()
        .filter(|(_, amount)| *amount != 0)
        .map(|((a, b), amount)| {
            if amount > 0 {
                NetAmount {
                    payer: a,
                    payee: b,
                    amount_ore: amount,
                }
            } else {
                NetAmount {
                    payer: b,
                    payee: a,
                    amount_ore: -amount,
                }
            }
        })
        .collect();
    net.sort_by(|a, b| (&a.payer, &a.payee).cmp(&(&b.payer, &b.payee)));
    Ok(Statement { period, lines, net })
}
