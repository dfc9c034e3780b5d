//! SISR ruin-and-recreate with simulated annealing, then a local-search polish.

use super::route::{Ctx, RouteState};
use super::Limits;
use std::time::{Duration, Instant};

/// Cost of one unassigned job: more than any plan's distance, so fewer unassigned wins.
const BIG: i64 = 1 << 40;
/// Mean number of jobs removed per ruin (SISR's c̄).
const AVG_REMOVED: f64 = 10.0;
/// Longest removed string (SISR's L_max).
const MAX_STRING: f64 = 10.0;
/// Probability of skipping a candidate position in recreate (SISR's blink rate).
const BLINK: f64 = 0.01;
/// Split-string: probability of growing the kept substring by one more job.
const SPLIT_GROW: f64 = 0.5;
/// Work units charged per iteration for what is not counted per position or stop (ruin,
/// ordering, saving and restoring routes), measured as roughly 400 positions' worth.
const ITERATION_WORK: u64 = 400;
/// Fraction of the time limit after which the search stops whatever its budget.
const SAFETY: f64 = 0.85;
/// Fraction of the time limit after which the final polish stops (the rest is for the answer).
const POLISH_UNTIL: f64 = 0.95;
/// Probability per iteration of first swapping the routes of two vans of different types.
const SWAP_RATE: f64 = 0.1;
/// Fraction of the budget during which plans are also accepted for leaving out less often
/// absent jobs; the rest of the search only shortens the plan.
const SHUFFLE_UNTIL: f64 = 0.8;
/// Start and end temperatures of the annealing, as multiples of the mean distance from a
/// job to its nearest other job (so they scale with the instance).
const T_START: f64 = 5.0;
const T_END: f64 = 0.05;
/// Routes near a job that cannot be inserted in which one job is tried out to let it in.
const EJECT_ROUTES: usize = 4;
/// Ejections tried per recreate: on a day where many jobs cannot all fit, trying each of them
/// every iteration would spend the budget on the same failures.
const EJECT_TRIES: usize = 2;
/// Granular insertion (Toth and Vigo's granular neighbourhoods, as in HGS and PyVRP): on days
/// of more than [`GRANULAR_FROM`] jobs, a job is inserted only into the routes that serve one
/// of its [`GRANULAR`] nearest jobs (or an idle van), and a job left out is retried only when
/// the ruin has touched that neighbourhood. At 1,000 jobs and 100 vans every insertion
/// otherwise scans every route, and retrying every left-out job each iteration spent most of
/// the budget on the same failures.
const GRANULAR: usize = 40;
const GRANULAR_FROM: usize = 150;
/// Days of up to this many jobs are searched by [`RESTARTS`] independent runs sharing half of
/// the budget ([`CONTINUE_SHARE`]), then the best of them continued with the other half, at
/// [`CONTINUE_T`] of the starting temperature (see [`restarts`]). Larger days keep one run:
/// there one run's budget is barely enough to settle.
const RESTARTS_UP_TO: usize = 150;
pub(super) const RESTARTS: usize = 3;
/// Independent lanes of the whole search (each its runs and continuation, from other seeds),
/// run on as many threads as the machine has cores (up to this many); the best lane's plan
/// wins. Fixed, so that the plan does not depend on the number of cores.
const LANES: usize = 2;
/// Share of the recreates, on days of up to [`GRANULAR_FROM`] jobs, by regret insertion
/// ([`recreate_regret`]) instead of SISR's greedy order: on days when the fleet is just large
/// enough, most greedy recreates leave a job out (four in five on `hdf-60-s3-tight`) and the
/// iteration is lost; regret insertion places the jobs with few options first.
const REGRET_SHARE: f64 = 0.5;
/// Least work per job of each run when the budget is split between runs.
const MIN_RUN_WORK: u64 = 20_000;
const CONTINUE_SHARE: f64 = 0.5;
const CONTINUE_T: f64 = 0.5;
/// Share of a continued run's iterations that retry the jobs it leaves out. It starts from
/// the best plan of the runs, whose left-out jobs the shuffle has already chosen, so on a day
/// where a job must stay out, retrying it (and trying an ejection for it) every iteration
/// spent most of the continuation on the same failure: on `hdf-60-s3-tight` (eight seed
/// sets) the mean gap to PyVRP went from +2.8 % to +1.6 % with a tenth.
const CONTINUE_RETRY: f64 = 0.1;
/// On those days, a run also stops shuffling its left-out jobs (and shortens its best plan)
/// once a quarter of its budget has passed without a plan leaving out fewer: when a tight day
/// cannot serve every job, the shuffle would otherwise keep accepting longer plans that leave
/// out another job, whatever their kilometres, for most of the run.
const SHUFFLE_PATIENCE: f64 = 0.25;

/// The crate's seeded generator: the search is the same on every platform.
pub(super) use crate::rng::SplitMix64 as Rng;

/// Capacity is penalised, not hard, while the search moves (Vidal et al.'s hybrid genetic
/// search, as in HGS-CVRP and PyVRP): a recreate may overload a van at [`State::penalty`] metres
/// per unit of excess load, and the next ruins and recreates repair it; only plans that fit are
/// kept as the best. On days when the fleet is just large enough, the packings that serve every
/// job are reached through overloaded ones far more often than through plans that fit all
/// along (48 seed sets on the three tight 60-job days of the bench: mean gap to PyVRP-10 s
/// from +1.89 % to +1.30 %, none leaving out more; see docs/routing.md). On 200-job days,
/// whose insertion is granular, it made plans longer (+0.6 %): those keep capacity hard.
/// The penalty adapts every [`PENALTY_EVERY`] iterations so that about [`FEASIBLE_TARGET`] of
/// the recreated plans fit: multiplied or divided by [`PENALTY_STEP`] (PyVRP's penalty
/// manager), never above a left-out job's prize. It starts at the mean distance from a job
/// to its nearest job per hundredth of the largest van's volume.
const PENALISED_UP_TO: usize = RESTARTS_UP_TO;
const FEASIBLE_TARGET: f64 = 0.5;
const PENALTY_EVERY: u32 = 100;
const PENALTY_STEP: f64 = 1.25;
/// With the penalty, a left-out job costs the search this many times the longest round trip
/// from the depot to a job (not [`BIG`], which no overload would ever reach): leaving a job
/// out never pays for its kilometres, but an overload the search cannot repair is given up.
/// The best plan still counts a left-out job as [`BIG`].
const PRIZE_ROUND_TRIPS: f64 = 2.0;

