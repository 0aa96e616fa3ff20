//! A strict parser for Bankgirot's BgMax files ("Bankgiro Inbetalningar"):
//! the payments a payee's bankgiro received, grouped per deposit.
//!
//! Field positions follow Bankgirot's BgMax technical manual (layout 01), as
//! summarised in the validation kit's `docs/FORMAT-BGMAX.md`: fixed records
//! of 80 characters, ISO 8859-1 text, amounts in öre, positions 1-based.
//!
//! [`parse`] either returns every payment of the file or refuses the whole
//! file with the line number and the reason: a file that is not BgMax at
//! all, a record of the wrong length, a record type that is not a number, a
//! field that is not what its position must hold, records out of order, a
//! deposit (TK15) whose total or count differs from its payments, or end
//! counters (TK70) that do not add up. Nothing is half-read. Record types
//! that are two digits but unknown are skipped, as Bankgirot asks of
//! importers (it may add types); their lines are listed in
//! [`BgMaxFile::skipped_lines`].
//!
//! Each payment has a stable [`Payment::key`] (payee bankgiro, payment date,
//! deposit serial number and Bankgirot's serial number of the payment), and
//! the file a SHA-256 [`BgMaxFile::fingerprint`], so that importing the same
//! payments twice can be detected. Matching payments to open invoices is in
//! [`matching`].

pub mod matching;

use std::collections::HashMap;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

/// Every BgMax record is this many characters long.
pub const RECORD_LENGTH: usize = 80;

/// A parsed BgMax file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BgMaxFile {
    /// When Bankgirot wrote the file (TK01, Swedish local time as written).
    pub created: NaiveDateTime,
    /// A test file (`T`) rather than production (`P`).
    pub test: bool,
    /// The receiving bankgiro (of the first deposit), digits without leading
    /// zeros; `None` in a file without deposits.
    pub payee_bankgiro: Option<String>,
    pub deposits: Vec<Deposit>,
    /// Every TK20 payment and TK21 deduction, in file order.
    pub payments: Vec<Payment>,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub fingerprint: String,
    /// Lines of records of an unknown type that were skipped.
    pub skipped_lines: Vec<usize>,
}

/// One deposit (TK05 … TK15): the payments booked on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    pub payee_bankgiro: String,
    pub currency: String,
    /// The payee's bank account the deposit went to (digits without the
    /// leading zeros).
    pub bank_account: String,
    pub payment_date: NaiveDate,
    pub serial: String,
    /// Σ payments − Σ deductions, öre.
    pub amount_ore: i64,
    pub payment_count: u64,
}

/// How the payer gave the reference (TK20 position 56).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceType {
    /// Codes 0 and 1: no reference.
    None,
    /// Code 2: an OCR reference Bankgirot checked.
    Ocr,
    /// Code 3: one or more references in free text.
    Several,
    /// Code 4: one reference in free text.
    Single,
    /// Code 5: a reference Bankgirot found incorrect.
    Incorrect,
}

impl ReferenceType {
    fn from_code(c: char) -> Option<Self> {
        Some(match c {
            '0' | '1' => Self::None,
            '2' => Self::Ocr,
            '3' => Self::Several,
            '4' => Self::Single,
            '5' => Self::Incorrect,
            _ => return None,
        })
    }
}

/// A TK20 payment or a TK21 deduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKind {
    Payment,
    /// A deduction (e.g. a credit note the payer used); its code from
    /// position 71: 0 whole, 1 partial without rest, 2 partial with rest.
    Deduction {
        code: u8,
    },
}

/// An extra reference (TK22, or TK23 whose amount counts negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraReference {
    pub reference: String,
    pub reference_type: ReferenceType,
    /// Öre; negative for a TK23. Not part of the deposit total.
    pub amount_ore: i64,
    pub line: usize,
}

/// The payer's address (TK27, TK28), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayerAddress {
    pub street: String,
    pub postcode: String,
    pub town: String,
    pub country: String,
    pub country_code: String,
}

