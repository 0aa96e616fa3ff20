//! Opening hours: civil times in the hub's time zone (Europe/Stockholm) per
//! weekday, plus dated exceptions such as public holidays.
//!
//! Hours are civil ("08:00–17:00") and are only turned into instants with a
//! tz-aware calendar, so a DST day still opens at 08:00 local time.

use crate::error::{invalid, FieldError};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// All hubs in the network run on Swedish time.
pub const HUB_TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Stockholm;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn key(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }

    pub fn of(date: NaiveDate) -> Weekday {
        use chrono::Datelike;
        Weekday::ALL[date.weekday().num_days_from_monday() as usize]
    }
}

/// An opening interval within one day, `open < close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    #[serde(with = "hhmm")]
    pub open: NaiveTime,
    #[serde(with = "hhmm")]
    pub close: NaiveTime,
}

impl Interval {
    pub fn new(open: NaiveTime, close: NaiveTime) -> Result<Self, FieldError> {
        if close <= open {
            return Err(invalid(
                "closes_before_opening",
                format!(
                    "closes ({}) before it opens ({})",
                    close.format("%H:%M"),
                    open.format("%H:%M")
                ),
            ));
        }
        Ok(Self { open, close })
    }

    pub fn display(&self) -> String {
        format!(
            "{}–{}",
            self.open.format("%H:%M"),
            self.close.format("%H:%M")
        )
    }
}

/// A dated exception: closed all day (no intervals) or special hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateException {
    pub date: NaiveDate,
    #[serde(default)]
    pub intervals: Vec<Interval>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OpeningHours {
    /// Monday first; an empty list means closed that weekday.
    pub weekly: [Vec<Interval>; 7],
    #[serde(default)]
    pub exceptions: Vec<DateException>,
}

impl OpeningHours {
    /// Validates a whole schedule: intervals of a day must not overlap and
    /// must be in order; at most one exception per date.
    pub fn new(
        weekly: [Vec<Interval>; 7],
        mut exceptions: Vec<DateException>,
    ) -> Result<Self, FieldError> {
        for day in weekly.iter() {
            check_day(day)?;
        }
        exceptions.sort_by_key(|e| e.date);
        for pair in exceptions.windows(2) {
            if pair[0].date == pair[1].date {
                return Err(invalid(
                    "duplicate_exception",
                    format!("{} is listed twice among the exceptions", pair[0].date),
                ));
            }
        }
        for e in &exceptions {
            check_day(&e.intervals)?;
        }
        Ok(Self { weekly, exceptions })
    }

    /// Weekdays with the same hours, e.g. 08:00–17:00 Monday to Friday.
    pub fn weekdays(open: &str, close: &str) -> Self {
        let i = Interval::new(parse_time(open).unwrap(), parse_time(close).unwrap()).unwrap();
        let mut weekly: [Vec<Interval>; 7] = Default::default();
        for d in weekly.iter_mut().take(5) {
            d.push(i);
        }
        Self {
            weekly,
            exceptions: vec![],
        }
    }

    /// The hours that apply on a given civil date: an exception if there is
    /// one, otherwise the weekday's hours.
    pub fn hours_on(&self, date: NaiveDate) -> &[Interval] {
        self.exceptions
            .iter()
            .find(|e| e.date == date)
            .map(|e| e.intervals.as_slice())
            .unwrap_or(&self.weekly[Weekday::of(date).index()])
    }

    pub fn exception_on(&self, date: NaiveDate) -> Option<&DateException> {
        self.exceptions.iter().find(|e| e.date == date)
    }

    /// Parses the form notation of one day: `08:00-12:00, 13:00-17:00`;
    /// empty or "closed"/"stängt" means closed.
    pub fn parse_day(raw: &str) -> Result<Vec<Interval>, FieldError> {
        let t = raw.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("closed") || t.eq_ignore_ascii_case("stängt") {
            return Ok(vec![]);
        }
        let mut out = Vec::new();
        for part in t.split(',') {
            let part = part.trim();
            let (a, b) = part.split_once(['-', '–']).ok_or_else(|| {
                invalid(
                    "invalid_hours",
                    format!("\"{part}\" is not hours like 08:00-17:00"),
                )
            })?;
            out.push(Interval::new(parse_time(a)?, parse_time(b)?)?);
        }
        check_day(&out)?;
        Ok(out)
    }

