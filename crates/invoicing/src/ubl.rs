//! Peppol BIS Billing 3.0 documents: UBL 2.1 `Invoice` and `CreditNote`
//! as Swedish public buyers must receive them (law 2018:1277).
//!
//! The writer follows the element order of the UBL 2.1 schemas and states
//! what the EN 16931 and Peppol rules (with the Swedish SE-R rules) ask
//! for: organisation numbers under scheme 0007, the seller's VAT number and
//! "Godkänd för F-skatt", bankgiro or plusgiro as payment means 30 with the
//! OCR reference as payment id, a VAT breakdown per category and rate with
//! exemption reasons, and line periods. Everything it writes comes from a
//! checked [`Document`], so writing cannot fail.
//!
//! `.ci/einvoice.sh` runs the official validation artefacts on every
//! document the tests write to `target/einvoice/`.

use chrono::NaiveDate;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::document::{Address, Contact, Document, PeppolEndpoint};
use crate::invoice::{DocumentKind, Line, Period};
use crate::vat::VatCategory;

/// EN 16931 conformant, Peppol BIS Billing 3.0 (BT-24).
pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// Peppol business process "billing" (BT-23).
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

const NS_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const NS_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const NS_CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const NS_CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
const CURRENCY: &str = "SEK";

/// The document as UBL 2.1 XML, UTF-8, indented by two spaces.
pub fn to_ubl(doc: &Document) -> String {
    let mut x = Xml::new();
    x.declaration();
    let credit = matches!(doc.kind(), DocumentKind::CreditNote { .. });
    let (root, ns) = if credit {
        ("CreditNote", NS_CREDIT_NOTE)
    } else {
        ("Invoice", NS_INVOICE)
    };
    x.open_with(
        root,
        &[("xmlns", ns), ("xmlns:cac", NS_CAC), ("xmlns:cbc", NS_CBC)],
    );
    header(&mut x, doc, credit);
    x.close(root);
    x.finish()
}

fn header(x: &mut Xml, doc: &Document, credit: bool) {
    let d = doc.input();
    x.text("cbc:CustomizationID", CUSTOMIZATION_ID);
    x.text("cbc:ProfileID", PROFILE_ID);
    x.text("cbc:ID", d.number.trim());
    x.text("cbc:IssueDate", &date(d.issue_date));
    if let (false, Some(due)) = (credit, d.due_date) {
        x.text("cbc:DueDate", &date(due));
    }
    x.text(
        if credit {
            "cbc:CreditNoteTypeCode"
        } else {
            "cbc:InvoiceTypeCode"
        },
        doc.kind().type_code(),
    );
    if let Some(note) = non_empty(&d.note) {
        x.text("cbc:Note", note);
    }
    x.text("cbc:DocumentCurrencyCode", CURRENCY);
    x.text("cbc:BuyerReference", d.buyer.buyer_reference.trim());
    if let Some(period) = d.period {
        period_element(x, period);
    }
    if let Some(order) = non_empty(&d.order_reference) {
        x.open("cac:OrderReference");
        x.text("cbc:ID", order);
        x.close("cac:OrderReference");
    }
    if let DocumentKind::CreditNote { original } = doc.kind() {
        x.open("cac:BillingReference");
        x.open("cac:InvoiceDocumentReference");
        x.text("cbc:ID", original.number.trim());
        x.text("cbc:IssueDate", &date(original.issue_date));
        x.close("cac:InvoiceDocumentReference");
        x.close("cac:BillingReference");
    }
    seller(x, doc);
    buyer(x, doc);
    if let Some(payment) = &d.payment {
        x.open("cac:PaymentMeans");
        x.text_with("cbc:PaymentMeansCode", &[("name", "Credit transfer")], "30");
        x.text("cbc:PaymentID", payment.ocr.as_str());
        x.open("cac:PayeeFinancialAccount");
        x.text("cbc:ID", payment.account.digits());
        x.open("cac:FinancialInstitutionBranch");
        x.text("cbc:ID", payment.account.branch());
        x.close("cac:FinancialInstitutionBranch");
        x.close("cac:PayeeFinancialAccount");
        x.close("cac:PaymentMeans");
    }
    x.open("cac:PaymentTerms");
    x.text("cbc:Note", d.payment_terms.trim());
    x.close("cac:PaymentTerms");
    tax_total(x, doc);
    monetary_total(x, doc);
    for (i, line) in d.lines.iter().enumerate() {
        line_element(x, i + 1, line, credit);
    }
}