/// One payment received (or deducted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Stable across imports of the same payment: payee bankgiro, payment
    /// date, deposit serial number, record type and Bankgirot's serial
    /// number (suffixed `#2`, `#3` … in the unlikely case it repeats).
    pub key: String,
    /// The line of the TK20/TK21 record.
    pub line: usize,
    pub kind: PaymentKind,
    /// Öre; negative for a deduction.
    pub amount_ore: i64,
    pub currency: String,
    /// The reference as given, without the padding blanks.
    pub reference: String,
    pub reference_type: ReferenceType,
    pub extra_references: Vec<ExtraReference>,
    /// The payer's bankgiro number, if known (digits without leading zeros).
    pub payer_bankgiro: Option<String>,
    pub payer_name: Option<String>,
    pub payer_address: Option<PayerAddress>,
    /// The payer's organisation or personal identity number as given (TK29).
    pub payer_org_number: Option<String>,
    /// Free text from the payer (TK25), one entry per record.
    pub information: Vec<String>,
    /// 1 bank, 2 Leverantörsbetalningar, 3 paper form, 4 Autogiro.
    pub channel: u8,
    /// Bankgirot's serial number of the payment.
    pub bgc_serial: String,
    /// An image of the payment form is available at Bankgirot.
    pub image: bool,
    pub payee_bankgiro: String,
    /// The deposit's payment date (TK15).
    pub payment_date: NaiveDate,
    pub deposit_serial: String,
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BgMaxError {
    /// 1-based line of the offending record; `None` for the file as a whole.
    pub line: Option<usize>,
    pub reason: Reason,
}

/// What is wrong with a refused file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error(
        "this is not a BgMax file from Bankgirot (it must start with a BGMAX start record, TK01)"
    )]
    NotBgMax,
    #[error("BgMax layout version {0:?} is not supported (only 01)")]
    Version(String),
    #[error("the record is {found} characters long; BgMax records are 80")]
    RecordLength { found: usize },
    #[error("unknown record type {0:?}")]
    UnknownRecordType(String),
    #[error("{field} (positions {from}–{to}) is {value:?}, {expected}")]
    Field {
        field: &'static str,
        from: usize,
        to: usize,
        value: String,
        expected: &'static str,
    },
    #[error("{0}")]
    Order(&'static str),
    #[error(
        "the deposit total is {stated} öre but its payments less deductions sum to {computed} öre"
    )]
    DepositTotal { stated: i64, computed: i128 },
    #[error("the deposit says {stated} payments but has {counted}")]
    DepositCount { stated: u64, counted: u64 },
    #[error("the deposit's currency {stated} differs from {opened} of its opening record")]
    DepositCurrency { stated: String, opened: String },
    #[error("the end record (TK70) says {stated} {what}, the file has {counted}")]
    EndCount {
        what: &'static str,
        stated: u64,
        counted: u64,
    },
    #[error("the file does not end with an end record (TK70); it may be cut off")]
    MissingEnd,
    #[error("an amount in the file is too large")]
    Overflow,
}

impl fmt::Display for BgMaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => write!(f, "{}", self.reason),
        }
    }
}

impl std::error::Error for BgMaxError {}

/// Lowercase hex SHA-256 of a file.
pub fn fingerprint(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Parses a whole BgMax file.
pub fn parse(bytes: &[u8]) -> Result<BgMaxFile, BgMaxError> {
    Parser::default().run(bytes)
}

/// One record, as characters, with its line number.
struct Record<'a> {
    no: usize,
    chars: &'a [char],
}

