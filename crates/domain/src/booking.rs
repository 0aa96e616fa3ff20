//! Room bookings: which slots may be booked, what a booking costs (included
//! hours first, then the hourly price, with VAT), when cancelling is free,
//! weekly series, and the overlap rule the stores enforce in the database.
//!
//! Instants are UTC. Opening hours, the 15-minute grid, "how far ahead" and
//! the month included hours count in are civil time in Europe/Stockholm.
//!
//! **Rounding rule.** A booking is priced on its own: the price ex VAT is the
//! room's hourly price × billable minutes ÷ 60, rounded to the nearest whole
//! öre (halves up); the VAT is that rounded amount × the VAT rate, rounded the
//! same way ([`crate::money::vat_of`]); the total is their sum. Each
//! occurrence of a series is a booking of its own and rounds on its own.

use crate::entities::{parse_bool, parse_int, Principal, Room, RoomKind};
use crate::error::{invalid, FieldError, ValidationErrors};
use crate::hours::OpeningHours;
use crate::membership::{local_date, local_instant, HeldSeat};
use crate::money::vat_of;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// Bookings start and end on quarter hours. Swedish time is UTC+1 or UTC+2,
/// whole hours, so a quarter hour in Swedish time is one in UTC too.
pub const GRID_MINUTES: i64 = 15;
/// Most occurrences one series may create (a year of weekly meetings).
pub const MAX_OCCURRENCES: usize = 52;
/// Longest title.
pub const MAX_TITLE_CHARS: usize = 120;

/// A span of time `[start, end)`.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// A hub's booking rules. Hubs without rules of their own use the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRules {
    /// Cancelling at least this long before the start is free.
    pub cancel_notice_minutes: i64,
    /// Longest single booking.
    pub max_length_minutes: i64,
    /// How many days ahead (civil days from today) one may book.
    pub max_days_ahead: i64,
    /// Whether people from organisations without a seat here may book the
    /// hub's conference rooms and event spaces at the hourly price.
    pub non_members_may_book: bool,
    /// Whether events members propose at the hub are published at once,
    /// without waiting for a host (small hubs with few hosts).
    pub publish_member_events: bool,
}

impl Default for BookingRules {
    fn default() -> Self {
        Self {
            cancel_notice_minutes: 24 * 60,
            max_length_minutes: 10 * 60,
            max_days_ahead: 180,
            non_members_may_book: true,
            publish_member_events: false,
        }
    }
}

/// The rules as typed in a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BookingRulesInput {
    #[serde(default)]
    pub cancel_notice_hours: String,
    #[serde(default)]
    pub max_length_hours: String,
    #[serde(default)]
    pub max_days_ahead: String,
    #[serde(default)]
    pub non_members_may_book: String,
    #[serde(default)]
    pub publish_member_events: String,
}

impl BookingRulesInput {
    pub fn validate(&self) -> Result<BookingRules, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let notice = e.check(
            "cancel_notice_hours",
            parse_int(&self.cancel_notice_hours, 0, 24 * 30),
        );
        let length = e.check("max_length_hours", parse_int(&self.max_length_hours, 1, 24));
        let ahead = e.check("max_days_ahead", parse_int(&self.max_days_ahead, 1, 730));
        e.into_result()?;
        Ok(BookingRules {
            cancel_notice_minutes: notice.unwrap_or_default() * 60,
            max_length_minutes: length.unwrap_or_default() * 60,
            max_days_ahead: ahead.unwrap_or_default(),
            non_members_may_book: parse_bool(&self.non_members_may_book),
            publish_member_events: parse_bool(&self.publish_member_events),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Confirmed,
    Cancelled,
}

impl BookingStatus {
    pub fn key(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "confirmed" => Some(BookingStatus::Confirmed),
            "cancelled" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }
}

/// What a booking costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Price {
    /// Minutes taken from the booker's included hours.
    pub included_minutes: i64,
    /// Minutes charged at the hourly price.
    pub billable_minutes: i64,
    pub price_ex_vat_ore: i64,
    pub vat_percent: u8,
    pub vat_ore: i64,
    pub total_ore: i64,
}

/// A booking of one room for one interval `[start, end)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub id: Uuid,
    pub room_id: Uuid,
    pub hub_id: Uuid,
    /// The person who booked.
    pub booker_id: Uuid,
    /// The organisation billed.
    pub organisation_id: Uuid,
    /// Booked for the organisation rather than for the booker themself.
    pub on_behalf_of_organisation: bool,
    /// The seat whose included hours were used, if any.
    pub seat_id: Option<Uuid>,
    /// The series a recurring booking belongs to.
    pub series_id: Option<Uuid>,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    #[serde(flatten)]
    pub price: Price,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<Uuid>,
    pub cancel_reason: String,
    /// A cancellation after the deadline: the booking is still charged and
    /// its included hours stay used.
    pub cancellation_charged: bool,
}

impl Booking {
    /// Real elapsed minutes (DST days included).
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// The month (`YYYY-MM`, Swedish time) whose included hours it uses.
    pub fn usage_month(&self) -> String {
        usage_month(self.start)
    }

    /// Whether it takes the room: only confirmed bookings do.
    pub fn is_active(&self) -> bool {
        self.status == BookingStatus::Confirmed
    }

    /// Whether it still uses included hours and is invoiced.
    pub fn is_charged(&self) -> bool {
        self.status == BookingStatus::Confirmed || self.cancellation_charged
    }
}

