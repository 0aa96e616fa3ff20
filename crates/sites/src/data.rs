//! Input data: the shipped Swedish locality table and user CSV files.
//!
//! The locality table (`data/localities/se_localities.csv`, built by
//! `data/localities/build.py` from GeoNames) is compiled into the binary.
//! Users may bring their own demand points (`id,name,latitude,longitude,weight`)
//! and candidate sites (`id,name,latitude,longitude`). Every parse error names
//! the file, the line (1-based, header = line 1) and the column.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;

use crate::geo::Point;
use crate::{Result, SitesError};

/// Attribution required by the GeoNames licence; show it wherever the shipped
/// data is used.
pub const ATTRIBUTION: &str = "Locality data © GeoNames (geonames.org), licensed under CC BY 4.0";

/// The shipped locality table as CSV text (see `data/localities/README.md`).
pub const SHIPPED_CSV: &str = include_str!("../../../data/localities/se_localities.csv");

/// A Swedish locality from the shipped table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Locality {
    pub geonames_id: u64,
    pub name: String,
    pub municipality: String,
    pub county: String,
    pub point: Point,
    pub population: u64,
    /// The municipality's seat (centralort).
    pub is_central_town: bool,
}

/// A place where people live or work, with a weight (e.g. population).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandPoint {
    pub id: String,
    pub name: String,
    pub point: Point,
    pub weight: f64,
}

/// A place where a hub could open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub point: Point,
}

impl Locality {
    pub fn as_demand(&self) -> DemandPoint {
        DemandPoint {
            id: self.geonames_id.to_string(),
            name: self.name.clone(),
            point: self.point,
            weight: self.population as f64,
        }
    }

    pub fn as_candidate(&self) -> Candidate {
        Candidate {
            id: self.geonames_id.to_string(),
            name: self.name.clone(),
            point: self.point,
        }
    }
}

/// The shipped Swedish locality table, parsed once.
pub fn sweden() -> &'static [Locality] {
    static CELL: OnceLock<Vec<Locality>> = OnceLock::new();
    CELL.get_or_init(|| {
        parse_localities("se_localities.csv", SHIPPED_CSV).expect("shipped locality table is valid")
    })
}

/// The county names in the shipped table, sorted.
pub fn counties() -> Vec<&'static str> {
    let mut v: Vec<&str> = sweden().iter().map(|l| l.county.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The shipped localities of one county; an unknown county is an error that
/// lists the known ones.
pub fn county(name: &str) -> Result<Vec<&'static Locality>> {
    let v: Vec<&Locality> = sweden().iter().filter(|l| l.county == name).collect();
    if v.is_empty() {
        return Err(SitesError::Invalid(format!(
            "unknown county {name:?}; known counties: {}",
            counties().join(", ")
        )));
    }
    Ok(v)
}

/// The default candidate sites: shipped localities that are not a
/// municipality's central town, optionally only within the given counties
/// (an unknown county is an error).
pub fn default_candidates(counties: &[&str]) -> Result<Vec<&'static Locality>> {
    for c in counties {
        county(c)?;
    }
    Ok(sweden()
        .iter()
        .filter(|l| !l.is_central_town)
        .filter(|l| counties.is_empty() || counties.contains(&l.county.as_str()))
        .collect())
}

/// Split one CSV line into fields (RFC 4180 quoting, no embedded newlines).
fn split_line(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() && !was_quoted {
            in_quotes = true;
            was_quoted = true;
        } else if c == ',' {
            fields.push(std::mem::take(&mut cur));
            was_quoted = false;
        } else {
            cur.push(c);
        }
    }
    if in_quotes {
        return Err("unterminated quoted field".into());
    }
    fields.push(cur);
    Ok(fields)
}

/// A parsed CSV table with named columns, for readable errors.
struct Table<'a> {
    source: &'a str,
    columns: Vec<(String, usize)>,
    rows: Vec<(usize, Vec<String>)>,
}

