//! Benchmark driver for the maximal covering location solver (issue 6), used
//! by `bench/sites/run.sh`. End to end per run: read and parse the CSV text,
//! build the coverage sets (grid + haversine), solve exactly.
//!
//! ```text
//! cargo run --release -p thirdplace-sites --example mclp_bench -- \
//!     [--sweden | --demand FILE --candidates FILE] [--radius-km 15] [--detour 1.0]
//!     [--k 10,25,50] [--repeat 5] [--min-weight W] [--time-limit-s 60 | --total-limit-s 9.7] [--gap 0.001] [--json]
//! ```
//!
//! `--sweden` uses the shipped table (every locality as demand, every
//! non-central-town locality as candidate). `--min-weight` keeps only demand
//! points (and candidates that are demand points of at least that weight, by
//! id) to scale an instance down. Each run prints one line; with `--json` one
//! JSON object per line. Times are the median of `--repeat` runs; the
//! solution shown is the first run's. `--gap` is the relative gap at which the
//! search may stop (`Limits::gap_tolerance`; default 0 = prove optimality).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use thirdplace_sites::data::{parse_candidates, parse_demand, parse_localities, SHIPPED_CSV};
use thirdplace_sites::{solve_max_cover, Coverage, Limits, Point, Reach, Solution};

struct Args {
    sweden: bool,
    demand: Option<String>,
    candidates: Option<String>,
    radius_km: f64,
    detour: f64,
    ks: Vec<usize>,
    repeat: usize,
    min_weight: f64,
    time_limit: Duration,
    /// End-to-end budget: the solver gets what parsing and coverage leave.
    total_limit: Option<Duration>,
    gap: f64,
    json: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: mclp_bench [--sweden | --demand FILE --candidates FILE] [--radius-km 15] \
         [--detour 1.0] [--k 10,25,50] [--repeat 5] [--min-weight W] [--time-limit-s 60 | --total-limit-s 9.7] [--gap 0.001] [--json]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        sweden: false,
        demand: None,
        candidates: None,
        radius_km: 15.0,
        detour: 1.0,
        ks: vec![10, 25, 50],
        repeat: 5,
        min_weight: 0.0,
        time_limit: Duration::from_secs(60),
        total_limit: None,
        gap: 0.0,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--sweden" => a.sweden = true,
            "--json" => a.json = true,
            "--demand" => a.demand = Some(val()),
            "--candidates" => a.candidates = Some(val()),
            "--radius-km" => a.radius_km = val().parse().unwrap_or_else(|_| usage()),
            "--detour" => a.detour = val().parse().unwrap_or_else(|_| usage()),
            "--repeat" => a.repeat = val().parse().unwrap_or_else(|_| usage()),
            "--min-weight" => a.min_weight = val().parse().unwrap_or_else(|_| usage()),
            "--gap" => a.gap = val().parse().unwrap_or_else(|_| usage()),
            "--total-limit-s" => {
                a.total_limit = Some(Duration::from_secs_f64(
                    val().parse().unwrap_or_else(|_| usage()),
                ))
            }
            "--time-limit-s" => {
                a.time_limit = Duration::from_secs_f64(val().parse().unwrap_or_else(|_| usage()))
            }
            "--k" => {
                a.ks = val()
                    .split(',')
                    .map(|k| k.trim().parse().unwrap_or_else(|_| usage()))
                    .collect()
            }
            _ => usage(),
        }
    }
    if a.sweden == (a.demand.is_some() || a.candidates.is_some())
        || a.demand.is_some() != a.candidates.is_some()
        || a.repeat == 0
    {
        usage();
    }
    a
}

/// Phase times of one end-to-end run, in seconds.
#[derive(Clone, Copy, Default)]
struct Times {
    parse: f64,
    coverage: f64,
    solve: f64,
}

impl Times {
    fn total(&self) -> f64 {
        self.parse + self.coverage + self.solve
    }
}

/// Text of the inputs, read once (file I/O is not part of the timing).
enum Input {
    Sweden,
    Files {
        demand_name: String,
        demand: String,
        cand_name: String,
        cand: String,
    },
}

struct Instance {
    demand: Vec<(Point, f64)>,
    candidates: Vec<Point>,
}

