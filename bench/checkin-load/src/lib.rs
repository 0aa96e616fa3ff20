//! Load benchmark for check-ins and the access summary.
//!
//! Opens a fresh database (SQLite in a temporary directory, or a throw-away
//! PostgreSQL database), seeds a network with `members` members who each
//! hold a network-wide seat and an API token, plus a second hub with
//! `visits` closed visits over the last 30 days. Then it serves the real app
//! on 127.0.0.1 (on a tokio runtime of its own, in this process) and drives
//! it over HTTP: `clients` concurrent clients check in and out in a loop,
//! then the access summary of the busy hub is read over HTTP and through the
//! store directly. See `bench/README.md`.
//!
//! The room-booking benchmark (`booking-load`) lives in [`bookings`] and
//! shares the database, seeding and measuring helpers of this module.

pub mod bookings;
pub mod calendar;
pub mod evaluation;
pub mod invoicing;
pub mod statements;

use anyhow::{bail, ensure, Context, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clap::Parser;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteSynchronous;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thirdplace_domain::membership::{local_date, Plan, PlanScope, Seat, Validity};
use thirdplace_domain::{
    new_id, Email, Hub, Interval, Municipality, OpeningHours, Operator, OrgKind, OrgNumber,
    Organisation, Person, Region,
};
use thirdplace_store::{ApiToken, Store};
use thirdplace_store_postgres::testing::TestDatabaseGuard;
use thirdplace_store_postgres::PostgresStore;
use thirdplace_store_sqlite::SqliteStore;
use thirdplace_web::{AppState, WebConfig};
use uuid::Uuid;

/// The app's clock during the run: Monday 2026-11-23 10:00 Swedish time.
pub const BENCH_NOW: &str = "2026-11-23T09:00:00Z";

/// Targets from the issue.
pub const TARGET_CHECKINS_PER_S: f64 = 2000.0;
pub const TARGET_CHECKIN_P99_MS: f64 = 20.0;
pub const TARGET_SUMMARY_P99_MS: f64 = 5.0;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "checkin-load",
    about = "Check-in throughput and access-summary latency against the real app, in-process"
)]
pub struct Options {
    /// Concurrent HTTP clients, each with its own slice of members.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Measured seconds of check-in/check-out load (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Warm-up seconds before measuring (same load, not recorded).
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Members, each with a held network seat and an API token.
    #[arg(long, default_value_t = 2000)]
    pub members: usize,
    /// Closed visits recorded at the access-summary hub (last 30 days).
    #[arg(long, default_value_t = 100_000)]
    pub visits: usize,
    #[command(flatten)]
    pub db: DbArgs,
    /// Measured sequential access-summary requests (and as many store calls).
    #[arg(long, default_value_t = 500)]
    pub summary_requests: usize,
    /// Access-summary warm-up requests (and store calls), not recorded.
    #[arg(long, default_value_t = 20)]
    pub summary_warmup: usize,
    /// Worker threads of the server's runtime and of the clients' runtime
    /// (default: the number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Experiment: serve `thirdplace_web::app` without the background
    /// workers (webhook delivery, forgotten check-ins) that `serve` starts.
    #[arg(long)]
    pub no_background_workers: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

impl Options {
    /// Tiny numbers, for the test.
    pub fn tiny() -> Self {
        Options::parse_from([
            "checkin-load",
            "--clients",
            "2",
            "--seconds",
            "1",
            "--warmup",
            "0.2",
            "--members",
            "50",
            "--visits",
            "1000",
            "--summary-requests",
            "20",
            "--summary-warmup",
            "2",
        ])
    }
}

// ------------------------------------------------------------------ report

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub count: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// Nearest-rank percentiles of the recorded durations.
    pub fn of(mut d: Vec<Duration>) -> Self {
        d.sort_unstable();
        let ms = |x: Duration| x.as_secs_f64() * 1000.0;
        let pick = |p: f64| {
            if d.is_empty() {
                return 0.0;
            }
            let rank = ((p * d.len() as f64).ceil() as usize).clamp(1, d.len());
            ms(d[rank - 1])
        };
        let mean = if d.is_empty() {
            0.0
        } else {
            d.iter().map(|x| ms(*x)).sum::<f64>() / d.len() as f64
        };
        Latency {
            count: d.len(),
            mean_ms: mean,
            p50_ms: pick(0.50),
            p90_ms: pick(0.90),
            p95_ms: pick(0.95),
            p99_ms: pick(0.99),
            max_ms: d.last().map(|x| ms(*x)).unwrap_or(0.0),
        }
    }
}

