//! An invoice or credit note as a whole: the selling operator, the buying
//! organisation, how to pay, the lines and the totals — checked once, so
//! that every format written from a [`Document`] (UBL, PDF, SIE) can rely
//! on it being complete.
//!
//! A document that cannot be issued is refused with a [`DocumentError`]
//! that says what to fill in (a customer's missing buyer reference blocks
//! that customer's invoice only; nothing is written).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thirdplace_domain::orgnr::luhn_check_digit;
use thirdplace_domain::OrgNumber;

use crate::invoice::{document_totals, DocumentKind, InvoiceError, Line, Period, Totals};
use crate::ocr::OcrReference;
use crate::vat::VatCategory;

/// A postal address (UBL `PostalAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street and number, or "Box 100".
    pub street: String,
    pub additional: Option<String>,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, "SE".
    pub country: String,
}

impl Address {
    fn is_complete(&self) -> bool {
        [&self.street, &self.postal_code, &self.city]
            .iter()
            .all(|s| !s.trim().is_empty())
            && self.country.len() == 2
            && self.country.chars().all(|c| c.is_ascii_uppercase())
    }
}

/// Someone to ask about the invoice (UBL `Contact`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Where the Peppol network delivers to or from: an electronic address with
/// its scheme (ISO 6523 ICD; `0007` is the Swedish organisation number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeppolEndpoint {
    pub scheme: String,
    pub id: String,
}

impl PeppolEndpoint {
    /// The default: scheme 0007 with the ten digits of the organisation
    /// number.
    pub fn for_org_number(org: &OrgNumber) -> Self {
        Self {
            scheme: "0007".into(),
            id: digits_of(org.as_str()),
        }
    }
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A Swedish VAT registration number (momsregistreringsnummer):
/// `SE`, the ten digits of the organisation number, `01`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SeVatNumber(String);

impl SeVatNumber {
    pub fn for_org_number(org: &OrgNumber) -> Self {
        Self(format!("SE{}01", digits_of(org.as_str())))
    }

    /// Parses "SE559012345001" (spaces and a hyphen are ignored), checking
    /// the organisation number's check digit.
    pub fn parse(raw: &str) -> Result<Self, DocumentError> {
        let bad = || DocumentError::VatNumberMalformed(raw.to_string());
        let s: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>()
            .to_ascii_uppercase();
        let digits = s.strip_prefix("SE").ok_or_else(bad)?;
        if digits.len() != 12
            || !digits.chars().all(|c| c.is_ascii_digit())
            || &digits[10..] != "01"
        {
            return Err(bad());
        }
        let ten: Vec<u8> = digits[..10].bytes().map(|b| b - b'0').collect();
        if luhn_check_digit(&ten[..9]) != ten[9] {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The account a customer pays to. Both are Swedish giro numbers with a
/// Luhn check digit; Peppol writes them as payment means 30 with the
/// branch `SE:BANKGIRO` or `SE:PLUSGIRO` (rules SE-R-007..011).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum PayeeAccount {
    /// Bankgiro: 7 or 8 digits, written `NNN-NNNN` or `NNNN-NNNN`.
    Bankgiro(String),
    /// Plusgiro: 2 to 8 digits, written with a hyphen before the last.
    Plusgiro(String),
}

impl PayeeAccount {
    pub fn bankgiro(raw: &str) -> Result<Self, DocumentError> {
        giro_digits(raw, 7, 8).map(PayeeAccount::Bankgiro)
    }

    pub fn plusgiro(raw: &str) -> Result<Self, DocumentError> {
        giro_digits(raw, 2, 8).map(PayeeAccount::Plusgiro)
    }

    /// The digits only, as UBL states them.
    pub fn digits(&self) -> &str {
        match self {
            PayeeAccount::Bankgiro(d) | PayeeAccount::Plusgiro(d) => d,
        }
    }

    /// The branch identifier Swedish Peppol uses.
    pub fn branch(&self) -> &'static str {
        match self {
            PayeeAccount::Bankgiro(_) => "SE:BANKGIRO",
            PayeeAccount::Plusgiro(_) => "SE:PLUSGIRO",
        }
    }

    /// As people write it: bankgiro "5050-1055", plusgiro "12 34 56-7".
    pub fn display(&self) -> String {
        let (d, tail) = match self {
            PayeeAccount::Bankgiro(d) => (d, 4),
            PayeeAccount::Plusgiro(d) => (d, 1),
        };
        // Made by the constructors, the number is all ASCII digits and long
        // enough; one read back from storage is shown as it is otherwise.
        if d.len() <= tail || !d.is_ascii() {
            return d.clone();
        }
        let (a, b) = d.split_at(d.len() - tail);
        format!("{a}-{b}")
    }
}

fn giro_digits(raw: &str, min: usize, max: usize) -> Result<String, DocumentError> {
    let bad = || DocumentError::GiroNumberMalformed(raw.to_string());
    let s: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if s.len() < min || s.len() > max || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let mut digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
    let check = digits.pop().expect("at least two digits");
    if crate::ocr::luhn(&digits) != check {
        return Err(bad());
    }
    Ok(s)
}

/// The selling operator (EN 16931 BG-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    /// The registered name (RegistrationName), "Kalmar kommun".
    pub legal_name: String,
    /// The name the customer knows, if another ("Kalmar Coworking").
    pub trading_name: Option<String>,
    pub org_number: OrgNumber,
    pub vat_number: SeVatNumber,
    /// Approved for F-tax (Godkänd för F-skatt): stated on the invoice.
    pub f_skatt: bool,
    /// Further legal information the law asks companies to print
    /// (BT-33), e.g. "Styrelsens säte: Kalmar".
    pub legal_info: Option<String>,
    pub address: Address,
    pub contact: Option<Contact>,
    pub endpoint: PeppolEndpoint,
}

/// The buying organisation (EN 16931 BG-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub legal_name: String,
    pub org_number: Option<OrgNumber>,
    /// Needed for reverse-charged lines.
    pub vat_number: Option<String>,
    /// The reference Swedish public buyers require (Er referens,
    /// often a cost centre or the orderer's code); BT-10.
    pub buyer_reference: String,
    pub address: Address,
    pub contact: Option<Contact>,
    pub endpoint: PeppolEndpoint,
}

