//! Files a person downloads from a page to open in a spreadsheet program:
//! CSV that Swedish Excel opens as it is, and XLSX where people filter and
//! sum. Every page export writes through here, so they all read the same
//! way: headings in the person's language, amounts in kronor, times as the
//! hub's local time (Europe/Stockholm).
//!
//! Never for the API's CSV (`/api/v1/…?format=csv`): that one is for
//! programs, and stays comma-separated, without a byte-order mark, with
//! English keys and amounts in öre (see docs/api.md).

use crate::http::error::{AppError, AppResult};
use crate::i18n::Lang;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use thirdplace_domain::HUB_TIME_ZONE;

/// The content type of a CSV download.
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
/// The content type of an XLSX download.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The UTF-8 byte-order mark. Excel reads a CSV file without it in the
/// machine's legacy code page (Windows-1252 in Sweden), which turns "å" into
/// "Ã¥"; with it, Excel knows the file is UTF-8.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// The rows of a page's CSV download.
///
/// Separated by `;`: Swedish Excel's list separator is `;` because `,` is
/// the decimal comma there, so a comma-separated file opens as one column
/// per line, while a `;`-separated one opens in columns (and its amounts,
/// written `1234,50`, as numbers). Lines end in CRLF as RFC 4180 says.
pub struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl Default for Csv {
    fn default() -> Self {
        Self::new()
    }
}

impl Csv {
    /// Rows without a header: a later chunk of a streamed file.
    pub fn new() -> Self {
        Csv {
            w: csv::WriterBuilder::new()
                .delimiter(b';')
                .terminator(csv::Terminator::CRLF)
                .has_headers(false)
                .from_writer(Vec::new()),
        }
    }

    /// The start of a file: the byte-order mark and the headings line.
    pub fn start<S: AsRef<str>>(headings: &[S]) -> Vec<u8> {
        let mut c = Csv::new();
        c.row(headings.iter().map(|h| h.as_ref()));
        let mut out = BOM.to_vec();
        out.extend(c.into_bytes());
        out
    }

    /// One row of fields.
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        // Writing to a Vec cannot fail.
        let _ = self.w.write_record(fields);
    }

    /// One row of cells, written for `lang` ([`Cell::csv_field`]).
    pub fn cells(&mut self, cells: &[Cell], lang: Lang) {
        self.row(cells.iter().map(|c| c.csv_field(lang)));
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.w.into_inner().unwrap_or_default()
    }
}

/// A text field as a spreadsheet shows it: a leading formula character
/// (`=`, `+`, `-`, `@`) is neutralised with an apostrophe, so a spreadsheet
/// never runs a booking's title as a formula.
pub fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// An amount in öre as kronor with two decimals and the language's decimal
/// mark: `1234,50` in Swedish, `1234.50` in English. No thousands separator,
/// so that the spreadsheet reads the field as a number, not as text.
pub fn kronor(lang: Lang, ore: i64) -> String {
    let sign = if ore < 0 { "-" } else { "" };
    let abs = ore.unsigned_abs();
    let mark = match lang {
        Lang::Sv => ',',
        Lang::En => '.',
    };
    format!("{sign}{}{mark}{:02}", abs / 100, abs % 100)
}

/// A decimal number (a coordinate) with the language's decimal mark, as
/// short as it is exact: `56,6499` in Swedish, `56.6499` in English.
pub fn decimal(lang: Lang, v: f64) -> String {
    let s = format!("{v}");
    match lang {
        Lang::Sv => s.replace('.', ","),
        Lang::En => s,
    }
}

/// An instant as the hub's local date and time, "2026-11-24 10:00", which
/// Excel in either language reads as a date and time.
pub fn local_date_time(at: DateTime<Utc>) -> String {
    crate::http::parse::local_date_time(at)
}

/// A download offered as an attachment named `filename`, never cached (an
/// export holds names and amounts).
pub fn attachment(content_type: &str, filename: &str, body: impl Into<Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body.into(),
    )
        .into_response()
}

/// A CSV download: `body` must start with [`Csv::start`].
pub fn csv_attachment(filename: &str, body: impl Into<Body>) -> Response {
    attachment(CSV_TYPE, filename, body)
}