/// The numbers an access summary returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryFigures {
    pub people_with_access: i64,
    pub organisations_with_access: i64,
    pub checked_in_now: i64,
    pub visits_last_30_days: i64,
    pub guest_visits_last_30_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: String,
    pub pass: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub backend: String,
    pub clients: usize,
    pub members: usize,
    pub visits: usize,
    pub warmup_s: f64,
    pub duration_s: f64,
    pub seed_s: f64,
    pub checkins: u64,
    pub checkouts: u64,
    pub checkins_per_s: f64,
    pub checkouts_per_s: f64,
    pub checkin_latency: Latency,
    pub checkout_latency: Latency,
    /// Non-2xx answers (or an unexpected status) and transport failures.
    pub errors: u64,
    /// The first few errors, for diagnosis.
    pub error_samples: Vec<String>,
    /// CPU seconds used during the measured window, by thread group of this
    /// process (`server`: the app's runtime, `sqlite-workers`: sqlx's SQLite
    /// connection threads, `sqlite-writer`: the SQLite store's writer
    /// thread, `clients`: the load generator). A PostgreSQL
    /// server's own CPU is not included.
    pub cpu_s: BTreeMap<String, f64>,
    /// CPU microseconds of the server side (server + SQLite workers) per
    /// check-in + check-out cycle.
    pub server_cpu_us_per_cycle: f64,
    /// On PostgreSQL: the CPU µs of all its processes per cycle.
    pub postgres_cpu_us_per_cycle: Option<f64>,
    /// Statements sent to the database per cycle, when counted
    /// (`BENCH_COUNT_STATEMENTS=1`; see `statements.rs`).
    pub statements_per_cycle: Option<f64>,
    /// 1-minute load average when the measured window began.
    pub load_average: f64,
    /// SQLite: write transactions and writes in the measured window (their
    /// ratio is the mean group-commit batch).
    pub sqlite_writes: Option<(u64, u64)>,
    pub summary_http: Latency,
    pub summary_store: Latency,
    pub summary: SummaryFigures,
    /// Problems found while verifying the results (empty on a correct run).
    pub problems: Vec<String>,
    pub targets: Vec<Target>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.targets.iter().all(|t| t.pass)
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let line = |s: &mut String, t: String| {
            s.push_str(&t);
            s.push('\n');
        };
        let lat = |name: &str, l: &Latency| {
            format!(
                "  {name:<22} n={:<7} p50 {:>7.2}  p95 {:>7.2}  p99 {:>7.2}  max {:>8.2}  mean {:>7.2} ms",
                l.count, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms, l.mean_ms
            )
        };
        line(&mut s, format!("backend           {}", self.backend));
        line(
            &mut s,
            format!(
                "clients           {}  (members {}, warm-up {:.1} s, measured {:.2} s, seeding took {:.1} s, load avg {:.2})",
                self.clients, self.members, self.warmup_s, self.duration_s, self.seed_s, self.load_average
            ),
        );
        line(
            &mut s,
            format!(
                "check-ins         {} ({:.0}/s)   check-outs {} ({:.0}/s)",
                self.checkins, self.checkins_per_s, self.checkouts, self.checkouts_per_s
            ),
        );
        line(&mut s, lat("POST /checkins", &self.checkin_latency));
        line(&mut s, lat("POST …/checkout", &self.checkout_latency));
        line(&mut s, format!("errors            {}", self.errors));
        for e in &self.error_samples {
            line(&mut s, format!("  {e}"));
        }
        let cpu: Vec<String> = self
            .cpu_s
            .iter()
            .map(|(k, v)| format!("{k} {v:.2}"))
            .collect();
        line(
            &mut s,
            format!(
                "CPU s in window   {}   (server side {:.0} µs per check-in+out{})",
                cpu.join(", "),
                self.server_cpu_us_per_cycle,
                self.postgres_cpu_us_per_cycle
                    .map(|p| format!(", PostgreSQL {p:.0} µs"))
                    .unwrap_or_default()
            ),
        );
        if let Some(n) = self.statements_per_cycle {
            line(&mut s, format!("statements        {n:.2} per check-in+out"));
        }
        if let Some((transactions, writes)) = self.sqlite_writes {
            line(
                &mut s,
                format!(
                    "sqlite writer     {writes} writes in {transactions} transactions ({:.1} per commit)",
                    writes as f64 / transactions.max(1) as f64
                ),
            );
        }
        line(
            &mut s,
            format!(
                "access summary    hub with {} visits: people {}, organisations {}, in now {}, visits 30 d {}, guests 30 d {}",
                self.visits,
                self.summary.people_with_access,
                self.summary.organisations_with_access,
                self.summary.checked_in_now,
                self.summary.visits_last_30_days,
                self.summary.guest_visits_last_30_days
            ),
        );
        line(&mut s, lat("GET …/access-summary", &self.summary_http));
        line(&mut s, lat("store access_summary", &self.summary_store));
        for p in &self.problems {
            line(&mut s, format!("PROBLEM: {p}"));
        }
        for t in &self.targets {
            line(
                &mut s,
                format!(
                    "{} {}: {}",
                    if t.pass { "PASS" } else { "FAIL" },
                    t.name,
                    t.detail
                ),
            );
        }
        s
    }
}

// ---------------------------------------------------------------- database

enum Db {
    Sqlite {
        store: SqliteStore,
        _dir: tempfile::TempDir,
    },
    Postgres {
        store: PostgresStore,
        _guard: Option<TestDatabaseGuard>,
    },
}

