//! VAT (mervärdesskatt) as an operator's invoice states it: the category of
//! EN 16931 (UNCL 5305 codes) with the rate Swedish law allows, and the
//! rounding of VAT on a taxable amount.
//!
//! Only what a Swedish seller may put on an invoice is representable:
//! standard-rated lines are 25, 12 or 6 % (Peppol rule SE-R-006), every other
//! category has no rate of its own. Amounts are integer öre, never floats.

use serde::{Deserialize, Serialize};

/// The Swedish VAT rates for standard-rated supplies (category `S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SwedishRate {
    /// 25 %: most services, among them coworking seats and meeting rooms.
    #[serde(rename = "25")]
    Standard25,
    /// 12 %: food and hotel accommodation.
    #[serde(rename = "12")]
    Reduced12,
    /// 6 %: books, passenger transport, admission to cultural events.
    #[serde(rename = "6")]
    Reduced6,
}

impl SwedishRate {
    pub fn percent(self) -> u8 {
        match self {
            SwedishRate::Standard25 => 25,
            SwedishRate::Reduced12 => 12,
            SwedishRate::Reduced6 => 6,
        }
    }

    /// The rate for a percentage, if Swedish law has one.
    pub fn from_percent(percent: u8) -> Option<Self> {
        match percent {
            25 => Some(SwedishRate::Standard25),
            12 => Some(SwedishRate::Reduced12),
            6 => Some(SwedishRate::Reduced6),
            _ => None,
        }
    }
}

/// Why a line carries no VAT: a VATEX code (CEF VATEX list) and/or a text
/// the buyer reads. EN 16931 wants at least one of them (BR-E-10); Swedish
/// buyers expect the text, naming the paragraph of the VAT act.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Exemption {
    code: Option<String>,
    text: String,
}

impl Exemption {
    /// `code` is a VATEX code such as `VATEX-EU-132` (optional), `text` the
    /// reason in words, for example "Undantag från skatteplikt enligt 10 kap.
    /// 32 § mervärdesskattelagen" (required: a person reads the invoice).
    pub fn new(code: Option<&str>, text: &str) -> Result<Self, VatError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(VatError::ExemptionTextMissing);
        }
        let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => {
                let upper = c.to_ascii_uppercase();
                let well_formed = upper.starts_with("VATEX-")
                    && upper.len() <= 20
                    && upper
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
                if !well_formed {
                    return Err(VatError::ExemptionCodeMalformed(c.to_string()));
                }
                Some(upper)
            }
        };
        Ok(Self {
            code,
            text: text.to_string(),
        })
    }

    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The VAT category of a line (UNCL 5305 as EN 16931 restricts it), with
/// what the category needs: a rate for `S`, a reason for `E`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "category", rename_all = "snake_case")]
pub enum VatCategory {
    /// `S`: standard rated, 25, 12 or 6 %.
    Standard { rate: SwedishRate },
    /// `Z`: zero rated (a taxable supply at 0 %). EN 16931 forbids an
    /// exemption reason for it (BR-Z-10).
    ZeroRated,
    /// `E`: exempt from VAT, with the reason.
    Exempt { exemption: Exemption },
    /// `AE`: reverse charge (omvänd betalningsskyldighet): the buyer
    /// accounts for the VAT. Needs the buyer's VAT number.
    ReverseCharge,
    /// `O`: services outside the scope of VAT. The only category on its
    /// invoice (BR-O-11..14).
    OutsideScope,
}

impl VatCategory {
    pub fn standard(rate: SwedishRate) -> Self {
        VatCategory::Standard { rate }
    }

    pub fn exempt(exemption: Exemption) -> Self {
        VatCategory::Exempt { exemption }
    }

    /// The UNCL 5305 code UBL writes (`cac:TaxCategory/cbc:ID`).
    pub fn code(&self) -> &'static str {
        match self {
            VatCategory::Standard { .. } => "S",
            VatCategory::ZeroRated => "Z",
            VatCategory::Exempt { .. } => "E",
            VatCategory::ReverseCharge => "AE",
            VatCategory::OutsideScope => "O",
        }
    }

    /// The rate in percent; `None` for `O`, which EN 16931 says has no rate
    /// (BR-O-05, BR-O-09).
    pub fn percent(&self) -> Option<u8> {
        match self {
            VatCategory::Standard { rate } => Some(rate.percent()),
            VatCategory::ZeroRated | VatCategory::Exempt { .. } | VatCategory::ReverseCharge => {
                Some(0)
            }
            VatCategory::OutsideScope => None,
        }
    }

    /// The exemption reason the VAT breakdown carries: the seller's own for
    /// `E`, the fixed ones for `AE` and `O` (BR-AE-10, BR-O-10 require one),
    /// none for `S` and `Z` (BR-S-10, BR-Z-10 forbid it).
    pub fn exemption(&self) -> Option<Exemption> {
        match self {
            VatCategory::Exempt { exemption } => Some(exemption.clone()),
            VatCategory::ReverseCharge => Some(Exemption {
                code: Some("VATEX-EU-AE".into()),
                text: "Omvänd betalningsskyldighet".into(),
            }),
            VatCategory::OutsideScope => Some(Exemption {
                code: Some("VATEX-EU-O".into()),
                text: "Utanför mervärdesskattens tillämpningsområde".into(),
            }),
            VatCategory::Standard { .. } | VatCategory::ZeroRated => None,
        }
    }

    /// VAT on a taxable amount in this category: amount × rate, rounded to
    /// whole öre, half away from zero (BR-CO-17 allows rounding to the
    /// currency's minor unit; this is the rounding Swedish invoices use).
    pub fn vat_on(&self, taxable_ore: i64) -> i64 {
        let percent = i64::from(self.percent().unwrap_or(0));
        round_div(taxable_ore * percent, 100)
    }

    /// The key the VAT breakdown groups by: one breakdown per category code
    /// and rate (BR-CO-18 and the breakdown rules of each category).
    pub(crate) fn breakdown_key(&self) -> (&'static str, u8) {
        (self.code(), self.percent().unwrap_or(0))
    }
}

