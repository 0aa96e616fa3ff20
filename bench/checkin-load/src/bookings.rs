//! Load benchmark for room bookings and room availability (`booking-load`).
//!
//! Seeds `hubs` hubs open every day 06:00–23:00 with `rooms_per_hub`
//! meeting rooms each, and `members` members who hold a network seat (4
//! included room hours a month) and an API token. Then it serves the real
//! app in this process, like `checkin-load`, and runs these scenarios in
//! turn, each for a warm-up and a measured window:
//!
//! - `book`: every client books distinct one-hour slots on the quarter-hour
//!   grid (each slot once in the whole run, spread over all rooms, days
//!   1–90 ahead), so every request is a real insert; anything but 201 is an
//!   error.
//! - `contended`: in rounds, every client asks for the same slot at the same
//!   moment (a barrier); exactly one 201 per slot, the rest 409
//!   `booking_conflict` (days 91–180 ahead, so no slot of `book` is taken).
//! - `availability`: `GET /api/v1/rooms/{id}/availability?date=…` over all
//!   rooms and the next 30 days, anonymous; anything but 200 is an error.
//!
//! Afterwards it checks that the database holds exactly the bookings the
//! clients were told were made, and that availability shows them. It must
//! never touch a database it did not create (unless `--existing-database`).

use super::{
    cpu_by_thread_group, instant, load_average, runtimes, seed_members, statements, Db, DbArgs,
    Latency, Member, Target, BENCH_NOW,
};
use anyhow::{ensure, Context, Result};
use chrono::{DateTime, Duration as Days, NaiveDate, NaiveTime, Utc};
use clap::{Parser, ValueEnum};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use thirdplace_domain::membership::{local_date, local_instant};
use thirdplace_domain::{new_id, Hub, Interval, OpeningHours, Room, RoomKind, HUB_TIME_ZONE};
use thirdplace_store::Store;
use thirdplace_web::{AppState, WebConfig};
use uuid::Uuid;

/// Targets from the issue.
pub const TARGET_BOOKINGS_PER_S: f64 = 1000.0;
pub const TARGET_BOOKING_P99_MS: f64 = 25.0;
pub const TARGET_AVAILABILITY_PER_S: f64 = 5000.0;
pub const TARGET_AVAILABILITY_P99_MS: f64 = 10.0;

/// The hubs' opening hours, every day: bookable one-hour slots start at
/// 06:00, 07:00 … 22:00.
const OPENS: u32 = 6;
const CLOSES: u32 = 23;
const SLOTS_PER_DAY: usize = (CLOSES - OPENS) as usize;
/// `book` uses days 1..=90 ahead, `contended` days 91..=180 (the default
/// rules allow 180).
const BOOK_DAYS: usize = 90;
const CONTENDED_FIRST_DAY: usize = 91;
const CONTENDED_DAYS: usize = 90;
/// `availability` asks for days 1..=30 ahead.
const AVAILABILITY_DAYS: usize = 30;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// Distinct free slots: every request a real insert (201).
    Book,
    /// All clients ask for the same slot at once: one 201, the rest 409.
    Contended,
    /// Anonymous availability of a room's day (200).
    Availability,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Book => "book",
            Scenario::Contended => "contended",
            Scenario::Availability => "availability",
        }
    }
}

#[derive(Parser, Debug, Clone)]
#[command(
    name = "booking-load",
    about = "Room-booking and availability throughput against the real app, in-process"
)]
pub struct BookingOptions {
    /// Concurrent HTTP clients, each with its own keep-alive connection and
    /// slice of members.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Measured seconds per scenario (after its warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Warm-up seconds before each scenario's measured window.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Hubs, open every day 06:00–23:00.
    #[arg(long, default_value_t = 20)]
    pub hubs: usize,
    /// Meeting rooms per hub.
    #[arg(long, default_value_t = 10)]
    pub rooms_per_hub: usize,
    /// Members, each with a network seat (4 included hours a month) and an
    /// API token.
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Scenarios to run, in this order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "book,contended,availability"
    )]
    pub scenarios: Vec<Scenario>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Worker threads of the server's runtime and of the clients' runtime
    /// (default: the number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

impl BookingOptions {
    /// Tiny numbers, for the test.
    pub fn tiny() -> Self {
        BookingOptions::parse_from([
            "booking-load",
            "--clients",
            "3",
            "--seconds",
            "0.7",
            "--warmup",
            "0.2",
            "--hubs",
            "2",
            "--rooms-per-hub",
            "3",
            "--members",
            "12",
        ])
    }

