//! Evaluation of pilots (issue 17): a pilot is a named set of hubs over a
//! period with goals, each an indicator with a target and a direction; this
//! module measures the indicators from the facts the store reads and gives
//! each goal its verdict. No I/O: the store hands in [`Facts`].
//!
//! The rules, as the pilot page states them:
//! - **People with access** to a hub at an instant: people holding a seat
//!   of that hub's own card or of its region's card, and holders of a
//!   network-wide membership only once they have visited that hub. It is
//!   counted at the end of the period (or now, while it runs).
//! - **Visits** count on the civil day (Europe/Stockholm) they began;
//!   **visit hours** are the time from check-in to check-out (an open
//!   check-in counts until now).
//! - **New members**: people whose access to the hub (by the rule above)
//!   first began in the period. **Retention after 3 and 6 months**: of the
//!   new members whose first 3 (6) months have passed, the share who still
//!   had access then, in per cent.
//! - **Events** held at the hub (not cancelled) that began in the period,
//!   and their **participants**: those who attended where the host took
//!   attendance, else those confirmed.
//! - **Encounters across organisations**: pairs of people of different
//!   organisations who were at the same event, or at the hub on the same
//!   day; each pair counts once for the period. A visit's organisation is
//!   the one whose seat it used, so a person who changed employer meets
//!   under the organisation of the day.
//! - **Critical mass**: weeks (Monday to Sunday) with at least N different
//!   people at the hub, N set per pilot.
//! - **In the central town**: the hubs flagged as standing in their
//!   municipality's central town.

use crate::error::{invalid, FieldError, ValidationErrors};
use crate::membership::{local_date, local_instant};
use crate::text::Text;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// The most goals a pilot has.
pub const MAX_GOALS: usize = 20;
/// The most hubs in a pilot.
pub const MAX_HUBS: usize = 200;
/// Critical mass's default: five different people in a week.
pub const DEFAULT_CRITICAL_MASS: i64 = 5;

/// What can be measured, by key (stable: kept in the database and the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    PeopleWithAccess,
    UniqueVisitors,
    Visits,
    VisitHours,
    NewMembers,
    #[serde(rename = "retention_3_months")]
    Retention3Months,
    #[serde(rename = "retention_6_months")]
    Retention6Months,
    Events,
    EventParticipants,
    Encounters,
    CriticalMassWeeks,
    HubsInCentralTown,
    /// Measured elsewhere and entered by hand on the goal.
    Manual,
}

impl Indicator {
    pub const ALL: [Indicator; 13] = [
        Indicator::PeopleWithAccess,
        Indicator::UniqueVisitors,
        Indicator::Visits,
        Indicator::VisitHours,
        Indicator::NewMembers,
        Indicator::Retention3Months,
        Indicator::Retention6Months,
        Indicator::Events,
        Indicator::EventParticipants,
        Indicator::Encounters,
        Indicator::CriticalMassWeeks,
        Indicator::HubsInCentralTown,
        Indicator::Manual,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Indicator::PeopleWithAccess => "people_with_access",
            Indicator::UniqueVisitors => "unique_visitors",
            Indicator::Visits => "visits",
            Indicator::VisitHours => "visit_hours",
            Indicator::NewMembers => "new_members",
            Indicator::Retention3Months => "retention_3_months",
            Indicator::Retention6Months => "retention_6_months",
            Indicator::Events => "events",
            Indicator::EventParticipants => "event_participants",
            Indicator::Encounters => "encounters",
            Indicator::CriticalMassWeeks => "critical_mass_weeks",
            Indicator::HubsInCentralTown => "hubs_in_central_town",
            Indicator::Manual => "manual",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.key() == key.trim())
    }

    /// Only grows while the period runs: an "at least" goal reached early
    /// is met, an "at most" goal passed early is not.
    pub fn cumulative(self) -> bool {
        !matches!(
            self,
            Indicator::PeopleWithAccess
                | Indicator::Retention3Months
                | Indicator::Retention6Months
                | Indicator::HubsInCentralTown
                | Indicator::Manual
        )
    }
}

/// Which way a target points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    AtLeast,
    AtMost,
}

impl Direction {
    pub fn key(self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key.trim() {
            "at_least" => Some(Direction::AtLeast),
            "at_most" => Some(Direction::AtMost),
            _ => None,
        }
    }

    fn holds(self, value: i64, target: i64) -> bool {
        match self {
            Direction::AtLeast => value >= target,
            Direction::AtMost => value <= target,
        }
    }
}

/// Whether a goal's target applies to each hub or to the pilot as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GoalScope {
    /// Every hub must meet it; the pilot meets it when all its hubs do.
    EachHub,
    /// The pilot's hubs together.
    Pilot,
}

impl GoalScope {
    pub fn key(self) -> &'static str {
        match self {
            GoalScope::EachHub => "each_hub",
            GoalScope::Pilot => "pilot",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key.trim() {
            "each_hub" => Some(GoalScope::EachHub),
            "pilot" => Some(GoalScope::Pilot),
            _ => None,
        }
    }
}

/// A goal's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    TooEarly,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::TooEarly => "too_early",
        }
    }
}

/// One of a pilot's goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    pub indicator: Indicator,
    /// What the goal says in the pilot's words (required for a manual
    /// indicator; may be empty for a measured one).
    pub label: String,
    pub direction: Direction,
    pub target: i64,
    pub scope: GoalScope,
    /// A manual indicator's value, as last entered (none until then).
    pub manual_value: Option<i64>,
}

/// A pilot: hubs, a period, a responsible region, goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pilot {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub region_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The "critical mass" indicator's N: different people in a week.
    pub critical_mass_people: i64,
    pub hub_ids: Vec<Uuid>,
    pub goals: Vec<Goal>,
    pub archived: bool,
}

impl Pilot {
    pub fn period(&self) -> Period {
        Period {
            from: self.starts_on,
            to: self.ends_on,
        }
    }
}

/// A goal as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalInput {
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub manual_value: String,
}

impl GoalInput {
    /// A row the person left blank (no indicator, label or target).
    pub fn is_blank(&self) -> bool {
        self.indicator.trim().is_empty()
            && self.label.trim().is_empty()
            && self.target.trim().is_empty()
    }
}

/// A pilot as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PilotInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub region_id: String,
    /// First day, `YYYY-MM-DD`.
    #[serde(default)]
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    #[serde(default)]
    pub ends_on: String,
    /// Different people in a week for the "critical mass" indicator
    /// (5 when empty).
    #[serde(default)]
    pub critical_mass_people: String,
    #[serde(default)]
    pub hub_ids: Vec<String>,
    #[serde(default)]
    pub goals: Vec<GoalInput>,
    #[serde(default)]
    pub archived: String,
}

fn number(raw: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    crate::entities::parse_int(raw, min, max)
}

