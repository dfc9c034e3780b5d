//! Problem data in flat arrays, and per-route caches for O(1) insertion checks.

use super::{JobKind, Problem, Route, Unassigned};

/// Far enough from any real time to mean "impossible" without overflowing sums.
pub(super) const NEVER: i64 = i64::MAX / 8;

/// Problem data laid out for the search: node 0 is the depot, node `j + 1` is job `j`.
pub(super) struct Ctx {
    pub nodes: usize,
    pub dist: Vec<i64>,
    pub dur: Vec<i64>,
    /// The same matrices transposed (`dist_in[b * nodes + a]` is the distance from `a` to
    /// `b`): an insertion of `u` reads the legs into `u` and out of it, and with both in
    /// `u`'s own rows a scan over a large day's routes stays in cache (a 1,000-job matrix is
    /// 8 MB; read by column, every leg into `u` was a cache miss).
    pub dist_in: Vec<i64>,
    pub dur_in: Vec<i64>,
    pub service: Vec<i64>,
    pub windows: Vec<Vec<(i64, i64)>>,
    /// Goods loaded at the depot for each node (deliveries).
    pub delivery: Vec<[i64; 2]>,
    /// Goods loaded at each node and brought back (pickups).
    pub pickup: Vec<[i64; 2]>,
    pub capacity: Vec<[i64; 2]>,
    pub shift: Vec<(i64, i64)>,
    /// `alone[v * jobs + j]`: vehicle `v` can serve job `j` alone.
    pub alone: Vec<bool>,
    pub jobs: usize,
    /// Vehicle type: index of the first vehicle with the same capacity and shift.
    pub vtype: Vec<usize>,
    /// The largest capacity of the fleet in each dimension (at least 1): what loads are
    /// measured against.
    pub max_capacity: [i64; 2],
    /// Weight of one unit of excess load in each dimension, so that both weigh alike: 1 for a
    /// litre, and for a kilogram the litres of the largest volume per kilogram of the largest
    /// payload (10 for 12 m³ / 1,200 kg vans).
    pub load_weight: [i64; 2],
}

impl Ctx {
    pub fn new(p: &Problem) -> Ctx {
        let nodes = p.jobs.len() + 1;
        let mut dist = vec![0; nodes * nodes];
        let mut dur = vec![0; nodes * nodes];
        let mut dist_in = vec![0; nodes * nodes];
        let mut dur_in = vec![0; nodes * nodes];
        for a in 0..nodes {
            for b in 0..nodes {
                dist[a * nodes + b] = p.distance[a][b];
                dur[a * nodes + b] = p.duration[a][b];
                dist_in[b * nodes + a] = p.distance[a][b];
                dur_in[b * nodes + a] = p.duration[a][b];
            }
        }
        let mut service = vec![0];
        let mut windows = vec![vec![(-NEVER, NEVER)]];
        let mut delivery = vec![[0; 2]];
        let mut pickup = vec![[0; 2]];
        for j in &p.jobs {
            service.push(j.service);
            windows.push(if j.windows.is_empty() {
                vec![(-NEVER, NEVER)]
            } else {
                j.windows.clone()
            });
            match j.kind {
                JobKind::Delivery => {
                    delivery.push(j.demand);
                    pickup.push([0; 2]);
                }
                JobKind::Pickup => {
                    delivery.push([0; 2]);
                    pickup.push(j.demand);
                }
            }
        }
        let mut ctx = Ctx {
            nodes,
            dist,
            dur,
            dist_in,
            dur_in,
            service,
            windows,
            delivery,
            pickup,
            capacity: p.vehicles.iter().map(|v| v.capacity).collect(),
            shift: p
                .vehicles
                .iter()
                .map(|v| (v.shift_start, v.shift_end))
                .collect(),
            alone: Vec::new(),
            max_capacity: [1, 1],
            load_weight: [1, 1],
            jobs: p.jobs.len(),
            vtype: (0..p.vehicles.len())
                .map(|v| {
                    (0..=v)
                        .find(|&w| p.vehicles[w] == p.vehicles[v])
                        .unwrap_or(v)
                })
                .collect(),
        };
        ctx.max_capacity = [0, 1].map(|k| {
            p.vehicles
                .iter()
                .map(|v| v.capacity[k])
                .max()
                .unwrap_or(1)
                .max(1)
        });
        ctx.load_weight = [1, (ctx.max_capacity[0] / ctx.max_capacity[1]).max(1)];
        let mut alone = vec![false; p.vehicles.len() * p.jobs.len()];
        for v in 0..p.vehicles.len() {
            for j in 0..p.jobs.len() {
                alone[v * p.jobs.len() + j] = ctx.fits(v, j) && ctx.reachable(v, j);
            }
        }
        ctx.alone = alone;
        ctx
    }