/// The server's and the clients' runtimes, `threads` workers each
/// (default: the number of CPUs), so that the tally of CPU time per thread
/// group can tell them apart ("tp-server", "tp-client").
pub(crate) fn runtimes(
    threads: Option<usize>,
) -> Result<(tokio::runtime::Runtime, tokio::runtime::Runtime)> {
    let threads = threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(name)
            .enable_all()
            .build()
    };
    Ok((runtime("tp-server")?, runtime("tp-client")?))
}

/// Which database a run opens: the flags all three load tools share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// `postgres://…` of a server: a throw-away database `tp_test_<uuid>` is
    /// created there and dropped afterwards. Without it: SQLite in a
    /// temporary directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Put the SQLite database at this path (which must not exist yet) and
    /// keep it afterwards, for a look with `sqlite3`. Default: a temporary
    /// directory, removed after the run.
    #[arg(long, conflicts_with = "database_url")]
    pub sqlite_path: Option<std::path::PathBuf>,
    /// Use the database of `--database-url` as it is (it must be empty)
    /// instead of creating a throw-away one.
    #[arg(long)]
    pub existing_database: bool,
    /// Experiment: open the SQLite store with `synchronous = NORMAL` (the
    /// default is FULL) on all its connections.
    #[arg(long)]
    pub sqlite_synchronous_normal: bool,
}

impl Db {
    async fn open(opts: &DbArgs) -> Result<Db> {
        match opts.database_url.as_deref() {
            None => {
                let dir = tempfile::tempdir()?;
                let path = match &opts.sqlite_path {
                    Some(p) => {
                        ensure!(!p.exists(), "{} exists already", p.display());
                        p.to_path_buf()
                    }
                    None => dir.path().join("bench.db"),
                };
                let url = format!("sqlite://{}", path.display());
                let synchronous = if opts.sqlite_synchronous_normal {
                    SqliteSynchronous::Normal
                } else {
                    SqliteSynchronous::Full
                };
                let store = SqliteStore::connect_with(&url, synchronous)
                    .await
                    .context("opening SQLite")?;
                Ok(Db::Sqlite { store, _dir: dir })
            }
            Some(url) if url.starts_with("postgres") => {
                let (url, guard) = if opts.existing_database {
                    (url.to_string(), None)
                } else {
                    let (u, g) =
                        thirdplace_store_postgres::testing::create_test_database(url).await;
                    (u, Some(g))
                };
                let store = PostgresStore::connect(&url)
                    .await
                    .context("opening PostgreSQL")?;
                Ok(Db::Postgres {
                    store,
                    _guard: guard,
                })
            }
            Some(other) => bail!("--database-url must be postgres://…, not {other}"),
        }
    }

    fn store(&self) -> Arc<dyn Store> {
        match self {
            Db::Sqlite { store, .. } => Arc::new(store.clone()),
            Db::Postgres { store, .. } => Arc::new(store.clone()),
        }
    }

    async fn close(&self) {
        match self {
            Db::Sqlite { store, .. } => store.pool().close().await,
            Db::Postgres { store, .. } => store.pool().close().await,
        }
    }

    /// All rows of `bookings`, confirmed or not.
    async fn count_bookings(&self) -> Result<i64> {
        let q = "SELECT count(*) FROM bookings";
        Ok(match self {
            Db::Sqlite { store, .. } => sqlx::query_scalar(q).fetch_one(store.pool()).await?,
            Db::Postgres { store, .. } => sqlx::query_scalar(q).fetch_one(store.pool()).await?,
        })
    }

    /// PostgreSQL: fresh planner statistics after seeding.
    async fn analyze(&self) -> Result<()> {
        if let Db::Postgres { store, .. } = self {
            sqlx::query("ANALYZE").execute(store.pool()).await?;
        }
        Ok(())
    }

    /// After a bulk seed: PostgreSQL's planner statistics, and SQLite's
    /// write-ahead log folded into the database and its statistics, as a
    /// database in steady use has them (readers of a long log search it
    /// for every page).
    async fn settle(&self) -> Result<()> {
        match self {
            Db::Postgres { store, .. } => {
                sqlx::query("VACUUM ANALYZE").execute(store.pool()).await?;
            }
            Db::Sqlite { store, .. } => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(store.pool())
                    .await?;
                store.optimize().await?;
            }
        }
        Ok(())
    }

    /// SQLite: the writer's transactions and writes so far.
    fn write_counts(&self) -> Option<(u64, u64)> {
        match self {
            Db::Sqlite { store, .. } => Some(store.write_counts()),
            Db::Postgres { .. } => None,
        }
    }
}

/// One closed visit, for the bulk insert.
struct Visit {
    id: Uuid,
    person_id: Uuid,
    seat_id: Uuid,
    checked_in_at: DateTime<Utc>,
    checked_out_at: DateTime<Utc>,
}

