//! Whole of Sweden, end to end: parse the shipped table, compute coverage
//! (radius 15 km), solve the maximal covering location problem exactly for
//! k = 10, 25, 50 with every locality as demand and every non-central-town
//! locality as candidate.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use thirdplace_sites::data::{parse_localities, SHIPPED_CSV};
use thirdplace_sites::{solve_max_cover, Coverage, Limits, Point, Reach, Solution};

fn end_to_end(k: usize) -> Solution {
    let all = parse_localities("se_localities.csv", SHIPPED_CSV).unwrap();
    let demand: Vec<(Point, f64)> = all.iter().map(|l| (l.point, l.population as f64)).collect();
    let cands: Vec<Point> = all
        .iter()
        .filter(|l| !l.is_central_town)
        .map(|l| l.point)
        .collect();
    let cov = Coverage::build(&demand, &[], &cands, &Reach::new(15.0, 1.0).unwrap());
    solve_max_cover(&cov, k, Limits::default()).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sweden_r15km");
    g.sample_size(30);
    for k in [10, 25, 50] {
        let s = end_to_end(k);
        eprintln!(
            "k={k}: optimal={} gap={} nodes={} covered={} of {} ({:.1} %)",
            s.optimal,
            s.gap,
            s.nodes,
            s.covered_after,
            s.total,
            100.0 * s.covered_after / s.total
        );
        assert!(s.optimal);
        g.bench_function(format!("k{k}"), |b| {
            b.iter(|| black_box(end_to_end(black_box(k))))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
