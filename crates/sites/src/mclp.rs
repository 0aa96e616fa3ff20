//! Maximal covering location (MCLP), solved exactly, and its inverse.
//!
//! Given demand weights, what existing hubs already reach, and for each
//! candidate the demand it would reach, choose `k` candidates that maximise
//! the weight newly within reach.
//!
//! Method:
//! 1. **Reduction.** Demand already reached, of weight 0, or reachable by no
//!    candidate is dropped; demand points reached by exactly the same
//!    candidates are merged; a candidate whose coverage is a subset of
//!    another's is dominated and dropped (some optimum never needs it). Sites
//!    and demand are then numbered in breadth-first order of the coverage
//!    graph, so that neighbours in the numbering are neighbours on the map
//!    (cache locality for the passes below; coordinate descent in that order
//!    also gets much further).
//! 2. **Incumbent.** Greedy by marginal gain (lazy: gains only shrink, so
//!    stale heap entries are re-checked), improved by swaps (one site out, one
//!    in, with every site's gain and loss kept up to date incrementally and a
//!    max tree over the gains) and by the sites the Lagrangian bound picks.
//! 3. **Branch and bound.** Depth first on "site j in / out". The bound is the
//!    Lagrangian relaxation of the coverage constraints `y_i ≤ Σ_{j∋i} x_j`
//!    with multipliers `λ_i ∈ [0, w_i]`:
//!    `L(λ) = covered(fixed) + Σ_i max(0, w_i − λ_i) + (sum of the r largest
//!    Σ_{i∈N_j} λ_i over free j)`, an upper bound for every λ (λ = w gives the
//!    classic "sum of the r largest marginal gains"). λ is improved by
//!    subgradient steps and handed down to the children. With integer weights a
//!    node is pruned once its bound is below incumbent + 1. Reduced-cost
//!    fixing: with the same λ, forcing a site in (or out) changes the bound by
//!    a known amount, which settles many sites without branching. Branching is
//!    on the weakest site among the r the bound picks.
//! 4. **Large instances** (over 100 000 demand–site pairs after
//!    reduction, e.g. all of Europe, or k ≥ 100): the tree cannot close what
//!    the root leaves, so the root gets 97 % of the time limit (until the gap
//!    is under 0.1 %), split over both cores:
//!    - the bound: block coordinate descent (each λ_i set to its minimiser
//!      with θ = the r-th largest profit), then subgradient steps projected on
//!      the box and deflected by the previous direction (Camerini–Fratta–
//!      Maffioli), with the site profits kept up to date from the λ that moved
//!      (the bound reported is re-evaluated exactly), then coordinate descent
//!      again;
//!    - beside it, in a second thread, an iterated local search: take out 1–3
//!      chosen sites near each other, refill greedily without them, repair by
//!      swaps around the change, keep the result unless worse; it restarts
//!      from the top k of the running average of the bound's Lagrangian
//!      choices (an estimate of the LP solution) when their swap optimum is
//!      better. Once it has stalled (5 000 kicks without a better set; on a
//!      busy machine it rarely gets there) the thread moves to **region
//!      re-optimisation**, a large neighbourhood search: the 800 sites
//!      nearest a centre in the coverage graph form a region, the chosen
//!      sites in it are freed and chosen again by this module's exact search
//!      on the sub-instance (the demand the region reaches that no chosen
//!      site outside it reaches; multipliers warm-started from the root's),
//!      and the result is kept if better. The centre is a chosen site, or
//!      every other move a site the LP estimate ranks in the top k that the
//!      incumbent lacks. Once the bound stalls, the bound's thread runs
//!      region moves too, until the gap is within the tolerance.
//!
//!    Every λ gives a valid bound and every incumbent is a set of k sites
//!    whose cover is counted exactly, so a stop at any point still reports a
//!    proven gap. (Set `MCLP_TRACE` to print the root's progress to stderr.)
//!
//! If the node or time limit stops the search, the answer carries the best
//! proven upper bound and the gap instead of `optimal: true`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::geo::Coverage;
use crate::{Result, SitesError};

/// Where the exact search may stop and report a gap instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_nodes: u64,
    pub time_limit: Option<Duration>,
    /// Relative gap at which the search may stop (0 = prove optimality): a
    /// subtree whose bound is within `gap_tolerance × incumbent` of the
    /// incumbent is not explored; the answer then carries the proven gap.
    pub gap_tolerance: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 2_000_000,
            time_limit: Some(Duration::from_secs(10)),
            gap_tolerance: 0.0,
        }
    }
}

/// The answer of [`solve_max_cover`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    /// Chosen candidate indices, in order of the weight each adds (at most k:
    /// sites that would add nothing are not suggested).
    pub chosen: Vec<usize>,
    /// Weight each chosen site adds, in the same order (added one by one).
    pub gains: Vec<f64>,
    pub total: f64,
    /// Weight within reach of the existing hubs.
    pub covered_before: f64,
    /// Weight within reach of the existing hubs or a chosen site.
    pub covered_after: f64,
    /// Proven upper bound on `covered_after` for any choice of k sites.
    pub upper_bound: f64,
    /// `upper_bound − covered_after`; 0 when optimal.
    pub gap: f64,
    /// The answer is proven optimal.
    pub optimal: bool,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
}

/// The answer of [`solve_min_sites`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinSitesSolution {
    pub target_share: f64,
    /// Weight that must be within reach.
    pub target: f64,
    pub solution: Solution,
    /// Proven that fewer sites cannot reach the target.
    pub proven_minimal: bool,
}

/// The reduced instance the search works on.
struct Reduced {
    w: Vec<f64>,
    covers: Vec<Vec<u32>>,
    by: Vec<Vec<u32>>,
    orig: Vec<usize>,
    integral: bool,
}

fn is_subset(a: &[u32], b: &[u32]) -> bool {
    let mut it = b.iter();
    'outer: for x in a {
        for y in it.by_ref() {
            if y == x {
                continue 'outer;
            }
            if y > x {
                return false;
            }
        }
        return false;
    }
    true
}

