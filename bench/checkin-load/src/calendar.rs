//! Load benchmark for the open calendar (`calendar-load`).
//!
//! Seeds `hubs` hubs with a zone each and `events` published public events
//! through the store, spread over the hubs, `topics` topic tags and the
//! next 12 months. Then it serves the real app in this process, like
//! `booking-load`, and runs these scenarios in turn:
//!
//! - `feed`: `GET /calendar.ics`, `feed_requests` requests one after the
//!   other (the first, which renders the feed, reported on its own), then
//!   the same number spread over `feed_clients` concurrent clients, then
//!   conditional requests with the feed's `ETag` (answered 304). After
//!   that, `feed_changes` times, one event is changed through the store,
//!   as another server process would, and the next request must show the
//!   change (its time is the cost of a feed after a change).
//! - `list`: `GET /calendar` (the first page of the list) with `clients`
//!   concurrent clients for a warm-up and a measured window.
//! - `filtered`: the list by each hub and each topic in turn.
//! - `month`: `GET /calendar?view=month&month=…` over the 12 months.
//!
//! All requests are anonymous and go to 127.0.0.1. It never touches a
//! database it did not create (unless `--existing-database`).

use super::bookings::{new_client, postgres_cpu_s, send, Tally, Window};
use super::{
    cpu_by_thread_group, instant, load_average, runtimes, Db, DbArgs, Latency, Target, BENCH_NOW,
};
use anyhow::{ensure, Context, Result};
use chrono::{DateTime, Datelike, Duration as Days, Utc};
use clap::{Parser, ValueEnum};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thirdplace_domain::event::{Event, EventStatus, EventVisibility, Venue};
use thirdplace_domain::{new_id, Email, Hub, Person, Zone, HUB_TIME_ZONE};
use thirdplace_store::{EventNotices, Store};
use thirdplace_web::{AppState, WebConfig};
use uuid::Uuid;

/// Targets from the issue.
pub const TARGET_FEED_MS: f64 = 50.0;
pub const TARGET_PAGE_PER_S: f64 = 2000.0;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// `GET /calendar.ics`: sequential, concurrent, conditional, after a change.
    Feed,
    /// `GET /calendar`, 16 clients.
    List,
    /// `GET /calendar?hub=…` and `?topic=…` in turn, 16 clients.
    Filtered,
    /// `GET /calendar?view=month&month=…` over 12 months, 16 clients.
    Month,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Feed => "feed",
            Scenario::List => "list",
            Scenario::Filtered => "filtered",
            Scenario::Month => "month",
        }
    }
}

