//! Peppol BIS Billing 3.0 UBL: golden files of an invoice and a credit note.
//! Each document is also written to `target/einvoice/`, where CI runs the
//! official validators on it (`.ci/einvoice.sh`).

mod common;

use thirdplace_invoicing::ubl::to_ubl;

#[test]
fn an_invoice_with_every_swedish_rate_and_an_exempt_line() {
    let doc = common::invoice();
    let t = doc.totals();
    // 2 500 + 1 000 + 1 500 + 875 (seats and room) at 25 %, 285 at 12 %,
    // 199 at 6 %, 600 exempt.
    assert_eq!(t.line_net_ore, 695_900);
    assert_eq!(t.vat_ore, 146_875 + 3_420 + 1_194);
    assert_eq!(t.payable_ore, 695_900 + 151_489);
    let xml = to_ubl(&doc);
    common::write_for_validation("invcore-invoice.xml", xml.as_bytes());
    insta::assert_snapshot!("invoice", xml);
}

#[test]
fn a_credit_note_refers_to_its_invoice_with_positive_amounts() {
    let doc = common::credit_note();
    assert_eq!(doc.totals().payable_ore, 187_500 + 31_920);
    let xml = to_ubl(&doc);
    assert!(xml.contains("<cbc:ID>K2026-0042</cbc:ID>"));
    assert!(xml.contains("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"));
    assert!(!xml.contains("currencyID=\"SEK\">-"));
    common::write_for_validation("invcore-credit-note.xml", xml.as_bytes());
    insta::assert_snapshot!("credit_note", xml);
}

/// Zero-rated and reverse-charged lines, plusgiro, no contact, no invoice
/// period; and an invoice outside the scope of VAT. No golden file: CI's
/// validator checks them.
#[test]
fn the_other_vat_categories_and_plusgiro_are_written_for_validation() {
    use thirdplace_invoicing::document::{Document, PayeeAccount};
    use thirdplace_invoicing::invoice::{Line, LineInput, ProductKind, Quantity, UnitCode};
    use thirdplace_invoicing::vat::VatCategory;

    let line = |description: &str, vat: VatCategory| {
        Line::new(LineInput {
            description: description.into(),
            quantity: Quantity::ONE,
            unit: UnitCode::Piece,
            unit_price_ore: 120_050,
            vat,
            period: None,
            product: ProductKind::Other,
        })
        .unwrap()
    };
    let mut input = common::invoice().input().clone();
    input.number = "K2026-0044".into();
    input.period = None;
    input.note = None;
    input.seller.contact = None;
    input.buyer.contact = None;
    input.seller.trading_name = None;
    input.seller.legal_info = Some("Säte: Kalmar".into());
    input.order_reference = Some("IO-77".into());
    if let Some(p) = &mut input.payment {
        p.account = PayeeAccount::plusgiro("477568-0").unwrap();
    }
    input.lines = vec![
        line("Export av tjänst, nollskattesats", VatCategory::ZeroRated),
        line(
            "Konsulttjänst, omvänd skattskyldighet",
            VatCategory::ReverseCharge,
        ),
    ];
    let doc = Document::new(input.clone()).unwrap();
    assert_eq!(doc.totals().vat_ore, 0);
    let xml = to_ubl(&doc);
    assert!(xml.contains("SE:PLUSGIRO"));
    assert!(xml.contains("<cbc:TaxExemptionReasonCode>VATEX-EU-AE</cbc:TaxExemptionReasonCode>"));
    common::write_for_validation("invcore-zero-and-reverse-charge.xml", xml.as_bytes());

    input.number = "K2026-0045".into();
    input.lines = vec![line(
        "Medlemsavgift, utanför momsens tillämpningsområde",
        VatCategory::OutsideScope,
    )];
    let doc = Document::new(input).unwrap();
    let xml = to_ubl(&doc);
    assert!(
        !xml.contains("SE212000066201"),
        "no VAT numbers with category O"
    );
    assert!(!xml.contains("<cbc:Percent>"));
    common::write_for_validation("invcore-outside-scope.xml", xml.as_bytes());
}