fn reduce(cov: &Coverage) -> Reduced {
    let m = cov.weights.len();
    let active: Vec<bool> = (0..m)
        .map(|i| !cov.covered_by_existing[i] && cov.weights[i] > 0.0)
        .collect();
    let mut by_orig: Vec<Vec<u32>> = vec![Vec::new(); m];
    for (j, c) in cov.candidate_covers.iter().enumerate() {
        for &i in c {
            if active[i as usize] {
                by_orig[i as usize].push(j as u32);
            }
        }
    }
    // Merge demand with identical candidate sets.
    let mut key_of: HashMap<&[u32], u32> = HashMap::new();
    let mut merged_of = vec![u32::MAX; m];
    let mut w = Vec::new();
    for i in 0..m {
        if by_orig[i].is_empty() {
            continue;
        }
        let next = w.len() as u32;
        let id = *key_of.entry(by_orig[i].as_slice()).or_insert(next);
        if id == next {
            w.push(0.0);
        }
        w[id as usize] += cov.weights[i];
        merged_of[i] = id;
    }
    let mut covers: Vec<Vec<u32>> = cov
        .candidate_covers
        .iter()
        .map(|c| {
            let mut v: Vec<u32> = c
                .iter()
                .map(|&i| merged_of[i as usize])
                .filter(|&x| x != u32::MAX)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let mut by: Vec<Vec<u32>> = vec![Vec::new(); w.len()];
    for (j, c) in covers.iter().enumerate() {
        for &i in c {
            by[i as usize].push(j as u32);
        }
    }
    // Dominance: drop j if some other j' covers a superset (ties: keep lowest index).
    let n = covers.len();
    let mut keep = vec![false; n];
    for j in 0..n {
        let c = &covers[j];
        if c.is_empty() {
            continue;
        }
        let rarest = c.iter().min_by_key(|&&i| by[i as usize].len()).unwrap();
        let dominated = by[*rarest as usize].iter().any(|&o| {
            let o = o as usize;
            o != j
                && covers[o].len() >= c.len()
                && (covers[o].len() > c.len() || o < j)
                && is_subset(c, &covers[o])
        });
        keep[j] = !dominated;
    }
    let mut orig = Vec::new();
    let mut kept_covers = Vec::new();
    for j in 0..n {
        if keep[j] {
            orig.push(j);
            kept_covers.push(std::mem::take(&mut covers[j]));
        }
    }
    let mut by: Vec<Vec<u32>> = vec![Vec::new(); w.len()];
    for (j, c) in kept_covers.iter().enumerate() {
        for &i in c {
            by[i as usize].push(j as u32);
        }
    }
    let integral = w.iter().all(|x: &f64| x.fract() == 0.0 && *x < 1e15);
    renumber(Reduced {
        w,
        covers: kept_covers,
        by,
        orig,
        integral,
    })
}

/// Number sites and demand points in breadth-first order of the coverage
/// graph, so that sites next to each other in the numbering cover demand next
/// to each other: the bound's passes over the coverage pairs and the swap
/// search then stay in the cache on large instances.
fn renumber(r: Reduced) -> Reduced {
    let Reduced {
        w,
        covers,
        by,
        orig,
        integral,
    } = r;
    let (m, n) = (w.len(), covers.len());
    let mut site_seen = vec![false; n];
    let mut dem_new = vec![u32::MAX; m];
    let mut site_order: Vec<u32> = Vec::with_capacity(n);
    let mut dem_order: Vec<u32> = Vec::with_capacity(m);
    for s0 in 0..n {
        if site_seen[s0] {
            continue;
        }
        site_seen[s0] = true;
        let mut head = site_order.len();
        site_order.push(s0 as u32);
        while head < site_order.len() {
            let j = site_order[head] as usize;
            head += 1;
            for &i in &covers[j] {
                if dem_new[i as usize] != u32::MAX {
                    continue;
                }
                dem_new[i as usize] = dem_order.len() as u32;
                dem_order.push(i);
                for &o in &by[i as usize] {
                    if !site_seen[o as usize] {
                        site_seen[o as usize] = true;
                        site_order.push(o);
                    }
                }
            }
        }
    }
    for (i, d) in dem_new.iter_mut().enumerate() {
        if *d == u32::MAX {
            *d = dem_order.len() as u32;
            dem_order.push(i as u32);
        }
    }
    let w2: Vec<f64> = dem_order.iter().map(|&i| w[i as usize]).collect();
    let orig2: Vec<usize> = site_order.iter().map(|&j| orig[j as usize]).collect();
    let covers2: Vec<Vec<u32>> = site_order
        .iter()
        .map(|&j| {
            let mut c: Vec<u32> = covers[j as usize]
                .iter()
                .map(|&i| dem_new[i as usize])
                .collect();
            c.sort_unstable();
            c
        })
        .collect();
    let mut by2: Vec<Vec<u32>> = dem_order
        .iter()
        .map(|&i| Vec::with_capacity(by[i as usize].len()))
        .collect();
    for (j, c) in covers2.iter().enumerate() {
        for &i in c {
            by2[i as usize].push(j as u32);
        }
    }
    Reduced {
        w: w2,
        covers: covers2,
        by: by2,
        orig: orig2,
        integral,
    }
}

/// Subgradient iterations at the root (they stop earlier once the bound
/// proves the incumbent optimal, the step gets tiny, or time runs out).
const ROOT_ITERATIONS: usize = 20_000;

/// Weight of the newest Lagrangian choice in the running average handed to
/// the primal search.
const XBAR_RATE: f32 = 0.02;

/// The subgradient recomputes site profits from scratch this often.
const EXACT_EVERY: usize = 32;

const FREE: u8 = 0;
const IN: u8 = 1;
const OUT: u8 = 2;

struct Search<'a> {
    r: &'a Reduced,
    k: usize,
    status: Vec<u8>,
    in_cnt: Vec<u32>,
    free_cnt: Vec<u32>,
    chosen: Vec<u32>,
    base: f64,
    best: f64,
    best_set: Vec<u32>,
    nodes: u64,
    limits: Limits,
    start: Instant,
    aborted: bool,
    /// Largest bound of a subtree left unexplored under the gap tolerance.
    tolerated: f64,
    /// A bound at most `best + slack` cannot beat the incumbent.
    slack: f64,
    scratch_c: Vec<f64>,
    scratch_mark: Vec<u32>,
    /// Over `LARGE_PAIRS` coverage pairs or `LARGE_K` sites: the root gets
    /// coordinate descent and more iterations.
    large: bool,
    /// The primal search running beside the root bound (large instances).
    share: Option<&'a PrimalShare>,
}

/// Size (demand–site pairs after reduction) from which an instance is large.
const LARGE_PAIRS: usize = 100_000;
/// Number of sites from which an instance is large: the tree is too deep to
/// make up for a weak root bound.
const LARGE_K: usize = 100;

impl<'a> Search<'a> {
    fn new(r: &'a Reduced, k: usize, limits: Limits) -> Self {
        let scale = r.w.iter().sum::<f64>().max(1.0);
        Search {
            r,
            k,
            status: vec![FREE; r.covers.len()],
            in_cnt: vec![0; r.w.len()],
            free_cnt: r.by.iter().map(|b| b.len() as u32).collect(),
            chosen: Vec::new(),
            base: 0.0,
            best: 0.0,
            best_set: Vec::new(),
            nodes: 0,
            limits,
            start: Instant::now(),
            aborted: false,
            tolerated: f64::MIN,
            slack: if r.integral { 1.0 - 1e-6 } else { 1e-9 * scale },
            scratch_c: vec![0.0; r.covers.len()],
            scratch_mark: vec![0; r.w.len()],
            large: k >= LARGE_K || r.covers.iter().map(Vec::len).sum::<usize>() > LARGE_PAIRS,
            share: None,
        }
    }

    fn include(&mut self, j: u32) {
        self.status[j as usize] = IN;
        self.chosen.push(j);
        for &i in &self.r.covers[j as usize] {
            let i = i as usize;
            if self.in_cnt[i] == 0 {
                self.base += self.r.w[i];
            }
            self.in_cnt[i] += 1;
            self.free_cnt[i] -= 1;
        }
    }

    fn undo_include(&mut self, j: u32) {
        self.status[j as usize] = FREE;
        self.chosen.pop();
        for &i in &self.r.covers[j as usize] {
            let i = i as usize;
            self.in_cnt[i] -= 1;
            if self.in_cnt[i] == 0 {
                self.base -= self.r.w[i];
            }
            self.free_cnt[i] += 1;
        }
    }

    fn exclude(&mut self, j: u32) {
        self.status[j as usize] = OUT;
        for &i in &self.r.covers[j as usize] {
            self.free_cnt[i as usize] -= 1;
        }
    }

    fn undo_exclude(&mut self, j: u32) {
        self.status[j as usize] = FREE;
        for &i in &self.r.covers[j as usize] {
            self.free_cnt[i as usize] += 1;
        }
    }

    /// Value of the fixed-in sites plus `extra`; records a new incumbent.
    fn try_incumbent(&mut self, extra: &[u32]) {
        let mut v = self.base;
        for &j in extra {
            for &i in &self.r.covers[j as usize] {
                let i = i as usize;
                if self.in_cnt[i] == 0 && self.scratch_mark[i] == 0 {
                    v += self.r.w[i];
                }
                self.scratch_mark[i] += 1;
            }
        }
        for &j in extra {
            for &i in &self.r.covers[j as usize] {
                self.scratch_mark[i as usize] = 0;
            }
        }
        if v > self.best {
            self.best = v;
            self.best_set = self.chosen.iter().chain(extra).copied().collect();
        }
    }

    /// Lagrangian bound for the current node; improves `lambda` in place.
    /// Returns the best bound found and that bound's x (free sites, largest
    /// Lagrangian profit first).
    fn bound(
        &mut self,
        lambda: &mut [f64],
        free: &[u32],
        iters: usize,
        root: bool,
    ) -> (f64, Vec<u32>) {
        let r = self.k - self.chosen.len();
        let w = &self.r.w;
        let relevant: Vec<u32> = (0..w.len() as u32)
            .filter(|&i| self.in_cnt[i as usize] == 0 && self.free_cnt[i as usize] > 0)
            .collect();
        let mut best_l = f64::INFINITY;
        let mut best_x: Vec<u32> = Vec::new();
        let mut theta = if root { 1.0 } else { 0.5 };
        // Halve the step after this many iterations without a better bound;
        // a large instance needs the longer patience to get near the LP bound.
        let patience = match (root, self.large) {
            (true, true) => 200,
            (true, false) => 20,
            _ => 5,
        };
        let mut since = 0;
        let mut order: Vec<u32> = free.to_vec();
        let mut xcnt = vec![0u32; w.len()];
        let mut best_lambda = lambda.to_vec();
        let mut done = 0;
        let (mut gv, mut dir) = (vec![0.0; w.len()], vec![0.0; w.len()]);
        let mut stale = false;
        let mut checkpoint = f64::INFINITY;
        let mut xbar: Vec<f32> = Vec::new();
        for it in 0..iters {
            done = it;
            let mut l = self.base;
            for &i in &relevant {
                let i = i as usize;
                if w[i] > lambda[i] {
                    l += w[i] - lambda[i];
                }
            }
            // Site profits: recomputed every few iterations, else kept up to
            // date from the λ changes (most λ do not move once near the
            // optimum); the bound returned is re-evaluated exactly.
            if stale || it.is_multiple_of(EXACT_EVERY) {
                for &j in free {
                    let mut c = 0.0;
                    for &i in &self.r.covers[j as usize] {
                        let i = i as usize;
                        if self.in_cnt[i] == 0 {
                            c += lambda[i];
                        }
                    }
                    self.scratch_c[j as usize] = c;
                }
            }
            let sc = &self.scratch_c;
            order.select_nth_unstable_by(r - 1, |a, b| {
                sc[*b as usize].total_cmp(&sc[*a as usize]).then(a.cmp(b))
            });
            let x = &mut order[..r];
            x.sort_unstable_by(|a, b| sc[*b as usize].total_cmp(&sc[*a as usize]).then(a.cmp(b)));
            l += x.iter().map(|&j| sc[j as usize]).sum::<f64>();
            let x: Vec<u32> = x.to_vec();
            if l < best_l - 1e-12 {
                best_l = l;
                best_x.clone_from(&x);
                best_lambda.copy_from_slice(lambda);
                since = 0;
            } else {
                since += 1;
                if since >= patience {
                    theta /= 2.0;
                    since = 0;
                }
            }
            // (With a primal search beside the root, its sets are better.)
            if (root && self.share.is_none()) || it == 0 {
                self.try_incumbent(&x);
            }
            // The best value known, with the primal search's beside the root.
            let mut known = self.best;
            // On a large instance the Lagrangian choice, improved by swaps,
            // is the best source of incumbents.
            if let (true, Some(share)) = (root, self.share) {
                // Ergodic average of the Lagrangian choices: approximates the
                // LP solution; its r largest entries are the start handed over.
                if xbar.is_empty() {
                    xbar = vec![0.0f32; self.r.covers.len()];
                }
                for v in xbar.iter_mut() {
                    *v *= 1.0 - XBAR_RATE;
                }
                for &j in &x {
                    xbar[j as usize] += XBAR_RATE;
                }
                if it % 50 == 49 {
                    let mut top: Vec<u32> = free.to_vec();
                    let xb = &xbar;
                    let sc = &self.scratch_c;
                    top.select_nth_unstable_by(r - 1, |a, b| {
                        xb[*b as usize]
                            .total_cmp(&xb[*a as usize])
                            .then(sc[*b as usize].total_cmp(&sc[*a as usize]))
                    });
                    top.truncate(r);
                    *share.lp_top.lock().unwrap() = Some(std::sync::Arc::new(top.clone()));
                    *share.lagrangian.lock().unwrap() = Some(top);
                    *share.lambda.lock().unwrap() = Some(std::sync::Arc::new(best_lambda.clone()));
                }
                known = share.value();
            } else if root && self.large && it % 400 == 399 && self.chosen.is_empty() {
                let (v, set) = local_search(self.r, &x);
                trace(&format!(
                    "it {it} t {:?} bound {best_l} best {} ls {v}",
                    self.start.elapsed(),
                    self.best
                ));
                if v > self.best {
                    self.best = v;
                    self.best_set = set;
                }
            }
            known = known.max(self.best);
            if best_l <= known + self.slack || theta < 1e-4 {
                break;
            }
            // Past the usual root effort, go on only on a large instance (where
            // a node costs as much as many iterations) while the gap is over 0.1 %.
            if root && it >= 300 && (!self.large || best_l - known <= 1e-3 * known) {
                break;
            }
            // Leave some of the time for the work after the root bound (on a
            // large instance the tree cannot close a gap the root left, so
            // the root and the primal search beside it get nearly all).
            let share = if self.large { 0.97 } else { 0.85 };
            if root
                && it % 16 == 15
                && self
                    .limits
                    .time_limit
                    .is_some_and(|t| self.start.elapsed() >= t.mul_f64(share))
            {
                break;
            }
            // Subgradient g_i = y_i − (number of chosen x covering i).
            for &j in &x {
                for &i in &self.r.covers[j as usize] {
                    xcnt[i as usize] += 1;
                }
            }
            // On a large instance's root: the subgradient projected on the
            // box [0, w] and deflected by the previous direction
            // (Camerini–Fratta–Maffioli), which damps the zig-zag.
            let deflect = root && self.large;
            let mut norm = 0.0;
            let mut dot = 0.0;
            let mut dprev = 0.0;
            for &i in &relevant {
                let i = i as usize;
                let y = if w[i] > lambda[i] { 1.0 } else { 0.0 };
                let mut g = y - xcnt[i] as f64;
                if deflect {
                    if (g > 0.0 && lambda[i] >= w[i]) || (g < 0.0 && lambda[i] <= 0.0) {
                        g = 0.0;
                    }
                    gv[i] = g;
                    dot += g * dir[i];
                    dprev += dir[i] * dir[i];
                }
                norm += g * g;
            }
            if norm == 0.0 {
                for &j in &x {
                    for &i in &self.r.covers[j as usize] {
                        xcnt[i as usize] = 0;
                    }
                }
                break;
            }
            let beta = if deflect && dot < 0.0 && dprev > 0.0 {
                -1.5 * dot / dprev
            } else {
                0.0
            };
            if deflect {
                norm = 0.0;
                for &i in &relevant {
                    let i = i as usize;
                    let d = gv[i] + beta * dir[i];
                    dir[i] = d;
                    norm += d * d;
                }
            }
            let target = known + if self.r.integral { 1.0 } else { 0.0 };
            let t = theta * (l - target).max(1e-9 * l.abs().max(1.0)) / norm;
            // New λ; the λ changes go into `gv`. When many move, the profits
            // are recomputed from scratch (faster than scattering them).
            let mut moved = 0usize;
            for &i in &relevant {
                let i = i as usize;
                let g = if deflect {
                    dir[i]
                } else {
                    let y = if w[i] > lambda[i] { 1.0 } else { 0.0 };
                    y - xcnt[i] as f64
                };
                let new = (lambda[i] + t * g).clamp(0.0, w[i]);
                let d = new - lambda[i];
                lambda[i] = new;
                gv[i] = d;
                if d != 0.0 {
                    moved += 1;
                }
            }
            stale = 3 * moved > relevant.len();
            if !stale {
                for &i in &relevant {
                    let d = gv[i as usize];
                    if d != 0.0 {
                        for &j in &self.r.by[i as usize] {
                            self.scratch_c[j as usize] += d;
                        }
                    }
                }
            }
            // With a primal search beside it, a stalled root bound hands its
            // time over (see `dfs`).
            if root && self.share.is_some() && it % 250 == 0 {
                if checkpoint - best_l < 2e-5 * best_l.abs() {
                    break;
                }
                checkpoint = best_l;
            }
            if root && it % 250 == 0 {
                trace(&format!(
                    "sg it {it} bound {best_l} known {known} t {:?}",
                    self.start.elapsed()
                ));
            }
            for &j in &x {
                for &i in &self.r.covers[j as usize] {
                    xcnt[i as usize] = 0;
                }
            }
        }
        if root {
            trace(&format!(
                "sg iterations {done} t {:?}",
                self.start.elapsed()
            ));
        }
        lambda.copy_from_slice(&best_lambda);
        if iters > 1 {
            // The profits were kept up to date incrementally: the bound at
            // the best λ, exactly (one more pass).
            let (l, x) = self.bound(lambda, free, 1, false);
            return (l, x);
        }
        (best_l, best_x)
    }

    /// Block coordinate descent on the Lagrangian dual: with θ the r-th
    /// largest site profit, each λ_i moves to the minimiser of the dual in
    /// λ_i alone, `min_j (θ − c_j + λ_i)` clamped to [0, w_i] (raise it until
    /// a site covering i reaches θ; lower it when two are above θ). Cheap and
    /// local; the subgradient steps of [`Search::bound`] then refine λ.
    /// Returns the best bound seen (λ is left at that point).
    fn coordinate_descent(&mut self, lambda: &mut [f64], free: &[u32], rounds: usize) -> f64 {
        let r = self.k - self.chosen.len();
        let w = &self.r.w;
        let relevant: Vec<u32> = (0..w.len() as u32)
            .filter(|&i| self.in_cnt[i as usize] == 0 && self.free_cnt[i as usize] > 0)
            .collect();
        let is_free: Vec<bool> = self.status.iter().map(|&s| s == FREE).collect();
        let mut c = vec![0.0; self.r.covers.len()];
        for &j in free {
            c[j as usize] = self.r.covers[j as usize]
                .iter()
                .filter(|&&i| self.in_cnt[i as usize] == 0)
                .map(|&i| lambda[i as usize])
                .sum();
        }
        let mut order: Vec<u32> = free.to_vec();
        let mut best = f64::INFINITY;
        let mut best_lambda = lambda.to_vec();
        for _ in 0..rounds {
            let cs = &c;
            order.select_nth_unstable_by(r - 1, |a, b| cs[*b as usize].total_cmp(&cs[*a as usize]));
            let theta = c[order[r - 1] as usize];
            let value = self.base
                + relevant
                    .iter()
                    .map(|&i| w[i as usize] - lambda[i as usize])
                    .sum::<f64>()
                + order[..r].iter().map(|&j| c[j as usize]).sum::<f64>();
            if value < best - 1e-9 * value.abs() {
                best = value;
                best_lambda.copy_from_slice(lambda);
            } else {
                break;
            }
            for &i in &relevant {
                let i = i as usize;
                let mut m = f64::INFINITY;
                for &j in &self.r.by[i] {
                    if is_free[j as usize] {
                        m = m.min(theta - c[j as usize] + lambda[i]);
                    }
                }
                let new = m.clamp(0.0, w[i]);
                let d = new - lambda[i];
                if d != 0.0 {
                    for &j in &self.r.by[i] {
                        c[j as usize] += d;
                    }
                    lambda[i] = new;
                }
            }
        }
        lambda.copy_from_slice(&best_lambda);
        best
    }

    /// Lagrangian profits of the free sites at `lambda`, largest first.
    fn profits(&self, lambda: &[f64], free: &[u32]) -> Vec<(f64, u32)> {
        let mut v: Vec<(f64, u32)> = free
            .iter()
            .map(|&j| {
                let c = self.r.covers[j as usize]
                    .iter()
                    .filter(|&&i| self.in_cnt[i as usize] == 0)
                    .map(|&i| lambda[i as usize])
                    .sum();
                (c, j)
            })
            .collect();
        v.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        v
    }

    /// Can a subtree with bound `b` be left unexplored? Exactly when it cannot
    /// beat the incumbent, or (recorded in `tolerated`) within the gap tolerance.
    fn settled(&mut self, b: f64) -> bool {
        if b <= self.best + self.slack {
            return true;
        }
        if b <= self.best * (1.0 + self.limits.gap_tolerance) {
            self.tolerated = self.tolerated.max(b);
            return true;
        }
        false
    }

    fn out_of_budget(&mut self) -> bool {
        if self.aborted {
            return true;
        }
        if self.nodes >= self.limits.max_nodes {
            self.aborted = true;
        } else {
            if let Some(t) = self.limits.time_limit {
                if self.start.elapsed() >= t {
                    self.aborted = true;
                }
            }
        }
        self.aborted
    }

    /// Explore the subtree; `None` if settled, else an upper bound on what
    /// remains unexplored in it.
    fn dfs(&mut self, mut lambda: Vec<f64>, parent_bound: f64) -> Option<f64> {
        let r = self.k - self.chosen.len();
        let free: Vec<u32> = (0..self.status.len() as u32)
            .filter(|&j| self.status[j as usize] == FREE)
            .collect();
        if r == 0 || free.len() <= r {
            self.try_incumbent(&free[..free.len().min(r)]);
            return None;
        }
        if self.settled(parent_bound) {
            return None;
        }
        if self.out_of_budget() {
            return Some(parent_bound);
        }
        let root = self.nodes == 0;
        self.nodes += 1;
        // On a large instance plain subgradient steps from λ = w are far too
        // slow; coordinate descent first gets λ most of the way.
        if root && self.large {
            let b0 = self.coordinate_descent(&mut lambda, &free, 100);
            trace(&format!(
                "cd1 t {:?} bound {b0} best {}",
                self.start.elapsed(),
                self.best
            ));
        }
        let (mut l_star, x) = self.bound(
            &mut lambda,
            &free,
            if root { ROOT_ITERATIONS } else { 30 },
            root,
        );
        if root && self.large {
            // Coordinate descent again from where the subgradient stopped; it
            // returns the bound at the λ it leaves, at most `l_star`.
            trace(&format!(
                "sg end t {:?} bound {l_star} best {}",
                self.start.elapsed(),
                self.best
            ));
            l_star = self.coordinate_descent(&mut lambda, &free, 100);
            trace(&format!(
                "cd2 t {:?} bound {l_star} best {}",
                self.start.elapsed(),
                self.best
            ));
        }
        if let (true, Some(share)) = (root, self.share) {
            // The bound has stalled: the rest of the root's time goes to a
            // second primal search until the gap is within the tolerance.
            // (Within 0.1 % the tree gets the time, as without the search.)
            let tol = self.limits.gap_tolerance.max(1e-3);
            let enough = l_star / (1.0 + tol) - self.slack;
            if let Some(t) = self.limits.time_limit {
                let deadline = self.start + t.mul_f64(0.97);
                if Instant::now() < deadline && share.value() < enough {
                    // (A small instance, whose gap the tree can close, gives up soon.)
                    let patience = (2 * self.k as u64).max(20);
                    region_search(
                        self.r,
                        share,
                        deadline,
                        0x2545_F491_4F6C_DD1D,
                        enough,
                        patience,
                    );
                }
            }
            trace(&format!(
                "second search until t {:?} best {}",
                self.start.elapsed(),
                share.value()
            ));
            share.stop.store(true, std::sync::atomic::Ordering::Relaxed);
            while !share.done.load(std::sync::atomic::Ordering::Acquire) {
                std::thread::sleep(Duration::from_micros(200));
            }
            let b = share.best.lock().unwrap();
            if b.0 > self.best {
                self.best = b.0;
                self.best_set.clone_from(&b.1);
            }
        }
        if root {
            let start: Vec<u32> = self.best_set.clone();
            for cand in [start, x.clone()] {
                let (v, set) = local_search(self.r, &cand);
                if v > self.best {
                    self.best = v;
                    self.best_set = set;
                }
            }
        }
        if root {
            trace(&format!(
                "root ls t {:?} bound {l_star} best {}",
                self.start.elapsed(),
                self.best
            ));
        }
        let b = l_star.min(parent_bound);
        if self.settled(b) {
            return None;
        }
        // Reduced-cost fixing: with the same λ, forcing a site outside the
        // bound's top r in (or one inside out) changes the bound by a known
        // amount; if that cannot beat the incumbent, the choice is settled.
        let r = self.k - self.chosen.len();
        let p = self.profits(&lambda, &free);
        let (c_r, c_next) = (p[r - 1].0, p[r].0);
        if root {
            trace(&format!(
                "root theta {c_r} next {c_next} bound {l_star} best {} fixable out {} in {}",
                self.best,
                p[r..]
                    .iter()
                    .filter(|(c, _)| l_star - c_r + c <= self.best + self.slack)
                    .count(),
                p[..r]
                    .iter()
                    .filter(|(c, _)| l_star - c + c_next <= self.best + self.slack)
                    .count()
            ));
        }
        let limit = self.best + self.slack;
        let fix_in: Vec<u32> = p[..r]
            .iter()
            .filter(|(c, _)| l_star - c + c_next <= limit)
            .map(|&(_, j)| j)
            .collect();
        let fix_out: Vec<u32> = p[r..]
            .iter()
            .filter(|(c, _)| l_star - c_r + c <= limit)
            .map(|&(_, j)| j)
            .collect();
        if !fix_in.is_empty() || !fix_out.is_empty() {
            for &j in &fix_out {
                self.exclude(j);
            }
            for &j in &fix_in {
                self.include(j);
            }
            let u = self.dfs(lambda, b);
            for &j in fix_in.iter().rev() {
                self.undo_include(j);
            }
            for &j in fix_out.iter().rev() {
                self.undo_exclude(j);
            }
            return u;
        }
        // Branch on the weakest site of the bound's choice: its "out" branch
        // is the one most likely to be pruned quickly.
        let j = x[x.len() - 1];
        self.include(j);
        let u1 = self.dfs(lambda.clone(), b);
        self.undo_include(j);
        self.exclude(j);
        let u2 = self.dfs(lambda, b);
        self.undo_exclude(j);
        match (u1, u2) {
            (None, None) => None,
            (a, c) => Some(a.unwrap_or(f64::MIN).max(c.unwrap_or(f64::MIN))),
        }
    }
}

fn trace(msg: &str) {
    if std::env::var_os("MCLP_TRACE").is_some() {
        eprintln!("{msg}");
    }
}

/// Greedy on the reduced instance: each step the site adding the most (ties:
/// lowest index). Lazy evaluation: a site's gain only shrinks as sites are
/// added, so a stale gain on top of the heap is an upper bound to re-check.
fn greedy_reduced(r: &Reduced, k: usize) -> Vec<u32> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut hit = vec![false; r.w.len()];
    let gain_of = |j: usize, hit: &[bool]| -> f64 {
        r.covers[j]
            .iter()
            .filter(|&&i| !hit[i as usize])
            .map(|&i| r.w[i as usize])
            .sum()
    };
    let mut heap: BinaryHeap<(OrdF64, Reverse<u32>)> = (0..r.covers.len())
        .map(|j| (OrdF64(gain_of(j, &hit)), Reverse(j as u32)))
        .filter(|(g, _)| g.0 > 0.0)
        .collect();
    let mut chosen = Vec::new();
    while chosen.len() < k {
        let Some((OrdF64(g), Reverse(j))) = heap.pop() else {
            break;
        };
        let now = gain_of(j as usize, &hit);
        if now < g {
            if now > 0.0 {
                heap.push((OrdF64(now), Reverse(j)));
            }
            continue;
        }
        chosen.push(j);
        for &i in &r.covers[j as usize] {
            hit[i as usize] = true;
        }
    }
    chosen
}