    fn rooms(&self) -> usize {
        self.hubs * self.rooms_per_hub
    }
}

// ------------------------------------------------------------------ report

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub scenario: Scenario,
    /// The request, e.g. `POST /api/v1/bookings`.
    pub request: String,
    pub warmup_s: f64,
    pub duration_s: f64,
    /// Requests answered in the measured window.
    pub requests: u64,
    pub requests_per_s: f64,
    /// 201 answers per second (bookings made) in the measured window.
    pub created_per_s: f64,
    /// Every answer in the window.
    pub latency: Latency,
    /// By status code ("201", "409", …; "error" for transport failures).
    pub latency_by_status: BTreeMap<String, Latency>,
    pub status_counts: BTreeMap<String, u64>,
    /// `contended`: slots fought over in the window (rounds).
    pub slots: Option<u64>,
    /// Unexpected statuses and transport failures.
    pub errors: u64,
    pub error_samples: Vec<String>,
    /// CPU seconds in the window by thread group of this process (see
    /// `checkin-load`), plus `postgres` (all PostgreSQL server processes on
    /// the machine, other sessions' included) when running on PostgreSQL.
    pub cpu_s: BTreeMap<String, f64>,
    /// Server side (app runtime + SQLite threads) CPU µs per request.
    pub server_cpu_us_per_request: f64,
    /// PostgreSQL's own CPU µs per request (all its processes).
    pub postgres_cpu_us_per_request: Option<f64>,
    pub load_average: f64,
    /// SQLite: write transactions and writes in the window.
    pub sqlite_writes: Option<(u64, u64)>,
    /// Statements sent to the database per request in the window, when
    /// they are counted (`BENCH_COUNT_STATEMENTS=1`; see `statements.rs`).
    pub statements_per_request: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookingReport {
    pub backend: String,
    pub clients: usize,
    pub hubs: usize,
    pub rooms: usize,
    pub members: usize,
    pub seed_s: f64,
    pub scenarios: Vec<ScenarioReport>,
    /// Bookings in the database at the end, and the 201s the clients got.
    pub bookings_in_database: i64,
    pub bookings_created: u64,
    /// Problems found while verifying the results (empty on a correct run).
    pub problems: Vec<String>,
    pub targets: Vec<Target>,
}

impl BookingReport {
    pub fn passed(&self) -> bool {
        self.targets.iter().all(|t| t.pass)
    }

    pub fn errors(&self) -> u64 {
        self.scenarios.iter().map(|s| s.errors).sum()
    }

    pub fn scenario(&self, s: Scenario) -> Option<&ScenarioReport> {
        self.scenarios.iter().find(|r| r.scenario == s)
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let mut line = |t: String| {
            s.push_str(&t);
            s.push('\n');
        };
        let lat = |name: &str, l: &Latency| {
            format!(
                "  {name:<10} n={:<7} p50 {:>7.2}  p90 {:>7.2}  p99 {:>7.2}  max {:>8.2}  mean {:>7.2} ms",
                l.count, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms, l.mean_ms
            )
        };
        line(format!("backend           {}", self.backend));
        line(format!(
            "clients           {}  (hubs {}, rooms {}, members {}, seeding took {:.1} s)",
            self.clients, self.hubs, self.rooms, self.members, self.seed_s
        ));
        for r in &self.scenarios {
            line(format!(
                "== {} ({}): warm-up {:.1} s, measured {:.2} s, load avg {:.2}",
                r.scenario.name(),
                r.request,
                r.warmup_s,
                r.duration_s,
                r.load_average
            ));
            let counts: Vec<String> = r
                .status_counts
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            line(format!(
                "  {} requests ({:.0}/s), {:.0} bookings made/s, statuses {}{}",
                r.requests,
                r.requests_per_s,
                r.created_per_s,
                counts.join(", "),
                r.slots
                    .map(|n| format!(", {n} slots fought over"))
                    .unwrap_or_default()
            ));
            line(lat("all", &r.latency));
            if r.latency_by_status.len() > 1 {
                for (k, l) in &r.latency_by_status {
                    line(lat(k, l));
                }
            }
            line(format!("  errors {}", r.errors));
            for e in &r.error_samples {
                line(format!("    {e}"));
            }
            let cpu: Vec<String> = r.cpu_s.iter().map(|(k, v)| format!("{k} {v:.2}")).collect();
            line(format!(
                "  CPU s in window {}   (server side {:.0} µs per request{})",
                cpu.join(", "),
                r.server_cpu_us_per_request,
                r.postgres_cpu_us_per_request
                    .map(|p| format!(", PostgreSQL {p:.0} µs"))
                    .unwrap_or_default()
            ));
            if let Some(n) = r.statements_per_request {
                line(format!("  statements per request {n:.2}"));
            }
            if let Some((transactions, writes)) = r.sqlite_writes {
                line(format!(
                    "  sqlite writer {writes} writes in {transactions} transactions ({:.1} per commit)",
                    writes as f64 / transactions.max(1) as f64
                ));
            }
        }
        line(format!(
            "bookings          {} in the database, {} answered 201",
            self.bookings_in_database, self.bookings_created
        ));
        for p in &self.problems {
            line(format!("PROBLEM: {p}"));
        }
        for t in &self.targets {
            line(format!(
                "{} {}: {}",
                if t.pass { "PASS" } else { "FAIL" },
                t.name,
                t.detail
            ));
        }
        s
    }
}

