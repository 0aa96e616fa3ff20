//! The values people type into forms and API bodies that the domain parses
//! itself: e-mail addresses, organisation numbers, opening hours, amounts in
//! kronor, names and titles. Any text is accepted or refused with a field
//! error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thirdplace_domain::{parse_sek_to_ore, Email, OpeningHours, OrgNumber, Text};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Email::parse(&text);
    let _ = OrgNumber::parse(&text);
    let _ = OpeningHours::parse_day(&text);
    let _ = parse_sek_to_ore(&text);
    let _ = Text::parse(&text, 200);
    let _ = Text::parse_optional(&text, 200);
});
