//! The invoice or credit note as a PDF a person reads, in Swedish or
//! English: the operator's details, the customer, number and dates, how to
//! pay (bankgiro or plusgiro, OCR reference, due date), the lines, the VAT
//! breakdown and the total.
//!
//! Written with `printpdf` in the PDF standard fonts (Helvetica), which every
//! reader has: nothing is embedded, so a PDF is a few kilobytes, and text
//! is WinAnsi-encoded, which covers Swedish (å, ä, ö, é, §, –); a character
//! outside it prints as "?" (the PDF library would leave it out unseen). The texts are this module's own (the crate
//! stands below the web crate's i18n tables). Its dates are the issue
//! date's; printpdf gives each file a random instance id, so two renderings
//! differ in those bytes only.

use chrono::NaiveDate;
use printpdf::{
    BuiltinFont, CustomPdfConformance, IndirectFontRef, Line as PdfLine, Mm, OffsetDateTime,
    PdfConformance, PdfDocument, PdfDocumentReference, PdfLayerReference, Point,
};
use serde::{Deserialize, Serialize};
use thirdplace_domain::format_ore_as_sek;

use crate::document::{Document, PayeeAccount};
use crate::invoice::{DocumentKind, Line, UnitCode};

/// The language a PDF is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Swedish,
    English,
}

struct Texts {
    invoice: &'static str,
    credit_note: &'static str,
    number: &'static str,
    issue_date: &'static str,
    due_date: &'static str,
    ocr: &'static str,
    buyer_reference: &'static str,
    order_reference: &'static str,
    credits: &'static str,
    period: &'static str,
    bill_to: &'static str,
    description: &'static str,
    quantity: &'static str,
    unit_price: &'static str,
    vat: &'static str,
    amount: &'static str,
    vat_breakdown: &'static str,
    taxable: &'static str,
    total_excl: &'static str,
    total_vat: &'static str,
    to_pay: &'static str,
    credited: &'static str,
    payment_terms: &'static str,
    org_no: &'static str,
    vat_no: &'static str,
    f_skatt: &'static str,
    page: &'static str,
    no_vat: &'static str,
}

const SV: Texts = Texts {
    invoice: "Faktura",
    credit_note: "Kreditfaktura",
    number: "Fakturanummer",
    issue_date: "Fakturadatum",
    due_date: "Förfallodatum",
    ocr: "OCR-nummer",
    buyer_reference: "Er referens",
    order_reference: "Ert ordernummer",
    credits: "Krediterar faktura",
    period: "Period",
    bill_to: "Faktureras",
    description: "Beskrivning",
    quantity: "Antal",
    unit_price: "À-pris",
    vat: "Moms",
    amount: "Belopp",
    vat_breakdown: "Moms per skattesats",
    taxable: "underlag",
    total_excl: "Summa exkl. moms",
    total_vat: "Moms",
    to_pay: "Att betala",
    credited: "Att kreditera",
    payment_terms: "Betalningsvillkor",
    org_no: "Org.nr",
    vat_no: "Momsreg.nr",
    f_skatt: "Godkänd för F-skatt",
    page: "Sida",
    no_vat: "ingen moms",
};

const EN: Texts = Texts {
    invoice: "Invoice",
    credit_note: "Credit note",
    number: "Invoice number",
    issue_date: "Invoice date",
    due_date: "Due date",
    ocr: "OCR reference",
    buyer_reference: "Your reference",
    order_reference: "Your order number",
    credits: "Credits invoice",
    period: "Period",
    bill_to: "Bill to",
    description: "Description",
    quantity: "Quantity",
    unit_price: "Unit price",
    vat: "VAT",
    amount: "Amount",
    vat_breakdown: "VAT by rate",
    taxable: "taxable",
    total_excl: "Total excl. VAT",
    total_vat: "VAT",
    to_pay: "Amount due",
    credited: "Amount credited",
    payment_terms: "Payment terms",
    org_no: "Org. no.",
    vat_no: "VAT no.",
    f_skatt: "Approved for F-tax (Godkänd för F-skatt)",
    page: "Page",
    no_vat: "no VAT",
};