/// Search state: routes (one per vehicle, possibly empty) and the unassigned jobs.
struct State<'a> {
    ctx: &'a Ctx,
    routes: Vec<RouteState>,
    /// Route of each job, `usize::MAX` if unassigned.
    route_of: Vec<usize>,
    unassigned: Vec<usize>,
    distance: i64,
    /// Total weighted excess load of the routes.
    excess: i64,
    /// Metres per unit of excess load ([`PENALISED_UP_TO`]); 0 when capacity is hard.
    penalty: f64,
    /// What a left-out job costs the search ([`PRIZE_ROUND_TRIPS`], or [`BIG`]).
    prize: i64,
    work: u64,
    /// Positions left before the next blink (skipped position).
    until_blink: u64,
    /// Nearest jobs of each job, when insertion is granular ([`GRANULAR`]); empty otherwise.
    near: Vec<Vec<usize>>,
    /// `mark[r] == stamp`: route `r` is a candidate of the current granular insertion.
    mark: Vec<u64>,
    stamp: u64,
    /// Route states kept for reuse by [`save`], and a scratch route for the ejection.
    spare: Vec<RouteState>,
    scratch: RouteState,
}

impl<'a> State<'a> {
    /// Every van idle, no job placed.
    fn empty(ctx: &'a Ctx, near: Vec<Vec<usize>>) -> State<'a> {
        let mut s = State {
            ctx,
            routes: (0..ctx.vehicles()).map(RouteState::new).collect(),
            route_of: vec![usize::MAX; ctx.jobs],
            unassigned: Vec::new(),
            distance: 0,
            excess: 0,
            penalty: 0.0,
            prize: BIG,
            work: 0,
            until_blink: 100,
            near,
            mark: vec![0; ctx.vehicles()],
            stamp: 0,
            spare: Vec::new(),
            scratch: RouteState::new(0),
        };
        for r in 0..s.routes.len() {
            s.refresh(r);
        }
        s
    }

    /// What the search minimises: left-out jobs at their prize, metres, and the overload at
    /// its penalty.
    fn cost(&self) -> i64 {
        self.unassigned.len() as i64 * self.prize
            + self.distance
            + (self.penalty * self.excess as f64) as i64
    }

    /// What the plan is worth as an answer (fewest left out, then metres); `i64::MAX` when a
    /// van is overloaded.
    fn true_cost(&self) -> i64 {
        if self.excess > 0 {
            i64::MAX
        } else {
            self.unassigned.len() as i64 * BIG + self.distance
        }
    }

    /// The price above which an insertion is no place at all: with the penalty, a job whose
    /// cheapest place costs more than its prize stays out.
    fn no_place_above(&self) -> i64 {
        if self.penalty > 0.0 {
            self.prize
        } else {
            i64::MAX
        }
    }

    fn refresh(&mut self, r: usize) {
        let old = self.routes[r].distance;
        let old_excess = self.routes[r].excess;
        self.work += self.routes[r].update(self.ctx);
        self.distance += self.routes[r].distance - old;
        self.excess += self.routes[r].excess - old_excess;
        for &j in &self.routes[r].jobs {
            self.route_of[j] = r;
        }
    }

    /// Cheapest feasible insertion of `j` over all routes (only the routes near `j` when
    /// `granular` and the day is large, see [`GRANULAR`]), skipping positions at rate
    /// `blink`; `None` if nowhere.
    fn best_insertion(
        &mut self,
        j: usize,
        blink: f64,
        rng: &mut Rng,
        granular: bool,
    ) -> Option<(usize, usize)> {
        let ctx = self.ctx;
        let u = j + 1;
        let (del, pick) = (ctx.delivery[u], ctx.pickup[u]);
        let penalty = self.penalty;
        let pen = penalty > 0.0;
        let mut best: (i64, usize, usize) = (self.no_place_above(), usize::MAX, 0);
        let mut seen_types: u128 = 0;
        let granular = granular && !self.near.is_empty();
        if granular {
            self.stamp += 1;
            for &c in &self.near[j] {
                let r = self.route_of[c];
                if r != usize::MAX {
                    self.mark[r] = self.stamp;
                }
            }
            self.work += self.near[j].len() as u64 / 4;
        }
        for (r, route) in self.routes.iter().enumerate() {
            let v = route.vehicle;
            let m = route.jobs.len();
            if granular && m > 0 && self.mark[r] != self.stamp {
                continue;
            }
            if !ctx.can_serve(v, j) {
                continue;
            }
            if m == 0 {
                // Empty vans of the same type are interchangeable: try one of each.
                let t = ctx.vtype[v];
                if t < 128 {
                    if seen_types & (1 << t) != 0 {
                        continue;
                    }
                    seen_types |= 1 << t;
                }
            } else if !pen {
                // The least loaded points of the route must still take the job (unless an
                // overload is only penalised).
                let cap = ctx.capacity[v];
                if route.pmax[0][0] + del[0] > cap[0]
                    || route.pmax[0][1] + del[1] > cap[1]
                    || route.smax[m][0] + pick[0] > cap[0]
                    || route.smax[m][1] + pick[1] > cap[1]
                {
                    continue;
                }
            }
            self.work += (m + 1) as u64;
            for k in 0..=m {
                if blink > 0.0 {
                    if self.until_blink == 0 {
                        // Geometric gap to the next skipped position.
                        self.until_blink =
                            (rng.unit().max(1e-12).ln() / (1.0 - blink).ln()) as u64 + 1;
                        continue;
                    }
                    self.until_blink -= 1;
                }
                if let Some(delta) = route.insertion_priced(ctx, j, k, best.0, penalty) {
                    best = (delta, r, k);
                }
            }
        }
        (best.1 != usize::MAX).then_some((best.1, best.2))
    }

    fn insert(&mut self, j: usize, r: usize, k: usize) {
        self.routes[r].jobs.insert(k, j);
        self.refresh(r);
    }
}

/// Precomputed neighbour lists and sort keys.
struct Static {
    /// For each job, all jobs by increasing distance (itself first).
    neighbours: Vec<Vec<usize>>,
    /// Normalised demand, for the "largest first" order.
    demand: Vec<f64>,
    /// Distance from the depot.
    depot: Vec<i64>,
    t_start: f64,
    t_end: f64,
    /// Starting penalty per unit of excess load ([`PENALISED_UP_TO`]).
    penalty_start: f64,
    /// What a left-out job costs the penalised search ([`PRIZE_ROUND_TRIPS`]).
    prize: i64,
    cbar: f64,
    lmax: f64,
    /// Whether the fleet has several vehicle types (then vehicle swaps are tried).
    mixed_fleet: bool,
    swap_rate: f64,
    blink: f64,
    split: f64,
    /// Share of recreates by regret insertion instead of SISR's greedy order.
    regret: f64,
}

fn prepare(ctx: &Ctx, servable: &[usize]) -> Static {
    let n = ctx.jobs;
    let mut neighbours = vec![Vec::new(); n];
    for &a in servable {
        let mut list: Vec<usize> = servable.to_vec();
        list.sort_by_key(|&b| {
            (
                if a == b {
                    -1
                } else {
                    ctx.d(a + 1, b + 1) + ctx.d(b + 1, a + 1)
                },
                b,
            )
        });
        neighbours[a] = list;
    }
    let maxcap = ctx.max_capacity.map(|c| c as f64);
    let demand = (0..n)
        .map(|j| {
            (0..2)
                .map(|k| (ctx.delivery[j + 1][k] + ctx.pickup[j + 1][k]) as f64 / maxcap[k])
                .sum()
        })
        .collect();
    let depot = (0..n).map(|j| ctx.d(0, j + 1)).collect();
    let mut nearest = 0.0;
    for &a in servable {
        if let Some(&b) = neighbours[a].get(1) {
            nearest += ctx.d(a + 1, b + 1) as f64;
        }
    }
    let mean = (nearest / servable.len().max(1) as f64).max(1.0);
    let far = servable
        .iter()
        .map(|&j| ctx.d(0, j + 1) + ctx.d(j + 1, 0))
        .max()
        .unwrap_or(1);
    Static {
        neighbours,
        demand,
        depot,
        t_start: T_START * mean,
        t_end: T_END * mean,
        penalty_start: mean / (0.01 * maxcap[0]),
        prize: (PRIZE_ROUND_TRIPS * far as f64) as i64,
        cbar: AVG_REMOVED,
        mixed_fleet: ctx.vtype.iter().any(|&t| t != 0),
        swap_rate: SWAP_RATE,
        lmax: MAX_STRING,
        blink: BLINK,
        split: SPLIT_GROW,
        regret: REGRET_SHARE,
    }
}

/// Runs the search for `budget` work units (wall-clock capped by `limits`), its lanes on as
/// many threads as the machine has cores; returns the job sequence of each vehicle.
pub(super) fn run(ctx: &Ctx, servable: &[usize], limits: &Limits, budget: u64) -> Vec<Vec<usize>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    run_on(ctx, servable, limits, budget, threads)
}