/// The month (`YYYY-MM`) of an instant in Swedish time.
pub fn usage_month(at: DateTime<Utc>) -> String {
    let d = local_date(at);
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Two half-open intervals `[a0, a1)` and `[b0, b1)` overlap. Back-to-back
/// bookings (one ends at 10:00, the next starts at 10:00) do not.
pub fn overlaps(
    a0: DateTime<Utc>,
    a1: DateTime<Utc>,
    b0: DateTime<Utc>,
    b1: DateTime<Utc>,
) -> bool {
    a0 < b1 && b0 < a1
}

/// Why a booking cannot be made or cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingRefusal {
    EndBeforeStart,
    ZeroLength,
    OffGrid,
    InThePast,
    TooLong {
        max_minutes: i64,
    },
    TooFarAhead {
        max_days: i64,
    },
    OutsideOpeningHours,
    RoomArchived,
    /// The booker holds no seat that opens this hub, and the hub does not
    /// let non-members book (or not this kind of room).
    MembersOnly,
    /// Booking on behalf of an organisation the booker does not administer.
    CannotCharge,
    /// A person without an organisation has nobody to bill.
    NoOrganisation,
    /// Overlaps an existing booking of the room.
    Conflict,
    AlreadyCancelled,
    AlreadyStarted,
    NotYours,
    /// The room booking of an event: it follows the event, so it is
    /// cancelled or moved by cancelling or changing the event.
    EventBooking,
}

impl BookingRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            BookingRefusal::EndBeforeStart => "end_before_start",
            BookingRefusal::ZeroLength => "zero_length",
            BookingRefusal::OffGrid => "off_grid",
            BookingRefusal::InThePast => "in_the_past",
            BookingRefusal::TooLong { .. } => "too_long",
            BookingRefusal::TooFarAhead { .. } => "too_far_ahead",
            BookingRefusal::OutsideOpeningHours => "outside_opening_hours",
            BookingRefusal::RoomArchived => "room_archived",
            BookingRefusal::MembersOnly => "members_only",
            BookingRefusal::CannotCharge => "cannot_charge_organisation",
            BookingRefusal::NoOrganisation => "no_organisation",
            BookingRefusal::Conflict => "booking_conflict",
            BookingRefusal::AlreadyCancelled => "already_cancelled",
            BookingRefusal::AlreadyStarted => "already_started",
            BookingRefusal::NotYours => "not_your_booking",
            BookingRefusal::EventBooking => "event_booking",
        }
    }

    /// A sentence for people (English; the web layer translates by code).
    pub fn message(&self) -> String {
        match self {
            BookingRefusal::EndBeforeStart => "The booking ends before it starts.".into(),
            BookingRefusal::ZeroLength => "The booking has no length: start and end are the same.".into(),
            BookingRefusal::OffGrid => "Bookings start and end on a quarter hour (:00, :15, :30 or :45).".into(),
            BookingRefusal::InThePast => "That time has already passed.".into(),
            BookingRefusal::TooLong { max_minutes } => format!(
                "A booking may be at most {} at this hub.",
                hours_text(*max_minutes)
            ),
            BookingRefusal::TooFarAhead { max_days } => {
                format!("This hub takes bookings at most {max_days} days ahead.")
            }
            BookingRefusal::OutsideOpeningHours => "The room can only be booked within the hub's opening hours that day.".into(),
            BookingRefusal::RoomArchived => "This room can no longer be booked.".into(),
            BookingRefusal::MembersOnly => "This room is for members of the hub. People from organisations without a membership can book conference rooms and event spaces where the hub allows it.".into(),
            BookingRefusal::CannotCharge => "You can only book on behalf of an organisation you administer.".into(),
            BookingRefusal::NoOrganisation => "A booking is billed to an organisation, and you do not belong to one. A sole trader is an organisation of one: ask the network to register yours.".into(),
            BookingRefusal::Conflict => "The room is already booked for part of that time.".into(),
            BookingRefusal::AlreadyCancelled => "The booking is already cancelled.".into(),
            BookingRefusal::AlreadyStarted => "The booking has already started and can no longer be cancelled.".into(),
            BookingRefusal::NotYours => "You can only cancel your own bookings (hosts can cancel any booking of their hub).".into(),
            BookingRefusal::EventBooking => "This booking is the room of an event: change or cancel the event instead, so that those signed up are told.".into(),
        }
    }
}

fn hours_text(minutes: i64) -> String {
    if minutes % 60 == 0 {
        format!("{} hours", minutes / 60)
    } else {
        format!("{minutes} minutes")
    }
}

/// Whether an instant lies on the 15-minute grid.
pub fn on_grid(at: DateTime<Utc>) -> bool {
    at.timestamp().rem_euclid(GRID_MINUTES * 60) == 0 && at.timestamp_subsec_nanos() == 0
}

/// The first instant on the grid at or after `at`: where a booking in a
/// free block that starts off the grid (at "now") may start.
pub fn first_on_grid(at: DateTime<Utc>) -> DateTime<Utc> {
    let quarter = GRID_MINUTES * 60;
    // A fraction of a second past a whole second counts as the next one.
    let secs = at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0);
    DateTime::from_timestamp((secs + quarter - 1).div_euclid(quarter) * quarter, 0).unwrap_or(at)
}

/// The first quarter hour at or after a civil time of day, in minutes since
/// midnight (1440, midnight at the day's end, after 23:45). The grid is
/// the same in civil time as in UTC (see [`GRID_MINUTES`]).
pub fn civil_grid_minutes(t: NaiveTime) -> i64 {
    let minutes = t.signed_duration_since(NaiveTime::MIN).num_minutes();
    (minutes + GRID_MINUTES - 1) / GRID_MINUTES * GRID_MINUTES
}

