//! Memberships: plans, the seats organisations buy, who holds a seat when,
//! which hubs a seat opens on which day, check-in and guest rules, and the
//! time a forgotten check-in is closed.
//!
//! Dates here are civil dates in the hubs' time zone (Europe/Stockholm); a
//! seat is valid from its first day to its last day, both included. Instants
//! (who held a seat when, check-ins) are UTC.

use crate::entities::{optional_text, parse_bool, parse_id, parse_int, parse_name, Principal};
use crate::error::{invalid, FieldError, ValidationErrors};
use crate::hours::{OpeningHours, HUB_TIME_ZONE};
use crate::money::{parse_sek_to_ore, VatRate};
use crate::text::Text;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// Most seats one purchase may create.
pub const MAX_SEATS_PER_PURCHASE: i64 = 500;
/// Most guests a plan may allow at once.
pub const MAX_GUESTS_LIMIT: i64 = 20;
/// How far ahead a seat may start or end, in years: agreements with
/// agencies run a few years, and a date beyond this is a slip of the keys
/// (2062 for 2026) that would keep a seat open for ever.
pub const MAX_SEAT_YEARS_AHEAD: u32 = 10;
/// The rural pilots' own target: people with access per hub.
pub const ACCESS_TARGET: i64 = 20;

/// The civil date of an instant in the hubs' time zone.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&HUB_TIME_ZONE).date_naive()
}

/// The UTC instant of a civil date and time in the hubs' time zone. In the
/// hour skipped when summer time starts the next valid instant is used; in
/// the hour repeated when it ends, the first.
pub fn local_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match HUB_TIME_ZONE.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Only the spring-forward gap (02:00–03:00) lands here.
            let later = naive + Duration::hours(1);
            HUB_TIME_ZONE
                .from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        }
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| invalid("invalid_date", "must be a date such as 2026-12-01"))
}

// ------------------------------------------------------------------ plans

/// Which hubs a plan opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PlanScope {
    /// Every hub of the network.
    Network,
    /// Every hub of one region.
    Region(Uuid),
    /// One hub.
    Hub(Uuid),
}

impl PlanScope {
    pub fn key(self) -> &'static str {
        match self {
            PlanScope::Network => "network",
            PlanScope::Region(_) => "region",
            PlanScope::Hub(_) => "hub",
        }
    }

    pub fn target_id(self) -> Option<Uuid> {
        match self {
            PlanScope::Network => None,
            PlanScope::Region(id) | PlanScope::Hub(id) => Some(id),
        }
    }

    /// Builds a scope from its stored parts.
    pub fn from_parts(kind: &str, id: Option<Uuid>) -> Result<Self, FieldError> {
        match (kind, id) {
            ("network", _) => Ok(PlanScope::Network),
            ("region", Some(id)) => Ok(PlanScope::Region(id)),
            ("hub", Some(id)) => Ok(PlanScope::Hub(id)),
            ("region" | "hub", None) => Err(invalid("required", "must be chosen")),
            _ => Err(invalid(
                "invalid_choice",
                "must be one of network, region, hub",
            )),
        }
    }

    /// Whether this scope opens a hub that belongs to a region.
    pub fn opens(self, hub_id: Uuid, hub_region_id: Uuid) -> bool {
        match self {
            PlanScope::Network => true,
            PlanScope::Region(r) => r == hub_region_id,
            PlanScope::Hub(h) => h == hub_id,
        }
    }
}

/// How long a seat of a plan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum Validity {
    /// Paid month by month from the seat's start until it is ended; ending
    /// takes effect at the end of the month already paid.
    MonthlyRolling,
    /// A fixed period of this many days from the start (a trial week, a
    /// project term); it ends by itself.
    FixedDays(u32),
}

impl Validity {
    pub fn key(self) -> &'static str {
        match self {
            Validity::MonthlyRolling => "monthly_rolling",
            Validity::FixedDays(_) => "fixed_days",
        }
    }

    pub fn days(self) -> Option<u32> {
        match self {
            Validity::MonthlyRolling => None,
            Validity::FixedDays(d) => Some(d),
        }
    }

    pub fn from_parts(kind: &str, days: Option<i64>) -> Result<Self, FieldError> {
        match (kind, days) {
            ("monthly_rolling", _) => Ok(Validity::MonthlyRolling),
            ("fixed_days", Some(d)) if (1..=3660).contains(&d) => Ok(Validity::FixedDays(d as u32)),
            ("fixed_days", Some(_)) => Err(invalid(
                "out_of_range",
                "a fixed period must be between 1 and 3660 days",
            )),
            ("fixed_days", None) => Err(invalid(
                "required",
                "a fixed period needs its number of days",
            )),
            _ => Err(invalid(
                "invalid_choice",
                "must be monthly_rolling or fixed_days",
            )),
        }
    }

    /// The last day of a seat that starts on `start` and, when it is ended
    /// on `requested_on`, the last day it stays valid: a monthly seat runs to
    /// the end of the month (counted from its start day) that contains the
    /// request; a fixed seat always runs its whole period. A seat ended
    /// before it starts never starts (its last day is the day before).
    pub fn last_day(self, start: NaiveDate, requested_on: Option<NaiveDate>) -> Option<NaiveDate> {
        match self {
            Validity::FixedDays(d) => Some(start + Duration::days(i64::from(d) - 1)),
            Validity::MonthlyRolling => {
                let on = requested_on?;
                if on < start {
                    return Some(start - Duration::days(1));
                }
                let mut k = 1u32;
                loop {
                    let next = add_months(start, k);
                    if next > on {
                        return Some(next - Duration::days(1));
                    }
                    k += 1;
                }
            }
        }
    }
}

/// `date` plus `n` months; a start on the 31st runs to the last day of
/// shorter months (31 Jan + 1 month = 28/29 Feb).
fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// A membership plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub scope: PlanScope,
    pub monthly_price_ore: i64,
    /// Room hours included per seat and calendar month.
    pub included_hours_per_month: i64,
    /// Guests a holder may have in at once; 0 means no guests.
    pub max_guests: i64,
    pub validity: Validity,
    pub archived: bool,
    /// The operator that sells (and invoices) it; `None` on plans older
    /// than invoicing. A hub's or region's plan may leave it to the hub's
    /// operator; a network-wide plan names it.
    pub selling_operator_id: Option<Uuid>,
    /// Swedish VAT rate of the monthly price: 25, 12, 6 or 0.
    pub vat_rate_percent: u8,
}