    /// Parses exception lines, one per line: `2026-12-24 closed Julafton` or
    /// `2026-12-23 08:00-12:00 Dan före julafton`.
    pub fn parse_exceptions(raw: &str) -> Result<Vec<DateException>, FieldError> {
        let mut out = Vec::new();
        for (n, line) in raw.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.splitn(3, char::is_whitespace);
            let date_s = words.next().unwrap_or_default();
            let date = NaiveDate::parse_from_str(date_s, "%Y-%m-%d").map_err(|_| {
                invalid(
                    "invalid_exception",
                    format!("line {}: \"{date_s}\" is not a date like 2026-12-24", n + 1),
                )
            })?;
            let hours = words.next().unwrap_or("closed");
            let note = words.next().unwrap_or("").trim().to_string();
            let intervals = Self::parse_day(hours).map_err(|e| FieldError {
                message: format!("line {}: {}", n + 1, e.message),
                ..e
            })?;
            out.push(DateException {
                date,
                intervals,
                note,
            });
        }
        Ok(out)
    }

    /// The inverse of [`OpeningHours::parse_day`].
    pub fn format_day(intervals: &[Interval]) -> String {
        intervals
            .iter()
            .map(|i| format!("{}-{}", i.open.format("%H:%M"), i.close.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The inverse of [`OpeningHours::parse_exceptions`].
    pub fn format_exceptions(&self) -> String {
        self.exceptions
            .iter()
            .map(|e| {
                Self::exception_line(
                    &e.date.to_string(),
                    &Self::format_day(&e.intervals),
                    &e.note,
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One line of the exception notation: a date, its hours in the
    /// notation of [`OpeningHours::format_day`] (empty: closed) and a note.
    pub fn exception_line(date: &str, hours: &str, note: &str) -> String {
        let hours = if hours.trim().is_empty() {
            "closed".to_string()
        } else {
            hours.replace(' ', "")
        };
        format!("{} {} {}", date.trim(), hours, note.replace('\n', " "))
            .trim_end()
            .to_string()
    }
}

fn check_day(day: &[Interval]) -> Result<(), FieldError> {
    for i in day {
        Interval::new(i.open, i.close)?;
    }
    for pair in day.windows(2) {
        if pair[1].open < pair[0].close {
            return Err(invalid(
                "overlapping_hours",
                format!(
                    "{} and {} overlap or are out of order",
                    pair[0].display(),
                    pair[1].display()
                ),
            ));
        }
    }
    Ok(())
}

pub fn parse_time(raw: &str) -> Result<NaiveTime, FieldError> {
    let t = raw.trim().replace('.', ":");
    NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| {
        invalid(
            "invalid_time",
            format!("\"{}\" is not a time like 08:30", raw.trim()),
        )
    })
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_time(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekday_hours_and_exceptions() {
        let mut h = OpeningHours::weekdays("08:00", "17:00");
        h.exceptions =
            OpeningHours::parse_exceptions("2026-12-24 closed Julafton\n2026-12-23 08:00-12:00")
                .unwrap();
        assert_eq!(h.hours_on(d("2026-11-23")).len(), 1); // a Monday
        assert!(h.hours_on(d("2026-11-22")).is_empty()); // a Sunday
        assert!(h.hours_on(d("2026-12-24")).is_empty());
        assert_eq!(h.hours_on(d("2026-12-23"))[0].display(), "08:00–12:00");
        assert_eq!(h.exception_on(d("2026-12-24")).unwrap().note, "Julafton");
    }

    #[test]
    fn day_notation_round_trips() {
        let day = OpeningHours::parse_day("08:00-12:00, 13:00-17:00").unwrap();
        assert_eq!(OpeningHours::format_day(&day), "08:00-12:00, 13:00-17:00");
        assert!(OpeningHours::parse_day("stängt").unwrap().is_empty());
        let h = OpeningHours::new(
            Default::default(),
            OpeningHours::parse_exceptions("2026-12-24 closed Julafton\n2026-12-31 10:00-14:00")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            OpeningHours::parse_exceptions(&h.format_exceptions()).unwrap(),
            h.exceptions
        );
    }

    #[test]
    fn bad_hours_are_explained() {
        assert_eq!(
            OpeningHours::parse_day("17:00-08:00").unwrap_err().code,
            "closes_before_opening"
        );
        assert_eq!(
            OpeningHours::parse_day("08:00-12:00, 11:00-13:00")
                .unwrap_err()
                .code,
            "overlapping_hours"
        );
        assert_eq!(
            OpeningHours::parse_day("8-17").unwrap_err().code,
            "invalid_time"
        );
        assert_eq!(
            OpeningHours::parse_day("morning").unwrap_err().code,
            "invalid_hours"
        );
        assert_eq!(
            OpeningHours::parse_exceptions("24/12 closed")
                .unwrap_err()
                .code,
            "invalid_exception"
        );
        let dup =
            OpeningHours::parse_exceptions("2026-12-24 closed\n2026-12-24 10:00-12:00").unwrap();
        assert_eq!(
            OpeningHours::new(Default::default(), dup).unwrap_err().code,
            "duplicate_exception"
        );
    }

    #[test]
    fn json_shape_uses_hh_mm() {
        let h = OpeningHours::weekdays("08:00", "17:00");
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(v["weekly"][0][0]["open"], "08:00");
        let back: OpeningHours = serde_json::from_value(v).unwrap();
        assert_eq!(back, h);
    }
}