// -------------------------------------------------------------------- seed

struct Seeded {
    rooms: Vec<Uuid>,
    members: Vec<Member>,
}

fn long_hours() -> OpeningHours {
    let day = Interval::new(
        NaiveTime::from_hms_opt(OPENS, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(CLOSES, 0, 0).unwrap(),
    )
    .unwrap();
    OpeningHours {
        weekly: std::array::from_fn(|_| vec![day]),
        exceptions: vec![],
    }
}

async fn seed(store: Arc<dyn Store>, opts: &BookingOptions) -> Result<Seeded> {
    let (_, municipality, operator) = super::seed_network(store.as_ref()).await?;
    let mut rooms = Vec::with_capacity(opts.rooms());
    for h in 0..opts.hubs {
        let hub = Hub {
            id: new_id(),
            municipality_id: municipality.id,
            operator_id: operator.id,
            name: format!("Hub {h}"),
            description: "Open every day, 06:00–23:00.".into(),
            street_address: format!("Benchgatan {h}"),
            postal_code: "123 45".into(),
            city: "Benchby".into(),
            latitude: 57.0,
            longitude: 16.0,
            in_central_town: true,
            opening_hours: long_hours(),
            archived: false,
        };
        store.insert_hub(&hub).await?;
        for r in 0..opts.rooms_per_hub {
            let room = Room {
                id: new_id(),
                hub_id: hub.id,
                name: format!("Room {h}.{r}"),
                kind: RoomKind::Meeting,
                capacity: 8,
                hourly_price_ore: 30_000,
                vat_rate_percent: 25,
                archived: false,
            };
            store.insert_room(&room).await?;
            rooms.push(room.id);
        }
    }
    let (org, plan) = super::seed_org_and_plan(store.as_ref()).await?;
    let members = seed_members(store, org.id, plan.id, opts.members).await?;
    Ok(Seeded { rooms, members })
}

// ------------------------------------------------------------------- slots

/// A one-hour slot of a room, as the API takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    room: usize,
    date: NaiveDate,
    hour: u32,
}

impl Slot {
    fn start(&self) -> DateTime<Utc> {
        local_instant(self.date, NaiveTime::from_hms_opt(self.hour, 0, 0).unwrap())
    }

    fn end(&self) -> DateTime<Utc> {
        local_instant(
            self.date,
            NaiveTime::from_hms_opt(self.hour + 1, 0, 0).unwrap(),
        )
    }

    /// `{"room_id","start","end","title"}` with Swedish offsets.
    fn body(&self, rooms: &[Uuid]) -> String {
        let fmt = |t: DateTime<Utc>| t.with_timezone(&HUB_TIME_ZONE).to_rfc3339();
        serde_json::json!({
            "room_id": rooms[self.room],
            "start": fmt(self.start()),
            "end": fmt(self.end()),
            "title": "Bench meeting",
        })
        .to_string()
    }
}

