//! A pilot's dashboard over a big network (`pilot-dashboard`, issue 17).
//!
//! Seeds `hubs` hubs (50) in one region with `people` members (2 000), each
//! holding one seat — four in ten their home hub's card, three in ten the
//! region's card, three in ten the network card — and `visits` closed
//! check-ins (1 000 000) spread over three years (2024–2026) and the hubs,
//! by the hubs' own members and a share of network-card holders from
//! elsewhere; and a breakfast meeting every other month at every hub with
//! six people signed up. Then, timed, what the pilot page computes for a
//! pilot of `pilot_hubs` hubs (5) over its 18 months
//! (`evaluation::service::report`: the facts from the store, every
//! indicator per hub and for the pilot, every goal's verdict, the months),
//! `rounds` times. The target is the median under 200 ms.

use super::{instant, seed_network, seed_org_and_plan, Db, DbArgs, LoadReport, Target, Visit};
use anyhow::{ensure, Result};
use chrono::{Duration as Days, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::Parser;
use serde::Serialize;
use std::time::Instant;
use thirdplace_domain::evaluation::{GoalInput, PilotInput};
use thirdplace_domain::event::{EventInput, EventStatus, Registrant, Registration};
use thirdplace_domain::membership::{local_instant, Plan, PlanScope, Seat};
use thirdplace_domain::{
    new_id, Email, Hub, Interval, OpeningHours, OrgKind, OrgNumber, Organisation, Person,
    HUB_TIME_ZONE,
};
use thirdplace_web::evaluation::service;
use thirdplace_web::{AppState, WebConfig};
use uuid::Uuid;

/// The target from the issue.
pub const TARGET_MS: f64 = 200.0;
/// The day the dashboard is looked at.
const NOW: &str = "2026-12-01T09:00:00Z";

#[derive(Parser, Debug, Clone)]
#[command(
    name = "pilot-dashboard",
    about = "A pilot's dashboard over 1 000 000 visits across 3 years and 50 hubs"
)]
pub struct EvaluationOptions {
    #[arg(long, default_value_t = 50)]
    pub hubs: usize,
    #[arg(long, default_value_t = 2_000)]
    pub people: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub visits: usize,
    /// Hubs in the pilot.
    #[arg(long, default_value_t = 5)]
    pub pilot_hubs: usize,
    /// Timed dashboards.
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    #[command(flatten)]
    pub db: DbArgs,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationReport {
    pub backend: String,
    pub hubs: usize,
    pub people: usize,
    pub visits: usize,
    pub pilot_hubs: usize,
    pub seed_s: f64,
    /// The visits the pilot's hubs had in its period.
    pub pilot_visits: i64,
    pub median_ms: f64,
    /// Of the median round: reading the facts from the store, and
    /// measuring them (every hub, the pilot, the months).
    pub facts_ms: f64,
    pub compute_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub targets: Vec<Target>,
    pub problems: Vec<String>,
}

impl LoadReport for EvaluationReport {
    fn text(&self) -> String {
        let mut s = format!(
            "pilot-dashboard on {}: {} hubs, {} people, {} visits (seeded in {:.1} s)\n\
             pilot of {} hubs over 18 months: {} visits in it\n\
             dashboard median {:.1} ms (facts {:.1} ms, measuring {:.1} ms), p95 {:.1} ms, max {:.1} ms\n",
            self.backend,
            self.hubs,
            self.people,
            self.visits,
            self.seed_s,
            self.pilot_hubs,
            self.pilot_visits,
            self.median_ms,
            self.facts_ms,
            self.compute_ms,
            self.p95_ms,
            self.max_ms
        );
        for p in &self.problems {
            s.push_str(&format!("PROBLEM: {p}\n"));
        }
        for t in &self.targets {
            s.push_str(&format!(
                "{} {}: {}\n",
                if t.pass { "PASS" } else { "FAIL" },
                t.name,
                t.detail
            ));
        }
        s
    }

    fn clean(&self) -> bool {
        self.targets.iter().all(|t| t.pass) && self.problems.is_empty()
    }
}

/// A small deterministic generator (same network each run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

fn weekdays() -> OpeningHours {
    let day = Interval::new(
        NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
    )
    .unwrap();
    let mut weekly: [Vec<Interval>; 7] = Default::default();
    for w in weekly.iter_mut().take(5) {
        *w = vec![day];
    }
    OpeningHours {
        weekly,
        exceptions: vec![],
    }
}

pub fn run(opts: &EvaluationOptions) -> Result<EvaluationReport> {
    ensure!(
        opts.hubs >= opts.pilot_hubs && opts.pilot_hubs > 0,
        "--pilot-hubs must be 1..=--hubs"
    );
    ensure!(opts.people >= opts.hubs, "at least one person a hub");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = Db::open(&opts.db).await?;
        let report = measure(&db, opts).await;
        db.close().await;
        report
    })
}