impl PilotInput {
    /// Every field's problem at once; goals' fields are named
    /// `goals[i].field`, counting only the rows that are not blank.
    pub fn validate(&self, id: Uuid) -> Result<Pilot, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", crate::entities::parse_name(&self.name));
        let description = e.check(
            "description",
            Text::parse_optional(&self.description, crate::entities::DESCRIPTION_MAX)
                .map(Text::into_string),
        );
        let region_id = e.check("region_id", crate::entities::parse_id(&self.region_id));
        let starts_on = e.check("starts_on", crate::membership::parse_date(&self.starts_on));
        let ends_on = e.check("ends_on", crate::membership::parse_date(&self.ends_on));
        if let (Some(s), Some(t)) = (starts_on, ends_on) {
            if t < s {
                e.add(
                    "ends_on",
                    "ends_before_start",
                    "must not be before the first day",
                );
            } else if (t - s).num_days() > 366 * 10 {
                e.add(
                    "ends_on",
                    "period_too_long",
                    "a pilot runs at most ten years",
                );
            }
        }
        let critical_mass_people = if self.critical_mass_people.trim().is_empty() {
            Some(DEFAULT_CRITICAL_MASS)
        } else {
            e.check(
                "critical_mass_people",
                number(&self.critical_mass_people, 1, 10_000),
            )
        };
        let mut hub_ids = Vec::new();
        for raw in self.hub_ids.iter().filter(|h| !h.trim().is_empty()) {
            if let Some(h) = e.check("hub_ids", crate::entities::parse_id(raw)) {
                if !hub_ids.contains(&h) {
                    hub_ids.push(h);
                }
            }
        }
        if hub_ids.is_empty() && e.for_field("hub_ids").is_none() {
            e.add("hub_ids", "no_hubs", "choose at least one hub");
        }
        if hub_ids.len() > MAX_HUBS {
            e.add(
                "hub_ids",
                "too_many_hubs",
                format!("a pilot has at most {MAX_HUBS} hubs"),
            );
        }
        let rows: Vec<&GoalInput> = self.goals.iter().filter(|g| !g.is_blank()).collect();
        if rows.len() > MAX_GOALS {
            e.add(
                "goals",
                "too_many_goals",
                format!("a pilot has at most {MAX_GOALS} goals"),
            );
        }
        let mut goals = Vec::new();
        for (i, g) in rows.iter().enumerate() {
            let f = |name: &str| format!("goals[{i}].{name}");
            let indicator = match Indicator::from_key(&g.indicator) {
                Some(i) => Some(i),
                None => {
                    e.add(&f("indicator"), "invalid_choice", "choose an indicator");
                    None
                }
            };
            let label = e.check(
                &f("label"),
                if indicator == Some(Indicator::Manual) {
                    Text::parse(&g.label, 200)
                } else {
                    Text::parse_optional(&g.label, 200)
                }
                .map(Text::into_string),
            );
            let direction = match Direction::from_key(&g.direction) {
                Some(d) => Some(d),
                None if g.direction.trim().is_empty() => Some(Direction::AtLeast),
                None => {
                    e.add(
                        &f("direction"),
                        "invalid_choice",
                        "choose at least or at most",
                    );
                    None
                }
            };
            let scope = match GoalScope::from_key(&g.scope) {
                Some(s) => Some(s),
                None if g.scope.trim().is_empty() => Some(GoalScope::EachHub),
                None => {
                    e.add(
                        &f("scope"),
                        "invalid_choice",
                        "choose each hub or the whole pilot",
                    );
                    None
                }
            };
            let max = match indicator {
                Some(Indicator::Retention3Months | Indicator::Retention6Months) => 100,
                _ => 1_000_000_000,
            };
            let target = e.check(&f("target"), number(&g.target, 0, max));
            let manual_value = if g.manual_value.trim().is_empty() {
                Some(None)
            } else if indicator != Some(Indicator::Manual) {
                e.add(
                    &f("manual_value"),
                    "not_manual",
                    "only a goal entered by hand takes a value",
                );
                None
            } else {
                e.check(
                    &f("manual_value"),
                    number(&g.manual_value, -1_000_000_000, 1_000_000_000),
                )
                .map(Some)
            };
            if let (
                Some(indicator),
                Some(label),
                Some(direction),
                Some(scope),
                Some(target),
                Some(manual_value),
            ) = (indicator, label, direction, scope, target, manual_value)
            {
                goals.push(Goal {
                    indicator,
                    label,
                    direction,
                    target,
                    scope,
                    manual_value,
                });
            }
        }
        e.into_result()?;
        Ok(Pilot {
            id,
            name: name.unwrap(),
            description: description.unwrap(),
            region_id: region_id.unwrap(),
            starts_on: starts_on.unwrap(),
            ends_on: ends_on.unwrap(),
            critical_mass_people: critical_mass_people.unwrap(),
            hub_ids,
            goals,
            archived: crate::entities::parse_bool(&self.archived),
        })
    }

    pub fn from_pilot(p: &Pilot) -> Self {
        PilotInput {
            name: p.name.clone(),
            description: p.description.clone(),
            region_id: p.region_id.to_string(),
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            critical_mass_people: p.critical_mass_people.to_string(),
            hub_ids: p.hub_ids.iter().map(Uuid::to_string).collect(),
            goals: p
                .goals
                .iter()
                .map(|g| GoalInput {
                    indicator: g.indicator.key().into(),
                    label: g.label.clone(),
                    direction: g.direction.key().into(),
                    target: g.target.to_string(),
                    scope: g.scope.key().into(),
                    manual_value: g.manual_value.map(|v| v.to_string()).unwrap_or_default(),
                })
                .collect(),
            archived: if p.archived {
                "true".into()
            } else {
                String::new()
            },
        }
    }
}

// ------------------------------------------------------------------ facts

/// Civil days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The first instant of the first day.
    pub fn start(&self) -> DateTime<Utc> {
        local_instant(self.from, NaiveTime::MIN)
    }

    /// The first instant after the last day.
    pub fn end(&self) -> DateTime<Utc> {
        local_instant(self.to + Duration::days(1), NaiveTime::MIN)
    }

    /// Weeks (from Monday) or calendar months overlapping the period, each
    /// cut to it.
    pub fn buckets(&self, by: Granularity) -> Vec<Period> {
        let mut out = Vec::new();
        let mut start = match by {
            Granularity::Week => {
                self.from - Duration::days(self.from.weekday().num_days_from_monday() as i64)
            }
            Granularity::Month => self.from.with_day(1).expect("day 1"),
        };
        while start <= self.to {
            let next = match by {
                Granularity::Week => start + Duration::days(7),
                Granularity::Month => start + Months::new(1),
            };
            out.push(Period {
                from: start.max(self.from),
                to: (next - Duration::days(1)).min(self.to),
            });
            start = next;
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Week,
    Month,
}

/// A hub as evaluation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubRef {
    pub id: Uuid,
    pub region_id: Uuid,
    pub in_central_town: bool,
}