macro_rules! bulk_insert_visits {
    ($db:ty, $pool:expr, $hub:expr, $visits:expr) => {{
        let mut tx = $pool.begin().await?;
        for chunk in $visits.chunks(1000) {
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO checkins (id, person_id, hub_id, seat_id, method, checked_in_at, \
                 checked_out_at, auto_closed) ",
            );
            qb.push_values(chunk, |mut b, v| {
                b.push_bind(v.id)
                    .push_bind(v.person_id)
                    .push_bind($hub)
                    .push_bind(v.seat_id)
                    .push_bind("api")
                    .push_bind(v.checked_in_at)
                    .push_bind(Some(v.checked_out_at))
                    .push_bind(false);
            });
            qb.build().execute(&mut *tx).await?;
        }
        // The per-day counters the store keeps with every check-in.
        let mut days: std::collections::BTreeMap<chrono::NaiveDate, i64> = Default::default();
        for v in $visits {
            *days
                .entry(thirdplace_domain::membership::local_date(v.checked_in_at))
                .or_default() += 1;
        }
        let days: Vec<(chrono::NaiveDate, i64)> = days.into_iter().collect();
        for chunk in days.chunks(500) {
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO hub_visit_days (hub_id, day, visits, guest_visits) ",
            );
            qb.push_values(chunk, |mut b, (day, n)| {
                b.push_bind($hub)
                    .push_bind(*day)
                    .push_bind(*n)
                    .push_bind(0i64);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

impl Db {
    /// Writes closed visits straight into `checkins` (through the store it
    /// would take two write transactions per visit).
    async fn insert_visits(&self, hub_id: Uuid, visits: &[Visit]) -> Result<()> {
        match self {
            Db::Sqlite { store, .. } => {
                bulk_insert_visits!(sqlx::Sqlite, store.pool(), hub_id, visits)
            }
            Db::Postgres { store, .. } => {
                bulk_insert_visits!(sqlx::Postgres, store.pool(), hub_id, visits);
                sqlx::query("ANALYZE checkins")
                    .execute(store.pool())
                    .await?;
            }
        }
        Ok(())
    }
}

// -------------------------------------------------------------------- seed

pub fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("a valid RFC 3339 instant")
        .with_timezone(&Utc)
}

#[derive(Clone)]
struct Member {
    person_id: Uuid,
    seat_id: Uuid,
    token: String,
}

struct Seeded {
    region_id: Uuid,
    load_hub: Uuid,
    summary_hub: Uuid,
    members: Vec<Member>,
}

fn all_day_every_day() -> OpeningHours {
    let day = Interval::new(
        NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(23, 59, 0).unwrap(),
    )
    .unwrap();
    OpeningHours {
        weekly: std::array::from_fn(|_| vec![day]),
        exceptions: vec![],
    }
}

/// The organisation whose members the benchmarks seed, and the
/// network-wide plan (4 included room hours a month) their seats are of.
pub async fn seed_org_and_plan(store: &dyn Store) -> Result<(Organisation, Plan)> {
    let org = Organisation {
        id: new_id(),
        name: "Benchmark AB".into(),
        org_number: OrgNumber::parse("556000-0001").unwrap(),
        kind: OrgKind::Company,
        archived: false,
        buyer: Default::default(),
    };
    store.insert_organisation(&org).await?;
    let plan = Plan {
        id: new_id(),
        name: "Network".into(),
        description: String::new(),
        scope: PlanScope::Network,
        monthly_price_ore: 145_000,
        included_hours_per_month: 4,
        max_guests: 0,
        validity: Validity::MonthlyRolling,
        archived: false,
        selling_operator_id: None,
        vat_rate_percent: 25,
    };
    store.insert_plan(&plan).await?;
    Ok((org, plan))
}

/// The region, municipality and operator every benchmark's hubs belong to.
pub async fn seed_network(store: &dyn Store) -> Result<(Region, Municipality, Operator)> {
    let region = Region {
        id: new_id(),
        name: "Benchmark region".into(),
        code: "99".into(),
        archived: false,
    };
    store.insert_region(&region).await?;
    let municipality = Municipality {
        id: new_id(),
        region_id: region.id,
        name: "Benchmark municipality".into(),
        code: "9999".into(),
        central_town: "Benchby".into(),
        archived: false,
    };
    store.insert_municipality(&municipality).await?;
    let operator = Operator {
        id: new_id(),
        name: "Benchmark operator".into(),
        org_number: None,
        contact_email: None,
        archived: false,
        seller: Default::default(),
    };
    store.insert_operator(&operator).await?;
    Ok((region, municipality, operator))
}

async fn seed(store: Arc<dyn Store>, members: usize) -> Result<Seeded> {
    let (region, municipality, operator) = seed_network(store.as_ref()).await?;
    let hub = Hub {
        id: new_id(),
        municipality_id: municipality.id,
        operator_id: operator.id,
        name: "Busy hub".into(),
        description: "Open every day, 00:00–23:59.".into(),
        street_address: "Benchgatan 1".into(),
        postal_code: "123 45".into(),
        city: "Benchby".into(),
        latitude: 57.0,
        longitude: 16.0,
        in_central_town: true,
        opening_hours: all_day_every_day(),
        archived: false,
    };
    store.insert_hub(&hub).await?;
    let summary_hub = Hub {
        id: new_id(),
        name: "Well-visited hub".into(),
        ..hub.clone()
    };
    store.insert_hub(&summary_hub).await?;
    let (org, plan) = seed_org_and_plan(store.as_ref()).await?;

    let members = seed_members(store.clone(), org.id, plan.id, members).await?;
    Ok(Seeded {
        region_id: region.id,
        load_hub: hub.id,
        summary_hub: summary_hub.id,
        members,
    })
}

/// `members` people of organisation `org_id`, each holding a seat of plan
/// `plan_id` (from 2026-11-01) and an API token.
async fn seed_members(
    store: Arc<dyn Store>,
    org_id: Uuid,
    plan_id: Uuid,
    members: usize,
) -> Result<Vec<Member>> {
    let since = instant("2026-11-01T08:00:00Z");
    let seats: Vec<Seat> = (0..members)
        .map(|_| Seat {
            id: new_id(),
            plan_id,
            organisation_id: org_id,
            start_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            end_date: None,
            created_at: since,
            selling_operator_id: None,
        })
        .collect();
    for batch in seats.chunks(500) {
        store.insert_seats(batch).await?;
    }

    // People, tokens and seat holdings: three writes each, eight at a time
    // on PostgreSQL. On SQLite one at a time: `insert_person` there opens a
    // deferred transaction that reads before it writes, and concurrent ones
    // fail with "database is locked" instead of waiting.
    let people: Vec<(usize, Uuid)> = seats.iter().map(|s| s.id).enumerate().collect();
    let parallel = if store.backend_name() == "sqlite" {
        1
    } else {
        8
    };
    let workers = parallel.min(members.max(1));
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..workers {
        let mine: Vec<(usize, Uuid)> = people
            .iter()
            .copied()
            .filter(|(i, _)| i % workers == w)
            .collect();
        let store = store.clone();
        tasks.spawn(async move {
            let mut out = Vec::with_capacity(mine.len());
            for (i, seat_id) in mine {
                let p = Person {
                    id: new_id(),
                    first_name: format!("Member{i}"),
                    last_name: "Bench".into(),
                    email: Email::parse(&format!("member{i}@bench.example")).unwrap(),
                    organisation_id: Some(org_id),
                    is_network_admin: false,
                    hosted_hub_ids: vec![],
                    admin_of_organisation_ids: vec![],
                    staff_of_operator_ids: vec![],
                    archived: false,
                };
                store.insert_person(&p).await.context("insert_person")?;
                let (token, hash) = thirdplace_web::people::auth::new_api_token();
                store
                    .insert_api_token(&ApiToken {
                        id: new_id(),
                        person_id: p.id,
                        name: "bench".into(),
                        token_hash: hash,
                        created_at: since,
                        revoked_at: None,
                    })
                    .await
                    .context("insert_api_token")?;
                store
                    .assign_seat(seat_id, Some(p.id), since)
                    .await
                    .context("assign_seat")?;
                out.push((
                    i,
                    Member {
                        person_id: p.id,
                        seat_id,
                        token,
                    },
                ));
            }
            anyhow::Ok(out)
        });
    }
    let mut all = Vec::with_capacity(members);
    while let Some(r) = tasks.join_next().await {
        all.extend(r??);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, m)| m).collect())
}

/// `n` closed visits of an hour each, spread evenly over the 29 days before
/// `now` (so all count as "last 30 days" while the clock ticks on).
fn visits(members: &[Member], n: usize, now: DateTime<Utc>) -> Vec<Visit> {
    let first = now - chrono::Duration::days(29);
    let span = (chrono::Duration::days(29) - chrono::Duration::hours(2)).num_seconds();
    (0..n)
        .map(|i| {
            let m = &members[i % members.len()];
            let at = first + chrono::Duration::seconds(span * i as i64 / n.max(1) as i64);
            Visit {
                id: new_id(),
                person_id: m.person_id,
                seat_id: m.seat_id,
                checked_in_at: at,
                checked_out_at: at + chrono::Duration::hours(1),
            }
        })
        .collect()
}

// -------------------------------------------------------------------- load

#[derive(Default)]
struct ClientResult {
    checkin: Vec<Duration>,
    checkout: Vec<Duration>,
    /// Successful check-ins, warm-up included.
    checkins_ok: u64,
    errors: u64,
    error_samples: Vec<String>,
}

impl ClientResult {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_samples.len() < 5 {
            self.error_samples.push(what);
        }
    }
}