impl Record<'_> {
    /// Positions are 1-based and inclusive, as in Bankgirot's manual.
    fn text(&self, from: usize, to: usize) -> String {
        self.chars[from - 1..to].iter().collect()
    }

    fn err(&self, reason: Reason) -> BgMaxError {
        BgMaxError {
            line: Some(self.no),
            reason,
        }
    }

    fn bad(
        &self,
        field: &'static str,
        from: usize,
        to: usize,
        expected: &'static str,
    ) -> BgMaxError {
        self.err(Reason::Field {
            field,
            from,
            to,
            value: self.text(from, to),
            expected,
        })
    }

    fn digits(&self, field: &'static str, from: usize, to: usize) -> Result<String, BgMaxError> {
        let v = self.text(from, to);
        if v.chars().all(|c| c.is_ascii_digit()) {
            Ok(v)
        } else {
            Err(self.bad(field, from, to, "must be digits"))
        }
    }

    fn number(&self, field: &'static str, from: usize, to: usize) -> Result<u64, BgMaxError> {
        // At most 18 digits: always fits.
        self.digits(field, from, to)?
            .parse()
            .map_err(|_| self.err(Reason::Overflow))
    }

    fn amount(&self, from: usize, to: usize) -> Result<i64, BgMaxError> {
        let n = self.number("the amount", from, to)?;
        i64::try_from(n).map_err(|_| self.err(Reason::Overflow))
    }

    fn date(&self, field: &'static str, from: usize, to: usize) -> Result<NaiveDate, BgMaxError> {
        NaiveDate::parse_from_str(&self.text(from, to), "%Y%m%d")
            .map_err(|_| self.bad(field, from, to, "must be a date YYYYMMDD"))
    }

    fn one_of(
        &self,
        field: &'static str,
        at: usize,
        allowed: &str,
        expected: &'static str,
    ) -> Result<char, BgMaxError> {
        let c = self.chars[at - 1];
        if allowed.contains(c) {
            Ok(c)
        } else {
            Err(self.bad(field, at, at, expected))
        }
    }

    /// A blank-padded text field, without its padding.
    fn trimmed(&self, from: usize, to: usize) -> String {
        self.text(from, to).trim().to_owned()
    }
}

/// A deposit being read (between TK05 and TK15).
struct OpenDeposit {
    payee_bankgiro: String,
    currency: String,
    sum: i128,
    count: u64,
}

/// The fields of TK20, TK21, TK22 and TK23.
struct PaymentFields {
    payer_bankgiro: Option<String>,
    reference: String,
    amount: i64,
    reference_type: ReferenceType,
    channel: u8,
    bgc_serial: String,
    image: bool,
}

/// A payment being read, before its deposit's TK15 gives it a date.
struct Pending {
    line: usize,
    tk: &'static str,
    kind: PaymentKind,
    amount_ore: i64,
    reference: String,
    reference_type: ReferenceType,
    extra_references: Vec<ExtraReference>,
    payer_bankgiro: Option<String>,
    payer_name: Option<String>,
    payer_address: Option<PayerAddress>,
    payer_org_number: Option<String>,
    information: Vec<String>,
    channel: u8,
    bgc_serial: String,
    image: bool,
}

#[derive(Default)]
struct Parser {
    created: Option<(NaiveDateTime, bool)>,
    deposit: Option<OpenDeposit>,
    /// The payments of the open deposit.
    pending: Vec<Pending>,
    deposits: Vec<Deposit>,
    payments: Vec<Payment>,
    keys: HashMap<String, u32>,
    skipped: Vec<usize>,
    count_20: u64,
    count_21: u64,
    count_22: u64,
    ended: bool,
}

/// Decodes the file's text. Bankgirot writes ISO 8859-1, where every byte
/// is one character; a file that was re-saved as UTF-8 (valid UTF-8 with
/// non-ASCII letters, which Latin-1 Swedish text practically never is) is
/// read as UTF-8 so that record lengths count characters.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Account numbers are zero-filled; keep the significant digits.
fn significant(digits: &str) -> String {
    digits.trim_start_matches('0').to_owned()
}