impl Plan {
    pub fn guests_allowed(&self) -> bool {
        self.max_guests > 0
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanInput {
    pub name: String,
    pub description: String,
    /// `network`, `region` or `hub`.
    pub scope: String,
    /// The region's or hub's id, for those scopes.
    pub scope_id: String,
    /// In kronor: "0", "1 200", "450,50".
    pub monthly_price_sek: String,
    pub included_hours_per_month: String,
    pub guests_allowed: String,
    pub max_guests: String,
    /// `monthly_rolling` or `fixed_days`.
    pub validity: String,
    pub validity_days: String,
    pub archived: String,
    /// The selling operator's id (empty: none named).
    pub selling_operator_id: String,
    /// Empty: 25.
    pub vat_rate_percent: String,
}

impl PlanInput {
    pub fn validate(&self, id: Uuid) -> Result<Plan, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", parse_name(&self.name));
        let description = e.check("description", optional_text(&self.description, 2000));
        let scope_kind = self.scope.trim();
        let scope_id = if scope_kind == "network" || self.scope_id.trim().is_empty() {
            Some(None)
        } else {
            e.check("scope_id", parse_id(&self.scope_id).map(Some))
        };
        let scope = match scope_id {
            Some(sid) => match PlanScope::from_parts(scope_kind, sid) {
                Ok(s) => Some(s),
                Err(err) => {
                    let field = if err.code == "required" {
                        "scope_id"
                    } else {
                        "scope"
                    };
                    e.check::<PlanScope>(field, Err(err))
                }
            },
            None => None,
        };
        let price = e.check(
            "monthly_price_sek",
            parse_sek_to_ore(&self.monthly_price_sek).and_then(|p| {
                if p > 100_000_000 {
                    Err(invalid("out_of_range", "must be at most 1 000 000 kronor"))
                } else {
                    Ok(p)
                }
            }),
        );
        let included = e.check(
            "included_hours_per_month",
            if self.included_hours_per_month.trim().is_empty() {
                Ok(0)
            } else {
                parse_int(&self.included_hours_per_month, 0, 744)
            },
        );
        let guests_allowed = parse_bool(&self.guests_allowed);
        let max_guests = if guests_allowed {
            e.check(
                "max_guests",
                parse_int(&self.max_guests, 1, MAX_GUESTS_LIMIT),
            )
        } else {
            Some(0)
        };
        let days = if self.validity.trim() == "fixed_days" {
            e.check(
                "validity_days",
                parse_int(&self.validity_days, 1, 3660).map(Some),
            )
        } else {
            Some(None)
        };
        let validity = match days {
            Some(d) => e.check("validity", Validity::from_parts(self.validity.trim(), d)),
            None => None,
        };
        let selling_operator_id = if self.selling_operator_id.trim().is_empty() {
            // A hub's plan is sold by the hub's operator unless it names
            // another; a network-wide plan has no hub to fall back on, and
            // its seats would never be invoiced.
            if matches!(scope, Some(PlanScope::Network)) {
                e.check::<Option<Uuid>>(
                    "selling_operator_id",
                    Err(invalid(
                        "seller_required",
                        "a network-wide plan must name the operator that sells and invoices it",
                    )),
                )
            } else {
                Some(None)
            }
        } else {
            e.check(
                "selling_operator_id",
                parse_id(&self.selling_operator_id).map(Some),
            )
        };
        let vat = e.check(
            "vat_rate_percent",
            if self.vat_rate_percent.trim().is_empty() {
                Ok(VatRate::STANDARD)
            } else {
                parse_int(&self.vat_rate_percent, 0, 100).and_then(VatRate::parse)
            },
        );
        e.into_result()?;
        Ok(Plan {
            id,
            name: name.unwrap(),
            description: description.unwrap(),
            scope: scope.unwrap(),
            monthly_price_ore: price.unwrap(),
            included_hours_per_month: included.unwrap(),
            max_guests: max_guests.unwrap(),
            validity: validity.unwrap(),
            archived: parse_bool(&self.archived),
            selling_operator_id: selling_operator_id.unwrap(),
            vat_rate_percent: vat.unwrap().percent(),
        })
    }

    pub fn from_plan(p: &Plan) -> Self {
        PlanInput {
            name: p.name.clone(),
            description: p.description.clone(),
            scope: p.scope.key().into(),
            scope_id: p
                .scope
                .target_id()
                .map(|i| i.to_string())
                .unwrap_or_default(),
            monthly_price_sek: crate::money::format_ore_as_sek(p.monthly_price_ore)
                .trim_end_matches(" kr")
                .to_string(),
            included_hours_per_month: p.included_hours_per_month.to_string(),
            guests_allowed: if p.guests_allowed() { "true" } else { "" }.into(),
            max_guests: if p.guests_allowed() {
                p.max_guests.to_string()
            } else {
                String::new()
            },
            validity: p.validity.key().into(),
            validity_days: p.validity.days().map(|d| d.to_string()).unwrap_or_default(),
            archived: if p.archived { "true" } else { "" }.into(),
            selling_operator_id: p
                .selling_operator_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            vat_rate_percent: p.vat_rate_percent.to_string(),
        }
    }
}

// ------------------------------------------------------------------ seats

/// One seat of a plan bought by an organisation. It grants access only while
/// someone holds it, from its first to its last day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seat {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub organisation_id: Uuid,
    pub start_date: NaiveDate,
    /// The last valid day; `None` runs until ended.
    pub end_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// The operator that sold it: its plan's selling operator when bought.
    pub selling_operator_id: Option<Uuid>,
}

impl Seat {
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.start_date <= date && self.end_date.is_none_or(|end| date <= end)
    }
}

/// Who held a seat from when until when (`until` is exclusive; `None` means
/// still holding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHolding {
    pub seat_id: Uuid,
    pub person_id: Uuid,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

impl SeatHolding {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.until.is_none_or(|u| at < u)
    }
}

/// The holder of a seat at an instant, from the seat's history.
pub fn holder_at(history: &[SeatHolding], at: DateTime<Utc>) -> Option<Uuid> {
    history.iter().find(|h| h.covers(at)).map(|h| h.person_id)
}

/// What an organisation admin asks for when buying seats.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeatPurchaseInput {
    pub plan_id: String,
    pub count: String,
    pub start_date: String,
    pub end_date: String,
}

/// A valid purchase: `count` seats of one plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatPurchase {
    pub plan_id: Uuid,
    pub count: i64,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl SeatPurchaseInput {
    /// `today` is the buyer's civil date: seats cannot start in the past,
    /// nor start or end more than [`MAX_SEAT_YEARS_AHEAD`] years from it.
    pub fn validate(&self, today: NaiveDate) -> Result<SeatPurchase, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let plan_id = e.check("plan_id", parse_id(&self.plan_id));
        let count = e.check("count", parse_int(&self.count, 1, MAX_SEATS_PER_PURCHASE));
        let latest = today
            .checked_add_months(Months::new(12 * MAX_SEAT_YEARS_AHEAD))
            .unwrap_or(NaiveDate::MAX);
        let not_too_far = |d: NaiveDate| {
            if d > latest {
                Err(invalid(
                    "date_too_far_ahead",
                    format!("must be at most {MAX_SEAT_YEARS_AHEAD} years from today"),
                ))
            } else {
                Ok(d)
            }
        };
        let start = e.check(
            "start_date",
            parse_date(&self.start_date)
                .and_then(|d| {
                    if d < today {
                        Err(invalid("in_the_past", "must be today or later"))
                    } else {
                        Ok(d)
                    }
                })
                .and_then(not_too_far),
        );
        let end = if self.end_date.trim().is_empty() {
            Some(None)
        } else {
            e.check(
                "end_date",
                parse_date(&self.end_date).and_then(not_too_far).map(Some),
            )
        };
        if let (Some(s), Some(Some(end))) = (start, end) {
            if end < s {
                e.add(
                    "end_date",
                    "ends_before_start",
                    "must not be before the start date",
                );
            }
        }
        e.into_result()?;
        Ok(SeatPurchase {
            plan_id: plan_id.unwrap(),
            count: count.unwrap(),
            start_date: start.unwrap(),
            end_date: end.unwrap(),
        })
    }
}