/// How to pay an invoice: the account and the reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub account: PayeeAccount,
    pub ocr: OcrReference,
}

/// What an invoice or credit note says, before its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInput {
    pub kind: DocumentKind,
    /// The number in the operator's series, "K2026-0001".
    pub number: String,
    pub issue_date: NaiveDate,
    /// Required on an invoice; a credit note has none.
    pub due_date: Option<NaiveDate>,
    pub seller: Seller,
    pub buyer: Buyer,
    /// Required on an invoice; a credit note has none.
    pub payment: Option<Payment>,
    /// "30 dagar netto" (the operator's terms); on a credit note what
    /// happens to the credit.
    pub payment_terms: String,
    pub note: Option<String>,
    pub order_reference: Option<String>,
    /// The period invoiced; lines' periods must lie within it.
    pub period: Option<Period>,
    pub lines: Vec<Line>,
}

/// An invoice or credit note that can be issued, with its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    #[serde(flatten)]
    input: DocumentInput,
    totals: Totals,
}

impl Document {
    pub fn new(input: DocumentInput) -> Result<Self, DocumentError> {
        let number = input.number.trim();
        if number.is_empty() || number.len() > 40 {
            return Err(DocumentError::NumberMissing);
        }
        if input.buyer.buyer_reference.trim().is_empty() {
            return Err(DocumentError::BuyerReferenceMissing);
        }
        if !input.buyer.address.is_complete() {
            return Err(DocumentError::BuyerAddressMissing);
        }
        if !input.seller.address.is_complete() {
            return Err(DocumentError::SellerAddressMissing);
        }
        if input.payment_terms.trim().is_empty() {
            return Err(DocumentError::PaymentTermsMissing);
        }
        for endpoint in [&input.seller.endpoint, &input.buyer.endpoint] {
            if endpoint.scheme.trim().is_empty() || endpoint.id.trim().is_empty() {
                return Err(DocumentError::EndpointMissing);
            }
        }
        match &input.kind {
            DocumentKind::Invoice => {
                let due = input.due_date.ok_or(DocumentError::DueDateMissing)?;
                if due < input.issue_date {
                    return Err(DocumentError::DueBeforeIssue);
                }
                if input.payment.is_none() {
                    return Err(DocumentError::PaymentMissing);
                }
            }
            DocumentKind::CreditNote { original } => {
                if input.due_date.is_some() || input.payment.is_some() {
                    return Err(DocumentError::CreditNoteWithPayment);
                }
                if original.number.trim().is_empty() {
                    return Err(DocumentError::NumberMissing);
                }
                if original.issue_date > input.issue_date {
                    return Err(DocumentError::CreditBeforeOriginal);
                }
            }
        }
        if input
            .lines
            .iter()
            .any(|l| l.vat == VatCategory::ReverseCharge)
            && input
                .buyer
                .vat_number
                .as_deref()
                .is_none_or(|v| v.trim().is_empty())
        {
            return Err(DocumentError::ReverseChargeWithoutBuyerVat);
        }
        if let Some(period) = input.period {
            let outside = input
                .lines
                .iter()
                .filter_map(|l| l.period)
                .any(|p| p.start() < period.start() || p.end() > period.end());
            if outside {
                return Err(DocumentError::LinePeriodOutside);
            }
        }
        let totals = document_totals(&input.kind, &input.lines)?;
        Ok(Self { input, totals })
    }

