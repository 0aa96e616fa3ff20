//! Gap analysis: with the existing hubs and a reach, how much of the demand is
//! within reach, how much is not, and which places outside reach are largest.

use serde::Serialize;

use crate::data::DemandPoint;
use crate::geo::{Coverage, Point, Reach};

/// The answer of [`gap_analysis`]. `within_reach + outside_reach == total`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    pub total: f64,
    pub within_reach: f64,
    pub outside_reach: f64,
    /// Demand points outside reach of every hub, largest weight first (ties by id).
    pub outside: Vec<DemandPoint>,
}

impl GapReport {
    /// Share of the total within reach, 0..=1 (1 when there is no demand).
    pub fn share_within(&self) -> f64 {
        if self.total > 0.0 {
            self.within_reach / self.total
        } else {
            1.0
        }
    }
}

/// Who is within `reach` of the `existing` hubs and who is not.
pub fn gap_analysis(demand: &[DemandPoint], existing: &[Point], reach: &Reach) -> GapReport {
    let pts: Vec<(Point, f64)> = demand.iter().map(|d| (d.point, d.weight)).collect();
    let cov = Coverage::build(&pts, existing, &[], reach);
    let mut within = 0.0;
    let mut outside = Vec::new();
    for (d, &hit) in demand.iter().zip(&cov.covered_by_existing) {
        if hit {
            within += d.weight;
        } else {
            outside.push(d.clone());
        }
    }
    outside.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.id.cmp(&b.id)));
    let outside_reach = outside.iter().map(|d| d.weight).sum();
    GapReport {
        total: within + outside_reach,
        within_reach: within,
        outside_reach,
        outside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: &str, lat: f64, lon: f64, w: f64) -> DemandPoint {
        DemandPoint {
            id: id.into(),
            name: id.into(),
            point: Point::new(lat, lon),
            weight: w,
        }
    }

    #[test]
    fn splits_and_ranks() {
        let demand = vec![
            d("a", 56.0, 16.0, 100.0),
            d("b", 56.5, 16.0, 50.0),
            d("c", 57.0, 16.0, 70.0),
        ];
        let r = gap_analysis(
            &demand,
            &[Point::new(56.0, 16.0)],
            &Reach::new(20.0, 1.0).unwrap(),
        );
        assert_eq!(r.within_reach, 100.0);
        assert_eq!(r.outside_reach, 120.0);
        assert_eq!(r.total, 220.0);
        let ids: Vec<&str> = r.outside.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["c", "b"]);
        // With a detour factor of 3, 20 km of road is under 7 km straight.
        let r = gap_analysis(
            &demand,
            &[Point::new(56.1, 16.0)],
            &Reach::new(20.0, 3.0).unwrap(),
        );
        assert_eq!(r.within_reach, 0.0);
    }
}