    #[inline]
    pub fn d(&self, a: usize, b: usize) -> i64 {
        self.dist[a * self.nodes + b]
    }

    #[inline]
    pub fn t(&self, a: usize, b: usize) -> i64 {
        self.dur[a * self.nodes + b]
    }

    /// [`Self::d`], read from `b`'s row of the transposed matrix ([`Self::dist_in`]).
    #[inline]
    pub fn d_in(&self, a: usize, b: usize) -> i64 {
        self.dist_in[b * self.nodes + a]
    }

    /// [`Self::t`], read from `b`'s row of the transposed matrix.
    #[inline]
    pub fn t_in(&self, a: usize, b: usize) -> i64 {
        self.dur_in[b * self.nodes + a]
    }

    #[inline]
    pub fn can_serve(&self, v: usize, j: usize) -> bool {
        self.alone[v * self.jobs + j]
    }

    pub fn vehicles(&self) -> usize {
        self.capacity.len()
    }

    /// Service start for an arrival at `a`: the first window still open, if any.
    #[inline]
    pub fn start_at(&self, node: usize, a: i64) -> Option<i64> {
        for &(s, e) in &self.windows[node] {
            if a <= e {
                return Some(a.max(s));
            }
        }
        None
    }

    /// Latest service start not after `bound`, if any.
    #[inline]
    pub fn latest_before(&self, node: usize, bound: i64) -> Option<i64> {
        for &(s, e) in self.windows[node].iter().rev() {
            if s <= bound {
                return Some(e.min(bound));
            }
        }
        None
    }

    fn fits(&self, v: usize, j: usize) -> bool {
        let n = j + 1;
        (0..2).all(|k| self.delivery[n][k].max(self.pickup[n][k]) <= self.capacity[v][k])
    }

    fn reachable(&self, v: usize, j: usize) -> bool {
        let n = j + 1;
        let (s, e) = self.shift[v];
        match self.start_at(n, s + self.t(0, n)) {
            Some(t) => t + self.service[n] + self.t(n, 0) <= e,
            None => false,
        }
    }

    /// Why job `j` cannot be served even alone, or `None` if some van can.
    pub fn alone_reason(&self, j: usize) -> Option<Unassigned> {
        let vs = 0..self.vehicles();
        if vs.clone().any(|v| self.can_serve(v, j)) {
            None
        } else if vs.clone().any(|v| self.fits(v, j)) {
            Some(Unassigned::WindowUnreachable)
        } else {
            Some(Unassigned::TooLarge)
        }
    }

    /// Why job `j`, which some van could serve alone, is left out of the plan `routes`: when
    /// no van able to serve it has room for its load at any point of its route, capacity
    /// binds ([`Unassigned::NoCapacityLeft`]); otherwise some van has the room but not the
    /// time ([`Unassigned::ShiftTooShort`]), which is what the dispatcher must change (a
    /// longer shift or another van), not the load.
    pub fn left_out_reason(&self, routes: &[RouteState], j: usize) -> Unassigned {
        let u = j + 1;
        let (del, pick) = (self.delivery[u], self.pickup[u]);
        let room = routes.iter().any(|r| {
            let cap = self.capacity[r.vehicle];
            self.can_serve(r.vehicle, j)
                && (0..=r.jobs.len()).any(|k| {
                    (0..2).all(|d| {
                        r.pmax[k][d] + del[d] <= cap[d] && r.smax[k][d] + pick[d] <= cap[d]
                    })
                })
        });
        if room {
            Unassigned::ShiftTooShort
        } else {
            Unassigned::NoCapacityLeft
        }
    }