/// The hub's opening intervals on a civil date, as instants. On the days
/// the clocks change these are the real hours (e.g. 08:00–17:00 is 9 hours
/// on both change days, since the change happens at night).
pub fn open_intervals(
    hours: &OpeningHours,
    date: NaiveDate,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    hours
        .hours_on(date)
        .iter()
        .map(|i| (local_instant(date, i.open), local_instant(date, i.close)))
        .collect()
}

/// Checks a slot against the room, the hub's hours and rules, and the clock.
pub fn check_slot(
    room: &Room,
    hours: &OpeningHours,
    rules: &BookingRules,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), BookingRefusal> {
    if end < start {
        return Err(BookingRefusal::EndBeforeStart);
    }
    if end == start {
        return Err(BookingRefusal::ZeroLength);
    }
    if !on_grid(start) || !on_grid(end) {
        return Err(BookingRefusal::OffGrid);
    }
    if room.archived {
        return Err(BookingRefusal::RoomArchived);
    }
    if start < now {
        return Err(BookingRefusal::InThePast);
    }
    if (end - start).num_minutes() > rules.max_length_minutes {
        return Err(BookingRefusal::TooLong {
            max_minutes: rules.max_length_minutes,
        });
    }
    if local_date(start) > local_date(now) + Duration::days(rules.max_days_ahead) {
        return Err(BookingRefusal::TooFarAhead {
            max_days: rules.max_days_ahead,
        });
    }
    let date = local_date(start);
    let inside = open_intervals(hours, date)
        .into_iter()
        .any(|(open, close)| open <= start && end <= close);
    if !inside {
        return Err(BookingRefusal::OutsideOpeningHours);
    }
    Ok(())
}

/// Prices `minutes` of a room when `included_available` minutes of included
/// hours are left (see the module's rounding rule).
pub fn price(room: &Room, minutes: i64, included_available: i64) -> Price {
    let included = minutes.min(included_available.max(0)).max(0);
    let billable = minutes - included;
    let ex = round_div(i128::from(room.hourly_price_ore) * i128::from(billable), 60);
    let vat = vat_of(ex, room.vat_rate_percent);
    Price {
        included_minutes: included,
        billable_minutes: billable,
        price_ex_vat_ore: ex,
        vat_percent: room.vat_rate_percent,
        vat_ore: vat,
        total_ore: ex + vat,
    }
}

/// The sum of several prices (a quote's occurrences): minutes and amounts
/// add up, each already rounded on its own, so the total is what the
/// bookings will be invoiced; the VAT rate is the room's.
pub fn sum_prices<'a>(vat_percent: u8, prices: impl IntoIterator<Item = &'a Price>) -> Price {
    let mut t = Price {
        vat_percent,
        ..Price::default()
    };
    for p in prices {
        t.included_minutes += p.included_minutes;
        t.billable_minutes += p.billable_minutes;
        t.price_ex_vat_ore += p.price_ex_vat_ore;
        t.vat_ore += p.vat_ore;
        t.total_ore += p.total_ore;
    }
    t
}

/// `n / d` rounded to the nearest integer, halves away from zero; `d > 0`.
fn round_div(n: i128, d: i128) -> i64 {
    let q = if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    };
    q as i64
}

/// Who pays for a booking and whose included hours it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    pub organisation_id: Uuid,
    pub on_behalf_of_organisation: bool,
    /// Seats (with their monthly included minutes) whose hours this booking
    /// may use, best first. Empty for organisation bookings and non-members.
    pub seats: Vec<(Uuid, i64)>,
}

/// Decides who pays. `on_behalf` names the organisation the booker wants to
/// book for; `held` are the booker's seats.
#[allow(clippy::too_many_arguments)]
pub fn decide_payer(
    person_organisation: Option<Uuid>,
    admin_of: &[Uuid],
    on_behalf: Option<Uuid>,
    held: &[HeldSeat],
    room: &Room,
    hub_region_id: Uuid,
    rules: &BookingRules,
    date: NaiveDate,
) -> Result<Payer, BookingRefusal> {
    let opening = crate::membership::seats_opening(held, room.hub_id, hub_region_id, date);
    let member = !opening.is_empty();
    if !member {
        let open_kind = matches!(room.kind, RoomKind::Conference | RoomKind::EventSpace);
        if !(rules.non_members_may_book && open_kind) {
            return Err(BookingRefusal::MembersOnly);
        }
    }
    if let Some(org) = on_behalf {
        if !admin_of.contains(&org) {
            return Err(BookingRefusal::CannotCharge);
        }
        return Ok(Payer {
            organisation_id: org,
            on_behalf_of_organisation: true,
            seats: vec![],
        });
    }
    let organisation_id = person_organisation.ok_or(BookingRefusal::NoOrganisation)?;
    let mut seats: Vec<(Uuid, i64)> = opening
        .iter()
        .filter(|h| h.plan.included_hours_per_month > 0)
        .map(|h| (h.seat.id, h.plan.included_hours_per_month * 60))
        .collect();
    seats.sort_by_key(|(id, m)| (std::cmp::Reverse(*m), *id));
    Ok(Payer {
        organisation_id,
        on_behalf_of_organisation: false,
        seats,
    })
}

/// Picks the seat to take included minutes from for one booking: the one
/// with the most left this month; `used` is minutes used per seat.
pub fn pick_seat(seats: &[(Uuid, i64)], used: &HashMap<Uuid, i64>) -> Option<(Uuid, i64)> {
    seats
        .iter()
        .map(|(id, allowance)| (*id, (allowance - used.get(id).copied().unwrap_or(0)).max(0)))
        .max_by_key(|(id, left)| (*left, std::cmp::Reverse(*id)))
}