impl<'a> Table<'a> {
    fn parse(source: &'a str, text: &str, required: &[&str]) -> Result<Self> {
        let err = |line: usize, column: &str, message: String| SitesError::Csv {
            source_name: source.to_string(),
            line,
            column: column.to_string(),
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let (_, header) = lines
            .by_ref()
            .find(|(_, l)| !l.trim().is_empty())
            .ok_or_else(|| err(1, "-", "the file is empty (no header line)".into()))?;
        let header_line = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0) + 1;
        let names = split_line(header).map_err(|m| err(header_line, "-", m))?;
        let names: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        let mut columns = Vec::new();
        for &r in required {
            match names.iter().position(|n| n == r) {
                Some(p) => columns.push((r.to_string(), p)),
                None => {
                    return Err(err(
                        header_line,
                        r,
                        format!(
                            "missing column {r:?} (the header must name: {})",
                            required.join(", ")
                        ),
                    ))
                }
            }
        }
        let mut rows = Vec::new();
        for (no, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let f = split_line(line.trim_end_matches('\r')).map_err(|m| err(no, "-", m))?;
            if f.len() != names.len() {
                return Err(err(
                    no,
                    "-",
                    format!("expected {} fields, found {}", names.len(), f.len()),
                ));
            }
            rows.push((no, f));
        }
        Ok(Table {
            source,
            columns,
            rows,
        })
    }

    fn err(&self, line: usize, column: &str, message: String) -> SitesError {
        SitesError::Csv {
            source_name: self.source.to_string(),
            line,
            column: column.to_string(),
            message,
        }
    }

    fn get<'r>(&self, row: &'r [String], column: &str) -> &'r str {
        let idx = self.columns.iter().find(|(n, _)| n == column).unwrap().1;
        row[idx].trim()
    }

    fn text(&self, line: usize, row: &[String], column: &str) -> Result<String> {
        let v = self.get(row, column);
        if v.is_empty() {
            return Err(self.err(line, column, "empty value".into()));
        }
        Ok(v.to_string())
    }

    fn number(&self, line: usize, row: &[String], column: &str) -> Result<f64> {
        let v = self.get(row, column);
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.err(line, column, format!("{v:?} is not a number"))),
        }
    }

    /// A whole number ≥ 0; `what` names what the value should have been.
    fn whole(&self, line: usize, row: &[String], column: &str, what: &str) -> Result<u64> {
        let v = self.get(row, column);
        v.parse()
            .map_err(|_| self.err(line, column, format!("{v:?} is not {what}")))
    }

    fn point(&self, line: usize, row: &[String]) -> Result<Point> {
        let lat = self.degrees(line, row, "latitude", 90.0)?;
        let lon = self.degrees(line, row, "longitude", 180.0)?;
        Ok(Point::new(lat, lon))
    }

    /// A number of degrees within -`limit`..=`limit`.
    fn degrees(&self, line: usize, row: &[String], column: &str, limit: f64) -> Result<f64> {
        let v = self.number(line, row, column)?;
        if !(-limit..=limit).contains(&v) {
            return Err(self.err(
                line,
                column,
                format!("{v} is outside -{limit}..{limit} degrees"),
            ));
        }
        Ok(v)
    }

    fn unique_id(&self, line: usize, row: &[String], seen: &mut HashSet<String>) -> Result<String> {
        let id = self.text(line, row, "id")?;
        if !seen.insert(id.clone()) {
            return Err(self.err(line, "id", format!("duplicate id {id:?}")));
        }
        Ok(id)
    }
}

/// Parse the locality table (columns `geonames_id,name,municipality,county,
/// latitude,longitude,population,is_central_town`).
pub fn parse_localities(source: &str, text: &str) -> Result<Vec<Locality>> {
    let t = Table::parse(
        source,
        text,
        &[
            "geonames_id",
            "name",
            "municipality",
            "county",
            "latitude",
            "longitude",
            "population",
            "is_central_town",
        ],
    )?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, row) in &t.rows {
        let line = *line;
        let geonames_id = t.whole(line, row, "geonames_id", "a GeoNames id")?;
        if !seen.insert(geonames_id) {
            return Err(t.err(line, "geonames_id", format!("duplicate id {geonames_id}")));
        }
        let population = t.whole(line, row, "population", "a whole number ≥ 0")?;
        let central = match t.get(row, "is_central_town") {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            other => {
                return Err(t.err(
                    line,
                    "is_central_town",
                    format!("{other:?} is not true or false"),
                ))
            }
        };
        out.push(Locality {
            geonames_id,
            name: t.text(line, row, "name")?,
            municipality: t.text(line, row, "municipality")?,
            county: t.text(line, row, "county")?,
            point: t.point(line, row)?,
            population,
            is_central_town: central,
        });
    }
    Ok(out)
}