impl Parser {
    fn run(mut self, bytes: &[u8]) -> Result<BgMaxFile, BgMaxError> {
        let text = decode(bytes);
        let mut lines: Vec<&str> = text.split('\n').collect();
        if lines.last() == Some(&"") {
            lines.pop();
        }
        let not_bgmax = BgMaxError {
            line: Some(1),
            reason: Reason::NotBgMax,
        };
        let first = lines.first().ok_or(BgMaxError {
            line: None,
            reason: Reason::NotBgMax,
        })?;
        if !first.starts_with("01BGMAX ") {
            return Err(not_bgmax);
        }
        for (i, line) in lines.iter().enumerate() {
            let no = i + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            let chars: Vec<char> = line.chars().collect();
            let rec = Record { no, chars: &chars };
            if self.ended {
                return Err(rec.err(Reason::Order(
                    "a record after the end record (TK70), which must be the last",
                )));
            }
            if chars.len() != RECORD_LENGTH {
                return Err(rec.err(Reason::RecordLength { found: chars.len() }));
            }
            if let Some(c) = chars.iter().find(|c| c.is_control()) {
                return Err(rec.err(Reason::Field {
                    field: "the record",
                    from: 1,
                    to: RECORD_LENGTH,
                    value: format!("{c:?}"),
                    expected: "must not hold control characters",
                }));
            }
            self.record(&rec)?;
        }
        if !self.ended {
            return Err(BgMaxError {
                line: None,
                reason: Reason::MissingEnd,
            });
        }
        let (created, test) = self.created.expect("the first record is TK01");
        Ok(BgMaxFile {
            created,
            test,
            payee_bankgiro: self.deposits.first().map(|d| d.payee_bankgiro.clone()),
            deposits: self.deposits,
            payments: self.payments,
            fingerprint: fingerprint(bytes),
            skipped_lines: self.skipped,
        })
    }