/// The `k`-th slot of a block of `days` days starting `first_day` days after
/// `today`: consecutive `k` go to different rooms first, then hours, then
/// days, so load spreads over all rooms. `None` when the block is full.
fn nth_slot(
    k: usize,
    rooms: usize,
    today: NaiveDate,
    first_day: usize,
    days: usize,
) -> Option<Slot> {
    let room = k % rooms;
    let rest = k / rooms;
    let hour = OPENS + (rest % SLOTS_PER_DAY) as u32;
    let day = rest / SLOTS_PER_DAY;
    (day < days).then(|| Slot {
        room,
        date: today + Days::days((first_day + day) as i64),
        hour,
    })
}

// -------------------------------------------------------------------- load

/// What one client saw.
#[derive(Default)]
pub(crate) struct Tally {
    /// Measured answers: status ("201", "error", …) and time.
    pub(crate) samples: Vec<(String, Duration)>,
    /// 201 answers, warm-up included.
    pub(crate) created: u64,
    pub(crate) errors: u64,
    pub(crate) error_samples: Vec<String>,
    /// `contended`: (round, status, measured) of every answer, warm-up
    /// included.
    rounds: Vec<(u64, u16, bool)>,
    /// A client that ran out of free slots.
    exhausted: bool,
}

impl Tally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_samples.len() < 5 {
            self.error_samples.push(what);
        }
    }

    /// Records an answer; `expected` are the statuses that are not errors.
    pub(crate) fn record(
        &mut self,
        what: &str,
        measured: bool,
        took: Duration,
        answer: &Result<(u16, Vec<u8>), reqwest::Error>,
        expected: &[u16],
    ) {
        let key = match answer {
            Ok((s, _)) => s.to_string(),
            Err(_) => "error".to_string(),
        };
        if measured {
            self.samples.push((key, took));
        }
        if let Ok((201, _)) = answer {
            self.created += 1;
        }
        match answer {
            Ok((s, _)) if expected.contains(s) => {}
            Ok((s, b)) => self.error(format!(
                "{what}: {s}: {}",
                String::from_utf8_lossy(&b[..b.len().min(300)])
            )),
            Err(e) => self.error(format!("{what}: {e}")),
        }
    }
}

pub(crate) async fn send(req: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), reqwest::Error> {
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    Ok((status, resp.bytes().await?.to_vec()))
}

pub(crate) struct Window {
    pub(crate) measure_from: Instant,
    pub(crate) until: Instant,
}

pub(crate) fn new_client(t: &mut Tally) -> Option<reqwest::Client> {
    match reqwest::Client::builder().build() {
        Ok(c) => Some(c),
        Err(e) => {
            t.error(format!("client: {e}"));
            None
        }
    }
}

