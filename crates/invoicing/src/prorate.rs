//! A seat's monthly price pro-rated by day, for a month in which the seat
//! starts, ends or changes holder.
//!
//! The rule: the price of the first `k` days of a month of `n` days is
//! `F(k) = round(price × k / n)` (whole öre, halves away from zero), and a
//! holder of days `a..=b` pays `F(b) − F(a − 1)`. Each part is within one
//! öre of the exact share, and because the parts telescope, the parts of a
//! month (with the days nobody held) always sum to exactly the monthly
//! price — no öre is lost or invoiced twice when a seat changes hands.
//! A part depends only on its days, not on who held the other days.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::invoice::{InvoiceError, Line, Period, ProductKind, Quantity, UnitCode};
use crate::vat::{round_div, VatCategory};

/// The number of days in a month (28–31).
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from((next - first).num_days()).ok()
}

/// The whole calendar month containing `date`.
pub fn month_of(date: NaiveDate) -> Period {
    let first = date.with_day(1).expect("every month has a first day");
    let last = date
        .with_day(days_in_month(date.year(), date.month()).expect("a valid date's month"))
        .expect("the last day exists");
    Period::new(first, last).expect("first is before last")
}

/// A holder's part of a month's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthShare {
    /// The days held, within one month.
    pub period: Period,
    pub days_held: u32,
    pub days_in_month: u32,
    pub monthly_price_ore: i64,
    /// The part of the monthly price, by the rule in the module docs.
    pub amount_ore: i64,
}

/// The part of `monthly_price_ore` for the days `held` (both inclusive),
/// which must lie within one calendar month.
pub fn prorate(monthly_price_ore: i64, held: Period) -> Result<MonthShare, ProrateError> {
    if monthly_price_ore < 0 {
        return Err(ProrateError::NegativePrice);
    }
    // 10^13 öre (100 billion kronor) keeps price × 31 far inside i64.
    if monthly_price_ore > 10_000_000_000_000 {
        return Err(ProrateError::PriceTooLarge);
    }
    let (start, end) = (held.start(), held.end());
    if (start.year(), start.month()) != (end.year(), end.month()) {
        return Err(ProrateError::SpansMonths);
    }
    let n = days_in_month(start.year(), start.month()).ok_or(ProrateError::SpansMonths)?;
    let cumulative = |k: u32| round_div(monthly_price_ore * i64::from(k), i64::from(n));
    let amount = cumulative(end.day()) - cumulative(start.day() - 1);
    Ok(MonthShare {
        period: held,
        days_held: end.day() - start.day() + 1,
        days_in_month: n,
        monthly_price_ore,
        amount_ore: amount,
    })
}

/// Splits a holding into its parts per calendar month, for a run that
/// covers more than one month.
pub fn split_by_month(held: Period) -> Vec<Period> {
    let mut parts = Vec::new();
    let mut start = held.start();
    while start <= held.end() {
        let month_end = month_of(start).end();
        let end = month_end.min(held.end());
        parts.push(Period::new(start, end).expect("start ≤ end"));
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    parts
}

impl MonthShare {
    /// The invoice line for this share: `days_held` days at the monthly
    /// price per `days_in_month` days (UBL `Price/BaseQuantity`), so the
    /// buyer sees how it was computed; a whole month is one month. The net
    /// is [`MonthShare::amount_ore`], within one öre of quantity × price ÷
    /// base quantity, inside the two öre Peppol allows (PEPPOL-EN16931-R120).
    pub fn line(
        &self,
        description: &str,
        vat: VatCategory,
        product: ProductKind,
    ) -> Result<Line, InvoiceError> {
        let description = description.trim().to_string();
        if description.is_empty() {
            return Err(InvoiceError::LineDescriptionMissing);
        }
        let whole_month = self.days_held == self.days_in_month;
        Ok(Line {
            description,
            quantity: if whole_month {
                Quantity::ONE
            } else {
                Quantity::whole(i64::from(self.days_held))
            },
            unit: if whole_month {
                UnitCode::Month
            } else {
                UnitCode::Day
            },
            unit_price_ore: self.monthly_price_ore,
            base_quantity: if whole_month {
                None
            } else {
                Some(Quantity::whole(i64::from(self.days_in_month)))
            },
            net_ore: self.amount_ore,
            vat,
            period: Some(self.period),
            product,
        })
    }
}

/// Why a price cannot be pro-rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProrateError {
    #[error("a monthly price cannot be negative")]
    NegativePrice,
    #[error("a pro-rated period must lie within one calendar month")]
    SpansMonths,
    #[error("the monthly price is too large")]
    PriceTooLarge,
}

