//! The parties of an invoice (issue 16): an operator as seller
//! ([`SellerDetails`]) and a customer organisation as buyer
//! ([`BuyerDetails`]), with the Swedish identifiers they carry and their
//! checks: VAT number (momsregistreringsnummer: `SE`, the organisation
//! number and `01`), bankgiro and plusgiro numbers (Luhn check digit),
//! postcode (postnummer). Pure: no I/O.

use crate::checked::{Check, Checked};
use crate::entities::{optional_text, NAME_MAX};
use crate::error::{invalid, FieldError, ValidationErrors};
use crate::orgnr::OrgNumber;
use crate::text::Email;
use serde::{Deserialize, Serialize};

/// The Peppol participant identifier scheme of Swedish organisation
/// numbers (ISO 6523 ICD 0007), the default of sellers and buyers.
pub const PEPPOL_SCHEME_ORGNR: &str = "0007";

/// The BAS account for services sold at 25 % VAT in Sweden, the default
/// revenue account of every product.
pub const DEFAULT_REVENUE_ACCOUNT: i64 = 3041;

/// Days to pay when the operator says nothing else.
pub const DEFAULT_PAYMENT_TERMS_DAYS: i64 = 30;

fn digits_of(raw: &str, allowed: &[char]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for c in raw.trim().chars() {
        match c {
            '0'..='9' => out.push(c as u8 - b'0'),
            c if allowed.contains(&c) => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Whether the last digit is the Luhn check digit of the others, weights
/// 2, 1, 2, … from the right (bankgiro and plusgiro numbers vary in length).
fn luhn_ok(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let p = u32::from(d) * if i % 2 == 1 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    d.len() >= 2 && sum.is_multiple_of(10)
}

fn text_of(d: &[u8]) -> String {
    d.iter().map(|d| char::from(b'0' + d)).collect()
}

/// A Swedish VAT number (momsregistreringsnummer): `SE`, the ten digits of
/// the organisation number (check digit verified) and `01`, kept as
/// `SE5560000001 01` without spaces: `SE556000000101`.
pub type VatNumber = Checked<VatNumberCheck>;

pub enum VatNumberCheck {}

impl Check for VatNumberCheck {
    const NAME: &'static str = "VatNumber";

    fn check(raw: &str) -> Result<String, FieldError> {
        let t: String = raw
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let shape = || {
            invalid(
                "invalid_vat_number",
                "is not a Swedish VAT number (SE, the ten digits of the organisation number, 01)",
            )
        };
        let Some(rest) = t.strip_prefix("SE") else {
            return Err(shape());
        };
        if rest.len() != 12 || !rest.chars().all(|c| c.is_ascii_digit()) || !rest.ends_with("01") {
            return Err(shape());
        }
        let d = digits_of(&rest[..10], &[]).ok_or_else(shape)?;
        if !luhn_ok(&d) {
            return Err(invalid(
                "vat_number_checksum",
                "has a wrong check digit in its organisation number: please check for a typing error",
            ));
        }
        Ok(format!("SE{rest}"))
    }
}

impl VatNumber {
    /// The organisation number it carries, `NNNNNN-NNNN`.
    pub fn org_number_part(&self) -> String {
        let s = self.as_str();
        format!("{}-{}", &s[2..8], &s[8..12])
    }
}

/// A bankgiro number: seven or eight digits, the last a Luhn check digit;
/// kept as `NNN-NNNN` or `NNNN-NNNN`.
pub type Bankgiro = Checked<BankgiroCheck>;

pub enum BankgiroCheck {}

impl Check for BankgiroCheck {
    const NAME: &'static str = "Bankgiro";

    fn check(raw: &str) -> Result<String, FieldError> {
        let shape = || {
            invalid(
                "invalid_bankgiro",
                "is not a bankgiro number (7 or 8 digits)",
            )
        };
        let d = digits_of(raw, &['-', ' ']).ok_or_else(shape)?;
        if !(7..=8).contains(&d.len()) {
            return Err(shape());
        }
        if !luhn_ok(&d) {
            return Err(invalid(
                "bankgiro_checksum",
                "has a wrong check digit: please check the number for a typing error",
            ));
        }
        let s = text_of(&d);
        let split = s.len() - 4;
        Ok(format!("{}-{}", &s[..split], &s[split..]))
    }
}

/// A plusgiro number: two to eight digits, the last a Luhn check digit;
/// kept as `NNNNNNN-N`.
pub type Plusgiro = Checked<PlusgiroCheck>;

pub enum PlusgiroCheck {}

impl Check for PlusgiroCheck {
    const NAME: &'static str = "Plusgiro";

    fn check(raw: &str) -> Result<String, FieldError> {
        let shape = || {
            invalid(
                "invalid_plusgiro",
                "is not a plusgiro number (2 to 8 digits)",
            )
        };
        let d = digits_of(raw, &['-', ' ']).ok_or_else(shape)?;
        if !(2..=8).contains(&d.len()) {
            return Err(shape());
        }
        if !luhn_ok(&d) {
            return Err(invalid(
                "plusgiro_checksum",
                "has a wrong check digit: please check the number for a typing error",
            ));
        }
        let s = text_of(&d);
        let split = s.len() - 1;
        Ok(format!("{}-{}", &s[..split], &s[split..]))
    }
}

/// A Swedish postcode (postnummer): five digits, kept as `NNN NN`.
pub type Postcode = Checked<PostcodeCheck>;

pub enum PostcodeCheck {}

impl Check for PostcodeCheck {
    const NAME: &'static str = "Postcode";

    fn check(raw: &str) -> Result<String, FieldError> {
        let shape = || {
            invalid(
                "invalid_postcode",
                "is not a postcode (five digits, NNN NN)",
            )
        };
        let d = digits_of(raw, &[' ']).ok_or_else(shape)?;
        if d.len() != 5 || d[0] == 0 {
            return Err(shape());
        }
        let s = text_of(&d);
        Ok(format!("{} {}", &s[..3], &s[3..]))
    }
}

/// A Peppol participant: scheme (ISO 6523 ICD, four digits) and identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeppolEndpoint {
    pub scheme: String,
    pub id: String,
}

impl PeppolEndpoint {
    /// The endpoint named, or by default scheme 0007 with the ten digits
    /// of the organisation number; `None` without either.
    pub fn or_org_number(
        scheme: &str,
        id: Option<&str>,
        org_number: Option<&OrgNumber>,
    ) -> Option<PeppolEndpoint> {
        match (id, org_number) {
            (Some(id), _) => Some(PeppolEndpoint {
                scheme: scheme.to_string(),
                id: id.to_string(),
            }),
            (None, Some(nr)) => Some(PeppolEndpoint {
                scheme: PEPPOL_SCHEME_ORGNR.to_string(),
                id: nr.as_str().replace('-', ""),
            }),
            (None, None) => None,
        }
    }
}

/// An operator's details as the seller on its invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SellerDetails {
    /// The registered name when it differs from the operator's name.
    pub legal_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub vat_number: Option<VatNumber>,
    /// "Godkänd för F-skatt" (approved for F tax), printed on invoices.
    pub f_tax_approved: bool,
    pub street_address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub postal_code: Option<Postcode>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2; `SE`.
    pub country: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub bankgiro: Option<Bankgiro>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub plusgiro: Option<Plusgiro>,
    /// Printed before each invoice number (may be empty).
    pub invoice_prefix: String,
    /// The first number of the series.
    pub invoice_number_start: i64,
    pub payment_terms_days: i64,
    /// Whether OCR references carry a length digit.
    pub ocr_length_digit: bool,
    pub peppol_scheme: String,
    /// `None`: the organisation number (scheme 0007).
    pub peppol_id: Option<String>,
    /// BAS revenue accounts per product.
    pub account_seat: i64,
    pub account_room_hours: i64,
    pub account_late_cancellation: i64,
    pub account_event_fee: i64,
}

impl Default for SellerDetails {
    fn default() -> Self {
        SellerDetails {
            legal_name: None,
            vat_number: None,
            f_tax_approved: false,
            street_address: None,
            postal_code: None,
            city: None,
            country: "SE".into(),
            bankgiro: None,
            plusgiro: None,
            invoice_prefix: String::new(),
            invoice_number_start: 1,
            payment_terms_days: DEFAULT_PAYMENT_TERMS_DAYS,
            ocr_length_digit: false,
            peppol_scheme: PEPPOL_SCHEME_ORGNR.into(),
            peppol_id: None,
            account_seat: DEFAULT_REVENUE_ACCOUNT,
            account_room_hours: DEFAULT_REVENUE_ACCOUNT,
            account_late_cancellation: DEFAULT_REVENUE_ACCOUNT,
            account_event_fee: DEFAULT_REVENUE_ACCOUNT,
        }
    }
}

impl SellerDetails {
    /// What an invoice needs that is missing, as field names (the VAT
    /// number, the address, a bankgiro or plusgiro).
    pub fn missing_for_invoicing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.vat_number.is_none() {
            m.push("vat_number");
        }
        if self.street_address.is_none() {
            m.push("street_address");
        }
        if self.postal_code.is_none() {
            m.push("postal_code");
        }
        if self.city.is_none() {
            m.push("city");
        }
        if self.bankgiro.is_none() && self.plusgiro.is_none() {
            m.push("bankgiro");
        }
        m
    }
}