    /// Weighted load above van `v`'s capacity for a peak load `peak` ([`Self::load_weight`]).
    #[inline(always)]
    pub fn excess(&self, v: usize, peak: [i64; 2]) -> i64 {
        let cap = self.capacity[v];
        (peak[0] - cap[0]).max(0) * self.load_weight[0]
            + (peak[1] - cap[1]).max(0) * self.load_weight[1]
    }

    /// Distance of a route through `jobs`.
    pub fn route_distance(&self, jobs: &[usize]) -> i64 {
        let mut prev = 0;
        let mut total = 0;
        for &j in jobs {
            total += self.d(prev, j + 1);
            prev = j + 1;
        }
        total + self.d(prev, 0)
    }

    /// Timetable of a feasible route: earliest service starts, then the depot departure
    /// delayed by the wait at the first stop (which changes no service start).
    pub fn schedule(&self, v: usize, jobs: &[usize]) -> Route {
        let (shift_start, _) = self.shift[v];
        let mut arrivals = Vec::with_capacity(jobs.len());
        let mut starts = Vec::with_capacity(jobs.len());
        let mut departures = Vec::with_capacity(jobs.len());
        let mut prev = 0;
        let mut time = shift_start;
        for &j in jobs {
            let n = j + 1;
            let a = time + self.t(prev, n);
            let s = self.start_at(n, a).unwrap_or(a);
            arrivals.push(a);
            starts.push(s);
            time = s + self.service[n];
            departures.push(time);
            prev = n;
        }
        let depot_return = time + self.t(prev, 0);
        let depot_departure = match jobs.first() {
            Some(&j) => {
                arrivals[0] = starts[0];
                starts[0] - self.t(0, j + 1)
            }
            None => shift_start,
        };
        Route {
            vehicle: v,
            jobs: jobs.to_vec(),
            arrivals,
            service_starts: starts,
            departures,
            depot_departure,
            depot_return,
            distance: self.route_distance(jobs),
            duration: depot_return - depot_departure,
        }
    }
}

/// One route with the caches that make insertion checks O(1). Position 0 is the depot
/// departure, positions `1..=len` the jobs, `len + 1` the return.
#[derive(Clone, Debug, Default)]
pub(super) struct RouteState {
    pub vehicle: usize,
    pub jobs: Vec<usize>,
    /// Earliest service start per position (departure at 0, arrival at `len + 1`).
    pub earliest: Vec<i64>,
    /// Latest service start per position that keeps the rest feasible (arrival bound at
    /// `len + 1`).
    pub latest: Vec<i64>,
    /// Load on board after each position `0..=len` (after departure: all deliveries).
    pub load: Vec<[i64; 2]>,
    /// Max load over positions `0..=k`.
    pub pmax: Vec<[i64; 2]>,
    /// Max load over positions `k..=len`.
    pub smax: Vec<[i64; 2]>,
    /// Metres of the leg from position `k` to `k + 1`, `k` in `0..=len` (what an insertion
    /// there saves, read here rather than from the matrix).
    pub leg: Vec<i64>,
    pub distance: i64,
    /// Load above the van's capacity at the route's fullest point, weighted by
    /// [`Ctx::load_weight`] (0 when it fits; only the search's penalised capacity makes it
    /// positive).
    pub excess: i64,
}

impl RouteState {
    pub fn new(vehicle: usize) -> RouteState {
        RouteState {
            vehicle,
            ..Default::default()
        }
    }

    /// Becomes a copy of `other`, reusing this state's allocations.
    pub fn copy_from(&mut self, other: &RouteState) {
        self.vehicle = other.vehicle;
        self.jobs.clone_from(&other.jobs);
        self.earliest.clone_from(&other.earliest);
        self.latest.clone_from(&other.latest);
        self.load.clone_from(&other.load);
        self.pmax.clone_from(&other.pmax);
        self.smax.clone_from(&other.smax);
        self.leg.clone_from(&other.leg);
        self.distance = other.distance;
        self.excess = other.excess;
    }

