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
//!    another's is dominated and dropped (some optimum never needs it).
//! 2. **Incumbent.** Greedy by marginal gain, improved by swaps (one site
//!    out, one in) and by the sites the Lagrangian bound picks.
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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 2_000_000,
            time_limit: Some(Duration::from_secs(10)),
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
    Reduced {
        w,
        covers: kept_covers,
        by,
        orig,
        integral,
    }
}

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
    /// A bound at most `best + slack` cannot beat the incumbent.
    slack: f64,
    scratch_c: Vec<f64>,
    scratch_mark: Vec<u32>,
}

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
            slack: if r.integral { 1.0 - 1e-6 } else { 1e-9 * scale },
            scratch_c: vec![0.0; r.covers.len()],
            scratch_mark: vec![0; r.w.len()],
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
        let patience = if root { 20 } else { 5 };
        let mut since = 0;
        let mut order: Vec<u32> = free.to_vec();
        let mut xcnt = vec![0u32; w.len()];
        let mut best_lambda = lambda.to_vec();
        for it in 0..iters {
            let mut l = self.base;
            for &i in &relevant {
                let i = i as usize;
                if w[i] > lambda[i] {
                    l += w[i] - lambda[i];
                }
            }
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
            if root || it == 0 {
                self.try_incumbent(&x);
            }
            if best_l <= self.best + self.slack || theta < 1e-4 {
                break;
            }
            // Subgradient g_i = y_i − (number of chosen x covering i).
            for &j in &x {
                for &i in &self.r.covers[j as usize] {
                    xcnt[i as usize] += 1;
                }
            }
            let mut norm = 0.0;
            for &i in &relevant {
                let i = i as usize;
                let y = if w[i] > lambda[i] { 1.0 } else { 0.0 };
                let g = y - xcnt[i] as f64;
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
            let target = self.best + if self.r.integral { 1.0 } else { 0.0 };
            let t = theta * (l - target).max(1e-9 * l.abs().max(1.0)) / norm;
            for &i in &relevant {
                let i = i as usize;
                let y = if w[i] > lambda[i] { 1.0 } else { 0.0 };
                let g = y - xcnt[i] as f64;
                lambda[i] = (lambda[i] + t * g).clamp(0.0, w[i]);
            }
            for &j in &x {
                for &i in &self.r.covers[j as usize] {
                    xcnt[i as usize] = 0;
                }
            }
        }
        lambda.copy_from_slice(&best_lambda);
        (best_l, best_x)
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

    fn out_of_budget(&mut self) -> bool {
        if self.aborted {
            return true;
        }
        if self.nodes >= self.limits.max_nodes {
            self.aborted = true;
        } else if self.nodes & 63 == 0 {
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
        if parent_bound <= self.best + self.slack {
            return None;
        }
        if self.out_of_budget() {
            return Some(parent_bound);
        }
        let root = self.nodes == 0;
        self.nodes += 1;
        let (l_star, x) = self.bound(&mut lambda, &free, if root { 300 } else { 30 }, root);
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
        let b = l_star.min(parent_bound);
        if b <= self.best + self.slack {
            return None;
        }
        // Reduced-cost fixing: with the same λ, forcing a site outside the
        // bound's top r in (or one inside out) changes the bound by a known
        // amount; if that cannot beat the incumbent, the choice is settled.
        let r = self.k - self.chosen.len();
        let p = self.profits(&lambda, &free);
        let (c_r, c_next) = (p[r - 1].0, p[r].0);
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

/// Greedy on the reduced instance: each step the site adding the most.
fn greedy_reduced(r: &Reduced, k: usize) -> Vec<u32> {
    let mut hit = vec![false; r.w.len()];
    let mut chosen = Vec::new();
    let mut used = vec![false; r.covers.len()];
    for _ in 0..k {
        let mut best: Option<(f64, u32)> = None;
        for (j, c) in r.covers.iter().enumerate() {
            if used[j] {
                continue;
            }
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
        used[j as usize] = true;
        chosen.push(j);
        for &i in &r.covers[j as usize] {
            hit[i as usize] = true;
        }
    }
    chosen
}

/// Improve a set of sites by swaps (one out, one in) until none helps.
fn local_search(r: &Reduced, set: &[u32]) -> (f64, Vec<u32>) {
    let mut set: Vec<u32> = set.to_vec();
    let mut cnt = vec![0u32; r.w.len()];
    let mut used = vec![false; r.covers.len()];
    for &j in &set {
        used[j as usize] = true;
        for &i in &r.covers[j as usize] {
            cnt[i as usize] += 1;
        }
    }
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 50 {
        improved = false;
        rounds += 1;
        for slot in set.iter_mut() {
            let j = *slot as usize;
            let loss: f64 = r.covers[j]
                .iter()
                .filter(|&&i| cnt[i as usize] == 1)
                .map(|&i| r.w[i as usize])
                .sum();
            for &i in &r.covers[j] {
                cnt[i as usize] -= 1;
            }
            let mut best = (loss, j);
            for (o, c) in r.covers.iter().enumerate() {
                if used[o] {
                    continue;
                }
                let g: f64 = c
                    .iter()
                    .filter(|&&i| cnt[i as usize] == 0)
                    .map(|&i| r.w[i as usize])
                    .sum();
                if g > best.0 + 1e-9 * g.abs().max(1.0) {
                    best = (g, o);
                }
            }
            let n = best.1;
            if n != j {
                used[j] = false;
                used[n] = true;
                *slot = n as u32;
                improved = true;
            }
            for &i in &r.covers[n] {
                cnt[i as usize] += 1;
            }
        }
    }
    let v = (0..r.w.len()).filter(|&i| cnt[i] > 0).map(|i| r.w[i]).sum();
    (v, set)
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
    check_k(cov, k)?;
    let r = reduce(cov);
    let all: f64 = r.w.iter().sum();
    if r.covers.len() <= k {
        let sites: Vec<usize> = r.orig.clone();
        return Ok(finish(cov, &sites, all, true, 0));
    }
    let mut s = Search::new(&r, k, limits);
    let g = greedy_reduced(&r, k);
    s.try_incumbent(&g);
    let (v, set) = local_search(&r, &s.best_set);
    if v > s.best {
        s.best = v;
        s.best_set = set;
    }
    let lambda = r.w.clone();
    let open = s.dfs(lambda, f64::INFINITY);
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
