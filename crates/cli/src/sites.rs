//! `thirdplace sites`: where the next hubs should go, from the command line.
//! Reads the demand (the shipped localities of a county, or the user's CSV),
//! the candidate sites (localities outside central towns, or the user's CSV)
//! and the existing hubs (from the database), and prints the answer of
//! `thirdplace-sites` as a table, CSV or GeoJSON.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use thirdplace_sites::{
    data, gap_analysis, solve_max_cover, solve_min_sites, Candidate, Coverage, DemandPoint, Limits,
    Point, Reach, Solution,
};
use thirdplace_store::Store;

#[derive(Subcommand, Debug)]
pub enum SitesCommand {
    /// Who lives within reach of the existing hubs, and the largest places outside reach.
    Gaps(GapsArgs),
    /// The best new sites: `--count K` of them, or the fewest that reach `--target-share`.
    Suggest(SuggestArgs),
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Geojson,
}

#[derive(Args, Debug)]
pub struct Area {
    /// The county (län) as in the shipped data, e.g. "Kalmar län". Without
    /// it, --demand is required.
    #[arg(long)]
    county: Option<String>,
    /// Straight-line reach of a hub in kilometres.
    #[arg(long)]
    radius_km: f64,
    /// Roads are longer than straight lines: reach is radius / detour factor.
    #[arg(long, default_value_t = 1.0)]
    detour_factor: f64,
    /// A CSV of demand points (id,name,latitude,longitude,weight) instead of the shipped localities.
    #[arg(long)]
    demand: Option<std::path::PathBuf>,
    /// Plan as if there were no hubs yet (ignore the hubs in the database).
    #[arg(long)]
    ignore_hubs: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args, Debug)]
pub struct GapsArgs {
    #[command(flatten)]
    area: Area,
    /// How many places outside reach to list.
    #[arg(long, default_value_t = 20)]
    top: usize,
}

#[derive(Args, Debug)]
pub struct SuggestArgs {
    #[command(flatten)]
    area: Area,
    /// How many new sites to choose.
    #[arg(
        long,
        conflicts_with = "target_share",
        required_unless_present = "target_share"
    )]
    count: Option<usize>,
    /// Instead of --count: the fewest sites that bring coverage to this share (e.g. 0.8).
    #[arg(long)]
    target_share: Option<f64>,
    /// A CSV of candidate sites (id,name,latitude,longitude) instead of the
    /// shipped localities outside central towns.
    #[arg(long)]
    candidates: Option<std::path::PathBuf>,
}