/// `numerator / denominator` rounded to the nearest integer, halves away
/// from zero. `denominator` must be positive.
pub fn round_div(numerator: i64, denominator: i64) -> i64 {
    debug_assert!(denominator > 0);
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        -((-numerator + half) / denominator)
    }
}

/// A VAT detail that cannot be put on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatError {
    #[error("an exempt line needs the reason in words (for example the paragraph of the VAT act)")]
    ExemptionTextMissing,
    #[error("the exemption code {0:?} is not a VATEX code (for example VATEX-EU-132)")]
    ExemptionCodeMalformed(String),
    #[error("{0} % is not a Swedish VAT rate: use 25, 12 or 6")]
    RateNotSwedish(u8),
}

impl VatError {
    /// The stable code translations and the JSON error use.
    pub fn code(&self) -> &'static str {
        match self {
            VatError::ExemptionTextMissing => "vat_exemption_text_missing",
            VatError::ExemptionCodeMalformed(_) => "vat_exemption_code_malformed",
            VatError::RateNotSwedish(_) => "vat_rate_not_swedish",
        }
    }
}

/// The category for a standard-rated percentage, refusing any rate Swedish
/// law does not have (20 %, 0 %: zero rating is its own category).
pub fn standard_rated(percent: u8) -> Result<VatCategory, VatError> {
    SwedishRate::from_percent(percent)
        .map(VatCategory::standard)
        .ok_or(VatError::RateNotSwedish(percent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_swedish_rates_are_standard_rated() {
        assert_eq!(standard_rated(25).unwrap().percent(), Some(25));
        assert_eq!(standard_rated(12).unwrap().percent(), Some(12));
        assert_eq!(standard_rated(6).unwrap().percent(), Some(6));
        assert_eq!(standard_rated(20), Err(VatError::RateNotSwedish(20)));
        assert_eq!(standard_rated(0), Err(VatError::RateNotSwedish(0)));
    }

    #[test]
    fn vat_rounds_half_away_from_zero_to_ore() {
        let s25 = standard_rated(25).unwrap();
        assert_eq!(s25.vat_on(10_000), 2_500);
        assert_eq!(s25.vat_on(2), 1); // 0.5 öre rounds up
        assert_eq!(s25.vat_on(-2), -1);
        let s6 = standard_rated(6).unwrap();
        assert_eq!(s6.vat_on(1_234), 74); // 74.04
        assert_eq!(s6.vat_on(1_225), 74); // 73.5
        assert_eq!(VatCategory::ZeroRated.vat_on(99_999), 0);
        assert_eq!(VatCategory::OutsideScope.vat_on(99_999), 0);
    }

    #[test]
    fn categories_carry_the_codes_and_reasons_en16931_expects() {
        let e = VatCategory::exempt(
            Exemption::new(Some("vatex-eu-132"), "Undantag enligt 10 kap. ML").unwrap(),
        );
        assert_eq!(e.code(), "E");
        assert_eq!(e.percent(), Some(0));
        assert_eq!(e.exemption().unwrap().code(), Some("VATEX-EU-132"));
        assert_eq!(VatCategory::ReverseCharge.code(), "AE");
        assert!(VatCategory::ReverseCharge.exemption().is_some());
        assert_eq!(VatCategory::OutsideScope.percent(), None);
        assert!(VatCategory::ZeroRated.exemption().is_none());
        assert!(standard_rated(25).unwrap().exemption().is_none());
    }

    #[test]
    fn exemptions_need_a_text_and_a_well_formed_code() {
        assert_eq!(
            Exemption::new(None, "  "),
            Err(VatError::ExemptionTextMissing)
        );
        assert!(matches!(
            Exemption::new(Some("EU-132"), "x"),
            Err(VatError::ExemptionCodeMalformed(_))
        ));
        assert_eq!(Exemption::new(Some(""), "x").unwrap().code(), None);
    }

    #[test]
    fn round_div_is_symmetric() {
        assert_eq!(round_div(149, 100), 1);
        assert_eq!(round_div(150, 100), 2);
        assert_eq!(round_div(-150, 100), -2);
        assert_eq!(round_div(-149, 100), -1);
    }
}