    fn record(&mut self, rec: &Record<'_>) -> Result<(), BgMaxError> {
        let tk = rec.text(1, 2);
        match tk.as_str() {
            "01" => self.start(rec),
            "05" => self.opening(rec),
            "20" => self.payment(rec, "20"),
            "21" => self.payment(rec, "21"),
            "22" => self.extra_reference(rec, false),
            "23" => self.extra_reference(rec, true),
            "25" => {
                let text = rec.trimmed(3, 52);
                self.current(rec)?.information.push(text);
                Ok(())
            }
            "26" => {
                let name = [rec.trimmed(3, 37), rec.trimmed(38, 72)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                self.current(rec)?.payer_name = Some(name).filter(|n| !n.is_empty());
                Ok(())
            }
            "27" => {
                let (street, postcode) = (rec.trimmed(3, 37), rec.trimmed(38, 46));
                let p = self.current(rec)?;
                let a = p.payer_address.get_or_insert_with(Default::default);
                a.street = street;
                a.postcode = postcode;
                Ok(())
            }
            "28" => {
                let (town, country, code) =
                    (rec.trimmed(3, 37), rec.trimmed(38, 72), rec.trimmed(73, 74));
                let p = self.current(rec)?;
                let a = p.payer_address.get_or_insert_with(Default::default);
                a.town = town;
                a.country = country;
                a.country_code = code;
                Ok(())
            }
            "29" => {
                let digits = rec.digits("the payer's organisation number", 3, 14)?;
                let org = match digits.strip_prefix("00") {
                    _ if digits.chars().all(|c| c == '0') => None,
                    Some(ten) => Some(ten.to_owned()),
                    None => Some(digits),
                };
                self.current(rec)?.payer_org_number = org;
                Ok(())
            }
            "15" => self.deposit_end(rec),
            "70" => self.end(rec),
            _ if tk.chars().all(|c| c.is_ascii_digit()) => {
                self.skipped.push(rec.no);
                Ok(())
            }
            _ => Err(rec.err(Reason::UnknownRecordType(tk))),
        }
    }

    fn start(&mut self, rec: &Record<'_>) -> Result<(), BgMaxError> {
        if rec.no != 1 {
            return Err(rec.err(Reason::Order(
                "a second start record (TK01): only the first record may be one",
            )));
        }
        if rec.trimmed(3, 22) != "BGMAX" {
            return Err(rec.err(Reason::NotBgMax));
        }
        let version = rec.text(23, 24);
        if version != "01" {
            return Err(rec.err(Reason::Version(version)));
        }
        let stamp = rec.digits("the file's timestamp", 25, 44)?;
        let created =
            NaiveDateTime::parse_from_str(&stamp[..14], "%Y%m%d%H%M%S").map_err(|_| {
                rec.bad(
                    "the file's timestamp",
                    25,
                    44,
                    "must be a time YYYYMMDDHHMMSS + microseconds",
                )
            })?;
        let micros: i64 = stamp[14..].parse().unwrap_or(0);
        let created = created + chrono::Duration::microseconds(micros);
        let test = rec.one_of(
            "the test mark",
            45,
            "TP",
            "must be T (test) or P (production)",
        )? == 'T';
        self.created = Some((created, test));
        Ok(())
    }

    fn opening(&mut self, rec: &Record<'_>) -> Result<(), BgMaxError> {
        if self.deposit.is_some() {
            return Err(rec.err(Reason::Order(
                "a deposit opening record (TK05) before the previous deposit was closed (TK15)",
            )));
        }
        let bg = rec.digits("the payee's bankgiro number", 3, 12)?;
        let pg = rec.text(13, 22);
        if !(pg.trim().is_empty() || pg.chars().all(|c| c.is_ascii_digit())) {
            return Err(rec.bad(
                "the payee's plusgiro number",
                13,
                22,
                "must be digits or blank",
            ));
        }
        let currency = rec.text(23, 25);
        if currency != "SEK" && currency != "EUR" {
            return Err(rec.bad("the currency", 23, 25, "must be SEK or EUR"));
        }
        self.deposit = Some(OpenDeposit {
            payee_bankgiro: significant(&bg),
            currency,
            sum: 0,
            count: 0,
        });
        Ok(())
    }

    fn open_deposit(&self, rec: &Record<'_>, what: &'static str) -> Result<(), BgMaxError> {
        match self.deposit {
            Some(_) => Ok(()),
            None => Err(rec.err(Reason::Order(what))),
        }
    }

    /// The fields TK20, TK21, TK22 and TK23 share.
    fn payment_fields(rec: &Record<'_>) -> Result<PaymentFields, BgMaxError> {
        let payer = rec.digits("the payer's bankgiro number", 3, 12)?;
        let payer = Some(significant(&payer)).filter(|b| !b.is_empty());
        let amount = rec.amount(38, 55)?;
        let code = rec.one_of("the reference code", 56, "012345", "must be 0 to 5")?;
        let reference_type = ReferenceType::from_code(code).expect("checked above");
        let reference = rec.trimmed(13, 37);
        let channel = rec.one_of("the payment channel", 57, "1234", "must be 1 to 4")?;
        let serial = rec.digits("Bankgirot's serial number", 58, 69)?;
        let image = rec.one_of("the image mark", 70, "01", "must be 0 or 1")? == '1';
        Ok(PaymentFields {
            payer_bankgiro: payer,
            reference,
            amount,
            reference_type,
            channel: channel as u8 - b'0',
            bgc_serial: serial,
            image,
        })
    }

    fn payment(&mut self, rec: &Record<'_>, tk: &'static str) -> Result<(), BgMaxError> {
        self.open_deposit(
            rec,
            "a payment record outside a deposit (no opening record TK05 before it)",
        )?;
        let PaymentFields {
            payer_bankgiro,
            reference,
            amount,
            reference_type,
            channel,
            bgc_serial,
            image,
        } = Self::payment_fields(rec)?;
        let kind = if tk == "21" {
            let c = rec.one_of(
                "the deduction code",
                71,
                "012",
                "must be 0 (whole), 1 or 2 (partial)",
            )?;
            PaymentKind::Deduction {
                code: c as u8 - b'0',
            }
        } else {
            PaymentKind::Payment
        };
        let dep = self.deposit.as_mut().expect("checked above");
        let signed = if tk == "21" { -amount } else { amount };
        dep.sum += i128::from(signed);
        dep.count += 1;
        if tk == "21" {
            self.count_21 += 1;
        } else {
            self.count_20 += 1;
        }
        self.pending.push(Pending {
            line: rec.no,
            tk,
            kind,
            amount_ore: signed,
            reference,
            reference_type,
            extra_references: Vec::new(),
            payer_bankgiro,
            payer_name: None,
            payer_address: None,
            payer_org_number: None,
            information: Vec::new(),
            channel,
            bgc_serial,
            image,
        });
        Ok(())
    }

    /// The payment the current record belongs to.
    fn current(&mut self, rec: &Record<'_>) -> Result<&mut Pending, BgMaxError> {
        match (&self.deposit, self.pending.last_mut()) {
            (Some(_), Some(p)) => Ok(p),
            _ => Err(rec.err(Reason::Order(
                "a record that belongs to a payment, but no payment record (TK20/TK21) precedes it in this deposit",
            ))),
        }
    }

    fn extra_reference(&mut self, rec: &Record<'_>, negative: bool) -> Result<(), BgMaxError> {
        let PaymentFields {
            reference,
            amount,
            reference_type,
            ..
        } = Self::payment_fields(rec)?;
        self.count_22 += 1;
        self.current(rec)?.extra_references.push(ExtraReference {
            reference,
            reference_type,
            amount_ore: if negative { -amount } else { amount },
            line: rec.no,
        });
        Ok(())
    }

    fn deposit_end(&mut self, rec: &Record<'_>) -> Result<(), BgMaxError> {
        self.open_deposit(
            rec,
            "a deposit record (TK15) without an opening record (TK05)",
        )?;
        let bank_account = significant(&rec.digits("the payee's bank account number", 3, 37)?);
        let payment_date = rec.date("the payment date", 38, 45)?;
        let serial = rec.digits("the deposit serial number", 46, 50)?;
        let amount = rec.amount(51, 68)?;
        let currency = rec.text(69, 71);
        let stated_count = rec.number("the number of payments", 72, 79)?;
        let dep = self.deposit.take().expect("checked above");
        if currency != dep.currency {
            return Err(rec.err(Reason::DepositCurrency {
                stated: currency,
                opened: dep.currency,
            }));
        }
        if i128::from(amount) != dep.sum {
            return Err(rec.err(Reason::DepositTotal {
                stated: amount,
                computed: dep.sum,
            }));
        }
        if stated_count != dep.count {
            return Err(rec.err(Reason::DepositCount {
                stated: stated_count,
                counted: dep.count,
            }));
        }
        for p in self.pending.drain(..) {
            let base = format!(
                "{}:{}:{}:{}:{}",
                dep.payee_bankgiro,
                payment_date.format("%Y%m%d"),
                serial,
                p.tk,
                p.bgc_serial
            );
            let n = self.keys.entry(base.clone()).or_insert(0);
            *n += 1;
            let key = if *n == 1 { base } else { format!("{base}#{n}") };
            self.payments.push(Payment {
                key,
                line: p.line,
                kind: p.kind,
                amount_ore: p.amount_ore,
                currency: dep.currency.clone(),
                reference: p.reference,
                reference_type: p.reference_type,
                extra_references: p.extra_references,
                payer_bankgiro: p.payer_bankgiro,
                payer_name: p.payer_name,
                payer_address: p.payer_address,
                payer_org_number: p.payer_org_number,
                information: p.information,
                channel: p.channel,
                bgc_serial: p.bgc_serial,
                image: p.image,
                payee_bankgiro: dep.payee_bankgiro.clone(),
                payment_date,
                deposit_serial: serial.clone(),
            });
        }
        self.deposits.push(Deposit {
            payee_bankgiro: dep.payee_bankgiro,
            currency: dep.currency,
            bank_account,
            payment_date,
            serial,
            amount_ore: amount,
            payment_count: stated_count,
        });
        Ok(())
    }

    fn end(&mut self, rec: &Record<'_>) -> Result<(), BgMaxError> {
        if self.deposit.is_some() {
            return Err(rec.err(Reason::Order(
                "the end record (TK70) while a deposit is still open (no TK15 closes it)",
            )));
        }
        let checks = [
            (3, 10, "payment records (TK20)", self.count_20),
            (11, 18, "deduction records (TK21)", self.count_21),
            (19, 26, "extra reference records (TK22/TK23)", self.count_22),
            (27, 34, "deposit records (TK15)", self.deposits.len() as u64),
        ];
        for (from, to, what, counted) in checks {
            let stated = rec.number("a counter", from, to)?;
            if stated != counted {
                return Err(rec.err(Reason::EndCount {
                    what,
                    stated,
                    counted,
                }));
            }
        }
        self.ended = true;
        Ok(())
    }
}