/// A customer organisation's details as the buyer on invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BuyerDetails {
    /// The buyer's reference (required by Swedish public buyers).
    pub buyer_reference: Option<String>,
    /// Kostnadsställe.
    pub cost_centre: Option<String>,
    pub invoice_street: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub invoice_postal_code: Option<Postcode>,
    pub invoice_city: Option<String>,
    pub invoice_country: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub invoice_email: Option<Email>,
    pub peppol_scheme: String,
    /// `None`: the organisation number (scheme 0007).
    pub peppol_id: Option<String>,
}

impl Default for BuyerDetails {
    fn default() -> Self {
        BuyerDetails {
            buyer_reference: None,
            cost_centre: None,
            invoice_street: None,
            invoice_postal_code: None,
            invoice_city: None,
            invoice_country: "SE".into(),
            invoice_email: None,
            peppol_scheme: PEPPOL_SCHEME_ORGNR.into(),
            peppol_id: None,
        }
    }
}

impl BuyerDetails {
    /// What an invoice to this buyer needs that is missing, as field names
    /// (the buyer reference and the invoice address): the invoice run
    /// blocks only this buyer's invoice and says what to fill in.
    pub fn missing_for_invoicing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.buyer_reference.is_none() {
            m.push("buyer_reference");
        }
        if self.invoice_street.is_none() {
            m.push("invoice_street");
        }
        if self.invoice_postal_code.is_none() {
            m.push("invoice_postal_code");
        }
        if self.invoice_city.is_none() {
            m.push("invoice_city");
        }
        m
    }
}