impl Language {
    fn texts(self) -> &'static Texts {
        match self {
            Language::Swedish => &SV,
            Language::English => &EN,
        }
    }

    /// An amount as this language writes it: "1 234,50" or "1,234.50"
    /// (a plain space: text extraction drops a no-break space).
    pub fn amount(self, ore: i64) -> String {
        match self {
            Language::Swedish => format_ore_as_sek(ore).replace('\u{a0}', " "),
            Language::English => {
                let sign = if ore < 0 { "-" } else { "" };
                let a = ore.unsigned_abs();
                let kr = (a / 100).to_string();
                let mut grouped = String::new();
                for (i, c) in kr.chars().enumerate() {
                    if i > 0 && (kr.len() - i).is_multiple_of(3) {
                        grouped.push(',');
                    }
                    grouped.push(c);
                }
                format!("{sign}{grouped}.{:02}", a % 100)
            }
        }
    }

    fn unit(self, unit: UnitCode) -> &'static str {
        match (self, unit) {
            (Language::Swedish, UnitCode::Piece) => "st",
            (Language::Swedish, UnitCode::Hour) => "tim",
            (Language::Swedish, UnitCode::Day) => "dagar",
            (Language::Swedish, UnitCode::Month) => "mån",
            (Language::English, UnitCode::Piece) => "pcs",
            (Language::English, UnitCode::Hour) => "h",
            (Language::English, UnitCode::Day) => "days",
            (Language::English, UnitCode::Month) => "month",
        }
    }

    fn quantity(self, q: crate::invoice::Quantity) -> String {
        let s = q.to_string();
        match self {
            Language::Swedish => s.replace('.', ","),
            Language::English => s,
        }
    }
}

/// Why a PDF could not be written (an error of the PDF library).
#[derive(Debug, thiserror::Error)]
#[error("the invoice PDF could not be written: {0}")]
pub struct PdfError(String);

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;
/// Below this the footer begins: a new page is started.
const BOTTOM: f32 = 38.0;
const BODY: f32 = 9.0;
const LINE: f32 = 4.6;

/// The document as a PDF in the given language.
pub fn to_pdf(doc: &Document, lang: Language) -> Result<Vec<u8>, PdfError> {
    let t = lang.texts();
    let d = doc.input();
    let credit = matches!(doc.kind(), DocumentKind::CreditNote { .. });
    let title = if credit { t.credit_note } else { t.invoice };
    let (pdf, page, layer) = PdfDocument::new(
        format!("{title} {}", d.number.trim()),
        Mm(PAGE_W),
        Mm(PAGE_H),
        "1",
    );
    // Dates from the document, not the clock.
    let stamp = timestamp(d.issue_date);
    let pdf = pdf
        .with_conformance(PdfConformance::Custom(CustomPdfConformance {
            requires_icc_profile: false,
            requires_xmp_metadata: false,
            ..Default::default()
        }))
        .with_document_id(format!("{:0>32}", digits_and_letters(&d.number)))
        .with_author(d.seller.legal_name.trim())
        .with_creator("thirdplace")
        .with_producer("thirdplace")
        .with_creation_date(stamp)
        .with_mod_date(stamp)
        .with_metadata_date(stamp);
    let regular = pdf
        .add_builtin_font(BuiltinFont::Helvetica)
        .map_err(|e| PdfError(e.to_string()))?;
    let bold = pdf
        .add_builtin_font(BuiltinFont::HelveticaBold)
        .map_err(|e| PdfError(e.to_string()))?;
    let first = pdf.get_page(page).get_layer(layer);
    let mut w = Pen {
        pdf: &pdf,
        layer: first,
        regular,
        bold,
        y: PAGE_H - 20.0,
        page: 1,
        lang,
        doc,
    };
    w.footer();
    w.head(title);
    w.lines_table();
    w.totals();
    drop(w);
    pdf.save_to_bytes().map_err(|e| PdfError(e.to_string()))
}

