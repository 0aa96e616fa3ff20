//! Exact solver against brute force, property tests, and the shipped data.

use proptest::prelude::*;
use thirdplace_sites::data::county;
use thirdplace_sites::{
    gap_analysis, greedy, solve_max_cover, solve_min_sites, sweden, Coverage, Limits, Point, Reach,
};

/// Best coverage over all subsets of size ≤ k, by enumeration.
fn brute_force(cov: &Coverage, k: usize) -> f64 {
    let n = cov.candidate_covers.len();
    let mut best = cov.covered_with(&[]);
    let mut idx: Vec<usize> = Vec::new();
    fn rec(cov: &Coverage, n: usize, k: usize, start: usize, idx: &mut Vec<usize>, best: &mut f64) {
        let v = cov.covered_with(idx);
        if v > *best {
            *best = v;
        }
        if idx.len() == k {
            return;
        }
        for j in start..n {
            idx.push(j);
            rec(cov, n, k, j + 1, idx, best);
            idx.pop();
        }
    }
    rec(cov, n, k, 0, &mut idx, &mut best);
    best
}

/// A random instance from a seed: points in a 1°×1° square near Kalmar.
fn instance(seed: u64, m: usize, n: usize, hubs: usize, radius: f64) -> Coverage {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut pt = || Point::new(56.5 + next(), 15.8 + next());
    let demand: Vec<(Point, f64)> = (0..m).map(|_| (pt(), 0.0)).collect();
    let cands: Vec<Point> = (0..n).map(|_| pt()).collect();
    let existing: Vec<Point> = (0..hubs).map(|_| pt()).collect();
    let mut w = Vec::new();
    let mut s2 = seed | 1;
    for _ in 0..m {
        s2 = s2.wrapping_mul(6364136223846793005).wrapping_add(1);
        w.push(((s2 >> 33) % 1000) as f64);
    }
    let demand: Vec<(Point, f64)> = demand
        .into_iter()
        .zip(w)
        .map(|((p, _), w)| (p, w))
        .collect();
    Coverage::build(
        &demand,
        &existing,
        &cands,
        &Reach::new(radius, 1.2).unwrap(),
    )
}

#[test]
fn hand_made_instance_where_greedy_is_wrong() {
    // Demand a(10) b(10) c(12 split 6+6); site 0 covers a+b... classic trap:
    // site 0 covers {c1, c2} = 12, site 1 covers {a, c1} = 16? Build by sets.
    let cov = Coverage {
        weights: vec![10.0, 10.0, 7.0, 7.0],
        covered_by_existing: vec![false; 4],
        candidate_covers: vec![vec![0, 2], vec![1, 3], vec![2, 3, 0]],
    };
    // Greedy takes site 2 (24) then one of the others (+10) = 34; optimum {0,1} = 34 too.
    let s = solve_max_cover(&cov, 2, Limits::default()).unwrap();
    assert!(s.optimal);
    assert_eq!(s.covered_after, 34.0);
    let cov = Coverage {
        weights: vec![5.0, 5.0, 5.0, 5.0, 6.0, 6.0],
        covered_by_existing: vec![false; 6],
        // Greedy: site 0 (4 points, 20)... then +6 = 26; optimum {1,2} = 5+5+6 + 5+5+6 = 32.
        candidate_covers: vec![vec![0, 1, 2, 3], vec![0, 1, 4], vec![2, 3, 5]],
    };
    let g = greedy(&cov, 2).unwrap();
    let s = solve_max_cover(&cov, 2, Limits::default()).unwrap();
    assert_eq!(g.covered_after, 26.0);
    assert_eq!(s.covered_after, 32.0);
    assert!(s.optimal);
    assert_eq!(s.gains.iter().sum::<f64>(), 32.0);
}