struct Seeded {
    region: Uuid,
    hubs: Vec<Uuid>,
}

async fn seed(db: &Db, opts: &EvaluationOptions) -> Result<Seeded> {
    let store = db.store();
    let (region, municipality, operator) = seed_network(store.as_ref()).await?;
    let mut hubs = Vec::new();
    for i in 0..opts.hubs {
        let hub = Hub {
            id: new_id(),
            municipality_id: municipality.id,
            operator_id: operator.id,
            name: format!("Hubb {i:02}"),
            description: String::new(),
            street_address: format!("Skolgatan {i}"),
            postal_code: "123 45".into(),
            city: format!("By {i:02}"),
            latitude: 57.0,
            longitude: 16.0,
            in_central_town: i % 10 == 3,
            opening_hours: weekdays(),
            archived: false,
        };
        store.insert_hub(&hub).await?;
        hubs.push(hub.id);
    }
    // The network card is the benchmarks' usual plan; the region's and
    // each hub's cards are like it.
    let (org, network) = seed_org_and_plan(store.as_ref()).await?;
    let other = Organisation {
        id: new_id(),
        name: "Benchmark kommun".into(),
        org_number: OrgNumber::parse("212000-0761").unwrap(),
        kind: OrgKind::Municipality,
        ..org.clone()
    };
    store.insert_organisation(&other).await?;
    let plan = |scope: PlanScope| Plan {
        id: new_id(),
        name: "Kort".into(),
        scope,
        ..network.clone()
    };
    let regional = plan(PlanScope::Region(region.id));
    store.insert_plan(&regional).await?;
    let mut hub_plans = Vec::new();
    for &h in &hubs {
        let p = plan(PlanScope::Hub(h));
        store.insert_plan(&p).await?;
        hub_plans.push(p);
    }

    // People: person i's home is hub i % hubs; their seat starts on a day
    // of the first year (some later), a tenth ended after a year.
    let mut rng = Lcg(17);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut members: Vec<Vec<(Uuid, Uuid, Uuid)>> = vec![Vec::new(); opts.hubs];
    let mut roaming: Vec<(Uuid, Uuid, Uuid)> = Vec::new();
    for i in 0..opts.people {
        let home = i % opts.hubs;
        let works_for = if i % 3 == 0 { &other } else { &org };
        let p = Person {
            id: new_id(),
            first_name: "Anna".into(),
            last_name: format!("Persson {i}"),
            email: Email::parse(&format!("p{i}@bench.example")).unwrap(),
            organisation_id: Some(works_for.id),
            is_network_admin: false,
            hosted_hub_ids: vec![],
            admin_of_organisation_ids: vec![],
            staff_of_operator_ids: vec![],
            archived: false,
        };
        store.insert_person(&p).await?;
        let plan = match i % 10 {
            0..=3 => &hub_plans[home],
            4..=6 => &regional,
            _ => &network,
        };
        let from = start + Days::days(rng.next(500) as i64);
        let seat = Seat {
            id: new_id(),
            plan_id: plan.id,
            organisation_id: works_for.id,
            start_date: from,
            end_date: (i % 10 == 9).then(|| from + Days::days(365)),
            created_at: local_instant(from, NaiveTime::MIN),
            selling_operator_id: None,
        };
        store.insert_seats(std::slice::from_ref(&seat)).await?;
        store
            .assign_seat(seat.id, Some(p.id), local_instant(from, NaiveTime::MIN))
            .await?;
        let m = (p.id, seat.id, works_for.id);
        members[home].push(m);
        if plan.id == network.id {
            roaming.push(m);
        }
    }

    // Visits: weekdays of three years, 08:00–10:00 in, two to eight hours.
    let days: Vec<NaiveDate> = (0..3 * 365)
        .map(|d| start + Days::days(d))
        .filter(|d| d.format("%u").to_string().parse::<u32>().unwrap() <= 5)
        .collect();
    let per_hub = opts.visits / opts.hubs;
    for (h, &hub) in hubs.iter().enumerate() {
        let mut visits = Vec::with_capacity(per_hub);
        for _ in 0..per_hub {
            let who = if rng.next(10) == 0 && !roaming.is_empty() {
                roaming[rng.next(roaming.len() as u64) as usize]
            } else {
                members[h][rng.next(members[h].len() as u64) as usize]
            };
            let day = days[rng.next(days.len() as u64) as usize];
            let arrive = HUB_TIME_ZONE
                .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap()))
                .earliest()
                .unwrap()
                .with_timezone(&Utc)
                + Days::minutes(rng.next(120) as i64);
            visits.push(Visit {
                id: new_id(),
                person_id: who.0,
                seat_id: who.1,
                checked_in_at: arrive,
                checked_out_at: arrive + Days::minutes(120 + rng.next(360) as i64),
            });
        }
        db.insert_visits(hub, &visits).await?;

        // A meeting every other month, six signed up, four came.
        for month in (0..36).step_by(2) {
            let date = start + chrono::Months::new(month) + Days::days(9);
            let at = local_instant(date, NaiveTime::from_hms_opt(8, 30, 0).unwrap());
            let organiser = members[h][0].0;
            let input = EventInput {
                hub_id: hub.to_string(),
                venue: "online".into(),
                title: "Frukostträff".into(),
                start: at.to_rfc3339(),
                end: (at + Days::hours(1)).to_rfc3339(),
                capacity: "20".into(),
                visibility: "public".into(),
                ..EventInput::default()
            };
            let booked = at - Days::days(7);
            let mut e = input
                .validate(new_id(), organiser, booked)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            e.status = EventStatus::Published;
            let e = store.insert_event(&e, None).await?;
            for (k, m) in members[h].iter().skip(1).take(6).enumerate() {
                let r =
                    Registration::new(e.id, Registrant::Person { person_id: m.0 }, None, booked);
                let r = store.register(&r, booked).await?;
                if k < 4 {
                    store.set_attended(r.id, true).await?;
                }
            }
        }
    }
    db.settle().await?;
    Ok(Seeded {
        region: region.id,
        hubs,
    })
}

