//! Which open invoice a bank payment pays: pure rules, no I/O.
//!
//! A payment is matched automatically only by an OCR reference: digits
//! whose last digit is the Luhn check digit of the others, equal to the OCR
//! reference of exactly one open invoice. Bankgirot's reference code 2 (an
//! OCR it checked) and code 4 (one reference) qualify; free-text references
//! (code 3), references Bankgirot found incorrect (code 5), payments without
//! a reference (codes 0/1), deductions and payments in another currency go
//! to a person ([`Decision::Unmatched`] with the reason).
//!
//! One payment may name several OCR references (a TK20 with TK22 extra
//! references without amounts): it is spread over those invoices in the
//! order given, each paid up to what it owes.
//!
//! [`match_payments`] decides a whole file in order, so that two payments
//! of one invoice in the same file see what the first one left.

use super::{Payment, PaymentKind, ReferenceType};

/// An invoice that is not yet paid in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice<I> {
    pub id: I,
    /// The invoice's OCR reference (with its check digit).
    pub ocr: String,
    /// What is still owed, öre (the gross less what has been paid).
    pub amount_due_ore: i64,
}

/// What part of a payment goes to which invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation<I> {
    pub invoice: I,
    pub amount_ore: i64,
    /// What the invoice still owes after this payment.
    pub remaining_due_ore: i64,
}

/// What to do with one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<I> {
    /// Pays its invoice(s) exactly in full.
    Full(Vec<Allocation<I>>),
    /// Less than is owed: the invoice(s) stay open for `remaining_due_ore`.
    Partial {
        allocations: Vec<Allocation<I>>,
        remaining_due_ore: i64,
    },
    /// More than is owed: the invoice(s) are paid, `excess_ore` is left
    /// for a person to refund or place.
    Overpaid {
        allocations: Vec<Allocation<I>>,
        excess_ore: i64,
    },
    /// For a person to resolve.
    Unmatched(Unmatched),
}

/// Why a payment was not matched automatically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// The payer gave no reference.
    NoReference,
    /// The reference is free text, not an OCR number (or Bankgirot marked
    /// it incorrect).
    NotOcr,
    /// The reference looks like an OCR number but its check digit is wrong
    /// (a typing error).
    WrongCheckDigit(String),
    /// A valid OCR number that no open invoice has.
    UnknownReference(String),
    /// Two open invoices have this OCR number.
    AmbiguousReference(String),
    /// Several references that cannot be spread automatically (amounts per
    /// reference, a negative reference, or a reference given twice).
    SeveralReferences,
    /// A deduction (e.g. the payer used a credit note).
    Deduction,
    /// An amount of zero or less.
    NotPositive,
    /// Not in Swedish kronor.
    Currency(String),
}

/// Whether `s` is an OCR number: 2 to 25 digits, the last one the Luhn
/// (mod 10) check digit of the others, weights 2, 1, 2 … from the right.
pub fn ocr_is_valid(s: &str) -> bool {
    let ok_shape = (2..=25).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    ok_shape && luhn_sum(s).is_multiple_of(10)
}

/// The Luhn sum over all digits, the last (check digit) weighted 1.
fn luhn_sum(digits: &str) -> u32 {
    digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 1 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum()
}

/// Decides every payment in order; an invoice's amount due goes down with
/// each payment matched to it. Returns one decision per payment.
pub fn match_payments<I: Clone>(open: &[OpenInvoice<I>], payments: &[Payment]) -> Vec<Decision<I>> {
    let mut due: Vec<i64> = open.iter().map(|o| o.amount_due_ore).collect();
    payments
        .iter()
        .map(|p| decide_one(open, &mut due, p))
        .collect()
}

/// Decides one payment against the open invoices as they are.
pub fn decide<I: Clone>(open: &[OpenInvoice<I>], payment: &Payment) -> Decision<I> {
    let mut due: Vec<i64> = open.iter().map(|o| o.amount_due_ore).collect();
    decide_one(open, &mut due, payment)
}