fn timestamp(date: NaiveDate) -> OffsetDateTime {
    let seconds = date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn digits_and_letters(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect()
}

/// Widths of Helvetica glyphs in thousandths of the font size, for the
/// characters amounts and numbers use; others count as an average.
fn em_width(c: char) -> f32 {
    match c {
        '0'..='9' => 0.556,
        ' ' | '\u{a0}' | ',' | '.' => 0.278,
        '-' => 0.333,
        '%' => 0.889,
        'i' | 'l' | 'j' | 't' | 'f' | 'I' => 0.26,
        'm' | 'w' | 'M' | 'W' => 0.83,
        c if c.is_uppercase() => 0.667,
        _ => 0.52,
    }
}

fn text_width(s: &str, size: f32) -> f32 {
    s.chars().map(em_width).sum::<f32>() * size * 0.3528
}

/// Splits a text into lines that fit `width` mm at the body size.
fn wrap(s: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in s.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, BODY) > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

struct Pen<'a> {
    pdf: &'a PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    y: f32,
    page: u32,
    lang: Language,
    doc: &'a Document,
}

impl Pen<'_> {
    fn at(&self, x: f32, y: f32, s: &str, size: f32, bold: bool) {
        let font = if bold { &self.bold } else { &self.regular };
        let text: String = s.chars().map(win_ansi).collect();
        self.layer.use_text(text, size, Mm(x), Mm(y), font);
    }

    fn right(&self, x: f32, y: f32, s: &str, size: f32, bold: bool) {
        self.at(x - text_width(s, size), y, s, size, bold);
    }

    fn rule(&self, y: f32) {
        self.layer.set_outline_thickness(0.4);
        self.layer.add_line(PdfLine {
            points: vec![
                (Point::new(Mm(LEFT), Mm(y)), false),
                (Point::new(Mm(RIGHT), Mm(y)), false),
            ],
            is_closed: false,
        });
    }

    /// Room for `needed` mm more, or a new page (with its footer).
    fn room(&mut self, needed: f32) -> bool {
        if self.y - needed >= BOTTOM {
            return false;
        }
        let (page, layer) = self.pdf.add_page(Mm(PAGE_W), Mm(PAGE_H), "1");
        self.layer = self.pdf.get_page(page).get_layer(layer);
        self.page += 1;
        self.y = PAGE_H - 20.0;
        self.footer();
        true
    }

    fn head(&mut self, title: &str) {
        let t = self.lang.texts();
        let d = self.doc.input();
        let s = &d.seller;
        let name = s
            .trading_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&s.legal_name);
        self.at(LEFT, self.y, name.trim(), 14.0, true);
        self.at(120.0, self.y, title, 16.0, true);
        let mut left = self.y - 7.0;
        for l in address_lines(&s.address) {
            self.at(LEFT, left, &l, BODY, false);
            left -= LINE;
        }
        // Number, dates and how to pay, on the right.
        let mut rows: Vec<(&str, String)> = vec![
            (t.number, d.number.trim().to_string()),
            (t.issue_date, d.issue_date.to_string()),
        ];
        if let Some(due) = d.due_date {
            rows.push((t.due_date, due.to_string()));
        }
        if let Some(p) = &d.payment {
            let giro = match p.account {
                PayeeAccount::Bankgiro(_) => "Bankgiro",
                PayeeAccount::Plusgiro(_) => "Plusgiro",
            };
            rows.push((giro, p.account.display()));
            rows.push((t.ocr, p.ocr.as_str().to_string()));
        }
        if let DocumentKind::CreditNote { original } = self.doc.kind() {
            rows.push((
                t.credits,
                format!("{} ({})", original.number.trim(), original.issue_date),
            ));
        }
        rows.push((
            t.buyer_reference,
            d.buyer.buyer_reference.trim().to_string(),
        ));
        if let Some(order) = d
            .order_reference
            .as_deref()
            .filter(|o| !o.trim().is_empty())
        {
            rows.push((t.order_reference, order.trim().to_string()));
        }
        if let Some(p) = d.period {
            rows.push((t.period, format!("{} – {}", p.start(), p.end())));
        }
        let mut right = self.y - 7.0;
        for (label, value) in &rows {
            self.at(120.0, right, label, BODY, false);
            self.at(152.0, right, value, BODY, true);
            right -= LINE;
        }
        // The customer.
        let mut y = left.min(right) - 6.0;
        self.at(LEFT, y, t.bill_to, BODY, true);
        y -= LINE;
        let b = &d.buyer;
        let mut buyer = vec![b.legal_name.trim().to_string()];
        buyer.extend(address_lines(&b.address));
        if let Some(name) = b.contact.as_ref().and_then(|c| c.name.as_deref()) {
            buyer.push(name.trim().to_string());
        }
        for l in buyer {
            self.at(LEFT, y, &l, BODY, false);
            y -= LINE;
        }
        if let Some(note) = d.note.as_deref().filter(|n| !n.trim().is_empty()) {
            y -= 2.0;
            for l in wrap(note, RIGHT - LEFT) {
                self.at(LEFT, y, &l, BODY, false);
                y -= LINE;
            }
        }
        self.y = y - 4.0;
    }

    fn table_header(&mut self) {
        let t = self.lang.texts();
        let y = self.y;
        self.at(LEFT, y, t.description, BODY, true);
        self.right(118.0, y, t.quantity, BODY, true);
        self.right(156.0, y, t.unit_price, BODY, true);
        self.right(168.0, y, t.vat, BODY, true);
        self.right(RIGHT, y, t.amount, BODY, true);
        self.rule(y - 1.5);
        self.y -= LINE + 1.5;
    }

    fn lines_table(&mut self) {
        self.table_header();
        let lines = self.doc.input().lines.clone();
        for line in &lines {
            let description = wrap(&line.description, 80.0);
            let needed = LINE * (description.len() as f32 + f32::from(line.period.is_some()));
            if self.room(needed) {
                self.table_header();
            }
            self.line_row(line, &description);
        }
        self.rule(self.y + LINE - 1.5);
        self.y -= 3.0;
    }

    fn line_row(&mut self, line: &Line, description: &[String]) {
        let lang = self.lang;
        let y = self.y;
        self.at(LEFT, y, &description[0], BODY, false);
        self.right(
            118.0,
            y,
            &format!("{} {}", lang.quantity(line.quantity), lang.unit(line.unit)),
            BODY,
            false,
        );
        let price = match line.base_quantity {
            Some(base) => format!(
                "{}/{} {}",
                lang.amount(line.unit_price_ore),
                lang.quantity(base),
                lang.unit(line.unit)
            ),
            None => lang.amount(line.unit_price_ore),
        };
        self.right(156.0, y, &price, BODY, false);
        let vat = match line.vat.percent() {
            Some(p) if line.vat.code() == "S" => format!("{p} %"),
            _ => line.vat.code().to_string(),
        };
        self.right(168.0, y, &vat, BODY, false);
        self.right(RIGHT, y, &lang.amount(line.net_ore), BODY, false);
        self.y -= LINE;
        for more in &description[1..] {
            self.at(LEFT, self.y, more, BODY, false);
            self.y -= LINE;
        }
        if let Some(p) = line.period {
            self.at(
                LEFT + 3.0,
                self.y,
                &format!("{} – {}", p.start(), p.end()),
                8.0,
                false,
            );
            self.y -= LINE;
        }
    }

    fn totals(&mut self) {
        let lang = self.lang;
        let t = lang.texts();
        let totals = self.doc.totals().clone();
        let credit = matches!(self.doc.kind(), DocumentKind::CreditNote { .. });
        let breakdown_rows: f32 = totals
            .breakdown
            .iter()
            .map(|b| {
                if b.category.exemption().is_some() {
                    2.0
                } else {
                    1.0
                }
            })
            .sum();
        self.room(LINE * (breakdown_rows + 6.0));
        self.at(LEFT, self.y, t.vat_breakdown, BODY, true);
        self.y -= LINE;
        for b in &totals.breakdown {
            let rate = match b.category.percent() {
                Some(p) if b.category.code() == "S" => format!("{p} %"),
                _ => format!("{} ({})", b.category.code(), t.no_vat),
            };
            self.at(LEFT, self.y, &rate, BODY, false);
            self.at(
                LEFT + 30.0,
                self.y,
                &format!("{} {}", t.taxable, lang.amount(b.taxable_ore)),
                BODY,
                false,
            );
            self.right(120.0, self.y, &lang.amount(b.vat_ore), BODY, false);
            self.y -= LINE;
            if let Some(e) = b.category.exemption() {
                self.at(LEFT + 3.0, self.y, e.text(), 8.0, false);
                self.y -= LINE;
            }
        }
        let mut y = self.y + LINE * (breakdown_rows + 1.0);
        let rows = [
            (t.total_excl, totals.tax_exclusive_ore, false),
            (t.total_vat, totals.vat_ore, false),
            (
                if credit { t.credited } else { t.to_pay },
                totals.payable_ore,
                true,
            ),
        ];
        for (label, ore, bold) in rows {
            let size = if bold { 11.0 } else { BODY };
            self.at(130.0, y, label, size, bold);
            self.right(RIGHT, y, &format!("{} SEK", lang.amount(ore)), size, bold);
            y -= LINE + if bold { 1.0 } else { 0.0 };
        }
        self.y = self.y.min(y) - 4.0;
        let terms = self.doc.input().payment_terms.trim().to_string();
        self.room(LINE * 2.0);
        self.at(LEFT, self.y, t.payment_terms, BODY, true);
        self.y -= LINE;
        for l in wrap(&terms, RIGHT - LEFT) {
            self.at(LEFT, self.y, &l, BODY, false);
            self.y -= LINE;
        }
    }

    /// The operator's legal details at the foot of every page.
    fn footer(&self) {
        let t = self.lang.texts();
        let s = &self.doc.input().seller;
        self.rule(30.0);
        let mut left = vec![s.legal_name.trim().to_string()];
        left.extend(address_lines(&s.address));
        let mut middle = vec![
            format!("{} {}", t.org_no, s.org_number.as_str()),
            format!("{} {}", t.vat_no, s.vat_number.as_str()),
        ];
        if s.f_skatt {
            middle.push(t.f_skatt.to_string());
        }
        if let Some(info) = s.legal_info.as_deref().filter(|i| !i.trim().is_empty()) {
            middle.push(info.trim().to_string());
        }
        let mut right = Vec::new();
        if let Some(c) = &s.contact {
            for v in [&c.phone, &c.email].into_iter().flatten() {
                right.push(v.trim().to_string());
            }
        }
        right.push(format!("{} {}", t.page, self.page));
        for (x, column) in [(LEFT, left), (80.0, middle), (145.0, right)] {
            let mut y = 26.0;
            for l in column {
                self.at(x, y, &l, 7.5, false);
                y -= 3.6;
            }
        }
    }
}

