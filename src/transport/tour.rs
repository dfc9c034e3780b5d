//! Delivery tours: the order in which one van visits every stop of a round and comes back.
//!
//! A round starts at the depot (node 0), calls at every borrower's site exactly once and
//! returns to the depot; the cost is the total distance driven. That is the symmetric
//! travelling salesman problem (TSP), NP-hard, so for real rounds (tens to a few hundred
//! stops) we want a tour within a percent or two of the optimum in milliseconds, and the
//! same tour every time for the same input (a planner reloading a page must not see the
//! round reshuffled).
//!
//! The algorithm is the classic recipe of vehicle-routing engines, chosen because it gives
//! near-optimal tours at this size for a small, dependency-free amount of code:
//!
//! 1. **Exact up to [`EXACT_MAX_NODES`] nodes**: Held–Karp dynamic programming, so small
//!    rounds are optimal, not just good.
//! 2. **Construction: greedy edge matching.** Edges are taken shortest first whenever they
//!    keep every node at degree ≤ 2 and close no early cycle. It starts 10–20 % above the
//!    optimum (better than nearest neighbour and space-filling curves), and its long edges
//!    are few and easy for local search to repair.
//! 3. **Local search: 2-opt and Or-opt** (moving a segment of 1–3 stops elsewhere, in either
//!    orientation), both restricted to the [`NEIGHBOURS`] nearest nodes of each node and
//!    driven by a queue of "dirty" nodes (don't-look bits), so that a pass costs O(n)
//!    evaluations instead of O(n²). The tour is an array with a position index; a 2-opt
//!    move reverses the shorter of the two sides, and an Or-opt move is two or three such
//!    reversals.
//! 4. **Iterated local search**: a kick (the Or-3opt segment swap A B C D → A C B D of two
//!    adjacent random segments of up to 50 stops, a local form of the
//!    double bridge that no single 2-opt or Or-opt move undoes) followed by local search from
//!    the kicked nodes only; the result is kept if shorter, otherwise the reversals are
//!    undone from a journal (cheaper than copying the tour back). The number of kicks is fixed and grows with n, and the kicks
//!    come from a PRNG with a fixed seed: no clock, no threads, hence deterministic.
//!
//! The final tour is never longer than the construction (only improving moves and improving
//! kicks are kept, and the construction is returned if rounding ever says otherwise).

use crate::rng::SplitMix64;
use std::collections::VecDeque;

/// Up to this many nodes (depot included) the tour is exact (Held–Karp, O(2ⁿ·n²): under a
/// millisecond at 12 nodes, but 2⁴ times that at 16, when the heuristic is optimal anyway).
pub const EXACT_MAX_NODES: usize = 12;

/// Length of each node's candidate list for local search. 10 nearest nodes is the usual
/// sweet spot for 2-D instances: fewer misses improving moves, more only costs time.
pub const NEIGHBOURS: usize = 10;

/// Kicks of the iterated local search per node. Measured on Hauts-de-France rounds
/// (`benches/tours.rs`): 10 per node already gives a median gap of 0–0.2 % to LKH-3 at 100–200
/// stops, 20–25 reaches the optimum on most instances; beyond that the gain is within noise
/// while the time grows linearly.
const KICKS_PER_NODE: usize = 25;

/// Cap on the kicks, so that an unusually large round stays within a second or so (about
/// 0.35 s for 2,000 random points).
const MAX_KICKS: usize = 50_000;

/// Longest segment moved by a kick. Segments of up to 3 nodes are what Or-opt already moves,
/// so kicks that short barely escape (measured: 1.8 % median gap at 100 stops, against 0 %
/// with 50); up to 50 nodes they reshape a whole district while staying cheap to repair.
const MAX_KICK_SEGMENT: usize = 50;

/// Seed of the kicks' PRNG: fixed so that a matrix always gives the same tour.
const SEED: u64 = 0x1713_2024_0000_0059;

/// Symmetric distance matrix over n nodes; node 0 is the depot.
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceMatrix {
    n: usize,
    d: Vec<f64>,
}

