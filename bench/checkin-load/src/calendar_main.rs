//! `calendar-load`: see `bench/README.md`, "Calendar (issue 5)". Exits 0 when every
//! target is met, 1 when one is missed or the run found errors, 2 when it
//! could not run.

use clap::Parser;
use thirdplace_bench::calendar::{run, CalendarOptions};

fn main() {
    // The server's default log filter, as in the other load tools. Logs go to
    // stderr.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let opts = CalendarOptions::parse();
    match run(&opts) {
        Ok(report) => {
            if opts.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("calendar-load: {e}");
                        std::process::exit(2);
                    }
                }
            } else {
                print!("{}", report.to_text());
            }
            if !report.passed() || report.errors() > 0 || !report.problems.is_empty() {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("calendar-load: {e:#}");
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        thirdplace_bench::calendar::CalendarOptions::command().debug_assert();
    }
}
