//! Money is integer öre (1 SEK = 100 öre); never floats.

use crate::error::{invalid, FieldError};
use serde::{Deserialize, Serialize};

/// Swedish VAT rates (mervärdesskatt): 25 % standard, 12 % and 6 % reduced, 0 % exempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(u8);

impl VatRate {
    pub const STANDARD: VatRate = VatRate(25);

    pub fn parse(percent: i64) -> Result<Self, FieldError> {
        match percent {
            0 | 6 | 12 | 25 => Ok(Self(percent as u8)),
            _ => Err(invalid(
                "invalid_vat_rate",
                "must be a Swedish VAT rate: 0, 6, 12 or 25 percent",
            )),
        }
    }

    pub fn percent(self) -> u8 {
        self.0
    }
}

/// Parses an amount in kronor as people write it ("450", "450,50", "1 200.5")
/// into öre. At most two decimals; negative amounts are refused.
pub fn parse_sek_to_ore(raw: &str) -> Result<i64, FieldError> {
    let bad = || {
        invalid(
            "invalid_amount",
            "is not an amount in kronor (for example 450 or 450,50)",
        )
    };
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if s.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    if s.starts_with('-') {
        return Err(invalid("negative_amount", "must not be negative"));
    }
    let s = s.replace(',', ".");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return Err(bad());
    }
    let kr: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let ore: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    Ok(kr * 100 + ore)
}

/// "1 234,50" — Swedish formatting with a thin grouping space.
pub fn format_ore_as_sek(ore: i64) -> String {
    let neg = ore < 0;
    let ore = ore.unsigned_abs();
    let kr = (ore / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in kr.chars().enumerate() {
        if i > 0 && (kr.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{}{},{:02}", if neg { "-" } else { "" }, grouped, ore % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kronor_parse_to_ore() {
        assert_eq!(parse_sek_to_ore("450").unwrap(), 45_000);
        assert_eq!(parse_sek_to_ore("450,5").unwrap(), 45_050);
        assert_eq!(parse_sek_to_ore("1 200.25").unwrap(), 120_025);
        assert_eq!(parse_sek_to_ore("0").unwrap(), 0);
        assert_eq!(parse_sek_to_ore("-1").unwrap_err().code, "negative_amount");
        assert_eq!(
            parse_sek_to_ore("1,234").unwrap_err().code,
            "invalid_amount"
        );
        assert_eq!(parse_sek_to_ore("abc").unwrap_err().code, "invalid_amount");
        assert_eq!(parse_sek_to_ore("").unwrap_err().code, "required");
    }

    #[test]
    fn ore_format_as_swedish_kronor() {
        assert_eq!(format_ore_as_sek(45_000), "450,00");
        assert_eq!(format_ore_as_sek(12_345_678), "123\u{a0}456,78");
    }

    #[test]
    fn only_swedish_vat_rates() {
        assert!(VatRate::parse(25).is_ok());
        assert!(VatRate::parse(6).is_ok());
        assert!(VatRate::parse(20).is_err());
    }
}

/// A price including VAT, rounded to the nearest öre (half away from zero).
pub fn price_incl_vat(ex_vat_ore: i64, vat_percent: u8) -> i64 {
    ex_vat_ore + vat_of(ex_vat_ore, vat_percent)
}

/// The VAT on an amount, rounded to the nearest öre (half away from zero).
pub fn vat_of(ex_vat_ore: i64, vat_percent: u8) -> i64 {
    let num = i128::from(ex_vat_ore) * i128::from(vat_percent);
    let rounded = if num >= 0 {
        (num + 50) / 100
    } else {
        (num - 50) / 100
    };
    rounded as i64
}

#[cfg(test)]
mod vat_tests {
    use super::*;

    #[test]
    fn vat_rounds_to_the_nearest_ore() {
        assert_eq!(vat_of(45_000, 25), 11_250);
        assert_eq!(price_incl_vat(45_000, 25), 56_250);
        assert_eq!(vat_of(3, 25), 1); // 0.75 öre rounds up
        assert_eq!(vat_of(2, 25), 1); // 0.5 öre rounds away from zero
        assert_eq!(vat_of(1, 25), 0);
        assert_eq!(vat_of(-2, 25), -1);
    }
}
