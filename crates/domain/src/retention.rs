//! How long the network keeps detail before it is reduced ("gallring"):
//! the policy a network admin sets, its bounds, and the instants it gives
//! at a moment. Which rows each limit reduces, and how, is the store's
//! business (`thirdplace_store::RetentionStore`); this module never sees a
//! row.
//!
//! What bookkeeping law asks to keep (bookings with their prices, seats and
//! who held them, the audit trail) has no limit here: it is never reduced.

use crate::entities::parse_int;
use crate::ValidationErrors;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The network's retention limits, in whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Check-ins (who was at which hub when) are reduced to visits per hub
    /// and day after this many days.
    pub checkin_days: i64,
    /// Guests' names are erased this many days after the visit; the visit
    /// itself is still counted.
    pub guest_name_days: i64,
    /// Sent e-mails lose their address and text this many days after they
    /// were sent (or given up on).
    pub email_days: i64,
    /// Finished webhook deliveries lose their payload and the last error
    /// this many days after they were queued.
    pub webhook_days: i64,
    /// Sessions are deleted this many days after they expired, revoked API
    /// tokens this many days after they were revoked, and one-time links
    /// (invitations, password resets) this many days after they were used
    /// or revoked (resets also after they ran out) (0: at once).
    pub session_days: i64,
    /// Counts of failed sign-ins are deleted this many days after the last
    /// failure.
    pub sign_in_failure_days: i64,
}

/// Thirteen months: a full year back from any month, plus the month itself,
/// so that a year-on-year comparison still has the detail.
pub const DEFAULT_CHECKIN_DAYS: i64 = 396;

impl Default for RetentionPolicy {
    /// What a Swedish municipality would choose: detail about people kept
    /// no longer than the evaluation and the daily work need.
    fn default() -> Self {
        RetentionPolicy {
            checkin_days: DEFAULT_CHECKIN_DAYS,
            guest_name_days: 30,
            email_days: 90,
            webhook_days: 30,
            session_days: 1,
            sign_in_failure_days: 1,
        }
    }
}

/// The bounds of each limit, in days, as `(field, min, max)`. At least a
/// month of check-ins, so that the month's statistics never lose detail
/// while it runs; sign-in failures at least a day, so that the throttle
/// (which looks back an hour) always sees them; at most ten years.
pub const BOUNDS: [(&str, i64, i64); 6] = [
    ("checkin_days", 31, 3650),
    ("guest_name_days", 1, 3650),
    ("email_days", 1, 3650),
    ("webhook_days", 1, 3650),
    ("session_days", 0, 365),
    ("sign_in_failure_days", 1, 365),
];

/// The policy as typed in a form (or carried over from the API's numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionInput {
    #[serde(default)]
    pub checkin_days: String,
    #[serde(default)]
    pub guest_name_days: String,
    #[serde(default)]
    pub email_days: String,
    #[serde(default)]
    pub webhook_days: String,
    #[serde(default)]
    pub session_days: String,
    #[serde(default)]
    pub sign_in_failure_days: String,
}

impl From<&RetentionPolicy> for RetentionInput {
    fn from(p: &RetentionPolicy) -> Self {
        RetentionInput {
            checkin_days: p.checkin_days.to_string(),
            guest_name_days: p.guest_name_days.to_string(),
            email_days: p.email_days.to_string(),
            webhook_days: p.webhook_days.to_string(),
            session_days: p.session_days.to_string(),
            sign_in_failure_days: p.sign_in_failure_days.to_string(),
        }
    }
}

impl RetentionInput {
    /// Every field's problem at once: each a whole number of days within
    /// its [`BOUNDS`].
    pub fn validate(&self) -> Result<RetentionPolicy, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let raw = [
            &self.checkin_days,
            &self.guest_name_days,
            &self.email_days,
            &self.webhook_days,
            &self.session_days,
            &self.sign_in_failure_days,
        ];
        let mut v = [0i64; 6];
        for (i, ((field, min, max), raw)) in BOUNDS.iter().zip(raw).enumerate() {
            if let Some(days) = e.check(field, parse_int(raw, *min, *max)) {
                v[i] = days;
            }
        }
        e.into_result()?;
        Ok(RetentionPolicy {
            checkin_days: v[0],
            guest_name_days: v[1],
            email_days: v[2],
            webhook_days: v[3],
            session_days: v[4],
            sign_in_failure_days: v[5],
        })
    }
}

