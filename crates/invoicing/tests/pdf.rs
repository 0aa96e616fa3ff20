//! The invoice PDF, read back by an independent tool (`pdftotext` from
//! poppler-utils): the invoice number, the total and the OCR reference must
//! be in its text. Without pdftotext the test is skipped, except under
//! CI=true, where it fails.

mod common;

use std::process::Command;

use thirdplace_invoicing::document::Document;
use thirdplace_invoicing::pdf::{to_pdf, Language};

/// The PDF's text as pdftotext reads it, spaces normalised (its column
/// spacing is not ours to pin), or `None` when pdftotext is missing.
fn pdf_text(name: &str, doc: &Document, lang: Language) -> Option<String> {
    let bytes = to_pdf(doc, lang).expect("the PDF is written");
    assert!(bytes.starts_with(b"%PDF-"));
    let path = common::write_for_validation(name, &bytes);
    let out = match Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => out,
        Err(_) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("pdftotext not found (apt-get install poppler-utils): skipped");
            return None;
        }
        Err(e) => panic!("pdftotext is needed under CI=true: {e}"),
    };
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    let text = String::from_utf8(out.stdout).expect("UTF-8 text");
    Some(
        text.replace('\u{a0}', " ")
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn the_swedish_invoice_pdf_shows_number_total_and_ocr() {
    let doc = common::invoice();
    let Some(text) = pdf_text("invcore-invoice.pdf", &doc, Language::Swedish) else {
        return;
    };
    let ocr = doc
        .input()
        .payment
        .as_ref()
        .unwrap()
        .ocr
        .as_str()
        .to_string();
    let total = Language::Swedish.amount(doc.totals().payable_ore);
    assert!(text.contains("K2026-0042"), "{text}");
    assert!(text.contains(&format!("Att betala {total} SEK")), "{text}");
    assert!(text.contains(&format!("OCR-nummer {ocr}")), "{text}");
    assert!(text.contains("Godkänd för F-skatt"), "{text}");
    assert!(text.contains("Bankgiro 5050-1055"), "{text}");
    insta::assert_snapshot!("invoice_sv", text);
}

#[test]
fn the_english_credit_note_pdf_shows_what_it_credits() {
    let doc = common::credit_note();
    let Some(text) = pdf_text("invcore-credit-note.pdf", &doc, Language::English) else {
        return;
    };
    let total = Language::English.amount(doc.totals().payable_ore);
    assert!(text.contains("Credit note"), "{text}");
    assert!(text.contains("K2026-0043"), "{text}");
    assert!(
        text.contains("Credits invoice K2026-0042 (2026-12-01)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Amount credited {total} SEK")),
        "{text}"
    );
    insta::assert_snapshot!("credit_note_en", text);
}

#[test]
fn many_lines_run_onto_more_pages() {
    let mut input = common::invoice().input().clone();
    let lines = input.lines.clone();
    for _ in 0..20 {
        input.lines.extend(lines.iter().cloned());
    }
    let doc = Document::new(input).unwrap();
    let Some(text) = pdf_text("invcore-long-invoice.pdf", &doc, Language::Swedish) else {
        return;
    };
    assert!(text.contains("Sida 1"), "{text}");
    assert!(text.contains("Sida 3"), "{text}");
    let total = Language::Swedish.amount(doc.totals().payable_ore);
    assert!(text.contains(&format!("Att betala {total} SEK")), "{text}");
}
