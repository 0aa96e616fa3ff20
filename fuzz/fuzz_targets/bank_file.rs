#![no_main]
//! Bankgirot's BgMax payment files, as an operator uploads them: a file is
//! either refused with a reason (and a line within the file, if any) or
//! parsed into deposits whose payments each check, and OCR references are
//! either refused or valid.
use libfuzzer_sys::fuzz_target;
use thirdplace_invoicing::bgmax;
use thirdplace_invoicing::ocr::{LengthDigit, OcrReference};

fuzz_target!(|data: &[u8]| {
    match bgmax::parse(data) {
        Ok(file) => {
            for p in &file.payments {
                assert!(!p.key.is_empty(), "every payment has a key");
            }
        }
        Err(e) => {
            let lines = data.split(|b| *b == b'\n').count();
            if let Some(line) = e.line {
                assert!(line >= 1 && line <= lines, "line {line} of {lines}");
            }
            assert!(!e.to_string().is_empty());
        }
    }
    let text = String::from_utf8_lossy(data);
    for length in [LengthDigit::Without, LengthDigit::With] {
        if let Ok(r) = OcrReference::parse(&text, length) {
            let digits = r.as_str();
            assert!(digits.len() <= 25 && digits.bytes().all(|b| b.is_ascii_digit()));
        }
    }
});