fn load(input: &Input, min_weight: f64) -> Instance {
    match input {
        Input::Sweden => {
            let all = parse_localities("se_localities.csv", SHIPPED_CSV).expect("shipped table");
            let all: Vec<_> = all
                .into_iter()
                .filter(|l| l.population as f64 >= min_weight)
                .collect();
            Instance {
                demand: all.iter().map(|l| (l.point, l.population as f64)).collect(),
                candidates: all
                    .iter()
                    .filter(|l| !l.is_central_town)
                    .map(|l| l.point)
                    .collect(),
            }
        }
        Input::Files {
            demand_name,
            demand,
            cand_name,
            cand,
        } => {
            let d = parse_demand(demand_name, demand).unwrap_or_else(|e| fail(&e.to_string()));
            let c = parse_candidates(cand_name, cand).unwrap_or_else(|e| fail(&e.to_string()));
            let d: Vec<_> = d.into_iter().filter(|d| d.weight >= min_weight).collect();
            let c: Vec<Point> = if min_weight > 0.0 {
                let keep: HashSet<&str> = d.iter().map(|d| d.id.as_str()).collect();
                c.iter()
                    .filter(|c| keep.contains(c.id.as_str()))
                    .map(|c| c.point)
                    .collect()
            } else {
                c.iter().map(|c| c.point).collect()
            };
            Instance {
                demand: d.iter().map(|d| (d.point, d.weight)).collect(),
                candidates: c,
            }
        }
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("mclp_bench: {msg}");
    std::process::exit(1)
}

fn run(input: &Input, a: &Args, k: usize) -> (Times, Solution, usize, usize, usize) {
    let t0 = Instant::now();
    let inst = load(input, a.min_weight);
    let t1 = Instant::now();
    let reach = Reach::new(a.radius_km, a.detour).unwrap_or_else(|e| fail(&e.to_string()));
    let cov = Coverage::build(&inst.demand, &[], &inst.candidates, &reach);
    let t2 = Instant::now();
    // With an end-to-end budget the solver's limit is what is left of it
    // (parsing and coverage take 0.5-1.2 s on Europe, more under load).
    let time_limit = match a.total_limit {
        Some(t) => t.saturating_sub(t2 - t0).max(Duration::from_millis(100)),
        None => a.time_limit,
    };
    let limits = Limits {
        max_nodes: u64::MAX,
        time_limit: Some(time_limit),
        gap_tolerance: a.gap,
    };
    let s = solve_max_cover(&cov, k, limits).unwrap_or_else(|e| fail(&e.to_string()));
    let t3 = Instant::now();
    let pairs = cov.candidate_covers.iter().map(Vec::len).sum();
    (
        Times {
            parse: (t1 - t0).as_secs_f64(),
            coverage: (t2 - t1).as_secs_f64(),
            solve: (t3 - t2).as_secs_f64(),
        },
        s,
        inst.demand.len(),
        inst.candidates.len(),
        pairs,
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let a = parse_args();
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| fail(&format!("{p}: {e}")));
    let input = if a.sweden {
        Input::Sweden
    } else {
        let (d, c) = (a.demand.clone().unwrap(), a.candidates.clone().unwrap());
        Input::Files {
            demand: read(&d),
            demand_name: d,
            cand: read(&c),
            cand_name: c,
        }
    };
    for &k in &a.ks {
        let mut runs = Vec::new();
        for _ in 0..a.repeat {
            runs.push(run(&input, &a, k));
        }
        let (_, s, n_dem, n_cand, pairs) = runs[0].clone();
        let med = |f: fn(&Times) -> f64| median(runs.iter().map(|r| f(&r.0)).collect());
        let t = Times {
            parse: med(|t| t.parse),
            coverage: med(|t| t.coverage),
            solve: med(|t| t.solve),
        };
        let total = med(Times::total);
        let rel_gap = if s.covered_after > 0.0 {
            s.gap / s.covered_after
        } else {
            0.0
        };
        if a.json {
            println!(
                "{{\"demand_points\":{n_dem},\"candidates\":{n_cand},\"pairs\":{pairs},\
                 \"radius_km\":{},\"detour\":{},\"k\":{k},\"repeat\":{},\
                 \"parse_s\":{:.6},\"coverage_s\":{:.6},\"solve_s\":{:.6},\"total_s\":{:.6},\
                 \"optimal\":{},\"covered\":{},\"upper_bound\":{},\"gap\":{},\"rel_gap\":{:e},\
                 \"total_weight\":{},\"nodes\":{},\"chosen\":{}}}",
                a.radius_km,
                a.detour,
                a.repeat,
                t.parse,
                t.coverage,
                t.solve,
                total,
                s.optimal,
                s.covered_after,
                s.upper_bound,
                s.gap,
                rel_gap,
                s.total,
                s.nodes,
                s.chosen.len()
            );
        } else {
            println!(
                "points={n_dem} candidates={n_cand} pairs={pairs} k={k}: \
                 total {:.1} ms (parse {:.1}, coverage {:.1}, solve {:.1}), {} gap {} ({:.4} %), \
                 covered {} of {} ({:.2} %), nodes {}",
                total * 1e3,
                t.parse * 1e3,
                t.coverage * 1e3,
                t.solve * 1e3,
                if s.optimal { "optimal" } else { "NOT PROVEN" },
                s.gap,
                100.0 * rel_gap,
                s.covered_after,
                s.total,
                100.0 * s.covered_after / s.total.max(f64::MIN_POSITIVE),
                s.nodes
            );
        }
    }
}