impl SeatPurchase {
    /// The seats this purchase creates for a plan: a fixed-period plan's
    /// seats end after its period (or earlier, if the buyer said so).
    pub fn seats(
        &self,
        plan: &Plan,
        organisation_id: Uuid,
        now: DateTime<Utc>,
        mut new_id: impl FnMut() -> Uuid,
    ) -> Vec<Seat> {
        let fixed_end = plan.validity.last_day(self.start_date, None);
        let end_date = match (fixed_end, self.end_date) {
            (Some(f), Some(e)) => Some(f.min(e)),
            (Some(f), None) => Some(f),
            (None, e) => e,
        };
        (0..self.count)
            .map(|_| Seat {
                id: new_id(),
                plan_id: plan.id,
                organisation_id,
                start_date: self.start_date,
                end_date,
                created_at: now,
                // Who sold it stays as it was when bought.
                selling_operator_id: plan.selling_operator_id,
            })
            .collect()
    }
}

/// Why a seat cannot be given to a person.
pub fn check_assignment(
    seat: &Seat,
    seat_org_archived: bool,
    person_org: Option<Uuid>,
    person_archived: bool,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if person_archived {
        return Err(invalid("person_archived", "this person is archived"));
    }
    if person_org != Some(seat.organisation_id) {
        return Err(invalid(
            "outside_organisation",
            "a seat can only be given to someone in the organisation that bought it",
        ));
    }
    if seat_org_archived {
        return Err(invalid(
            "organisation_archived",
            "the organisation is archived",
        ));
    }
    if seat.end_date.is_some_and(|e| e < today) {
        return Err(invalid("seat_ended", "this seat has ended"));
    }
    Ok(())
}

/// The new last day of a seat that is ended on `today` under its plan's
/// validity; never later than an end already set.
pub fn end_seat(seat: &Seat, validity: Validity, today: NaiveDate) -> NaiveDate {
    let natural = validity
        .last_day(seat.start_date, Some(today))
        .unwrap_or(today);
    match seat.end_date {
        Some(e) => e.min(natural),
        None => natural,
    }
}

// --------------------------------------------------------- entitlements

/// A seat someone holds, with its plan: the raw material of entitlements.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldSeat {
    pub seat: Seat,
    pub plan: Plan,
    pub organisation_name: String,
}

/// The held seats that open a hub on a date, best first (most guests, then
/// most included hours).
pub fn seats_opening(
    held: &[HeldSeat],
    hub_id: Uuid,
    hub_region_id: Uuid,
    date: NaiveDate,
) -> Vec<&HeldSeat> {
    let mut v: Vec<&HeldSeat> = held
        .iter()
        .filter(|h| {
            !h.plan.archived_blocks_access()
                && h.seat.active_on(date)
                && h.plan.scope.opens(hub_id, hub_region_id)
        })
        .collect();
    v.sort_by_key(|h| {
        (
            std::cmp::Reverse(h.plan.max_guests),
            std::cmp::Reverse(h.plan.included_hours_per_month),
            h.seat.id,
        )
    });
    v
}

impl Plan {
    /// Archiving a plan stops new sales, not seats already sold.
    fn archived_blocks_access(&self) -> bool {
        false
    }
}

/// Included room minutes for the calendar month of `date`: every held seat
/// active on that day adds its plan's hours.
pub fn included_minutes(held: &[HeldSeat], date: NaiveDate) -> i64 {
    held.iter()
        .filter(|h| h.seat.active_on(date))
        .map(|h| h.plan.included_hours_per_month * 60)
        .sum()
}

/// What is left of one held seat's included room hours this month, for the
/// member's card and the booking form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludedLeft {
    pub seat_id: Uuid,
    pub plan_name: String,
    /// Minutes the seat's plan includes per month.
    pub allowance_minutes: i64,
    /// Minutes used this month.
    pub used_minutes: i64,
}

impl IncludedLeft {
    /// Minutes left; never below zero, since charged late cancellations
    /// keep their minutes used even after the plan has changed.
    pub fn left_minutes(&self) -> i64 {
        (self.allowance_minutes - self.used_minutes).max(0)
    }
}

/// The held seats whose plans include room hours: the only ones whose use
/// this month is worth reading.
pub fn seats_with_included_hours(held: &[HeldSeat]) -> Vec<Uuid> {
    held.iter()
        .filter(|h| h.plan.included_hours_per_month > 0)
        .map(|h| h.seat.id)
        .collect()
}

/// What is left of each held seat's included hours, in the order held,
/// given the minutes `used` per seat this month (a seat not in `used` has
/// used none). Seats without included hours are left out.
pub fn included_left(held: &[HeldSeat], used: &HashMap<Uuid, i64>) -> Vec<IncludedLeft> {
    held.iter()
        .filter(|h| h.plan.included_hours_per_month > 0)
        .map(|h| IncludedLeft {
            seat_id: h.seat.id,
            plan_name: h.plan.name.clone(),
            allowance_minutes: h.plan.included_hours_per_month * 60,
            used_minutes: used.get(&h.seat.id).copied().unwrap_or(0),
        })
        .collect()
}

/// The first and last civil day of the month that contains `date`.
pub fn month_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = date.with_day(1).unwrap_or(date);
    let last = add_months(first, 1) - Duration::days(1);
    (first, last)
}

// --------------------------------------------------------------- check-in

/// How a check-in was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckInMethod {
    /// From the hub's check-in page (the QR poster at the door).
    Page,
    /// A host or kiosk scanned the member's QR code.
    Scan,
    /// Through the API.
    Api,
}

impl CheckInMethod {
    pub fn key(self) -> &'static str {
        match self {
            CheckInMethod::Page => "page",
            CheckInMethod::Scan => "scan",
            CheckInMethod::Api => "api",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "page" => Some(CheckInMethod::Page),
            "scan" => Some(CheckInMethod::Scan),
            "api" => Some(CheckInMethod::Api),
            _ => None,
        }
    }
}