/// The OCR number of a reference of a type that may carry one.
fn ocr_candidate(reference: &str, kind: ReferenceType) -> Result<String, Unmatched> {
    match kind {
        ReferenceType::None => Err(Unmatched::NoReference),
        ReferenceType::Several | ReferenceType::Incorrect => Err(Unmatched::NotOcr),
        ReferenceType::Ocr | ReferenceType::Single => {
            let compact: String = reference.chars().filter(|c| *c != ' ').collect();
            if compact.is_empty() {
                Err(Unmatched::NoReference)
            } else if !compact.bytes().all(|b| b.is_ascii_digit()) || compact.len() > 25 {
                Err(Unmatched::NotOcr)
            } else if !ocr_is_valid(&compact) {
                Err(Unmatched::WrongCheckDigit(compact))
            } else {
                Ok(compact)
            }
        }
    }
}

fn decide_one<I: Clone>(open: &[OpenInvoice<I>], due: &mut [i64], p: &Payment) -> Decision<I> {
    match targets(open, p) {
        Ok(targets) => allocate(open, due, &targets, p.amount_ore),
        Err(reason) => Decision::Unmatched(reason),
    }
}

/// The open invoices (indexes) a payment names, in order.
fn targets<I>(open: &[OpenInvoice<I>], p: &Payment) -> Result<Vec<usize>, Unmatched> {
    if p.currency != "SEK" {
        return Err(Unmatched::Currency(p.currency.clone()));
    }
    if let PaymentKind::Deduction { .. } = p.kind {
        return Err(Unmatched::Deduction);
    }
    if p.amount_ore <= 0 {
        return Err(Unmatched::NotPositive);
    }
    let mut ocrs = vec![ocr_candidate(&p.reference, p.reference_type)?];
    for extra in &p.extra_references {
        if extra.amount_ore != 0 {
            return Err(Unmatched::SeveralReferences);
        }
        let ocr = ocr_candidate(&extra.reference, extra.reference_type)
            .map_err(|_| Unmatched::SeveralReferences)?;
        if ocrs.contains(&ocr) {
            return Err(Unmatched::SeveralReferences);
        }
        ocrs.push(ocr);
    }
    ocrs.into_iter()
        .map(|ocr| {
            let mut found = open.iter().enumerate().filter(|(_, o)| o.ocr == ocr);
            match (found.next(), found.next()) {
                (Some((i, _)), None) => Ok(i),
                (Some(_), Some(_)) => Err(Unmatched::AmbiguousReference(ocr)),
                (None, _) => Err(Unmatched::UnknownReference(ocr)),
            }
        })
        .collect()
}