/// One cell of an XLSX sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A count or a number of minutes.
    Int(i64),
    /// An amount in öre, written as kronor in a numeric cell with two
    /// decimals, so the sheet can sum it.
    Kronor(i64),
    /// An instant, written as the hub's local date and time.
    DateTime(DateTime<Utc>),
    Date(NaiveDate),
}

impl Cell {
    /// The cell as a CSV field in `lang`: text with formulas neutralised
    /// ([`text`]), kronor with the language's decimal mark ([`kronor`]),
    /// times as the hub's local time.
    pub fn csv_field(&self, lang: Lang) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => text(s),
            Cell::Int(n) => n.to_string(),
            Cell::Kronor(ore) => kronor(lang, *ore),
            Cell::DateTime(at) => local_date_time(*at),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// Column widths are guessed from the longest value, within these bounds
/// (in characters).
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 50;

/// A workbook of one sheet named `sheet`: the headings in a bold, frozen
/// first row with a filter on every column, then `rows`; amounts as
/// numbers in kronor, times as dates. Text is written as text (an XLSX
/// cell is never read as a formula unless written as one).
pub fn xlsx<S: AsRef<str>>(sheet: &str, headings: &[S], rows: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    build(sheet, headings, rows).map_err(|e| AppError::Internal(Box::new(e)))
}

fn build<S: AsRef<str>>(
    sheet: &str,
    headings: &[S],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    // A sheet's name is at most 31 characters, without []:*?/\.
    let name: String = sheet
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    ws.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
    let mut widths: Vec<usize> = headings
        .iter()
        .map(|h| h.as_ref().chars().count())
        .collect();
    for (c, h) in headings.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h.as_ref(), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let shown = match cell {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    ws.write_string(r, col, s)?;
                    s.chars().count()
                }
                Cell::Int(n) => {
                    ws.write_number(r, col, *n as f64)?;
                    n.to_string().len()
                }
                Cell::Kronor(ore) => {
                    ws.write_number_with_format(r, col, *ore as f64 / 100.0, &money)?;
                    ore.to_string().len() + 2
                }
                Cell::DateTime(at) => {
                    let local = at.with_timezone(&HUB_TIME_ZONE).naive_local();
                    ws.write_datetime_with_format(r, col, local, &when)?;
                    16
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, col, d, &day)?;
                    10
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (w + 2).clamp(MIN_WIDTH, MAX_WIDTH) as f64)?;
    }
    let last_col = headings.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, rows.len() as u32, last_col)?;
    ws.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// An XLSX download.
pub fn xlsx_attachment(filename: &str, body: Vec<u8>) -> Response {
    attachment(XLSX_TYPE, filename, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kronor_have_the_languages_decimal_mark_and_no_thousands_separator() {
        assert_eq!(kronor(Lang::Sv, 123_450), "1234,50");
        assert_eq!(kronor(Lang::En, 123_450), "1234.50");
        assert_eq!(kronor(Lang::Sv, 5), "0,05");
        assert_eq!(kronor(Lang::Sv, -1_250), "-12,50");
        assert_eq!(kronor(Lang::En, 0), "0.00");
        assert_eq!(decimal(Lang::Sv, 56.6499), "56,6499");
        assert_eq!(decimal(Lang::En, 16.5), "16.5");
    }

    #[test]
    fn a_csv_starts_with_the_bom_and_separates_with_semicolons() {
        let mut bytes = Csv::start(&["Bokare", "Belopp (kr)"]);
        let mut rows = Csv::new();
        rows.row(["Åsa; \"A\"", "1234,50"]);
        bytes.extend(rows.into_bytes());
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}Bokare;Belopp (kr)\r\n\"Åsa; \"\"A\"\"\";1234,50\r\n"
        );
    }

    #[test]
    fn formulas_are_neutralised_in_text() {
        assert_eq!(text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(text("Möte"), "Möte");
    }

    #[test]
    fn an_xlsx_is_a_zip_file() {
        let rows = vec![vec![Cell::from("Åsa"), Cell::Kronor(123_450), Cell::Int(3)]];
        let bytes = xlsx("Bokningar", &["Namn", "Belopp", "Antal"], &rows).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