/// A visit by a member. Open while `checked_out_at` is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckIn {
    pub id: Uuid,
    pub person_id: Uuid,
    pub hub_id: Uuid,
    /// The seat that let them in.
    pub seat_id: Uuid,
    /// `page`, `scan` or `api`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub method: CheckInMethod,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Closed by the system at the hub's closing time.
    pub auto_closed: bool,
}

/// Why a check-in is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckInRefusal {
    HubArchived,
    /// Closed now; the next opening, if any within a week.
    HubClosed {
        opens: Option<DateTime<Utc>>,
    },
    NoMembership,
}

impl CheckInRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            CheckInRefusal::HubArchived => "hub_archived",
            CheckInRefusal::HubClosed { .. } => "hub_closed",
            CheckInRefusal::NoMembership => "no_membership",
        }
    }
}

/// The instant the opening interval containing `at` closes, or `None` if the
/// hub is closed at `at`.
pub fn open_until(hours: &OpeningHours, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let date = local_date(at);
    // An interval never crosses midnight, so today's intervals suffice.
    hours.hours_on(date).iter().find_map(|i| {
        let open = local_instant(date, i.open);
        let close = local_instant(date, i.close);
        (open <= at && at < close).then_some(close)
    })
}

/// The next instant the hub opens after `at`, looking a week ahead.
pub fn next_opening(hours: &OpeningHours, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = local_date(at);
    (0..8).find_map(|d| {
        let date = today + Duration::days(d);
        hours
            .hours_on(date)
            .iter()
            .map(|i| local_instant(date, i.open))
            .find(|open| *open > at)
    })
}

/// Decides a check-in: the seat to record it under, or why not.
pub fn decide_check_in<'a>(
    hub_archived: bool,
    hours: &OpeningHours,
    held: &'a [HeldSeat],
    hub_id: Uuid,
    hub_region_id: Uuid,
    at: DateTime<Utc>,
) -> Result<&'a HeldSeat, CheckInRefusal> {
    if hub_archived {
        return Err(CheckInRefusal::HubArchived);
    }
    if open_until(hours, at).is_none() {
        return Err(CheckInRefusal::HubClosed {
            opens: next_opening(hours, at),
        });
    }
    seats_opening(held, hub_id, hub_region_id, local_date(at))
        .into_iter()
        .next()
        .ok_or(CheckInRefusal::NoMembership)
}

/// When an open check-in is closed by the system: at the closing time of the
/// opening interval it was made in, or at the end of that civil day when it
/// was made outside opening hours (by a host).
pub fn auto_close_at(hours: &OpeningHours, checked_in_at: DateTime<Utc>) -> DateTime<Utc> {
    open_until(hours, checked_in_at).unwrap_or_else(|| {
        let next_day = local_date(checked_in_at) + Duration::days(1);
        local_instant(next_day, NaiveTime::MIN)
    })
}

// ------------------------------------------------------------------ guests

/// A guest registered by a checked-in member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestVisit {
    pub id: Uuid,
    pub host_checkin_id: Uuid,
    pub host_person_id: Uuid,
    pub hub_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub organisation_id: Uuid,
    pub arrived_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GuestInput {
    pub first_name: String,
    pub last_name: String,
    pub organisation_id: String,
}

/// A guest's validated name and organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub first_name: String,
    pub last_name: String,
    pub organisation_id: Uuid,
}

impl GuestInput {
    pub fn validate(&self) -> Result<Guest, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let first = e.check(
            "first_name",
            Text::parse(&self.first_name, 60).map(Text::into_string),
        );
        let last = e.check(
            "last_name",
            Text::parse(&self.last_name, 60).map(Text::into_string),
        );
        let org = e.check("organisation_id", parse_id(&self.organisation_id));
        e.into_result()?;
        Ok(Guest {
            first_name: first.unwrap(),
            last_name: last.unwrap(),
            organisation_id: org.unwrap(),
        })
    }
}

/// Why a guest cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuestRefusal {
    /// The host is not checked in (or already left).
    HostNotCheckedIn,
    /// The guest is from another organisation than the host.
    OtherOrganisation,
    /// The host's plan allows no guests.
    GuestsNotAllowed,
    /// The plan's limit of guests at once is reached.
    LimitReached { limit: i64 },
}

impl GuestRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            GuestRefusal::HostNotCheckedIn => "not_checked_in",
            GuestRefusal::OtherOrganisation => "guest_other_organisation",
            GuestRefusal::GuestsNotAllowed => "guests_not_allowed",
            GuestRefusal::LimitReached { .. } => "guest_limit_reached",
        }
    }

    pub fn message(&self) -> String {
        match self {
            GuestRefusal::HostNotCheckedIn => {
                "You need to be checked in at the hub to register a guest.".into()
            }
            GuestRefusal::OtherOrganisation => "A guest must come from your own organisation. \
                 People from other organisations are welcome through invitations to events."
                .into(),
            GuestRefusal::GuestsNotAllowed => "Your membership does not include guests.".into(),
            GuestRefusal::LimitReached { limit } => {
                format!(
                    "Your membership allows {limit} guest(s) at a time, and that many are here."
                )
            }
        }
    }
}

/// Whether `who` may end a check-in or add guests to it: its member and the
/// hub's hosts (and network admins).
pub fn may_act_on_check_in(who: &Principal, c: &CheckIn) -> bool {
    who.person_id == c.person_id || who.can_edit_hub(c.hub_id)
}

/// How many guests a check-in may have at once: the limit of the plan of
/// the seat that let its member in, among the seats they hold now; none if
/// they no longer hold it.
pub fn guest_limit(held: &[HeldSeat], c: &CheckIn) -> i64 {
    held.iter()
        .find(|h| h.seat.id == c.seat_id)
        .map(|h| h.plan.max_guests)
        .unwrap_or(0)
}

/// The guest rule: same organisation as the host, and within the plan's
/// limit of guests at once (`present` counts the host's guests still here).
pub fn check_guest(
    host_open: bool,
    host_org: Option<Uuid>,
    guest_org: Uuid,
    max_guests: i64,
    present: i64,
) -> Result<(), GuestRefusal> {
    if !host_open {
        return Err(GuestRefusal::HostNotCheckedIn);
    }
    if host_org != Some(guest_org) {
        return Err(GuestRefusal::OtherOrganisation);
    }
    if max_guests <= 0 {
        return Err(GuestRefusal::GuestsNotAllowed);
    }
    if present >= max_guests {
        return Err(GuestRefusal::LimitReached { limit: max_guests });
    }
    Ok(())
}

// ---------------------------------------------------------------- presence

/// A person at a hub, as the store reports them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PresentPerson {
    pub person_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub organisation_name: Option<String>,
    pub visible: bool,
    pub expertise: Vec<String>,
    pub since: DateTime<Utc>,
}