fn seller(x: &mut Xml, doc: &Document) {
    let s = &doc.input().seller;
    x.open("cac:AccountingSupplierParty");
    x.open("cac:Party");
    endpoint(x, &s.endpoint);
    x.open("cac:PartyName");
    x.text(
        "cbc:Name",
        non_empty(&s.trading_name).unwrap_or(s.legal_name.trim()),
    );
    x.close("cac:PartyName");
    address(x, &s.address);
    if !doc.outside_scope() {
        tax_scheme(x, s.vat_number.as_str(), "VAT");
    }
    if s.f_skatt {
        tax_scheme(x, "Godkänd för F-skatt", "TAX");
    }
    x.open("cac:PartyLegalEntity");
    x.text("cbc:RegistrationName", s.legal_name.trim());
    x.text_with(
        "cbc:CompanyID",
        &[("schemeID", "0007")],
        &digits(s.org_number.as_str()),
    );
    if let Some(info) = non_empty(&s.legal_info) {
        x.text("cbc:CompanyLegalForm", info);
    }
    x.close("cac:PartyLegalEntity");
    contact(x, s.contact.as_ref());
    x.close("cac:Party");
    x.close("cac:AccountingSupplierParty");
}

fn buyer(x: &mut Xml, doc: &Document) {
    let b = &doc.input().buyer;
    x.open("cac:AccountingCustomerParty");
    x.open("cac:Party");
    endpoint(x, &b.endpoint);
    x.open("cac:PartyName");
    x.text("cbc:Name", b.legal_name.trim());
    x.close("cac:PartyName");
    address(x, &b.address);
    if let (false, Some(vat)) = (doc.outside_scope(), non_empty(&b.vat_number)) {
        tax_scheme(x, vat, "VAT");
    }
    x.open("cac:PartyLegalEntity");
    x.text("cbc:RegistrationName", b.legal_name.trim());
    if let Some(org) = &b.org_number {
        x.text_with(
            "cbc:CompanyID",
            &[("schemeID", "0007")],
            &digits(org.as_str()),
        );
    }
    x.close("cac:PartyLegalEntity");
    contact(x, b.contact.as_ref());
    x.close("cac:Party");
    x.close("cac:AccountingCustomerParty");
}

fn endpoint(x: &mut Xml, e: &PeppolEndpoint) {
    x.text_with(
        "cbc:EndpointID",
        &[("schemeID", e.scheme.trim())],
        e.id.trim(),
    );
}

fn address(x: &mut Xml, a: &Address) {
    x.open("cac:PostalAddress");
    x.text("cbc:StreetName", a.street.trim());
    if let Some(more) = non_empty(&a.additional) {
        x.text("cbc:AdditionalStreetName", more);
    }
    x.text("cbc:CityName", a.city.trim());
    x.text("cbc:PostalZone", a.postal_code.trim());
    x.open("cac:Country");
    x.text("cbc:IdentificationCode", &a.country);
    x.close("cac:Country");
    x.close("cac:PostalAddress");
}

fn tax_scheme(x: &mut Xml, company_id: &str, scheme: &str) {
    x.open("cac:PartyTaxScheme");
    x.text("cbc:CompanyID", company_id);
    x.open("cac:TaxScheme");
    x.text("cbc:ID", scheme);
    x.close("cac:TaxScheme");
    x.close("cac:PartyTaxScheme");
}

fn contact(x: &mut Xml, c: Option<&Contact>) {
    let Some(c) = c else { return };
    let fields = [
        ("cbc:Name", non_empty(&c.name)),
        ("cbc:Telephone", non_empty(&c.phone)),
        ("cbc:ElectronicMail", non_empty(&c.email)),
    ];
    // An empty Contact element is refused (PEPPOL-EN16931-R008).
    if fields.iter().all(|(_, v)| v.is_none()) {
        return;
    }
    x.open("cac:Contact");
    for (name, value) in fields {
        if let Some(v) = value {
            x.text(name, v);
        }
    }
    x.close("cac:Contact");
}

fn period_element(x: &mut Xml, p: Period) {
    x.open("cac:InvoicePeriod");
    x.text("cbc:StartDate", &date(p.start()));
    x.text("cbc:EndDate", &date(p.end()));
    x.close("cac:InvoicePeriod");
}

fn tax_category(x: &mut Xml, element: &str, vat: &VatCategory, with_reason: bool) {
    x.open(element);
    x.text("cbc:ID", vat.code());
    if let Some(p) = vat.percent() {
        x.text("cbc:Percent", &p.to_string());
    }
    if with_reason {
        if let Some(e) = vat.exemption() {
            if let Some(code) = e.code() {
                x.text("cbc:TaxExemptionReasonCode", code);
            }
            x.text("cbc:TaxExemptionReason", e.text());
        }
    }
    x.open("cac:TaxScheme");
    x.text("cbc:ID", "VAT");
    x.close("cac:TaxScheme");
    x.close(element);
}