/// A check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitFact {
    pub hub_id: Uuid,
    pub person_id: Uuid,
    /// The organisation whose seat the visit used.
    pub organisation_id: Uuid,
    pub checked_in_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// What a seat gives access to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessScope {
    Network,
    Region(Uuid),
    Hub(Uuid),
}

/// A person's holding of a seat, cut to the seat's own days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingFact {
    pub person_id: Uuid,
    pub scope: AccessScope,
    pub from: DateTime<Utc>,
    /// Exclusive; none while held.
    pub until: Option<DateTime<Utc>>,
}

/// A person's first visit to a hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstVisitFact {
    pub hub_id: Uuid,
    pub person_id: Uuid,
    pub at: DateTime<Utc>,
}

/// A participant of an event (confirmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantFact {
    /// None for an invited guest without an account.
    pub person_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    /// The organisation's kind (`municipality`, `company`, …); none for a
    /// guest without an account.
    pub organisation_kind: Option<String>,
    pub attended: bool,
}

/// An event that was not cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFact {
    pub hub_id: Uuid,
    pub event_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub participants: Vec<ParticipantFact>,
}

/// Everything the indicators of some hubs are measured from: their visits
/// and events in the period, their people's holdings and first visits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub visits: Vec<VisitFact>,
    pub holdings: Vec<HoldingFact>,
    pub first_visits: Vec<FirstVisitFact>,
    pub events: Vec<EventFact>,
}

/// The measured indicators of one hub or of several together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measures {
    pub people_with_access: i64,
    pub unique_visitors: i64,
    pub visits: i64,
    pub visit_minutes: i64,
    pub new_members: i64,
    /// Per cent; none while no new member's first 3 months have passed.
    pub retention_3_months: Option<i64>,
    pub retention_6_months: Option<i64>,
    pub events: i64,
    pub event_participants: i64,
    /// Participants by their organisation's kind (`external` for invited
    /// guests without an account).
    pub participants_by_kind: BTreeMap<String, i64>,
    pub encounters: i64,
    pub critical_mass_weeks: i64,
    pub hubs_in_central_town: i64,
}

impl Measures {
    /// The value a goal on `indicator` is judged by (visit hours rounded
    /// to whole hours, half up).
    pub fn value(&self, indicator: Indicator) -> Option<i64> {
        Some(match indicator {
            Indicator::PeopleWithAccess => self.people_with_access,
            Indicator::UniqueVisitors => self.unique_visitors,
            Indicator::Visits => self.visits,
            Indicator::VisitHours => (self.visit_minutes + 30) / 60,
            Indicator::NewMembers => self.new_members,
            Indicator::Retention3Months => return self.retention_3_months,
            Indicator::Retention6Months => return self.retention_6_months,
            Indicator::Events => self.events,
            Indicator::EventParticipants => self.event_participants,
            Indicator::Encounters => self.encounters,
            Indicator::CriticalMassWeeks => self.critical_mass_weeks,
            Indicator::HubsInCentralTown => self.hubs_in_central_town,
            Indicator::Manual => return None,
        })
    }
}

/// The instant a period is judged at: its end, or `now` while it runs.
fn as_of(period: Period, now: DateTime<Utc>) -> DateTime<Utc> {
    now.min(period.end() - Duration::seconds(1))
}

struct Access<'a> {
    holdings: HashMap<Uuid, Vec<&'a HoldingFact>>,
    first_visits: HashMap<(Uuid, Uuid), DateTime<Utc>>,
}

impl<'a> Access<'a> {
    fn new(facts: &'a Facts) -> Self {
        let mut holdings: HashMap<Uuid, Vec<&HoldingFact>> = HashMap::new();
        for h in &facts.holdings {
            holdings.entry(h.person_id).or_default().push(h);
        }
        let mut first_visits = HashMap::new();
        for v in &facts.first_visits {
            first_visits
                .entry((v.person_id, v.hub_id))
                .and_modify(|at: &mut DateTime<Utc>| *at = (*at).min(v.at))
                .or_insert(v.at);
        }
        Access {
            holdings,
            first_visits,
        }
    }

    /// When a holding gives access to a hub: from its start, or for a
    /// network-wide one from the first visit; none if never within it.
    fn start(&self, h: &HoldingFact, hub: &HubRef) -> Option<DateTime<Utc>> {
        let from = match h.scope {
            AccessScope::Hub(id) if id == hub.id => h.from,
            AccessScope::Region(id) if id == hub.region_id => h.from,
            AccessScope::Network => {
                let first = *self.first_visits.get(&(h.person_id, hub.id))?;
                h.from.max(first)
            }
            _ => return None,
        };
        match h.until {
            Some(u) if u <= from => None,
            _ => Some(from),
        }
    }

    fn has_access(&self, hubs: &[HubRef], person: Uuid, at: DateTime<Utc>) -> bool {
        self.holdings.get(&person).is_some_and(|hs| {
            hs.iter().any(|h| {
                h.until.is_none_or(|u| at < u)
                    && hubs
                        .iter()
                        .any(|hub| self.start(h, hub).is_some_and(|s| s <= at))
            })
        })
    }

    /// When the person's access to any of the hubs first began.
    fn first_access(&self, hubs: &[HubRef], person: Uuid) -> Option<DateTime<Utc>> {
        self.holdings
            .get(&person)?
            .iter()
            .flat_map(|h| hubs.iter().filter_map(|hub| self.start(h, hub)))
            .min()
    }
}

fn per_cent(part: usize, whole: usize) -> Option<i64> {
    (whole > 0).then(|| ((part as i64) * 200 + whole as i64) / (2 * whole as i64))
}

/// A visit with its civil day worked out once, people and organisations
/// as small numbers (pairs of them are hashed by the thousand).
struct DayVisit {
    day: NaiveDate,
    hub: Uuid,
    person: u32,
    org: u32,
    at: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
}

struct DayEvent<'a> {
    day: NaiveDate,
    fact: &'a EventFact,
}

/// The facts made ready to measure many times (each hub, the pilot, each
/// month): days worked out once and sorted, so a period is a slice.
pub struct Prepared<'a> {
    facts: &'a Facts,
    access: Access<'a>,
    visits: Vec<DayVisit>,
    events: Vec<DayEvent<'a>>,
    ids: HashMap<Uuid, u32>,
}

impl<'a> Prepared<'a> {
    pub fn new(facts: &'a Facts) -> Self {
        let mut ids: HashMap<Uuid, u32> = HashMap::new();
        let mut id = |u: Uuid| {
            let n = ids.len() as u32;
            *ids.entry(u).or_insert(n)
        };
        let mut visits: Vec<DayVisit> = facts
            .visits
            .iter()
            .map(|v| DayVisit {
                day: local_date(v.checked_in_at),
                hub: v.hub_id,
                person: id(v.person_id),
                org: id(v.organisation_id),
                at: v.checked_in_at,
                until: v.checked_out_at,
            })
            .collect();
        visits.sort_by_key(|v| v.day);
        let mut events: Vec<DayEvent> = facts
            .events
            .iter()
            .map(|e| DayEvent {
                day: local_date(e.starts_at),
                fact: e,
            })
            .collect();
        events.sort_by_key(|e| e.day);
        for e in &facts.events {
            for p in &e.participants {
                if let (Some(a), Some(b)) = (p.person_id, p.organisation_id) {
                    id(a);
                    id(b);
                }
            }
        }
        Prepared {
            facts,
            access: Access::new(facts),
            visits,
            events,
            ids,
        }
    }

