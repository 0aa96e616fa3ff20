//! `calendar-load`: see `bench/README.md`, "Calendar (issue 5)". Exits 0 when every
//! target is met, 1 when one is missed or the run found errors, 2 when it
//! could not run.

use clap::Parser;
use thirdplace_bench::calendar::{run, CalendarOptions};
use thirdplace_bench::tool_main;

fn main() {
    let opts = CalendarOptions::parse();
    tool_main("calendar-load", opts.json, || run(&opts))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        thirdplace_bench::calendar::CalendarOptions::command().debug_assert();
    }
}
