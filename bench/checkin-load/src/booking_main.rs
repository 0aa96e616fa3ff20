//! `booking-load`: see `bench/README.md`, "Bookings". Exits 0 when every
//! target is met, 1 when one is missed or the run found errors, 2 when it
//! could not run.

use clap::Parser;
use thirdplace_bench::bookings::{run, BookingOptions};
use thirdplace_bench::tool_main;

fn main() {
    let opts = BookingOptions::parse();
    tool_main("booking-load", opts.json, || run(&opts))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        thirdplace_bench::bookings::BookingOptions::command().debug_assert();
    }
}