/// A total order on finite floats, for heaps.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
#[allow(clippy::derive_ord_xor_partial_ord)]
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A max tournament tree over the sites: the outside site that would add
/// the most, in O(1); an update costs O(log n).
struct MaxTree {
    size: usize,
    /// Node values (leaves from `size`); -inf for sites in the set or tabu.
    val: Vec<f64>,
    arg: Vec<u32>,
}

impl MaxTree {
    fn new(n: usize) -> Self {
        let size = n.next_power_of_two().max(1);
        let mut arg = vec![0u32; 2 * size];
        for (p, a) in arg[size..].iter_mut().enumerate() {
            *a = p as u32;
        }
        MaxTree {
            size,
            val: vec![f64::NEG_INFINITY; 2 * size],
            arg,
        }
    }

    fn set(&mut self, j: usize, v: f64) {
        let mut p = j + self.size;
        self.val[p] = v;
        while p > 1 {
            p /= 2;
            let (l, r) = (2 * p, 2 * p + 1);
            // Ties: the lower index (the left child).
            let c = if self.val[r] > self.val[l] { r } else { l };
            // Unchanged here: unchanged above.
            if self.val[p] == self.val[c] && self.arg[p] == self.arg[c] {
                break;
            }
            self.val[p] = self.val[c];
            self.arg[p] = self.arg[c];
        }
    }

