//! Swedish OCR payment references (OCR-nummer) for Bankgirot and Plusgirot.
//!
//! An OCR reference is 2–25 digits whose last digit is a Luhn (mod 10)
//! check digit over the others. When the operator's bankgiro agreement asks
//! for it ("OCR-kontroll med längdkontroll"), the digit before the check
//! digit is a length digit: the reference's full length, check and length
//! digit included, modulo 10. The bank refuses a payment whose reference does
//! not check, so a payer's typing error is caught before the money moves.
//!
//! The reference is made from the invoice's running number in its
//! operator's series, never from the printed prefix: the number is unique
//! per operator (gap-free, shared by invoices and credit notes) and a
//! prefix may change or hold digits of its own ("2026-"), so references
//! never clash within an operator. A bank file is matched against one
//! operator's invoices only (its bankgiro), so two operators may use the
//! same references.

use serde::{Deserialize, Serialize};
use thirdplace_domain::orgnr::luhn_check_digit;

/// Whether the operator's bankgiro agreement wants a length digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthDigit {
    /// Check digit only ("OCR-kontroll med checksiffra").
    Without,
    /// Length digit and check digit ("med checksiffra och längdkontroll").
    With,
}

/// The shortest and longest references Bankgirot accepts.
pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 25;

/// An OCR reference whose check digit is right (and its length digit, when
/// it was made or checked with one). Only digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OcrReference(String);

impl OcrReference {
    /// The reference for an invoice number: its digits, then the length
    /// digit if asked for, then the check digit. "2026-1009" gives
    /// "202610093" without a length digit.
    pub fn for_invoice_number(number: &str, length: LengthDigit) -> Result<Self, OcrError> {
        let mut digits: Vec<u8> = number
            .chars()
            .filter_map(|c| c.to_digit(10).map(|d| d as u8))
            .collect();
        if digits.is_empty() {
            return Err(OcrError::NoDigits);
        }
        let extra = match length {
            LengthDigit::Without => 1,
            LengthDigit::With => 2,
        };
        let total = digits.len() + extra;
        if total > MAX_LEN {
            return Err(OcrError::TooLong);
        }
        if length == LengthDigit::With {
            digits.push((total % 10) as u8);
        }
        digits.push(luhn(&digits));
        Ok(Self(digits.iter().map(|d| char::from(b'0' + d)).collect()))
    }