    fn visits_in(&self, period: Period) -> &[DayVisit] {
        let a = self.visits.partition_point(|v| v.day < period.from);
        let b = self.visits.partition_point(|v| v.day <= period.to);
        &self.visits[a..b]
    }

    fn events_in(&self, period: Period) -> &[DayEvent<'a>] {
        let a = self.events.partition_point(|e| e.day < period.from);
        let b = self.events.partition_point(|e| e.day <= period.to);
        &self.events[a..b]
    }

    /// People with access at `at`, new members in the period and retention.
    fn membership(&self, hubs: &[HubRef], period: Period, at: DateTime<Utc>, m: &mut Measures) {
        let mut cohort = [0usize; 2];
        let mut retained = [0usize; 2];
        for &p in self.access.holdings.keys() {
            if self.access.has_access(hubs, p, at) {
                m.people_with_access += 1;
            }
            let Some(first) = self.access.first_access(hubs, p) else {
                continue;
            };
            if first > at || !period.contains(local_date(first)) {
                continue;
            }
            m.new_members += 1;
            for (i, months) in [3u32, 6].into_iter().enumerate() {
                let later = first + Months::new(months);
                if later <= at {
                    cohort[i] += 1;
                    if self.access.has_access(hubs, p, later) {
                        retained[i] += 1;
                    }
                }
            }
        }
        m.retention_3_months = per_cent(retained[0], cohort[0]);
        m.retention_6_months = per_cent(retained[1], cohort[1]);
    }

    /// Visits, visitors and hours of the period (`days` and `weeks` get
    /// who was there, for encounters and critical mass).
    fn visits(
        &self,
        ids: &HashSet<Uuid>,
        period: Period,
        now: DateTime<Utc>,
        m: &mut Measures,
        mut each: impl FnMut(&DayVisit),
    ) {
        let mut visitors = HashSet::new();
        for v in self.visits_in(period) {
            if !ids.contains(&v.hub) || v.at > now {
                continue;
            }
            m.visits += 1;
            visitors.insert(v.person);
            let until = v.until.unwrap_or(now).min(now);
            m.visit_minutes += (until - v.at).num_minutes().max(0);
            each(v);
        }
        m.unique_visitors = visitors.len() as i64;
    }

    /// Events held in the period and who took part; `each` gets each
    /// event's present people with an account, as (person, organisation).
    fn events(
        &self,
        ids: &HashSet<Uuid>,
        period: Period,
        now: DateTime<Utc>,
        m: &mut Measures,
        mut each: impl FnMut(&[(u32, u32)]),
    ) {
        for e in self.events_in(period) {
            let e = e.fact;
            if !ids.contains(&e.hub_id) || e.starts_at > now {
                continue;
            }
            m.events += 1;
            let took_attendance = e.participants.iter().any(|p| p.attended);
            let mut group = Vec::new();
            for p in e
                .participants
                .iter()
                .filter(|p| p.attended || !took_attendance)
            {
                m.event_participants += 1;
                let kind = p.organisation_kind.as_deref().unwrap_or("external");
                *m.participants_by_kind.entry(kind.to_string()).or_default() += 1;
                if let (Some(a), Some(b)) = (p.person_id, p.organisation_id) {
                    group.push((self.ids[&a], self.ids[&b]));
                }
            }
            each(&group);
        }
    }

    /// Every indicator of `hubs` together over `period`, as of `now`.
    pub fn measure(
        &self,
        hubs: &[HubRef],
        period: Period,
        now: DateTime<Utc>,
        critical_mass_people: i64,
    ) -> Measures {
        let mut m = Measures {
            hubs_in_central_town: hubs.iter().filter(|h| h.in_central_town).count() as i64,
            ..Measures::default()
        };
        if now < period.start() {
            return m;
        }
        let ids: HashSet<Uuid> = hubs.iter().map(|h| h.id).collect();
        self.membership(hubs, period, as_of(period, now), &mut m);

        // The visits come in day order, so a day's and a week's people are
        // together: each day's are paired hub by hub as the day ends.
        let mut pairs: Vec<u64> = Vec::new();
        let meet = |pairs: &mut Vec<u64>, group: &[(u32, u32)]| {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    if a.0 != b.0 && a.1 != b.1 {
                        let (x, y) = (a.0.min(b.0), a.0.max(b.0));
                        pairs.push((u64::from(x) << 32) | u64::from(y));
                    }
                }
            }
        };
        let mut day: Option<NaiveDate> = None;
        let mut today: Vec<(Uuid, u32, u32)> = Vec::new();
        let mut week: Option<NaiveDate> = None;
        let mut this_week: HashSet<u32> = HashSet::new();
        let end_day = |today: &mut Vec<(Uuid, u32, u32)>, pairs: &mut Vec<u64>| {
            today.sort_unstable();
            for group in today.chunk_by(|a, b| a.0 == b.0) {
                let people: Vec<(u32, u32)> = group.iter().map(|v| (v.1, v.2)).collect();
                meet(pairs, &people);
            }
            today.clear();
        };
        let mut weeks_with_mass = 0;
        self.visits(&ids, period, now, &mut m, |v| {
            if day != Some(v.day) {
                end_day(&mut today, &mut pairs);
                day = Some(v.day);
            }
            today.push((v.hub, v.person, v.org));
            let monday = v.day - Duration::days(v.day.weekday().num_days_from_monday() as i64);
            if week != Some(monday) {
                if this_week.len() as i64 >= critical_mass_people {
                    weeks_with_mass += 1;
                }
                this_week.clear();
                week = Some(monday);
            }
            this_week.insert(v.person);
        });
        end_day(&mut today, &mut pairs);
        if this_week.len() as i64 >= critical_mass_people {
            weeks_with_mass += 1;
        }
        m.critical_mass_weeks = weeks_with_mass;
        self.events(&ids, period, now, &mut m, |group| meet(&mut pairs, group));
        pairs.sort_unstable();
        pairs.dedup();
        m.encounters = pairs.len() as i64;
        m
    }

    /// The counts of each week or month of the period for `hubs` together.
    pub fn series(
        &self,
        hubs: &[HubRef],
        period: Period,
        now: DateTime<Utc>,
        by: Granularity,
    ) -> Vec<(Period, BucketMeasures)> {
        let ids: HashSet<Uuid> = hubs.iter().map(|h| h.id).collect();
        // When each person's access first began, once for all buckets.
        let firsts: Vec<NaiveDate> = self
            .access
            .holdings
            .keys()
            .filter_map(|&p| self.access.first_access(hubs, p))
            .filter(|&f| f <= now)
            .map(local_date)
            .collect();
        period
            .buckets(by)
            .into_iter()
            .map(|b| {
                let mut m = Measures::default();
                if now >= b.start() {
                    self.visits(&ids, b, now, &mut m, |_| {});
                    self.events(&ids, b, now, &mut m, |_| {});
                }
                let bucket = BucketMeasures {
                    unique_visitors: m.unique_visitors,
                    visits: m.visits,
                    visit_minutes: m.visit_minutes,
                    new_members: firsts.iter().filter(|d| b.contains(**d)).count() as i64,
                    events: m.events,
                    event_participants: m.event_participants,
                };
                (b, bucket)
            })
            .collect()
    }

    /// The facts these were made from.
    pub fn facts(&self) -> &Facts {
        self.facts
    }
}