/// Whether `p` may see a booking: its booker, an administrator of the
/// organisation it is billed to, the hub's hosts and network admins.
pub fn may_see(p: &Principal, b: &Booking) -> bool {
    b.booker_id == p.person_id
        || p.admin_of_organisation_ids.contains(&b.organisation_id)
        || p.can_edit_hub(b.hub_id)
}

/// Who cancels a booking: it decides whether the cancellation may be
/// charged and whether the booker must be told why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// Its booker, or an administrator of the organisation it was booked
    /// on behalf of.
    Booker,
    /// A host of the hub (or a network admin) cancelling someone else's
    /// booking.
    Host,
}

/// Who `p` is when cancelling a booking; someone who only sees it (an
/// administrator of the organisation billed for a member's own booking)
/// may not cancel it.
pub fn canceller(p: &Principal, b: &Booking) -> Result<Canceller, BookingRefusal> {
    let own = b.booker_id == p.person_id
        || (b.on_behalf_of_organisation
            && p.admin_of_organisation_ids.contains(&b.organisation_id));
    if own {
        Ok(Canceller::Booker)
    } else if p.can_edit_hub(b.hub_id) {
        Ok(Canceller::Host)
    } else {
        Err(BookingRefusal::NotYours)
    }
}

/// Whether cancelling now is charged: after the deadline (the notice before
/// the start). Cancelling once the booking has started is refused.
pub fn cancellation_charged(
    start: DateTime<Utc>,
    rules: &BookingRules,
    now: DateTime<Utc>,
) -> Result<bool, BookingRefusal> {
    if now >= start {
        return Err(BookingRefusal::AlreadyStarted);
    }
    Ok(now > start - Duration::minutes(rules.cancel_notice_minutes))
}

/// How a booking repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// 1 = weekly, 2 = every other week.
    pub every_weeks: u32,
    /// Number of occurrences, the first included…
    pub count: Option<u32>,
    /// …or the last civil date an occurrence may fall on.
    pub until: Option<NaiveDate>,
}

/// The occurrences of a series: the same wall-clock time in Swedish time
/// each week, so 10:00–11:00 stays 10:00–11:00 across a DST change.
pub fn occurrences(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rec: &Recurrence,
) -> Result<Vec<Span>, FieldError> {
    if !(1..=2).contains(&rec.every_weeks) {
        return Err(invalid(
            "invalid_choice",
            "must be 1 (weekly) or 2 (every other week)",
        )
        .on("every_weeks"));
    }
    let tz = crate::hours::HUB_TIME_ZONE;
    let s = start.with_timezone(&tz).naive_local();
    let e = end.with_timezone(&tz).naive_local();
    let step = Duration::weeks(i64::from(rec.every_weeks));
    let mut out = Vec::new();
    match (rec.count, rec.until) {
        (Some(n), None) => {
            if n == 0 || n as usize > MAX_OCCURRENCES {
                return Err(invalid(
                    "out_of_range",
                    format!("must be between 1 and {MAX_OCCURRENCES}"),
                )
                .on("count"));
            }
            for k in 0..i64::from(n) {
                out.push((s + step * k as i32, e + step * k as i32));
            }
        }
        (None, Some(until)) => {
            if until < s.date() {
                return Err(
                    invalid("before_start", "must not be before the first occurrence").on("until"),
                );
            }
            let mut k = 0;
            while (s + step * k).date() <= until {
                if out.len() == MAX_OCCURRENCES {
                    return Err(invalid(
                        "too_many_occurrences",
                        format!("a series has at most {MAX_OCCURRENCES} occurrences"),
                    )
                    .on("until"));
                }
                out.push((s + step * k, e + step * k));
                k += 1;
            }
        }
        _ => {
            return Err(invalid(
                "count_or_until",
                "give either the number of occurrences or an end date",
            )
            .on("count"))
        }
    }
    Ok(out
        .into_iter()
        .map(|(a, b)| {
            (
                local_instant(a.date(), a.time()),
                local_instant(b.date(), b.time()),
            )
        })
        .collect())
}

/// An in-memory room schedule: the rule the stores enforce, for the
/// property tests and for previews.
#[derive(Debug, Default, Clone)]
pub struct Schedule {
    booked: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>,
}

