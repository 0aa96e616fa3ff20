//! `invoice-run`: see `bench/README.md`, "Invoice run with the store
//! (issue 16)". Exits 0 when the target is met, 1 when it is missed or the
//! run found something wrong, 2 when it could not run.

use clap::Parser;
use thirdplace_bench::invoicing::{run, InvoiceOptions};
use thirdplace_bench::tool_main;

fn main() {
    let opts = InvoiceOptions::parse();
    tool_main("invoice-run", opts.json, || run(&opts))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        thirdplace_bench::invoicing::InvoiceOptions::command().debug_assert();
    }
}