/// The character if the standard fonts' WinAnsi encoding has it, else "?".
fn win_ansi(c: char) -> char {
    const EXTRA: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    match c {
        ' '..='~' | '\u{a0}'..='\u{ff}' => c,
        c if EXTRA.contains(c) => c,
        _ => '?',
    }
}

fn address_lines(a: &crate::document::Address) -> Vec<String> {
    let mut v = vec![a.street.trim().to_string()];
    if let Some(more) = a.additional.as_deref().filter(|m| !m.trim().is_empty()) {
        v.push(more.trim().to_string());
    }
    let city = format!("{} {}", a.postal_code.trim(), a.city.trim());
    v.push(if a.country == "SE" {
        city
    } else {
        format!("{city}, {}", a.country)
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_each_language() {
        assert_eq!(Language::Swedish.amount(12_345_678), "123 456,78");
        assert_eq!(Language::English.amount(12_345_678), "123,456.78");
        assert_eq!(Language::English.amount(-5), "-0.05");
    }

    #[test]
    fn characters_outside_win_ansi_show_as_question_marks() {
        let shown: String = "Łódź – Åsa €".chars().map(win_ansi).collect();
        assert_eq!(shown, "?ód? – Åsa €");
    }

    #[test]
    fn long_descriptions_wrap() {
        let lines = wrap(&"ord ".repeat(60), 88.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, BODY) <= 88.0));
        assert_eq!(wrap("", 10.0), vec![String::new()]);
    }
}