/// A week's or a month's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BucketMeasures {
    pub unique_visitors: i64,
    pub visits: i64,
    pub visit_minutes: i64,
    /// People whose access to the hubs first began then.
    pub new_members: i64,
    pub events: i64,
    pub event_participants: i64,
}

impl BucketMeasures {
    /// Visit hours, rounded half up.
    pub fn visit_hours(&self) -> i64 {
        (self.visit_minutes + 30) / 60
    }
}

/// The indicators of `hubs` together over `period`, as of `now`.
pub fn measure(
    hubs: &[HubRef],
    facts: &Facts,
    period: Period,
    now: DateTime<Utc>,
    critical_mass_people: i64,
) -> Measures {
    Prepared::new(facts).measure(hubs, period, now, critical_mass_people)
}

/// A goal's verdict for a value measured over `period`, judged on `today`.
pub fn verdict(goal: &Goal, value: Option<i64>, period: Period, today: NaiveDate) -> Verdict {
    let Some(value) = value else {
        return Verdict::TooEarly;
    };
    if today < period.from {
        return Verdict::TooEarly;
    }
    let holds = goal.direction.holds(value, goal.target);
    if today > period.to {
        return if holds { Verdict::Met } else { Verdict::NotMet };
    }
    match (goal.indicator.cumulative(), goal.direction, holds) {
        (true, Direction::AtLeast, true) => Verdict::Met,
        (true, Direction::AtMost, false) => Verdict::NotMet,
        _ => Verdict::TooEarly,
    }
}

/// The pilot's verdict on a goal for each hub: met when all are, not met
/// when any is not, else too early.
pub fn combine(verdicts: &[Verdict]) -> Verdict {
    if verdicts.contains(&Verdict::NotMet) {
        Verdict::NotMet
    } else if !verdicts.is_empty() && verdicts.iter().all(|v| *v == Verdict::Met) {
        Verdict::Met
    } else {
        Verdict::TooEarly
    }
}

/// A goal's value and verdict at one hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HubVerdict {
    pub hub_id: Uuid,
    pub value: Option<i64>,
    pub verdict: Verdict,
}

/// A hub's measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HubMeasures {
    pub hub_id: Uuid,
    pub measures: Measures,
}

/// One goal judged for each hub and for the pilot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalResult {
    pub goal: Goal,
    /// Per hub, in the pilot's order: the value and its verdict.
    pub hubs: Vec<HubVerdict>,
    /// The pilot's value (its hubs together; none for an each-hub goal
    /// whose value is per hub only) and verdict.
    pub value: Option<i64>,
    pub verdict: Verdict,
}

/// A pilot's evaluation: every hub's measures, the pilot's, each goal's
/// verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    pub hubs: Vec<HubMeasures>,
    pub pilot: Measures,
    pub goals: Vec<GoalResult>,
}

/// Measures every hub of `hubs` and all together, and judges the goals.
pub fn evaluate(
    goals: &[Goal],
    hubs: &[HubRef],
    facts: &Facts,
    period: Period,
    now: DateTime<Utc>,
    critical_mass_people: i64,
) -> Evaluation {
    let prepared = Prepared::new(facts);
    evaluate_prepared(goals, hubs, &prepared, period, now, critical_mass_people)
}

/// As [`evaluate`], from facts prepared once (to measure their months too).
pub fn evaluate_prepared(
    goals: &[Goal],
    hubs: &[HubRef],
    prepared: &Prepared,
    period: Period,
    now: DateTime<Utc>,
    critical_mass_people: i64,
) -> Evaluation {
    let today = local_date(now);
    let per_hub: Vec<HubMeasures> = hubs
        .iter()
        .map(|h| HubMeasures {
            hub_id: h.id,
            measures: prepared.measure(std::slice::from_ref(h), period, now, critical_mass_people),
        })
        .collect();
    let pilot = prepared.measure(hubs, period, now, critical_mass_people);
    let goals = goals
        .iter()
        .map(|g| {
            let judge = |m: &Measures| {
                let value = match g.indicator {
                    Indicator::Manual => g.manual_value,
                    i => m.value(i),
                };
                (value, verdict(g, value, period, today))
            };
            let hubs: Vec<HubVerdict> = per_hub
                .iter()
                .map(|h| {
                    let (value, verdict) = judge(&h.measures);
                    HubVerdict {
                        hub_id: h.hub_id,
                        value,
                        verdict,
                    }
                })
                .collect();
            let (value, whole) = judge(&pilot);
            // An each-hub goal has no value of the pilot's own: its hubs
            // together would read as judged against the target.
            let (value, verdict) = match (g.scope, g.indicator) {
                (_, Indicator::Manual) | (GoalScope::Pilot, _) => (value, whole),
                (GoalScope::EachHub, _) => (
                    None,
                    combine(&hubs.iter().map(|h| h.verdict).collect::<Vec<_>>()),
                ),
            };
            GoalResult {
                goal: g.clone(),
                hubs,
                value,
                verdict,
            }
        })
        .collect();
    Evaluation {
        hubs: per_hub,
        pilot,
        goals,
    }
}

/// The counts of `hubs` together for each week or month of the period.
pub fn series(
    hubs: &[HubRef],
    facts: &Facts,
    period: Period,
    now: DateTime<Utc>,
    by: Granularity,
) -> Vec<(Period, BucketMeasures)> {
    Prepared::new(facts).series(hubs, period, now, by)
}