#[derive(Deserialize)]
struct IdOnly {
    id: Uuid,
}

async fn client_loop(
    base: String,
    hub: Uuid,
    tokens: Vec<String>,
    measure_from: Instant,
    until: Instant,
) -> ClientResult {
    let mut r = ClientResult::default();
    let client = match reqwest::Client::builder().build() {
        Ok(c) => c,
        Err(e) => {
            r.error(format!("client: {e}"));
            return r;
        }
    };
    let checkin_url = format!("{base}/api/v1/checkins");
    let body = serde_json::json!({ "hub_id": hub }).to_string();
    let mut next = 0usize;
    while Instant::now() < until {
        let token = &tokens[next % tokens.len()];
        next += 1;
        let t0 = Instant::now();
        let measured = t0 >= measure_from;
        let answer = async {
            let resp = client
                .post(&checkin_url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await?;
            let status = resp.status();
            Ok::<_, reqwest::Error>((status, resp.bytes().await?))
        }
        .await;
        let took = t0.elapsed();
        if measured {
            r.checkin.push(took);
        }
        let id = match answer {
            Ok((s, b)) if s == reqwest::StatusCode::CREATED => {
                match serde_json::from_slice::<IdOnly>(&b) {
                    Ok(v) => v.id,
                    Err(e) => {
                        r.error(format!("check-in: unreadable answer: {e}"));
                        continue;
                    }
                }
            }
            Ok((s, b)) => {
                r.error(format!(
                    "check-in: {s}: {}",
                    String::from_utf8_lossy(&b[..b.len().min(300)])
                ));
                continue;
            }
            Err(e) => {
                r.error(format!("check-in: {e}"));
                continue;
            }
        };
        r.checkins_ok += 1;

        let t1 = Instant::now();
        let answer = async {
            let resp = client
                .post(format!("{base}/api/v1/checkins/{id}/checkout"))
                .bearer_auth(token)
                .send()
                .await?;
            let status = resp.status();
            Ok::<_, reqwest::Error>((status, resp.bytes().await?))
        }
        .await;
        let took = t1.elapsed();
        if measured {
            r.checkout.push(took);
        }
        match answer {
            Ok((s, _)) if s == reqwest::StatusCode::OK => {}
            Ok((s, b)) => r.error(format!(
                "checkout: {s}: {}",
                String::from_utf8_lossy(&b[..b.len().min(300)])
            )),
            Err(e) => r.error(format!("checkout: {e}")),
        }
    }
    r
}

/// CPU seconds used so far by this process's threads, grouped by name.
/// Linux only (empty elsewhere); assumes 100 clock ticks per second.
fn cpu_by_thread_group() -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for t in tasks.flatten() {
        let p = t.path();
        let (Ok(comm), Ok(stat)) = (
            std::fs::read_to_string(p.join("comm")),
            std::fs::read_to_string(p.join("stat")),
        ) else {
            continue;
        };
        // Fields after the ")" that ends the name: state is 3rd, utime 14th.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = f
            .get(11)
            .zip(f.get(12))
            .and_then(|(u, s)| Some(u.parse::<f64>().ok()? + s.parse::<f64>().ok()?))
            .unwrap_or(0.0);
        let comm = comm.trim();
        let group = if comm.starts_with("tp-server") {
            "server"
        } else if comm.starts_with("tp-client") {
            "clients"
        } else if comm.starts_with("sqlx-sqlite") {
            "sqlite-workers"
        } else if comm.starts_with("tp-sqlite") {
            "sqlite-writer"
        } else {
            "other"
        };
        *out.entry(group.to_string()).or_insert(0.0) += ticks / 100.0;
    }
    out
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

// --------------------------------------------------------------------- run

/// Runs the whole benchmark. Blocking: it builds its own runtimes.
pub fn run(opts: &Options) -> Result<Report> {
    ensure!(opts.clients >= 1, "--clients must be at least 1");
    ensure!(
        opts.members >= opts.clients,
        "--members must be at least --clients (each client owns a slice of members)"
    );
    let (server_rt, client_rt) = runtimes(opts.threads)?;
    let now = instant(BENCH_NOW);

    // Database and seed, on the server's runtime (PostgreSQL connections
    // belong to the runtime that made them).
    let seed_started = Instant::now();
    let db = server_rt.block_on(Db::open(&opts.db))?;
    let store = db.store();
    let outcome = (|| -> Result<Report> {
        let seeded = server_rt.block_on(seed(store.clone(), opts.members))?;
        let rows = visits(&seeded.members, opts.visits, now);
        server_rt.block_on(db.insert_visits(seeded.summary_hub, &rows))?;
        drop(rows);
        let seed_s = seed_started.elapsed().as_secs_f64();
        // The app.
        let state = AppState::new(store.clone(), WebConfig::default());
        state.clock.set(now);
        let clock = state.clock.clone();
        let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let server = if opts.no_background_workers {
            let app = thirdplace_web::app(state);
            server_rt.spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
            })
        } else {
            server_rt.spawn(thirdplace_web::serve(listener, state, shutdown))
        };

        let result = (|| -> Result<Report> {
            // Check-in load.
            let warmup = Duration::from_secs_f64(opts.warmup.max(0.0));
            let measured = Duration::from_secs_f64(opts.seconds.max(0.01));
            let start = Instant::now();
            let measure_from = start + warmup;
            let until = measure_from + measured;
            let mut slices: Vec<Vec<String>> = vec![Vec::new(); opts.clients];
            for (i, m) in seeded.members.iter().enumerate() {
                slices[i % opts.clients].push(m.token.clone());
            }
            let write_counts = || match &db {
                Db::Sqlite { store, .. } => Some(store.write_counts()),
                Db::Postgres { .. } => None,
            };
            let postgres = matches!(db, Db::Postgres { .. });
            let (results, cpu_before, cpu_after, load, writes_before, writes_after, pg, statements) =
                client_rt.block_on(async {
                    let mut handles = Vec::new();
                    for tokens in slices {
                        handles.push(tokio::spawn(client_loop(
                            base.clone(),
                            seeded.load_hub,
                            tokens,
                            measure_from,
                            until,
                        )));
                    }
                    tokio::time::sleep_until(measure_from.into()).await;
                    let load = load_average();
                    let cpu_before = cpu_by_thread_group();
                    let writes_before = write_counts();
                    let pg_before = postgres.then(bookings::postgres_cpu_s);
                    let statements_before = statements::statements();
                    tokio::time::sleep_until(until.into()).await;
                    let cpu_after = cpu_by_thread_group();
                    let writes_after = write_counts();
                    let pg = pg_before.map(|b| bookings::postgres_cpu_s() - b);
                    let statements = statements_before
                        .zip(statements::statements())
                        .map(|(a, b)| b - a);
                    let mut results = Vec::new();
                    for h in handles {
                        results.push(h.await?);
                    }
                    anyhow::Ok((
                        results,
                        cpu_before,
                        cpu_after,
                        load,
                        writes_before,
                        writes_after,
                        pg,
                        statements,
                    ))
                })?;
            let mut checkin = Vec::new();
            let mut checkout = Vec::new();
            let mut checkins_ok = 0;
            let mut errors = 0;
            let mut error_samples = Vec::new();
            for r in results {
                checkin.extend(r.checkin);
                checkout.extend(r.checkout);
                checkins_ok += r.checkins_ok;
                errors += r.errors;
                for e in r.error_samples {
                    if error_samples.len() < 10 {
                        error_samples.push(e);
                    }
                }
            }
            let sqlite_writes = writes_before
                .zip(writes_after)
                .map(|((t0, w0), (t1, w1))| (t1 - t0, w1 - w0));
            let secs = measured.as_secs_f64();
            let checkins = checkin.len() as u64;
            let checkouts = checkout.len() as u64;
            let cpu_s: BTreeMap<String, f64> = cpu_after
                .iter()
                .map(|(k, v)| (k.clone(), v - cpu_before.get(k).copied().unwrap_or(0.0)))
                .collect();
            let server_cpu = cpu_s.get("server").copied().unwrap_or(0.0)
                + cpu_s.get("sqlite-workers").copied().unwrap_or(0.0)
                + cpu_s.get("sqlite-writer").copied().unwrap_or(0.0);
            let mut problems = Vec::new();

            // Access summary over HTTP.
            let summary_url = format!("{base}/api/v1/hubs/{}/access-summary", seeded.summary_hub);
            let (http_samples, figures) = client_rt.block_on(async {
                let client = reqwest::Client::new();
                let mut samples = Vec::with_capacity(opts.summary_requests);
                let mut last = None;
                for i in 0..opts.summary_warmup + opts.summary_requests {
                    let t0 = Instant::now();
                    let resp = client.get(&summary_url).send().await?;
                    let status = resp.status();
                    let body = resp.bytes().await?;
                    let took = t0.elapsed();
                    ensure!(
                        status == reqwest::StatusCode::OK,
                        "access summary: {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                    if i >= opts.summary_warmup {
                        samples.push(took);
                    }
                    last = Some(body);
                }
                let figures: SummaryFigures = match last {
                    Some(b) => serde_json::from_slice(&b)?,
                    None => {
                        let b = client.get(&summary_url).send().await?.bytes().await?;
                        serde_json::from_slice(&b)?
                    }
                };
                anyhow::Ok((samples, figures))
            })?;

            // The same through the store, on the server's runtime.
            let (store_samples, store_figures, load_hub_figures) = server_rt.block_on(async {
                let call = |hub: Uuid| {
                    let at = clock.now();
                    let store = store.clone();
                    let region = seeded.region_id;
                    async move {
                        store
                            .access_summary(
                                hub,
                                region,
                                local_date(at),
                                at,
                                thirdplace_domain::membership::first_day_of_last_30(local_date(at)),
                            )
                            .await
                    }
                };
                let mut samples = Vec::with_capacity(opts.summary_requests);
                let mut last = None;
                for i in 0..opts.summary_warmup + opts.summary_requests {
                    let t0 = Instant::now();
                    let s = call(seeded.summary_hub).await?;
                    let took = t0.elapsed();
                    if i >= opts.summary_warmup {
                        samples.push(took);
                    }
                    last = Some(s);
                }
                let last = match last {
                    Some(s) => s,
                    None => call(seeded.summary_hub).await?,
                };
                let load_hub = call(seeded.load_hub).await?;
                anyhow::Ok((samples, last, load_hub))
            })?;

            let expected = SummaryFigures {
                people_with_access: opts.members as i64,
                organisations_with_access: 1,
                checked_in_now: 0,
                visits_last_30_days: opts.visits as i64,
                guest_visits_last_30_days: 0,
            };
            if figures != expected {
                problems.push(format!(
                    "HTTP access summary {figures:?}, expected {expected:?}"
                ));
            }
            let store_figures = SummaryFigures {
                people_with_access: store_figures.people_with_access,
                organisations_with_access: store_figures.organisations_with_access,
                checked_in_now: store_figures.checked_in_now,
                visits_last_30_days: store_figures.visits_last_30_days,
                guest_visits_last_30_days: store_figures.guest_visits_last_30_days,
            };
            if store_figures != expected {
                problems.push(format!(
                    "store access summary {store_figures:?}, expected {expected:?}"
                ));
            }
            if load_hub_figures.visits_last_30_days != checkins_ok as i64
                || load_hub_figures.checked_in_now != 0
            {
                problems.push(format!(
                    "the busy hub has {} visits and {} open check-ins; the clients made {} check-ins and closed all",
                    load_hub_figures.visits_last_30_days, load_hub_figures.checked_in_now, checkins_ok
                ));
            }
            if checkins == 0 {
                problems.push("no check-in was measured".into());
            }

            let checkin_latency = Latency::of(checkin);
            let checkout_latency = Latency::of(checkout);
            let summary_http = Latency::of(http_samples);
            let summary_store = Latency::of(store_samples);
            let checkins_per_s = checkins as f64 / secs;
            let targets = vec![
                Target {
                    name: "check-in throughput".into(),
                    pass: checkins_per_s >= TARGET_CHECKINS_PER_S
                        && checkin_latency.p99_ms < TARGET_CHECKIN_P99_MS
                        && checkout_latency.p99_ms < TARGET_CHECKIN_P99_MS
                        && errors == 0,
                    detail: format!(
                        "{checkins_per_s:.0} check-ins/s (target ≥ {TARGET_CHECKINS_PER_S:.0}), p99 check-in {:.2} ms / checkout {:.2} ms (target < {TARGET_CHECKIN_P99_MS:.0}), {errors} errors",
                        checkin_latency.p99_ms, checkout_latency.p99_ms
                    ),
                },
                Target {
                    name: "access summary".into(),
                    pass: summary_http.p99_ms < TARGET_SUMMARY_P99_MS
                        && summary_store.p99_ms < TARGET_SUMMARY_P99_MS
                        && problems.is_empty(),
                    detail: format!(
                        "p99 HTTP {:.2} ms, store {:.2} ms (target < {TARGET_SUMMARY_P99_MS:.0}) with {} visits",
                        summary_http.p99_ms, summary_store.p99_ms, opts.visits
                    ),
                },
            ];
            Ok(Report {
                backend: store.backend_name().to_string(),
                clients: opts.clients,
                members: opts.members,
                visits: opts.visits,
                warmup_s: warmup.as_secs_f64(),
                duration_s: secs,
                seed_s,
                checkins,
                checkouts,
                checkins_per_s,
                checkouts_per_s: checkouts as f64 / secs,
                checkin_latency,
                checkout_latency,
                errors,
                error_samples,
                server_cpu_us_per_cycle: if checkins > 0 {
                    server_cpu * 1e6 / checkins as f64
                } else {
                    0.0
                },
                postgres_cpu_us_per_cycle: pg
                    .filter(|_| checkins > 0)
                    .map(|p| p * 1e6 / checkins as f64),
                statements_per_cycle: statements
                    .filter(|_| checkins > 0)
                    .map(|n| n as f64 / checkins as f64),
                cpu_s,
                load_average: load,
                sqlite_writes,
                summary_http,
                summary_store,
                summary: figures,
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
    // Dropping `db` removes the temporary directory or drops the database.
    drop(db);
    outcome
}

// ------------------------------------------------------------ the tools' main

/// What the load tools' reports share, for [`tool_main`].
pub trait LoadReport: Serialize {
    fn text(&self) -> String;
    /// Every target met, no errors, nothing wrong found in the results.
    fn clean(&self) -> bool;
}

impl LoadReport for Report {
    fn text(&self) -> String {
        self.to_text()
    }
    fn clean(&self) -> bool {
        self.passed() && self.errors == 0 && self.problems.is_empty()
    }
}

impl LoadReport for bookings::BookingReport {
    fn text(&self) -> String {
        self.to_text()
    }
    fn clean(&self) -> bool {
        self.passed() && self.errors() == 0 && self.problems.is_empty()
    }
}

impl LoadReport for calendar::CalendarReport {
    fn text(&self) -> String {
        self.to_text()
    }
    fn clean(&self) -> bool {
        self.passed() && self.errors() == 0 && self.problems.is_empty()
    }
}

/// A load tool's `main`: logs to stderr with the server's default filter
/// (so the per-request span costs what it costs in production), runs,
/// prints the report (as JSON with `json`) and exits 0 when every target
/// is met, 1 when one is missed or the run found errors, 2 when it could
/// not run.
pub fn tool_main<R: LoadReport>(name: &str, json: bool, run: impl FnOnce() -> Result<R>) -> ! {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter);
    let count = std::env::var("BENCH_COUNT_STATEMENTS").is_ok_and(|v| v == "1");
    let registry = tracing_subscriber::registry().with(fmt);
    if count {
        registry.with(statements::counter_layer()).init();
    } else {
        registry.init();
    }
    match run() {
        Ok(report) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("{name}: {e}");
                        std::process::exit(2);
                    }
                }
            } else {
                print!("{}", report.text());
            }
            std::process::exit(if report.clean() { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("{name}: {e:#}");
            std::process::exit(2);
        }
    }
}