// ------------------------------------------------------------- parsing

/// The raw text fields of [`SellerDetails`], as a form or body sends them.
#[derive(Debug, Clone, Copy, Default)]
pub struct SellerFields<'a> {
    pub legal_name: &'a str,
    pub vat_number: &'a str,
    pub f_tax_approved: &'a str,
    pub street_address: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub bankgiro: &'a str,
    pub plusgiro: &'a str,
    pub invoice_prefix: &'a str,
    pub invoice_number_start: &'a str,
    pub payment_terms_days: &'a str,
    pub ocr_length_digit: &'a str,
    pub peppol_scheme: &'a str,
    pub peppol_id: &'a str,
    pub account_seat: &'a str,
    pub account_room_hours: &'a str,
    pub account_late_cancellation: &'a str,
    pub account_event_fee: &'a str,
}

/// The raw text fields of [`BuyerDetails`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BuyerFields<'a> {
    pub buyer_reference: &'a str,
    pub cost_centre: &'a str,
    pub invoice_street: &'a str,
    pub invoice_postal_code: &'a str,
    pub invoice_city: &'a str,
    pub invoice_country: &'a str,
    pub invoice_email: &'a str,
    pub peppol_scheme: &'a str,
    pub peppol_id: &'a str,
}

/// `None` for an empty field, else what `parse` makes of it.
fn opt<T>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

fn opt_text(raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    optional_text(raw, max).map(|s| (!s.is_empty()).then_some(s))
}

fn int_or(raw: &str, default: i64, min: i64, max: i64) -> Result<i64, FieldError> {
    if raw.trim().is_empty() {
        Ok(default)
    } else {
        crate::entities::parse_int(raw, min, max)
    }
}

fn country(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim().to_ascii_uppercase();
    if t.is_empty() {
        return Ok("SE".into());
    }
    if t.len() != 2 || !t.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(invalid(
            "invalid_country",
            "must be a two-letter country code such as SE",
        ));
    }
    Ok(t)
}

fn peppol_scheme(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(PEPPOL_SCHEME_ORGNR.into());
    }
    if t.len() != 4 || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "invalid_peppol_scheme",
            "must be a four-digit scheme such as 0007",
        ));
    }
    Ok(t.into())
}

fn peppol_id(raw: &str) -> Result<Option<String>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.len() > 50
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:_".contains(c))
    {
        return Err(invalid(
            "invalid_peppol_id",
            "must be at most 50 letters, digits, dashes or dots",
        ));
    }
    Ok(Some(t.into()))
}

