//! The demo's pilot (issue 17): Region Kalmar län's rural hubs in Figeholm
//! and Boda glasbruk, evaluated over the year that ended the day before
//! the memberships were seeded, with the region's goals — at least 20
//! people with access at each hub (Figeholm has them, Boda glasbruk not
//! yet), no hub in a municipality's central town, weeks with critical mass,
//! encounters across organisations, events — and one goal the region
//! measures by hand (local businesses backing the hubs).
//!
//! So that the year has a history, it also seeds the people who joined the
//! two hubs earlier in the year — three still members of Figeholm, one of
//! Boda glasbruk, and four who left after two to eight months — with their
//! visits on the hubs' open days, and a breakfast meeting at each hub most
//! months, with who signed up and who came.
//!
//! Looked up by name first (a pilot by name, a person by e-mail), so a
//! second run adds nothing; the marker `demo_evaluation_v1` is written last.

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use thirdplace_domain::evaluation::{GoalInput, PilotInput};
use thirdplace_domain::event::{EventInput, EventStatus, Registrant, Registration};
use thirdplace_domain::membership::{local_instant, CheckIn, CheckInMethod, Seat, WebhookEvent};
use thirdplace_domain::{new_id, Email, Person};
use thirdplace_store::{HubListing, Store};
use thirdplace_web::memberships::checkins::event;
use uuid::Uuid;

use crate::demo::{
    mark_seeded, members_at, members_with_seats, seeded_before, HUB_BODA, HUB_FIGEHOLM,
};
use crate::demo_memberships::{stable_hash, PLAN_BODA, PLAN_FIGEHOLM};

/// Someone who joined a pilot hub earlier in the year: name, e-mail,
/// organisation number, hub, days ago they got the card, days ago they
/// gave it up (none: still a member), share of open days they come.
type Earlier = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    u64,
);

const EARLIER: &[Earlier] = &[
    (
        "Sofia",
        "Berggren",
        "sofia.berggren@kustnarawebb.example",
        "559318-2040",
        HUB_FIGEHOLM,
        320,
        None,
        40,
    ),
    (
        "Anders",
        "Kvist",
        "anders.kvist@skargardsredovisning.example",
        "559207-6110",
        HUB_FIGEHOLM,
        270,
        None,
        30,
    ),
    (
        "Linnea",
        "Dahl",
        "linnea.dahl@oskarshamn.example",
        "212000-0761",
        HUB_FIGEHOLM,
        230,
        None,
        35,
    ),
    // Stayed four and a half months: kept at three, gone at six.
    (
        "Mattias",
        "Ek",
        "mattias.ek@kustnarawebb.example",
        "559318-2040",
        HUB_FIGEHOLM,
        340,
        Some(205),
        30,
    ),
    // Stayed seven weeks.
    (
        "Hanna",
        "Sjöberg",
        "hanna.sjoberg@oskarshamn.example",
        "212000-0761",
        HUB_FIGEHOLM,
        300,
        Some(250),
        25,
    ),
    (
        "Elin",
        "Fors",
        "elin.fors@bodaverkstaden.example",
        "559412-8356",
        HUB_BODA,
        290,
        None,
        35,
    ),
    // Stayed eight months.
    (
        "Per",
        "Alm",
        "per.alm@emmaboda.example",
        "212000-0738",
        HUB_BODA,
        330,
        Some(90),
        30,
    ),
    (
        "Tove",
        "Lund",
        "tove.lund@bodaverkstaden.example",
        "559412-8356",
        HUB_BODA,
        260,
        Some(210),
        20,
    ),
];

const SEEDED_KEY: &str = "demo_evaluation_v1";
/// The memberships' seeding day (see `demo_memberships`).
const DAY_KEY: &str = "demo_memberships_day";
pub(crate) const PILOT_NAME: &str = "Landsbygdshubbar i Kalmar län";

fn goal(indicator: &str, direction: &str, target: &str, scope: &str) -> GoalInput {
    GoalInput {
        indicator: indicator.into(),
        direction: direction.into(),
        target: target.into(),
        scope: scope.into(),
        ..GoalInput::default()
    }
}