impl DistanceMatrix {
    /// Fills `d[i][j]` from `dist(i, j)`. The diagonal is 0; off it, each pair is set to the
    /// mean of `dist(i, j)` and `dist(j, i)`, so a slightly asymmetric source (rounding) still
    /// gives a symmetric matrix. Distances should be finite and non-negative; other values do
    /// not make [`solve`] panic, but then the tour is only a valid permutation.
    pub fn new(n: usize, dist: impl Fn(usize, usize) -> f64) -> DistanceMatrix {
        let mut d = vec![0.0; n.saturating_mul(n)];
        for i in 0..n {
            for j in (i + 1)..n {
                let v = 0.5 * (dist(i, j) + dist(j, i));
                d[i * n + j] = v;
                d[j * n + i] = v;
            }
        }
        DistanceMatrix { n, d }
    }

    /// Number of nodes, depot included.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when there is not even a depot.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Distance between nodes `i` and `j`; +∞ for a node that does not exist.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if i < self.n && j < self.n {
            self.d[i * self.n + j]
        } else {
            f64::INFINITY
        }
    }
}

/// A closed tour starting and ending at node 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Tour {
    /// Starts with 0 and holds every node exactly once; the return to 0 is implied.
    pub order: Vec<usize>,
    /// Total length, return leg included.
    pub length: f64,
    /// Length after construction, before local search (equal to `length` when the tour was
    /// computed exactly).
    pub construction_length: f64,
}

/// Length of the closed tour visiting `order` and coming back to its first node.
pub fn tour_length(m: &DistanceMatrix, order: &[usize]) -> f64 {
    let Some((&first, _)) = order.split_first() else {
        return 0.0;
    };
    let legs: f64 = order.windows(2).map(|w| m.get(w[0], w[1])).sum();
    let last = order.last().copied().unwrap_or(first);
    legs + m.get(last, first)
}

/// Best tour found from the depot through every node.
///
/// Exact up to [`EXACT_MAX_NODES`] nodes, otherwise greedy construction, 2-opt + Or-opt and
/// iterated local search (see the module documentation). Deterministic: the same matrix
/// always gives the same tour.
pub fn solve(m: &DistanceMatrix) -> Tour {
    let n = m.len();
    if n <= 2 {
        let order: Vec<usize> = (0..n).collect();
        let length = tour_length(m, &order);
        return Tour {
            order,
            length,
            construction_length: length,
        };
    }
    if n <= EXACT_MAX_NODES {
        let order = held_karp(m);
        let length = tour_length(m, &order);
        return Tour {
            order,
            length,
            construction_length: length,
        };
    }
    heuristic(m)
}

/// Exact tour by dynamic programming over subsets (Held–Karp): `cost[S][j]` is the shortest
/// path leaving the depot, visiting exactly the set S of customers and ending at j ∈ S.
fn held_karp(m: &DistanceMatrix) -> Vec<usize> {
    let n = m.len();
    let k = n - 1; // customers 1..n, bit b stands for node b + 1
    let full = (1usize << k) - 1;
    let mut cost = vec![f64::INFINITY; (full + 1) * k];
    let mut parent = vec![u8::MAX; (full + 1) * k];
    for j in 0..k {
        cost[(1 << j) * k + j] = m.get(0, j + 1);
    }
    for mask in 1..=full {
        for j in 0..k {
            if mask & (1 << j) == 0 {
                continue;
            }
            let here = cost[mask * k + j];
            if !here.is_finite() {
                continue;
            }
            for next in 0..k {
                if mask & (1 << next) != 0 {
                    continue;
                }
                let to = (mask | (1 << next)) * k + next;
                let candidate = here + m.get(j + 1, next + 1);
                if candidate < cost[to] {
                    cost[to] = candidate;
                    parent[to] = j as u8;
                }
            }
        }
    }
    let mut last = 0;
    let mut best = f64::INFINITY;
    for j in 0..k {
        let total = cost[full * k + j] + m.get(j + 1, 0);
        if total < best {
            best = total;
            last = j;
        }
    }
    // Walk the parents back; a broken chain (only possible with NaN distances) is completed
    // with the missing nodes in index order, so the result is always a permutation.
    let mut reversed = Vec::with_capacity(k);
    let mut mask = full;
    let mut j = last;
    loop {
        reversed.push(j + 1);
        let p = parent[mask * k + j] as usize;
        mask &= !(1 << j);
        if mask == 0 {
            break;
        }
        if p >= k || mask & (1 << p) == 0 {
            reversed.extend((0..k).filter(|b| mask & (1 << b) != 0).map(|b| b + 1));
            break;
        }
        j = p;
    }
    let mut order = Vec::with_capacity(n);
    order.push(0);
    order.extend(reversed.into_iter().rev());
    order
}