    fn rebuild(&mut self) {
        for p in (1..self.size).rev() {
            let (l, r) = (2 * p, 2 * p + 1);
            let c = if self.val[r] > self.val[l] { r } else { l };
            self.val[p] = self.val[c];
            self.arg[p] = self.arg[c];
        }
    }

    fn max(&self) -> (f64, usize) {
        (self.val[1], self.arg[1] as usize)
    }
}

/// Incremental state for swap local search: how often each demand point is
/// covered by the set, and for every site the weight it would add (outside
/// the set) or lose (inside the set); a max tree finds the best site to add.
struct SwapState<'a> {
    r: &'a Reduced,
    cnt: Vec<u32>,
    in_set: Vec<bool>,
    /// Outside the set: weight the site would add. Inside: weight only it covers.
    delta: Vec<f64>,
    value: f64,
    tree: MaxTree,
    /// Sites kept out of the tree (iterated search: just removed).
    tabu: Vec<bool>,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
}

impl<'a> SwapState<'a> {
    fn new(r: &'a Reduced, set: &[u32]) -> Self {
        let n = r.covers.len();
        let mut st = SwapState {
            r,
            cnt: vec![0; r.w.len()],
            in_set: vec![false; n],
            delta: r
                .covers
                .iter()
                .map(|c| c.iter().map(|&i| r.w[i as usize]).sum())
                .collect(),
            value: 0.0,
            tree: MaxTree::new(n),
            tabu: vec![false; n],
            dirty: Vec::new(),
            is_dirty: vec![false; n],
        };
        for &j in set {
            st.add_raw(j as usize);
        }
        st.dirty.clear();
        st.is_dirty.iter_mut().for_each(|d| *d = false);
        for j in 0..n {
            st.tree.val[st.tree.size + j] = if st.in_set[j] {
                f64::NEG_INFINITY
            } else {
                st.delta[j]
            };
        }
        st.tree.rebuild();
        st
    }