fn account(raw: &str) -> Result<i64, FieldError> {
    int_or(raw, DEFAULT_REVENUE_ACCOUNT, 3000, 3999).map_err(|_| {
        invalid(
            "invalid_revenue_account",
            "must be a revenue account of the BAS chart (3000–3999)",
        )
    })
}

fn prefix(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.len() > 10 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(invalid(
            "invalid_invoice_prefix",
            "must be at most 10 letters, digits or dashes",
        ));
    }
    Ok(t.into())
}

/// Parses the seller's fields into `e` (each problem under its field);
/// `org_number` is the operator's, which the VAT number must carry.
pub fn parse_seller(
    e: &mut ValidationErrors,
    f: SellerFields<'_>,
    org_number: Option<&OrgNumber>,
) -> Option<SellerDetails> {
    let legal_name = e.check("legal_name", opt_text(f.legal_name, NAME_MAX));
    let vat_number = e.check(
        "vat_number",
        opt(f.vat_number, VatNumber::parse).and_then(|v| match (&v, org_number) {
            (Some(v), Some(nr)) if v.org_number_part() != nr.as_str() => Err(invalid(
                "vat_number_mismatch",
                "must carry the organisation number: SE, its ten digits, 01",
            )),
            _ => Ok(v),
        }),
    );
    let street_address = e.check("street_address", opt_text(f.street_address, NAME_MAX));
    let postal_code = e.check("postal_code", opt(f.postal_code, Postcode::parse));
    let city = e.check("city", opt_text(f.city, NAME_MAX));
    let country = e.check("country", country(f.country));
    let bankgiro = e.check("bankgiro", opt(f.bankgiro, Bankgiro::parse));
    let plusgiro = e.check("plusgiro", opt(f.plusgiro, Plusgiro::parse));
    let invoice_prefix = e.check("invoice_prefix", prefix(f.invoice_prefix));
    let start = e.check(
        "invoice_number_start",
        int_or(f.invoice_number_start, 1, 1, 999_999_999),
    );
    let terms = e.check(
        "payment_terms_days",
        int_or(f.payment_terms_days, DEFAULT_PAYMENT_TERMS_DAYS, 0, 365),
    );
    let scheme = e.check("peppol_scheme", peppol_scheme(f.peppol_scheme));
    let peppol_id = e.check("peppol_id", peppol_id(f.peppol_id));
    let seat = e.check("account_seat", account(f.account_seat));
    let room = e.check("account_room_hours", account(f.account_room_hours));
    let late = e.check(
        "account_late_cancellation",
        account(f.account_late_cancellation),
    );
    let event = e.check("account_event_fee", account(f.account_event_fee));
    Some(SellerDetails {
        legal_name: legal_name?,
        vat_number: vat_number?,
        f_tax_approved: crate::entities::parse_bool(f.f_tax_approved),
        street_address: street_address?,
        postal_code: postal_code?,
        city: city?,
        country: country?,
        bankgiro: bankgiro?,
        plusgiro: plusgiro?,
        invoice_prefix: invoice_prefix?,
        invoice_number_start: start?,
        payment_terms_days: terms?,
        ocr_length_digit: crate::entities::parse_bool(f.ocr_length_digit),
        peppol_scheme: scheme?,
        peppol_id: peppol_id?,
        account_seat: seat?,
        account_room_hours: room?,
        account_late_cancellation: late?,
        account_event_fee: event?,
    })
}

/// Parses the buyer's fields into `e` (each problem under its field).
pub fn parse_buyer(e: &mut ValidationErrors, f: BuyerFields<'_>) -> Option<BuyerDetails> {
    let buyer_reference = e.check("buyer_reference", opt_text(f.buyer_reference, 100));
    let cost_centre = e.check("cost_centre", opt_text(f.cost_centre, 100));
    let street = e.check("invoice_street", opt_text(f.invoice_street, NAME_MAX));
    let postal = e.check(
        "invoice_postal_code",
        opt(f.invoice_postal_code, Postcode::parse),
    );
    let city = e.check("invoice_city", opt_text(f.invoice_city, NAME_MAX));
    let country = e.check("invoice_country", country(f.invoice_country));
    let email = e.check("invoice_email", opt(f.invoice_email, Email::parse));
    let scheme = e.check("peppol_scheme", peppol_scheme(f.peppol_scheme));
    let peppol_id = e.check("peppol_id", peppol_id(f.peppol_id));
    Some(BuyerDetails {
        buyer_reference: buyer_reference?,
        cost_centre: cost_centre?,
        invoice_street: street?,
        invoice_postal_code: postal?,
        invoice_city: city?,
        invoice_country: country?,
        invoice_email: email?,
        peppol_scheme: scheme?,
        peppol_id: peppol_id?,
    })
}