fn read(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn demand(area: &Area) -> Result<Vec<DemandPoint>> {
    match (&area.demand, &area.county) {
        (Some(path), _) => Ok(data::parse_demand(
            &path.display().to_string(),
            &read(path)?,
        )?),
        (None, Some(county)) => Ok(data::county(county)?
            .iter()
            .map(|l| l.as_demand())
            .collect()),
        (None, None) => bail!("say which area: --county \"Kalmar län\" or --demand FILE"),
    }
}

async fn existing_hubs(store: &dyn Store, area: &Area) -> Result<Vec<Point>> {
    if area.ignore_hubs {
        return Ok(vec![]);
    }
    Ok(store
        .list_hubs()
        .await?
        .into_iter()
        .filter(|l| !l.hub.archived)
        .map(|l| Point::new(l.hub.latitude, l.hub.longitude))
        .collect())
}

pub async fn run(store: &dyn Store, command: &SitesCommand) -> Result<String> {
    match command {
        SitesCommand::Gaps(a) => gaps(store, a).await,
        SitesCommand::Suggest(a) => suggest(store, a).await,
    }
}

async fn gaps(store: &dyn Store, a: &GapsArgs) -> Result<String> {
    let reach = Reach::new(a.area.radius_km, a.area.detour_factor)?;
    let demand = demand(&a.area)?;
    let hubs = existing_hubs(store, &a.area).await?;
    let r = gap_analysis(&demand, &hubs, &reach);
    let outside: Vec<&DemandPoint> = r.outside.iter().take(a.top).collect();
    Ok(match a.area.format {
        Format::Table => {
            let mut s = format!(
                "Within reach of {} hubs ({} km): {:.0} of {:.0} ({:.1} %); outside: {:.0}\n\n{:<4} {:<30} {:>10}\n",
                hubs.len(),
                a.area.radius_km,
                r.within_reach,
                r.total,
                100.0 * r.share_within(),
                r.outside_reach,
                "#",
                "outside reach",
                "people"
            );
            for (i, d) in outside.iter().enumerate() {
                s.push_str(&format!("{:<4} {:<30} {:>10.0}\n", i + 1, d.name, d.weight));
            }
            s
        }
        Format::Csv => csv_table(
            "people",
            outside
                .iter()
                .map(|d| (d.id.as_str(), d.name.as_str(), d.point, d.weight)),
        ),
        Format::Geojson => {
            let features: Vec<_> = outside
                .iter()
                .enumerate()
                .map(|(i, d)| feature(d.point, json!({"rank": i + 1, "id": d.id, "name": d.name, "people": d.weight, "kind": "outside_reach"})))
                .collect();
            collection(
                features,
                json!({"total": r.total, "within_reach": r.within_reach, "outside_reach": r.outside_reach}),
            )
        }
    })
}

async fn suggest(store: &dyn Store, a: &SuggestArgs) -> Result<String> {
    let reach = Reach::new(a.area.radius_km, a.area.detour_factor)?;
    let demand = demand(&a.area)?;
    let candidates: Vec<Candidate> = match (&a.candidates, &a.area.county) {
        (Some(path), _) => data::parse_candidates(&path.display().to_string(), &read(path)?)?,
        (None, county) => {
            let counties: Vec<&str> = county.iter().map(String::as_str).collect();
            data::default_candidates(&counties)?
                .iter()
                .map(|l| l.as_candidate())
                .collect()
        }
    };
    let hubs = existing_hubs(store, &a.area).await?;
    let points: Vec<(Point, f64)> = demand.iter().map(|d| (d.point, d.weight)).collect();
    let sites: Vec<Point> = candidates.iter().map(|c| c.point).collect();
    let cov = Coverage::build(&points, &hubs, &sites, &reach);
    let limits = Limits::default();
    let (s, proven) = match (a.count, a.target_share) {
        (Some(k), _) => {
            let s = solve_max_cover(&cov, k, limits)?;
            let proven = s.optimal;
            (s, proven)
        }
        (None, Some(share)) => {
            let m = solve_min_sites(&cov, share, limits)?;
            (m.solution, m.proven_minimal)
        }
        (None, None) => bail!("give --count K or --target-share SHARE"),
    };
    Ok(render_suggestion(&s, proven, &candidates, a.area.format))
}

fn render_suggestion(
    s: &Solution,
    proven: bool,
    candidates: &[Candidate],
    format: Format,
) -> String {
    let pct = |v: f64| {
        if s.total > 0.0 {
            100.0 * v / s.total
        } else {
            100.0
        }
    };
    let ranked: Vec<(&Candidate, f64)> = s
        .chosen
        .iter()
        .zip(&s.gains)
        .map(|(&j, &g)| (&candidates[j], g))
        .collect();
    match format {
        Format::Table => {
            let mut out = format!(
                "Coverage before: {:.0} of {:.0} ({:.1} %); after: {:.0} ({:.1} %); {}\n\n{:<4} {:<30} {:>12}\n",
                s.covered_before,
                s.total,
                pct(s.covered_before),
                s.covered_after,
                pct(s.covered_after),
                if proven { "proven optimal".to_string() } else { format!("not proven optimal: gap at most {:.0}", s.gap) },
                "#",
                "site",
                "people added"
            );
            for (i, (c, g)) in ranked.iter().enumerate() {
                out.push_str(&format!("{:<4} {:<30} {:>12.0}\n", i + 1, c.name, g));
            }
            out
        }
        Format::Csv => csv_table(
            "people_added",
            ranked
                .iter()
                .map(|(c, g)| (c.id.as_str(), c.name.as_str(), c.point, *g)),
        ),
        Format::Geojson => {
            let features = ranked
                .iter()
                .enumerate()
                .map(|(i, (c, g))| {
                    feature(c.point, json!({"rank": i + 1, "id": c.id, "name": c.name, "people_added": g, "kind": "suggested_site"}))
                })
                .collect();
            collection(
                features,
                json!({"total": s.total, "covered_before": s.covered_before, "covered_after": s.covered_after, "optimal": proven, "gap": s.gap}),
            )
        }
    }
}

/// The CSV of ranked places (id, name, point and the people counted in
/// the column `weight`), with a header line.
fn csv_table<'a>(
    weight: &str,
    rows: impl Iterator<Item = (&'a str, &'a str, Point, f64)>,
) -> String {
    let mut out = format!("rank,id,name,latitude,longitude,{weight}\n");
    for (i, (id, name, p, w)) in rows.enumerate() {
        let (id, name) = (csv(id), csv(name));
        let line = format!("{},{id},{name},{},{},{w}\n", i + 1, p.latitude, p.longitude);
        out.push_str(&line);
    }
    out
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn feature(p: Point, properties: serde_json::Value) -> serde_json::Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]}, "properties": properties})
}

fn collection(features: Vec<serde_json::Value>, summary: serde_json::Value) -> String {
    let fc = json!({"type": "FeatureCollection", "features": features, "summary": summary, "attribution": thirdplace_sites::ATTRIBUTION});
    format!(
        "{}\n",
        serde_json::to_string_pretty(&fc).expect("JSON values serialise")
    )
}