/// A date the person typed for a period's end, checked (for pages' period
/// pickers).
pub fn parse_period(from: &str, to: &str) -> Result<Period, FieldError> {
    let from = crate::membership::parse_date(from)?;
    let to = crate::membership::parse_date(to)?;
    if to < from {
        return Err(invalid(
            "ends_before_start",
            "the last day is before the first",
        ));
    }
    Ok(Period { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    /// A civil time in Stockholm.
    fn at(s: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        crate::HUB_TIME_ZONE
            .from_local_datetime(&n)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }
    fn period(from: &str, to: &str) -> Period {
        Period {
            from: day(from),
            to: day(to),
        }
    }

    const REGION: u128 = 900;
    const OTHER_REGION: u128 = 901;
    const A: u128 = 1;
    const B: u128 = 2;
    const C: u128 = 3; // another region
    const ORG_X: u128 = 500;
    const ORG_Y: u128 = 501;
    const ORG_Z: u128 = 502;

    fn hub(n: u128) -> HubRef {
        HubRef {
            id: id(n),
            region_id: id(if n == C { OTHER_REGION } else { REGION }),
            in_central_town: n == B,
        }
    }
    fn visit(hub: u128, person: u128, org: u128, from: &str, to: &str) -> VisitFact {
        VisitFact {
            hub_id: id(hub),
            person_id: id(person),
            organisation_id: id(org),
            checked_in_at: at(from),
            checked_out_at: Some(at(to)),
        }
    }
    fn holding(person: u128, scope: AccessScope, from: &str, until: Option<&str>) -> HoldingFact {
        HoldingFact {
            person_id: id(person),
            scope,
            from: at(from),
            until: until.map(at),
        }
    }
    fn first(hub: u128, person: u128, when: &str) -> FirstVisitFact {
        FirstVisitFact {
            hub_id: id(hub),
            person_id: id(person),
            at: at(when),
        }
    }

    #[test]
    fn access_counts_hub_and_region_cards_and_network_cards_only_after_a_visit() {
        let facts = Facts {
            holdings: vec![
                // 10: hub A's card; 11: the region's; 12: network-wide,
                // visited A only; 13: network-wide, never visited; 14: hub
                // A's card that ended before the period's end; 15: another
                // region's card.
                holding(10, AccessScope::Hub(id(A)), "2026-01-01 00:00", None),
                holding(
                    11,
                    AccessScope::Region(id(REGION)),
                    "2026-01-01 00:00",
                    None,
                ),
                holding(12, AccessScope::Network, "2025-06-01 00:00", None),
                holding(13, AccessScope::Network, "2025-06-01 00:00", None),
                holding(
                    14,
                    AccessScope::Hub(id(A)),
                    "2026-01-01 00:00",
                    Some("2026-03-01 00:00"),
                ),
                holding(
                    15,
                    AccessScope::Region(id(OTHER_REGION)),
                    "2026-01-01 00:00",
                    None,
                ),
            ],
            first_visits: vec![first(A, 12, "2026-02-10 09:00")],
            ..Facts::default()
        };
        let p = period("2026-01-01", "2026-03-31");
        let now = at("2026-06-01 12:00");
        let m = |hubs: &[HubRef]| measure(hubs, &facts, p, now, 5);
        assert_eq!(m(&[hub(A)]).people_with_access, 3, "10, 11 and 12");
        assert_eq!(
            m(&[hub(B)]).people_with_access,
            1,
            "11 only: 12 never visited B"
        );
        assert_eq!(m(&[hub(C)]).people_with_access, 1, "15 only");
        assert_eq!(
            m(&[hub(A), hub(B)]).people_with_access,
            3,
            "each person once"
        );
        // Before 12's first visit, the network card does not count at A.
        let early = period("2026-01-01", "2026-02-09");
        assert_eq!(
            measure(&[hub(A)], &facts, early, now, 5).people_with_access,
            3,
            "10, 11, 14"
        );
        // New members at A in the quarter: 10, 11, 14 (January) and 12 (the
        // day of the first visit); 13 never got access to A.
        assert_eq!(m(&[hub(A)]).new_members, 4);
        assert_eq!(m(&[hub(B)]).new_members, 1);
    }

    #[test]
    fn retention_is_the_share_still_with_access_three_and_six_months_on() {
        let facts = Facts {
            holdings: vec![
                // Joined 10 January, left 1 March: gone at three months.
                holding(
                    20,
                    AccessScope::Hub(id(A)),
                    "2026-01-10 08:00",
                    Some("2026-03-01 00:00"),
                ),
                // Joined 15 January and stays.
                holding(21, AccessScope::Hub(id(A)), "2026-01-15 08:00", None),
                // Joined 31 January (a month end: + 3 months is 30 April),
                // left 30 April at noon, after the three-month mark.
                holding(
                    22,
                    AccessScope::Hub(id(A)),
                    "2026-01-31 08:00",
                    Some("2026-04-30 12:00"),
                ),
                // Joined in May: too recent for either cohort on 1 July.
                holding(23, AccessScope::Hub(id(A)), "2026-05-20 08:00", None),
                // Had access since 2025: not new.
                holding(24, AccessScope::Hub(id(A)), "2025-05-01 08:00", None),
            ],
            ..Facts::default()
        };
        let p = period("2026-01-01", "2026-12-31");
        let m = measure(&[hub(A)], &facts, p, at("2026-07-01 12:00"), 5);
        assert_eq!(m.new_members, 4);
        // Three months: 20 gone, 21 and 22 kept → 2 of 3 = 67 %.
        assert_eq!(m.retention_3_months, Some(67));
        // Six months by 1 July: 20 (10 July) and the rest have not passed.
        assert_eq!(m.retention_6_months, None);
        let m = measure(&[hub(A)], &facts, p, at("2026-08-01 12:00"), 5);
        // Six months by 1 August: 20 (gone), 21 (kept), 22 (gone) → 33 %.
        assert_eq!(m.retention_6_months, Some(33));
        assert_eq!(
            m.retention_3_months,
            Some(67),
            "23's three months end 20 August"
        );
        let months = series(
            &[hub(A)],
            &facts,
            p,
            at("2026-08-01 12:00"),
            Granularity::Month,
        );
        let joined: Vec<i64> = months.iter().map(|(_, m)| m.new_members).collect();
        assert_eq!(
            joined,
            [3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
            "24 joined in 2025"
        );
    }

    #[test]
    fn visits_count_on_the_swedish_day_they_began_across_summer_time_and_month_ends() {
        let facts = Facts {
            visits: vec![
                // Saturday 31 January 23:30 → January.
                visit(A, 30, ORG_X, "2026-01-31 23:30", "2026-02-01 00:30"),
                // Sunday 1 February 00:15 (still 31 January in UTC) → February.
                visit(A, 31, ORG_X, "2026-02-01 00:15", "2026-02-01 02:15"),
                // Sunday 29 March, the night clocks go forward: 01:30 to
                // 03:30 is one hour.
                visit(A, 30, ORG_X, "2026-03-29 01:30", "2026-03-29 03:30"),
                // Sunday 25 October, clocks go back: 01:30 to 03:30 is
                // three hours (02:00–03:00 happens twice; `at` takes the
                // first 02:00).
                visit(A, 31, ORG_X, "2026-10-25 01:30", "2026-10-25 03:30"),
            ],
            ..Facts::default()
        };
        let now = at("2026-12-01 12:00");
        let months = series(
            &[hub(A)],
            &facts,
            period("2026-01-01", "2026-12-31"),
            now,
            Granularity::Month,
        );
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].1.visits, 1, "January");
        assert_eq!(months[0].1.visit_minutes, 60);
        assert_eq!(months[1].1.visits, 1, "February");
        assert_eq!(months[1].1.visit_minutes, 120);
        assert_eq!(months[2].1.visit_minutes, 60, "the short night of March");
        assert_eq!(months[9].1.visit_minutes, 180, "the long night of October");
        let whole = measure(
            &[hub(A)],
            &facts,
            period("2026-01-01", "2026-12-31"),
            now,
            5,
        );
        assert_eq!(
            (whole.visits, whole.unique_visitors, whole.visit_minutes),
            (4, 2, 420)
        );
        assert_eq!(whole.value(Indicator::VisitHours), Some(7));
    }

    #[test]
    fn critical_mass_counts_monday_to_sunday_weeks_in_swedish_time() {
        let visits = vec![
            // The week of Monday 23 March 2026 (clocks go forward on its
            // Sunday): people 40 and 41, and 42 late on Sunday 29 March.
            visit(A, 40, ORG_X, "2026-03-23 09:00", "2026-03-23 10:00"),
            visit(A, 41, ORG_X, "2026-03-25 09:00", "2026-03-25 10:00"),
            visit(A, 42, ORG_Y, "2026-03-29 23:30", "2026-03-29 23:50"),
            // Monday 30 March 00:30 in Sweden is Sunday in UTC: the next week.
            visit(A, 43, ORG_Y, "2026-03-30 00:30", "2026-03-30 01:00"),
            visit(A, 40, ORG_X, "2026-03-31 09:00", "2026-03-31 10:00"),
        ];
        let facts = Facts {
            visits,
            ..Facts::default()
        };
        let p = period("2026-03-01", "2026-04-30");
        let now = at("2026-06-01 12:00");
        assert_eq!(measure(&[hub(A)], &facts, p, now, 3).critical_mass_weeks, 1);
        assert_eq!(measure(&[hub(A)], &facts, p, now, 2).critical_mass_weeks, 2);
        let weeks = series(&[hub(A)], &facts, p, now, Granularity::Week);
        assert_eq!(
            weeks[0].0,
            period("2026-03-01", "2026-03-01"),
            "cut to the period"
        );
        let week = |from: &str| {
            weeks
                .iter()
                .find(|w| w.0.from == day(from))
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(week("2026-03-23").unique_visitors, 3);
        assert_eq!(week("2026-03-30").unique_visitors, 2);
    }

    #[test]
    fn encounters_pair_people_of_different_organisations_once_under_the_day_s_organisation() {
        let facts = Facts {
            visits: vec![
                // Day 1: 50 (seat of X) and 51 (X): same organisation.
                visit(A, 50, ORG_X, "2026-02-02 09:00", "2026-02-02 12:00"),
                visit(A, 51, ORG_X, "2026-02-02 10:00", "2026-02-02 11:00"),
                // Day 2: 50 has changed employer (a seat of Y) and meets 51.
                visit(A, 50, ORG_Y, "2026-02-03 09:00", "2026-02-03 12:00"),
                visit(A, 51, ORG_X, "2026-02-03 13:00", "2026-02-03 14:00"),
                // Day 3: the same pair again: still one encounter.
                visit(A, 50, ORG_Y, "2026-02-04 09:00", "2026-02-04 12:00"),
                visit(A, 51, ORG_X, "2026-02-04 13:00", "2026-02-04 14:00"),
                // 52 (Z) at hub B the same day as 50 at A: no encounter.
                visit(B, 52, ORG_Z, "2026-02-04 09:00", "2026-02-04 10:00"),
            ],
            events: vec![EventFact {
                hub_id: id(A),
                event_id: id(700),
                starts_at: at("2026-02-10 17:00"),
                participants: vec![
                    ParticipantFact {
                        person_id: Some(id(52)),
                        organisation_id: Some(id(ORG_Z)),
                        organisation_kind: Some("company".into()),
                        attended: true,
                    },
                    ParticipantFact {
                        person_id: Some(id(51)),
                        organisation_id: Some(id(ORG_X)),
                        organisation_kind: Some("municipality".into()),
                        attended: true,
                    },
                    // Confirmed but did not come: the host took attendance.
                    ParticipantFact {
                        person_id: Some(id(53)),
                        organisation_id: Some(id(ORG_Y)),
                        organisation_kind: Some("agency".into()),
                        attended: false,
                    },
                    ParticipantFact {
                        person_id: None,
                        organisation_id: None,
                        organisation_kind: None,
                        attended: true,
                    },
                ],
            }],
            ..Facts::default()
        };
        let p = period("2026-02-01", "2026-02-28");
        let now = at("2026-03-01 12:00");
        let a = measure(&[hub(A)], &facts, p, now, 5);
        // (50, 51) on day 2, (51, 52) at the event.
        assert_eq!(a.encounters, 2);
        assert_eq!((a.events, a.event_participants), (1, 3));
        assert_eq!(
            a.participants_by_kind,
            BTreeMap::from([
                ("company".into(), 1),
                ("external".into(), 1),
                ("municipality".into(), 1)
            ])
        );
        assert_eq!(measure(&[hub(A), hub(B)], &facts, p, now, 5).encounters, 2);
        // Before the event happens it counts nothing.
        let before = measure(&[hub(A)], &facts, p, at("2026-02-10 12:00"), 5);
        assert_eq!((before.events, before.encounters), (0, 1));
    }

    #[test]
    fn without_attendance_the_confirmed_count() {
        let e = EventFact {
            hub_id: id(A),
            event_id: id(701),
            starts_at: at("2026-02-10 17:00"),
            participants: (0..4)
                .map(|n| ParticipantFact {
                    person_id: Some(id(60 + n)),
                    organisation_id: Some(id(ORG_X)),
                    organisation_kind: Some("municipality".into()),
                    attended: false,
                })
                .collect(),
        };
        let facts = Facts {
            events: vec![e],
            ..Facts::default()
        };
        let m = measure(
            &[hub(A)],
            &facts,
            period("2026-02-01", "2026-02-28"),
            at("2026-03-01 00:00"),
            5,
        );
        assert_eq!((m.event_participants, m.encounters), (4, 0));
    }

    fn goal(indicator: Indicator, direction: Direction, target: i64) -> Goal {
        Goal {
            indicator,
            label: String::new(),
            direction,
            target,
            scope: GoalScope::EachHub,
            manual_value: None,
        }
    }

    #[test]
    fn verdicts_wait_for_the_end_unless_a_running_total_has_decided() {
        let p = period("2026-01-01", "2026-12-31");
        let running = day("2026-06-01");
        let ended = day("2027-01-01");
        let access = goal(Indicator::PeopleWithAccess, Direction::AtLeast, 20);
        assert_eq!(verdict(&access, Some(23), p, running), Verdict::TooEarly);
        assert_eq!(verdict(&access, Some(23), p, ended), Verdict::Met);
        assert_eq!(verdict(&access, Some(14), p, ended), Verdict::NotMet);
        assert_eq!(
            verdict(&access, Some(20), p, ended),
            Verdict::Met,
            "at least 20 is 20"
        );
        let visits = goal(Indicator::Visits, Direction::AtLeast, 100);
        assert_eq!(verdict(&visits, Some(100), p, running), Verdict::Met);
        assert_eq!(verdict(&visits, Some(99), p, running), Verdict::TooEarly);
        let central = goal(Indicator::HubsInCentralTown, Direction::AtMost, 0);
        assert_eq!(verdict(&central, Some(1), p, running), Verdict::TooEarly);
        assert_eq!(verdict(&central, Some(0), p, ended), Verdict::Met);
        let hours = goal(Indicator::VisitHours, Direction::AtMost, 10);
        assert_eq!(verdict(&hours, Some(11), p, running), Verdict::NotMet);
        assert_eq!(verdict(&hours, Some(9), p, running), Verdict::TooEarly);
        assert_eq!(
            verdict(&visits, Some(500), p, day("2025-12-31")),
            Verdict::TooEarly
        );
        assert_eq!(verdict(&access, None, p, ended), Verdict::TooEarly);
        assert_eq!(combine(&[Verdict::Met, Verdict::Met]), Verdict::Met);
        assert_eq!(
            combine(&[Verdict::Met, Verdict::TooEarly]),
            Verdict::TooEarly
        );
        assert_eq!(
            combine(&[Verdict::TooEarly, Verdict::NotMet]),
            Verdict::NotMet
        );
        assert_eq!(combine(&[]), Verdict::TooEarly);
    }

    #[test]
    fn a_pilot_meets_an_each_hub_goal_only_when_every_hub_does() {
        let mut holdings = Vec::new();
        for n in 0..23 {
            holdings.push(holding(
                100 + n,
                AccessScope::Hub(id(A)),
                "2026-01-05 00:00",
                None,
            ));
        }
        for n in 0..14 {
            holdings.push(holding(
                200 + n,
                AccessScope::Hub(id(B)),
                "2026-01-05 00:00",
                None,
            ));
        }
        let facts = Facts {
            holdings,
            ..Facts::default()
        };
        let mut manual = goal(Indicator::Manual, Direction::AtLeast, 3);
        manual.label = "Local businesses that backed the hub".into();
        manual.manual_value = Some(4);
        manual.scope = GoalScope::Pilot;
        let goals = vec![
            goal(Indicator::PeopleWithAccess, Direction::AtLeast, 20),
            goal(Indicator::HubsInCentralTown, Direction::AtMost, 0),
            Goal {
                scope: GoalScope::Pilot,
                ..goal(Indicator::PeopleWithAccess, Direction::AtLeast, 30)
            },
            manual,
        ];
        let e = evaluate(
            &goals,
            &[hub(A), hub(B)],
            &facts,
            period("2026-01-01", "2026-12-31"),
            at("2027-01-10 12:00"),
            5,
        );
        assert_eq!(e.hubs[0].measures.people_with_access, 23);
        assert_eq!(e.hubs[1].measures.people_with_access, 14);
        let g = &e.goals[0];
        assert_eq!(
            g.hubs.iter().map(|h| h.verdict).collect::<Vec<_>>(),
            [Verdict::Met, Verdict::NotMet]
        );
        assert_eq!((g.value, g.verdict), (None, Verdict::NotMet));
        assert_eq!(
            e.goals[1].hubs[1].value,
            Some(1),
            "B stands in its central town"
        );
        assert_eq!(e.goals[1].verdict, Verdict::NotMet);
        assert_eq!(
            (e.goals[2].value, e.goals[2].verdict),
            (Some(37), Verdict::Met)
        );
        assert_eq!(
            (e.goals[3].value, e.goals[3].verdict),
            (Some(4), Verdict::Met)
        );
    }

    #[test]
    fn keys_are_what_the_api_reads_and_writes() {
        for i in Indicator::ALL {
            assert_eq!(serde_json::to_value(i).unwrap(), i.key(), "{i:?}");
            assert_eq!(Indicator::from_key(i.key()), Some(i));
        }
    }

    #[test]
    fn buckets_cut_weeks_and_months_to_the_period() {
        let p = period("2026-02-25", "2026-03-03");
        assert_eq!(
            p.buckets(Granularity::Week),
            [
                period("2026-02-25", "2026-03-01"),
                period("2026-03-02", "2026-03-03")
            ]
        );
        assert_eq!(
            p.buckets(Granularity::Month),
            [
                period("2026-02-25", "2026-02-28"),
                period("2026-03-01", "2026-03-03")
            ]
        );
        assert_eq!(
            period("2024-01-31", "2024-03-01")
                .buckets(Granularity::Month)
                .len(),
            3
        );
    }

    fn input() -> PilotInput {
        PilotInput {
            name: "Kalmar pilot".into(),
            region_id: id(REGION).to_string(),
            starts_on: "2021-12-01".into(),
            ends_on: "2023-05-30".into(),
            hub_ids: vec![id(A).to_string(), id(B).to_string(), id(A).to_string()],
            goals: vec![
                GoalInput {
                    indicator: "people_with_access".into(),
                    target: "20".into(),
                    ..GoalInput::default()
                },
                GoalInput::default(),
            ],
            ..PilotInput::default()
        }
    }

    #[test]
    fn a_pilot_input_is_checked_field_by_field() {
        let p = input().validate(id(9)).unwrap();
        assert_eq!(p.hub_ids, [id(A), id(B)], "each hub once");
        assert_eq!(p.goals.len(), 1, "blank rows are skipped");
        assert_eq!(p.goals[0].direction, Direction::AtLeast);
        assert_eq!(p.goals[0].scope, GoalScope::EachHub);
        assert_eq!(p.critical_mass_people, DEFAULT_CRITICAL_MASS);
        let back = PilotInput::from_pilot(&p).validate(id(9)).unwrap();
        assert_eq!(back, p);

        let bad = PilotInput {
            name: " ".into(),
            ends_on: "2021-11-30".into(),
            hub_ids: vec![],
            critical_mass_people: "0".into(),
            goals: vec![
                GoalInput {
                    indicator: "happiness".into(),
                    target: "x".into(),
                    ..GoalInput::default()
                },
                GoalInput {
                    indicator: "manual".into(),
                    target: "3".into(),
                    ..GoalInput::default()
                },
                GoalInput {
                    indicator: "retention_3_months".into(),
                    target: "120".into(),
                    direction: "sideways".into(),
                    manual_value: "5".into(),
                    ..GoalInput::default()
                },
            ],
            ..input()
        };
        let e = bad.validate(id(9)).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "name",
            "ends_on",
            "hub_ids",
            "critical_mass_people",
            "goals[0].indicator",
            "goals[0].target",
            "goals[1].label",
            "goals[2].direction",
            "goals[2].target",
            "goals[2].manual_value",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