/// Text for a form field of an optional value.
pub fn shown<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_numbers_carry_a_checked_org_number_and_01() {
        let v = VatNumber::parse("se 556000-0001 01").unwrap();
        assert_eq!(v.as_str(), "SE556000000101");
        assert_eq!(v.org_number_part(), "556000-0001");
        assert_eq!(
            VatNumber::parse("SE212000014201").unwrap().as_str(),
            "SE212000014201"
        );
        for bad in [
            "556000000101",
            "SE5560000001",
            "SE556000000102",
            "DE556000000101",
        ] {
            assert_eq!(
                VatNumber::parse(bad).unwrap_err().code,
                "invalid_vat_number",
                "{bad}"
            );
        }
        assert_eq!(
            VatNumber::parse("SE556000000201").unwrap_err().code,
            "vat_number_checksum"
        );
    }

    #[test]
    fn bankgiro_and_plusgiro_numbers_have_a_luhn_check_digit() {
        assert_eq!(Bankgiro::parse("5050-1055").unwrap().as_str(), "5050-1055");
        assert_eq!(Bankgiro::parse("991 2346").unwrap().as_str(), "991-2346");
        assert_eq!(
            Bankgiro::parse("5050-1056").unwrap_err().code,
            "bankgiro_checksum"
        );
        assert_eq!(
            Bankgiro::parse("12345").unwrap_err().code,
            "invalid_bankgiro"
        );
        assert_eq!(
            Bankgiro::parse("5050x1055").unwrap_err().code,
            "invalid_bankgiro"
        );
        assert_eq!(Plusgiro::parse("90 20 03-3").unwrap().as_str(), "902003-3");
        assert_eq!(
            Plusgiro::parse("902003-4").unwrap_err().code,
            "plusgiro_checksum"
        );
        assert_eq!(Plusgiro::parse("1").unwrap_err().code, "invalid_plusgiro");
    }

    #[test]
    fn postcodes_are_five_digits() {
        assert_eq!(Postcode::parse("39231").unwrap().as_str(), "392 31");
        assert_eq!(Postcode::parse("392 31").unwrap().as_str(), "392 31");
        for bad in ["3923", "392311", "09231", "392-31", "abcde"] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn seller_defaults_and_every_problem_at_once() {
        let mut e = ValidationErrors::new();
        let s = parse_seller(&mut e, SellerFields::default(), None).unwrap();
        assert!(e.is_empty());
        assert_eq!(s, SellerDetails::default());
        assert_eq!(s.account_seat, 3041);
        assert_eq!(s.payment_terms_days, 30);
        let nr = OrgNumber::parse("556000-0001").unwrap();
        let bad = SellerFields {
            vat_number: "SE212000014201",
            bankgiro: "123",
            postal_code: "1",
            account_seat: "1930",
            payment_terms_days: "400",
            peppol_scheme: "7",
            ..SellerFields::default()
        };
        let mut e = ValidationErrors::new();
        assert!(parse_seller(&mut e, bad, Some(&nr)).is_none());
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "vat_number",
                "postal_code",
                "bankgiro",
                "payment_terms_days",
                "peppol_scheme",
                "account_seat"
            ]
        );
        assert_eq!(
            e.for_field("vat_number").unwrap().code,
            "vat_number_mismatch"
        );
    }

    #[test]
    fn buyers_default_to_their_org_number_on_peppol() {
        let mut e = ValidationErrors::new();
        let b = parse_buyer(
            &mut e,
            BuyerFields {
                buyer_reference: " Kst 4711 ",
                invoice_postal_code: "39231",
                invoice_email: "faktura@kalmar.example",
                ..BuyerFields::default()
            },
        )
        .unwrap();
        assert_eq!(b.buyer_reference.as_deref(), Some("Kst 4711"));
        assert_eq!(
            b.missing_for_invoicing(),
            ["invoice_street", "invoice_city"]
        );
        let nr = OrgNumber::parse("212000-0142").unwrap();
        let ep = PeppolEndpoint::or_org_number(&b.peppol_scheme, b.peppol_id.as_deref(), Some(&nr));
        assert_eq!(
            ep,
            Some(PeppolEndpoint {
                scheme: "0007".into(),
                id: "2120000142".into()
            })
        );
        let mut e = ValidationErrors::new();
        let bad = BuyerFields {
            invoice_email: "nope",
            ..BuyerFields::default()
        };
        assert!(parse_buyer(&mut e, bad).is_none());
        assert_eq!(e.errors[0].field, "invoice_email");
    }
}