    fn touch(&mut self, o: usize) {
        if !self.is_dirty[o] {
            self.is_dirty[o] = true;
            self.dirty.push(o as u32);
        }
    }

    fn flush(&mut self) {
        while let Some(o) = self.dirty.pop() {
            let o = o as usize;
            self.is_dirty[o] = false;
            let v = if self.in_set[o] || self.tabu[o] {
                f64::NEG_INFINITY
            } else {
                self.delta[o]
            };
            self.tree.set(o, v);
        }
    }

    fn set_tabu(&mut self, j: usize, t: bool) {
        self.tabu[j] = t;
        self.touch(j);
        self.flush();
    }

    fn add(&mut self, j: usize) {
        self.add_raw(j);
        self.flush();
    }

    fn remove(&mut self, j: usize) {
        self.remove_raw(j);
        self.flush();
    }

    fn add_raw(&mut self, j: usize) {
        let r = self.r;
        self.in_set[j] = true;
        self.touch(j);
        // Outside the set delta = weight added; inside = weight only it covers.
        let mut own = 0.0;
        for &i in &r.covers[j] {
            let i = i as usize;
            let w = r.w[i];
            self.cnt[i] += 1;
            match self.cnt[i] {
                1 => {
                    self.value += w;
                    own += w;
                    for &o in &r.by[i] {
                        if o as usize != j {
                            self.delta[o as usize] -= w;
                            self.touch(o as usize);
                        }
                    }
                }
                2 => {
                    for &o in &r.by[i] {
                        if o as usize != j && self.in_set[o as usize] {
                            self.delta[o as usize] -= w;
                        }
                    }
                }
                _ => {}
            }
        }
        self.delta[j] = own;
    }

    fn remove_raw(&mut self, j: usize) {
        let r = self.r;
        self.in_set[j] = false;
        self.touch(j);
        let mut gain = 0.0;
        for &i in &r.covers[j] {
            let i = i as usize;
            let w = r.w[i];
            self.cnt[i] -= 1;
            match self.cnt[i] {
                0 => {
                    self.value -= w;
                    gain += w;
                    for &o in &r.by[i] {
                        if o as usize != j {
                            self.delta[o as usize] += w;
                            self.touch(o as usize);
                        }
                    }
                }
                1 => {
                    for &o in &r.by[i] {
                        if o as usize != j && self.in_set[o as usize] {
                            self.delta[o as usize] += w;
                        }
                    }
                }
                _ => {}
            }
        }
        self.delta[j] = gain;
    }

    /// Try the best swap for the site in `set[slot]`: out, and in goes the
    /// site that adds the most, if that beats putting it back. True if swapped.
    fn improve_slot(&mut self, set: &mut [u32], slot: usize) -> bool {
        let j = set[slot] as usize;
        self.remove(j);
        let loss = self.delta[j];
        let (g, o) = self.tree.max();
        if o != j && g > loss + 1e-9 * g.abs().max(1.0) {
            set[slot] = o as u32;
            self.add(o);
            true
        } else {
            self.add(j);
            false
        }
    }

    /// Swaps until none helps (at most `max_rounds` passes over the set).
    fn descend(&mut self, set: &mut [u32], max_rounds: usize) {
        let mut improved = true;
        let mut rounds = 0;
        while improved && rounds < max_rounds {
            improved = false;
            rounds += 1;
            for slot in 0..set.len() {
                improved |= self.improve_slot(set, slot);
            }
        }
    }
}

/// Improve a set of sites by swaps (one out, one in) until none helps.
fn local_search(r: &Reduced, set: &[u32]) -> (f64, Vec<u32>) {
    let mut set: Vec<u32> = set.to_vec();
    let mut st = SwapState::new(r, &set);
    st.descend(&mut set, 100);
    (st.value, set)
}

/// What the root's dual work and the primal search running beside it share.
struct PrimalShare {
    stop: std::sync::atomic::AtomicBool,
    /// Best value found by the primal search (f64 bits).
    value: std::sync::atomic::AtomicU64,
    best: std::sync::Mutex<(f64, Vec<u32>)>,
    /// The latest Lagrangian choice of sites, as a fresh start.
    lagrangian: std::sync::Mutex<Option<Vec<u32>>>,
    /// The root bound's best multipliers so far (warm start of the exact
    /// region re-optimisation).
    lambda: std::sync::Mutex<Option<std::sync::Arc<Vec<f64>>>>,
    /// The sites the running average of the Lagrangian choices (an estimate
    /// of the LP solution) ranks in the top k: where the incumbent differs
    /// from them is where region moves are most likely to help.
    lp_top: std::sync::Mutex<Option<std::sync::Arc<Vec<u32>>>>,
    /// Set by the primal search when it has stopped.
    done: std::sync::atomic::AtomicBool,
    started: Instant,
}

impl PrimalShare {
    fn new(value: f64, set: Vec<u32>) -> Self {
        PrimalShare {
            stop: std::sync::atomic::AtomicBool::new(false),
            value: std::sync::atomic::AtomicU64::new(value.to_bits()),
            best: std::sync::Mutex::new((value, set)),
            lagrangian: std::sync::Mutex::new(None),
            lambda: std::sync::Mutex::new(None),
            lp_top: std::sync::Mutex::new(None),
            done: std::sync::atomic::AtomicBool::new(false),
            started: Instant::now(),
        }
    }