#[derive(Parser, Debug, Clone)]
#[command(
    name = "calendar-load",
    about = "The open calendar's feed and pages with 10 000 upcoming events, against the real app in-process"
)]
pub struct CalendarOptions {
    /// Concurrent HTTP clients of the page scenarios.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Measured seconds per page scenario (after its warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Warm-up seconds before each page scenario's measured window.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Upcoming public events, over the next 12 months.
    #[arg(long, default_value_t = 10_000)]
    pub events: usize,
    /// Hubs, one zone each.
    #[arg(long, default_value_t = 20)]
    pub hubs: usize,
    /// Distinct topic tags (each event has two).
    #[arg(long, default_value_t = 12)]
    pub topics: usize,
    /// Feed requests in each of the sequential, concurrent and conditional
    /// runs.
    #[arg(long, default_value_t = 100)]
    pub feed_requests: usize,
    /// Concurrent clients of the concurrent feed run.
    #[arg(long, default_value_t = 4)]
    pub feed_clients: usize,
    /// Events changed, each followed by one feed request.
    #[arg(long, default_value_t = 20)]
    pub feed_changes: usize,
    /// How long anonymous calendar pages may be kept (the server's
    /// `--public-cache-ms`); 0 renders every page.
    #[arg(long, default_value_t = 1000)]
    pub page_cache_ms: u64,
    /// Scenarios to run, in this order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "feed,list,filtered,month"
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

impl CalendarOptions {
    /// Tiny numbers, for the test.
    pub fn tiny() -> Self {
        CalendarOptions::parse_from([
            "calendar-load",
            "--clients",
            "3",
            "--seconds",
            "0.5",
            "--warmup",
            "0.2",
            "--events",
            "120",
            "--hubs",
            "3",
            "--topics",
            "4",
            "--feed-requests",
            "5",
            "--feed-clients",
            "2",
            "--feed-changes",
            "3",
        ])
    }
}

// ------------------------------------------------------------------ report

#[derive(Debug, Clone, Serialize)]
pub struct FeedReport {
    /// Bytes and `VEVENT`s of the network feed.
    pub bytes: usize,
    pub events_in_feed: usize,
    /// The first request after seeding: the feed rendered.
    pub first_ms: f64,
    pub sequential: Latency,
    pub concurrent: Latency,
    pub concurrent_clients: usize,
    /// `If-None-Match` with the current tag.
    pub not_modified: Latency,
    /// `Accept-Encoding: gzip`, once the gzip copy is made; its size (0 if
    /// none came).
    pub gzip: Latency,
    pub gzip_bytes: usize,
    /// The first request after an event was changed in the database, for
    /// each change: rendered afresh, and it shows the change (every time).
    pub after_change: Latency,
    pub change_shown: bool,
    pub load_average: f64,
    pub errors: u64,
    pub error_samples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    pub scenario: Scenario,
    pub request: String,
    pub warmup_s: f64,
    pub duration_s: f64,
    pub requests: u64,
    pub requests_per_s: f64,
    pub latency: Latency,
    /// Bytes of the first answer.
    pub bytes: usize,
    pub errors: u64,
    pub error_samples: Vec<String>,
    pub cpu_s: BTreeMap<String, f64>,
    pub server_cpu_us_per_request: f64,
    pub postgres_cpu_us_per_request: Option<f64>,
    pub load_average: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarReport {
    pub backend: String,
    pub clients: usize,
    pub events: usize,
    pub hubs: usize,
    pub topics: usize,
    pub page_cache_ms: u64,
    pub seed_s: f64,
    pub feed: Option<FeedReport>,
    pub pages: Vec<PageReport>,
    pub problems: Vec<String>,
    pub targets: Vec<Target>,
}

impl CalendarReport {
    pub fn passed(&self) -> bool {
        self.targets.iter().all(|t| t.pass)
    }

