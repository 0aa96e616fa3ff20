//! BgMax import: Bankgirot's sample and generated files parse to the right
//! payments; broken and foreign files are refused with line and reason.
//!
//! Fixtures (`tests/fixtures/bgmax-*.txt`) come from the validation kit:
//! its sample and broken copies, and files from `bgmax generate --seed N`.

use chrono::NaiveDate;
use thirdplace_invoicing::bgmax::matching::{
    match_payments, Allocation, Decision, OpenInvoice, Unmatched,
};
use thirdplace_invoicing::bgmax::{parse, BgMaxError, PaymentKind, Reason, ReferenceType};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sample() -> Vec<u8> {
    fixture("bgmax-sample.txt")
}

/// The sample with line `no` (1-based) replaced by `record`.
fn with_line(no: usize, record: &str) -> Vec<u8> {
    let text: String = sample().iter().map(|&b| char::from(b)).collect();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[no - 1] = record.to_owned();
    latin1(&(lines.join("\n") + "\n"))
}

fn latin1(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

fn line_of(no: usize) -> String {
    let text: String = sample().iter().map(|&b| char::from(b)).collect();
    text.lines().nth(no - 1).unwrap().to_owned()
}

fn refused(bytes: &[u8]) -> BgMaxError {
    parse(bytes).expect_err("the file must be refused")
}

#[test]
fn bankgirots_sample_gives_its_payments_with_date_payer_and_key() {
    let file = parse(&sample()).unwrap();
    assert_eq!(
        file.created,
        NaiveDate::from_ymd_opt(2026, 12, 18)
            .unwrap()
            .and_hms_micro_opt(17, 30, 35, 10331)
            .unwrap()
    );
    assert!(!file.test);
    assert_eq!(file.payee_bankgiro.as_deref(), Some("50501055"));
    assert_eq!(
        file.fingerprint,
        "4772d6daf51f04adeadabb56601be01fd6f0f9c42fa2b5014db80b5b6ae14fdd"
    );
    assert!(file.skipped_lines.is_empty());
    assert_eq!(file.deposits.len(), 2);
    assert_eq!(file.deposits[0].amount_ore, 5_329_400);
    assert_eq!(file.deposits[1].amount_ore, 3_334_900);
    assert_eq!(file.payments.len(), 6);

    let first = &file.payments[0];
    assert_eq!(first.kind, PaymentKind::Payment);
    assert_eq!(first.amount_ore, 1_441_900);
    assert_eq!(first.reference, "202610093");
    assert_eq!(first.reference_type, ReferenceType::Ocr);
    assert_eq!(first.payer_bankgiro, None);
    assert_eq!(first.payer_name.as_deref(), Some("Exempelby kommun"));
    assert_eq!(first.payer_org_number.as_deref(), Some("2120009994"));
    assert_eq!(
        first.payment_date,
        NaiveDate::from_ymd_opt(2026, 12, 18).unwrap()
    );
    assert_eq!(first.key, "50501055:20261218:00071:20:000261218009");

    // Latin-1 letters read right; a deduction counts negative.
    let deduction = &file.payments[2];
    assert_eq!(deduction.kind, PaymentKind::Deduction { code: 0 });
    assert_eq!(deduction.amount_ore, -237_500);
    assert_eq!(
        deduction.payer_name.as_deref(),
        Some("Fjällbygdens Vatten AB")
    );
    assert_eq!(deduction.information, vec!["Kreditnota 2026-K017"]);
    assert_eq!(
        deduction.payer_address.as_ref().unwrap().town,
        "Frösön".to_owned()
    );

    // The second deposit is a day later.
    assert!(file.payments[3..]
        .iter()
        .all(|p| p.payment_date == NaiveDate::from_ymd_opt(2026, 12, 19).unwrap()));
    let keys: std::collections::HashSet<_> = file.payments.iter().map(|p| &p.key).collect();
    assert_eq!(keys.len(), 6, "keys are unique");
}

#[test]
fn the_parsed_sample_matches_its_golden_copy() {
    let file = parse(&sample()).unwrap();
    insta::assert_debug_snapshot!("bgmax_sample", file);
}

#[test]
fn generated_files_with_crlf_and_a_test_mark_parse() {
    let file = parse(&fixture("bgmax-seed7-crlf-test.txt")).unwrap();
    assert!(file.test);
    assert_eq!(file.payee_bankgiro.as_deref(), Some("9912346"));
    assert_eq!(file.payments.len(), 6);
    assert_eq!(
        file.payments.iter().map(|p| p.amount_ore).sum::<i64>(),
        file.deposits.iter().map(|d| d.amount_ore).sum::<i64>()
    );
    let other = parse(&fixture("bgmax-seed42.txt")).unwrap();
    assert_eq!(other.payments.len(), 6);
    assert_ne!(other.fingerprint, file.fingerprint);
}

#[test]
fn the_same_payments_sent_again_keep_their_keys_and_the_same_file_its_fingerprint() {
    let once = parse(&sample()).unwrap();
    let again = parse(&sample()).unwrap();
    assert_eq!(once, again);
    // Bankgirot sends the day again with a new timestamp: new file, same payments.
    let resent = with_line(
        1,
        &line_of(1).replace("20261218173035010331", "20261219080000000000"),
    );
    let resent = parse(&resent).unwrap();
    assert_ne!(resent.fingerprint, once.fingerprint);
    let keys = |f: &thirdplace_invoicing::bgmax::BgMaxFile| {
        f.payments.iter().map(|p| p.key.clone()).collect::<Vec<_>>()
    };
    assert_eq!(keys(&resent), keys(&once));
}

#[test]
fn a_file_saved_again_as_utf8_reads_the_same() {
    let text: String = sample().iter().map(|&b| char::from(b)).collect();
    let utf8 = parse(text.as_bytes()).unwrap();
    let latin = parse(&sample()).unwrap();
    assert_eq!(utf8.payments, latin.payments);
}

#[test]
fn a_deposit_total_that_differs_from_its_payments_is_refused_with_its_line() {
    let e = refused(&fixture("bgmax-wrong-deposit-total.txt"));
    assert_eq!(e.line, Some(21));
    assert_eq!(
        e.reason,
        Reason::DepositTotal {
            stated: 5_329_500,
            computed: 5_329_400
        }
    );
    assert_eq!(
        e.to_string(),
        "line 21: the deposit total is 5329500 öre but its payments less deductions sum to 5329400 öre"
    );
}

#[test]
fn end_counters_that_do_not_add_up_are_refused() {
    let e = refused(&fixture("bgmax-wrong-end-counts.txt"));
    assert_eq!(e.line, Some(40));
    assert_eq!(
        e.reason,
        Reason::EndCount {
            what: "extra reference records (TK22/TK23)",
            stated: 4,
            counted: 3
        }
    );
}

#[test]
fn files_that_are_not_bgmax_are_refused() {
    for foreign in [
        &b""[..],
        b"\n",
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
        b"#FLAGGA 0\r\n#FORMAT PC8\r\n",
        b"datum;belopp;referens\n2026-12-18;14419,00;202610093\n",
        b"01LBIN                0120261218173035010331P                                   \n",
    ] {
        let e = refused(foreign);
        assert_eq!(
            e.reason,
            Reason::NotBgMax,
            "{:?}",
            String::from_utf8_lossy(foreign)
        );
    }
    let e = refused(&with_line(1, &line_of(1).replace("BGMAX", "BGMIN")));
    assert_eq!(e.reason, Reason::NotBgMax);
    let e = refused(&with_line(
        1,
        &line_of(1).replace("BGMAX               01", "BGMAX               02"),
    ));
    assert_eq!((e.line, e.reason), (Some(1), Reason::Version("02".into())));
}

#[test]
fn a_record_of_the_wrong_length_is_refused_with_its_line() {
    let short = line_of(3).trim_end().to_owned();
    let e = refused(&with_line(3, &short));
    assert_eq!(
        (e.line, e.reason),
        (Some(3), Reason::RecordLength { found: 70 })
    );
    let e = refused(&with_line(3, &(line_of(3) + "X")));
    assert_eq!(e.reason, Reason::RecordLength { found: 81 });
    let e = refused(&with_line(4, ""));
    assert_eq!(
        (e.line, e.reason),
        (Some(4), Reason::RecordLength { found: 0 })
    );
}

#[test]
fn an_unknown_record_type_is_refused_unless_it_is_a_number_bankgirot_may_add() {
    let e = refused(&with_line(4, &line_of(4).replacen("26", "X6", 1)));
    assert_eq!(
        (e.line, e.reason),
        (Some(4), Reason::UnknownRecordType("X6".into()))
    );
    // A two-digit type this parser does not know is skipped, as Bankgirot asks.
    let file = parse(&with_line(4, &line_of(4).replacen("26", "99", 1))).unwrap();
    assert_eq!(file.skipped_lines, vec![4]);
    assert_eq!(file.payments[0].payer_name, None);
}

#[test]
fn fields_that_are_not_what_their_position_holds_are_refused() {
    // Amount with a letter.
    let e = refused(&with_line(
        3,
        &line_of(3).replacen("00000000000144", "0000000000014A", 1),
    ));
    assert_eq!(e.line, Some(3));
    assert!(
        e.to_string()
            .starts_with("line 3: the amount (positions 38–55) is \"0000000000014A"),
        "{e}"
    );
    // Reference code 9.
    let mut rec: Vec<char> = line_of(3).chars().collect();
    rec[55] = '9';
    let e = refused(&with_line(3, &rec.iter().collect::<String>()));
    assert!(matches!(e.reason, Reason::Field { from: 56, .. }), "{e}");
    // Payment date 2026-13-18 in a TK15.
    let e = refused(&with_line(
        21,
        &line_of(21).replacen("20261218", "20261318", 1),
    ));
    assert!(e.to_string().contains("the payment date"), "{e}");
    assert_eq!(e.line, Some(21));
    // Test mark neither T nor P.
    let mut rec: Vec<char> = line_of(1).chars().collect();
    rec[44] = 'X';
    let e = refused(&with_line(1, &rec.iter().collect::<String>()));
    assert!(e.to_string().contains("test mark"), "{e}");
}

#[test]
fn a_deposit_count_or_currency_that_differs_is_refused() {
    let e = refused(&with_line(
        21,
        &line_of(21).replacen("SEK00000003", "SEK00000004", 1),
    ));
    assert_eq!(
        (e.line, e.reason),
        (
            Some(21),
            Reason::DepositCount {
                stated: 4,
                counted: 3
            }
        )
    );
    let e = refused(&with_line(
        21,
        &line_of(21).replacen("SEK00000003", "EUR00000003", 1),
    ));
    assert!(matches!(e.reason, Reason::DepositCurrency { .. }), "{e}");
}

#[test]
fn records_out_of_order_are_refused() {
    // A payment before any deposit is opened.
    let e = refused(&with_line(2, &line_of(3)));
    assert_eq!(e.line, Some(2));
    assert!(matches!(e.reason, Reason::Order(_)), "{e}");
    // A name record with no payment before it.
    let e = refused(&with_line(3, &line_of(4)));
    assert!(matches!(e.reason, Reason::Order(_)), "{e}");
    // A second opening record inside a deposit.
    let e = refused(&with_line(21, &line_of(2)));
    assert!(matches!(e.reason, Reason::Order(_)), "{e}");
    // A second start record.
    let e = refused(&with_line(2, &line_of(1)));
    assert_eq!(e.line, Some(2));
    assert!(matches!(e.reason, Reason::Order(_)), "{e}");
}

#[test]
fn a_cut_off_file_or_records_after_the_end_are_refused() {
    let text: String = sample().iter().map(|&b| char::from(b)).collect();
    let lines: Vec<&str> = text.lines().collect();
    let cut = latin1(&(lines[..30].join("\n") + "\n"));
    assert_eq!(refused(&cut).reason, Reason::MissingEnd);
    let cut = latin1(&(lines[..40].join("\n") + "\n"));
    assert_eq!(refused(&cut).reason, Reason::MissingEnd);
    let extra = latin1(&(text.clone() + lines[2] + "\n"));
    let e = refused(&extra);
    assert_eq!(e.line, Some(42));
    assert!(matches!(e.reason, Reason::Order(_)), "{e}");
}

#[test]
fn the_samples_payments_are_matched_to_open_invoices_by_ocr() {
    let file = parse(&sample()).unwrap();
    let open = vec![
        OpenInvoice {
            id: "2026-1009",
            ocr: "202610093".to_owned(),
            amount_due_ore: 1_441_900,
        },
        OpenInvoice {
            id: "2026-1019",
            ocr: "202610192".to_owned(),
            amount_due_ore: 2_500_000,
        },
        OpenInvoice {
            id: "2026-1029",
            ocr: "202610291".to_owned(),
            amount_due_ore: 1_250_000,
        },
        OpenInvoice {
            id: "2026-1039",
            ocr: "202610390".to_owned(),
            amount_due_ore: 375_000,
        },
    ];
    let full = |invoice, amount_ore| Allocation {
        invoice,
        amount_ore,
        remaining_due_ore: 0,
    };
    assert_eq!(
        match_payments(&open, &file.payments),
        vec![
            Decision::Full(vec![full("2026-1009", 1_441_900)]),
            Decision::Full(vec![
                full("2026-1019", 2_500_000),
                full("2026-1029", 1_250_000),
                full("2026-1039", 375_000)
            ]),
            Decision::Unmatched(Unmatched::Deduction),
            Decision::Unmatched(Unmatched::NotOcr),
            Decision::Unmatched(Unmatched::NotOcr),
            Decision::Unmatched(Unmatched::NoReference),
        ]
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn on_the_sample_with_bytes_changed(
            changes in proptest::collection::vec((0usize..3400, any::<u8>()), 1..6),
            cut in 0usize..3400,
        ) {
            let mut bytes = sample();
            for (at, b) in changes {
                let at = at % bytes.len();
                bytes[at] = b;
            }
            let _ = parse(&bytes);
            let cut = cut % bytes.len();
            let _ = parse(&bytes[..cut]);
        }
    }
}