    fn value(&self) -> f64 {
        f64::from_bits(self.value.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Sites in one region of [`region_search`] (about 7 of 500 chosen sites on
/// Europe; larger regions make the exact sub-search too slow to move often).
const REGION_SITES: usize = 800;
/// Node limit of one region's exact sub-search (its best set is used even
/// when the limit stops it).
const REGION_NODES: u64 = 2_000;
/// Kicks without a better set after which the iterated search beside the
/// root bound gives way to region re-optimisation (after the move to a fresh
/// start at [`STUCK_KICKS`] has had its chance).
const ILS_PATIENCE: u64 = 5_000;

/// Kicks without a better set after which the iterated search moves to a
/// fresh Lagrangian start even if it is worse than its current set.
const STUCK_KICKS: u64 = 4_000;

/// Settings of one [`iterated_search`].
#[derive(Clone, Copy)]
struct IlsConfig {
    deadline: Option<Instant>,
    seed: u64,
    /// Stop once the best value reaches this.
    enough: f64,
    /// Set `share.done` at the end (the thread beside the root).
    signal_done: bool,
    /// Keep a change unless it falls more than this share below the best
    /// value found (record-to-record travel; 0 = never worse).
    deviation: f64,
    /// At most this many sites are taken out per kick.
    max_kick: usize,
    /// Stop after this many kicks without a new best value.
    patience: u64,
}

/// Iterated local search (runs beside the root bound on large instances):
/// remove a few chosen sites near each other, refill greedily without them,
/// repair by swaps around the change, keep the result unless it is worse.
/// Lagrangian choices handed over by the bound are taken as new starts when
/// their swap optimum is better. Stops when `share.stop` is set or at `deadline`.
fn iterated_search(r: &Reduced, start: &[u32], share: &PrimalShare, cfg: IlsConfig) {
    let IlsConfig {
        deadline,
        seed,
        enough,
        signal_done,
        deviation,
        max_kick,
        patience,
    } = cfg;
    let mut last_best = 0u64;
    use std::sync::atomic::Ordering;
    let n = r.covers.len();
    let mut set: Vec<u32> = start.to_vec();
    if set.is_empty() {
        return;
    }
    let mut st = SwapState::new(r, &set);
    st.descend(&mut set, 100);
    let mut best = st.value;
    let publish = |v: f64, set: &[u32]| {
        let mut b = share.best.lock().unwrap();
        if v > b.0 {
            *b = (v, set.to_vec());
            share.value.store(v.to_bits(), Ordering::Relaxed);
        }
    };
    publish(best, &set);
    let mut rng: u64 = seed | 1;
    let mut next = move |b: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % b as u64) as usize
    };
    let mut stamp = vec![0u32; n];
    let mut stamp_w = vec![0u32; r.w.len()];
    let mut tick = 0u32;
    let mut pos = vec![u32::MAX; n];
    for (p, &j) in set.iter().enumerate() {
        pos[j as usize] = p as u32;
    }
    let mut iter = 0u64;
    let (mut skip, mut backoff) = (0u32, 1u32);
    loop {
        iter += 1;
        if iter.is_multiple_of(2000) {
            trace(&format!("ils it {iter} best {best} cur {}", st.value));
        }
        if share.stop.load(Ordering::Relaxed) || best >= enough || iter - last_best > patience {
            break;
        }
        if iter.is_multiple_of(16) {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            let mut fresh = share.lagrangian.lock().unwrap().take();
            if fresh.is_some() && skip > 0 {
                // Restarts that did not help make the next ones rarer.
                skip -= 1;
                fresh = None;
            }
            if let Some(x) = fresh {
                let mut xs = x;
                let mut st2 = SwapState::new(r, &xs);
                st2.descend(&mut xs, 100);
                trace(&format!(
                    "ils restart {} (current {}) t {:?}",
                    st2.value,
                    st.value,
                    share.started.elapsed()
                ));
                // Long stuck: move to the fresh start's basin anyway when
                // it is close (the best set stays in `share`).
                let jump = iter - last_best > STUCK_KICKS && st2.value >= best * (1.0 - 1e-3);
                if st2.value <= st.value && !jump {
                    backoff = (backoff * 2).min(4);
                    skip = backoff;
                } else {
                    backoff = 1;
                    last_best = iter;
                    st = st2;
                    set = xs;
                    pos.iter_mut().for_each(|p| *p = u32::MAX);
                    for (p, &j) in set.iter().enumerate() {
                        pos[j as usize] = p as u32;
                    }
                    if st.value > best {
                        best = st.value;
                        publish(best, &set);
                    }
                }
            }
        }
        // A chosen site and the chosen sites within two coverage hops of it.
        let j0 = set[next(set.len())] as usize;
        tick = tick.wrapping_add(1);
        if tick == 0 {
            stamp.iter_mut().for_each(|s| *s = 0);
            stamp_w.iter_mut().for_each(|s| *s = 0);
            tick = 1;
        }
        let mut near: Vec<u32> = Vec::new();
        for &i in &r.covers[j0] {
            for &o in &r.by[i as usize] {
                if stamp[o as usize] == tick {
                    continue;
                }
                stamp[o as usize] = tick;
                for &i2 in &r.covers[o as usize] {
                    if stamp_w[i2 as usize] == tick {
                        continue;
                    }
                    stamp_w[i2 as usize] = tick;
                    for &o2 in &r.by[i2 as usize] {
                        if st.in_set[o2 as usize] && o2 as usize != j0 && !near.contains(&o2) {
                            near.push(o2);
                        }
                    }
                }
            }
        }
        let q = 1 + next(max_kick).min(near.len());
        let mut out: Vec<u32> = vec![j0 as u32];
        while out.len() < q {
            let o = near.swap_remove(next(near.len()));
            out.push(o);
        }
        let before = st.value;
        let saved = set.clone();
        let mut log: Vec<(bool, u32)> = Vec::new();
        for &o in &out {
            st.remove_raw(o as usize);
            log.push((false, o));
        }
        st.flush();
        for &o in &out {
            st.set_tabu(o as usize, true);
        }
        let mut slots: Vec<usize> = Vec::new();
        for &o in &out {
            let (g, mut a) = st.tree.max();
            if g == f64::NEG_INFINITY {
                a = o as usize;
            }
            st.add(a);
            log.push((true, a as u32));
            let p = pos[o as usize] as usize;
            set[p] = a as u32;
            slots.push(p);
        }
        for &o in &out {
            st.set_tabu(o as usize, false);
        }
        // Repair: swaps for the new sites and the chosen sites near them.
        for &o in &near {
            if st.in_set[o as usize] {
                let p = set.iter().position(|&x| x == o);
                if let Some(p) = p {
                    slots.push(p);
                }
            }
        }
        let mut improved = true;
        let mut rounds = 0;
        while improved && rounds < 10 {
            improved = false;
            rounds += 1;
            for &p in &slots {
                let old = set[p];
                if st.improve_slot(&mut set, p) {
                    log.push((false, old));
                    log.push((true, set[p]));
                    improved = true;
                }
            }
        }
        let floor = before.min(best - deviation * best);
        if st.value + 1e-9 * before.abs().max(1.0) < floor {
            for &(added, o) in log.iter().rev() {
                if added {
                    st.remove_raw(o as usize);
                } else {
                    st.add_raw(o as usize);
                }
            }
            st.flush();
            set = saved;
        } else {
            for &o in &out {
                pos[o as usize] = u32::MAX;
            }
            for (p, &j) in set.iter().enumerate() {
                pos[j as usize] = p as u32;
            }
            if st.value > best + 1e-9 * best.abs().max(1.0) {
                // A full pass catches swaps far from the change.
                st.descend(&mut set, 100);
                for (p, &j) in set.iter().enumerate() {
                    pos[j as usize] = p as u32;
                }
                best = st.value;
                publish(best, &set);
                last_best = iter;
            }
        }
    }
    trace(&format!("ils iterations {iter} best {best}"));
    if signal_done {
        share.done.store(true, Ordering::Release);
    }
}

/// Scratch space of [`reoptimise_region`], sized to the instance.
struct RegionScratch {
    site_in: Vec<bool>,
    sub_of: Vec<u32>,
    queue: Vec<u32>,
}

impl RegionScratch {
    fn new(r: &Reduced) -> Self {
        RegionScratch {
            site_in: vec![false; r.covers.len()],
            sub_of: vec![u32::MAX; r.w.len()],
            queue: Vec::new(),
        }
    }
}

/// Large-neighbourhood move: the [`REGION_SITES`] sites nearest to `j0` in the
/// coverage graph (breadth first) form a region; the chosen sites in it are
/// freed and the same number chosen again by the exact search on the
/// sub-instance "demand the region can reach and no chosen site outside it
/// reaches". The cover of the whole set is the cover of the sites outside the
/// region plus the sub-instance's value, so a better sub-answer is a better
/// set (kept); otherwise the set is restored. True if the set improved.
fn reoptimise_region(
    st: &mut SwapState,
    set: &mut [u32],
    j0: usize,
    limit: Duration,
    lambda: Option<&[f64]>,
    sc: &mut RegionScratch,
) -> bool {
    let r = st.r;
    // The region, breadth first from j0.
    sc.queue.clear();
    sc.queue.push(j0 as u32);
    sc.site_in[j0] = true;
    let mut head = 0;
    'bfs: while head < sc.queue.len() {
        let s = sc.queue[head] as usize;
        head += 1;
        for &i in &r.covers[s] {
            for &o in &r.by[i as usize] {
                if !sc.site_in[o as usize] {
                    if sc.queue.len() >= REGION_SITES {
                        break 'bfs;
                    }
                    sc.site_in[o as usize] = true;
                    sc.queue.push(o);
                }
            }
        }
    }
    let region = std::mem::take(&mut sc.queue);
    let freed: Vec<usize> = (0..set.len())
        .filter(|&p| sc.site_in[set[p] as usize])
        .collect();
    let kk = freed.len();
    let mut improved = false;
    if kk > 0 && kk < region.len() {
        let before = st.value;
        for &p in &freed {
            st.remove_raw(set[p] as usize);
        }
        let old_sub = before - st.value;
        // Demand the region reaches and the fixed sites do not.
        let mut w: Vec<f64> = Vec::new();
        let mut lam0: Vec<f64> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        let covers: Vec<Vec<u32>> = region
            .iter()
            .map(|&s| {
                let mut c: Vec<u32> = Vec::new();
                for &i in &r.covers[s as usize] {
                    let iu = i as usize;
                    if st.cnt[iu] != 0 {
                        continue;
                    }
                    if sc.sub_of[iu] == u32::MAX {
                        sc.sub_of[iu] = w.len() as u32;
                        w.push(r.w[iu]);
                        lam0.push(lambda.map_or(r.w[iu], |l| l[iu]));
                        touched.push(i);
                    }
                    c.push(sc.sub_of[iu]);
                }
                c.sort_unstable();
                c
            })
            .collect();
        for &i in &touched {
            sc.sub_of[i as usize] = u32::MAX;
        }
        let mut by: Vec<Vec<u32>> = vec![Vec::new(); w.len()];
        for (j, c) in covers.iter().enumerate() {
            for &i in c {
                by[i as usize].push(j as u32);
            }
        }
        let sub = Reduced {
            integral: r.integral,
            orig: (0..region.len()).collect(),
            w,
            covers,
            by,
        };
        // The freed sites are the sub-instance's first incumbent: the
        // search below only reports a strictly better set.
        let freed_sites: Vec<u32> = freed.iter().map(|&p| set[p]).collect();
        let local: Vec<u32> = (0..region.len() as u32)
            .filter(|&p| freed_sites.contains(&region[p as usize]))
            .collect();
        let limits = Limits {
            max_nodes: REGION_NODES,
            time_limit: Some(limit),
            gap_tolerance: 0.0,
        };
        let mut search = Search::new(&sub, kk, limits);
        search.large = false;
        search.try_incumbent(&local);
        let old_best = search.best;
        let (v, set2) = local_search(&sub, &greedy_reduced(&sub, kk));
        if v > search.best {
            search.best = v;
            search.best_set = set2;
        }
        let free: Vec<u32> = (0..sub.covers.len() as u32).collect();
        let mut lam = lam0;
        if lambda.is_some() {
            search.coordinate_descent(&mut lam, &free, 20);
        }
        search.dfs(lam, f64::INFINITY);
        let better = (search.best > old_best + 1e-9 * before.abs().max(1.0)
            && search.best > old_sub + 1e-9 * before.abs().max(1.0))
        .then(|| search.best_set.clone());
        if let Some(chosen) = better {
            let mut picks: Vec<usize> = chosen
                .iter()
                .map(|&c| region[c as usize] as usize)
                .collect();
            for &j in &picks {
                st.add_raw(j);
            }
            st.flush();
            // (A set of fewer sites is filled up by the best additions.)
            while picks.len() < kk {
                let (_, a) = st.tree.max();
                st.add(a);
                picks.push(a);
            }
            for (&p, &j) in freed.iter().zip(&picks) {
                set[p] = j as u32;
            }
            improved = true;
        } else {
            for &p in &freed {
                st.add_raw(set[p] as usize);
            }
        }
        st.flush();
    }
    for &s in &region {
        sc.site_in[s as usize] = false;
    }
    sc.queue = region;
    improved
}

/// Large neighbourhood search on the best set in `share`: exact
/// re-optimisation of one region after another (see [`reoptimise_region`]),
/// around chosen sites picked at random; adopts a better set found by the
/// other search. Stops at `deadline`, on `share.stop`, at `enough`, or
/// after `patience` moves without a better set.
fn region_search(
    r: &Reduced,
    share: &PrimalShare,
    deadline: Instant,
    seed: u64,
    enough: f64,
    patience: u64,
) {
    use std::sync::atomic::Ordering;
    let mut set = share.best.lock().unwrap().1.clone();
    if set.is_empty() {
        return;
    }
    let mut st = SwapState::new(r, &set);
    let mut sc = RegionScratch::new(r);
    let mut rng: u64 = seed | 1;
    let mut moves = 0u64;
    let mut wins = 0u64;
    let mut last_win = 0u64;
    while Instant::now() < deadline
        && !share.stop.load(Ordering::Relaxed)
        && st.value.max(share.value()) < enough
        && moves - last_win < patience
    {
        moves += 1;
        if moves.is_multiple_of(20) {
            let b = share.best.lock().unwrap();
            if b.0 > st.value + 1e-9 * b.0 {
                set.clone_from(&b.1);
                drop(b);
                st = SwapState::new(r, &set);
            }
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut j0 = set[(rng % set.len() as u64) as usize] as usize;
        // Every other move: around a site where the incumbent and the LP
        // estimate disagree.
        if moves.is_multiple_of(2) {
            if let Some(top) = share.lp_top.lock().unwrap().clone() {
                let diff: Vec<u32> = top
                    .iter()
                    .copied()
                    .filter(|&j| !st.in_set[j as usize])
                    .collect();
                if !diff.is_empty() {
                    j0 = diff[((rng >> 17) % diff.len() as u64) as usize] as usize;
                }
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let lambda = share.lambda.lock().unwrap().clone();
        if reoptimise_region(
            &mut st,
            &mut set,
            j0,
            left.min(Duration::from_millis(200)),
            lambda.as_deref().map(|v| v.as_slice()),
            &mut sc,
        ) {
            wins += 1;
            last_win = moves;
            st.descend(&mut set, 100);
            let mut b = share.best.lock().unwrap();
            if st.value > b.0 {
                *b = (st.value, set.clone());
                share.value.store(st.value.to_bits(), Ordering::Relaxed);
            }
            trace(&format!(
                "region move {moves} value {} t {:?}",
                st.value,
                share.started.elapsed()
            ));
        }
    }
    trace(&format!(
        "region moves {moves} better {wins} value {}",
        st.value
    ));
}

/// Order sites by the weight each adds when added one by one (largest first)
/// and drop those that add nothing.
fn ordered_gains(cov: &Coverage, sites: &[usize]) -> (Vec<usize>, Vec<f64>) {
    let mut hit = cov.covered_by_existing.clone();
    let mut left: Vec<usize> = sites.to_vec();
    let (mut chosen, mut gains) = (Vec::new(), Vec::new());
    while !left.is_empty() {
        let gain = |j: usize, hit: &[bool]| -> f64 {
            cov.candidate_covers[j]
                .iter()
                .filter(|&&i| !hit[i as usize])
                .map(|&i| cov.weights[i as usize])
                .sum()
        };
        let (pos, g) = left
            .iter()
            .enumerate()
            .map(|(p, &j)| (p, gain(j, &hit)))
            .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        let j = left.swap_remove(pos);
        if g <= 0.0 {
            continue;
        }
        for &i in &cov.candidate_covers[j] {
            hit[i as usize] = true;
        }
        chosen.push(j);
        gains.push(g);
    }
    (chosen, gains)
}

fn check_k(cov: &Coverage, k: usize) -> Result<()> {
    let n = cov.candidate_covers.len();
    if n == 0 {
        return Err(SitesError::Invalid("the candidate set is empty".into()));
    }
    if k == 0 || k > n {
        return Err(SitesError::Invalid(format!(
            "the number of sites must be between 1 and the number of candidates ({n}), got {k}"
        )));
    }
    Ok(())
}

fn finish(
    cov: &Coverage,
    sites: &[usize],
    upper_extra: f64,
    optimal: bool,
    nodes: u64,
) -> Solution {
    let before = cov.covered_with(&[]);
    let (chosen, gains) = ordered_gains(cov, sites);
    let after = before + gains.iter().sum::<f64>();
    let upper = (before + upper_extra).max(after);
    Solution {
        chosen,
        gains,
        total: cov.total(),
        covered_before: before,
        covered_after: after,
        upper_bound: if optimal { after } else { upper },
        gap: if optimal { 0.0 } else { upper - after },
        optimal,
        nodes,
    }
}

/// The greedy answer (each step the site that adds the most); a heuristic,
/// reported with `optimal: false` unless it is trivially optimal.
pub fn greedy(cov: &Coverage, k: usize) -> Result<Solution> {
    check_k(cov, k)?;
    let r = reduce(cov);
    let g: Vec<usize> = greedy_reduced(&r, k)
        .into_iter()
        .map(|j| r.orig[j as usize])
        .collect();
    let upper: f64 = r.w.iter().sum();
    let mut s = finish(cov, &g, upper, false, 0);
    if s.covered_after >= s.upper_bound {
        s.optimal = true;
        s.gap = 0.0;
    }
    Ok(s)
}

/// Choose at most `k` candidates maximising the weight newly within reach,
/// exactly (branch and bound); see the module docs.
pub fn solve_max_cover(cov: &Coverage, k: usize, limits: Limits) -> Result<Solution> {
    solve_with(cov, k, limits, None)
}

/// [`solve_max_cover`]; `large` overrides the size rule (tests).
fn solve_with(cov: &Coverage, k: usize, limits: Limits, large: Option<bool>) -> Result<Solution> {
    check_k(cov, k)?;
    // The time limit counts from here (the reduction included).
    let t0 = Instant::now();
    let r = reduce(cov);
    let all: f64 = r.w.iter().sum();
    if r.covers.len() <= k {
        let sites: Vec<usize> = r.orig.clone();
        return Ok(finish(cov, &sites, all, true, 0));
    }
    let mut s = Search::new(&r, k, limits);
    s.start = t0;
    if let Some(l) = large {
        s.large = l;
    }
    let g = greedy_reduced(&r, k);
    s.try_incumbent(&g);
    let g0 = s.best;
    let (v, set) = local_search(&r, &s.best_set);
    trace(&format!("greedy {g0} ls {v} t {:?}", s.start.elapsed()));
    if v > s.best {
        s.best = v;
        s.best_set = set;
    }
    let lambda = r.w.clone();
    // On a large instance an iterated local search runs beside the root bound.
    let share = PrimalShare::new(s.best, s.best_set.clone());
    let deadline = limits.time_limit.map(|t| s.start + t);
    let open = if s.large && s.best_set.len() >= 2 {
        let start = s.best_set.clone();
        let (r, share) = (&r, &share);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let cfg = IlsConfig {
                    deadline,
                    seed: 0x9E37_79B9_7F4A_7C15,
                    enough: f64::INFINITY,
                    signal_done: false,
                    deviation: 0.0,
                    max_kick: 3,
                    patience: ILS_PATIENCE,
                };
                // The iterated search climbs fast; once it has stalled (only
                // when the machine gives it enough time), exact region
                // re-optimisation goes on from its best set.
                iterated_search(r, &start, share, cfg);
                if let Some(d) = deadline {
                    region_search(r, share, d, 0x9E37_79B9_7F4A_7C15, f64::INFINITY, u64::MAX);
                }
                share.done.store(true, std::sync::atomic::Ordering::Release);
            });
            s.share = Some(share);
            let open = s.dfs(lambda, f64::INFINITY);
            share.stop.store(true, std::sync::atomic::Ordering::Relaxed);
            open
        })
    } else {
        s.dfs(lambda, f64::INFINITY)
    };
    let open = match open {
        None if s.tolerated > s.best + s.slack => Some(s.tolerated),
        Some(u) => Some(u.max(s.tolerated)),
        none => none,
    };
    let optimal = open.is_none_or(|u| u <= s.best + s.slack);
    let upper = open.map_or(s.best, |u| u.max(s.best).min(all));
    let sites: Vec<usize> = s.best_set.iter().map(|&j| r.orig[j as usize]).collect();
    Ok(finish(cov, &sites, upper, optimal, s.nodes))
}