/// Seeds the pilot unless the store says it was seeded. Returns
/// `Ok(true)` when it seeded now.
pub async fn seed(store: &dyn Store) -> Result<bool> {
    if seeded_before(store, SEEDED_KEY, "demo pilot").await? {
        return Ok(false);
    }
    let day = store
        .get_meta(DAY_KEY)
        .await
        .context("reading the demo memberships day")?
        .context("the demo memberships are not seeded")?;
    let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .with_context(|| format!("the demo memberships day {day:?} is not a date"))?;
    let hubs = store.list_hubs().await.context("listing hubs")?;
    seed_history(store, &hubs, day).await?;
    let existing = store.list_pilots().await.context("listing pilots")?;
    if !existing.iter().any(|p| p.name == PILOT_NAME) {
        let hub = |name: &str| {
            hubs.iter()
                .find(|h| h.hub.name == name)
                .with_context(|| format!("the demo hub {name}"))
        };
        let (figeholm, boda) = (hub(HUB_FIGEHOLM)?, hub(HUB_BODA)?);
        let mut manual = goal("manual", "at_least", "5", "pilot");
        manual.label = "Lokala företag och föreningar som står bakom hubbarna".into();
        manual.manual_value = "7".into();
        let input = PilotInput {
            name: PILOT_NAME.into(),
            description: "Regionens pilot med kontorshubbar på landsbygden: gemenskap före \
                          lokaler, lokal förankring och kritisk massa. Hubbarna ligger i en gammal \
                          skola och ett glasbruks kontor, utanför kommunernas centralorter."
                .into(),
            region_id: figeholm.region_id.to_string(),
            starts_on: (day - Duration::days(365)).to_string(),
            ends_on: (day - Duration::days(1)).to_string(),
            critical_mass_people: "5".into(),
            hub_ids: vec![figeholm.hub.id.to_string(), boda.hub.id.to_string()],
            goals: vec![
                goal("people_with_access", "at_least", "20", "each_hub"),
                goal("hubs_in_central_town", "at_most", "0", "pilot"),
                goal("critical_mass_weeks", "at_least", "6", "each_hub"),
                goal("unique_visitors", "at_least", "25", "pilot"),
                goal("encounters", "at_least", "50", "pilot"),
                manual,
            ],
            archived: String::new(),
        };
        let pilot = input
            .validate(new_id())
            .map_err(|e| anyhow::anyhow!("the demo pilot is not valid: {e:?}"))?;
        store
            .insert_pilot(&pilot)
            .await
            .context("inserting the demo pilot")?;
    }
    mark_seeded(store, SEEDED_KEY, "demo pilot").await?;
    Ok(true)
}

fn hub<'a>(hubs: &'a [HubListing], name: &str) -> Result<&'a HubListing> {
    hubs.iter()
        .find(|h| h.hub.name == name)
        .with_context(|| format!("the demo hub {name}"))
}