/// The `k` nearest other nodes of every node, nearest first (ties by index), flattened.
fn neighbour_lists(m: &DistanceMatrix, k: usize) -> Vec<usize> {
    let n = m.len();
    let mut lists = Vec::with_capacity(n * k);
    let mut others: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        others.clear();
        others.extend((0..n).filter(|&j| j != i));
        let by_distance =
            |a: &usize, b: &usize| m.get(i, *a).total_cmp(&m.get(i, *b)).then(a.cmp(b));
        if k < others.len() {
            others.select_nth_unstable_by(k, by_distance);
            others.truncate(k);
        }
        others.sort_unstable_by(by_distance);
        lists.extend_from_slice(&others);
    }
    lists
}

/// Union–find over nodes, for the greedy construction's "no early cycle" rule.
struct Components(Vec<usize>);

impl Components {
    fn root(&mut self, mut a: usize) -> usize {
        while self.0[a] != a {
            self.0[a] = self.0[self.0[a]];
            a = self.0[a];
        }
        a
    }
}

/// Greedy edge matching: shortest edges first (first among neighbour lists, then between
/// the ends of the remaining fragments), keeping degrees ≤ 2 and refusing early cycles;
/// the final Hamiltonian path is closed into a tour. Returns `None` only on an internal
/// inconsistency, which the caller answers with the identity order.
fn greedy_edge(m: &DistanceMatrix, neighbours: &[usize], k: usize) -> Option<Vec<usize>> {
    let n = m.len();
    const NONE: usize = usize::MAX;
    let mut adjacent = vec![[NONE; 2]; n];
    let mut components = Components((0..n).collect());
    let by_length = |x: &(f64, usize, usize), y: &(f64, usize, usize)| {
        x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2))
    };
    let mut link = |adjacent: &mut Vec<[usize; 2]>, a: usize, b: usize| -> bool {
        if adjacent[a][1] != NONE || adjacent[b][1] != NONE {
            return false;
        }
        let (ra, rb) = (components.root(a), components.root(b));
        if ra == rb {
            return false;
        }
        components.0[ra] = rb;
        for (x, y) in [(a, b), (b, a)] {
            let slot = usize::from(adjacent[x][0] != NONE);
            adjacent[x][slot] = y;
        }
        true
    };

    let mut edges: Vec<(f64, usize, usize)> = Vec::with_capacity(n * k);
    for i in 0..n {
        for &j in &neighbours[i * k..(i + 1) * k] {
            edges.push((m.get(i, j), i.min(j), i.max(j)));
        }
    }
    edges.sort_unstable_by(by_length);
    edges.dedup_by(|x, y| x.1 == y.1 && x.2 == y.2);
    let mut linked = 0;
    for &(_, a, b) in &edges {
        if link(&mut adjacent, a, b) {
            linked += 1;
        }
    }
    // Join the fragments: greedy over every pair of fragment ends. On a complete graph the
    // greedy rule always ends with a single Hamiltonian path.
    if linked < n - 1 {
        let ends: Vec<usize> = (0..n).filter(|&i| adjacent[i][1] == NONE).collect();
        edges.clear();
        for (x, &a) in ends.iter().enumerate() {
            for &b in &ends[x + 1..] {
                edges.push((m.get(a, b), a, b));
            }
        }
        edges.sort_unstable_by(by_length);
        for &(_, a, b) in &edges {
            if link(&mut adjacent, a, b) {
                linked += 1;
            }
        }
    }
    if linked != n - 1 {
        return None;
    }
    let ends: Vec<usize> = (0..n).filter(|&i| adjacent[i][1] == NONE).collect();
    let [a, b] = ends[..] else {
        return None;
    };
    adjacent[a][1] = b;
    adjacent[b][1] = a;

    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let (mut previous, mut current) = (NONE, 0);
    for _ in 0..n {
        if current == NONE || seen[current] {
            return None;
        }
        seen[current] = true;
        order.push(current);
        let [x, y] = adjacent[current];
        let next = if x != previous { x } else { y };
        previous = current;
        current = next;
    }
    Some(order)
}

