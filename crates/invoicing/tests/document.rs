//! What keeps a document from being issued, and what the message says.

mod common;

use thirdplace_invoicing::document::{Document, DocumentError};
use thirdplace_invoicing::invoice::{DocumentKind, InvoiceError, InvoiceReference};
use thirdplace_invoicing::vat::VatCategory;

fn refused(
    change: impl FnOnce(&mut thirdplace_invoicing::document::DocumentInput),
) -> DocumentError {
    let mut input = common::invoice().input().clone();
    change(&mut input);
    Document::new(input).unwrap_err()
}

#[test]
fn a_customer_without_buyer_reference_or_address_is_told_what_to_fill_in() {
    let e = refused(|i| i.buyer.buyer_reference = " ".into());
    assert_eq!(e, DocumentError::BuyerReferenceMissing);
    assert_eq!(e.code(), "buyer_reference_missing");
    assert!(e.to_string().contains("buyer reference"));
    let e = refused(|i| i.buyer.address.city.clear());
    assert_eq!(e, DocumentError::BuyerAddressMissing);
    let e = refused(|i| i.buyer.address.country = "Sverige".into());
    assert_eq!(e, DocumentError::BuyerAddressMissing);
}

#[test]
fn an_invoice_needs_due_date_payment_and_terms() {
    assert_eq!(
        refused(|i| i.due_date = None),
        DocumentError::DueDateMissing
    );
    assert_eq!(
        refused(|i| i.due_date = Some(common::d(2026, 11, 30))),
        DocumentError::DueBeforeIssue
    );
    assert_eq!(refused(|i| i.payment = None), DocumentError::PaymentMissing);
    assert_eq!(
        refused(|i| i.payment_terms.clear()),
        DocumentError::PaymentTermsMissing
    );
    assert_eq!(refused(|i| i.number.clear()), DocumentError::NumberMissing);
    assert_eq!(
        refused(|i| i.lines.clear()),
        DocumentError::Lines(InvoiceError::NoLines)
    );
}

#[test]
fn line_periods_lie_within_the_invoice_period() {
    assert_eq!(
        refused(|i| i.period = Some(
            thirdplace_invoicing::invoice::Period::new(
                common::d(2026, 11, 2),
                common::d(2026, 11, 30)
            )
            .unwrap()
        )),
        DocumentError::LinePeriodOutside
    );
}

#[test]
fn reverse_charge_needs_the_buyers_vat_number() {
    let e = refused(|i| {
        i.buyer.vat_number = None;
        i.lines[0].vat = VatCategory::ReverseCharge;
    });
    assert_eq!(e, DocumentError::ReverseChargeWithoutBuyerVat);
}

#[test]
fn a_credit_note_has_no_payment_and_follows_its_invoice() {
    let credit = common::credit_note();
    let mut input = credit.input().clone();
    input.payment = common::invoice().input().payment.clone();
    assert_eq!(
        Document::new(input).unwrap_err(),
        DocumentError::CreditNoteWithPayment
    );
    let mut input = credit.input().clone();
    input.kind = DocumentKind::CreditNote {
        original: InvoiceReference {
            number: "K2026-0042".into(),
            issue_date: common::d(2026, 12, 5),
        },
    };
    assert_eq!(
        Document::new(input).unwrap_err(),
        DocumentError::CreditBeforeOriginal
    );
    assert_eq!(credit.kind().sign() * credit.totals().payable_ore, -219_420);
}
