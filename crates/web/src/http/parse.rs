//! Parsing of times and dates given in requests (API bodies, queries and
//! forms), with the field errors people see, and the Swedish local forms
//! in which pages show instants.
//!
//! The form parsers ([`date`], [`optional_date`], [`time_of_day`],
//! [`optional_id`]) give a [`FieldError`] for
//! [`ValidationErrors::check`], so a form collects every problem in one
//! pass.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use thirdplace_domain::error::invalid;
use thirdplace_domain::{FieldError, ValidationErrors, HUB_TIME_ZONE};
use uuid::Uuid;

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
    date(raw).map_err(|e| ValidationErrors {
        errors: vec![e.on(field)],
    })
}

/// A civil date `YYYY-MM-DD` between the years 2000 and 2199.
pub fn date(raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..2200).contains(&d.year()))
        .ok_or_else(|| invalid("invalid_date", "write a date such as 2026-12-01"))
}

/// A [`date`], or `None` for an empty field.
pub fn optional_date(raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    optional(raw, date)
}

/// A time of day `HH:MM`, as a form's time field sends it.
pub fn time_of_day(raw: &str) -> Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| invalid("invalid_time", "write a time such as 10:00"))
}

/// An id chosen in a form, or `None` for an empty field.
pub fn optional_id(raw: &str) -> Result<Option<Uuid>, FieldError> {
    optional(raw, |s| {
        Uuid::parse_str(s).map_err(|_| invalid("invalid_id", "is not an id"))
    })
}

fn optional<T>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        s => parse(s).map(Some),
    }
}

/// An instant as Swedish local date and time: "2026-11-24 10:00".
pub fn local_date_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&HUB_TIME_ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An instant as Swedish local time of day: "10:00".
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&HUB_TIME_ZONE).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn form_dates_times_and_ids_are_read_with_a_field_error_for_each_problem() {
        assert_eq!(date(" 2026-12-01 ").unwrap().to_string(), "2026-12-01");
        assert_eq!(date("1999-12-31").unwrap_err().code, "invalid_date");
        assert_eq!(date("1 december").unwrap_err().code, "invalid_date");
        assert_eq!(optional_date("  ").unwrap(), None);
        assert!(optional_date("2026-02-30").is_err());
        assert_eq!(time_of_day("09:15").unwrap().to_string(), "09:15:00");
        assert_eq!(time_of_day("25:00").unwrap_err().code, "invalid_time");
        assert_eq!(optional_id("").unwrap(), None);
        assert_eq!(optional_id("not-an-id").unwrap_err().code, "invalid_id");
        let e = parse_date("until", "tomorrow").unwrap_err();
        assert_eq!(e.errors[0].field, "until");
    }

    #[test]
    fn instants_are_shown_in_swedish_time_across_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 9, 5, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 9, 5, 0).unwrap();
        assert_eq!(local_date_time(winter), "2026-01-15 10:05");
        assert_eq!(local_time(summer), "11:05");
    }
}