#[test]
fn matches_brute_force_on_random_instances() {
    for seed in 0..40u64 {
        let cov = instance(seed, 40, 12, (seed % 3) as usize, 14.0);
        for k in 1..=4 {
            let s = solve_max_cover(&cov, k, Limits::default()).unwrap();
            let b = brute_force(&cov, k);
            assert!(s.optimal, "seed {seed} k {k}");
            assert!(
                (s.covered_after - b).abs() < 1e-6,
                "seed {seed} k {k}: {} vs {b}",
                s.covered_after
            );
            assert!((cov.covered_with(&s.chosen) - s.covered_after).abs() < 1e-6);
            assert!(s.chosen.len() <= k);
        }
    }
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    let cov = instance(1, 10, 3, 0, 10.0);
    assert!(solve_max_cover(&cov, 0, Limits::default()).is_err());
    assert!(solve_max_cover(&cov, 4, Limits::default())
        .unwrap_err()
        .to_string()
        .contains("between 1 and"));
    assert!(solve_min_sites(&cov, 0.0, Limits::default()).is_err());
    assert!(solve_min_sites(&cov, 1.5, Limits::default()).is_err());
    let empty = Coverage {
        weights: vec![1.0],
        covered_by_existing: vec![false],
        candidate_covers: vec![],
    };
    assert!(solve_max_cover(&empty, 1, Limits::default())
        .unwrap_err()
        .to_string()
        .contains("empty"));
}