/// One improving move found by [`Search::best_move_from`].
#[derive(Clone, Copy)]
enum Move {
    /// Replace tour edges (a, b) and (c, d) — met in this order when walking from a to b —
    /// with (a, c) and (b, d).
    TwoOpt {
        a: usize,
        b: usize,
        c: usize,
        d: usize,
    },
    /// Walking the tour as p → s1 … s2 → nx … x → y, move the segment s1 … s2 between x and
    /// y: reversed (x–s2 … s1–y) unless `keep_orientation` (x–s1 … s2–y).
    OrOpt {
        p: usize,
        s1: usize,
        s2: usize,
        nx: usize,
        x: usize,
        y: usize,
        keep_orientation: bool,
    },
}

/// Local-search state: the tour as an array with a position index.
struct Search<'a> {
    n: usize,
    d: &'a [f64],
    neighbours: Vec<usize>,
    k: usize,
    tour: Vec<usize>,
    pos: Vec<usize>,
    /// Nodes whose don't-look bit is off, to be examined.
    queue: VecDeque<usize>,
    queued: Vec<bool>,
    /// Position reversals applied since the last kick, to undo a rejected kick.
    journal: Vec<(usize, usize)>,
    /// Current tour length, kept up to date from the moves' gains.
    length: f64,
    /// Smallest gain worth a move, relative to the instance's scale (rounding noise below).
    eps: f64,
}

