//! Parsing of times and dates given in requests (API bodies, queries and
//! forms), with the field errors people see.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use thirdplace_domain::ValidationErrors;

/// Parses an RFC 3339 instant; one without an offset (`2026-12-01T09:00`)
/// is refused, since it would not say which time it means.
pub fn parse_instant(field: &str, raw: &str) -> Result<DateTime<Utc>, ValidationErrors> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ValidationErrors::single(
                field,
                "invalid_instant",
                "write a time in RFC 3339 with its offset, e.g. 2026-12-01T09:00:00+01:00",
            )
        })
}

/// Parses a civil date `YYYY-MM-DD` between the years 2000 and 2199.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, ValidationErrors> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..2200).contains(&d.year()))
        .ok_or_else(|| {
            ValidationErrors::single(field, "invalid_date", "write a date such as 2026-12-01")
        })
}
