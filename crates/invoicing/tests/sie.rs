//! SIE 4 export: a small operator's month written as a file, compared with
//! its golden copy, and left in `target/einvoice/` for `check-sie4` in CI.

use std::path::PathBuf;

use chrono::NaiveDate;
use thirdplace_domain::{OrgNumber, VatRate};
use thirdplace_invoicing::sie::{
    credit_note_verification, invoice_verification, payment_verification, render_sie4, write_sie4,
    FinancialYear, InvoiceAmounts, SieCompany, SieExport,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Writes a produced file where CI's validators look for it:
/// `<workspace root>/target/einvoice/<name>`.
fn keep(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/einvoice");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn month() -> SieExport {
    let coworking = InvoiceAmounts {
        gross_ore: 1_441_900,
        vat: vec![
            (VatRate::parse(25).unwrap(), 237_500),
            (VatRate::parse(6).unwrap(), 14_400),
        ],
        net: vec![(3041, 950_000), (3043, 240_000)],
    };
    let rooms = InvoiceAmounts {
        gross_ore: 1_240_575,
        vat: vec![
            (VatRate::parse(25).unwrap(), 231_875),
            (VatRate::parse(12).unwrap(), 8_700),
            (VatRate::parse(0).unwrap(), 0),
        ],
        net: vec![
            (3041, 800_000),
            (3042, 72_500),
            (3041, 180_000),
            (3045, -52_500),
        ],
    };
    let credit = InvoiceAmounts {
        gross_ore: 237_500,
        vat: vec![(VatRate::STANDARD, 47_500)],
        net: vec![(3041, 190_000)],
    };
    SieExport {
        company: SieCompany {
            name: "Kalmar kommun \"Kalmar Cowork\"".into(),
            org_number: OrgNumber::parse("2120000662").unwrap(),
        },
        year: FinancialYear {
            start: d(2026, 1, 1),
            end: d(2026, 12, 31),
        },
        generated: d(2026, 12, 31),
        account_names: vec![
            (3041, "Arbetsplatser och mötesrum, 25 % moms".into()),
            (3042, "Förtäring, 12 % moms".into()),
            (3043, "Evenemang, 6 % moms".into()),
            (3045, "Rabatter".into()),
        ],
        verifications: vec![
            invoice_verification(
                "A",
                1,
                d(2026, 11, 30),
                "Faktura 2026-1009 Exempelby kommun",
                &coworking,
            )
            .unwrap(),
            invoice_verification(
                "A",
                2,
                d(2026, 11, 30),
                "Faktura 2026-1010 Region Örebro län",
                &rooms,
            )
            .unwrap(),
            credit_note_verification(
                "A",
                3,
                d(2026, 12, 3),
                "Kreditnota 2026-K017 avser faktura 2026-1010",
                &credit,
            )
            .unwrap(),
            payment_verification(
                "B",
                1,
                d(2026, 12, 18),
                "Inbetalning BgMax, OCR 202610093",
                1_441_900,
            ),
            payment_verification(
                "B",
                2,
                d(2026, 12, 19),
                "Inbetalning BgMax, OCR 202610101, delbetalning",
                1_000_000,
            ),
        ],
    }
}

#[test]
fn a_month_of_invoices_credit_notes_and_payments_matches_the_golden_file() {
    let export = month();
    let text = render_sie4(&export).unwrap();
    insta::with_settings!({filters => vec![(r#"#PROGRAM "thirdplace" "[^"]*""#, r#"#PROGRAM "thirdplace" "[version]""#)]}, {
        insta::assert_snapshot!("sie4_month", text.replace("\r\n", "\n"));
    });
    let bytes = write_sie4(&export).unwrap();
    keep("sie-month.se", &bytes);
}

#[test]
fn the_file_is_pc8_with_crlf_lines_and_every_verification_balances() {
    let bytes = write_sie4(&month()).unwrap();
    assert!(bytes.iter().all(|&b| b != 0));
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    // "Företagskonto" would be 0xC3 0xB6 in UTF-8 and 0xF6 in Latin-1.
    let konto = b"#KONTO 1930 \"F\x94retagskonto\"\r\n";
    assert!(bytes.windows(konto.len()).any(|w| w == konto));
    assert!(bytes
        .windows(2)
        .filter(|w| w[1] == b'\n')
        .all(|w| w[0] == b'\r'));
    assert!(bytes.ends_with(b"}\r\n"));

    let text = render_sie4(&month()).unwrap();
    let mut sum: Option<i64> = None;
    let mut vers = 0;
    for line in text.lines() {
        match line {
            "{" => sum = Some(0),
            "}" => {
                assert_eq!(sum.take(), Some(0), "a verification does not balance");
                vers += 1;
            }
            l if l.starts_with("#TRANS") => {
                let amount = l.split(' ').nth(3).unwrap();
                let (kr, ore) = amount.split_once('.').unwrap();
                assert_eq!(ore.len(), 2, "{l}");
                let neg = kr.starts_with('-');
                let v = kr.trim_start_matches('-').parse::<i64>().unwrap() * 100
                    + ore.parse::<i64>().unwrap();
                *sum.as_mut().unwrap() += if neg { -v } else { v };
            }
            _ => {}
        }
    }
    assert_eq!(vers, 5);
}

#[test]
fn an_export_without_verifications_is_still_a_valid_file() {
    let mut export = month();
    export.verifications.clear();
    let bytes = write_sie4(&export).unwrap();
    let text = render_sie4(&export).unwrap();
    assert!(text.starts_with("#FLAGGA 0\r\n#PROGRAM "));
    assert!(text.contains("#KONTO 1510 \"Kundfordringar\"\r\n"));
    assert!(!text.contains("#VER"));
    keep("sie-empty.se", &bytes);
}
