//! SIE type 4 export of an operator's invoicing and payment verifications,
//! for the operator's own bookkeeping program.
//!
//! The file follows SIE-Gruppen's "SIE filformat ver 4B": an identification
//! part (`#FLAGGA`, `#PROGRAM`, `#FORMAT PC8`, `#GEN`, `#SIETYP 4`, `#ORGNR`,
//! `#FNAMN`, `#RAR`), a `#KONTO` declaration for every account the file uses,
//! then one `#VER { #TRANS … }` block per verification. Every verification
//! balances to exactly 0; amounts are written in kronor with two decimals,
//! computed from integer öre; the file is encoded in PC8 (IBM code page 437)
//! with CR LF line ends.
//!
//! [`write_sie4`] refuses, rather than writes, a file a bookkeeping program
//! would reject: an unbalanced or empty verification, a duplicate
//! verification number, a date outside the financial year, an account it
//! cannot name. The helpers [`invoice_verification`],
//! [`credit_note_verification`] and [`payment_verification`] build the
//! verifications from an invoice's totals.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use thirdplace_domain::{OrgNumber, VatRate};

/// Kundfordringar: what customers owe (debited by an invoice).
pub const ACCOUNT_RECEIVABLES: u32 = 1510;
/// Företagskonto: the bank account payments arrive in.
pub const ACCOUNT_BANK: u32 = 1930;
/// Utgående moms 25 %.
pub const ACCOUNT_VAT_25: u32 = 2611;
/// Utgående moms 12 %.
pub const ACCOUNT_VAT_12: u32 = 2621;
/// Utgående moms 6 %.
pub const ACCOUNT_VAT_6: u32 = 2631;

/// The program name written in `#PROGRAM`.
pub const PROGRAM_NAME: &str = "thirdplace";

/// The BAS names of the accounts this module books on by itself.
fn standard_account_name(account: u32) -> Option<&'static str> {
    Some(match account {
        ACCOUNT_RECEIVABLES => "Kundfordringar",
        ACCOUNT_BANK => "Företagskonto",
        ACCOUNT_VAT_25 => "Utgående moms 25 %",
        ACCOUNT_VAT_12 => "Utgående moms 12 %",
        ACCOUNT_VAT_6 => "Utgående moms 6 %",
        _ => return None,
    })
}

/// The output VAT account of a rate; 0 % has none.
pub fn vat_account(rate: VatRate) -> Option<u32> {
    match rate.percent() {
        25 => Some(ACCOUNT_VAT_25),
        12 => Some(ACCOUNT_VAT_12),
        6 => Some(ACCOUNT_VAT_6),
        _ => None,
    }
}

/// The company whose books the file is for (the operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SieCompany {
    /// Legal name, written in `#FNAMN`.
    pub name: String,
    /// Written in `#ORGNR` as `NNNNNN-NNNN`; the check digit is verified by the type.
    pub org_number: OrgNumber,
}

/// The financial year the file covers (`#RAR 0`), both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinancialYear {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// One verification (verifikation): a dated, numbered set of transactions
/// that sums to zero. Amounts are öre, debit positive, credit negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The verification series, e.g. "A" for invoices, "B" for payments:
    /// letters and digits only.
    pub series: String,
    /// Number within the series; unique per series in a file.
    pub number: u32,
    pub date: NaiveDate,
    pub text: String,
    /// `(account, amount in öre)`: debit positive, credit negative.
    pub transactions: Vec<(u32, i64)>,
}

/// Everything an SIE 4 file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SieExport {
    pub company: SieCompany,
    pub year: FinancialYear,
    /// The day the file is generated (`#GEN`).
    pub generated: NaiveDate,
    /// Names of the accounts not known to this module (the revenue accounts
    /// per product): `(account, name)`. A name given here also replaces the
    /// standard name of 1510, 1930, 2611, 2621 or 2631.
    pub account_names: Vec<(u32, String)>,
    pub verifications: Vec<Verification>,
}

