//! Invoice lines and the totals an invoice or credit note states, computed
//! the way EN 16931 requires.
//!
//! - each line's net amount is quantity × unit price rounded to whole öre;
//! - the VAT breakdown has one entry per VAT category and rate, its taxable
//!   amount the sum of those lines' nets, its VAT the taxable amount × rate
//!   rounded to öre (BR-CO-17) — VAT is never summed per line;
//! - the document totals are sums of those (BR-CO-10 line total, BR-CO-13
//!   without VAT, BR-CO-14 VAT total, BR-CO-15 with VAT, BR-CO-16 payable).
//!
//! A credit note states its lines and totals as positive amounts, as UBL's
//! `CreditNote` expects: the document type says they are taken back.
//! [`DocumentKind::sign`] turns them into signed amounts for bookkeeping.
//!
//! Money is integer öre throughout, never a float.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::vat::VatCategory;

/// A quantity with up to three decimals (1.5 hours, 12 days), held as
/// thousandths so that arithmetic stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(i64);

impl Quantity {
    pub const ONE: Quantity = Quantity(1000);

    pub fn whole(n: i64) -> Self {
        Quantity(n * 1000)
    }

    pub fn from_thousandths(thousandths: i64) -> Self {
        Quantity(thousandths)
    }

    pub fn thousandths(self) -> i64 {
        self.0
    }

    /// Parses "2", "1.5" or "1,25" (at most three decimals).
    pub fn parse(raw: &str) -> Result<Self, InvoiceError> {
        let bad = || InvoiceError::QuantityMalformed(raw.to_string());
        let s = raw.trim().replace(',', ".");
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, s),
        };
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        if whole.is_empty()
            || whole.len() > 9
            || frac.len() > 3
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
        let t = whole * 1000 + frac;
        Ok(Quantity(if neg { -t } else { t }))
    }
}

impl std::fmt::Display for Quantity {
    /// The decimal form UBL writes: "2", "1.5", "0.125".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (whole, frac) = (a / 1000, a % 1000);
        if frac == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// The unit of a quantity (UN/ECE recommendation 20 codes, as UBL's
/// `unitCode` carries them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitCode {
    /// `C62`: one (a piece, a fee, an event ticket).
    Piece,
    /// `HUR`: hour (room hours).
    Hour,
    /// `DAY`: day (a pro-rated seat).
    Day,
    /// `MON`: month (a seat for a whole month).
    Month,
}

impl UnitCode {
    pub fn code(self) -> &'static str {
        match self {
            UnitCode::Piece => "C62",
            UnitCode::Hour => "HUR",
            UnitCode::Day => "DAY",
            UnitCode::Month => "MON",
        }
    }
}

/// What a line sells, so the bookkeeping can put it on the operator's
/// revenue account for that product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// A seat (kontorsplats) for a month or part of one.
    Seat,
    /// Room hours beyond those a membership includes.
    RoomHours,
    /// A late cancellation the rules make chargeable.
    LateCancellation,
    /// An event's fee.
    EventFee,
    /// Anything else the operator invoices by hand.
    Other,
}

/// The dates a line (or a whole invoice) is for, both inclusive, as UBL's
/// `InvoicePeriod` states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, InvoiceError> {
        if end < start {
            return Err(InvoiceError::PeriodReversed { start, end });
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day, inclusive.
    pub fn end(&self) -> NaiveDate {
        self.end
    }
}

/// A line as the invoice run proposes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInput {
    /// What the customer recognises: "Kontorsplats, Anna Svensson".
    pub description: String,
    pub quantity: Quantity,
    pub unit: UnitCode,
    /// Net price of one unit, in öre, without VAT. Never negative
    /// (EN 16931 BR-27): a discount is a negative quantity.
    pub unit_price_ore: i64,
    pub vat: VatCategory,
    pub period: Option<Period>,
    pub product: ProductKind,
}

/// A line with its net amount computed. Made by [`Line::new`] or, for a
/// seat's part of a month, by [`crate::prorate::MonthShare::line`]; the
/// fields are open so that a stored line can be read back as it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    pub quantity: Quantity,
    pub unit: UnitCode,
    pub unit_price_ore: i64,
    /// How many units the unit price is for (UBL `Price/BaseQuantity`):
    /// `None` is one; a pro-rated seat is priced per month of `n` days.
    pub base_quantity: Option<Quantity>,
    /// quantity × unit price ÷ base quantity, rounded to öre (half away
    /// from zero; a pro-rated seat by the rule of [`crate::prorate`]).
    pub net_ore: i64,
    pub vat: VatCategory,
    pub period: Option<Period>,
    pub product: ProductKind,
}