async fn measure(db: &Db, opts: &EvaluationOptions) -> Result<EvaluationReport> {
    let store = db.store();
    let started = Instant::now();
    let seeded = seed(db, opts).await?;
    let seed_s = started.elapsed().as_secs_f64();
    tracing::info!(seconds = seed_s, "seeded");

    let goal = |indicator: &str, target: &str, scope: &str| GoalInput {
        indicator: indicator.into(),
        target: target.into(),
        scope: scope.into(),
        ..GoalInput::default()
    };
    let pilot = PilotInput {
        name: "Benchmark pilot".into(),
        region_id: seeded.region.to_string(),
        starts_on: "2025-01-01".into(),
        ends_on: "2026-06-30".into(),
        hub_ids: seeded.hubs[..opts.pilot_hubs]
            .iter()
            .map(Uuid::to_string)
            .collect(),
        goals: vec![
            goal("people_with_access", "20", "each_hub"),
            goal("hubs_in_central_town", "0", "pilot"),
            goal("critical_mass_weeks", "40", "each_hub"),
            goal("unique_visitors", "100", "pilot"),
            goal("encounters", "500", "pilot"),
            goal("events", "6", "each_hub"),
        ],
        ..PilotInput::default()
    }
    .validate(new_id())
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.insert_pilot(&pilot).await?;

    let state = AppState::new(store.clone(), WebConfig::default());
    state.clock.set(instant(NOW));
    let mut times = Vec::new();
    let mut pilot_visits = 0;
    for _ in 0..opts.rounds.max(1) {
        let t = Instant::now();
        let report = service::report(&state, &pilot, pilot.period())
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        pilot_visits = report.evaluation.pilot.visits;
    }
    // The two halves of a dashboard, timed apart.
    let mut halves = Vec::new();
    for _ in 0..opts.rounds.max(1) {
        let period = pilot.period();
        let now = instant(NOW);
        let t = Instant::now();
        let (hubs, facts) = store
            .evaluation_facts(&pilot.hub_ids, period.start(), period.end())
            .await?;
        let read = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let prepared = thirdplace_domain::evaluation::Prepared::new(&facts);
        let e = thirdplace_domain::evaluation::evaluate_prepared(
            &pilot.goals,
            &hubs,
            &prepared,
            period,
            now,
            pilot.critical_mass_people,
        );
        let months = prepared.series(
            &hubs,
            period,
            now,
            thirdplace_domain::evaluation::Granularity::Month,
        );
        std::hint::black_box((e, months));
        halves.push((read, t.elapsed().as_secs_f64() * 1000.0));
    }
    halves.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
    let (facts_ms, compute_ms) = halves[(halves.len() - 1) / 2];
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let median_ms = at(0.5);
    let mut problems = Vec::new();
    if pilot_visits == 0 {
        problems.push("the pilot had no visits".into());
    }
    Ok(EvaluationReport {
        backend: store.backend_name().into(),
        hubs: opts.hubs,
        people: opts.people,
        visits: opts.visits,
        pilot_hubs: opts.pilot_hubs,
        seed_s,
        pilot_visits,
        median_ms,
        facts_ms,
        compute_ms,
        p95_ms: at(0.95),
        max_ms: at(1.0),
        targets: vec![Target {
            name: "pilot dashboard".into(),
            pass: median_ms < TARGET_MS,
            detail: format!("median {median_ms:.1} ms (target < {TARGET_MS} ms)"),
        }],
        problems,
    })
}