/// Parse demand points: `id,name,latitude,longitude,weight` (weight ≥ 0).
pub fn parse_demand(source: &str, text: &str) -> Result<Vec<DemandPoint>> {
    let t = Table::parse(
        source,
        text,
        &["id", "name", "latitude", "longitude", "weight"],
    )?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, row) in &t.rows {
        let line = *line;
        let id = t.unique_id(line, row, &mut seen)?;
        let point = t.point(line, row)?;
        let weight = t.number(line, row, "weight")?;
        if weight < 0.0 {
            return Err(t.err(line, "weight", format!("{weight} is negative")));
        }
        out.push(DemandPoint {
            id,
            name: t.get(row, "name").to_string(),
            point,
            weight,
        });
    }
    if out.is_empty() {
        return Err(t.err(1, "-", "no demand points (only a header)".into()));
    }
    Ok(out)
}

/// Parse candidate sites: `id,name,latitude,longitude`; at least one row.
pub fn parse_candidates(source: &str, text: &str) -> Result<Vec<Candidate>> {
    let t = Table::parse(source, text, &["id", "name", "latitude", "longitude"])?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, row) in &t.rows {
        let line = *line;
        let id = t.unique_id(line, row, &mut seen)?;
        let point = t.point(line, row)?;
        out.push(Candidate {
            id,
            name: t.get(row, "name").to_string(),
            point,
        });
    }
    if out.is_empty() {
        return Err(t.err(1, "-", "the candidate set is empty (only a header)".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn shipped_table_parses() {
        let s = sweden();
        assert!(s.len() > 1200, "{}", s.len());
        assert_eq!(s.iter().filter(|l| l.is_central_town).count(), 290);
        assert_eq!(counties().len(), 21);
        assert!(counties().contains(&"Kalmar län"));
        assert!(county("Narnia")
            .unwrap_err()
            .to_string()
            .contains("Kalmar län"));
        let all = default_candidates(&[]).unwrap();
        assert_eq!(all.len(), s.len() - 290);
        let two = default_candidates(&["Kalmar län", "Blekinge län"]).unwrap();
        assert!(two.iter().all(
            |l| !l.is_central_town && (l.county == "Kalmar län" || l.county == "Blekinge län")
        ));
        assert!(default_candidates(&["Kalmar"]).is_err());
        let goteborg = s.iter().find(|l| l.name == "Göteborg").unwrap();
        assert!(goteborg.is_central_town);
    }

    #[test]
    fn demand_parses_quotes_and_bom() {
        let d = parse_demand(
            "d.csv",
            "\u{feff}id,name,latitude,longitude,weight\n1,\"Kalmar, city\",56.66,16.36,41000\n\n2,Ö,56.7,16.3,0.5\n",
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].name, "Kalmar, city");
        assert_eq!(d[1].weight, 0.5);
    }

    #[test]
    fn errors_name_line_and_column() {
        let h = "id,name,latitude,longitude,weight\n";
        assert_eq!(
            msg(parse_demand("d.csv", "id,name,latitude,weight\n1,a,1,1\n")),
            "d.csv, line 1, column longitude: missing column \"longitude\" (the header must name: id, name, latitude, longitude, weight)"
        );
        assert_eq!(
            msg(parse_demand(
                "d.csv",
                &format!("{h}1,a,56,16,1\n2,b,5x,16,1\n")
            )),
            "d.csv, line 3, column latitude: \"5x\" is not a number"
        );
        assert!(msg(parse_demand("d.csv", &format!("{h}1,a,91,16,1\n")))
            .contains("line 2, column latitude"));
        assert!(
            msg(parse_demand("d.csv", &format!("{h}1,a,56,181,1\n"))).contains("column longitude")
        );
        assert!(msg(parse_demand("d.csv", &format!("{h}1,a,56,16,-1\n"))).contains("column weight"));
        assert!(
            msg(parse_demand("d.csv", &format!("{h}1,a,56,16,NaN\n"))).contains("column weight")
        );
        assert_eq!(
            msg(parse_demand(
                "d.csv",
                &format!("{h}1,a,56,16,1\n1,b,56,16,1\n")
            )),
            "d.csv, line 3, column id: duplicate id \"1\""
        );
        assert!(msg(parse_demand("d.csv", &format!("{h}1,a,56\n")))
            .contains("expected 5 fields, found 3"));
        assert!(msg(parse_demand("d.csv", "")).contains("empty"));
        assert!(
            msg(parse_candidates("c.csv", "id,name,latitude,longitude\n"))
                .contains("candidate set is empty")
        );
        assert!(msg(parse_candidates(
            "c.csv",
            "id,name,latitude,longitude\n,a,1,1\n"
        ))
        .contains("column id: empty value"));
    }
}