/// Why an SIE file or a verification cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SieError {
    #[error(
        "verification {series} {number} does not balance: its transactions sum to {sum_ore} öre"
    )]
    Unbalanced {
        series: String,
        number: u32,
        sum_ore: i64,
    },
    #[error("verification {series} {number} has no transactions")]
    Empty { series: String, number: u32 },
    #[error("verification {series} {number} occurs twice")]
    Duplicate { series: String, number: u32 },
    #[error(
        "verification {series} {number} is dated {date}, outside the financial year {start}–{end}"
    )]
    OutsideYear {
        series: String,
        number: u32,
        date: NaiveDate,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("the financial year starts ({start}) after it ends ({end})")]
    BadYear { start: NaiveDate, end: NaiveDate },
    #[error("account {0} has no name: give it in the operator's revenue accounts")]
    UnnamedAccount(u32),
    #[error("the verification series {0:?} must be one or more letters or digits")]
    BadSeries(String),
    #[error("the gross amount {gross_ore} öre differs from net plus VAT ({sum_ore} öre)")]
    GrossMismatch { gross_ore: i64, sum_ore: i64 },
    #[error("{0} % VAT has no output VAT account; a 0 % line carries no VAT amount")]
    NoVatAccount(u8),
    #[error("an amount is too large")]
    Overflow,
}

/// An invoice's totals as the bookkeeping needs them. For a credit note the
/// same amounts, positive; [`credit_note_verification`] reverses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceAmounts {
    /// Total including VAT, debited to 1510.
    pub gross_ore: i64,
    /// VAT amount per rate, credited to 2611/2621/2631.
    pub vat: Vec<(VatRate, i64)>,
    /// Net amount per revenue account (the product's account).
    pub net: Vec<(u32, i64)>,
}

/// The verification of an issued invoice: debit 1510 gross, credit each
/// revenue account its net amount, credit each VAT rate's account its VAT.
pub fn invoice_verification(
    series: &str,
    number: u32,
    date: NaiveDate,
    text: &str,
    amounts: &InvoiceAmounts,
) -> Result<Verification, SieError> {
    let transactions = invoice_transactions(amounts)?;
    Ok(Verification {
        series: series.to_owned(),
        number,
        date,
        text: text.to_owned(),
        transactions,
    })
}

/// The verification of a credit note: the invoice's transactions reversed
/// (credit 1510, debit revenue and VAT). `amounts` are the credit note's
/// totals as positive numbers.
pub fn credit_note_verification(
    series: &str,
    number: u32,
    date: NaiveDate,
    text: &str,
    amounts: &InvoiceAmounts,
) -> Result<Verification, SieError> {
    let transactions = invoice_transactions(amounts)?
        .into_iter()
        .map(|(account, amount)| (account, -amount))
        .collect();
    Ok(Verification {
        series: series.to_owned(),
        number,
        date,
        text: text.to_owned(),
        transactions,
    })
}

/// The verification of a payment received: debit 1930, credit 1510.
pub fn payment_verification(
    series: &str,
    number: u32,
    date: NaiveDate,
    text: &str,
    amount_ore: i64,
) -> Verification {
    Verification {
        series: series.to_owned(),
        number,
        date,
        text: text.to_owned(),
        transactions: vec![
            (ACCOUNT_BANK, amount_ore),
            (ACCOUNT_RECEIVABLES, -amount_ore),
        ],
    }
}

fn invoice_transactions(amounts: &InvoiceAmounts) -> Result<Vec<(u32, i64)>, SieError> {
    // Same account twice (two products on one revenue account, or a rate
    // given twice) is summed into one row, in the order first seen.
    let mut rows: Vec<(u32, i64)> = vec![(ACCOUNT_RECEIVABLES, amounts.gross_ore)];
    let mut add = |account: u32, credit: i64| -> Result<(), SieError> {
        if let Some(row) = rows.iter_mut().find(|r| r.0 == account) {
            row.1 = row.1.checked_sub(credit).ok_or(SieError::Overflow)?;
        } else {
            rows.push((account, credit.checked_neg().ok_or(SieError::Overflow)?));
        }
        Ok(())
    };
    let mut sum: i64 = 0;
    for &(account, net) in &amounts.net {
        add(account, net)?;
        sum = sum.checked_add(net).ok_or(SieError::Overflow)?;
    }
    for &(rate, vat) in &amounts.vat {
        if vat == 0 {
            continue;
        }
        let account = vat_account(rate).ok_or(SieError::NoVatAccount(rate.percent()))?;
        add(account, vat)?;
        sum = sum.checked_add(vat).ok_or(SieError::Overflow)?;
    }
    if sum != amounts.gross_ore {
        return Err(SieError::GrossMismatch {
            gross_ore: amounts.gross_ore,
            sum_ore: sum,
        });
    }
    rows.retain(|r| r.1 != 0);
    Ok(rows)
}