/// What a member (not a host) sees of one visible person.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicPresence {
    pub first_name: String,
    pub organisation_name: Option<String>,
    pub expertise: Vec<String>,
}

/// Who is here, as members see it: those who opted in, with first name,
/// organisation and expertise; everyone else only as a count.
pub fn public_presence(people: &[PresentPerson]) -> (Vec<PublicPresence>, usize) {
    let visible: Vec<PublicPresence> = people
        .iter()
        .filter(|p| p.visible)
        .map(|p| PublicPresence {
            first_name: p.first_name.clone(),
            organisation_name: p.organisation_name.clone(),
            expertise: p.expertise.clone(),
        })
        .collect();
    let hidden = people.len() - visible.len();
    (visible, hidden)
}

/// A member's opt-in profile in the community.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Shown (first name, organisation, expertise) to other members.
    pub visible: bool,
    pub expertise: Vec<String>,
}

/// Parses comma-separated expertise tags: trimmed, at most 10 of at most 40
/// characters each, duplicates dropped.
pub fn parse_expertise(raw: &str) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for part in raw.split(',') {
        let t = part.trim();
        if t.is_empty() {
            continue;
        }
        let t = Text::parse(t, 40)
            .map_err(|e| invalid(e.code, format!("each tag {}", e.message)))?
            .into_string();
        if !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
            tags.push(t);
        }
    }
    if tags.len() > 10 {
        return Err(invalid("too_many", "at most 10 tags"));
    }
    Ok(tags)
}

/// The first day of "the last 30 days" that end today: today and the 29
/// civil days before it.
pub fn first_day_of_last_30(today: NaiveDate) -> NaiveDate {
    today - Duration::days(29)
}

/// The numbers behind a hub's first indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessSummary {
    pub people_with_access: i64,
    pub organisations_with_access: i64,
    pub checked_in_now: i64,
    pub visits_last_30_days: i64,
    pub guest_visits_last_30_days: i64,
}

// ---------------------------------------------------------------- webhooks

/// The events a webhook can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookEvent {
    #[serde(rename = "checkin.created")]
    CheckIn,
    #[serde(rename = "checkin.ended")]
    CheckOut,
    #[serde(rename = "guest.registered")]
    Guest,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 3] = [
        WebhookEvent::CheckIn,
        WebhookEvent::CheckOut,
        WebhookEvent::Guest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            WebhookEvent::CheckIn => "checkin.created",
            WebhookEvent::CheckOut => "checkin.ended",
            WebhookEvent::Guest => "guest.registered",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key() == raw.trim())
    }
}

/// A registered receiver of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    /// Among `checkin.created`, `checkin.ended`, `guest.registered`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub events: Vec<WebhookEvent>,
    /// The HMAC-SHA256 key the payloads are signed with; the receiver checks
    /// `X-Thirdplace-Signature` with it.
    pub secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    pub active: String,
}

/// A valid webhook registration (the secret is made by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub active: bool,
}

