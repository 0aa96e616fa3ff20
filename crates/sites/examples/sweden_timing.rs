//! Time each phase of the whole-of-Sweden benchmark instance once
//! (`cargo run --release -p thirdplace-sites --example sweden_timing`).

use std::time::Instant;

use thirdplace_sites::data::{county, parse_localities, SHIPPED_CSV};
use thirdplace_sites::{greedy, solve_max_cover, Coverage, Limits, Point, Reach};

fn main() {
    // Kalmar län, radius 15 km, no existing hubs: five suggested villages.
    let locs = county("Kalmar län").unwrap();
    let demand: Vec<(Point, f64)> = locs
        .iter()
        .map(|l| (l.point, l.population as f64))
        .collect();
    let cands: Vec<_> = locs.iter().filter(|l| !l.is_central_town).collect();
    let pts: Vec<Point> = cands.iter().map(|l| l.point).collect();
    let cov = Coverage::build(&demand, &[], &pts, &Reach::new(15.0, 1.0).unwrap());
    let s = solve_max_cover(&cov, 5, Limits::default()).unwrap();
    for (&j, g) in s.chosen.iter().zip(&s.gains) {
        println!(
            "Kalmar län: {} ({}) +{g}",
            cands[j].name, cands[j].municipality
        );
    }
    println!(
        "Kalmar län: {} of {} within reach, optimal={}",
        s.covered_after, s.total, s.optimal
    );

    for k in [10, 25, 50] {
        let t0 = Instant::now();
        let all = parse_localities("se_localities.csv", SHIPPED_CSV).unwrap();
        let t1 = Instant::now();
        let demand: Vec<(Point, f64)> =
            all.iter().map(|l| (l.point, l.population as f64)).collect();
        let cands: Vec<Point> = all
            .iter()
            .filter(|l| !l.is_central_town)
            .map(|l| l.point)
            .collect();
        let cov = Coverage::build(&demand, &[], &cands, &Reach::new(15.0, 1.0).unwrap());
        let t2 = Instant::now();
        let s = solve_max_cover(&cov, k, Limits::default()).unwrap();
        let t3 = Instant::now();
        let g = greedy(&cov, k).unwrap();
        println!(
            "k={k}: parse {:?}, coverage {:?}, solve {:?}; optimal={} nodes={} covered={} greedy={} pairs={}",
            t1 - t0,
            t2 - t1,
            t3 - t2,
            s.optimal,
            s.nodes,
            s.covered_after,
            g.covered_after,
            cov.candidate_covers.iter().map(|c| c.len()).sum::<usize>()
        );
    }
}
