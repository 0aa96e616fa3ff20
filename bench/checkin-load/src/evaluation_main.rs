//! `pilot-dashboard`: see `bench/README.md`, "Pilot dashboard (issue 17)".
//! Exits 0 when the target is met, 1 when it is missed or the run found
//! something wrong, 2 when it could not run.

use clap::Parser;
use thirdplace_bench::evaluation::{run, EvaluationOptions};
use thirdplace_bench::tool_main;

fn main() {
    let opts = EvaluationOptions::parse();
    tool_main("pilot-dashboard", opts.json, || run(&opts))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        thirdplace_bench::evaluation::EvaluationOptions::command().debug_assert();
    }
}