fn tax_total(x: &mut Xml, doc: &Document) {
    let t = doc.totals();
    x.open("cac:TaxTotal");
    x.amount("cbc:TaxAmount", t.vat_ore);
    for b in &t.breakdown {
        x.open("cac:TaxSubtotal");
        x.amount("cbc:TaxableAmount", b.taxable_ore);
        x.amount("cbc:TaxAmount", b.vat_ore);
        tax_category(x, "cac:TaxCategory", &b.category, true);
        x.close("cac:TaxSubtotal");
    }
    x.close("cac:TaxTotal");
}

fn monetary_total(x: &mut Xml, doc: &Document) {
    let t = doc.totals();
    x.open("cac:LegalMonetaryTotal");
    x.amount("cbc:LineExtensionAmount", t.line_net_ore);
    x.amount("cbc:TaxExclusiveAmount", t.tax_exclusive_ore);
    x.amount("cbc:TaxInclusiveAmount", t.tax_inclusive_ore);
    x.amount("cbc:PayableAmount", t.payable_ore);
    x.close("cac:LegalMonetaryTotal");
}

fn line_element(x: &mut Xml, id: usize, line: &Line, credit: bool) {
    let (element, quantity) = if credit {
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    } else {
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    };
    x.open(element);
    x.text("cbc:ID", &id.to_string());
    x.text_with(
        quantity,
        &[("unitCode", line.unit.code())],
        &line.quantity.to_string(),
    );
    x.amount("cbc:LineExtensionAmount", line.net_ore);
    if let Some(p) = line.period {
        period_element(x, p);
    }
    x.open("cac:Item");
    x.text("cbc:Name", &item_name(&line.description));
    tax_category(x, "cac:ClassifiedTaxCategory", &line.vat, false);
    x.close("cac:Item");
    x.open("cac:Price");
    x.amount("cbc:PriceAmount", line.unit_price_ore);
    if let Some(base) = line.base_quantity {
        x.text_with(
            "cbc:BaseQuantity",
            &[("unitCode", line.unit.code())],
            &base.to_string(),
        );
    }
    x.close("cac:Price");
    x.close(element);
}

/// The item name is a single line; a description with line breaks is
/// joined with spaces.
fn item_name(description: &str) -> String {
    description.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The text without the control characters XML 1.0 cannot carry (a name
/// pasted with one would make the whole document unreadable); a line
/// break or tab becomes a space.
fn xml_chars(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            '\u{fffe}' | '\u{ffff}' => None,
            c => Some(c),
        })
        .collect()
}

/// Öre as the decimal amount UBL states: "1234.50", "-0.05".
pub fn amount(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let a = ore.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A thin layer over quick-xml's writer. Writing into a `Vec` cannot fail,
/// so the I/O results are unwrapped here, once.
struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    fn new() -> Self {
        Self {
            w: Writer::new_with_indent(Vec::new(), b' ', 2),
        }
    }

    fn declaration(&mut self) {
        self.w
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .expect("writing to memory");
    }

    fn open(&mut self, name: &str) {
        self.open_with(name, &[]);
    }

    fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let mut start = quick_xml::events::BytesStart::new(name);
        for a in attributes {
            start.push_attribute(*a);
        }
        self.w
            .write_event(Event::Start(start))
            .expect("writing to memory");
    }

    fn close(&mut self, name: &str) {
        self.w
            .write_event(Event::End(quick_xml::events::BytesEnd::new(name)))
            .expect("writing to memory");
    }

    fn text(&mut self, name: &str, value: &str) {
        self.text_with(name, &[], value);
    }

    fn text_with(&mut self, name: &str, attributes: &[(&str, &str)], value: &str) {
        let value = xml_chars(value);
        self.w
            .create_element(name)
            .with_attributes(attributes.iter().copied())
            .write_text_content(BytesText::new(&value))
            .expect("writing to memory");
    }

    fn amount(&mut self, name: &str, ore: i64) {
        self.text_with(name, &[("currencyID", CURRENCY)], &amount(ore));
    }

    fn finish(self) -> String {
        let mut s = String::from_utf8(self.w.into_inner()).expect("written from strings");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_decimals() {
        assert_eq!(amount(123_450), "1234.50");
        assert_eq!(amount(5), "0.05");
        assert_eq!(amount(-5), "-0.05");
        assert_eq!(amount(0), "0.00");
    }

    #[test]
    fn control_characters_are_left_out() {
        assert_eq!(xml_chars("A\u{0}B\u{1b}C\nD"), "ABC D");
        assert_eq!(xml_chars("Åsa & <Ö>"), "Åsa & <Ö>");
    }

    #[test]
    fn item_names_are_one_line() {
        assert_eq!(item_name("Kontorsplats\n  Anna"), "Kontorsplats Anna");
    }
}