    pub fn input(&self) -> &DocumentInput {
        &self.input
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    pub fn kind(&self) -> &DocumentKind {
        &self.input.kind
    }

    /// True when every line is outside the scope of VAT: EN 16931 then
    /// forbids stating the parties' VAT numbers (BR-O-02..04).
    pub fn outside_scope(&self) -> bool {
        self.input
            .lines
            .iter()
            .all(|l| l.vat == VatCategory::OutsideScope)
    }
}

/// Why a document cannot be issued, each saying what to fill in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    Lines(#[from] InvoiceError),
    #[error("the invoice has no number")]
    NumberMissing,
    #[error("the customer has no buyer reference (Er referens): fill it in on the organisation's invoicing details")]
    BuyerReferenceMissing,
    #[error("the customer has no complete invoice address (street, postal code, city, country): fill it in on the organisation's invoicing details")]
    BuyerAddressMissing,
    #[error("the operator has no complete address: fill it in on the operator's details")]
    SellerAddressMissing,
    #[error("the payment terms are missing: fill them in on the operator's details")]
    PaymentTermsMissing,
    #[error("a Peppol endpoint (scheme and identifier) is missing")]
    EndpointMissing,
    #[error("an invoice needs a due date")]
    DueDateMissing,
    #[error("the due date is before the issue date")]
    DueBeforeIssue,
    #[error("an invoice needs the operator's bankgiro or plusgiro and an OCR reference")]
    PaymentMissing,
    #[error("a credit note has no due date and no payment instructions")]
    CreditNoteWithPayment,
    #[error("a credit note cannot be dated before the invoice it credits")]
    CreditBeforeOriginal,
    #[error(
        "reverse-charged lines need the customer's VAT number: fill it in on the organisation"
    )]
    ReverseChargeWithoutBuyerVat,
    #[error("a line's period lies outside the invoice's period")]
    LinePeriodOutside,
    #[error(
        "{0:?} is not a Swedish VAT number (SE, the ten digits of the organisation number, 01)"
    )]
    VatNumberMalformed(String),
    #[error("{0:?} is not a bankgiro or plusgiro number (digits with a check digit)")]
    GiroNumberMalformed(String),
}

impl DocumentError {
    /// The stable code translations and the JSON error use.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Lines(e) => e.code(),
            DocumentError::NumberMissing => "invoice_number_missing",
            DocumentError::BuyerReferenceMissing => "buyer_reference_missing",
            DocumentError::BuyerAddressMissing => "buyer_address_missing",
            DocumentError::SellerAddressMissing => "seller_address_missing",
            DocumentError::PaymentTermsMissing => "payment_terms_missing",
            DocumentError::EndpointMissing => "peppol_endpoint_missing",
            DocumentError::DueDateMissing => "due_date_missing",
            DocumentError::DueBeforeIssue => "due_before_issue",
            DocumentError::PaymentMissing => "payment_missing",
            DocumentError::CreditNoteWithPayment => "credit_note_with_payment",
            DocumentError::CreditBeforeOriginal => "credit_before_original",
            DocumentError::ReverseChargeWithoutBuyerVat => "reverse_charge_without_buyer_vat",
            DocumentError::LinePeriodOutside => "line_period_outside",
            DocumentError::VatNumberMalformed(_) => "vat_number_malformed",
            DocumentError::GiroNumberMalformed(_) => "giro_number_malformed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_numbers_follow_the_org_number() {
        let org = OrgNumber::parse("559012-3450").unwrap();
        assert_eq!(SeVatNumber::for_org_number(&org).as_str(), "SE559012345001");
        assert_eq!(
            SeVatNumber::parse("se 5590123450 01").unwrap().as_str(),
            "SE559012345001"
        );
        assert!(SeVatNumber::parse("SE559012345101").is_err()); // check digit
        assert!(SeVatNumber::parse("SE559012345002").is_err());
        assert!(SeVatNumber::parse("5590123450").is_err());
        assert_eq!(
            PeppolEndpoint::for_org_number(&org),
            PeppolEndpoint {
                scheme: "0007".into(),
                id: "5590123450".into()
            }
        );
    }

    #[test]
    fn giro_numbers_carry_a_check_digit() {
        let bg = PayeeAccount::bankgiro("5050-1055").unwrap();
        assert_eq!(bg.digits(), "50501055");
        assert_eq!(bg.display(), "5050-1055");
        assert_eq!(bg.branch(), "SE:BANKGIRO");
        assert!(PayeeAccount::bankgiro("5050-1056").is_err());
        assert!(PayeeAccount::bankgiro("123").is_err());
        let pg = PayeeAccount::plusgiro("4 77 56 8-0").unwrap();
        assert_eq!(pg.display(), "477568-0");
        assert!(PayeeAccount::plusgiro("4775683").is_err());
    }
}
