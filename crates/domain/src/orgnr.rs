//! Swedish organisation numbers (organisationsnummer).
//!
//! Ten digits, written `NNNNNN-NNNN`; the last digit is a Luhn (mod 10)
//! check digit over the first nine. Sole traders (enskild firma) use their
//! personal identity number, which has the same shape and check digit, so it
//! is accepted too, also in its twelve-digit form (`19YYMMDD-NNNN`). The
//! twelve-digit form `16NNNNNNNNNN` used by some registers is accepted as well.

use crate::checked::{Check, Checked};
use crate::error::{invalid, FieldError};

/// An organisation number in its ten-digit form `NNNNNN-NNNN`, check digit
/// verified. Serialised as that plain string; deserialising parses again.
/// Only [`OrgNumber::from_stored`] makes one without the check.
pub type OrgNumber = Checked<OrgNumberCheck>;

/// The check behind [`OrgNumber`].
pub enum OrgNumberCheck {}

impl Check for OrgNumberCheck {
    const NAME: &'static str = "OrgNumber";

    fn check(raw: &str) -> Result<String, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(invalid("required", "must not be empty"));
        }
        let shape = || {
            invalid(
                "invalid_org_number",
                "is not an organisation number (ten digits, NNNNNN-NNNN)",
            )
        };
        let mut digits: Vec<u8> = Vec::with_capacity(12);
        // The separator stands before the last four digits (counted in
        // characters: a short or non-ASCII input must not underflow).
        let separator_at = trimmed.chars().count().checked_sub(5);
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '-' | '+' if Some(i) == separator_at => {}
                ' ' => {}
                _ => return Err(shape()),
            }
        }
        let ten: &[u8] = match digits.len() {
            10 => &digits,
            12 if digits[0..2] == [1, 6] || digits[0..2] == [1, 9] || digits[0..2] == [2, 0] => {
                &digits[2..]
            }
            _ => return Err(shape()),
        };
        if luhn_check_digit(&ten[..9]) != ten[9] {
            return Err(invalid(
                "org_number_checksum",
                "has a wrong check digit: please check the number for a typing error",
            ));
        }
        let s: String = ten.iter().map(|d| char::from(b'0' + d)).collect();
        Ok(format!("{}-{}", &s[..6], &s[6..]))
    }
}

/// The Luhn (mod 10) check digit for the given digits: weights 2,1,2,1,…
/// from the right, so the digit next to the check digit weighs 2. For the
/// nine digits of an organisation number that is the same as from the left;
/// OCR references have payloads of any length.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let p = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Found by the `form_values` fuzz target: a separator in an input of
    /// fewer than five characters underflowed the position it is allowed at.
    #[test]
    fn luhn_weighs_from_the_right_for_payloads_of_any_length() {
        // The textbook example 7992739871-3 (an even-length payload) and an
        // organisation number (odd length).
        assert_eq!(luhn_check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
        assert_eq!(luhn_check_digit(&[5, 5, 6, 0, 3, 6, 0, 7, 9]), 3);
    }

    #[test]
    fn short_and_non_ascii_inputs_are_refused_without_a_panic() {
        for raw in [
            "-",
            "-1",
            "+12",
            "-\u{d2}\u{a1}8",
            "1-2",
            "ååå-1234",
            "21200-0761",
        ] {
            assert!(OrgNumber::parse(raw).is_err(), "{raw:?}");
        }
        assert_eq!(OrgNumber::parse("212000-0761").unwrap(), "212000-0761");
    }

    #[test]
    fn accepts_known_public_bodies() {
        // Stockholms stad and Skatteverket, as published.
        assert_eq!(
            OrgNumber::parse("212000-0142").unwrap().as_str(),
            "212000-0142"
        );
        assert_eq!(
            OrgNumber::parse("2021005448").unwrap().as_str(),
            "202100-5448"
        );
        assert_eq!(
            OrgNumber::parse("16212000-0142").unwrap().as_str(),
            "212000-0142"
        );
    }

    #[test]
    fn rejects_wrong_check_digit_and_shape() {
        assert_eq!(
            OrgNumber::parse("212000-0143").unwrap_err().code,
            "org_number_checksum"
        );
        assert_eq!(
            OrgNumber::parse("21200-0142").unwrap_err().code,
            "invalid_org_number"
        );
        assert_eq!(
            OrgNumber::parse("abc").unwrap_err().code,
            "invalid_org_number"
        );
        assert_eq!(OrgNumber::parse("").unwrap_err().code, "required");
        assert_eq!(
            OrgNumber::parse("2120-000142").unwrap_err().code,
            "invalid_org_number"
        );
    }

    #[test]
    fn an_org_number_is_a_plain_string_in_json_and_is_checked_on_the_way_in() {
        let o = OrgNumber::parse("212000-0142").unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), "\"212000-0142\"");
        let back: OrgNumber = serde_json::from_str("\"2120000142\"").unwrap();
        assert_eq!(back, o);
        assert!(serde_json::from_str::<OrgNumber>("\"212000-0143\"").is_err());
    }

    proptest! {
        #[test]
        fn every_nine_digits_have_exactly_one_valid_check_digit(nine in proptest::collection::vec(0u8..10, 9)) {
            let valid: Vec<u8> = (0..10).filter(|&c| {
                let s: String = nine.iter().chain(std::iter::once(&c)).map(|d| char::from(b'0' + d)).collect();
                OrgNumber::parse(&s).is_ok()
            }).collect();
            prop_assert_eq!(valid.len(), 1);
        }
    }
}