/// The fewest candidates that bring the covered share to `target_share`
/// (0 < share ≤ 1), with proof that one fewer cannot.
pub fn solve_min_sites(
    cov: &Coverage,
    target_share: f64,
    limits: Limits,
) -> Result<MinSitesSolution> {
    if !(target_share > 0.0 && target_share <= 1.0) {
        return Err(SitesError::Invalid(format!(
            "target share must be more than 0 and at most 1 (100 %), got {target_share}"
        )));
    }
    let n = cov.candidate_covers.len();
    check_k(cov, 1)?;
    let total = cov.total();
    let target = target_share * total;
    let tol = 1e-9 * total.max(1.0);
    let before = cov.covered_with(&[]);
    if before + tol >= target {
        return Ok(MinSitesSolution {
            target_share,
            target,
            solution: finish(cov, &[], 0.0, true, 0),
            proven_minimal: true,
        });
    }
    let every: Vec<usize> = (0..n).collect();
    let max = cov.covered_with(&every);
    if max + tol < target {
        return Err(SitesError::Invalid(format!(
            "even all {n} candidates reach only {:.1} % of the total, short of the target {:.1} %",
            100.0 * max / total.max(f64::MIN_POSITIVE),
            100.0 * target_share
        )));
    }
    // Greedy gives a feasible count; binary search with exact solves below it.
    let g = greedy(cov, n)?;
    let mut acc = before;
    let mut hi = g.chosen.len();
    for (p, gain) in g.gains.iter().enumerate() {
        acc += gain;
        if acc + tol >= target {
            hi = p + 1;
            break;
        }
    }
    let mut best = finish(cov, &g.chosen[..hi], 0.0, false, 0);
    let mut lo = 0;
    let mut proven = true;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let s = solve_max_cover(cov, mid, limits)?;
        if s.covered_after + tol >= target {
            hi = mid;
            best = s;
        } else {
            if s.upper_bound + tol >= target {
                proven = false;
            }
            lo = mid;
        }
    }
    Ok(MinSitesSolution {
        target_share,
        target,
        solution: best,
        proven_minimal: proven,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random coverage instance: `m` demand points, `n` sites each covering
    /// 1..=6 random points, integer weights (some zero).
    fn random_cov(seed: u64, m: usize, n: usize) -> Coverage {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move |b: u64| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s % b
        };
        let weights = (0..m).map(|_| next(50) as f64).collect();
        let candidate_covers = (0..n)
            .map(|_| {
                let mut c: Vec<u32> = (0..1 + next(6)).map(|_| next(m as u64) as u32).collect();
                c.sort_unstable();
                c.dedup();
                c
            })
            .collect();
        Coverage {
            weights,
            covered_by_existing: (0..m).map(|_| next(10) == 0).collect(),
            candidate_covers,
        }
    }

    fn value(r: &Reduced, set: &[u32]) -> f64 {
        let mut hit = vec![false; r.w.len()];
        for &j in set {
            for &i in &r.covers[j as usize] {
                hit[i as usize] = true;
            }
        }
        (0..r.w.len()).filter(|&i| hit[i]).map(|i| r.w[i]).sum()
    }

    fn best_by_enumeration(r: &Reduced, k: usize) -> f64 {
        fn rec(r: &Reduced, k: usize, start: usize, set: &mut Vec<u32>, best: &mut f64) {
            *best = best.max(value(r, set));
            if set.len() == k {
                return;
            }
            for j in start..r.covers.len() {
                set.push(j as u32);
                rec(r, k, j + 1, set, best);
                set.pop();
            }
        }
        let mut best = 0.0;
        rec(r, k, 0, &mut Vec::new(), &mut best);
        best
    }

    #[test]
    fn swap_state_tracks_gains_and_losses() {
        for seed in 0..40 {
            let r = reduce(&random_cov(seed, 30, 25));
            let n = r.covers.len();
            if n < 4 {
                continue;
            }
            let mut set: Vec<u32> = vec![0, 2];
            let mut st = SwapState::new(&r, &set);
            for step in 0..30u32 {
                let j = ((seed as u32 + 1) * 7 + step * 13) % n as u32;
                if let Some(p) = set.iter().position(|&x| x == j) {
                    set.swap_remove(p);
                    st.remove(j as usize);
                } else {
                    set.push(j);
                    st.add(j as usize);
                }
                let v = value(&r, &set);
                assert!((st.value - v).abs() < 1e-9, "seed {seed} step {step}");
                for o in 0..n as u32 {
                    let d = if set.contains(&o) {
                        let rest: Vec<u32> = set.iter().copied().filter(|&x| x != o).collect();
                        v - value(&r, &rest)
                    } else {
                        let mut more = set.clone();
                        more.push(o);
                        value(&r, &more) - v
                    };
                    assert!(
                        (st.delta[o as usize] - d).abs() < 1e-9,
                        "seed {seed} site {o}"
                    );
                }
            }
        }
    }

    #[test]
    fn lazy_greedy_matches_plain_greedy() {
        for seed in 0..60 {
            let r = reduce(&random_cov(seed, 40, 30));
            for k in [1, 3, 7] {
                let mut hit = vec![false; r.w.len()];
                let mut plain = Vec::new();
                for _ in 0..k {
                    let mut best: Option<(f64, u32)> = None;
                    for (j, c) in r.covers.iter().enumerate() {
                        let g: f64 = c
                            .iter()
                            .filter(|&&i| !hit[i as usize])
                            .map(|&i| r.w[i as usize])
                            .sum();
                        if g > 0.0 && best.is_none_or(|(bg, _)| g > bg) {
                            best = Some((g, j as u32));
                        }
                    }
                    let Some((_, j)) = best else { break };
                    plain.push(j);
                    for &i in &r.covers[j as usize] {
                        hit[i as usize] = true;
                    }
                }
                assert_eq!(greedy_reduced(&r, k), plain, "seed {seed} k {k}");
            }
        }
    }

    #[test]
    fn region_move_keeps_an_exact_value_and_never_loses() {
        // Small instances fit in one region: the move re-solves the chosen
        // sites' component exactly, warm-started from arbitrary multipliers.
        for seed in 0..40 {
            let r = reduce(&random_cov(seed, 40, 30));
            for k in [2, 4] {
                if k >= r.covers.len() {
                    continue;
                }
                let mut set = greedy_reduced(&r, k);
                let mut st = SwapState::new(&r, &set);
                let before = st.value;
                let lambda: Vec<f64> = r.w.iter().map(|w| w * 0.5).collect();
                let mut sc = RegionScratch::new(&r);
                for (m, &j0) in set.clone().iter().enumerate() {
                    let lam = (m % 2 == 0).then_some(lambda.as_slice());
                    reoptimise_region(
                        &mut st,
                        &mut set,
                        j0 as usize,
                        Duration::from_secs(5),
                        lam,
                        &mut sc,
                    );
                    let mut distinct = set.clone();
                    distinct.sort_unstable();
                    distinct.dedup();
                    assert_eq!(distinct.len(), k, "seed {seed} k {k}");
                    assert!(
                        (st.value - value(&r, &set)).abs() < 1e-6,
                        "seed {seed} k {k}"
                    );
                }
                assert!(st.value >= before - 1e-9, "seed {seed} k {k}");
                assert!(
                    st.value <= best_by_enumeration(&r, k) + 1e-6,
                    "seed {seed} k {k}"
                );
            }
        }
    }

    #[test]
    fn local_search_never_loses_and_reports_its_value() {
        for seed in 0..40 {
            let r = reduce(&random_cov(seed, 40, 30));
            let g = greedy_reduced(&r, 4);
            let (v, set) = local_search(&r, &g);
            assert!(v >= value(&r, &g) - 1e-9);
            assert!((v - value(&r, &set)).abs() < 1e-9);
            assert_eq!(set.len(), g.len());
        }
    }

    #[test]
    fn large_instance_path_is_exact() {
        // The root effort for large instances (coordinate descent, long
        // subgradient), forced on small ones, against enumeration.
        for seed in 0..60 {
            let cov = random_cov(seed, 30, 14);
            for k in [1, 2, 3, 5] {
                if k > cov.candidate_covers.len() {
                    continue;
                }
                let s = solve_with(&cov, k, Limits::default(), Some(true)).unwrap();
                let r = reduce(&cov);
                let before = cov.covered_with(&[]);
                let opt = before + best_by_enumeration(&r, k);
                assert!(s.optimal, "seed {seed} k {k}");
                assert!((s.covered_after - opt).abs() < 1e-6, "seed {seed} k {k}");
            }
        }
    }

    #[test]
    fn gap_tolerance_reports_a_true_bound() {
        for seed in 0..60 {
            let cov = random_cov(seed, 40, 20);
            let limits = Limits {
                gap_tolerance: 0.05,
                ..Limits::default()
            };
            for k in [2, 4] {
                let s = solve_max_cover(&cov, k, limits).unwrap();
                let opt = cov.covered_with(&[]) + best_by_enumeration(&reduce(&cov), k);
                assert!(s.covered_after <= opt + 1e-9);
                assert!(s.upper_bound >= opt - 1e-9, "seed {seed} k {k}");
                assert!(s.gap <= 0.05 * s.covered_after + 1.0, "seed {seed} k {k}");
                assert_eq!(s.optimal, s.gap == 0.0);
            }
        }
    }

    #[test]
    fn coordinate_descent_gives_a_valid_bound() {
        for seed in 0..40 {
            let r = reduce(&random_cov(seed, 30, 14));
            for k in [1, 2, 4] {
                if r.covers.len() <= k {
                    continue;
                }
                let opt = best_by_enumeration(&r, k);
                let mut s = Search::new(&r, k, Limits::default());
                let free: Vec<u32> = (0..r.covers.len() as u32).collect();
                let mut lambda = r.w.clone();
                let b = s.coordinate_descent(&mut lambda, &free, 50);
                assert!(
                    b >= opt - 1e-9,
                    "seed {seed} k {k}: bound {b} < optimum {opt}"
                );
                // λ stays in [0, w] and the bound at the returned λ is the one reported.
                assert!(lambda.iter().zip(&r.w).all(|(l, w)| *l >= 0.0 && l <= w));
                let (b2, _) = s.bound(&mut lambda, &free, 1, false);
                assert!((b2 - b).abs() <= 1e-6 * b.max(1.0), "{b2} vs {b}");
            }
        }
    }
}
