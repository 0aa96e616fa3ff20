//! `checkin-load`: see `bench/README.md`, "Check-in throughput and access
//! summary". Exits 0 when every target is met, 1 when one is missed or the
//! run found errors, 2 when it could not run.

use clap::Parser;
use thirdplace_bench::{run, tool_main, Options};

fn main() {
    let opts = Options::parse();
    tool_main("checkin-load", opts.json, || run(&opts))
}