#[test]
fn min_sites_is_minimal() {
    for seed in 0..15u64 {
        let cov = instance(seed, 40, 10, 1, 15.0);
        let all: Vec<usize> = (0..10).collect();
        let max_share = cov.covered_with(&all) / cov.total();
        let target = max_share * 0.9;
        let m = solve_min_sites(&cov, target, Limits::default()).unwrap();
        assert!(m.proven_minimal);
        let n = m.solution.chosen.len();
        assert!(m.solution.covered_after >= target * cov.total() - 1e-6);
        if n > 0 {
            assert!(
                brute_force(&cov, n - 1) < target * cov.total() - 1e-9,
                "seed {seed}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn exact_is_never_worse_than_greedy_and_monotone(seed in 0u64..10_000, k in 1usize..6, r in 5.0f64..25.0) {
        let cov = instance(seed, 60, 20, (seed % 2) as usize, r);
        let e = solve_max_cover(&cov, k, Limits::default()).unwrap();
        let g = greedy(&cov, k).unwrap();
        prop_assert!(e.optimal);
        prop_assert!(e.covered_after + 1e-9 >= g.covered_after);
        let e2 = solve_max_cover(&cov, k + 1, Limits::default()).unwrap();
        prop_assert!(e2.covered_after + 1e-9 >= e.covered_after);
        let wider = instance(seed, 60, 20, (seed % 2) as usize, r * 1.3);
        let e3 = solve_max_cover(&wider, k, Limits::default()).unwrap();
        prop_assert!(e3.covered_after + 1e-9 >= e.covered_after);
        prop_assert!((e.covered_before + e.gains.iter().sum::<f64>() - e.covered_after).abs() < 1e-6);
    }
}

#[test]
fn kalmar_lan_on_shipped_data() {
    let locs = county("Kalmar län").unwrap();
    let demand: Vec<(Point, f64)> = locs
        .iter()
        .map(|l| (l.point, l.population as f64))
        .collect();
    let cands: Vec<_> = locs.iter().filter(|l| !l.is_central_town).collect();
    let existing: Vec<Point> = locs
        .iter()
        .filter(|l| l.is_central_town && l.name == "Kalmar")
        .map(|l| l.point)
        .collect();
    assert_eq!(existing.len(), 1);
    let reach = Reach::new(15.0, 1.0).unwrap();
    let cand_pts: Vec<Point> = cands.iter().map(|l| l.point).collect();
    let cov = Coverage::build(&demand, &existing, &cand_pts, &reach);
    let s = solve_max_cover(&cov, 5, Limits::default()).unwrap();
    assert!(s.optimal);
    assert!(!s.chosen.is_empty());
    for &j in &s.chosen {
        assert!(!cands[j].is_central_town);
        assert_eq!(cands[j].county, "Kalmar län");
    }
    let total: f64 = locs.iter().map(|l| l.population as f64).sum();
    assert_eq!(s.total, total);
    assert!(s.covered_before > 0.0 && s.covered_after > s.covered_before);
    assert_eq!(
        s.covered_before + s.gains.iter().sum::<f64>(),
        s.covered_after
    );
    assert!(s.covered_after <= total);

    let demand_pts: Vec<_> = locs.iter().map(|l| l.as_demand()).collect();
    let gaps = gap_analysis(&demand_pts, &existing, &reach);
    assert_eq!(gaps.within_reach + gaps.outside_reach, gaps.total);
    assert_eq!(gaps.total, total);
    assert_eq!(gaps.within_reach, s.covered_before);
    assert!(gaps.outside.windows(2).all(|w| w[0].weight >= w[1].weight));
    // Hubs at the suggested sites reach exactly what the solver promised.
    let mut hubs = existing.clone();
    hubs.extend(s.chosen.iter().map(|&j| cands[j].point));
    let after = gap_analysis(&demand_pts, &hubs, &reach);
    assert_eq!(after.within_reach, s.covered_after);

    let m = solve_min_sites(&cov, 0.6, Limits::default()).unwrap();
    assert!(m.proven_minimal);
    assert!(m.solution.covered_after >= 0.6 * total);
}

#[test]
fn whole_of_sweden_is_solved_exactly() {
    let all = sweden();
    let demand: Vec<(Point, f64)> = all.iter().map(|l| (l.point, l.population as f64)).collect();
    let cands: Vec<Point> = all
        .iter()
        .filter(|l| !l.is_central_town)
        .map(|l| l.point)
        .collect();
    let cov = Coverage::build(&demand, &[], &cands, &Reach::new(15.0, 1.0).unwrap());
    let s = solve_max_cover(&cov, 10, Limits::default()).unwrap();
    assert!(s.optimal, "gap {}", s.gap);
    let g = greedy(&cov, 10).unwrap();
    assert!(s.covered_after >= g.covered_after);
}

#[test]
fn node_limit_reports_a_proven_gap() {
    let all = sweden();
    let demand: Vec<(Point, f64)> = all.iter().map(|l| (l.point, l.population as f64)).collect();
    let cands: Vec<Point> = all
        .iter()
        .filter(|l| !l.is_central_town)
        .map(|l| l.point)
        .collect();
    let cov = Coverage::build(&demand, &[], &cands, &Reach::new(15.0, 1.0).unwrap());
    let exact = solve_max_cover(&cov, 50, Limits::default()).unwrap();
    let limited = solve_max_cover(
        &cov,
        50,
        Limits {
            max_nodes: 1,
            time_limit: None,
            gap_tolerance: 0.0,
        },
    )
    .unwrap();
    assert!(exact.optimal);
    assert!(limited.upper_bound + 1e-6 >= exact.covered_after);
    assert!(limited.covered_after <= exact.covered_after);
    assert!((limited.upper_bound - limited.covered_after - limited.gap).abs() < 1e-6);
    if !limited.optimal {
        assert!(limited.gap > 0.0);
    }
}

/// The European benchmark instance (data/europe, built by
/// data/localities/build.py --europe) parses in the user CSV formats; a
/// small part of it (places of 200 000 or more) is solved exactly.
#[test]
fn european_instance_parses_and_a_slice_solves() {
    use thirdplace_sites::{parse_candidates, parse_demand};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/europe/");
    let read = |f: &str| std::fs::read_to_string(format!("{dir}{f}")).unwrap();
    let demand = parse_demand("eu_demand.csv", &read("eu_demand.csv")).unwrap();
    let cands = parse_candidates("eu_candidates.csv", &read("eu_candidates.csv")).unwrap();
    assert_eq!(demand.len(), 61_168);
    assert_eq!(cands.len(), 54_579);
    assert!(demand.iter().all(|d| d.weight >= 1000.0));
    let big: std::collections::HashSet<&str> = demand
        .iter()
        .filter(|d| d.weight >= 200_000.0)
        .map(|d| d.id.as_str())
        .collect();
    let pts: Vec<(Point, f64)> = demand
        .iter()
        .filter(|d| big.contains(d.id.as_str()))
        .map(|d| (d.point, d.weight))
        .collect();
    let sites: Vec<Point> = cands
        .iter()
        .filter(|c| big.contains(c.id.as_str()))
        .map(|c| c.point)
        .collect();
    let cov = Coverage::build(&pts, &[], &sites, &Reach::new(15.0, 1.0).unwrap());
    let s = solve_max_cover(&cov, 20, Limits::default()).unwrap();
    assert!(s.optimal);
    assert!(s.covered_after >= greedy(&cov, 20).unwrap().covered_after);
}