/// The earlier members with their seats and visits, and the hubs' past
/// breakfast meetings.
async fn seed_history(store: &dyn Store, hubs: &[HubListing], day: NaiveDate) -> Result<()> {
    let plans = store.list_plans().await.context("listing plans")?;
    let organisations = store
        .list_organisations()
        .await
        .context("listing organisations")?;
    let mut earlier: Vec<(Person, &'static str, NaiveDate, Option<NaiveDate>)> = Vec::new();
    for &(first, last, email, org_number, hub_name, from, until, share) in EARLIER {
        let from = day - Duration::days(from);
        let until = until.map(|u| day - Duration::days(u));
        if let Some(p) = store
            .find_person_by_email(email)
            .await
            .with_context(|| format!("looking up {email}"))?
        {
            earlier.push((p, hub_name, from, until));
            continue;
        }
        let org = organisations
            .iter()
            .find(|o| o.org_number == org_number)
            .with_context(|| format!("the demo organisation {org_number}"))?;
        let plan_name = if hub_name == HUB_FIGEHOLM {
            PLAN_FIGEHOLM
        } else {
            PLAN_BODA
        };
        let plan = plans
            .iter()
            .find(|p| p.name == plan_name)
            .with_context(|| format!("the demo plan {plan_name}"))?;
        let person = Person {
            id: new_id(),
            first_name: first.into(),
            last_name: last.into(),
            email: Email::parse(email).map_err(|e| anyhow::anyhow!("{email}: {}", e.message))?,
            organisation_id: Some(org.id),
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
            archived: false,
        };
        store
            .insert_person(&person)
            .await
            .with_context(|| format!("inserting {email}"))?;
        let since = local_instant(from, NaiveTime::MIN);
        let seat = Seat {
            id: new_id(),
            plan_id: plan.id,
            organisation_id: org.id,
            start_date: from,
            end_date: until,
            created_at: since,
            selling_operator_id: None,
        };
        store
            .insert_seats(std::slice::from_ref(&seat))
            .await
            .with_context(|| format!("the seat of {email}"))?;
        store
            .assign_seat(seat.id, Some(person.id), since)
            .await
            .with_context(|| format!("giving {email} a seat"))?;
        let h = hub(hubs, hub_name)?;
        let last_day = until
            .unwrap_or(day - Duration::days(1))
            .min(day - Duration::days(1));
        let mut date = from;
        while date <= last_day {
            let open = h.hub.opening_hours.hours_on(date);
            let hash = stable_hash(&[email, &date.to_string()]);
            if let Some(i) = open.first().filter(|_| hash % 100 < share) {
                let arrive = local_instant(date, i.open)
                    + Duration::minutes(30 + 5 * ((hash >> 8) % 25) as i64);
                let close = local_instant(date, i.close);
                let leave = (arrive + Duration::minutes(150 + 5 * ((hash >> 16) % 50) as i64))
                    .min(close - Duration::minutes(10));
                if leave > arrive {
                    visit(store, &person, h, seat.id, arrive, leave).await?;
                }
            }
            date += Duration::days(1);
        }
        earlier.push((person, hub_name, from, until));
    }
    seed_meetings(store, hubs, day, &earlier).await
}

async fn visit(
    store: &dyn Store,
    person: &Person,
    hub: &HubListing,
    seat: Uuid,
    arrive: DateTime<Utc>,
    leave: DateTime<Utc>,
) -> Result<()> {
    let c = CheckIn {
        id: new_id(),
        person_id: person.id,
        hub_id: hub.hub.id,
        seat_id: seat,
        method: CheckInMethod::Scan,
        checked_in_at: arrive,
        checked_out_at: Some(leave),
        auto_closed: false,
    };
    let data = serde_json::json!({ "checkin_id": c.id, "hub_id": hub.hub.id });
    store
        .insert_checkin(&c, &event(WebhookEvent::CheckIn, arrive, data))
        .await
        .with_context(|| format!("{}'s visit at {arrive}", person.email.as_str()))
}

/// A breakfast meeting at each pilot hub on the second Tuesday of most of
/// the past year's months (Boda glasbruk every other month), signed up by
/// the hub's members of that day; most of them came.
async fn seed_meetings(
    store: &dyn Store,
    hubs: &[HubListing],
    day: NaiveDate,
    earlier: &[(Person, &'static str, NaiveDate, Option<NaiveDate>)],
) -> Result<()> {
    let members = members_with_seats(store, Utc::now()).await?;
    for (name, every) in [(HUB_FIGEHOLM, 1), (HUB_BODA, 2)] {
        let h = hub(hubs, name)?;
        let zones = store.list_zones(h.hub.id).await.context("listing zones")?;
        let zone = zones.iter().find(|z| !z.archived);
        for month in (1..=11).step_by(every) {
            let first = (day - Duration::days(30 * month))
                .with_day0(0)
                .context("a month's first day")?;
            let tuesday = (0..14)
                .map(|d| first + Duration::days(d))
                .filter(|d| d.weekday() == chrono::Weekday::Tue)
                .nth(1)
                .context("a second Tuesday")?;
            let start = local_instant(tuesday, NaiveTime::from_hms_opt(8, 30, 0).context("08:30")?);
            let mut people: Vec<&Person> = earlier
                .iter()
                .filter(|(_, hub, from, until)| {
                    *hub == name && *from <= tuesday && until.is_none_or(|u| tuesday <= u)
                })
                .map(|(p, ..)| p)
                .collect();
            people.extend(members_at(&members, h, tuesday).into_iter().take(6));
            let mut seen = std::collections::HashSet::new();
            people.retain(|p| seen.insert(p.id));
            let Some(organiser) = people.first() else {
                continue;
            };
            let title = format!("Frukostträff i {}", h.hub.city);
            let there = store
                .list_events(&thirdplace_store::EventFilter {
                    from: Some(start),
                    to: Some(start + Duration::minutes(1)),
                    hub_ids: Some(vec![h.hub.id]),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .context("looking for an earlier run's meeting")?;
            if there.iter().any(|l| l.event.title == title) {
                continue;
            }
            let input = EventInput {
                hub_id: h.hub.id.to_string(),
                venue: if zone.is_some() { "zone" } else { "online" }.into(),
                zone_id: zone.map(|z| z.id.to_string()).unwrap_or_default(),
                title: title.clone(),
                description:
                    "Månadens frukost för alla som arbetar på hubben: vad händer i bygden, \
                              vem behöver hjälp med vad, och vad ska vi göra härnäst?"
                        .into(),
                topics: "gemenskap, landsbygd".into(),
                start: start.to_rfc3339(),
                end: (start + Duration::hours(1)).to_rfc3339(),
                capacity: "20".into(),
                visibility: "public".into(),
                ..EventInput::default()
            };
            let booked = start - Duration::days(10);
            let mut e = input
                .validate(new_id(), organiser.id, booked)
                .map_err(|e| anyhow::anyhow!("the demo meeting {title:?}: {e}"))?;
            e.status = EventStatus::Published;
            let e = store
                .insert_event(&e, None)
                .await
                .with_context(|| format!("writing {title:?}"))?;
            for (i, p) in people.iter().enumerate() {
                let r =
                    Registration::new(e.id, Registrant::Person { person_id: p.id }, None, booked);
                let r = match store.register(&r, booked).await {
                    Ok(r) => r,
                    // The organiser, signed up with the event.
                    Err(thirdplace_store::StoreError::Refused(_)) => continue,
                    Err(e) => return Err(e).with_context(|| format!("signing up for {title:?}")),
                };
                // One in five who signed up did not come.
                if !stable_hash(&[&e.id.to_string(), &i.to_string()]).is_multiple_of(5) {
                    store
                        .set_attended(r.id, true)
                        .await
                        .with_context(|| format!("attendance at {title:?}"))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::PILOT_NAME;
    use crate::test_support::{temp_store, HASH};
    use chrono::Utc;
    use thirdplace_domain::evaluation::{evaluate, Indicator, Verdict};
    use thirdplace_store::EventFilter;

    #[tokio::test]
    async fn the_demo_pilot_has_a_year_with_real_verdicts_once() {
        let (store, _dir) = temp_store().await;
        crate::demo::seed(store.as_ref(), HASH).await.unwrap();
        let pilots = store.list_pilots().await.unwrap();
        assert_eq!(pilots.len(), 1);
        let p = &pilots[0];
        assert_eq!(p.name, PILOT_NAME);
        assert_eq!((p.ends_on - p.starts_on).num_days(), 364);
        let period = p.period();
        let (hubs, facts) = store
            .evaluation_facts(&p.hub_ids, period.start(), period.end())
            .await
            .unwrap();
        let e = evaluate(
            &p.goals,
            &hubs,
            &facts,
            period,
            Utc::now(),
            p.critical_mass_people,
        );
        let access = e
            .goals
            .iter()
            .find(|g| g.goal.indicator == Indicator::PeopleWithAccess)
            .unwrap();
        // Figeholm has reached 20 people with access, Boda glasbruk not.
        let by_hub: Vec<(Option<i64>, Verdict)> =
            access.hubs.iter().map(|h| (h.value, h.verdict)).collect();
        assert!(by_hub[0].0.unwrap() >= 20, "{by_hub:?}");
        assert_eq!((by_hub[0].1, by_hub[1].1), (Verdict::Met, Verdict::NotMet));
        assert_eq!(access.verdict, Verdict::NotMet);
        // A year of history: visits most months, meetings, people who left.
        let m = &e.pilot;
        assert!(
            m.visits > 300 && m.events >= 12 && m.event_participants > 30,
            "{m:?}"
        );
        let r3 = m.retention_3_months.unwrap();
        let r6 = m.retention_6_months.unwrap();
        assert!(r6 < r3 && r3 < 100, "{m:?}");
        assert!(e.goals.iter().any(|g| g.verdict == Verdict::Met));

        let people = store.list_people(None).await.unwrap().len();
        let all = EventFilter {
            limit: 1000,
            ..EventFilter::default()
        };
        let events = store.list_events(&all).await.unwrap().len();
        crate::demo::seed(store.as_ref(), HASH).await.unwrap();
        assert_eq!(store.list_pilots().await.unwrap().len(), 1);
        assert_eq!(store.list_people(None).await.unwrap().len(), people);
        assert_eq!(store.list_events(&all).await.unwrap().len(), events);
    }
}