    #[inline]
    pub fn node(&self, pos: usize) -> usize {
        if pos == 0 || pos > self.jobs.len() {
            0
        } else {
            self.jobs[pos - 1] + 1
        }
    }

    /// Recomputes all caches; returns the work done (stops visited).
    pub fn update(&mut self, ctx: &Ctx) -> u64 {
        let m = self.jobs.len();
        let (shift_start, shift_end) = ctx.shift[self.vehicle];
        // Every entry is written below: resizing without clearing is enough.
        self.earliest.resize(m + 2, 0);
        self.latest.resize(m + 2, 0);
        // Arrival at `to` after serving `from` from `start`, and the latest start at `at` that
        // still reaches `next` by `bound`; impossible stays impossible.
        let arrival = |start: i64, from: usize, to: usize| {
            if start >= NEVER {
                NEVER
            } else {
                start + ctx.service[from] + ctx.t(from, to)
            }
        };
        let latest_start = |bound: i64, at: usize, next: usize| {
            if bound <= -NEVER {
                -NEVER
            } else {
                bound - ctx.t(at, next) - ctx.service[at]
            }
        };
        self.earliest[0] = shift_start;
        let mut prev = 0;
        let mut dist = 0;
        let mut e = shift_start;
        let mut delivered = [0i64; 2];
        self.leg.clear();
        for (k, &j) in self.jobs.iter().enumerate() {
            let n = j + 1;
            let leg = ctx.d(prev, n);
            self.leg.push(leg);
            dist += leg;
            e = ctx.start_at(n, arrival(e, prev, n)).unwrap_or(NEVER);
            self.earliest[k + 1] = e;
            delivered[0] += ctx.delivery[n][0];
            delivered[1] += ctx.delivery[n][1];
            prev = n;
        }
        let leg = ctx.d(prev, 0);
        self.leg.push(leg);
        self.distance = dist + leg;
        self.earliest[m + 1] = arrival(e, prev, 0);
        self.latest[m + 1] = shift_end;
        let mut next = 0;
        let mut l = shift_end;
        for k in (1..=m).rev() {
            let n = self.jobs[k - 1] + 1;
            l = ctx
                .latest_before(n, latest_start(l, n, next))
                .unwrap_or(-NEVER);
            self.latest[k] = l;
            next = n;
        }
        self.latest[0] = latest_start(l, 0, next);
        self.load.clear();
        self.pmax.clear();
        let mut l = delivered;
        let mut mx = l;
        self.load.push(l);
        self.pmax.push(mx);
        for &j in &self.jobs {
            let n = j + 1;
            l[0] += ctx.pickup[n][0] - ctx.delivery[n][0];
            l[1] += ctx.pickup[n][1] - ctx.delivery[n][1];
            mx = [mx[0].max(l[0]), mx[1].max(l[1])];
            self.load.push(l);
            self.pmax.push(mx);
        }
        self.smax.resize(m + 1, [0; 2]);
        let mut mx = [i64::MIN; 2];
        for k in (0..=m).rev() {
            let x = self.load[k];
            mx = [mx[0].max(x[0]), mx[1].max(x[1])];
            self.smax[k] = mx;
        }
        self.excess = ctx.excess(self.vehicle, self.pmax[m]);
        (m + 2) as u64
    }

    /// Extra metres to insert job `j` between positions `k` and `k + 1`, or `None` if that
    /// breaks a capacity, window or shift.
    pub fn insertion(&self, ctx: &Ctx, j: usize, k: usize) -> Option<i64> {
        self.insertion_below(ctx, j, k, i64::MAX)
    }

    /// Like [`Self::insertion`] but also `None` when the extra metres are not below `bound`,
    /// checked first because it is the cheapest test and usually fails.
    ///
    /// Always inlined: it is the innermost call of every insertion scan (a third of the
    /// search's time), and inlined its callers keep the route's and the job's data in
    /// registers across positions.
    #[inline(always)]
    pub fn insertion_below(&self, ctx: &Ctx, j: usize, k: usize, bound: i64) -> Option<i64> {
        let u = j + 1;
        let delta = self.added_metres(ctx, u, k);
        if delta >= bound {
            return None;
        }
        let cap = ctx.capacity[self.vehicle];
        let peak = self.peak_with(ctx, u, k);
        if peak[0] > cap[0] || peak[1] > cap[1] {
            return None;
        }
        self.on_time(ctx, u, k).then_some(delta)
    }