/// Items above this many öre (10^13 öre = 100 billion kronor) are refused,
/// which keeps every product and sum far inside `i64`.
const MAX_ORE: i64 = 10_000_000_000_000;
/// At most a million units on one line.
const MAX_QUANTITY_THOUSANDTHS: i64 = 1_000_000_000;

impl Line {
    pub fn new(input: LineInput) -> Result<Self, InvoiceError> {
        let description = input.description.trim().to_string();
        if description.is_empty() {
            return Err(InvoiceError::LineDescriptionMissing);
        }
        if input.unit_price_ore < 0 {
            return Err(InvoiceError::UnitPriceNegative);
        }
        if input.unit_price_ore > MAX_ORE {
            return Err(InvoiceError::AmountTooLarge);
        }
        if input.quantity.0 == 0 {
            return Err(InvoiceError::QuantityZero);
        }
        if input.quantity.0.abs() > MAX_QUANTITY_THOUSANDTHS {
            return Err(InvoiceError::QuantityTooLarge);
        }
        let product = i128::from(input.quantity.0) * i128::from(input.unit_price_ore);
        let net = i64::try_from(round_div_128(product, 1000))
            .map_err(|_| InvoiceError::AmountTooLarge)?;
        if net.abs() > MAX_ORE {
            return Err(InvoiceError::AmountTooLarge);
        }
        Ok(Self {
            description,
            quantity: input.quantity,
            unit: input.unit,
            unit_price_ore: input.unit_price_ore,
            base_quantity: None,
            net_ore: net,
            vat: input.vat,
            period: input.period,
            product: input.product,
        })
    }
}

fn round_div_128(numerator: i128, denominator: i128) -> i128 {
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        -((-numerator + half) / denominator)
    }
}

/// One entry of the VAT breakdown (EN 16931 BG-23): a category and rate
/// (with its exemption reason, if any) and the amounts in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSubtotal {
    pub category: VatCategory,
    /// The sum of the nets of the lines in this category and rate.
    pub taxable_ore: i64,
    /// taxable × rate, rounded to öre.
    pub vat_ore: i64,
}

/// The document totals (EN 16931 BG-22) and VAT breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of line nets (BT-106).
    pub line_net_ore: i64,
    /// Without VAT (BT-109); no document-level allowances or charges, so
    /// equal to the line total.
    pub tax_exclusive_ore: i64,
    /// VAT total (BT-110): the sum of the breakdown's VAT.
    pub vat_ore: i64,
    /// With VAT (BT-112).
    pub tax_inclusive_ore: i64,
    /// To pay (BT-115); no prepaid amount or rounding.
    pub payable_ore: i64,
    /// In the order categories first appear on the lines.
    pub breakdown: Vec<VatSubtotal>,
}

/// Totals and VAT breakdown of a list of lines. Refuses lines that cannot
/// stand on one invoice: none at all, `O` beside other categories
/// (BR-O-11..14), or two exempt lines giving different reasons (the
/// breakdown has room for one reason per category and rate).
pub fn compute_totals(lines: &[Line]) -> Result<Totals, InvoiceError> {
    if lines.is_empty() {
        return Err(InvoiceError::NoLines);
    }
    let outside = lines
        .iter()
        .filter(|l| l.vat == VatCategory::OutsideScope)
        .count();
    if outside > 0 && outside < lines.len() {
        return Err(InvoiceError::OutsideScopeMixed);
    }
    let mut breakdown: Vec<VatSubtotal> = Vec::new();
    for line in lines {
        let key = line.vat.breakdown_key();
        match breakdown
            .iter_mut()
            .find(|b| b.category.breakdown_key() == key)
        {
            Some(b) => {
                if b.category.exemption() != line.vat.exemption() {
                    return Err(InvoiceError::ExemptionReasonsDiffer);
                }
                b.taxable_ore += line.net_ore;
            }
            None => breakdown.push(VatSubtotal {
                category: line.vat.clone(),
                taxable_ore: line.net_ore,
                vat_ore: 0,
            }),
        }
    }
    for b in &mut breakdown {
        b.vat_ore = b.category.vat_on(b.taxable_ore);
    }
    let line_net_ore: i64 = lines.iter().map(|l| l.net_ore).sum();
    let vat_ore: i64 = breakdown.iter().map(|b| b.vat_ore).sum();
    let tax_inclusive_ore = line_net_ore + vat_ore;
    Ok(Totals {
        line_net_ore,
        tax_exclusive_ore: line_net_ore,
        vat_ore,
        tax_inclusive_ore,
        payable_ore: tax_inclusive_ore,
        breakdown,
    })
}

