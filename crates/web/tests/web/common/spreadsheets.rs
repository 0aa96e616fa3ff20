//! Downloads made for spreadsheets, read back as a spreadsheet would: a
//! page's CSV as Swedish Excel reads it (a UTF-8 byte-order mark, `;`
//! between fields), and an XLSX workbook opened by an independent reader
//! (Python's `openpyxl`). Without Python or openpyxl the XLSX checks are
//! skipped, except under `CI=true`, where they must run (`.ci/run` installs
//! openpyxl and names its Python in `THIRDPLACE_TEST_PYTHON`).

use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::process::Command;

/// A page's CSV download: 200, `text/csv`, offered as an attachment and
/// starting with the UTF-8 byte-order mark; its records (the headings
/// first), read with `;` as the separator.
pub async fn page_csv(r: Response) -> Vec<Vec<String>> {
    assert_eq!(r.status(), StatusCode::OK);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let bytes = r.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a page's CSV starts with the UTF-8 byte-order mark"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.contains("\r\n"), "lines end in CRLF");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert!(
        rows[0].len() > 1,
        "the headings split on ';' into columns: {:?}",
        rows[0]
    );
    rows
}

/// The Python that reads XLSX files, or `None` (skip) when there is none
/// with openpyxl here and this is not CI.
fn python_with_openpyxl() -> Option<String> {
    let python = std::env::var("THIRDPLACE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import openpyxl"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return Some(python);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{python} with openpyxl is needed under CI=true (pip install openpyxl)");
    }
    eprintln!("{python} with openpyxl not found (pip install openpyxl): XLSX check skipped");
    None
}

/// What openpyxl reads in the first sheet of an XLSX workbook: its name,
/// the frozen cell, the filter's range, and every row's cells, each with
/// its value (`v`, dates in ISO 8601), Python type (`t`), number format
/// (`f`) and whether it is bold (`b`). `None` when openpyxl is missing
/// outside CI.
pub fn read_xlsx(bytes: &[u8]) -> Option<Value> {
    let python = python_with_openpyxl()?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    std::fs::write(&path, bytes).unwrap();
    const SCRIPT: &str = r#"
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.worksheets[0]
def cell(c):
    v = c.value
    if isinstance(v, (datetime.datetime, datetime.date)):
        v = v.isoformat()
    return {"v": v, "t": type(c.value).__name__, "f": c.number_format, "b": bool(c.font and c.font.b)}
print(json.dumps({
    "sheet": ws.title,
    "freeze": ws.freeze_panes,
    "filter": ws.auto_filter.ref,
    "rows": [[cell(c) for c in row] for row in ws.iter_rows()],
}))
"#;
    let out = Command::new(&python)
        .args(["-c", SCRIPT])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openpyxl could not read the workbook: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// An XLSX download: 200, the spreadsheet content type, offered as an
/// attachment named `file`; its bytes.
pub async fn xlsx_bytes(r: Response, file: &str) -> Vec<u8> {
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = r.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, format!("attachment; filename=\"{file}\""));
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.bytes().await.unwrap().to_vec()
}