impl ProrateError {
    pub fn code(&self) -> &'static str {
        match self {
            ProrateError::NegativePrice => "prorate_negative_price",
            ProrateError::SpansMonths => "prorate_spans_months",
            ProrateError::PriceTooLarge => "prorate_price_too_large",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vat::standard_rated;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(a: NaiveDate, b: NaiveDate) -> Period {
        Period::new(a, b).unwrap()
    }

    #[test]
    fn months_have_their_days() {
        assert_eq!(days_in_month(2026, 2), Some(28));
        assert_eq!(days_in_month(2028, 2), Some(29));
        assert_eq!(days_in_month(2026, 12), Some(31));
        assert_eq!(days_in_month(2026, 11), Some(30));
        assert_eq!(days_in_month(2026, 13), None);
        assert_eq!(month_of(d(2026, 2, 14)), p(d(2026, 2, 1), d(2026, 2, 28)));
    }

    #[test]
    fn a_seat_changing_holder_mid_month() {
        // 2 500 kr a month, November (30 days): Anna days 1–12, Björn 13–30.
        let anna = prorate(250_000, p(d(2026, 11, 1), d(2026, 11, 12))).unwrap();
        let bjorn = prorate(250_000, p(d(2026, 11, 13), d(2026, 11, 30))).unwrap();
        assert_eq!(anna.days_held, 12);
        assert_eq!(anna.amount_ore, 100_000);
        assert_eq!(bjorn.amount_ore, 150_000);
        // 1 000 kr in a 31-day month, thirds that do not divide evenly.
        let parts = [
            prorate(100_000, p(d(2026, 12, 1), d(2026, 12, 10))).unwrap(),
            prorate(100_000, p(d(2026, 12, 11), d(2026, 12, 20))).unwrap(),
            prorate(100_000, p(d(2026, 12, 21), d(2026, 12, 31))).unwrap(),
        ];
        // 322.580…, 645.161… → 32 258, 64 516 cumulative.
        assert_eq!(
            parts.map(|s| s.amount_ore),
            [32_258, 64_516 - 32_258, 100_000 - 64_516]
        );
        assert_eq!(parts.iter().map(|s| s.amount_ore).sum::<i64>(), 100_000);
    }

    #[test]
    fn whole_months_and_bad_periods() {
        let all = prorate(199_900, month_of(d(2026, 2, 1))).unwrap();
        assert_eq!(all.amount_ore, 199_900);
        assert_eq!(
            prorate(100, p(d(2026, 1, 31), d(2026, 2, 1))),
            Err(ProrateError::SpansMonths)
        );
        assert_eq!(
            prorate(-1, month_of(d(2026, 2, 1))),
            Err(ProrateError::NegativePrice)
        );
        assert_eq!(
            prorate(i64::MAX, month_of(d(2026, 2, 1))),
            Err(ProrateError::PriceTooLarge)
        );
    }

    #[test]
    fn holdings_split_into_months() {
        let parts = split_by_month(p(d(2026, 11, 20), d(2027, 1, 5)));
        assert_eq!(
            parts,
            vec![
                p(d(2026, 11, 20), d(2026, 11, 30)),
                p(d(2026, 12, 1), d(2026, 12, 31)),
                p(d(2027, 1, 1), d(2027, 1, 5)),
            ]
        );
    }

    #[test]
    fn shares_become_lines_per_day_with_the_month_as_base() {
        let vat = standard_rated(25).unwrap();
        let share = prorate(250_000, p(d(2026, 11, 13), d(2026, 11, 30))).unwrap();
        let line = share
            .line("Kontorsplats, Björn", vat.clone(), ProductKind::Seat)
            .unwrap();
        assert_eq!(line.quantity, Quantity::whole(18));
        assert_eq!(line.unit, UnitCode::Day);
        assert_eq!(line.base_quantity, Some(Quantity::whole(30)));
        assert_eq!(line.net_ore, 150_000);
        let whole = prorate(250_000, month_of(d(2026, 11, 1))).unwrap();
        let line = whole.line("Kontorsplats", vat, ProductKind::Seat).unwrap();
        assert_eq!(
            (line.quantity, line.unit, line.base_quantity),
            (Quantity::ONE, UnitCode::Month, None)
        );
    }

    proptest! {
        #[test]
        fn the_parts_of_a_month_sum_to_the_full_price(
            price in 0i64..100_000_000,
            year in 2000i32..2100,
            month in 1u32..=12,
            cuts in prop::collection::btree_set(1u32..31, 0..6),
        ) {
            let n = days_in_month(year, month).unwrap();
            let mut bounds: Vec<u32> = cuts.into_iter().filter(|c| *c < n).collect();
            bounds.insert(0, 0);
            bounds.push(n);
            let mut sum = 0;
            for w in bounds.windows(2) {
                let share = prorate(price, p(d(year, month, w[0] + 1), d(year, month, w[1]))).unwrap();
                // Within one öre of the exact share (in units of 1/n öre).
                let exact = price * i64::from(share.days_held);
                prop_assert!((share.amount_ore * i64::from(n) - exact).abs() < i64::from(n));
                sum += share.amount_ore;
            }
            prop_assert_eq!(sum, price);
        }
    }
}