/// Writes the SIE 4 file, PC8-encoded with CR LF line ends.
pub fn write_sie4(export: &SieExport) -> Result<Vec<u8>, SieError> {
    let text = render_sie4(export)?;
    Ok(encode_pc8(&text))
}

/// The file's text before encoding (the golden tests read this).
pub fn render_sie4(export: &SieExport) -> Result<String, SieError> {
    let year = export.year;
    if year.start > year.end {
        return Err(SieError::BadYear {
            start: year.start,
            end: year.end,
        });
    }
    let mut seen = HashSet::new();
    // 1510 always: a file without verifications still declares an account
    // (bookkeeping programs and `check-sie4` expect a chart of accounts).
    let mut used = BTreeSet::from([ACCOUNT_RECEIVABLES]);
    for v in &export.verifications {
        check_verification(v, &year)?;
        if !seen.insert((v.series.as_str(), v.number)) {
            return Err(SieError::Duplicate {
                series: v.series.clone(),
                number: v.number,
            });
        }
        used.extend(v.transactions.iter().map(|t| t.0));
    }
    let given: BTreeMap<u32, &str> = export
        .account_names
        .iter()
        .map(|(a, n)| (*a, n.as_str()))
        .collect();

    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push_str("\r\n");
    };
    line("#FLAGGA 0".into());
    line(format!(
        "#PROGRAM {} {}",
        quote(PROGRAM_NAME),
        quote(env!("CARGO_PKG_VERSION"))
    ));
    line("#FORMAT PC8".into());
    line(format!("#GEN {}", date(export.generated)));
    line("#SIETYP 4".into());
    line(format!("#ORGNR {}", export.company.org_number.as_str()));
    line(format!("#FNAMN {}", quote(&export.company.name)));
    line(format!("#RAR 0 {} {}", date(year.start), date(year.end)));
    line("#VALUTA SEK".into());
    for account in used {
        let name = given
            .get(&account)
            .copied()
            .or_else(|| standard_account_name(account))
            .ok_or(SieError::UnnamedAccount(account))?;
        line(format!("#KONTO {account} {}", quote(name)));
    }
    for v in &export.verifications {
        line(format!(
            "#VER {} {} {} {}",
            v.series,
            v.number,
            date(v.date),
            quote(&v.text)
        ));
        line("{".into());
        for &(account, amount) in &v.transactions {
            line(format!("#TRANS {account} {{}} {}", kronor(amount)));
        }
        line("}".into());
    }
    Ok(out)
}