/// [`run`] on at most `threads` threads: the same plan whatever their number, as long as
/// every lane ends on its budget.
pub(super) fn run_on(
    ctx: &Ctx,
    servable: &[usize],
    limits: &Limits,
    budget: u64,
    threads: usize,
) -> Vec<Vec<usize>> {
    let clock = Instant::now();
    if servable.is_empty() {
        return vec![Vec::new(); ctx.vehicles()];
    }
    let st = prepare(ctx, servable);
    let day = Lanes {
        ctx,
        st: &st,
        servable,
        limits,
        budget,
        clock,
    };
    let lanes = lanes(servable.len());
    let results: Vec<(i64, Vec<Vec<usize>>)> = if threads > 1 && lanes > 1 {
        std::thread::scope(|scope| {
            let day = &day;
            let handles: Vec<_> = (0..lanes)
                .map(|lane| scope.spawn(move || day.search(lane, 1.0)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    } else {
        // One thread: the lanes one after the other, each within its share of the clock.
        (0..lanes)
            .map(|lane| day.search(lane, (lane + 1) as f64 / lanes as f64))
            .collect()
    };
    // The best lane; on a tie the first, so that the plan does not depend on the threads.
    results
        .into_iter()
        .min_by_key(|r| r.0)
        .map_or_else(|| vec![Vec::new(); ctx.vehicles()], |r| r.1)
}

/// How many lanes search a day of `jobs` jobs: [`LANES`] on the days that are also searched
/// by several runs (see [`restarts`]), one on larger days, whose single run already takes
/// most of a core for the time limit.
pub(super) fn lanes(jobs: usize) -> usize {
    if jobs <= RESTARTS_UP_TO {
        LANES
    } else {
        1
    }
}

/// What every lane of one search shares.
struct Lanes<'a> {
    ctx: &'a Ctx,
    st: &'a Static,
    servable: &'a [usize],
    limits: &'a Limits,
    budget: u64,
    clock: Instant,
}

impl Lanes<'_> {
    /// One lane: independent runs from the lane's own seeds, the best of them continued, each
    /// polished; returns the best plan's cost and jobs per vehicle. `clock_share` is the part
    /// of the wall-clock caps this lane may reach (all of them when lanes run side by side).
    fn search(&self, lane: usize, clock_share: f64) -> (i64, Vec<Vec<usize>>) {
        let (ctx, st, servable, limits, budget, clock) = (
            self.ctx,
            self.st,
            self.servable,
            self.limits,
            self.budget,
            self.clock,
        );
        let runs = restarts(servable.len(), budget);
        // With several runs, the last share of the budget continues the best of them.
        let share = if runs > 1 { CONTINUE_SHARE } else { 0.0 };
        let each = budget as f64 * (1.0 - share) / runs as f64;
        // Wall-clock safety caps, leaving room for the polish and the answer: each run stops at
        // its share of them, so that on a machine much busier than expected every run still has
        // its turn.
        let cap = limits.time_limit.mul_f64(SAFETY * clock_share);
        let polish = limits.time_limit.mul_f64(POLISH_UNTIL * clock_share);
        let mut best: Option<(i64, Vec<RouteState>)> = None;
        let mut spent = 0.0;
        for i in 0..=runs {
            let (work, start) = if i < runs {
                (each, None)
            } else if share > 0.0 {
                let plan: Option<Vec<Vec<usize>>> = best
                    .as_ref()
                    .map(|b| b.1.iter().map(|r| r.jobs.clone()).collect());
                (budget as f64 * share, plan)
            } else {
                break;
            };
            spent += work;
            let part = (spent / budget.max(1) as f64).min(1.0);
            let stop = Stop {
                clock,
                cap: cap.mul_f64(part),
                budget: work as u64,
                patience: if runs > 1 {
                    SHUFFLE_PATIENCE
                } else {
                    f64::INFINITY
                },
            };
            // Lane 0 runs from the seeds of a single lane; the others from their own.
            let seed = (lane * 1000 + i) as u64;
            let plan = anneal(ctx, st, servable, &stop, seed, start.as_deref());
            let mut routes: Vec<RouteState> = plan
                .into_iter()
                .enumerate()
                .map(|(v, jobs)| {
                    let mut r = RouteState::new(v);
                    r.jobs = jobs;
                    r.update(ctx);
                    r
                })
                .collect();
            // Each run's best is polished (cheap on the small days that have several runs), so
            // that the plans compare as they would be returned.
            local_search(ctx, &mut routes, servable, clock, polish.mul_f64(part));
            let served: usize = routes.iter().map(|r| r.jobs.len()).sum();
            let distance: i64 = routes.iter().map(|r| r.distance).sum();
            let cost = (servable.len() - served) as i64 * BIG + distance;
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, routes));
            }
        }
        best.map_or_else(
            || (i64::MAX, vec![Vec::new(); ctx.vehicles()]),
            |(cost, routes)| (cost, routes.into_iter().map(|r| r.jobs).collect()),
        )
    }
}