    /// [`Self::insertion_penalised`] when `penalty` is positive, else
    /// [`Self::insertion_below`]: the one price the search's insertions ask for.
    #[inline(always)]
    pub fn insertion_priced(
        &self,
        ctx: &Ctx,
        j: usize,
        k: usize,
        bound: i64,
        penalty: f64,
    ) -> Option<i64> {
        if penalty > 0.0 {
            self.insertion_penalised(ctx, j, k, bound, penalty)
        } else {
            self.insertion_below(ctx, j, k, bound)
        }
    }

    /// Like [`Self::insertion_below`], but a load above the van's capacity is allowed at
    /// `penalty` metres per unit of excess it adds (the search's penalised capacity); windows
    /// and shifts stay hard.
    #[inline(always)]
    pub fn insertion_penalised(
        &self,
        ctx: &Ctx,
        j: usize,
        k: usize,
        bound: i64,
        penalty: f64,
    ) -> Option<i64> {
        let u = j + 1;
        let delta = self.added_metres(ctx, u, k);
        if delta >= bound {
            return None;
        }
        let excess = ctx.excess(self.vehicle, self.peak_with(ctx, u, k));
        // Adding a job never lowers the excess, so `cost >= delta` and the test on `delta`
        // above is a valid shortcut.
        let cost = delta + (penalty * (excess - self.excess) as f64) as i64;
        if cost >= bound {
            return None;
        }
        self.on_time(ctx, u, k).then_some(cost)
    }

    /// The route's peak load in each dimension with node `u` between positions `k` and
    /// `k + 1`: its delivery rides from the depot to `u` (positions `0..=k`), its pickup from
    /// `u` back to the depot (positions `k..`).
    #[inline(always)]
    fn peak_with(&self, ctx: &Ctx, u: usize, k: usize) -> [i64; 2] {
        let (del, pick) = (ctx.delivery[u], ctx.pickup[u]);
        // Written out: `[0, 1].map(..)` compiled to a call to `try_map` that was not inlined
        // (5 % of the search's time on a 120-job day).
        let (before, after) = (self.pmax[k], self.smax[k]);
        [
            (before[0] + del[0]).max(after[0] + pick[0]),
            (before[1] + del[1]).max(after[1] + pick[1]),
        ]
    }

    /// Metres added by node `u` between positions `k` and `k + 1`.
    #[inline(always)]
    fn added_metres(&self, ctx: &Ctx, u: usize, k: usize) -> i64 {
        let prev = self.node(k);
        let next = self.node(k + 1);
        ctx.d_in(prev, u) + ctx.d(u, next) - self.leg[k]
    }

    /// Whether node `u` between positions `k` and `k + 1` keeps its windows and the rest of
    /// the route on time (the O(1) check on the forward and backward slack).
    #[inline(always)]
    fn on_time(&self, ctx: &Ctx, u: usize, k: usize) -> bool {
        let prev = self.node(k);
        let next = self.node(k + 1);
        let a = self.earliest[k] + ctx.service[prev] + ctx.t_in(prev, u);
        match ctx.start_at(u, a) {
            Some(s) => s + ctx.service[u] + ctx.t(u, next) <= self.latest[k + 1],
            None => false,
        }
    }

    /// Whether the whole route is feasible (used by checks and local search on full routes).
    pub fn feasible(&self, ctx: &Ctx) -> bool {
        let m = self.jobs.len();
        let cap = ctx.capacity[self.vehicle];
        self.on_schedule() && self.pmax[m][0] <= cap[0] && self.pmax[m][1] <= cap[1]
    }

    /// Whether every window and the shift's end hold, whatever the load.
    pub fn on_schedule(&self) -> bool {
        let m = self.jobs.len();
        self.earliest.iter().all(|&e| e < NEVER) && self.earliest[m + 1] <= self.latest[m + 1]
    }
}