/// The number and date of an issued invoice a credit note refers to
/// (UBL `BillingReference/InvoiceDocumentReference`, EN 16931 BG-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceReference {
    pub number: String,
    pub issue_date: NaiveDate,
}

/// An invoice, or a credit note taking (part of) an issued invoice back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentKind {
    /// UNCL 1001 code 380, commercial invoice.
    Invoice,
    /// UNCL 1001 code 381, credit note. Its lines and totals are positive:
    /// the amounts credited.
    CreditNote { original: InvoiceReference },
}

impl DocumentKind {
    /// `1` for an invoice, `-1` for a credit note: multiply a stated amount
    /// by it for what the customer owes (bookkeeping, ledgers).
    pub fn sign(&self) -> i64 {
        match self {
            DocumentKind::Invoice => 1,
            DocumentKind::CreditNote { .. } => -1,
        }
    }

    pub fn type_code(&self) -> &'static str {
        match self {
            DocumentKind::Invoice => "380",
            DocumentKind::CreditNote { .. } => "381",
        }
    }
}

/// Lines that credit the given invoice lines in full: the same lines, the
/// same positive amounts, as a credit note states them.
pub fn credit_lines(invoice_lines: &[Line]) -> Vec<Line> {
    invoice_lines.to_vec()
}

/// Why lines or totals cannot make an invoice. Each says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error("an invoice needs at least one line")]
    NoLines,
    #[error("every line needs a description the customer recognises")]
    LineDescriptionMissing,
    #[error("a unit price cannot be negative: give a discount as a negative quantity")]
    UnitPriceNegative,
    #[error("a line's quantity cannot be zero")]
    QuantityZero,
    #[error("{0:?} is not a quantity (for example 2 or 1.5, at most three decimals)")]
    QuantityMalformed(String),
    #[error("a line's quantity is too large")]
    QuantityTooLarge,
    #[error("an amount is too large")]
    AmountTooLarge,
    #[error("the period ends ({end}) before it starts ({start})")]
    PeriodReversed { start: NaiveDate, end: NaiveDate },
    #[error("a service outside the scope of VAT must be invoiced on its own invoice")]
    OutsideScopeMixed,
    #[error("exempt lines on one invoice must give the same exemption reason")]
    ExemptionReasonsDiffer,
    #[error("a credit note must credit a positive amount")]
    CreditNoteNotPositive,
    #[error("the invoice total is negative: issue a credit note instead")]
    InvoiceNegative,
}

impl InvoiceError {
    /// The stable code translations and the JSON error use.
    pub fn code(&self) -> &'static str {
        match self {
            InvoiceError::NoLines => "invoice_no_lines",
            InvoiceError::LineDescriptionMissing => "invoice_line_description_missing",
            InvoiceError::UnitPriceNegative => "invoice_unit_price_negative",
            InvoiceError::QuantityZero => "invoice_quantity_zero",
            InvoiceError::QuantityMalformed(_) => "invoice_quantity_malformed",
            InvoiceError::QuantityTooLarge => "invoice_quantity_too_large",
            InvoiceError::AmountTooLarge => "invoice_amount_too_large",
            InvoiceError::PeriodReversed { .. } => "invoice_period_reversed",
            InvoiceError::OutsideScopeMixed => "invoice_outside_scope_mixed",
            InvoiceError::ExemptionReasonsDiffer => "invoice_exemption_reasons_differ",
            InvoiceError::CreditNoteNotPositive => "credit_note_not_positive",
            InvoiceError::InvoiceNegative => "invoice_negative",
        }
    }
}

