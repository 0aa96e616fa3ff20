//! `checkin-load`: see `bench/README.md`, "Check-in throughput and access
//! summary". Exits 0 when every target is met, 1 when one is missed or the
//! run found errors, 2 when it could not run.

use clap::Parser;
use thirdplace_bench::{run, Options};

fn main() {
    // The server's default log filter, so the per-request `request` span
    // costs what it costs in production. Logs go to stderr.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let opts = Options::parse();
    match run(&opts) {
        Ok(report) => {
            if opts.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("checkin-load: {e}");
                        std::process::exit(2);
                    }
                }
            } else {
                print!("{}", report.to_text());
            }
            if !report.passed() || report.errors > 0 || !report.problems.is_empty() {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("checkin-load: {e:#}");
            std::process::exit(2);
        }
    }
}
