//! Great-circle distances and coverage sets.
//!
//! A site covers a demand point when the haversine distance times the detour
//! factor is at most the radius. Coverage sets are found through a grid of
//! cells about one search radius wide, so each site only looks at nearby
//! demand points instead of all of them.

use std::collections::HashMap;

use serde::Serialize;

use crate::{Result, SitesError};

/// Mean Earth radius in km (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A position in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

impl Point {
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Point {
            latitude,
            longitude,
        }
    }
}

/// Great-circle distance in km (haversine formula).
pub fn haversine_km(a: Point, b: Point) -> f64 {
    let (p1, p2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dp = p2 - p1;
    let dl = (b.longitude - a.longitude).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// How far a hub reaches: a radius in km along roads, estimated as the
/// straight-line distance times `detour_factor` (1.0 = straight line; about
/// 1.3 is typical for Swedish roads).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reach {
    pub radius_km: f64,
    pub detour_factor: f64,
}

impl Reach {
    /// Validated reach: radius in (0, 500] km, detour factor in [1, 5].
    pub fn new(radius_km: f64, detour_factor: f64) -> Result<Self> {
        if !radius_km.is_finite() || radius_km <= 0.0 || radius_km > 500.0 {
            return Err(SitesError::Invalid(format!(
                "radius must be more than 0 and at most 500 km, got {radius_km}"
            )));
        }
        if !detour_factor.is_finite() || !(1.0..=5.0).contains(&detour_factor) {
            return Err(SitesError::Invalid(format!(
                "detour factor must be between 1 and 5, got {detour_factor}"
            )));
        }
        Ok(Reach {
            radius_km,
            detour_factor,
        })
    }

    /// Straight-line radius: the reach divided by the detour factor.
    pub fn straight_km(&self) -> f64 {
        self.radius_km / self.detour_factor
    }

    /// Is `b` within reach of `a`?
    pub fn reaches(&self, a: Point, b: Point) -> bool {
        haversine_km(a, b) * self.detour_factor <= self.radius_km
    }
}

/// A grid over points, with cells `cell_deg` degrees on a side.
pub struct Grid {
    cell_deg: f64,
    cols: i64,
    cells: HashMap<(i64, i64), Vec<u32>>,
    points: Vec<Point>,
}

impl Grid {
    /// Index `points` for queries of straight-line radius up to `radius_km`.
    pub fn new(points: &[Point], radius_km: f64) -> Self {
        // Columns divide 360° exactly so that wrapping at ±180° is clean.
        let cols = (360.0 / (radius_km / 111.0).clamp(0.01, 30.0)).ceil() as i64;
        let cell_deg = 360.0 / cols as f64;
        let mut cells: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
        for (i, p) in points.iter().enumerate() {
            let key = (
                ((p.latitude + 90.0) / cell_deg).floor() as i64,
                (((p.longitude + 180.0) / cell_deg).floor() as i64).rem_euclid(cols),
            );
            cells.entry(key).or_default().push(i as u32);
        }
        Grid {
            cell_deg,
            cols,
            cells,
            points: points.to_vec(),
        }
    }

    /// Indices of the points within reach of `centre`, in increasing order.
    pub fn within(&self, centre: Point, reach: &Reach) -> Vec<u32> {
        // Angular radius; the circle spans ±r in latitude and
        // ±asin(sin r / cos φ) in longitude (full circle if it holds a pole).
        let r = reach.straight_km() / EARTH_RADIUS_KM * 1.000_001 + 1e-12;
        let dlat = r.to_degrees();
        let ratio = r.sin() / centre.latitude.to_radians().cos();
        let dlon = if ratio >= 1.0 || r >= std::f64::consts::FRAC_PI_2 {
            360.0
        } else {
            ratio.asin().to_degrees()
        };
        let row_lo = ((centre.latitude - dlat + 90.0) / self.cell_deg).floor() as i64;
        let row_hi = ((centre.latitude + dlat + 90.0) / self.cell_deg).floor() as i64;
        let (col_lo, col_hi) = if dlon >= 180.0 {
            (0, self.cols - 1)
        } else {
            (
                ((centre.longitude - dlon + 180.0) / self.cell_deg).floor() as i64,
                ((centre.longitude + dlon + 180.0) / self.cell_deg).floor() as i64,
            )
        };
        let mut out = Vec::new();
        let mut seen_cols = Vec::new();
        for c in col_lo..=col_hi {
            let c = c.rem_euclid(self.cols);
            if seen_cols.contains(&c) {
                continue;
            }
            seen_cols.push(c);
            for row in row_lo..=row_hi {
                if let Some(ids) = self.cells.get(&(row, c)) {
                    for &i in ids {
                        if reach.reaches(centre, self.points[i as usize]) {
                            out.push(i);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }
}

/// Who covers whom: the input of the gap analysis and of the solver.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Weight (population) of each demand point.
    pub weights: Vec<f64>,
    /// Whether an existing hub already reaches each demand point.
    pub covered_by_existing: Vec<bool>,
    /// For each candidate, the demand points it reaches (sorted indices).
    pub candidate_covers: Vec<Vec<u32>>,
}

impl Coverage {
    /// Compute coverage of `demand` (position, weight) by `existing` hubs and
    /// by each of `candidates`.
    pub fn build(
        demand: &[(Point, f64)],
        existing: &[Point],
        candidates: &[Point],
        reach: &Reach,
    ) -> Coverage {
        let pts: Vec<Point> = demand.iter().map(|d| d.0).collect();
        let grid = Grid::new(&pts, reach.straight_km());
        let mut covered_by_existing = vec![false; demand.len()];
        for &h in existing {
            for i in grid.within(h, reach) {
                covered_by_existing[i as usize] = true;
            }
        }
        let candidate_covers = candidates.iter().map(|&c| grid.within(c, reach)).collect();
        Coverage {
            weights: demand.iter().map(|d| d.1).collect(),
            covered_by_existing,
            candidate_covers,
        }
    }

    /// Total weight of all demand points.
    pub fn total(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Weight reached by existing hubs plus the given candidates.
    pub fn covered_with(&self, chosen: &[usize]) -> f64 {
        let mut hit = self.covered_by_existing.clone();
        for &j in chosen {
            for &i in &self.candidate_covers[j] {
                hit[i as usize] = true;
            }
        }
        hit.iter()
            .zip(&self.weights)
            .filter(|(h, _)| **h)
            .map(|(_, w)| w)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_known_distance() {
        // Stockholm – Göteborg is about 398 km as the crow flies.
        let d = haversine_km(Point::new(59.3293, 18.0686), Point::new(57.7089, 11.9746));
        assert!((d - 398.0).abs() < 3.0, "{d}");
        assert_eq!(
            haversine_km(Point::new(1.0, 2.0), Point::new(1.0, 2.0)),
            0.0
        );
    }

    #[test]
    fn grid_matches_brute_force() {
        let mut pts = Vec::new();
        let mut s = 12345u64;
        for _ in 0..400 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (s >> 11) as f64 / (1u64 << 53) as f64;
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = (s >> 11) as f64 / (1u64 << 53) as f64;
            pts.push(Point::new(
                55.0 + a * 14.0,
                178.0 + b * 4.0 - if b > 0.5 { 360.0 } else { 0.0 },
            ));
        }
        for detour in [1.0, 1.4] {
            let reach = Reach::new(40.0, detour).unwrap();
            let grid = Grid::new(&pts, reach.straight_km());
            for &c in pts.iter().take(50) {
                let fast = grid.within(c, &reach);
                let slow: Vec<u32> = (0..pts.len() as u32)
                    .filter(|&i| reach.reaches(c, pts[i as usize]))
                    .collect();
                assert_eq!(fast, slow);
            }
        }
    }

    #[test]
    fn reach_rejects_bad_values() {
        assert!(Reach::new(0.0, 1.0).is_err());
        assert!(Reach::new(-3.0, 1.0).is_err());
        assert!(Reach::new(f64::NAN, 1.0).is_err());
        assert!(Reach::new(10_000.0, 1.0).is_err());
        assert!(Reach::new(15.0, 0.5).is_err());
        assert!(Reach::new(15.0, 1.3).is_ok());
    }
}
