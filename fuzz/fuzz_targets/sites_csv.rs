//! The CSV files a planner uploads to site selection (`--demand`,
//! `--candidates`, and the locality table format): any text gives rows or a
//! clear error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = thirdplace_sites::data::parse_demand("fuzz.csv", &text);
    let _ = thirdplace_sites::data::parse_candidates("fuzz.csv", &text);
    let _ = thirdplace_sites::data::parse_localities("fuzz.csv", &text);
});