    pub fn errors(&self) -> u64 {
        self.feed.as_ref().map_or(0, |f| f.errors)
            + self.pages.iter().map(|p| p.errors).sum::<u64>()
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let mut line = |t: String| {
            s.push_str(&t);
            s.push('\n');
        };
        let lat = |name: &str, l: &Latency| {
            format!(
                "  {name:<12} n={:<7} p50 {:>7.2}  p90 {:>7.2}  p99 {:>7.2}  max {:>8.2}  mean {:>7.2} ms",
                l.count, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms, l.mean_ms
            )
        };
        line(format!("backend           {}", self.backend));
        line(format!(
            "events            {} upcoming public (hubs {}, topics {}, seeding took {:.1} s); page cache {} ms",
            self.events, self.hubs, self.topics, self.seed_s, self.page_cache_ms
        ));
        if let Some(f) = &self.feed {
            line(format!(
                "== feed (GET /calendar.ics): {} events, {} bytes, load avg {:.2}",
                f.events_in_feed, f.bytes, f.load_average
            ));
            line(format!("  first (rendered) {:.1} ms", f.first_ms));
            line(lat("sequential", &f.sequential));
            line(lat(
                &format!("{} clients", f.concurrent_clients),
                &f.concurrent,
            ));
            line(lat("304", &f.not_modified));
            line(format!("{} ({} bytes)", lat("gzip", &f.gzip), f.gzip_bytes));
            line(lat("after change", &f.after_change));
            line(format!(
                "  every change shown in the next request: {}",
                if f.change_shown { "yes" } else { "NO" }
            ));
            line(format!("  errors {}", f.errors));
            for e in &f.error_samples {
                line(format!("    {e}"));
            }
        }
        for r in &self.pages {
            line(format!(
                "== {} ({}): {} clients, warm-up {:.1} s, measured {:.2} s, load avg {:.2}",
                r.scenario.name(),
                r.request,
                self.clients,
                r.warmup_s,
                r.duration_s,
                r.load_average
            ));
            line(format!(
                "  {} requests ({:.0}/s), {} bytes a page",
                r.requests, r.requests_per_s, r.bytes
            ));
            line(lat("all", &r.latency));
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
        }
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
    hubs: Vec<Uuid>,
    topics: Vec<String>,
    /// One event, to change during the feed scenario.
    some_event: Uuid,
}

fn topic_name(k: usize) -> String {
    const NAMES: [&str; 12] = [
        "AI",
        "Återbruk",
        "Digitalisering",
        "Ledarskap",
        "Hälsa",
        "Kultur",
        "Energi",
        "Landsbygd",
        "Upphandling",
        "Entreprenörskap",
        "Mat",
        "Friluftsliv",
    ];
    match NAMES.get(k) {
        Some(n) => n.to_string(),
        None => format!("Ämne {k}"),
    }
}

async fn seed(store: Arc<dyn Store>, opts: &CalendarOptions, now: DateTime<Utc>) -> Result<Seeded> {
    let (_, municipality, operator) = super::seed_network(store.as_ref()).await?;
    let (org, _) = super::seed_org_and_plan(store.as_ref()).await?;
    let organiser = Person {
        id: new_id(),
        first_name: "Olga".into(),
        last_name: "Organiser".into(),
        email: Email::parse("organiser@bench.example").unwrap(),
        organisation_id: Some(org.id),
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    };
    store.insert_person(&organiser).await?;
    let mut hubs = Vec::new();
    let mut zones = Vec::new();
    for h in 0..opts.hubs {
        let hub = Hub {
            id: new_id(),
            municipality_id: municipality.id,
            operator_id: operator.id,
            name: format!("Hub {h}"),
            description: "A hub of the calendar benchmark.".into(),
            street_address: format!("Kalendergatan {h}"),
            postal_code: "123 45".into(),
            city: "Benchby".into(),
            latitude: 57.0,
            longitude: 16.0,
            in_central_town: false,
            opening_hours: super::all_day_every_day(),
            archived: false,
        };
        store.insert_hub(&hub).await?;
        let zone = Zone {
            id: new_id(),
            hub_id: hub.id,
            name: "Cirkeln".into(),
            purpose: "Samtal i ring".into(),
            capacity: 30,
            archived: false,
        };
        store.insert_zone(&zone).await?;
        hubs.push(hub.id);
        zones.push(zone.id);
    }
    let topics: Vec<String> = (0..opts.topics.max(1)).map(topic_name).collect();
    // Spread evenly over the next 365 days, from an hour from now, at
    // whole quarter hours.
    let span_minutes = 365 * 24 * 60 / opts.events.max(1) as i64;
    let events: Vec<Event> = (0..opts.events)
        .map(|k| {
            let start = now + Days::hours(1) + Days::minutes((k as i64 * span_minutes) / 15 * 15);
            let h = k % hubs.len();
            Event {
                id: new_id(),
                hub_id: hubs[h],
                venue: if k % 3 == 0 {
                    Venue::Online
                } else {
                    Venue::Zone(zones[h])
                },
                booking_id: None,
                title: format!("Workshop {k}: {} i praktiken", topics[k % topics.len()]),
                description: "Vi delar erfarenheter och testar tillsammans. Ta med en kollega!"
                    .into(),
                topics: vec![
                    topics[k % topics.len()].clone(),
                    topics[(k / 7 + 1) % topics.len()].clone(),
                ],
                start,
                end: start + Days::minutes(90),
                capacity: 20,
                visibility: EventVisibility::Public,
                status: EventStatus::Published,
                organiser_id: organiser.id,
                co_organiser_ids: vec![],
                sequence: 0,
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    let some_event = events
        .first()
        .map(|e| e.id)
        .context("--events must be at least 1")?;
    // A few writes at a time: the SQLite writer commits them together.
    let mut set = tokio::task::JoinSet::new();
    for chunk in events.chunks(events.len().div_ceil(16).max(1)) {
        let (store, chunk) = (store.clone(), chunk.to_vec());
        set.spawn(async move {
            for e in &chunk {
                store.insert_event(e, None).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    Ok(Seeded {
        hubs,
        topics,
        some_event,
    })
}

// -------------------------------------------------------------------- feed

type Answer = (
    Duration,
    Result<(u16, Vec<u8>), reqwest::Error>,
    Option<String>,
);

async fn get(client: &reqwest::Client, url: &str, etag: Option<&str>) -> Answer {
    get_with(client, url, etag, false).await
}

/// [`get`], with `Accept-Encoding: gzip` when `gzip` (the body is then
/// measured and kept as sent: the time to decompress it is the app's).
async fn get_with(client: &reqwest::Client, url: &str, etag: Option<&str>, gzip: bool) -> Answer {
    let t0 = Instant::now();
    let mut req = client.get(url);
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    if gzip {
        req = req.header("accept-encoding", "gzip");
    }
    let answer = match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let tag = resp
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            match resp.bytes().await {
                Ok(b) => (Ok((status, b.to_vec())), tag),
                Err(e) => (Err(e), None),
            }
        }
        Err(e) => (Err(e), None),
    };
    (t0.elapsed(), answer.0, answer.1)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn feed_scenario(
    base: &str,
    store: Arc<dyn Store>,
    opts: &CalendarOptions,
    some_event: Uuid,
) -> Result<FeedReport> {
    let url = format!("{base}/calendar.ics");
    let mut t = Tally::default();
    let client = new_client(&mut t).context("client")?;
    let load = load_average();
    let (first, answer, etag) = get(&client, &url, None).await;
    t.record("feed", false, first, &answer, &[200]);
    let body = answer.map(|(_, b)| b).unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let events_in_feed = text.matches("BEGIN:VEVENT").count();

    let mut seq = Vec::new();
    for _ in 0..opts.feed_requests {
        let (d, a, _) = get(&client, &url, None).await;
        t.record("feed", true, d, &a, &[200]);
        seq.push(d);
    }

    let n = opts.feed_clients.max(1);
    let mut set = tokio::task::JoinSet::new();
    for c in 0..n {
        let url = url.clone();
        let count = opts.feed_requests / n + usize::from(c < opts.feed_requests % n);
        set.spawn(async move {
            let mut t = Tally::default();
            let mut took = Vec::new();
            if let Some(client) = new_client(&mut t) {
                for _ in 0..count {
                    let (d, a, _) = get(&client, &url, None).await;
                    t.record("feed", true, d, &a, &[200]);
                    took.push(d);
                }
            }
            (t, took)
        });
    }
    let mut concurrent = Vec::new();
    let mut tallies = Vec::new();
    while let Some(r) = set.join_next().await {
        let (ct, took) = r?;
        concurrent.extend(took);
        tallies.push(ct);
    }

    let mut not_modified = Vec::new();
    for _ in 0..opts.feed_requests {
        let (d, a, _) = get(&client, &url, etag.as_deref()).await;
        t.record("feed 304", true, d, &a, &[304]);
        not_modified.push(d);
    }

    // Apps that take gzip: the copy is made in the background after the
    // first such request; then the same sequential run.
    let mut gzipped = Vec::new();
    let mut gzip_bytes = 0;
    for _ in 0..200 {
        let (_, a, _) = get_with(&client, &url, None, true).await;
        match a {
            Ok((200, b)) if b.len() < body.len() / 2 => {
                gzip_bytes = b.len();
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    if gzip_bytes > 0 {
        for _ in 0..opts.feed_requests {
            let (d, a, _) = get_with(&client, &url, None, true).await;
            t.record("feed gzip", true, d, &a, &[200]);
            gzipped.push(d);
        }
    }

    // Changed straight in the database, as another server process would.
    let mut after_change = Vec::new();
    let mut change_shown = true;
    for _ in 0..opts.feed_changes.max(1) {
        let mut e = store.get_event(some_event).await?;
        e.title = format!("Flyttad workshop {}", new_id());
        e.sequence += 1;
        e.updated_at += Days::seconds(1);
        store
            .update_event(&e, None, &EventNotices::default())
            .await?;
        let (after, answer, _) = get(&client, &url, etag.as_deref()).await;
        t.record("feed after a change", false, after, &answer, &[200]);
        after_change.push(after);
        change_shown &= answer
            .as_ref()
            .is_ok_and(|(_, b)| String::from_utf8_lossy(b).contains(&e.title));
    }

    for ct in tallies {
        t.errors += ct.errors;
        t.error_samples.extend(ct.error_samples);
    }
    Ok(FeedReport {
        bytes: body.len(),
        events_in_feed,
        first_ms: ms(first),
        sequential: Latency::of(seq),
        concurrent: Latency::of(concurrent),
        concurrent_clients: n,
        not_modified: Latency::of(not_modified),
        gzip: Latency::of(gzipped),
        gzip_bytes,
        after_change: Latency::of(after_change),
        change_shown,
        load_average: load,
        errors: t.errors,
        error_samples: t.error_samples.into_iter().take(10).collect(),
    })
}

// ------------------------------------------------------------------- pages

async fn page_client(urls: Arc<Vec<String>>, c: usize, w: Arc<Window>) -> Tally {
    let mut t = Tally::default();
    let Some(client) = new_client(&mut t) else {
        return t;
    };
    let mut i = c;
    while Instant::now() < w.until {
        let url = &urls[i % urls.len()];
        i += 1;
        let t0 = Instant::now();
        let answer = send(client.get(url)).await;
        t.record("page", t0 >= w.measure_from, t0.elapsed(), &answer, &[200]);
    }
    t
}

fn page_scenario(
    client_rt: &tokio::runtime::Runtime,
    opts: &CalendarOptions,
    scenario: Scenario,
    request: &str,
    urls: Vec<String>,
    postgres: bool,
) -> Result<PageReport> {
    let warmup = Duration::from_secs_f64(opts.warmup.max(0.0));
    let measured = Duration::from_secs_f64(opts.seconds.max(0.01));
    let urls = Arc::new(urls);
    let bytes = client_rt
        .block_on(async { anyhow::Ok(reqwest::get(&urls[0]).await?.bytes().await?.len()) })?;
    let (tallies, cpu_before, cpu_after, pg, load) = client_rt.block_on(async {
        let start = Instant::now();
        let w = Arc::new(Window {
            measure_from: start + warmup,
            until: start + warmup + measured,
        });
        let handles: Vec<_> = (0..opts.clients)
            .map(|c| tokio::spawn(page_client(urls.clone(), c, w.clone())))
            .collect();
        tokio::time::sleep_until(w.measure_from.into()).await;
        let load = load_average();
        let cpu_before = cpu_by_thread_group();
        let pg_before = postgres.then(postgres_cpu_s);
        tokio::time::sleep_until(w.until.into()).await;
        let cpu_after = cpu_by_thread_group();
        let pg_after = postgres.then(postgres_cpu_s);
        let mut tallies = Vec::new();
        for h in handles {
            tallies.push(h.await?);
        }
        anyhow::Ok((
            tallies,
            cpu_before,
            cpu_after,
            pg_before.zip(pg_after).map(|(a, b)| b - a),
            load,
        ))
    })?;
    let secs = measured.as_secs_f64();
    let mut all = Vec::new();
    let (mut errors, mut error_samples) = (0, Vec::new());
    for t in tallies {
        all.extend(t.samples.into_iter().map(|(_, d)| d));
        errors += t.errors;
        error_samples.extend(t.error_samples);
    }
    error_samples.truncate(10);
    let requests = all.len() as u64;
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
    Ok(PageReport {
        scenario,
        request: request.into(),
        warmup_s: warmup.as_secs_f64(),
        duration_s: secs,
        requests,
        requests_per_s: requests as f64 / secs,
        latency: Latency::of(all),
        bytes,
        errors,
        error_samples,
        server_cpu_us_per_request: per_request(server_cpu),
        postgres_cpu_us_per_request: pg.map(per_request),
        cpu_s,
        load_average: load,
    })
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// --------------------------------------------------------------------- run

/// Runs the calendar benchmark. Blocking: it builds its own runtimes.
pub fn run(opts: &CalendarOptions) -> Result<CalendarReport> {
    ensure!(opts.clients >= 1, "--clients must be at least 1");
    ensure!(opts.hubs >= 1, "--hubs must be at least 1");
    ensure!(opts.events >= 1, "--events must be at least 1");
    let (server_rt, client_rt) = runtimes(opts.threads)?;
    let now = instant(BENCH_NOW);

    let seed_started = Instant::now();
    let db = server_rt.block_on(Db::open(&opts.db))?;
    let store = db.store();
    let postgres = matches!(db, Db::Postgres { .. });
    let outcome = (|| -> Result<CalendarReport> {
        let seeded = server_rt
            .block_on(seed(store.clone(), opts, now))
            .context("seeding")?;
        if postgres {
            server_rt.block_on(db.analyze())?;
        }
        let seed_s = seed_started.elapsed().as_secs_f64();
        let config = WebConfig {
            public_cache_ttl: Duration::from_millis(opts.page_cache_ms),
            ..WebConfig::default()
        };
        let state = AppState::new(store.clone(), config);
        state.clock.set(now);
        let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let server = server_rt.spawn(thirdplace_web::serve(listener, state, shutdown));

        let result = (|| -> Result<CalendarReport> {
            let mut feed = None;
            let mut pages = Vec::new();
            let mut problems = Vec::new();
            for &scenario in &opts.scenarios {
                match scenario {
                    Scenario::Feed => {
                        let f = client_rt.block_on(feed_scenario(
                            &base,
                            store.clone(),
                            opts,
                            seeded.some_event,
                        ))?;
                        if f.events_in_feed != opts.events {
                            problems.push(format!(
                                "the feed holds {} events, not the {} seeded",
                                f.events_in_feed, opts.events
                            ));
                        }
                        if !f.change_shown {
                            problems.push(
                                "the feed after a change in the database did not show it".into(),
                            );
                        }
                        feed = Some(f);
                    }
                    Scenario::List => pages.push(page_scenario(
                        &client_rt,
                        opts,
                        scenario,
                        "GET /calendar",
                        vec![format!("{base}/calendar")],
                        postgres,
                    )?),
                    Scenario::Filtered => {
                        let mut urls: Vec<String> = seeded
                            .hubs
                            .iter()
                            .map(|h| format!("{base}/calendar?hub={h}"))
                            .collect();
                        urls.extend(
                            seeded
                                .topics
                                .iter()
                                .map(|t| format!("{base}/calendar?topic={}", encode(t))),
                        );
                        pages.push(page_scenario(
                            &client_rt,
                            opts,
                            scenario,
                            "GET /calendar?hub=… | ?topic=…",
                            urls,
                            postgres,
                        )?);
                    }
                    Scenario::Month => {
                        let first = now.with_timezone(&HUB_TIME_ZONE).date_naive();
                        let urls = (0..12)
                            .map(|k| {
                                let m = first
                                    .with_day(1)
                                    .and_then(|d| d.checked_add_months(chrono::Months::new(k)))
                                    .unwrap_or(first);
                                format!("{base}/calendar?view=month&month={}", m.format("%Y-%m"))
                            })
                            .collect();
                        pages.push(page_scenario(
                            &client_rt,
                            opts,
                            scenario,
                            "GET /calendar?view=month&month=… (12 months)",
                            urls,
                            postgres,
                        )?);
                    }
                }
            }
            for p in &pages {
                if p.requests == 0 {
                    problems.push(format!("{}: no request was measured", p.scenario.name()));
                }
            }

            let mut targets = Vec::new();
            if let Some(f) = &feed {
                let worst = f
                    .sequential
                    .p50_ms
                    .max(f.concurrent.p50_ms)
                    .max(f.after_change.p50_ms);
                targets.push(Target {
                    name: "feed latency".into(),
                    pass: f.sequential.p99_ms < TARGET_FEED_MS
                        && f.concurrent.p99_ms < TARGET_FEED_MS
                        && f.after_change.p99_ms < TARGET_FEED_MS
                        && f.errors == 0
                        && f.change_shown,
                    detail: format!(
                        "p50 {:.2} / p99 {:.2} ms sequential, p50 {:.2} / p99 {:.2} ms with {} clients, p50 {:.2} / p99 {:.2} ms after a change (target < {TARGET_FEED_MS:.0} ms; worst median {worst:.2}), first {:.1} ms, {} errors",
                        f.sequential.p50_ms,
                        f.sequential.p99_ms,
                        f.concurrent.p50_ms,
                        f.concurrent.p99_ms,
                        f.concurrent_clients,
                        f.after_change.p50_ms,
                        f.after_change.p99_ms,
                        f.first_ms,
                        f.errors
                    ),
                });
            }
            for p in &pages {
                targets.push(Target {
                    name: format!("{} throughput", p.scenario.name()),
                    pass: p.requests_per_s >= TARGET_PAGE_PER_S && p.errors == 0,
                    detail: format!(
                        "{:.0} req/s with {} clients (target ≥ {TARGET_PAGE_PER_S:.0}), p99 {:.2} ms, {} errors",
                        p.requests_per_s, opts.clients, p.latency.p99_ms, p.errors
                    ),
                });
            }
            Ok(CalendarReport {
                backend: store.backend_name().to_string(),
                clients: opts.clients,
                events: opts.events,
                hubs: opts.hubs,
                topics: seeded.topics.len(),
                page_cache_ms: opts.page_cache_ms,
                seed_s,
                feed,
                pages,
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
    fn topics_are_named_and_encoded() {
        assert_eq!(topic_name(1), "Återbruk");
        assert_eq!(topic_name(20), "Ämne 20");
        assert_eq!(encode("Återbruk"), "%C3%85terbruk");
    }
}