fn check_verification(v: &Verification, year: &FinancialYear) -> Result<(), SieError> {
    if v.series.is_empty() || !v.series.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(SieError::BadSeries(v.series.clone()));
    }
    if v.transactions.is_empty() {
        return Err(SieError::Empty {
            series: v.series.clone(),
            number: v.number,
        });
    }
    let sum = v
        .transactions
        .iter()
        .try_fold(0i64, |acc, t| acc.checked_add(t.1))
        .ok_or(SieError::Overflow)?;
    if sum != 0 {
        return Err(SieError::Unbalanced {
            series: v.series.clone(),
            number: v.number,
            sum_ore: sum,
        });
    }
    if v.date < year.start || v.date > year.end {
        return Err(SieError::OutsideYear {
            series: v.series.clone(),
            number: v.number,
            date: v.date,
            start: year.start,
            end: year.end,
        });
    }
    Ok(())
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Öre as kronor with a decimal point and two decimals: `-1234.50`.
/// Integer arithmetic only.
pub fn kronor(ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A quoted SIE field. A quote inside is written `\"`. Control characters
/// (line breaks, tabs) become blanks, since an item is one line. A
/// backslash becomes `/`: the format knows no escape for it, and one just
/// before the closing quote would read as an escaped quote.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push('/'),
            c if c.is_control() => q.push(' '),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// Encodes text in PC8 (IBM code page 437) with the `oem_cp` crate's table.
/// A character CP437 does not have (e.g. `ø`, `€`) becomes `?`.
pub fn encode_pc8(text: &str) -> Vec<u8> {
    oem_cp::encode_string_lossy(text, &oem_cp::code_table::ENCODING_TABLE_CP437)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn export(verifications: Vec<Verification>) -> SieExport {
        SieExport {
            company: SieCompany {
                name: "Kalmar kommun".into(),
                org_number: OrgNumber::parse("212000-0662").unwrap(),
            },
            year: FinancialYear {
                start: d("2026-01-01"),
                end: d("2026-12-31"),
            },
            generated: d("2026-12-07"),
            account_names: vec![(3041, "Uthyrning arbetsplatser".into())],
            verifications,
        }
    }

    fn amounts() -> InvoiceAmounts {
        InvoiceAmounts {
            gross_ore: 125_000,
            vat: vec![(VatRate::STANDARD, 25_000)],
            net: vec![(3041, 100_000)],
        }
    }

    #[test]
    fn kronor_are_written_from_ore_with_two_decimals() {
        assert_eq!(kronor(0), "0.00");
        assert_eq!(kronor(5), "0.05");
        assert_eq!(kronor(-5), "-0.05");
        assert_eq!(kronor(123_450), "1234.50");
        assert_eq!(kronor(-100), "-1.00");
        assert_eq!(kronor(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn quoted_strings_escape_quotes_and_lose_line_breaks_and_backslashes() {
        assert_eq!(quote("Faktura \"A\""), "\"Faktura \\\"A\\\"\"");
        assert_eq!(quote("rad 1\nrad 2\t"), "\"rad 1 rad 2 \"");
        assert_eq!(quote("C:\\"), "\"C:/\"");
        assert_eq!(quote(""), "\"\"");
    }

    #[test]
    fn swedish_letters_are_encoded_in_code_page_437() {
        assert_eq!(
            encode_pc8("åäöÅÄÖé"),
            vec![0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99, 0x82]
        );
        assert_eq!(encode_pc8("€ ø"), b"? ?".to_vec());
    }

    #[test]
    fn an_invoice_debits_receivables_and_credits_revenue_and_vat() {
        let v = invoice_verification("A", 1, d("2026-11-30"), "Faktura 1", &amounts()).unwrap();
        assert_eq!(
            v.transactions,
            vec![(1510, 125_000), (3041, -100_000), (2611, -25_000)]
        );
    }

    #[test]
    fn an_invoice_with_several_rates_and_accounts_sums_per_account() {
        let a = InvoiceAmounts {
            gross_ore: 100_000 + 25_000 + 20_000 + 1_200 + 10_000 + 600 + 5_000,
            vat: vec![
                (VatRate::parse(25).unwrap(), 25_000),
                (VatRate::parse(12).unwrap(), 1_200),
                (VatRate::parse(6).unwrap(), 600),
                (VatRate::parse(0).unwrap(), 0),
            ],
            net: vec![
                (3041, 100_000),
                (3042, 10_000),
                (3041, 20_000),
                (3044, 5_000),
            ],
        };
        let v = invoice_verification("A", 2, d("2026-11-30"), "x", &a).unwrap();
        assert_eq!(
            v.transactions,
            vec![
                (1510, 161_800),
                (3041, -120_000),
                (3042, -10_000),
                (3044, -5_000),
                (2611, -25_000),
                (2621, -1_200),
                (2631, -600),
            ]
        );
        assert_eq!(v.transactions.iter().map(|t| t.1).sum::<i64>(), 0);
    }

    #[test]
    fn a_credit_note_reverses_the_invoice() {
        let v = credit_note_verification("A", 3, d("2026-12-01"), "Kredit", &amounts()).unwrap();
        assert_eq!(
            v.transactions,
            vec![(1510, -125_000), (3041, 100_000), (2611, 25_000)]
        );
    }

    #[test]
    fn a_payment_debits_the_bank_and_credits_receivables() {
        let v = payment_verification("B", 1, d("2026-12-18"), "Inbetalning", 125_000);
        assert_eq!(v.transactions, vec![(1930, 125_000), (1510, -125_000)]);
    }

    #[test]
    fn a_gross_that_is_not_net_plus_vat_is_refused() {
        let mut a = amounts();
        a.gross_ore += 1;
        assert_eq!(
            invoice_verification("A", 1, d("2026-11-30"), "x", &a).unwrap_err(),
            SieError::GrossMismatch {
                gross_ore: 125_001,
                sum_ore: 125_000
            }
        );
    }

    #[test]
    fn vat_at_zero_percent_has_no_account() {
        let a = InvoiceAmounts {
            gross_ore: 110,
            vat: vec![(VatRate::parse(0).unwrap(), 10)],
            net: vec![(3041, 100)],
        };
        assert_eq!(
            invoice_verification("A", 1, d("2026-11-30"), "x", &a).unwrap_err(),
            SieError::NoVatAccount(0)
        );
    }

    #[test]
    fn an_unbalanced_verification_is_refused() {
        let mut v = payment_verification("B", 1, d("2026-12-18"), "x", 100);
        v.transactions[0].1 = 101;
        assert!(matches!(
            render_sie4(&export(vec![v])),
            Err(SieError::Unbalanced { sum_ore: 1, .. })
        ));
    }

    #[test]
    fn duplicates_empty_verifications_and_dates_outside_the_year_are_refused() {
        let p = payment_verification("B", 1, d("2026-12-18"), "x", 100);
        assert!(matches!(
            render_sie4(&export(vec![p.clone(), p.clone()])),
            Err(SieError::Duplicate { number: 1, .. })
        ));
        let mut empty = p.clone();
        empty.transactions.clear();
        assert!(matches!(
            render_sie4(&export(vec![empty])),
            Err(SieError::Empty { .. })
        ));
        let mut late = p.clone();
        late.date = d("2027-01-01");
        assert!(matches!(
            render_sie4(&export(vec![late])),
            Err(SieError::OutsideYear { .. })
        ));
        let mut bad_series = p;
        bad_series.series = "B 1".into();
        assert!(matches!(
            render_sie4(&export(vec![bad_series])),
            Err(SieError::BadSeries(_))
        ));
    }

    #[test]
    fn a_revenue_account_without_a_name_is_refused() {
        let a = InvoiceAmounts {
            gross_ore: 100,
            vat: vec![],
            net: vec![(3999, 100)],
        };
        let v = invoice_verification("A", 1, d("2026-11-30"), "x", &a).unwrap();
        assert_eq!(
            render_sie4(&export(vec![v])).unwrap_err(),
            SieError::UnnamedAccount(3999)
        );
    }

    #[test]
    fn only_the_accounts_used_and_1510_are_declared() {
        let v = payment_verification("B", 1, d("2026-12-18"), "x", 100);
        let text = render_sie4(&export(vec![v])).unwrap();
        let kontos: Vec<&str> = text.lines().filter(|l| l.starts_with("#KONTO")).collect();
        assert_eq!(
            kontos,
            vec![
                "#KONTO 1510 \"Kundfordringar\"",
                "#KONTO 1930 \"Företagskonto\""
            ]
        );
        let text = render_sie4(&export(vec![])).unwrap();
        let kontos: Vec<&str> = text.lines().filter(|l| l.starts_with("#KONTO")).collect();
        assert_eq!(kontos, vec!["#KONTO 1510 \"Kundfordringar\""]);
    }
}