/// How many independent runs search a day of `jobs` jobs with `budget` work units: on small
/// days one annealing run of the whole budget settles early, and where it settles depends on
/// its seed (on a tight 60-job day, one packing 10 % longer than another); runs from
/// [`RESTARTS`] seeds, the best of them continued, make the plan depend much less on that
/// luck. One run when the budget would leave each less than [`MIN_RUN_WORK`] per job.
pub(super) fn restarts(jobs: usize, budget: u64) -> usize {
    if jobs > RESTARTS_UP_TO {
        return 1;
    }
    let fit = budget / (MIN_RUN_WORK * jobs.max(1) as u64);
    (fit as usize).clamp(1, RESTARTS)
}

/// When a run stops: after `budget` work units, or at `cap` on the wall clock since `clock`;
/// and when its shuffle of left-out jobs stops: after [`SHUFFLE_UNTIL`] of the budget, or
/// after `patience` of it without a plan leaving out fewer jobs.
struct Stop {
    clock: Instant,
    cap: Duration,
    budget: u64,
    patience: f64,
}

/// One annealing run from the seed `seed` until `stop`, from a greedy plan (farthest job first
/// for seed 0, a random order for the others) or from `start` (a continued run, at
/// [`CONTINUE_T`] of the temperature and without the shuffle of left-out jobs); returns its
/// best plan (before the polish).
fn anneal(
    ctx: &Ctx,
    st: &Static,
    servable: &[usize],
    stop: &Stop,
    seed: u64,
    start: Option<&[Vec<usize>]>,
) -> Vec<Vec<usize>> {
    let (clock, cap) = (stop.clock, stop.cap);
    let budget = stop.budget.max(1);
    let mut rng = Rng::new(0x5EED_1712_2026 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let near = if servable.len() > GRANULAR_FROM {
        st.neighbours
            .iter()
            .map(|list| list.iter().skip(1).take(GRANULAR).copied().collect())
            .collect()
    } else {
        Vec::new()
    };
    let mut s = State::empty(ctx, near);
    // Recreated plans since the last adaptation of the penalty, and how many of them fit.
    let (mut recreated, mut fitting) = (0u32, 0u32);
    // Initial plan: farthest first (the first run) or a random order, cheapest insertion.
    // A continued run starts from the given plan instead, at a lower temperature.
    let t_start = match start {
        Some(plan) => {
            load(&mut s, plan, servable);
            st.t_start * CONTINUE_T
        }
        None => {
            let mut order = servable.to_vec();
            order.sort_by_key(|&j| (std::cmp::Reverse(st.depot[j]), j));
            if seed > 0 {
                rng.shuffle(&mut order);
            }
            recreate(&mut s, st, order, 0.0, &mut rng);
            st.t_start
        }
    };
    // The first plan fits (capacity hard, so that even a search stopped at once answers with
    // it); from here on overloads are penalised.
    let pen = servable.len() <= PENALISED_UP_TO;
    if pen {
        s.penalty = st.penalty_start;
        s.prize = st.prize;
    }

    let mut best: Vec<Vec<usize>> = s.routes.iter().map(|r| r.jobs.clone()).collect();
    let mut best_cost = s.true_cost();
    let mut current_cost = s.cost();
    let mut saved: Vec<(usize, RouteState)> = Vec::new();
    let mut absence = vec![0u64; ctx.jobs];
    let mut restarted = false;
    // Progress at which the best plan last left out fewer jobs than before.
    let mut last_drop = 0.0f64;
    // A continued run only shortens its plan: it starts from the best of the runs, whose set
    // of left-out jobs was already shuffled.
    let shuffle_until = if start.is_some() { 0.0 } else { SHUFFLE_UNTIL };
    // A continued run also retries its left-out jobs only now and then (see
    // [`CONTINUE_RETRY`]).
    let retry = if start.is_some() { CONTINUE_RETRY } else { 1.0 };
    while s.work < budget {
        s.work += ITERATION_WORK;
        if clock.elapsed() >= cap {
            break;
        }
        let progress = s.work as f64 / budget as f64;
        if !restarted && (progress >= shuffle_until || progress - last_drop > stop.patience) {
            // From here on only distance counts: continue from the best plan.
            restarted = true;
            load(&mut s, &best, servable);
            current_cost = s.cost();
        }
        let temperature = t_start * (st.t_end / t_start).powf(progress);
        recycle(&mut s, &mut saved);
        let saved_unassigned = s.unassigned.clone();
        let saved_distance = s.distance;
        let saved_excess = s.excess;
        if st.mixed_fleet && rng.unit() < st.swap_rate {
            swap_vehicles(&mut s, &mut rng, &mut saved);
        }
        let mut removed = ruin(&mut s, st, &mut rng, &mut saved);
        // Jobs left out so far go first, to take the slack the ruin has just made; then the
        // removed ones. Both in the same SISR order. On large days only the jobs left out
        // near the ruin are retried (the others keep their place in `unassigned`).
        let mut todo = if retry >= 1.0 || rng.unit() < retry {
            retried(&mut s, &removed, &saved)
        } else {
            Vec::new()
        };
        let pick = rng.below(11);
        sort_for_recreate(&mut todo, st, pick, &mut rng);
        sort_for_recreate(&mut removed, st, pick, &mut rng);
        let retried = todo.len();
        todo.append(&mut removed);
        // Recreate saves each route before its first change, for the rejection.
        // Regret insertion on days without granular insertion (see [`REGRET_SHARE`]).
        if s.near.is_empty() && rng.unit() < st.regret {
            recreate_regret(&mut s, st, todo, EJECT_TRIES, &mut saved);
        } else {
            recreate_tracked(&mut s, st, todo, retried, st.blink, &mut rng, &mut saved);
        }
        let cost = s.cost();
        if pen {
            recreated += 1;
            if s.excess == 0 {
                fitting += 1;
            }
        }
        let threshold = current_cost as f64 - temperature * rng.unit().max(1e-300).ln();
        // SISR's absence counters (from its fleet minimisation): with as many jobs left out,
        // a plan that leaves out jobs that were out less often is also accepted, so that the
        // jobs that are hard to place get their turn and the set of absent jobs keeps moving.
        let mut absent = 0;
        for &j in &s.unassigned {
            absence[j] += 1;
            absent += absence[j];
        }
        let current_absent: u64 = saved_unassigned.iter().map(|&j| absence[j]).sum();
        let shuffle_absent = progress < shuffle_until
            && s.unassigned.len() == saved_unassigned.len()
            && !s.unassigned.is_empty()
            && absent < current_absent;
        if (cost as f64) < threshold || shuffle_absent {
            current_cost = cost;
            if s.true_cost() < best_cost {
                if s.true_cost() / BIG < best_cost / BIG {
                    last_drop = progress;
                }
                best_cost = s.true_cost();
                best = s.routes.iter().map(|r| r.jobs.clone()).collect();
            }
        } else {
            for (r, mut route) in saved.drain(..).rev() {
                std::mem::swap(&mut s.routes[r], &mut route);
                s.spare.push(route);
                for &j in &s.routes[r].jobs {
                    s.route_of[j] = r;
                }
            }
            for &j in &saved_unassigned {
                s.route_of[j] = usize::MAX;
            }
            s.unassigned = saved_unassigned;
            s.distance = saved_distance;
            s.excess = saved_excess;
        }
        if pen && recreated == PENALTY_EVERY {
            let share = f64::from(fitting) / f64::from(recreated);
            if share < FEASIBLE_TARGET - 0.05 {
                // At most a left-out job's prize per unit: beyond it, leaving the job out
                // is already cheaper (and the costs stay far from overflowing).
                s.penalty = (s.penalty * PENALTY_STEP).min(s.prize as f64);
            } else if share > FEASIBLE_TARGET + 0.05 {
                s.penalty = (s.penalty / PENALTY_STEP).max(1e-3);
            }
            (recreated, fitting) = (0, 0);
            // The current plan's cost under the new penalty.
            current_cost = s.cost();
        }
    }
    best
}

/// Gives the jobs of a random used route to a random van of another type and that van's
/// jobs to the first, when both routes stay feasible: distance-neutral, it lets the
/// following ruin and recreate work with the other capacity or shift (with several van
/// types, which cluster gets the small van is otherwise hard to change).
fn swap_vehicles(s: &mut State, rng: &mut Rng, saved: &mut Vec<(usize, RouteState)>) {
    let ctx = s.ctx;
    let n = s.routes.len();
    let a = rng.below(n);
    if s.routes[a].jobs.is_empty() {
        return;
    }
    let b = rng.below(n);
    let (va, vb) = (s.routes[a].vehicle, s.routes[b].vehicle);
    if ctx.vtype[va] == ctx.vtype[vb] {
        return;
    }
    let fits = |jobs: &[usize], v: usize| jobs.iter().all(|&j| ctx.can_serve(v, j));
    if !fits(&s.routes[a].jobs, vb) || !fits(&s.routes[b].jobs, va) {
        return;
    }
    let mut ra = RouteState::new(va);
    ra.jobs = s.routes[b].jobs.clone();
    let mut rb = RouteState::new(vb);
    rb.jobs = s.routes[a].jobs.clone();
    s.work += ra.update(ctx) + rb.update(ctx);
    if !ra.feasible(ctx) || !rb.feasible(ctx) {
        return;
    }
    save(s, a, saved);
    save(s, b, saved);
    s.routes[a].jobs = ra.jobs;
    s.routes[b].jobs = rb.jobs;
    s.refresh(a);
    s.refresh(b);
}

/// Makes `plan` (jobs per vehicle) the current state.
fn load(s: &mut State, plan: &[Vec<usize>], servable: &[usize]) {
    for j in 0..s.route_of.len() {
        s.route_of[j] = usize::MAX;
    }
    for (r, jobs) in plan.iter().enumerate() {
        s.routes[r].jobs.clone_from(jobs);
        s.refresh(r);
    }
    s.unassigned = servable
        .iter()
        .copied()
        .filter(|&j| s.route_of[j] == usize::MAX)
        .collect();
}

/// Saves route `r` before its first change in this iteration, into a spare state (no
/// allocation once the spares have grown).
fn save(s: &mut State, r: usize, saved: &mut Vec<(usize, RouteState)>) {
    if !saved.iter().any(|&(x, _)| x == r) {
        let mut copy = s.spare.pop().unwrap_or_default();
        copy.copy_from(&s.routes[r]);
        saved.push((r, copy));
    }
}

/// Gives the saved states back to the spares.
fn recycle(s: &mut State, saved: &mut Vec<(usize, RouteState)>) {
    s.spare.extend(saved.drain(..).map(|(_, state)| state));
}

/// SISR ruin: strings (or split strings) removed from routes around a random seed job.
fn ruin(
    s: &mut State,
    st: &Static,
    rng: &mut Rng,
    saved: &mut Vec<(usize, RouteState)>,
) -> Vec<usize> {
    let used: Vec<usize> = (0..s.routes.len())
        .filter(|&r| !s.routes[r].jobs.is_empty())
        .collect();
    let mut removed = Vec::new();
    if used.is_empty() {
        return removed;
    }
    let assigned: usize = used.iter().map(|&r| s.routes[r].jobs.len()).sum();
    let avg_card = assigned as f64 / used.len() as f64;
    let ls_max = st.lmax.min(avg_card);
    let ks_max = 4.0 * st.cbar / (1.0 + ls_max) - 1.0;
    let ks = (1.0 + rng.unit() * ks_max).floor().max(1.0) as usize;
    // Seed: a random assigned job.
    let r0 = used[rng.below(used.len())];
    let seed = s.routes[r0].jobs[rng.below(s.routes[r0].jobs.len())];
    let mut ruined: Vec<usize> = Vec::new();
    for &c in &st.neighbours[seed] {
        if ruined.len() >= ks {
            break;
        }
        let r = s.route_of[c];
        if r == usize::MAX || ruined.contains(&r) {
            continue;
        }
        let m = s.routes[r].jobs.len();
        let l_max = (m as f64).min(ls_max);
        let l = ((1.0 + rng.unit() * l_max).floor() as usize).clamp(1, m);
        let pos = s.routes[r].jobs.iter().position(|&x| x == c).unwrap_or(0);
        save(s, r, saved);
        if l < m && rng.unit() < 0.5 {
            // Split string: a string of l + keep jobs, keeping `keep` consecutive ones.
            let mut keep = 1;
            while l + keep < m && rng.unit() < st.split {
                keep += 1;
            }
            let span = l + keep;
            let lo = (pos + 1).saturating_sub(span);
            let hi = pos.min(m - span);
            let start = lo + rng.below(hi - lo + 1);
            let kstart = start + rng.below(span - keep + 1);
            let jobs = &mut s.routes[r].jobs;
            let mut kept = Vec::with_capacity(m - l);
            for (i, &j) in jobs.iter().enumerate() {
                if i >= start && i < start + span && !(i >= kstart && i < kstart + keep) {
                    removed.push(j);
                } else {
                    kept.push(j);
                }
            }
            *jobs = kept;
        } else {
            let lo = (pos + 1).saturating_sub(l);
            let hi = pos.min(m - l);
            let start = lo + rng.below(hi - lo + 1);
            removed.extend(s.routes[r].jobs.drain(start..start + l));
        }
        s.refresh(r);
        ruined.push(r);
    }
    for &j in &removed {
        s.route_of[j] = usize::MAX;
    }
    removed
}

/// The left-out jobs to retry after a ruin, taken out of `s.unassigned`: all of them, or on
/// large days ([`GRANULAR`]) those with one of their nearest jobs just removed or in a route
/// the ruin touched.
fn retried(s: &mut State, removed: &[usize], saved: &[(usize, RouteState)]) -> Vec<usize> {
    if s.near.is_empty() {
        return std::mem::take(&mut s.unassigned);
    }
    s.stamp += 1;
    let stamp = s.stamp;
    for &(r, _) in saved {
        s.mark[r] = stamp;
    }
    let mut todo = Vec::new();
    let mut kept = Vec::new();
    for &u in &s.unassigned {
        s.work += s.near[u].len() as u64 / 4;
        let touched = s.near[u].iter().any(|&c| {
            let r = s.route_of[c];
            (r == usize::MAX && removed.contains(&c)) || (r != usize::MAX && s.mark[r] == stamp)
        });
        if touched {
            todo.push(u);
        } else {
            kept.push(u);
        }
    }
    s.unassigned = kept;
    todo
}

/// SISR's recreate orders: random 4, demand 4, far 2, close 1.
fn sort_for_recreate(todo: &mut [usize], st: &Static, pick: usize, rng: &mut Rng) {
    if pick < 4 {
        for i in (1..todo.len()).rev() {
            todo.swap(i, rng.below(i + 1));
        }
    } else if pick < 8 {
        todo.sort_by(|&a, &b| st.demand[b].total_cmp(&st.demand[a]).then(a.cmp(&b)));
    } else if pick < 10 {
        todo.sort_by_key(|&j| (std::cmp::Reverse(st.depot[j]), j));
    } else {
        todo.sort_by_key(|&j| (st.depot[j], j));
    }
}

/// The first plan: every job over the whole fleet (granular insertion would open a van for
/// each job whose neighbours are not placed yet).
fn recreate(s: &mut State, st: &Static, todo: Vec<usize>, blink: f64, rng: &mut Rng) {
    let mut sink = Vec::new();
    let near = std::mem::take(&mut s.near);
    recreate_tracked(s, st, todo, 0, blink, rng, &mut sink);
    s.near = near;
}

/// Greedy insertion of `todo` in order; the first [`EJECT_TRIES`] jobs that fit nowhere get
/// one chance by ejection ([`insert_by_ejection`]) before they are left out. The first
/// `retried` jobs were left out before the ruin: on large days they are tried only near
/// their neighbours, where the others also get the whole fleet before the ejection.
fn recreate_tracked(
    s: &mut State,
    st: &Static,
    todo: Vec<usize>,
    retried: usize,
    blink: f64,
    rng: &mut Rng,
    saved: &mut Vec<(usize, RouteState)>,
) {
    let mut tries = 0;
    for (i, j) in todo.into_iter().enumerate() {
        // Granular first; a job that was placed before the ruin gets the whole fleet before
        // it is left out.
        let mut at = s.best_insertion(j, blink, rng, true);
        if at.is_none() && !s.near.is_empty() && i >= retried {
            at = s.best_insertion(j, blink, rng, false);
        }
        match at {
            Some((r, k)) => {
                save(s, r, saved);
                s.insert(j, r, k);
            }
            None => {
                tries += 1;
                if tries > EJECT_TRIES || !insert_by_ejection(s, st, j, saved) {
                    s.route_of[j] = usize::MAX;
                    s.unassigned.push(j);
                }
            }
        }
    }
}

/// The plan regret insertion builds alone from idle vans, placing `jobs` (tests), and the
/// jobs it leaves out.
#[cfg(test)]
pub(super) fn regret_from_scratch(ctx: &Ctx, jobs: &[usize]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let st = prepare(ctx, jobs);
    let mut s = State::empty(ctx, Vec::new());
    let mut saved = Vec::new();
    recreate_regret(&mut s, &st, jobs.to_vec(), 0, &mut saved);
    (
        s.routes.iter().map(|r| r.jobs.clone()).collect(),
        s.unassigned,
    )
}

/// Regret insertion (Potvin and Rousseau, 1993; as in Ropke and Pisinger's ALNS): of the jobs
/// still to place, the one whose best route beats its second best by the most goes first,
/// at its cheapest position. Slower than the greedy order, but on days when the fleet is just
/// large enough it places the jobs with few options before the others take their room. The
/// first `eject_tries` jobs that fit nowhere get their chance by ejection, as in
/// [`recreate_tracked`].
fn recreate_regret(
    s: &mut State,
    st: &Static,
    todo: Vec<usize>,
    eject_tries: usize,
    saved: &mut Vec<(usize, RouteState)>,
) {
    let ctx = s.ctx;
    let nr = s.routes.len();
    let scan = |s: &mut State, j: usize, r: usize| -> Option<(i64, usize)> {
        let route = &s.routes[r];
        if !ctx.can_serve(route.vehicle, j) {
            return None;
        }
        let m = route.jobs.len();
        s.work += (m + 1) as u64;
        let mut best: Option<(i64, usize)> = None;
        for k in 0..=m {
            let bound = best.map_or(s.no_place_above(), |b| b.0);
            if let Some(d) = route.insertion_priced(ctx, j, k, bound, s.penalty) {
                best = Some((d, k));
            }
        }
        best
    };
    let mut left = todo;
    // table[i * nr + r]: cheapest insertion of left[i] in route r.
    let mut table: Vec<Option<(i64, usize)>> = vec![None; left.len() * nr];
    let scan_all = |s: &mut State, left: &[usize], table: &mut Vec<Option<(i64, usize)>>| {
        let mut types: u128 = 0;
        for r in 0..nr {
            if s.routes[r].jobs.is_empty() {
                // Empty vans of one type are interchangeable: only the first is a candidate.
                let t = ctx.vtype[s.routes[r].vehicle] % 128;
                if types & (1 << t) != 0 {
                    for i in 0..left.len() {
                        table[i * nr + r] = None;
                    }
                    continue;
                }
                types |= 1 << t;
            }
            for (i, &j) in left.iter().enumerate() {
                table[i * nr + r] = scan(s, j, r);
            }
        }
    };
    scan_all(s, &left, &mut table);
    let mut tries = 0;
    while !left.is_empty() {
        // The job with the largest regret; a job with no place at all first.
        let mut pick = (i64::MIN, 0usize, usize::MAX, 0usize);
        for i in 0..left.len() {
            let mut b1: Option<(i64, usize, usize)> = None;
            let mut b2: Option<i64> = None;
            for r in 0..nr {
                let Some((d, k)) = table[i * nr + r] else {
                    continue;
                };
                match b1 {
                    Some((d1, ..)) if d >= d1 => {
                        if b2.is_none_or(|d2| d < d2) {
                            b2 = Some(d);
                        }
                    }
                    _ => {
                        b2 = b1.map(|b| b.0);
                        b1 = Some((d, r, k));
                    }
                }
            }
            let regret = match (b1, b2) {
                (None, _) => i64::MAX,
                (Some(_), None) => i64::MAX / 2,
                (Some((d1, ..)), Some(d2)) => d2 - d1,
            };
            if regret > pick.0 {
                let (r, k) = b1.map_or((usize::MAX, 0), |b| (b.1, b.2));
                pick = (regret, i, r, k);
            }
        }
        let (_, i, r, k) = pick;
        let j = left.swap_remove(i);
        let last = left.len();
        if i != last {
            for c in 0..nr {
                table[i * nr + c] = table[last * nr + c];
            }
        }
        table.truncate(last * nr);
        if r == usize::MAX {
            tries += 1;
            if tries > eject_tries || !insert_by_ejection(s, st, j, saved) {
                s.route_of[j] = usize::MAX;
                s.unassigned.push(j);
            } else {
                scan_all(s, &left, &mut table);
            }
            continue;
        }
        let was_empty = s.routes[r].jobs.is_empty();
        save(s, r, saved);
        s.insert(j, r, k);
        if was_empty {
            // Another van of that type may now be the empty candidate.
            scan_all(s, &left, &mut table);
        } else {
            for (ii, &jj) in left.iter().enumerate() {
                table[ii * nr + r] = scan(s, jj, r);
            }
        }
    }
}

/// Inserts job `j`, which fits nowhere as the routes are, by moving one job `x` of a route
/// near `j` to another route (or an idle van) so that `j` takes its place: the cheapest such
/// move in metres. The ejection step of route minimisation (Nagata and Bräysy, "A powerful
/// route minimization heuristic for the vehicle routing problem with time windows",
/// Operations Research Letters 37, 2009), at depth one: on days when the fleet is just large
/// enough, the greedy insertion leaves out a job that one move lets in, and serving every job
/// comes before the kilometres.
fn insert_by_ejection(
    s: &mut State,
    st: &Static,
    j: usize,
    saved: &mut Vec<(usize, RouteState)>,
) -> bool {
    let ctx = s.ctx;
    let mut near: Vec<usize> = Vec::with_capacity(EJECT_ROUTES);
    for &c in &st.neighbours[j] {
        if near.len() >= EJECT_ROUTES {
            break;
        }
        let r = s.route_of[c];
        if r != usize::MAX && !near.contains(&r) && ctx.can_serve(s.routes[r].vehicle, j) {
            near.push(r);
        }
    }
    // (added metres, route, position of x, position of j, route of x, position of x there)
    let mut best: Option<(i64, usize, usize, usize, usize, usize)> = None;
    let mut tmp = std::mem::take(&mut s.scratch);
    let mut work = 0u64;
    for &r in &near {
        let m = s.routes[r].jobs.len();
        for i in 0..m {
            let x = s.routes[r].jobs[i];
            tmp.vehicle = s.routes[r].vehicle;
            tmp.jobs.clear();
            tmp.jobs.extend_from_slice(&s.routes[r].jobs[..i]);
            tmp.jobs.extend_from_slice(&s.routes[r].jobs[i + 1..]);
            work += tmp.update(ctx) + m as u64;
            let gain = s.routes[r].distance - tmp.distance;
            let mut bj: Option<(i64, usize)> = None;
            for k in 0..m {
                if let Some(d) = tmp.insertion_below(ctx, j, k, bj.map_or(i64::MAX, |b| b.0)) {
                    bj = Some((d, k));
                }
            }
            let Some((dj, kj)) = bj else {
                continue;
            };
            let limit = best.map_or(i64::MAX, |b| b.0.saturating_sub(dj).saturating_add(gain));
            let (del, pick) = (ctx.delivery[x + 1], ctx.pickup[x + 1]);
            let mut bx: Option<(i64, usize, usize)> = None;
            let mut seen_types: u128 = 0;
            for (r2, route) in s.routes.iter().enumerate() {
                let v = route.vehicle;
                if r2 == r || !ctx.can_serve(v, x) {
                    continue;
                }
                let mb = route.jobs.len();
                if mb == 0 {
                    let t = ctx.vtype[v];
                    if t < 128 {
                        if seen_types & (1 << t) != 0 {
                            continue;
                        }
                        seen_types |= 1 << t;
                    }
                } else {
                    let cap = ctx.capacity[v];
                    if route.pmax[0][0] + del[0] > cap[0]
                        || route.pmax[0][1] + del[1] > cap[1]
                        || route.smax[mb][0] + pick[0] > cap[0]
                        || route.smax[mb][1] + pick[1] > cap[1]
                    {
                        continue;
                    }
                }
                work += (mb + 1) as u64;
                for k in 0..=mb {
                    if let Some(d) = route.insertion_below(ctx, x, k, bx.map_or(limit, |b| b.0)) {
                        bx = Some((d, r2, k));
                    }
                }
            }
            if let Some((dx, r2, kx)) = bx {
                best = Some((dj - gain + dx, r, i, kj, r2, kx));
            }
        }
    }
    s.work += work;
    s.scratch = tmp;
    let Some((_, r, i, kj, r2, kx)) = best else {
        return false;
    };
    save(s, r, saved);
    save(s, r2, saved);
    let x = s.routes[r].jobs.remove(i);
    s.routes[r].jobs.insert(kj, j);
    s.refresh(r);
    s.routes[r2].jobs.insert(kx, x);
    s.refresh(r2);
    true
}

/// First-improvement local search on full routes: relocate (within and between routes),
/// swap between routes, and 2-opt* (tail exchange) between routes. Checks each candidate
/// by rebuilding the touched routes' caches, which is fine for a one-off polish.
fn local_search(
    ctx: &Ctx,
    routes: &mut [RouteState],
    servable: &[usize],
    clock: Instant,
    limit: Duration,
) {
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 50 && clock.elapsed() < limit {
        improved = false;
        rounds += 1;
        if try_replace(ctx, routes, servable, clock, limit) {
            improved = true;
        }
        let nr = routes.len();
        for a in 0..nr {
            // One round over a 1,000-job day takes long: the clock is read per route.
            if clock.elapsed() >= limit {
                return;
            }
            for b in 0..nr {
                if routes[a].jobs.is_empty() {
                    continue;
                }
                if try_relocate(ctx, routes, a, b) {
                    improved = true;
                }
                if a < b && !routes[b].jobs.is_empty() {
                    if try_swap(ctx, routes, a, b) {
                        improved = true;
                    }
                    if try_two_opt_star(ctx, routes, a, b) {
                        improved = true;
                    }
                }
            }
        }
    }
}

/// Swaps a served job for an unserved one when that shortens the plan (same number served):
/// which jobs are left out matters as much as the routes when not every job fits.
fn try_replace(
    ctx: &Ctx,
    routes: &mut [RouteState],
    servable: &[usize],
    clock: Instant,
    limit: Duration,
) -> bool {
    let mut served = vec![false; ctx.jobs];
    for r in routes.iter() {
        for &j in &r.jobs {
            served[j] = true;
        }
    }
    let out: Vec<usize> = servable.iter().copied().filter(|&j| !served[j]).collect();
    if out.is_empty() {
        return false;
    }
    for a in 0..routes.len() {
        if clock.elapsed() >= limit {
            return false;
        }
        for i in 0..routes[a].jobs.len() {
            let mut rest = routes[a].jobs.clone();
            rest.remove(i);
            let Some(ra) = candidate(ctx, routes[a].vehicle, rest) else {
                continue;
            };
            let gain = routes[a].distance - ra.distance;
            // Best place for an unserved job: in the shortened route or in another one.
            let mut best: Option<(i64, usize, usize, usize)> = None;
            for &u in &out {
                for (b, other) in routes.iter().enumerate() {
                    let route = if b == a { &ra } else { other };
                    if !ctx.can_serve(route.vehicle, u) {
                        continue;
                    }
                    let bound = best.map_or(gain, |(d, ..)| d.min(gain));
                    for k in 0..=route.jobs.len() {
                        if let Some(d) = route.insertion_below(ctx, u, k, bound) {
                            if best.is_none_or(|(bd, ..)| d < bd) {
                                best = Some((d, u, b, k));
                            }
                        }
                    }
                }
            }
            if let Some((_, u, b, k)) = best {
                routes[a] = ra;
                routes[b].jobs.insert(k, u);
                routes[b].update(ctx);
                return true;
            }
        }
    }
    false
}

fn candidate(ctx: &Ctx, vehicle: usize, jobs: Vec<usize>) -> Option<RouteState> {
    let mut r = RouteState::new(vehicle);
    r.jobs = jobs;
    r.update(ctx);
    r.feasible(ctx).then_some(r)
}

fn try_relocate(ctx: &Ctx, routes: &mut [RouteState], a: usize, b: usize) -> bool {
    let m = routes[a].jobs.len();
    for i in 0..m {
        let j = routes[a].jobs[i];
        if !ctx.can_serve(routes[b].vehicle, j) {
            continue;
        }
        let mut rest = routes[a].jobs.clone();
        rest.remove(i);
        let removal_gain = routes[a].distance - ctx.route_distance(&rest);
        if a == b {
            for k in 0..=rest.len() {
                if k == i {
                    continue;
                }
                let mut jobs = rest.clone();
                jobs.insert(k, j);
                if ctx.route_distance(&jobs) < routes[a].distance {
                    if let Some(r) = candidate(ctx, routes[a].vehicle, jobs) {
                        routes[a] = r;
                        return true;
                    }
                }
            }
            continue;
        }
        let Some(ra) = candidate(ctx, routes[a].vehicle, rest) else {
            continue;
        };
        for k in 0..=routes[b].jobs.len() {
            if let Some(delta) = routes[b].insertion(ctx, j, k) {
                if delta < removal_gain {
                    routes[b].jobs.insert(k, j);
                    routes[b].update(ctx);
                    routes[a] = ra;
                    return true;
                }
            }
        }
    }
    false
}

fn try_swap(ctx: &Ctx, routes: &mut [RouteState], a: usize, b: usize) -> bool {
    let (va, vb) = (routes[a].vehicle, routes[b].vehicle);
    for i in 0..routes[a].jobs.len() {
        for k in 0..routes[b].jobs.len() {
            let (x, y) = (routes[a].jobs[i], routes[b].jobs[k]);
            if !ctx.can_serve(vb, x) || !ctx.can_serve(va, y) {
                continue;
            }
            let mut ja = routes[a].jobs.clone();
            let mut jb = routes[b].jobs.clone();
            ja[i] = y;
            jb[k] = x;
            if ctx.route_distance(&ja) + ctx.route_distance(&jb)
                >= routes[a].distance + routes[b].distance
            {
                continue;
            }
            if let (Some(ra), Some(rb)) = (candidate(ctx, va, ja), candidate(ctx, vb, jb)) {
                routes[a] = ra;
                routes[b] = rb;
                return true;
            }
        }
    }
    false
}

fn try_two_opt_star(ctx: &Ctx, routes: &mut [RouteState], a: usize, b: usize) -> bool {
    let (va, vb) = (routes[a].vehicle, routes[b].vehicle);
    let (ma, mb) = (routes[a].jobs.len(), routes[b].jobs.len());
    for i in 0..=ma {
        for k in 0..=mb {
            if (i == 0 && k == 0) || (i == ma && k == mb) {
                continue;
            }
            let mut ja = routes[a].jobs[..i].to_vec();
            ja.extend_from_slice(&routes[b].jobs[k..]);
            let mut jb = routes[b].jobs[..k].to_vec();
            jb.extend_from_slice(&routes[a].jobs[i..]);
            if ctx.route_distance(&ja) + ctx.route_distance(&jb)
                >= routes[a].distance + routes[b].distance
            {
                continue;
            }
            if ja.iter().any(|&j| !ctx.can_serve(va, j))
                || jb.iter().any(|&j| !ctx.can_serve(vb, j))
            {
                continue;
            }
            if let (Some(ra), Some(rb)) = (candidate(ctx, va, ja), candidate(ctx, vb, jb)) {
                routes[a] = ra;
                routes[b] = rb;
                return true;
            }
        }
    }
    false
}