/// Spreads `amount` over the invoices in order, each up to what it owes.
fn allocate<I: Clone>(
    open: &[OpenInvoice<I>],
    due: &mut [i64],
    targets: &[usize],
    amount: i64,
) -> Decision<I> {
    let mut left = amount;
    let mut allocations = Vec::with_capacity(targets.len());
    for &i in targets {
        let owed = due[i].max(0);
        let part = left.min(owed);
        left -= part;
        due[i] -= part;
        allocations.push(Allocation {
            invoice: open[i].id.clone(),
            amount_ore: part,
            remaining_due_ore: due[i],
        });
    }
    let remaining: i64 = targets.iter().map(|&i| due[i].max(0)).sum();
    if left > 0 {
        // Everything named is paid; a person places or refunds the rest.
        Decision::Overpaid {
            allocations,
            excess_ore: left,
        }
    } else if remaining > 0 {
        Decision::Partial {
            allocations,
            remaining_due_ore: remaining,
        }
    } else {
        Decision::Full(allocations)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ExtraReference, Payment, PaymentKind, ReferenceType};
    use super::*;
    use chrono::NaiveDate;

    fn payment(reference: &str, kind: ReferenceType, amount_ore: i64) -> Payment {
        Payment {
            key: "k".into(),
            line: 2,
            kind: PaymentKind::Payment,
            amount_ore,
            currency: "SEK".into(),
            reference: reference.into(),
            reference_type: kind,
            extra_references: vec![],
            payer_bankgiro: None,
            payer_name: None,
            payer_address: None,
            payer_org_number: None,
            information: vec![],
            channel: 1,
            bgc_serial: "1".into(),
            image: false,
            payee_bankgiro: "50501055".into(),
            payment_date: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            deposit_serial: "00071".into(),
        }
    }

    fn open() -> Vec<OpenInvoice<u32>> {
        vec![
            OpenInvoice {
                id: 1,
                ocr: "202610093".into(),
                amount_due_ore: 1_441_900,
            },
            OpenInvoice {
                id: 2,
                ocr: "202610192".into(),
                amount_due_ore: 2_500_000,
            },
            OpenInvoice {
                id: 3,
                ocr: "202610291".into(),
                amount_due_ore: 1_250_000,
            },
            OpenInvoice {
                id: 4,
                ocr: "202610390".into(),
                amount_due_ore: 375_000,
            },
        ]
    }

    fn alloc(invoice: u32, amount_ore: i64, remaining_due_ore: i64) -> Allocation<u32> {
        Allocation {
            invoice,
            amount_ore,
            remaining_due_ore,
        }
    }

    #[test]
    fn ocr_check_digits_follow_luhn_from_the_right() {
        // Bankgirot's sample OCR numbers (length digit and check digit).
        for ok in [
            "202610093",
            "202610192",
            "202610291",
            "202610390",
            "202690095",
            "18",
        ] {
            assert!(ocr_is_valid(ok), "{ok}");
        }
        for bad in ["202610094", "1", "", "12a", "20261009 3"] {
            assert!(!ocr_is_valid(bad), "{bad}");
        }
        // Even and odd lengths: "4992739871 6" is the textbook Luhn example.
        assert!(ocr_is_valid("49927398716"));
        assert!(ocr_is_valid("0049927398716"));
    }

    #[test]
    fn an_exact_ocr_payment_pays_its_invoice_in_full() {
        let d = decide(
            &open(),
            &payment("202610093", ReferenceType::Ocr, 1_441_900),
        );
        assert_eq!(d, Decision::Full(vec![alloc(1, 1_441_900, 0)]));
    }

    #[test]
    fn a_smaller_payment_is_partial_and_a_larger_one_overpaid() {
        let d = decide(&open(), &payment("202610093", ReferenceType::Ocr, 441_900));
        assert_eq!(
            d,
            Decision::Partial {
                allocations: vec![alloc(1, 441_900, 1_000_000)],
                remaining_due_ore: 1_000_000
            }
        );
        let d = decide(
            &open(),
            &payment("202610093", ReferenceType::Ocr, 1_442_000),
        );
        assert_eq!(
            d,
            Decision::Overpaid {
                allocations: vec![alloc(1, 1_441_900, 0)],
                excess_ore: 100
            }
        );
    }

    #[test]
    fn a_single_free_text_reference_that_is_an_exact_ocr_matches_too() {
        let d = decide(
            &open(),
            &payment("2026 10093", ReferenceType::Single, 1_441_900),
        );
        assert_eq!(d, Decision::Full(vec![alloc(1, 1_441_900, 0)]));
    }

    #[test]
    fn references_that_are_not_usable_ocr_numbers_go_to_a_person() {
        let cases = [
            ("", ReferenceType::None, Unmatched::NoReference),
            ("202610093", ReferenceType::None, Unmatched::NoReference),
            ("", ReferenceType::Ocr, Unmatched::NoReference),
            (
                "2026-1052 2026-1053",
                ReferenceType::Several,
                Unmatched::NotOcr,
            ),
            ("20261049", ReferenceType::Incorrect, Unmatched::NotOcr),
            ("Faktura 1049", ReferenceType::Single, Unmatched::NotOcr),
            (
                "202610094",
                ReferenceType::Ocr,
                Unmatched::WrongCheckDigit("202610094".into()),
            ),
            (
                "49927398716",
                ReferenceType::Ocr,
                Unmatched::UnknownReference("49927398716".into()),
            ),
        ];
        for (reference, kind, reason) in cases {
            assert_eq!(
                decide(&open(), &payment(reference, kind, 100)),
                Decision::Unmatched(reason),
                "{reference:?}"
            );
        }
    }

    #[test]
    fn deductions_foreign_currency_and_zero_amounts_go_to_a_person() {
        let mut p = payment("202610093", ReferenceType::Ocr, -100);
        p.kind = PaymentKind::Deduction { code: 0 };
        assert_eq!(
            decide(&open(), &p),
            Decision::Unmatched(Unmatched::Deduction)
        );
        let mut p = payment("202610093", ReferenceType::Ocr, 100);
        p.currency = "EUR".into();
        assert_eq!(
            decide(&open(), &p),
            Decision::Unmatched(Unmatched::Currency("EUR".into()))
        );
        let p = payment("202610093", ReferenceType::Ocr, 0);
        assert_eq!(
            decide(&open(), &p),
            Decision::Unmatched(Unmatched::NotPositive)
        );
    }

    #[test]
    fn two_invoices_with_one_ocr_are_ambiguous() {
        let mut o = open();
        o[1].ocr = "202610093".into();
        assert_eq!(
            decide(&o, &payment("202610093", ReferenceType::Ocr, 100)),
            Decision::Unmatched(Unmatched::AmbiguousReference("202610093".into()))
        );
    }

    fn extra(reference: &str, amount_ore: i64) -> ExtraReference {
        ExtraReference {
            reference: reference.into(),
            reference_type: ReferenceType::Ocr,
            amount_ore,
            line: 3,
        }
    }

    #[test]
    fn one_payment_for_three_ocr_numbers_is_spread_in_order() {
        let mut p = payment("202610192", ReferenceType::Ocr, 4_125_000);
        p.extra_references = vec![extra("202610291", 0), extra("202610390", 0)];
        assert_eq!(
            decide(&open(), &p),
            Decision::Full(vec![
                alloc(2, 2_500_000, 0),
                alloc(3, 1_250_000, 0),
                alloc(4, 375_000, 0)
            ])
        );
        p.amount_ore = 3_000_000;
        assert_eq!(
            decide(&open(), &p),
            Decision::Partial {
                allocations: vec![
                    alloc(2, 2_500_000, 0),
                    alloc(3, 500_000, 750_000),
                    alloc(4, 0, 375_000)
                ],
                remaining_due_ore: 1_125_000
            }
        );
    }

    #[test]
    fn several_references_with_amounts_or_unknown_ones_go_to_a_person() {
        let mut p = payment("202610192", ReferenceType::Ocr, 4_125_000);
        p.extra_references = vec![extra("202610291", 1_250_000)];
        assert_eq!(
            decide(&open(), &p),
            Decision::Unmatched(Unmatched::SeveralReferences)
        );
        p.extra_references = vec![extra("202610192", 0)];
        assert_eq!(
            decide(&open(), &p),
            Decision::Unmatched(Unmatched::SeveralReferences)
        );
        p.extra_references = vec![extra("49927398716", 0)];
        assert_eq!(
            decide(&open(), &p),
            Decision::Unmatched(Unmatched::UnknownReference("49927398716".into()))
        );
    }

    #[test]
    fn a_second_payment_of_the_same_invoice_in_one_file_sees_the_first() {
        let p1 = payment("202610093", ReferenceType::Ocr, 1_000_000);
        let p2 = payment("202610093", ReferenceType::Ocr, 1_000_000);
        let p3 = payment("202610093", ReferenceType::Ocr, 5);
        assert_eq!(
            match_payments(&open(), &[p1, p2, p3]),
            vec![
                Decision::Partial {
                    allocations: vec![alloc(1, 1_000_000, 441_900)],
                    remaining_due_ore: 441_900
                },
                Decision::Overpaid {
                    allocations: vec![alloc(1, 441_900, 0)],
                    excess_ore: 558_100
                },
                Decision::Overpaid {
                    allocations: vec![alloc(1, 0, 0)],
                    excess_ore: 5
                },
            ]
        );
    }
}