impl Search<'_> {
    #[inline]
    fn dist(&self, a: usize, b: usize) -> f64 {
        self.d[a * self.n + b]
    }

    #[inline]
    fn succ(&self, c: usize) -> usize {
        let p = self.pos[c] + 1;
        self.tour[if p == self.n { 0 } else { p }]
    }

    #[inline]
    fn pred(&self, c: usize) -> usize {
        let p = self.pos[c];
        self.tour[if p == 0 { self.n - 1 } else { p - 1 }]
    }

    /// The node after `c` walking forwards (`forward`) or backwards.
    #[inline]
    fn next(&self, c: usize, forward: bool) -> usize {
        if forward {
            self.succ(c)
        } else {
            self.pred(c)
        }
    }

    fn push(&mut self, c: usize) {
        if !self.queued[c] {
            self.queued[c] = true;
            self.queue.push_back(c);
        }
    }

    /// Reverses the `len` array slots starting at position `i` (cyclically), journaled.
    fn reverse_positions(&mut self, i: usize, len: usize) {
        let n = self.n;
        let (mut i, mut j) = (i, (i + len + n - 1) % n);
        for _ in 0..len / 2 {
            self.tour.swap(i, j);
            self.pos[self.tour[i]] = i;
            self.pos[self.tour[j]] = j;
            i = if i + 1 == n { 0 } else { i + 1 };
            j = if j == 0 { n - 1 } else { j - 1 };
        }
    }

    fn reverse_journaled(&mut self, i: usize, len: usize) {
        self.reverse_positions(i, len);
        self.journal.push((i, len));
    }

    /// Reverses the path from `from` forwards to `to`, or equivalently (same cycle) the rest
    /// of the tour, whichever is shorter.
    fn reverse_path(&mut self, from: usize, to: usize) {
        let n = self.n;
        let (mut i, j) = (self.pos[from], self.pos[to]);
        let mut len = (j + n - i) % n + 1;
        if 2 * len > n {
            i = (j + 1) % n;
            len = n - len;
        }
        self.reverse_journaled(i, len);
    }

    /// 2-opt: replaces edges (a, b) and (c, d), met in this order walking from a to b, with
    /// (a, c) and (b, d), d being implied. Works whichever way the array currently runs.
    fn two_opt(&mut self, a: usize, b: usize, c: usize) {
        if self.succ(a) == b {
            self.reverse_path(b, c);
        } else {
            self.reverse_path(c, b);
        }
    }

    /// Best improving 2-opt or Or-opt move involving node `a`, with its gain.
    fn best_move_from(&self, a: usize) -> Option<(Move, f64)> {
        let mut best: Option<(Move, f64)> = None;
        let mut best_gain = self.eps;
        let near = &self.neighbours[a * self.k..(a + 1) * self.k];
        for forward in [true, false] {
            // 2-opt: new edge (a, c) with c near a, replacing (a, b) and (c, d).
            let b = self.next(a, forward);
            let dab = self.dist(a, b);
            for &c in near {
                let g1 = dab - self.dist(a, c);
                if g1 <= self.eps {
                    break;
                }
                let d = self.next(c, forward);
                if c == b || d == a {
                    continue;
                }
                let gain = g1 + self.dist(c, d) - self.dist(b, d);
                if gain > best_gain {
                    best_gain = gain;
                    best = Some((Move::TwoOpt { a, b, c, d }, gain));
                }
            }
            // Or-opt: the segment of 1–3 nodes starting at a (walking this way) goes next to
            // a node c near a, between c and either of its tour neighbours.
            let p = self.next(a, !forward);
            let mut s2 = a;
            let mut middle = a;
            for len in 1..=3 {
                if len > 1 {
                    middle = s2;
                    s2 = self.next(s2, forward);
                }
                let nx = self.next(s2, forward);
                if nx == p || s2 == p {
                    break;
                }
                let removed = self.dist(p, a) + self.dist(s2, nx) - self.dist(p, nx);
                if removed <= best_gain {
                    continue;
                }
                for &c in near {
                    let dc = self.dist(c, a);
                    if dc >= removed - best_gain {
                        break;
                    }
                    if c == s2 || c == middle {
                        continue;
                    }
                    for e in [self.next(c, forward), self.next(c, !forward)] {
                        if e == a || e == s2 || e == middle {
                            continue;
                        }
                        // Walking p → a … s2 → nx … x → y: c follows e or precedes it.
                        let c_first = e == self.next(c, forward);
                        let (x, y) = if c_first { (c, e) } else { (e, c) };
                        if y == p {
                            continue;
                        }
                        let gain = removed - (dc + self.dist(s2, e) - self.dist(c, e));
                        if gain > best_gain {
                            best_gain = gain;
                            best = Some((
                                Move::OrOpt {
                                    p,
                                    s1: a,
                                    s2,
                                    nx,
                                    x,
                                    y,
                                    keep_orientation: c_first,
                                },
                                gain,
                            ));
                        }
                    }
                }
            }
        }
        best
    }

    fn apply(&mut self, mv: Move, gain: f64) {
        match mv {
            Move::TwoOpt { a, b, c, d } => {
                self.two_opt(a, b, c);
                for node in [a, b, c, d] {
                    self.push(node);
                }
            }
            Move::OrOpt {
                p,
                s1,
                s2,
                nx,
                x,
                y,
                keep_orientation,
            } => {
                // p→s1…s2→nx…x→y  ⇒  p→x…nx→s2…s1→y  ⇒  p→nx…x→s2…s1→y  (⇒ x→s1…s2→y)
                self.two_opt(p, s1, x);
                if x != nx {
                    self.two_opt(p, x, nx);
                }
                if keep_orientation && s1 != s2 {
                    self.two_opt(x, s2, s1);
                }
                for node in [p, s1, s2, nx, x, y] {
                    self.push(node);
                }
            }
        }
        self.length -= gain;
    }

    /// Applies improving moves until no queued node has one.
    fn local_search(&mut self) {
        while let Some(a) = self.queue.pop_front() {
            self.queued[a] = false;
            if let Some((mv, gain)) = self.best_move_from(a) {
                self.apply(mv, gain);
            }
        }
    }

    /// Swaps two adjacent random segments (A B C D → A C B D): a local double-bridge, out of
    /// reach of one 2-opt or Or-opt move, so local search explores a new basin. The segments
    /// are short, so that the kick stays local and cheap to repair.
    fn kick(&mut self, rng: &mut SplitMix64) {
        let n = self.n;
        let longest = ((n - 2) / 2).clamp(1, MAX_KICK_SEGMENT);
        let l1 = 1 + rng.below(longest);
        let l2 = 1 + rng.below(longest);
        let i = rng.below(n);
        let at = |offset: usize| self.tour[(i + offset) % n];
        let (a, b1, b2) = (at(0), at(1), at(l1));
        let (c1, c2, d) = (at(l1 + 1), at(l1 + l2), at(l1 + l2 + 1));
        let delta = self.dist(a, c1) + self.dist(c2, b1) + self.dist(b2, d)
            - self.dist(a, b1)
            - self.dist(b2, c1)
            - self.dist(c2, d);
        // (B^r C^r)^r = C B
        self.reverse_journaled((i + 1) % n, l1);
        self.reverse_journaled((i + l1 + 1) % n, l2);
        self.reverse_journaled((i + 1) % n, l1 + l2);
        self.length += delta;
        for node in [a, b1, b2, c1, c2, d] {
            self.push(node);
        }
    }

    fn undo(&mut self) {
        let journal = std::mem::take(&mut self.journal);
        for &(i, len) in journal.iter().rev() {
            self.reverse_positions(i, len);
        }
        self.journal = journal;
        self.journal.clear();
    }

    /// The tour rotated to start at the depot.
    fn order(&self) -> Vec<usize> {
        let start = self.pos[0];
        let mut order = Vec::with_capacity(self.n);
        order.extend_from_slice(&self.tour[start..]);
        order.extend_from_slice(&self.tour[..start]);
        order
    }
}