/// `book`: client `c` of `n` takes slots `c`, `c + n`, `c + 2n` … and books
/// each with the next of its members.
#[allow(clippy::too_many_arguments)]
async fn book_client(
    base: String,
    rooms: Arc<Vec<Uuid>>,
    today: NaiveDate,
    c: usize,
    n: usize,
    tokens: Vec<String>,
    w: Arc<Window>,
) -> Tally {
    let mut t = Tally::default();
    let Some(client) = new_client(&mut t) else {
        return t;
    };
    let url = format!("{base}/api/v1/bookings");
    let mut i = 0usize;
    while Instant::now() < w.until {
        let Some(slot) = nth_slot(c + n * i, rooms.len(), today, 1, BOOK_DAYS) else {
            t.exhausted = true;
            break;
        };
        let token = &tokens[i % tokens.len()];
        i += 1;
        let body = slot.body(&rooms);
        let t0 = Instant::now();
        let answer = send(
            client
                .post(&url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
        )
        .await;
        t.record("book", t0 >= w.measure_from, t0.elapsed(), &answer, &[201]);
    }
    t
}

/// Shared by the `contended` clients: two barriers per round, and the
/// leader's decision whether another round starts.
struct Rounds {
    barrier: tokio::sync::Barrier,
    go_on: AtomicBool,
}

/// `contended`: in every round all clients ask for the same slot at once.
#[allow(clippy::too_many_arguments)]
async fn contended_client(
    base: String,
    rooms: Arc<Vec<Uuid>>,
    today: NaiveDate,
    tokens: Vec<String>,
    w: Arc<Window>,
    rounds: Arc<Rounds>,
) -> Tally {
    let mut t = Tally::default();
    // A client that cannot be built still takes part in the barriers.
    let client = new_client(&mut t);
    let url = format!("{base}/api/v1/bookings");
    let mut round = 0u64;
    loop {
        if rounds.barrier.wait().await.is_leader() {
            let more = Instant::now() < w.until
                && nth_slot(
                    round as usize,
                    rooms.len(),
                    today,
                    CONTENDED_FIRST_DAY,
                    CONTENDED_DAYS,
                )
                .is_some();
            rounds.go_on.store(more, Ordering::SeqCst);
        }
        rounds.barrier.wait().await;
        if !rounds.go_on.load(Ordering::SeqCst) {
            break;
        }
        let Some(slot) = nth_slot(
            round as usize,
            rooms.len(),
            today,
            CONTENDED_FIRST_DAY,
            CONTENDED_DAYS,
        ) else {
            break;
        };
        let Some(client) = &client else {
            round += 1;
            continue;
        };
        let token = &tokens[round as usize % tokens.len()];
        let t0 = Instant::now();
        let answer = send(
            client
                .post(&url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(slot.body(&rooms)),
        )
        .await;
        let took = t0.elapsed();
        let measured = t0 >= w.measure_from;
        t.record("contended", measured, took, &answer, &[201, 409]);
        if let Ok((409, b)) = &answer {
            if !String::from_utf8_lossy(b).contains("booking_conflict") {
                t.error(format!(
                    "contended: 409 without booking_conflict: {}",
                    String::from_utf8_lossy(&b[..b.len().min(300)])
                ));
            }
        }
        t.rounds
            .push((round, answer.as_ref().map(|a| a.0).unwrap_or(0), measured));
        round += 1;
    }
    t
}

/// `availability`: client `c` of `n` asks for room/day pairs `c`, `c + n` …
async fn availability_client(
    base: String,
    rooms: Arc<Vec<Uuid>>,
    today: NaiveDate,
    c: usize,
    n: usize,
    w: Arc<Window>,
) -> Tally {
    let mut t = Tally::default();
    let Some(client) = new_client(&mut t) else {
        return t;
    };
    let urls: Vec<String> = (0..rooms.len() * AVAILABILITY_DAYS)
        .skip(c)
        .step_by(n)
        .map(|k| {
            let room = rooms[k % rooms.len()];
            let date = today + Days::days(1 + (k / rooms.len()) as i64);
            format!("{base}/api/v1/rooms/{room}/availability?date={date}")
        })
        .collect();
    let mut i = 0usize;
    while Instant::now() < w.until && !urls.is_empty() {
        let url = &urls[i % urls.len()];
        i += 1;
        let t0 = Instant::now();
        let answer = send(client.get(url)).await;
        t.record(
            "availability",
            t0 >= w.measure_from,
            t0.elapsed(),
            &answer,
            &[200],
        );
    }
    t
}

/// CPU seconds used so far by all PostgreSQL server processes (comm
/// `postgres`) on this machine. Linux only; 100 ticks per second.
pub(crate) fn postgres_cpu_s() -> f64 {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut total = 0.0;
    for p in procs.flatten() {
        let path = p.path();
        let is_postgres = std::fs::read_to_string(path.join("comm"))
            .map(|c| c.trim() == "postgres")
            .unwrap_or(false);
        if !is_postgres {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if let (Some(u), Some(s)) = (f.get(11), f.get(12)) {
            total += u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0);
        }
    }
    total / 100.0
}

// --------------------------------------------------------------------- run

struct Served<'a> {
    db: &'a Db,
    base: String,
    rooms: Arc<Vec<Uuid>>,
    members: &'a [Member],
    today: NaiveDate,
    postgres: bool,
}

fn run_scenario(
    client_rt: &tokio::runtime::Runtime,
    opts: &BookingOptions,
    s: &Served<'_>,
    scenario: Scenario,
) -> Result<(ScenarioReport, Vec<Tally>)> {
    let warmup = Duration::from_secs_f64(opts.warmup.max(0.0));
    let measured = Duration::from_secs_f64(opts.seconds.max(0.01));
    let n = opts.clients;
    let mut slices: Vec<Vec<String>> = vec![Vec::new(); n];
    for (i, m) in s.members.iter().enumerate() {
        slices[i % n].push(m.token.clone());
    }
    let (tallies, cpu_before, cpu_after, pg, load, writes, statements) =
        client_rt.block_on(async {
            let start = Instant::now();
            let w = Arc::new(Window {
                measure_from: start + warmup,
                until: start + warmup + measured,
            });
            let rounds = Arc::new(Rounds {
                barrier: tokio::sync::Barrier::new(n),
                go_on: AtomicBool::new(true),
            });
            let mut handles = Vec::new();
            for (c, tokens) in slices.into_iter().enumerate() {
                let (base, rooms, w) = (s.base.clone(), s.rooms.clone(), w.clone());
                handles.push(match scenario {
                    Scenario::Book => {
                        tokio::spawn(book_client(base, rooms, s.today, c, n, tokens, w))
                    }
                    Scenario::Contended => tokio::spawn(contended_client(
                        base,
                        rooms,
                        s.today,
                        tokens,
                        w,
                        rounds.clone(),
                    )),
                    Scenario::Availability => {
                        tokio::spawn(availability_client(base, rooms, s.today, c, n, w))
                    }
                });
            }
            tokio::time::sleep_until(w.measure_from.into()).await;
            let load = load_average();
            let cpu_before = cpu_by_thread_group();
            let pg_before = s.postgres.then(postgres_cpu_s);
            let writes_before = s.db.write_counts();
            let statements_before = statements::statements();
            tokio::time::sleep_until(w.until.into()).await;
            let statements_after = statements::statements();
            let cpu_after = cpu_by_thread_group();
            let pg_after = s.postgres.then(postgres_cpu_s);
            let writes_after = s.db.write_counts();
            let mut tallies = Vec::new();
            for h in handles {
                tallies.push(h.await?);
            }
            let writes = writes_before
                .zip(writes_after)
                .map(|((t0, w0), (t1, w1))| (t1 - t0, w1 - w0));
            anyhow::Ok((
                tallies,
                cpu_before,
                cpu_after,
                pg_before.zip(pg_after).map(|(a, b)| b - a),
                load,
                writes,
                statements_before.zip(statements_after).map(|(a, b)| b - a),
            ))
        })?;

    let secs = measured.as_secs_f64();
    let mut all = Vec::new();
    let mut by_status: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let (mut errors, mut error_samples) = (0, Vec::new());
    for t in &tallies {
        for (k, d) in &t.samples {
            all.push(*d);
            by_status.entry(k.clone()).or_default().push(*d);
        }
        errors += t.errors;
        for e in &t.error_samples {
            if error_samples.len() < 10 {
                error_samples.push(e.clone());
            }
        }
    }
    let requests = all.len() as u64;
    let status_counts: BTreeMap<String, u64> = by_status
        .iter()
        .map(|(k, v)| (k.clone(), v.len() as u64))
        .collect();
    let created = status_counts.get("201").copied().unwrap_or(0);
    let mut cpu_s: BTreeMap<String, f64> = cpu_after
        .iter()
        .map(|(k, v)| (k.clone(), v - cpu_before.get(k).copied().unwrap_or(0.0)))
        .collect();
    if let Some(p) = pg {
        cpu_s.insert("postgres".into(), p);
    }
    let server_cpu = ["server", "sqlite-workers", "sqlite-writer"]
        .iter()
        .map(|k| cpu_s.get(*k).copied().unwrap_or(0.0))
        .sum::<f64>();
    let per_request = |cpu: f64| {
        if requests > 0 {
            cpu * 1e6 / requests as f64
        } else {
            0.0
        }
    };
    let slots = (scenario == Scenario::Contended).then(|| {
        let measured: std::collections::BTreeSet<u64> = tallies
            .iter()
            .flat_map(|t| t.rounds.iter().filter(|r| r.2).map(|r| r.0))
            .collect();
        measured.len() as u64
    });
    let request = match scenario {
        Scenario::Book | Scenario::Contended => "POST /api/v1/bookings",
        Scenario::Availability => "GET /api/v1/rooms/{id}/availability",
    };
    Ok((
        ScenarioReport {
            scenario,
            request: request.into(),
            warmup_s: warmup.as_secs_f64(),
            duration_s: secs,
            requests,
            requests_per_s: requests as f64 / secs,
            created_per_s: created as f64 / secs,
            latency: Latency::of(all),
            latency_by_status: by_status
                .into_iter()
                .map(|(k, v)| (k, Latency::of(v)))
                .collect(),
            status_counts,
            slots,
            errors,
            error_samples,
            server_cpu_us_per_request: per_request(server_cpu),
            postgres_cpu_us_per_request: pg.map(per_request),
            cpu_s,
            load_average: load,
            sqlite_writes: writes,
            statements_per_request: statements
                .filter(|_| requests > 0)
                .map(|n| n as f64 / requests as f64),
        },
        tallies,
    ))
}

/// `contended`: every round must have exactly one 201 and only 409s
/// besides. Returns the problems found.
fn check_rounds(tallies: &[Tally], clients: usize) -> Vec<String> {
    let mut per_round: BTreeMap<u64, (usize, usize, usize)> = BTreeMap::new();
    for t in tallies {
        for &(round, status, _) in &t.rounds {
            let e = per_round.entry(round).or_default();
            match status {
                201 => e.0 += 1,
                409 => e.1 += 1,
                _ => e.2 += 1,
            }
        }
    }
    let mut problems = Vec::new();
    let bad: Vec<String> = per_round
        .iter()
        .filter(|(_, &(c, x, o))| c != 1 || o != 0 || c + x != clients)
        .take(5)
        .map(|(r, (c, x, o))| format!("round {r}: {c}×201, {x}×409, {o} other"))
        .collect();
    if !bad.is_empty() {
        problems.push(format!(
            "contended slots without exactly one 201 and {} × 409: {}",
            clients - 1,
            bad.join("; ")
        ));
    }
    problems
}

/// Runs the booking benchmark. Blocking: it builds its own runtimes.
pub fn run(opts: &BookingOptions) -> Result<BookingReport> {
    ensure!(opts.clients >= 1, "--clients must be at least 1");
    ensure!(opts.hubs >= 1 && opts.rooms_per_hub >= 1, "need a room");
    // Each scenario enumerates its slots from the first: run twice, `book`
    // would ask for its own slots again.
    let mut seen = opts.scenarios.clone();
    seen.sort_by_key(|s| s.name());
    seen.dedup();
    ensure!(
        seen.len() == opts.scenarios.len(),
        "--scenarios names a scenario twice"
    );
    ensure!(
        opts.members >= opts.clients,
        "--members must be at least --clients (each client owns a slice of members)"
    );
    let (server_rt, client_rt) = runtimes(opts.threads)?;
    let now = instant(BENCH_NOW);
    let today = local_date(now);

    let seed_started = Instant::now();
    let db = server_rt.block_on(Db::open(&opts.db))?;
    let store = db.store();
    let outcome = (|| -> Result<BookingReport> {
        let seeded = server_rt
            .block_on(seed(store.clone(), opts))
            .context("seeding")?;
        let seed_s = seed_started.elapsed().as_secs_f64();
        let state = AppState::new(store.clone(), WebConfig::default());
        state.clock.set(now);
        let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let server = server_rt.spawn(thirdplace_web::serve(listener, state, shutdown));

        let result = (|| -> Result<BookingReport> {
            let served = Served {
                db: &db,
                base: base.clone(),
                rooms: Arc::new(seeded.rooms.clone()),
                members: &seeded.members,
                today,
                postgres: matches!(db, Db::Postgres { .. }),
            };
            let mut scenarios = Vec::new();
            let mut problems = Vec::new();
            let mut created = 0;
            let mut first_booked = None;
            for &scenario in &opts.scenarios {
                let (report, tallies) = run_scenario(&client_rt, opts, &served, scenario)?;
                created += tallies.iter().map(|t| t.created).sum::<u64>();
                if scenario == Scenario::Contended {
                    problems.extend(check_rounds(&tallies, opts.clients));
                }
                if tallies.iter().any(|t| t.exhausted) {
                    problems.push(format!(
                        "{}: a client ran out of free slots; use more rooms or fewer seconds",
                        scenario.name()
                    ));
                }
                if scenario == Scenario::Book && tallies.first().is_some_and(|t| t.created > 0) {
                    first_booked = nth_slot(0, seeded.rooms.len(), today, 1, BOOK_DAYS);
                }
                if report.requests == 0 {
                    problems.push(format!("{}: no request was measured", scenario.name()));
                }
                scenarios.push(report);
            }

            // The database holds exactly the bookings answered 201, and
            // availability shows one of them.
            let in_db = server_rt.block_on(db.count_bookings())?;
            if in_db != created as i64 {
                problems.push(format!(
                    "{in_db} bookings in the database, but {created} requests were answered 201"
                ));
            }
            if let Some(slot) = first_booked {
                let url = format!(
                    "{base}/api/v1/rooms/{}/availability?date={}",
                    seeded.rooms[slot.room], slot.date
                );
                let v: serde_json::Value = client_rt
                    .block_on(async { anyhow::Ok(reqwest::get(&url).await?.json().await?) })?;
                let (start, end) = (slot.start().to_rfc3339(), slot.end().to_rfc3339());
                let shown = v["busy"].as_array().is_some_and(|b| {
                    b.iter().any(|x| {
                        x["start"].as_str().map(instant).map(|t| t.to_rfc3339())
                            == Some(start.clone())
                            && x["end"].as_str().map(instant).map(|t| t.to_rfc3339())
                                == Some(end.clone())
                    })
                });
                if !shown || v["open"].as_array().map(Vec::len) != Some(1) {
                    problems.push(format!(
                        "availability of the first booked slot ({start}–{end}) does not show it: {v}"
                    ));
                }
            }

            let mut targets = Vec::new();
            if let Some(r) = scenarios.iter().find(|r| r.scenario == Scenario::Book) {
                let p99 = r.latency.p99_ms;
                targets.push(Target {
                    name: "booking throughput".into(),
                    pass: r.created_per_s >= TARGET_BOOKINGS_PER_S
                        && p99 < TARGET_BOOKING_P99_MS
                        && r.errors == 0,
                    detail: format!(
                        "{:.0} bookings/s (target ≥ {TARGET_BOOKINGS_PER_S:.0}), p99 {p99:.2} ms (target < {TARGET_BOOKING_P99_MS:.0}), {} errors",
                        r.created_per_s, r.errors
                    ),
                });
            }
            if let Some(r) = scenarios.iter().find(|r| r.scenario == Scenario::Contended) {
                let ok = !problems.iter().any(|p| p.starts_with("contended"));
                targets.push(Target {
                    name: "contended slots".into(),
                    pass: ok && r.errors == 0,
                    detail: format!(
                        "{} slots, {:.0} requests/s, p99 {:.2} ms; exactly one 201 per slot: {}",
                        r.slots.unwrap_or(0),
                        r.requests_per_s,
                        r.latency.p99_ms,
                        if ok { "yes" } else { "NO" }
                    ),
                });
            }
            if let Some(r) = scenarios
                .iter()
                .find(|r| r.scenario == Scenario::Availability)
            {
                let p99 = r.latency.p99_ms;
                targets.push(Target {
                    name: "availability".into(),
                    pass: r.requests_per_s >= TARGET_AVAILABILITY_PER_S
                        && p99 < TARGET_AVAILABILITY_P99_MS
                        && r.errors == 0,
                    detail: format!(
                        "{:.0} req/s (target ≥ {TARGET_AVAILABILITY_PER_S:.0}), p99 {p99:.2} ms (target < {TARGET_AVAILABILITY_P99_MS:.0}), {} errors",
                        r.requests_per_s, r.errors
                    ),
                });
            }
            Ok(BookingReport {
                backend: store.backend_name().to_string(),
                clients: opts.clients,
                hubs: opts.hubs,
                rooms: seeded.rooms.len(),
                members: opts.members,
                seed_s,
                scenarios,
                bookings_in_database: in_db,
                bookings_created: created,
                problems,
                targets,
            })
        })();
        let _ = stop.send(());
        server_rt.block_on(server)??;
        result
    })();
    server_rt.block_on(db.close());
    drop(client_rt);
    drop(server_rt);
    drop(db);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_distinct_on_the_grid_and_inside_the_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let rooms = 7;
        let mut seen = std::collections::HashSet::new();
        let total = rooms * SLOTS_PER_DAY * BOOK_DAYS;
        for k in 0..total {
            let s = nth_slot(k, rooms, today, 1, BOOK_DAYS).unwrap();
            assert!(seen.insert((s.room, s.date, s.hour)), "slot {k} repeats");
            assert!(s.date > today && s.date <= today + Days::days(180));
            assert!(s.hour >= OPENS && s.hour < CLOSES);
        }
        assert!(nth_slot(total, rooms, today, 1, BOOK_DAYS).is_none());
        let last = nth_slot(
            rooms * SLOTS_PER_DAY * CONTENDED_DAYS - 1,
            rooms,
            today,
            CONTENDED_FIRST_DAY,
            CONTENDED_DAYS,
        )
        .unwrap();
        assert_eq!(last.date, today + Days::days(180));
    }
}