    /// Checks a reference someone gave (a payer, a bank file): only digits
    /// (spaces are ignored), 2–25 of them, a right check digit and, with
    /// [`LengthDigit::With`], a right length digit.
    pub fn parse(raw: &str, length: LengthDigit) -> Result<Self, OcrError> {
        let s: String = raw.chars().filter(|c| *c != ' ').collect();
        if s.is_empty() {
            return Err(OcrError::Empty);
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(OcrError::NotDigits);
        }
        let min = match length {
            LengthDigit::Without => MIN_LEN,
            LengthDigit::With => MIN_LEN + 1,
        };
        if s.len() < min {
            return Err(OcrError::TooShort);
        }
        if s.len() > MAX_LEN {
            return Err(OcrError::TooLong);
        }
        let digits: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        let (payload, check) = digits.split_at(digits.len() - 1);
        if luhn(payload) != check[0] {
            return Err(OcrError::CheckDigit);
        }
        if length == LengthDigit::With && usize::from(payload[payload.len() - 1]) != s.len() % 10 {
            return Err(OcrError::LengthDigit);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OcrReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Luhn check digit with weights 2, 1, 2, … from the right, as the
/// banks compute it. The domain's `luhn_check_digit` weighs from the left,
/// which is the same for an odd number of digits: an even count gets a
/// leading zero, which changes nothing else.
pub(crate) fn luhn(digits: &[u8]) -> u8 {
    if digits.len() % 2 == 1 {
        luhn_check_digit(digits)
    } else {
        let mut padded = Vec::with_capacity(digits.len() + 1);
        padded.push(0);
        padded.extend_from_slice(digits);
        luhn_check_digit(&padded)
    }
}

/// Why a reference cannot be made or is not a valid one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    #[error("the OCR reference is empty")]
    Empty,
    #[error("an OCR reference has only digits")]
    NotDigits,
    #[error("an OCR reference has at least two digits")]
    TooShort,
    #[error("an OCR reference has at most 25 digits")]
    TooLong,
    #[error("the OCR reference's check digit is wrong: check the number for a typing error")]
    CheckDigit,
    #[error("the OCR reference's length digit is wrong: digits are missing or extra")]
    LengthDigit,
    #[error("the invoice number has no digits to make an OCR reference from")]
    NoDigits,
}

impl OcrError {
    /// The stable code translations and the JSON error use.
    pub fn code(&self) -> &'static str {
        match self {
            OcrError::Empty => "ocr_empty",
            OcrError::NotDigits => "ocr_not_digits",
            OcrError::TooShort => "ocr_too_short",
            OcrError::TooLong => "ocr_too_long",
            OcrError::CheckDigit => "ocr_check_digit",
            OcrError::LengthDigit => "ocr_length_digit",
            OcrError::NoDigits => "ocr_no_digits",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn references_from_invoice_numbers() {
        // The references in the validator kit's Bankgirot sample file.
        let cases = [
            ("2026-1009", "202610093"),
            ("2026-1019", "202610192"),
            ("2026-1029", "202610291"),
            ("2026-1039", "202610390"),
        ];
        for (number, expected) in cases {
            let r = OcrReference::for_invoice_number(number, LengthDigit::Without).unwrap();
            assert_eq!(r.as_str(), expected, "{number}");
        }
        // The textbook Luhn example.
        assert_eq!(
            OcrReference::for_invoice_number("123456789", LengthDigit::Without)
                .unwrap()
                .as_str(),
            "1234567897"
        );
    }

    #[test]
    fn length_digit_is_the_full_length_mod_10() {
        // "12345", length 7 → "123457", Luhn → 4.
        let r = OcrReference::for_invoice_number("12345", LengthDigit::With).unwrap();
        assert_eq!(r.as_str(), "1234574");
        // Ten digits in all: the length digit is 0.
        let r = OcrReference::for_invoice_number("2026-0001", LengthDigit::With).unwrap();
        assert_eq!(r.as_str().len(), 10);
        assert_eq!(&r.as_str()[8..9], "0");
        assert!(OcrReference::parse(r.as_str(), LengthDigit::With).is_ok());
    }

    #[test]
    fn given_references_are_checked() {
        assert!(OcrReference::parse("202610093", LengthDigit::Without).is_ok());
        assert_eq!(
            OcrReference::parse("2026 1009 3", LengthDigit::Without)
                .unwrap()
                .as_str(),
            "202610093"
        );
        assert_eq!(
            OcrReference::parse("202610094", LengthDigit::Without),
            Err(OcrError::CheckDigit)
        );
        // Two neighbouring digits swapped.
        assert_eq!(
            OcrReference::parse("202601093", LengthDigit::Without),
            Err(OcrError::CheckDigit)
        );
        assert_eq!(
            OcrReference::parse("20261009-3", LengthDigit::Without),
            Err(OcrError::NotDigits)
        );
        assert_eq!(
            OcrReference::parse("", LengthDigit::Without),
            Err(OcrError::Empty)
        );
        assert_eq!(
            OcrReference::parse("0", LengthDigit::Without),
            Err(OcrError::TooShort)
        );
        assert_eq!(
            OcrReference::parse(&"1".repeat(26), LengthDigit::Without),
            Err(OcrError::TooLong)
        );
        // A reference without a length digit fails the length check when
        // its second-to-last digit differs from its length (202610093 has
        // nine digits and a 9 there, by chance).
        assert!(OcrReference::parse("202610093", LengthDigit::With).is_ok());
        assert_eq!(
            OcrReference::parse("1234567897", LengthDigit::With),
            Err(OcrError::LengthDigit)
        );
        assert_eq!(
            OcrReference::for_invoice_number("K-", LengthDigit::Without),
            Err(OcrError::NoDigits)
        );
        assert_eq!(
            OcrReference::for_invoice_number(&"9".repeat(24), LengthDigit::Without)
                .unwrap()
                .as_str()
                .len(),
            25
        );
        assert_eq!(
            OcrReference::for_invoice_number(&"9".repeat(24), LengthDigit::With),
            Err(OcrError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn made_references_check_and_catch_any_single_digit_error(
            n in 0u64..1_000_000_000_000,
            with in any::<bool>(),
            pos in 0usize..25,
            delta in 1u8..10,
        ) {
            let length = if with { LengthDigit::With } else { LengthDigit::Without };
            let r = OcrReference::for_invoice_number(&n.to_string(), length).unwrap();
            prop_assert!(OcrReference::parse(r.as_str(), length).is_ok());
            let mut digits: Vec<u8> = r.as_str().bytes().collect();
            let i = pos % digits.len();
            digits[i] = b'0' + (digits[i] - b'0' + delta) % 10;
            let changed = String::from_utf8(digits).unwrap();
            prop_assert!(OcrReference::parse(&changed, length).is_err());
        }
    }
}