/// The instants that divide what is kept from what is reduced, at one
/// moment: detail from before its instant is reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    pub checkins: DateTime<Utc>,
    pub guest_names: DateTime<Utc>,
    pub emails: DateTime<Utc>,
    pub webhook_payloads: DateTime<Utc>,
    pub sessions: DateTime<Utc>,
    pub sign_in_failures: DateTime<Utc>,
}

impl RetentionPolicy {
    pub fn cutoffs(&self, now: DateTime<Utc>) -> RetentionCutoffs {
        let back = |days: i64| now - Duration::days(days);
        RetentionCutoffs {
            checkins: back(self.checkin_days),
            guest_names: back(self.guest_name_days),
            emails: back(self.email_days),
            webhook_payloads: back(self.webhook_days),
            sessions: back(self.session_days),
            sign_in_failures: back(self.sign_in_failure_days),
        }
    }
}

/// What one application of the policy reduced, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionCounts {
    /// Check-ins deleted (their visits stay counted per hub and day).
    pub checkins: u64,
    /// Guest visits deleted with the check-ins they belonged to.
    pub guest_visits: u64,
    /// Guests whose names were erased.
    pub guest_names: u64,
    /// Sent e-mails whose address and text were removed.
    pub emails: u64,
    /// Webhook deliveries whose payload and last error were removed.
    pub webhook_payloads: u64,
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Revoked API tokens deleted.
    pub api_tokens: u64,
    /// One-time links (invitations, password resets) deleted after they
    /// were used or revoked (resets also after they ran out), and single
    /// sign-ons under way that ran out.
    #[serde(default)]
    pub sign_in_links: u64,
    /// Counts of failed sign-ins deleted.
    pub sign_in_failures: u64,
}

impl RetentionCounts {
    pub fn total(&self) -> u64 {
        self.by_kind().iter().map(|(_, n)| n).sum()
    }

    /// Each count with its kind's key (the field's name), in the order the
    /// fields stand.
    pub fn by_kind(&self) -> [(&'static str, u64); 9] {
        [
            ("checkins", self.checkins),
            ("guest_visits", self.guest_visits),
            ("guest_names", self.guest_names),
            ("emails", self.emails),
            ("webhook_payloads", self.webhook_payloads),
            ("sessions", self.sessions),
            ("api_tokens", self.api_tokens),
            ("sign_in_links", self.sign_in_links),
            ("sign_in_failures", self.sign_in_failures),
        ]
    }
}

/// The name a guest is left with once their name is erased.
pub const ERASED_GUEST_NAME: &str = "Raderad";

#[cfg(test)]
mod tests {
    use super::*;

    fn input(p: &RetentionPolicy) -> RetentionInput {
        p.into()
    }

    #[test]
    fn the_defaults_are_valid_and_round_trip() {
        let d = RetentionPolicy::default();
        assert_eq!(input(&d).validate().unwrap(), d);
        assert_eq!(d.checkin_days, 396);
        assert_eq!(d.guest_name_days, 30);
    }

    #[test]
    fn every_field_out_of_bounds_is_named() {
        let bad = RetentionInput {
            checkin_days: "30".into(),
            guest_name_days: "0".into(),
            email_days: "3651".into(),
            webhook_days: "1.5".into(),
            session_days: "-1".into(),
            sign_in_failure_days: "".into(),
        };
        let e = bad.validate().unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "checkin_days",
                "guest_name_days",
                "email_days",
                "webhook_days",
                "session_days",
                "sign_in_failure_days"
            ]
        );
        assert_eq!(e.errors[3].code, "not_a_number");
        assert_eq!(e.errors[5].code, "required");
    }

    #[test]
    fn sessions_may_go_at_once() {
        let p = RetentionInput {
            session_days: "0".into(),
            ..input(&RetentionPolicy::default())
        }
        .validate()
        .unwrap();
        let now = Utc::now();
        assert_eq!(p.cutoffs(now).sessions, now);
        assert_eq!(p.cutoffs(now).checkins, now - Duration::days(396));
    }
}