impl Schedule {
    pub fn try_book(
        &mut self,
        id: Uuid,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<(), BookingRefusal> {
        if end <= start {
            return Err(BookingRefusal::ZeroLength);
        }
        if self
            .booked
            .iter()
            .any(|(_, s, e)| overlaps(*s, *e, start, end))
        {
            return Err(BookingRefusal::Conflict);
        }
        self.booked.push((id, start, end));
        Ok(())
    }

    pub fn cancel(&mut self, id: Uuid) -> bool {
        let before = self.booked.len();
        self.booked.retain(|(b, _, _)| *b != id);
        before != self.booked.len()
    }

    pub fn booked(&self) -> &[(Uuid, DateTime<Utc>, DateTime<Utc>)] {
        &self.booked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::{Interval, OpeningHours};
    use crate::membership::{Plan, PlanScope, Seat, Validity};
    use chrono::{NaiveTime, TimeZone};
    use proptest::prelude::*;

    fn room() -> Room {
        Room {
            id: Uuid::from_u128(1),
            hub_id: Uuid::from_u128(2),
            name: "Ekan".into(),
            kind: RoomKind::Meeting,
            capacity: 6,
            hourly_price_ore: 45_000,
            vat_rate_percent: 25,
            archived: false,
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn every_day(open: &str, close: &str) -> OpeningHours {
        let i = Interval::new(
            NaiveTime::parse_from_str(open, "%H:%M").unwrap(),
            NaiveTime::parse_from_str(close, "%H:%M").unwrap(),
        )
        .unwrap();
        OpeningHours {
            weekly: std::array::from_fn(|_| vec![i]),
            exceptions: vec![],
        }
    }

    const NOW: &str = "2026-11-23T09:00:00+01:00";

    fn check(start: &str, end: &str) -> Result<(), BookingRefusal> {
        check_slot(
            &room(),
            &OpeningHours::weekdays("08:00", "17:00"),
            &BookingRules::default(),
            t(start),
            t(end),
            t(NOW),
        )
    }

    #[test]
    fn slots_are_checked_in_order_with_specific_reasons() {
        assert_eq!(
            check("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00"),
            Ok(())
        );
        let code = |s, e| check(s, e).unwrap_err().code();
        assert_eq!(
            code("2026-11-24T11:00:00+01:00", "2026-11-24T10:00:00+01:00"),
            "end_before_start"
        );
        assert_eq!(
            code("2026-11-24T10:00:00+01:00", "2026-11-24T10:00:00+01:00"),
            "zero_length"
        );
        assert_eq!(
            code("2026-11-24T10:05:00+01:00", "2026-11-24T11:00:00+01:00"),
            "off_grid"
        );
        assert_eq!(
            code("2026-11-24T10:00:30+01:00", "2026-11-24T11:00:00+01:00"),
            "off_grid"
        );
        assert_eq!(
            code("2026-11-23T08:00:00+01:00", "2026-11-23T10:00:00+01:00"),
            "in_the_past"
        );
        assert_eq!(
            code("2026-11-24T07:00:00+01:00", "2026-11-24T18:00:00+01:00"),
            "too_long"
        );
        assert_eq!(
            code("2027-06-01T10:00:00+02:00", "2027-06-01T11:00:00+02:00"),
            "too_far_ahead"
        );
        assert_eq!(
            code("2026-11-24T16:30:00+01:00", "2026-11-24T17:15:00+01:00"),
            "outside_opening_hours"
        );
        assert_eq!(
            code("2026-11-24T07:45:00+01:00", "2026-11-24T09:00:00+01:00"),
            "outside_opening_hours"
        );
        // Saturday: closed.
        assert_eq!(
            code("2026-11-28T10:00:00+01:00", "2026-11-28T11:00:00+01:00"),
            "outside_opening_hours"
        );
        // The whole opening day is fine, to the minute.
        assert_eq!(
            check("2026-11-24T08:00:00+01:00", "2026-11-24T17:00:00+01:00"),
            Ok(())
        );
        let mut archived = room();
        archived.archived = true;
        let r = check_slot(
            &archived,
            &OpeningHours::weekdays("08:00", "17:00"),
            &BookingRules::default(),
            t("2026-11-24T10:00:00+01:00"),
            t("2026-11-24T11:00:00+01:00"),
            t(NOW),
        );
        assert_eq!(r.unwrap_err().code(), "room_archived");
    }

    #[test]
    fn the_day_view_shows_the_real_hours_on_both_dst_days() {
        let hours = every_day("08:00", "17:00");
        for (date, open, close) in [
            ("2026-03-29", "2026-03-29T06:00:00Z", "2026-03-29T15:00:00Z"),
            ("2026-10-25", "2026-10-25T07:00:00Z", "2026-10-25T16:00:00Z"),
            ("2026-03-28", "2026-03-28T07:00:00Z", "2026-03-28T16:00:00Z"),
        ] {
            let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
            assert_eq!(
                open_intervals(&hours, d),
                vec![(t(open), t(close))],
                "{date}"
            );
        }
        // A night-open hub: on 29 March 00:00–06:00 lasts 5 real hours, on
        // 25 October 7.
        let night = every_day("00:00", "06:00");
        let spring = open_intervals(&night, NaiveDate::from_ymd_opt(2026, 3, 29).unwrap());
        assert_eq!((spring[0].1 - spring[0].0).num_hours(), 5);
        let autumn = open_intervals(&night, NaiveDate::from_ymd_opt(2026, 10, 25).unwrap());
        assert_eq!((autumn[0].1 - autumn[0].0).num_hours(), 7);
    }

    #[test]
    fn a_booking_across_the_night_change_is_priced_for_real_elapsed_time() {
        // 01:00–04:00 local on 29 March is 2 hours; on 25 October, 4.
        let night = every_day("00:00", "06:00");
        let rules = BookingRules::default();
        let now = t("2026-03-01T00:00:00Z");
        let s = t("2026-03-29T01:00:00+01:00");
        let e = t("2026-03-29T04:00:00+02:00");
        assert_eq!(check_slot(&room(), &night, &rules, s, e, now), Ok(()));
        assert_eq!(
            price(&room(), (e - s).num_minutes(), 0).billable_minutes,
            120
        );
        let s = t("2026-10-25T01:00:00+02:00");
        let e = t("2026-10-25T04:00:00+01:00");
        assert_eq!((e - s).num_minutes(), 240);
    }

    #[test]
    fn price_uses_included_minutes_first_and_rounds_to_whole_ore() {
        let p = price(&room(), 90, 0);
        assert_eq!(
            p,
            Price {
                included_minutes: 0,
                billable_minutes: 90,
                price_ex_vat_ore: 67_500,
                vat_percent: 25,
                vat_ore: 16_875,
                total_ore: 84_375,
            }
        );
        let p = price(&room(), 90, 60);
        assert_eq!((p.included_minutes, p.billable_minutes), (60, 30));
        assert_eq!(p.price_ex_vat_ore, 22_500);
        let p = price(&room(), 90, 600);
        assert_eq!(
            (p.included_minutes, p.billable_minutes, p.total_ore),
            (90, 0, 0)
        );
        // 333,33 kr an hour for 15 minutes = 8 333,25 öre → 8 333.
        let mut r = room();
        r.hourly_price_ore = 33_333;
        assert_eq!(price(&r, 15, 0).price_ex_vat_ore, 8_333);
        // 10,02 kr an hour for 15 minutes = 250,5 öre → 251 (halves up).
        r.hourly_price_ore = 1_002;
        assert_eq!(price(&r, 15, 0).price_ex_vat_ore, 251);
        // 6 % VAT.
        r.hourly_price_ore = 10_000;
        r.vat_rate_percent = 6;
        let p = price(&r, 60, 0);
        assert_eq!((p.vat_ore, p.total_ore), (600, 10_600));
        // Negative balances count as none.
        assert_eq!(price(&room(), 60, -30).included_minutes, 0);
    }

    fn held(id: u128, scope: PlanScope, hours: i64) -> HeldSeat {
        HeldSeat {
            seat: Seat {
                id: Uuid::from_u128(id),
                plan_id: Uuid::from_u128(100 + id),
                organisation_id: Uuid::from_u128(50),
                start_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                end_date: None,
                created_at: t("2026-01-01T00:00:00Z"),
                selling_operator_id: None,
            },
            plan: Plan {
                id: Uuid::from_u128(100 + id),
                name: "Plan".into(),
                description: String::new(),
                scope,
                monthly_price_ore: 100_000,
                included_hours_per_month: hours,
                max_guests: 0,
                validity: Validity::MonthlyRolling,
                archived: false,
                selling_operator_id: None,
                vat_rate_percent: 25,
            },
            organisation_name: "Org".into(),
        }
    }

    #[test]
    fn payer_rules() {
        let org = Uuid::from_u128(50);
        let other = Uuid::from_u128(51);
        let region = Uuid::from_u128(9);
        let date = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let rules = BookingRules::default();
        let seats = vec![
            held(1, PlanScope::Network, 4),
            held(2, PlanScope::Hub(Uuid::from_u128(2)), 10),
            held(3, PlanScope::Hub(Uuid::from_u128(77)), 20),
        ];
        let p = decide_payer(Some(org), &[], None, &seats, &room(), region, &rules, date).unwrap();
        assert_eq!(p.organisation_id, org);
        // Seat 3 opens another hub: not usable here. Most hours first.
        assert_eq!(
            p.seats,
            vec![(Uuid::from_u128(2), 600), (Uuid::from_u128(1), 240)]
        );
        // On behalf of an organisation: only one the booker administers.
        let r = decide_payer(
            Some(org),
            &[],
            Some(org),
            &seats,
            &room(),
            region,
            &rules,
            date,
        );
        assert_eq!(r.unwrap_err(), BookingRefusal::CannotCharge);
        let p = decide_payer(
            Some(org),
            &[other],
            Some(other),
            &seats,
            &room(),
            region,
            &rules,
            date,
        )
        .unwrap();
        assert!(p.on_behalf_of_organisation && p.seats.is_empty() && p.organisation_id == other);
        // No organisation: nobody to bill.
        let r = decide_payer(None, &[], None, &seats, &room(), region, &rules, date);
        assert_eq!(r.unwrap_err(), BookingRefusal::NoOrganisation);
        // Non-members: a meeting room is members only; a conference room is
        // open when the hub allows it.
        let r = decide_payer(Some(org), &[], None, &[], &room(), region, &rules, date);
        assert_eq!(r.unwrap_err(), BookingRefusal::MembersOnly);
        let mut conf = room();
        conf.kind = RoomKind::Conference;
        let p = decide_payer(Some(org), &[], None, &[], &conf, region, &rules, date).unwrap();
        assert!(p.seats.is_empty());
        let closed = BookingRules {
            non_members_may_book: false,
            ..rules
        };
        let r = decide_payer(Some(org), &[], None, &[], &conf, region, &closed, date);
        assert_eq!(r.unwrap_err(), BookingRefusal::MembersOnly);
    }

    #[test]
    fn the_seat_with_most_left_is_used() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let seats = vec![(a, 600), (b, 240)];
        let mut used = HashMap::new();
        assert_eq!(pick_seat(&seats, &used), Some((a, 600)));
        used.insert(a, 500);
        assert_eq!(pick_seat(&seats, &used), Some((b, 240)));
        used.insert(b, 300);
        assert_eq!(pick_seat(&seats, &used), Some((a, 100)));
        assert_eq!(pick_seat(&[], &used), None);
    }

    fn principal(id: u128) -> Principal {
        Principal {
            person_id: Uuid::from_u128(id),
            first_name: "Anna".into(),
            email: crate::text::Email::parse("anna@example.se").unwrap(),
            organisation_id: None,
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
        }
    }

    fn a_booking(on_behalf_of_organisation: bool) -> Booking {
        let start = t("2026-11-25T10:00:00+01:00");
        Booking {
            id: Uuid::from_u128(70),
            room_id: room().id,
            hub_id: room().hub_id,
            booker_id: Uuid::from_u128(71),
            organisation_id: Uuid::from_u128(72),
            on_behalf_of_organisation,
            seat_id: None,
            series_id: None,
            title: "Styrelsemöte".into(),
            start,
            end: start + Duration::hours(1),
            status: BookingStatus::Confirmed,
            price: price(&room(), 60, 0),
            created_at: t("2026-11-01T10:00:00+01:00"),
            cancelled_at: None,
            cancelled_by: None,
            cancel_reason: String::new(),
            cancellation_charged: false,
        }
    }

    #[test]
    fn a_booking_is_seen_by_its_booker_its_organisations_admins_and_the_hubs_hosts() {
        let b = a_booking(false);
        assert!(may_see(&principal(71), &b), "the booker");
        assert!(!may_see(&principal(73), &b), "someone else");
        let org_admin = Principal {
            admin_of_organisation_ids: vec![b.organisation_id],
            ..principal(74)
        };
        assert!(may_see(&org_admin, &b));
        let host = Principal {
            hosted_hub_ids: vec![b.hub_id],
            ..principal(75)
        };
        assert!(may_see(&host, &b));
        let admin = Principal {
            is_network_admin: true,
            ..principal(76)
        };
        assert!(may_see(&admin, &b));
    }

    #[test]
    fn bookers_cancel_their_own_and_hosts_anyone_elses() {
        let own = a_booking(false);
        assert_eq!(canceller(&principal(71), &own), Ok(Canceller::Booker));
        assert_eq!(
            canceller(&principal(73), &own),
            Err(BookingRefusal::NotYours)
        );
        // The organisation's admin sees a member's own booking but may
        // cancel only those booked on the organisation's behalf.
        let org_admin = Principal {
            admin_of_organisation_ids: vec![own.organisation_id],
            ..principal(74)
        };
        assert_eq!(canceller(&org_admin, &own), Err(BookingRefusal::NotYours));
        assert_eq!(
            canceller(&org_admin, &a_booking(true)),
            Ok(Canceller::Booker)
        );
        let host = Principal {
            hosted_hub_ids: vec![own.hub_id],
            ..principal(75)
        };
        assert_eq!(canceller(&host, &own), Ok(Canceller::Host));
        // A host cancelling their own booking is its booker.
        let host_booker = Principal {
            hosted_hub_ids: vec![own.hub_id],
            ..principal(71)
        };
        assert_eq!(canceller(&host_booker, &own), Ok(Canceller::Booker));
    }

    #[test]
    fn a_quotes_total_is_the_sum_of_its_rounded_prices() {
        let mut r = room();
        r.hourly_price_ore = 1_002;
        // 15 minutes at 10,02 kr an hour round to 251 öre each time.
        let quarter = price(&r, 15, 0);
        let included = price(&r, 60, 60);
        let total = sum_prices(25, [&quarter, &quarter, &included]);
        assert_eq!(
            total,
            Price {
                included_minutes: 60,
                billable_minutes: 30,
                price_ex_vat_ore: 2 * quarter.price_ex_vat_ore,
                vat_percent: 25,
                vat_ore: 2 * quarter.vat_ore,
                total_ore: 2 * quarter.total_ore,
            }
        );
        assert_eq!(total.price_ex_vat_ore, 502);
        assert_eq!(
            sum_prices(6, []),
            Price {
                vat_percent: 6,
                ..Price::default()
            }
        );
    }

    #[test]
    fn free_time_off_the_grid_is_bookable_from_the_next_quarter_hour() {
        let on = t("2026-11-24T10:15:00+01:00");
        assert_eq!(first_on_grid(on), on);
        assert_eq!(first_on_grid(t("2026-11-24T10:03:00+01:00")), on);
        assert_eq!(first_on_grid(t("2026-11-24T10:14:59+01:00")), on);
        // A fraction of a second past the grid is past it.
        assert_eq!(
            first_on_grid(on + Duration::milliseconds(1)),
            t("2026-11-24T10:30:00+01:00")
        );
        assert!(on_grid(first_on_grid(t("2026-11-24T10:16:30.5+01:00"))));
    }

    #[test]
    fn a_civil_time_rounds_up_to_its_quarter_hour() {
        let hm = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert_eq!(civil_grid_minutes(hm("09:00")), 9 * 60);
        assert_eq!(civil_grid_minutes(hm("09:01")), 9 * 60 + 15);
        assert_eq!(civil_grid_minutes(hm("09:14")), 9 * 60 + 15);
        assert_eq!(civil_grid_minutes(hm("00:00")), 0);
        assert_eq!(civil_grid_minutes(hm("23:50")), 24 * 60);
    }

    #[test]
    fn cancelling_is_free_until_the_deadline() {
        let rules = BookingRules::default();
        let start = t("2026-11-25T10:00:00+01:00");
        assert_eq!(
            cancellation_charged(start, &rules, t("2026-11-24T10:00:00+01:00")),
            Ok(false)
        );
        assert_eq!(
            cancellation_charged(start, &rules, t("2026-11-24T10:00:01+01:00")),
            Ok(true)
        );
        assert_eq!(
            cancellation_charged(start, &rules, start),
            Err(BookingRefusal::AlreadyStarted)
        );
    }

    #[test]
    fn weekly_series_keep_the_wall_clock_time_across_dst() {
        let rec = Recurrence {
            every_weeks: 1,
            count: Some(3),
            until: None,
        };
        let occ = occurrences(
            t("2026-10-19T10:00:00+02:00"),
            t("2026-10-19T11:00:00+02:00"),
            &rec,
        )
        .unwrap();
        assert_eq!(
            occ,
            vec![
                (
                    t("2026-10-19T10:00:00+02:00"),
                    t("2026-10-19T11:00:00+02:00")
                ),
                (
                    t("2026-10-26T10:00:00+01:00"),
                    t("2026-10-26T11:00:00+01:00")
                ),
                (
                    t("2026-11-02T10:00:00+01:00"),
                    t("2026-11-02T11:00:00+01:00")
                ),
            ]
        );
        let rec = Recurrence {
            every_weeks: 2,
            count: None,
            until: NaiveDate::from_ymd_opt(2026, 4, 10),
        };
        let occ = occurrences(
            t("2026-03-20T09:00:00+01:00"),
            t("2026-03-20T10:00:00+01:00"),
            &rec,
        )
        .unwrap();
        assert_eq!(occ.len(), 2);
        assert_eq!(occ[1].0, t("2026-04-03T09:00:00+02:00"));
        let bad = |count, until, every| {
            occurrences(
                t("2026-03-20T09:00:00+01:00"),
                t("2026-03-20T10:00:00+01:00"),
                &Recurrence {
                    every_weeks: every,
                    count,
                    until,
                },
            )
            .unwrap_err()
            .code
        };
        assert_eq!(bad(Some(0), None, 1), "out_of_range");
        assert_eq!(bad(Some(53), None, 1), "out_of_range");
        assert_eq!(bad(None, None, 1), "count_or_until");
        assert_eq!(
            bad(Some(2), NaiveDate::from_ymd_opt(2026, 5, 1), 1),
            "count_or_until"
        );
        assert_eq!(bad(Some(2), None, 3), "invalid_choice");
        assert_eq!(
            bad(None, NaiveDate::from_ymd_opt(2026, 3, 1), 1),
            "before_start"
        );
        assert_eq!(
            bad(None, NaiveDate::from_ymd_opt(2028, 3, 1), 1),
            "too_many_occurrences"
        );
    }

    #[test]
    fn rules_from_a_form() {
        let r = BookingRulesInput {
            cancel_notice_hours: "48".into(),
            max_length_hours: "4".into(),
            max_days_ahead: "90".into(),
            non_members_may_book: "".into(),
            publish_member_events: "on".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(
            r,
            BookingRules {
                cancel_notice_minutes: 2880,
                max_length_minutes: 240,
                max_days_ahead: 90,
                non_members_may_book: false,
                publish_member_events: true,
            }
        );
        let e = BookingRulesInput::default().validate().unwrap_err();
        assert_eq!(e.errors.len(), 3);
    }

    #[test]
    fn back_to_back_is_not_an_overlap() {
        let a = t("2026-11-24T10:00:00Z");
        let b = t("2026-11-24T11:00:00Z");
        let c = t("2026-11-24T12:00:00Z");
        assert!(!overlaps(a, b, b, c));
        assert!(overlaps(a, c, b, c));
        assert!(overlaps(a, c, a, b));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Book(i64, i64),
        Cancel(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0i64..96, 1i64..16).prop_map(|(s, l)| Op::Book(s, l)),
            1 => (0usize..64).prop_map(Op::Cancel),
        ]
    }

    proptest! {
        #[test]
        fn book_and_cancel_never_leave_overlapping_bookings(ops in proptest::collection::vec(op(), 1..120)) {
            let base = Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap();
            let mut s = Schedule::default();
            let mut ids = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Book(q, len) => {
                        let start = base + Duration::minutes(15 * q);
                        let end = start + Duration::minutes(15 * len);
                        let id = Uuid::from_u128(n as u128 + 1);
                        let free = s.booked().iter().all(|(_, a, b)| end <= *a || *b <= start);
                        let r = s.try_book(id, start, end);
                        // Accepted exactly when free, checked independently.
                        prop_assert_eq!(r.is_ok(), free);
                        if r.is_ok() { ids.push(id); }
                    }
                    Op::Cancel(i) => {
                        if !ids.is_empty() {
                            let id = ids.remove(i % ids.len());
                            prop_assert!(s.cancel(id));
                        }
                    }
                }
                let b = s.booked();
                for i in 0..b.len() {
                    for j in i + 1..b.len() {
                        prop_assert!(!overlaps(b[i].1, b[i].2, b[j].1, b[j].2));
                    }
                }
            }
        }

        #[test]
        fn price_is_included_plus_billable_with_correct_vat(
            hourly in 0i64..1_000_000,
            quarters in 1i64..40,
            included in -100i64..2_000,
            vat in prop_oneof![Just(0u8), Just(6u8), Just(12u8), Just(25u8)],
        ) {
            let mut r = room();
            r.hourly_price_ore = hourly;
            r.vat_rate_percent = vat;
            let minutes = quarters * 15;
            let p = price(&r, minutes, included);
            prop_assert_eq!(p.included_minutes + p.billable_minutes, minutes);
            prop_assert_eq!(p.included_minutes, minutes.min(included.max(0)));
            // Ex VAT within half an öre of the exact price.
            let exact2 = 2 * i128::from(hourly) * i128::from(p.billable_minutes);
            prop_assert!((i128::from(p.price_ex_vat_ore) * 120 - exact2).abs() <= 60);
            // VAT within half an öre of the rate on the rounded amount.
            let exact_vat = i128::from(p.price_ex_vat_ore) * i128::from(vat);
            prop_assert!((i128::from(p.vat_ore) * 100 - exact_vat).abs() <= 50);
            prop_assert_eq!(p.total_ore, p.price_ex_vat_ore + p.vat_ore);
        }
    }
}