/// Number of kicks of the iterated local search for n nodes.
fn kicks(n: usize) -> usize {
    KICKS_PER_NODE.saturating_mul(n).min(MAX_KICKS)
}

/// Construction, local search and iterated local search, for n > [`EXACT_MAX_NODES`].
fn heuristic(m: &DistanceMatrix) -> Tour {
    let n = m.len();
    let k = NEIGHBOURS.min(n - 1);
    let neighbours = neighbour_lists(m, k);
    let construction =
        greedy_edge(m, &neighbours, k).unwrap_or_else(|| (0..n).collect::<Vec<usize>>());
    let construction_length = tour_length(m, &construction);

    let mut pos = vec![0; n];
    for (i, &c) in construction.iter().enumerate() {
        pos[c] = i;
    }
    let scale = construction_length.abs() / n as f64;
    let eps = if scale.is_finite() && scale > 0.0 {
        scale * 1e-9
    } else {
        1e-12
    };
    let mut search = Search {
        n,
        d: &m.d,
        neighbours,
        k,
        tour: construction.clone(),
        pos,
        queue: (0..n).collect(),
        queued: vec![true; n],
        journal: Vec::new(),
        length: construction_length,
        eps,
    };
    search.local_search();
    search.journal.clear();

    let mut rng = SplitMix64::new(SEED ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    for _ in 0..kicks(n) {
        let before = search.length;
        search.kick(&mut rng);
        search.local_search();
        if search.length < before - eps {
            search.journal.clear();
        } else {
            search.undo();
            search.length = before;
        }
    }

    let order = search.order();
    let length = tour_length(m, &order);
    debug_assert!(
        !length.is_finite() || (search.length - length).abs() <= 1e-6 * length.max(1.0),
        "incremental length {} drifted from {length}",
        search.length
    );
    if length <= construction_length {
        Tour {
            order,
            length,
            construction_length,
        }
    } else {
        // Only rounding (or NaN distances) can get here: keep the construction.
        debug_assert!(
            !(length.is_finite() && construction_length.is_finite())
                || length - construction_length <= 1e-9 * construction_length.abs(),
            "local search lengthened the tour: {construction_length} -> {length}"
        );
        Tour {
            order: construction,
            length: construction_length,
            construction_length,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_points(n: usize, seed: u64) -> Vec<(f64, f64)> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| {
                (
                    rng.below(1_000_000) as f64 / 1000.0,
                    rng.below(1_000_000) as f64 / 1000.0,
                )
            })
            .collect()
    }

    fn euclidean(points: &[(f64, f64)]) -> DistanceMatrix {
        DistanceMatrix::new(points.len(), |i, j| {
            let (a, b) = (points[i], points[j]);
            (a.0 - b.0).hypot(a.1 - b.1)
        })
    }

    fn brute_force(m: &DistanceMatrix) -> f64 {
        fn go(m: &DistanceMatrix, path: &mut Vec<usize>, left: &mut Vec<usize>, best: &mut f64) {
            if left.is_empty() {
                *best = best.min(tour_length(m, path));
                return;
            }
            for i in 0..left.len() {
                let c = left.remove(i);
                path.push(c);
                go(m, path, left, best);
                path.pop();
                left.insert(i, c);
            }
        }
        let mut best = f64::INFINITY;
        let mut left: Vec<usize> = (1..m.len()).collect();
        go(m, &mut vec![0], &mut left, &mut best);
        best
    }

    fn check_valid(m: &DistanceMatrix, tour: &Tour) {
        let n = m.len();
        assert_eq!(tour.order.len(), n);
        if n > 0 {
            assert_eq!(tour.order[0], 0);
        }
        let mut seen = vec![false; n];
        for &c in &tour.order {
            assert!(c < n && !seen[c], "not a permutation: {:?}", tour.order);
            seen[c] = true;
        }
        let length = tour_length(m, &tour.order);
        assert!((tour.length - length).abs() <= 1e-9 * length.max(1.0));
        assert!(tour.length <= tour.construction_length);
    }

    #[test]
    fn trivial_sizes() {
        let empty = DistanceMatrix::new(0, |_, _| 1.0);
        assert!(empty.is_empty());
        let t = solve(&empty);
        assert!(t.order.is_empty());
        assert_eq!(t.length, 0.0);

        let one = DistanceMatrix::new(1, |_, _| 1.0);
        let t = solve(&one);
        assert_eq!(t.order, vec![0]);
        assert_eq!(t.length, 0.0);

        let two = DistanceMatrix::new(2, |_, _| 3.0);
        let t = solve(&two);
        assert_eq!(t.order, vec![0, 1]);
        assert_eq!(t.length, 6.0);
        assert_eq!(two.len(), 2);
        assert_eq!(two.get(0, 0), 0.0);
        assert_eq!(two.get(5, 0), f64::INFINITY);
    }

    #[test]
    fn matrix_is_symmetrised() {
        let m = DistanceMatrix::new(3, |i, j| (i * 10 + j) as f64);
        assert_eq!(m.get(0, 1), 5.5);
        assert_eq!(m.get(1, 0), 5.5);
        assert_eq!(m.get(2, 2), 0.0);
    }

    #[test]
    fn small_instances_are_optimal() {
        for n in 3..=10 {
            for seed in 0..12u64 {
                let m = euclidean(&random_points(n, seed * 31 + n as u64));
                let tour = solve(&m);
                check_valid(&m, &tour);
                let optimum = brute_force(&m);
                assert!(
                    (tour.length - optimum).abs() <= 1e-9 * optimum,
                    "n={n} seed={seed}: {} vs optimum {optimum}",
                    tour.length
                );
            }
        }
    }

    #[test]
    fn heuristic_finds_optimum_of_moderate_instances() {
        // Just above the exact threshold, the heuristic should still be optimal.
        for (n, seed) in [(13, 1), (14, 2), (15, 3), (16, 4)] {
            let m = euclidean(&random_points(n, seed));
            let tour = solve(&m);
            check_valid(&m, &tour);
            let optimum = tour_length(&m, &held_karp(&m));
            assert!(
                (tour.length - optimum).abs() <= 1e-9 * optimum,
                "n={n}: {} vs optimum {optimum}",
                tour.length
            );
        }
    }

    #[test]
    fn larger_instances_are_valid_improved_and_deterministic() {
        for (n, seed) in [(13, 7), (25, 8), (40, 9), (60, 10)] {
            let m = euclidean(&random_points(n, seed));
            let tour = solve(&m);
            check_valid(&m, &tour);
            assert!(tour.length < tour.construction_length || n < 20);
            assert_eq!(solve(&m), tour);
        }
    }

    #[test]
    fn duplicate_points() {
        for n in [5, 12, 30] {
            // Four distinct places, each repeated: many zero distances.
            let points: Vec<(f64, f64)> = (0..n)
                .map(|i| [(0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 5.0)][i % 4])
                .collect();
            let m = euclidean(&points);
            let tour = solve(&m);
            check_valid(&m, &tour);
            assert!((tour.length - 20.0).abs() < 1e-9, "n={n}: {}", tour.length);
        }
        let same = DistanceMatrix::new(20, |_, _| 0.0);
        let tour = solve(&same);
        check_valid(&same, &tour);
        assert_eq!(tour.length, 0.0);
    }

    #[test]
    fn collinear_points() {
        for n in [4, 9, 17, 50] {
            let points: Vec<(f64, f64)> = (0..n).map(|i| (((i * 7) % n) as f64, 0.0)).collect();
            let m = euclidean(&points);
            let tour = solve(&m);
            check_valid(&m, &tour);
            let span = (n - 1) as f64;
            assert!(
                (tour.length - 2.0 * span).abs() < 1e-9,
                "n={n}: {}",
                tour.length
            );
        }
    }

    #[test]
    fn odd_distances_do_not_panic() {
        for n in [5, 20] {
            let m = DistanceMatrix::new(n, |i, j| if (i + j) % 3 == 0 { f64::NAN } else { 1.0 });
            check_permutation(&solve(&m).order, n);
            let m =
                DistanceMatrix::new(n, |i, j| if i == 1 || j == 1 { f64::INFINITY } else { 1.0 });
            check_permutation(&solve(&m).order, n);
        }
    }

    fn check_permutation(order: &[usize], n: usize) {
        let mut sorted = order.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..n).collect::<Vec<_>>());
        assert_eq!(order[0], 0);
    }
}