impl WebhookInput {
    pub fn validate(&self) -> Result<WebhookTarget, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let url = e.check("url", parse_webhook_url(&self.url));
        let events: Option<Vec<WebhookEvent>> = e.check(
            "events",
            self.events
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    WebhookEvent::parse(s).ok_or_else(|| {
                        invalid(
                            "invalid_choice",
                            format!(
                                "unknown event {s:?}; choose among checkin.created, checkin.ended, guest.registered"
                            ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|mut v| {
                    v.sort_by_key(|e| e.key());
                    v.dedup();
                    if v.is_empty() {
                        Err(invalid("required", "choose at least one event"))
                    } else {
                        Ok(v)
                    }
                }),
        );
        e.into_result()?;
        Ok(WebhookTarget {
            url: url.unwrap(),
            events: events.unwrap(),
            active: parse_bool(&self.active),
        })
    }
}

fn parse_webhook_url(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(invalid("required", "must not be empty"));
    }
    if t.len() > 500 {
        return Err(invalid("too_long", "must be at most 500 characters"));
    }
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .ok_or_else(|| invalid("invalid_url", "must start with https:// or http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("invalid_url", "is not a valid web address"));
    }
    Ok(t.to_string())
}

/// One queued delivery of an event to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event: WebhookEvent,
    /// The JSON body, exactly as it is sent and signed.
    pub payload: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Given up on (after [`WEBHOOK_GIVE_UP_AFTER`]); kept for the admin to retry.
    pub failed: bool,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Deliveries are retried for three days before they are marked failed.
pub const WEBHOOK_GIVE_UP_AFTER: Duration = Duration::days(3);

/// The wait before the next attempt after `attempts` failed ones:
/// 10 s, 20 s, 40 s, … doubling up to one hour.
pub fn webhook_backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 10i64.saturating_mul(1i64 << exp);
    Duration::seconds(secs.min(3600))
}

/// The history change of a reassignment at `at`: the current holding ends
/// and, if there is a new holder, a new one begins. Both backends follow
/// this rule inside one transaction.
pub fn apply_reassignment(
    history: &mut Vec<SeatHolding>,
    seat_id: Uuid,
    new_holder: Option<Uuid>,
    at: DateTime<Utc>,
) {
    if let Some(current) = history.iter_mut().find(|h| h.until.is_none()) {
        if Some(current.person_id) == new_holder {
            return;
        }
        current.until = Some(at);
    }
    if let Some(p) = new_holder {
        history.push(SeatHolding {
            seat_id,
            person_id: p,
            from: at,
            until: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn plan(scope: PlanScope, validity: Validity, guests: i64, hours: i64) -> Plan {
        Plan {
            id: Uuid::from_u128(1),
            name: "Plan".into(),
            description: String::new(),
            scope,
            monthly_price_ore: 0,
            included_hours_per_month: hours,
            max_guests: guests,
            validity,
            archived: false,
            selling_operator_id: None,
            vat_rate_percent: 25,
        }
    }

    fn seat(start: &str, end: Option<&str>) -> Seat {
        Seat {
            id: Uuid::from_u128(9),
            plan_id: Uuid::from_u128(1),
            organisation_id: Uuid::from_u128(100),
            start_date: d(start),
            end_date: end.map(d),
            created_at: t("2026-01-01T00:00:00Z"),
            selling_operator_id: None,
        }
    }

    const HUB: Uuid = Uuid::from_u128(50);
    const OTHER_HUB: Uuid = Uuid::from_u128(51);
    const REGION: Uuid = Uuid::from_u128(60);
    const OTHER_REGION: Uuid = Uuid::from_u128(61);

    #[test]
    fn scopes_open_the_right_hubs() {
        assert!(PlanScope::Network.opens(HUB, REGION));
        assert!(PlanScope::Region(REGION).opens(HUB, REGION));
        assert!(!PlanScope::Region(OTHER_REGION).opens(HUB, REGION));
        assert!(PlanScope::Hub(HUB).opens(HUB, REGION));
        assert!(!PlanScope::Hub(OTHER_HUB).opens(HUB, REGION));
    }

    #[test]
    fn seat_is_active_from_first_to_last_day_inclusive() {
        let s = seat("2026-01-31", Some("2026-02-28"));
        assert!(!s.active_on(d("2026-01-30")));
        assert!(s.active_on(d("2026-01-31")));
        assert!(s.active_on(d("2026-02-28")));
        assert!(!s.active_on(d("2026-03-01")));
        assert!(seat("2026-01-01", None).active_on(d("2030-12-31")));
    }

    #[test]
    fn ending_a_monthly_seat_runs_to_the_end_of_the_paid_month() {
        let v = Validity::MonthlyRolling;
        let start = d("2026-01-15");
        // Paid periods: 15 Jan–14 Feb, 15 Feb–14 Mar, …
        assert_eq!(
            v.last_day(start, Some(d("2026-01-20"))),
            Some(d("2026-02-14"))
        );
        assert_eq!(
            v.last_day(start, Some(d("2026-02-14"))),
            Some(d("2026-02-14"))
        );
        assert_eq!(
            v.last_day(start, Some(d("2026-02-15"))),
            Some(d("2026-03-14"))
        );
        // Month ends: a start on the 31st.
        let start = d("2026-01-31");
        assert_eq!(
            v.last_day(start, Some(d("2026-02-10"))),
            Some(d("2026-02-27"))
        );
        assert_eq!(
            v.last_day(start, Some(d("2026-02-28"))),
            Some(d("2026-03-30"))
        );
        // The case a CI run found: the period that begins on the clamped
        // 30 November ends on 30 December, exactly a month later.
        let start31 = d("2024-01-31");
        assert_eq!(
            v.last_day(start31, Some(d("2026-11-30"))),
            Some(d("2026-12-30"))
        );
        // And one a second CI run found: start 30 Sep, the period that
        // begins on the clamped 28 Feb ends on 29 March.
        assert_eq!(
            v.last_day(d("2024-09-30"), Some(d("2029-02-28"))),
            Some(d("2029-03-29"))
        );
        // Ended before it started: it never starts.
        assert_eq!(
            v.last_day(start, Some(d("2026-01-01"))),
            Some(d("2026-01-30"))
        );
        assert_eq!(v.last_day(start, None), None);
    }

    #[test]
    fn fixed_seats_run_their_period() {
        let v = Validity::FixedDays(7);
        assert_eq!(v.last_day(d("2026-12-28"), None), Some(d("2027-01-03")));
        let s = seat("2026-12-28", Some("2027-01-03"));
        assert_eq!(end_seat(&s, v, d("2026-12-29")), d("2027-01-03"));
    }

    #[test]
    fn end_seat_never_extends_a_set_end() {
        let s = seat("2026-01-01", Some("2026-01-10"));
        assert_eq!(
            end_seat(&s, Validity::MonthlyRolling, d("2026-01-05")),
            d("2026-01-10")
        );
        let s = seat("2026-01-01", None);
        assert_eq!(
            end_seat(&s, Validity::MonthlyRolling, d("2026-01-05")),
            d("2026-01-31")
        );
    }

    #[test]
    fn purchase_of_a_fixed_plan_sets_the_end() {
        let p = plan(PlanScope::Network, Validity::FixedDays(7), 0, 0);
        let input = SeatPurchaseInput {
            plan_id: p.id.to_string(),
            count: "3".into(),
            start_date: "2026-11-23".into(),
            end_date: String::new(),
        };
        let purchase = input.validate(d("2026-11-23")).unwrap();
        let mut n = 0u128;
        let seats = purchase.seats(&p, Uuid::from_u128(100), t("2026-11-23T08:00:00Z"), || {
            n += 1;
            Uuid::from_u128(n)
        });
        assert_eq!(seats.len(), 3);
        assert!(seats.iter().all(|s| s.end_date == Some(d("2026-11-29"))));
    }

    #[test]
    fn seats_cannot_start_or_end_more_than_ten_years_ahead() {
        let input = |start: &str, end: &str| SeatPurchaseInput {
            plan_id: Uuid::nil().to_string(),
            count: "1".into(),
            start_date: start.into(),
            end_date: end.into(),
        };
        let today = d("2026-11-23");
        assert!(input("2026-11-23", "2036-11-23").validate(today).is_ok());
        let e = input("2026-11-23", "2036-11-24")
            .validate(today)
            .unwrap_err();
        assert_eq!(e.for_field("end_date").unwrap().code, "date_too_far_ahead");
        let e = input("2062-11-23", "").validate(today).unwrap_err();
        assert_eq!(
            e.for_field("start_date").unwrap().code,
            "date_too_far_ahead"
        );
    }

    #[test]
    fn purchase_input_reports_every_field() {
        let input = SeatPurchaseInput {
            plan_id: "x".into(),
            count: "0".into(),
            start_date: "2026-11-01".into(),
            end_date: "nope".into(),
        };
        let e = input.validate(d("2026-11-23")).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["plan_id", "count", "start_date", "end_date"]);
        let input = SeatPurchaseInput {
            plan_id: Uuid::nil().to_string(),
            count: "2".into(),
            start_date: "2026-12-01".into(),
            end_date: "2026-11-30".into(),
        };
        let e = input.validate(d("2026-11-23")).unwrap_err();
        assert_eq!(e.errors[0].code, "ends_before_start");
    }

    #[test]
    fn plan_input_validates() {
        let input = PlanInput {
            name: "Hubbkort Figeholm".into(),
            scope: "hub".into(),
            scope_id: HUB.to_string(),
            monthly_price_sek: "400".into(),
            included_hours_per_month: "4".into(),
            guests_allowed: "on".into(),
            max_guests: "2".into(),
            validity: "monthly_rolling".into(),
            ..Default::default()
        };
        let p = input.validate(Uuid::from_u128(3)).unwrap();
        assert_eq!(p.scope, PlanScope::Hub(HUB));
        assert_eq!(p.monthly_price_ore, 40_000);
        assert_eq!(p.max_guests, 2);
        let back = PlanInput::from_plan(&p).validate(p.id).unwrap();
        assert_eq!(back, p);

        let bad = PlanInput {
            name: String::new(),
            scope: "region".into(),
            monthly_price_sek: "-1".into(),
            guests_allowed: "true".into(),
            max_guests: "99".into(),
            validity: "fixed_days".into(),
            validity_days: "0".into(),
            ..Default::default()
        };
        let e = bad.validate(Uuid::nil()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "scope_id",
                "monthly_price_sek",
                "max_guests",
                "validity_days"
            ]
        );
    }

    #[test]
    fn a_network_wide_plan_names_its_seller() {
        let network = PlanInput {
            name: "Nätverkskort".into(),
            scope: "network".into(),
            monthly_price_sek: "1 200".into(),
            validity: "monthly_rolling".into(),
            ..Default::default()
        };
        let e = network.validate(Uuid::nil()).unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "selling_operator_id");
        assert_eq!(e.errors[0].code, "seller_required");

        let seller = Uuid::from_u128(9);
        let named = PlanInput {
            selling_operator_id: seller.to_string(),
            ..network
        };
        let p = named.validate(Uuid::nil()).unwrap();
        assert_eq!(p.selling_operator_id, Some(seller));
        // A hub's plan may leave it to the hub's operator.
        let hub = PlanInput {
            scope: "hub".into(),
            scope_id: HUB.to_string(),
            selling_operator_id: String::new(),
            ..named
        };
        assert_eq!(hub.validate(Uuid::nil()).unwrap().selling_operator_id, None);
    }

    fn held(scope: PlanScope, guests: i64, start: &str, end: Option<&str>) -> HeldSeat {
        HeldSeat {
            seat: seat(start, end),
            plan: plan(scope, Validity::MonthlyRolling, guests, 2),
            organisation_name: "Org".into(),
        }
    }

    fn weekdays() -> OpeningHours {
        OpeningHours::weekdays("08:00", "17:00")
    }

    #[test]
    fn check_in_needs_a_seat_that_opens_the_hub_today() {
        let at = t("2026-11-23T09:00:00Z"); // Monday 10:00 in Stockholm
        let hours = weekdays();
        let seats = vec![held(PlanScope::Hub(OTHER_HUB), 0, "2026-01-01", None)];
        assert_eq!(
            decide_check_in(false, &hours, &seats, HUB, REGION, at).unwrap_err(),
            CheckInRefusal::NoMembership
        );
        // Expired yesterday, starts tomorrow: no.
        let seats = vec![
            held(PlanScope::Network, 0, "2026-01-01", Some("2026-11-22")),
            held(PlanScope::Network, 0, "2026-11-24", None),
        ];
        assert_eq!(
            decide_check_in(false, &hours, &seats, HUB, REGION, at).unwrap_err(),
            CheckInRefusal::NoMembership
        );
        // The best of two opening seats is chosen (most guests).
        let seats = vec![
            held(PlanScope::Network, 0, "2026-01-01", None),
            held(
                PlanScope::Region(REGION),
                3,
                "2026-01-01",
                Some("2026-11-23"),
            ),
        ];
        let s = decide_check_in(false, &hours, &seats, HUB, REGION, at).unwrap();
        assert_eq!(s.plan.max_guests, 3);
        assert_eq!(
            decide_check_in(true, &hours, &seats, HUB, REGION, at).unwrap_err(),
            CheckInRefusal::HubArchived
        );
    }

    #[test]
    fn closed_hub_refuses_and_says_when_it_opens() {
        let hours = weekdays();
        // Saturday 2026-11-28 12:00 local: next opening Monday 08:00 local (07:00Z).
        let seats = [held(PlanScope::Network, 0, "2026-01-01", None)];
        let r = decide_check_in(
            false,
            &hours,
            &seats,
            HUB,
            REGION,
            t("2026-11-28T11:00:00Z"),
        );
        assert_eq!(
            r.unwrap_err(),
            CheckInRefusal::HubClosed {
                opens: Some(t("2026-11-30T07:00:00Z"))
            }
        );
    }

    #[test]
    fn auto_close_is_at_closing_time_in_local_time_across_dst() {
        let hours = weekdays();
        // Winter: 17:00 CET = 16:00Z.
        assert_eq!(
            auto_close_at(&hours, t("2026-11-23T09:00:00Z")),
            t("2026-11-23T16:00:00Z")
        );
        // Summer: 17:00 CEST = 15:00Z (Monday after the spring change).
        assert_eq!(
            auto_close_at(&hours, t("2026-03-30T07:00:00Z")),
            t("2026-03-30T15:00:00Z")
        );
        // Outside opening hours: at local midnight.
        assert_eq!(
            auto_close_at(&hours, t("2026-11-28T11:00:00Z")),
            t("2026-11-28T23:00:00Z")
        );
    }

    fn a_check_in() -> CheckIn {
        CheckIn {
            id: Uuid::from_u128(80),
            person_id: Uuid::from_u128(81),
            hub_id: HUB,
            seat_id: Uuid::from_u128(9),
            method: CheckInMethod::Scan,
            checked_in_at: t("2026-11-23T09:00:00Z"),
            checked_out_at: None,
            auto_closed: false,
        }
    }

    #[test]
    fn a_check_in_is_acted_on_by_its_member_and_the_hubs_hosts() {
        let someone = |id: u128| Principal {
            person_id: Uuid::from_u128(id),
            first_name: "Anna".into(),
            email: crate::text::Email::parse("anna@example.se").unwrap(),
            organisation_id: Some(Uuid::from_u128(100)),
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
        };
        let c = a_check_in();
        assert!(may_act_on_check_in(&someone(81), &c), "its member");
        assert!(!may_act_on_check_in(&someone(82), &c), "a colleague");
        let host = Principal {
            hosted_hub_ids: vec![HUB],
            ..someone(83)
        };
        assert!(may_act_on_check_in(&host, &c));
        let other_host = Principal {
            hosted_hub_ids: vec![OTHER_HUB],
            ..someone(84)
        };
        assert!(!may_act_on_check_in(&other_host, &c));
        let admin = Principal {
            is_network_admin: true,
            ..someone(85)
        };
        assert!(may_act_on_check_in(&admin, &c));
    }

    #[test]
    fn the_guest_limit_is_the_plan_of_the_seat_that_let_the_member_in() {
        let c = a_check_in();
        // `held` gives seat 9 (the check-in's) to every seat it makes.
        let mut other = held(PlanScope::Network, 5, "2026-01-01", None);
        other.seat.id = Uuid::from_u128(10);
        let own = held(PlanScope::Network, 3, "2026-01-01", None);
        assert_eq!(guest_limit(&[other.clone(), own], &c), 3);
        assert_eq!(guest_limit(&[other], &c), 0, "a seat no longer held");
        assert_eq!(guest_limit(&[], &c), 0);
    }

    #[test]
    fn guests_follow_the_organisation_and_the_limit() {
        let org = Uuid::from_u128(100);
        let other = Uuid::from_u128(101);
        assert_eq!(check_guest(true, Some(org), org, 2, 1), Ok(()));
        assert_eq!(
            check_guest(true, Some(org), other, 2, 0),
            Err(GuestRefusal::OtherOrganisation)
        );
        assert!(GuestRefusal::OtherOrganisation
            .message()
            .contains("invitations to events"));
        assert_eq!(
            check_guest(true, Some(org), org, 2, 2),
            Err(GuestRefusal::LimitReached { limit: 2 })
        );
        assert_eq!(
            check_guest(true, Some(org), org, 0, 0),
            Err(GuestRefusal::GuestsNotAllowed)
        );
        assert_eq!(
            check_guest(false, Some(org), org, 2, 0),
            Err(GuestRefusal::HostNotCheckedIn)
        );
    }

    #[test]
    fn assignment_rules() {
        let s = seat("2026-01-01", Some("2026-06-30"));
        let org = Some(s.organisation_id);
        assert!(check_assignment(&s, false, org, false, d("2026-03-01")).is_ok());
        assert_eq!(
            check_assignment(&s, false, Some(Uuid::from_u128(7)), false, d("2026-03-01"))
                .unwrap_err()
                .code,
            "outside_organisation"
        );
        assert_eq!(
            check_assignment(&s, false, org, false, d("2026-07-01"))
                .unwrap_err()
                .code,
            "seat_ended"
        );
        assert_eq!(
            check_assignment(&s, false, org, true, d("2026-03-01"))
                .unwrap_err()
                .code,
            "person_archived"
        );
    }

    #[test]
    fn what_is_left_of_included_hours_is_per_seat_and_never_negative() {
        let with_hours = |id: u128, hours: i64, name: &str| {
            let mut h = held(PlanScope::Network, 0, "2026-01-01", None);
            h.seat.id = Uuid::from_u128(id);
            h.plan.included_hours_per_month = hours;
            h.plan.name = name.into();
            h
        };
        let held = vec![
            with_hours(1, 4, "Flex"),
            with_hours(2, 0, "Drop-in"),
            with_hours(3, 2, "Bas"),
        ];
        assert_eq!(
            seats_with_included_hours(&held),
            vec![Uuid::from_u128(1), Uuid::from_u128(3)]
        );
        let used = HashMap::from([(Uuid::from_u128(1), 90), (Uuid::from_u128(3), 150)]);
        let left = included_left(&held, &used);
        assert_eq!(
            left,
            vec![
                IncludedLeft {
                    seat_id: Uuid::from_u128(1),
                    plan_name: "Flex".into(),
                    allowance_minutes: 240,
                    used_minutes: 90,
                },
                IncludedLeft {
                    seat_id: Uuid::from_u128(3),
                    plan_name: "Bas".into(),
                    allowance_minutes: 120,
                    used_minutes: 150,
                },
            ]
        );
        assert_eq!(left[0].left_minutes(), 150);
        assert_eq!(left[1].left_minutes(), 0, "more used than included");
        // A seat not yet used this month has all of its hours left.
        let fresh = included_left(&held, &HashMap::new());
        assert_eq!(fresh[0].left_minutes(), 240);
        assert!(included_left(&[], &used).is_empty());
    }

    #[test]
    fn included_minutes_count_active_seats() {
        let seats = vec![
            held(PlanScope::Network, 0, "2026-01-01", None),
            held(PlanScope::Network, 0, "2026-12-01", None),
        ];
        assert_eq!(included_minutes(&seats, d("2026-11-30")), 120);
        assert_eq!(included_minutes(&seats, d("2026-12-01")), 240);
        assert_eq!(
            month_of(d("2028-02-10")),
            (d("2028-02-01"), d("2028-02-29"))
        );
    }

    #[test]
    fn presence_hides_those_who_did_not_opt_in() {
        let p = |name: &str, visible: bool| PresentPerson {
            person_id: Uuid::nil(),
            first_name: name.into(),
            last_name: "Secret".into(),
            organisation_name: Some("Org".into()),
            visible,
            expertise: vec!["GIS".into()],
            since: t("2026-11-23T08:00:00Z"),
        };
        let (shown, hidden) = public_presence(&[p("Anna", true), p("Bo", false), p("Cia", false)]);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].first_name, "Anna");
        assert_eq!(hidden, 2);
    }

    #[test]
    fn expertise_tags_parse() {
        assert_eq!(
            parse_expertise(" GIS, upphandling ,gis,, ").unwrap(),
            vec!["GIS".to_string(), "upphandling".to_string()]
        );
        assert_eq!(
            parse_expertise(&"a,".repeat(11).replace('a', "x"))
                .unwrap()
                .len(),
            1
        );
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_expertise(&many.join(",")).unwrap_err().code,
            "too_many"
        );
    }

    #[test]
    fn webhook_input_and_backoff() {
        let ok = WebhookInput {
            url: "http://127.0.0.1:9000/hook".into(),
            events: vec!["checkin.ended".into(), "checkin.created".into()],
            active: "true".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(
            ok.events,
            vec![WebhookEvent::CheckIn, WebhookEvent::CheckOut]
        );
        let bad = WebhookInput {
            url: "ftp://x".into(),
            events: vec!["door.opened".into()],
            active: String::new(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(bad.errors.len(), 2);
        assert_eq!(webhook_backoff(1), Duration::seconds(10));
        assert_eq!(webhook_backoff(2), Duration::seconds(20));
        assert_eq!(webhook_backoff(30), Duration::seconds(3600));
    }

    proptest! {
        /// Reassigning a seat any number of times at increasing instants,
        /// the history the store keeps (close the current holding, open a
        /// new one) never has two holders at one instant.
        #[test]
        fn a_seat_has_at_most_one_holder_at_any_instant(
            steps in proptest::collection::vec((1i64..10_000, proptest::option::of(0u128..5)), 1..40),
            probes in proptest::collection::vec(0i64..500_000, 1..40),
        ) {
            let seat_id = Uuid::from_u128(9);
            let mut history: Vec<SeatHolding> = Vec::new();
            let mut now = t("2026-01-01T00:00:00Z");
            for (gap, holder) in steps {
                now += Duration::seconds(gap);
                apply_reassignment(&mut history, seat_id, holder.map(Uuid::from_u128), now);
            }
            for p in probes {
                let at = t("2026-01-01T00:00:00Z") + Duration::seconds(p);
                let holders = history.iter().filter(|h| h.covers(at)).count();
                prop_assert!(holders <= 1);
            }
            // And every holding is non-empty and ordered.
            for w in history.windows(2) {
                prop_assert!(w[0].until.is_some());
                prop_assert!(w[0].until.unwrap() <= w[1].from);
            }
        }

        /// The last day of an ended monthly seat is never before the request
        /// (once started) and always within one month of it.
        #[test]
        fn ending_is_at_most_a_month_away(start_off in 0i64..2000, req_off in 0i64..2000) {
            let base = d("2024-01-01");
            let start = base + Duration::days(start_off);
            let req = base + Duration::days(req_off);
            let last = Validity::MonthlyRolling.last_day(start, Some(req)).unwrap();
            if req >= start {
                prop_assert!(last >= req);
                // A paid period is at most 31 days long (a start on the 30th
                // or 31st is clamped in shorter months: the period that
                // begins on a clamped 28 Feb runs to 29 Mar), so the last
                // day is at most 30 days after the request.
                prop_assert!((last - req).num_days() <= 30);
            } else {
                prop_assert!(last < start);
            }
        }
    }
}