/// Totals for a document of the given kind: an invoice may not total below
/// zero, a credit note must total above it.
pub fn document_totals(kind: &DocumentKind, lines: &[Line]) -> Result<Totals, InvoiceError> {
    let totals = compute_totals(lines)?;
    match kind {
        DocumentKind::Invoice if totals.payable_ore < 0 => Err(InvoiceError::InvoiceNegative),
        DocumentKind::CreditNote { .. } if totals.payable_ore <= 0 => {
            Err(InvoiceError::CreditNoteNotPositive)
        }
        _ => Ok(totals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vat::{standard_rated, Exemption};
    use proptest::prelude::*;

    fn line(desc: &str, qty: Quantity, price: i64, vat: VatCategory) -> Line {
        Line::new(LineInput {
            description: desc.into(),
            quantity: qty,
            unit: UnitCode::Piece,
            unit_price_ore: price,
            vat,
            period: None,
            product: ProductKind::Other,
        })
        .unwrap()
    }

    fn s(p: u8) -> VatCategory {
        standard_rated(p).unwrap()
    }

    #[test]
    fn quantities_parse_and_print_as_decimals() {
        assert_eq!(Quantity::parse("2").unwrap(), Quantity::whole(2));
        assert_eq!(Quantity::parse("1,5").unwrap().thousandths(), 1500);
        assert_eq!(Quantity::parse("-0.125").unwrap().thousandths(), -125);
        assert!(Quantity::parse("1.2345").is_err());
        assert!(Quantity::parse("x").is_err());
        assert!(Quantity::parse(".5").is_err());
        assert_eq!(Quantity::from_thousandths(1500).to_string(), "1.5");
        assert_eq!(Quantity::whole(12).to_string(), "12");
        assert_eq!(Quantity::from_thousandths(-125).to_string(), "-0.125");
    }

    #[test]
    fn line_net_is_quantity_times_price_rounded_to_ore() {
        let l = line("Rum", Quantity::from_thousandths(1_333), 10_001, s(25));
        // 1.333 × 100.01 kr = 133.31333 kr
        assert_eq!(l.net_ore, 13_331);
        let l = line("Rum", Quantity::from_thousandths(500), 1, s(25));
        assert_eq!(l.net_ore, 1); // 0.5 öre rounds away from zero
        let l = line("Rabatt", Quantity::from_thousandths(-500), 1, s(25));
        assert_eq!(l.net_ore, -1);
    }

    #[test]
    fn bad_lines_are_refused_with_a_reason() {
        let input = LineInput {
            description: " ".into(),
            quantity: Quantity::ONE,
            unit: UnitCode::Hour,
            unit_price_ore: 100,
            vat: s(25),
            period: None,
            product: ProductKind::RoomHours,
        };
        assert_eq!(
            Line::new(input.clone()),
            Err(InvoiceError::LineDescriptionMissing)
        );
        let mut neg = input.clone();
        neg.description = "x".into();
        neg.unit_price_ore = -1;
        assert_eq!(Line::new(neg), Err(InvoiceError::UnitPriceNegative));
        let mut zero = input.clone();
        zero.description = "x".into();
        zero.quantity = Quantity::whole(0);
        assert_eq!(Line::new(zero), Err(InvoiceError::QuantityZero));
        let mut huge = input;
        huge.description = "x".into();
        huge.unit_price_ore = i64::MAX;
        assert_eq!(Line::new(huge), Err(InvoiceError::AmountTooLarge));
    }

    #[test]
    fn vat_is_computed_per_category_not_per_line() {
        // Three lines of 0.02 kr at 25 %: per line 0.005 → 0.01 each (0.03),
        // per category 0.06 × 25 % = 0.015 → 0.02.
        let lines = vec![
            line("a", Quantity::ONE, 2, s(25)),
            line("b", Quantity::ONE, 2, s(25)),
            line("c", Quantity::ONE, 2, s(25)),
        ];
        let t = compute_totals(&lines).unwrap();
        assert_eq!(t.breakdown.len(), 1);
        assert_eq!(t.breakdown[0].taxable_ore, 6);
        assert_eq!(t.breakdown[0].vat_ore, 2);
        assert_eq!(t.vat_ore, 2);
        assert_eq!(t.payable_ore, 8);
    }

    #[test]
    fn totals_of_a_mixed_invoice() {
        let exempt = VatCategory::exempt(
            Exemption::new(None, "Undantag från skatteplikt, 10 kap. 32 § ML").unwrap(),
        );
        let lines = vec![
            line("Kontorsplats", Quantity::ONE, 250_000, s(25)),
            line("Lunch", Quantity::whole(3), 9_500, s(12)),
            line("Bok", Quantity::ONE, 19_900, s(6)),
            line("Lokalhyra", Quantity::ONE, 100_000, exempt),
            line("Mötesrum", Quantity::from_thousandths(1_500), 30_000, s(25)),
        ];
        let t = compute_totals(&lines).unwrap();
        let codes: Vec<_> = t
            .breakdown
            .iter()
            .map(|b| {
                (
                    b.category.code(),
                    b.category.percent(),
                    b.taxable_ore,
                    b.vat_ore,
                )
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                ("S", Some(25), 295_000, 73_750),
                ("S", Some(12), 28_500, 3_420),
                ("S", Some(6), 19_900, 1_194),
                ("E", Some(0), 100_000, 0),
            ]
        );
        assert_eq!(t.line_net_ore, 443_400);
        assert_eq!(t.vat_ore, 78_364);
        assert_eq!(t.payable_ore, 521_764);
    }

    #[test]
    fn lines_that_cannot_share_an_invoice_are_refused() {
        assert_eq!(compute_totals(&[]), Err(InvoiceError::NoLines));
        let o = line("Avgift", Quantity::ONE, 100, VatCategory::OutsideScope);
        let st = line("Plats", Quantity::ONE, 100, s(25));
        assert_eq!(
            compute_totals(&[o.clone(), st]),
            Err(InvoiceError::OutsideScopeMixed)
        );
        assert!(compute_totals(&[o.clone(), o]).is_ok());
        let e1 = VatCategory::exempt(Exemption::new(None, "A").unwrap());
        let e2 = VatCategory::exempt(Exemption::new(None, "B").unwrap());
        assert_eq!(
            compute_totals(&[
                line("x", Quantity::ONE, 1, e1),
                line("y", Quantity::ONE, 1, e2)
            ]),
            Err(InvoiceError::ExemptionReasonsDiffer)
        );
    }

    #[test]
    fn credit_notes_are_positive_and_sign_negative() {
        let lines = vec![line("Plats", Quantity::ONE, 100_000, s(25))];
        let kind = DocumentKind::CreditNote {
            original: InvoiceReference {
                number: "K-2026-0001".into(),
                issue_date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            },
        };
        let credited = credit_lines(&lines);
        let t = document_totals(&kind, &credited).unwrap();
        assert_eq!(t.payable_ore, 125_000);
        assert_eq!(kind.sign() * t.payable_ore, -125_000);
        assert_eq!(kind.type_code(), "381");
        let discount = vec![line("Rabatt", Quantity::whole(-1), 100, s(25))];
        assert_eq!(
            document_totals(&kind, &discount),
            Err(InvoiceError::CreditNoteNotPositive)
        );
        assert_eq!(
            document_totals(&DocumentKind::Invoice, &discount),
            Err(InvoiceError::InvoiceNegative)
        );
    }

    fn arb_vat() -> impl Strategy<Value = VatCategory> {
        prop_oneof![
            Just(s(25)),
            Just(s(12)),
            Just(s(6)),
            Just(VatCategory::ZeroRated),
            Just(VatCategory::exempt(
                Exemption::new(None, "Undantag").unwrap()
            )),
            Just(VatCategory::ReverseCharge),
        ]
    }

    fn arb_line() -> impl Strategy<Value = Line> {
        (-5_000i64..50_000, 0i64..10_000_000, arb_vat())
            .prop_filter("non-zero quantity", |(q, _, _)| *q != 0)
            .prop_map(|(q, p, v)| line("x", Quantity::from_thousandths(q), p, v))
    }

    proptest! {
        #[test]
        fn totals_always_add_up(lines in prop::collection::vec(arb_line(), 1..30)) {
            let t = compute_totals(&lines).unwrap();
            // BR-CO-10: line total is the sum of line nets.
            prop_assert_eq!(t.line_net_ore, lines.iter().map(|l| l.net_ore).sum::<i64>());
            // The breakdown's taxable amounts cover every line exactly once.
            prop_assert_eq!(t.breakdown.iter().map(|b| b.taxable_ore).sum::<i64>(), t.tax_exclusive_ore);
            // BR-CO-14: VAT total is the sum of the breakdown's VAT.
            prop_assert_eq!(t.breakdown.iter().map(|b| b.vat_ore).sum::<i64>(), t.vat_ore);
            // BR-CO-15, BR-CO-16.
            prop_assert_eq!(t.tax_inclusive_ore, t.tax_exclusive_ore + t.vat_ore);
            prop_assert_eq!(t.payable_ore, t.tax_inclusive_ore);
            // One entry per category and rate.
            let mut keys: Vec<_> = t.breakdown.iter().map(|b| b.category.breakdown_key()).collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), n);
        }

        #[test]
        fn vat_per_category_is_within_half_an_ore(lines in prop::collection::vec(arb_line(), 1..30)) {
            let t = compute_totals(&lines).unwrap();
            for b in &t.breakdown {
                // The exact VAT in hundredths of an öre.
                let exact = b.taxable_ore * i64::from(b.category.percent().unwrap_or(0));
                // |vat - taxable × rate| ≤ 0.5 öre, in hundredths of an öre.
                prop_assert!((b.vat_ore * 100 - exact).abs() <= 50);
            }
        }

        #[test]
        fn line_net_is_within_half_an_ore_of_exact(q in -1_000_000i64..1_000_000, p in 0i64..100_000_000) {
            prop_assume!(q != 0);
            let l = line("x", Quantity::from_thousandths(q), p, s(25));
            let exact = i128::from(q) * i128::from(p); // thousandths of an öre
            prop_assert!((i128::from(l.net_ore) * 1000 - exact).abs() <= 500);
        }
    }
}
