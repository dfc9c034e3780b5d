//! Vehicle-routing solver: heterogeneous vans from one depot, deliveries and pickups carried
//! simultaneously (two capacity dimensions), service time windows (several per job, any one
//! of them), shifts. Objective: fewest unassigned jobs, then least total distance.
//!
//! # Algorithm
//!
//! *Slack Induction by String Removals* (SISR; J. Christiaens and G. Vanden Berghe, "Slack
//! Induction by String Removals for Vehicle Routing Problems", Transportation Science 54(2),
//! 2020): each iteration ruins the current plan by removing a few strings of consecutive jobs
//! from routes near a random seed job (sometimes keeping a substring, the "split string"),
//! then recreates it by greedy cheapest insertion of the removed and still unassigned jobs in
//! a random order (random, largest demand, farthest or closest to the depot first), skipping
//! each candidate position with a small "blink" probability. The new plan is accepted by
//! simulated annealing on `unassigned * BIG + distance` (on days of up to 150 jobs, with a
//! penalised overload, see below) with an exponentially decreasing temperature over the work
//! budget. Some additions:
//!
//! * when some jobs cannot all be served, a plan leaving out as many jobs is also accepted
//!   if those jobs were absent less often so far (SISR's absence counters, from its fleet
//!   minimisation), so the set of left-out jobs keeps moving and hard jobs get their turn;
//!   for the last 20 % of the budget the search restarts from the best plan and only
//!   shortens it;
//! * with several van types, a route is sometimes handed to a van of another type (and that
//!   van's route back) before the ruin, when both stay feasible: distance-neutral, it lets
//!   the search change which cluster gets the small van;
//! * a job that fits nowhere gets one more chance before it is left out: one job of a nearby
//!   route moves to another route (or an idle van) so that it takes its place (the ejection
//!   of route minimisation, Nagata and Bräysy 2009, at depth one), since on days when the
//!   fleet is just large enough serving every job comes before the kilometres;
//! * on days of more than 150 jobs insertion is granular (as in HGS and PyVRP): a job goes
//!   only into the routes serving one of its 40 nearest jobs or an idle van (the whole fleet
//!   for a job the ruin has just removed, before it is left out), and a job left out is
//!   retried only when the ruin has touched its neighbourhood;
//! * on days of up to 150 jobs, three independent runs (different seeds and first plans) share
//!   half of the budget and the best of them is continued, at a lower temperature, with the
//!   other half: there a single run settles early in a packing that depends on its seed (on a
//!   tight 60-job day, one 10 % longer than another), and the best of several is much more
//!   often a good one; the continuation retries the jobs left out in a tenth of its
//!   iterations only, the runs having chosen them;
//! * on those days, the whole of that (three runs, the best continued) is done twice, in two
//!   *lanes* from different seeds, each with the full budget, on two threads when the machine
//!   has two cores, and the better lane's plan wins: a second lane halves the odds of an
//!   unlucky packing, where a longer single lane hardly moves them (on the tight 60-job days,
//!   twice the budget in one lane left the mean gap to PyVRP where it was);
//! * on those days too, half of the recreates use *regret* insertion (Potvin and Rousseau,
//!   1993; Ropke and Pisinger's ALNS) instead of SISR's greedy order: the job whose best route
//!   beats its second best by the most goes first, so that the jobs with few options are
//!   placed before the others take their room. On a day where the fleet is just large enough,
//!   four greedy recreates in five leave a job out and are lost;
//! * on those days again, capacity is *penalised* rather than hard while the search moves (as
//!   in Vidal et al.'s hybrid genetic search, HGS-CVRP and PyVRP): a recreate may overload a
//!   van at a penalty per unit of excess load, and later ruins and recreates repair it; only
//!   plans that fit become the best. The penalty adapts so that about half of the recreated
//!   plans fit, and a job left out costs the search twice the longest round trip from the
//!   depot (the answer still counts it before any distance). When the fleet is just large
//!   enough, the packings that serve every job are reached through overloaded plans far more
//!   often than through plans that fit all along;
//! * the best plan is polished by a local search (relocate, swap and 2-opt* between routes,
//!   relocate inside a route).
//!
//! Insertion is checked in O(1) with per-route caches (Savelsbergh's forward/backward time
//! slack, "Local search in routing problems with time windows", Annals of OR 4, 1985;
//! simultaneous pickup and delivery load as in Vidal et al., "A unified solution framework
//! for multi-attribute vehicle routing problems", EJOR 234, 2014): the earliest service start
//! at each stop (the first window still reachable), the latest service start that keeps the
//! rest of the route feasible (the latest window start compatible with the successor), and
//! prefix and suffix maxima of the on-board load in both dimensions. A job with several
//! windows is served in the earliest reachable one in the forward pass; feasibility stays
//! exact because a stop's feasible service starts form its windows cut at one bound.
//!
//! # Determinism
//!
//! Fixed-seed SplitMix64 generators, and a work budget counted in evaluated insertion positions
//! and recomputed route stops: [`FILL`] of the time limit at a fixed pace, [`WORK_PER_SECOND`]
//! (see [`budget`]), for each lane. The lanes share nothing while they search and the better
//! plan (the first lane on a tie) wins, so running them on one thread or two gives the same
//! plan. The budget depends on the limit only, not on the machine nor its load, so the same
//! input and limit give the same plan in every process and on every machine, as long as the
//! search ends on its budget. The wall clock is only a
//! safety cap (the search stops at 85 % of the time limit even if the budget is not spent, and
//! the final polish at 95 %; with one core, the first lane at half of those): on a machine
//! more than about 2.5 times slower than the development machine idle (a debug build, or that
//! machine under heavy load), or with one core for the two lanes of a small day, the cap ends
//! the search earlier and the plan then depends on the load.

mod check;
mod route;
mod search;
#[cfg(test)]
mod tests;

pub use check::check_solution;

use std::time::Duration;

/// Work units (insertion positions evaluated plus route stops recomputed, plus a fixed
/// charge per iteration) per second of time limit: a fixed pace, not one measured, so that the
/// budget, and with it the plan, depends only on the input and the limit, not on the machine
/// or its load. One core of the 2-core development machine does 130–145 million a second
/// when idle (release build): one lane's budget is spent there in about a third of the limit
/// (the two lanes of a small day, side by side on the two cores, in about half of it), so
/// the search still ends on its budget, not on the wall clock, when the process gets only
/// about 40 % of a core per lane.
pub const WORK_PER_SECOND: u64 = 65_000_000;

/// Share of the time limit the budgeted search would fill at [`WORK_PER_SECOND`].
pub const FILL: f64 = 0.7;

/// The work budget for a time limit: [`FILL`] of it at [`WORK_PER_SECOND`]; a function of the
/// limit only, so that the plan is too.
pub fn budget(limits: &Limits) -> u64 {
    (limits.time_limit.as_secs_f64() * FILL * WORK_PER_SECOND as f64) as u64
}

/// A routing problem with integer data, so that the search is exact and reproducible.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The fleet; every vehicle starts and ends at the depot and may stay unused.
    pub vehicles: Vec<Vehicle>,
    /// The jobs; job `i` is node `i + 1` of the matrices.
    pub jobs: Vec<Job>,
    /// Metres between nodes, node 0 being the depot and node `i + 1` job `i`.
    pub distance: Vec<Vec<i64>>,
    /// Travel seconds between nodes, indexed like `distance`.
    pub duration: Vec<Vec<i64>>,
}

/// One van. Capacities are integers (e.g. litres and kilograms) so loads compare exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vehicle {
    /// Capacity per dimension (volume, weight), same units as [`Job::demand`].
    pub capacity: [i64; 2],
    /// Earliest departure from the depot, seconds since midnight.
    pub shift_start: i64,
    /// Latest return to the depot, seconds since midnight.
    pub shift_end: i64,
}

/// Whether a job's goods are loaded at the depot or brought back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Loaded at the depot, unloaded at the job: on board from departure until the stop.
    Delivery,
    /// Loaded at the job, unloaded at the depot: on board from the stop until return.
    Pickup,
}

/// One stop to serve.
#[derive(Clone, Debug)]
pub struct Job {
    /// Delivery or pickup, which decides when the demand is on board.
    pub kind: JobKind,
    /// Demand per dimension (volume, weight), same units as [`Vehicle::capacity`].
    pub demand: [i64; 2],
    /// Service seconds on site.
    pub service: i64,
    /// Windows for the service start, seconds since midnight, sorted and non-overlapping;
    /// service must start inside one of them (it may end after). Empty means always open.
    pub windows: Vec<(i64, i64)>,
}

/// How long the solver may search.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Converted into a deterministic work budget; also a wall-clock safety cap.
    pub time_limit: Duration,
}

/// A plan: routes of the used vehicles and the jobs left out, each with a reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    /// One route per used vehicle, in vehicle order.
    pub routes: Vec<Route>,
    /// Jobs not served, by job index, sorted.
    pub unassigned: Vec<(usize, Unassigned)>,
    /// Total metres of all routes.
    pub distance: i64,
}

/// One van's day. Times are seconds since midnight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Index into [`Problem::vehicles`].
    pub vehicle: usize,
    /// Job indices in visiting order.
    pub jobs: Vec<usize>,
    /// Arrival at each job.
    pub arrivals: Vec<i64>,
    /// Service start at each job (arrival plus any wait for the window).
    pub service_starts: Vec<i64>,
    /// Service start plus service time.
    pub departures: Vec<i64>,
    /// Departure from the depot: the latest one that leaves every service start unchanged,
    /// i.e. the van reaches its first stop exactly when service can start there.
    pub depot_departure: i64,
    /// Arrival back at the depot.
    pub depot_return: i64,
    /// Metres driven.
    pub distance: i64,
    /// `depot_return - depot_departure`, seconds.
    pub duration: i64,
}

/// Why a job is not served; the first two are properties of the job, the last two of the
/// plan (the limit that binds once the other jobs are placed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unassigned {
    /// Its demand exceeds the capacity of every van (in some dimension).
    TooLarge,
    /// No van whose capacity fits can reach it within a window from the depot and be back
    /// by the end of its shift, even serving it alone.
    WindowUnreachable,
    /// Some van could serve it alone, but in this plan no van that could has room for it
    /// at any point of its route (volume or weight).
    NoCapacityLeft,
    /// Some van still has room for it, but its day is full: the stops already planned, their
    /// windows and the return by the end of the shift leave no time for it.
    ShiftTooShort,
}

/// Bound on every number of a problem, so that sums of a whole route cannot overflow.
const LIMIT: i64 = 1_000_000_000_000;

/// Checks the shape and sanity of a problem (matrix sizes, windows, shifts, signs).
/// [`solve`] assumes a problem that passes; call this first on untrusted input.
pub fn validate(problem: &Problem) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let n = problem.jobs.len() + 1;
    if problem.vehicles.is_empty() {
        errors.push("at least one vehicle is required".to_string());
    }
    for (name, m) in [
        ("distance", &problem.distance),
        ("duration", &problem.duration),
    ] {
        if m.len() != n || m.iter().any(|row| row.len() != n) {
            errors.push(format!("{name} matrix must be {n}x{n} (depot plus jobs)"));
        } else if m.iter().flatten().any(|&x| !(0..=LIMIT).contains(&x)) {
            errors.push(format!("{name} matrix entries must be in 0..={LIMIT}"));
        }
    }
    for (i, v) in problem.vehicles.iter().enumerate() {
        if v.capacity.iter().any(|&c| c < 0) {
            errors.push(format!("vehicle {i}: negative capacity"));
        }
        if v.capacity.iter().any(|&c| c > LIMIT)
            || [v.shift_start, v.shift_end].iter().any(|t| t.abs() > LIMIT)
        {
            errors.push(format!("vehicle {i}: capacity or shift beyond {LIMIT}"));
        }
        if v.shift_start > v.shift_end {
            errors.push(format!("vehicle {i}: shift ends before it starts"));
        }
    }
    for (i, j) in problem.jobs.iter().enumerate() {
        if j.demand.iter().any(|&d| d < 0) {
            errors.push(format!("job {i}: negative demand"));
        }
        if j.demand.iter().any(|&d| d > LIMIT)
            || j.service > LIMIT
            || j.windows
                .iter()
                .any(|&(s, e)| s.abs() > LIMIT || e.abs() > LIMIT)
        {
            errors.push(format!("job {i}: demand, service or window beyond {LIMIT}"));
        }
        if j.service < 0 {
            errors.push(format!("job {i}: negative service time"));
        }
        if j.windows.iter().any(|&(s, e)| s > e) {
            errors.push(format!("job {i}: a window ends before it starts"));
        }
        if j.windows.windows(2).any(|w| w[0].1 >= w[1].0) {
            errors.push(format!("job {i}: windows must be sorted and not overlap"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The rule a route fixed by hand breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    /// The load on board exceeds the van's capacity at some point (volume or weight).
    Capacity,
    /// A stop is reached after the last of its windows has closed.
    Window,
    /// The van is back at the depot after the end of its shift.
    ShiftEnd,
}

/// Times vehicle `v`'s route through `jobs`, in that order, under the rules the search inserts
/// with (the same per-route caches: loads, windows, shift): the route as [`solve`] would time
/// it, or the first rule it breaks (capacity, then windows, then the shift's end).
pub fn fixed_route(problem: &Problem, v: usize, jobs: &[usize]) -> Result<Route, Breach> {
    let ctx = route::Ctx::new(problem);
    let mut state = route::RouteState::new(v);
    state.jobs = jobs.to_vec();
    state.update(&ctx);
    let m = jobs.len();
    let cap = ctx.capacity[v];
    if (0..2).any(|d| state.pmax[m][d] > cap[d]) {
        return Err(Breach::Capacity);
    }
    if state.earliest.iter().any(|&e| e >= route::NEVER) {
        return Err(Breach::Window);
    }
    if !state.feasible(&ctx) {
        return Err(Breach::ShiftEnd);
    }
    Ok(ctx.schedule(v, jobs))
}

/// Solves `problem` within `limits`: deterministic for a given input and limit (see module
/// docs).
pub fn solve(problem: &Problem, limits: &Limits) -> Solution {
    let budget = budget(limits);
    solve_with_budget(problem, limits, budget)
}

/// [`solve`] with an explicit work budget (tests use it to stay clear of the wall-clock cap).
pub(super) fn solve_with_budget(problem: &Problem, limits: &Limits, budget: u64) -> Solution {
    let ctx = route::Ctx::new(problem);
    let mut unassigned = Vec::new();
    let mut servable = Vec::new();
    for j in 0..problem.jobs.len() {
        match ctx.alone_reason(j) {
            Some(reason) => unassigned.push((j, reason)),
            None => servable.push(j),
        }
    }
    let plan = search::run(&ctx, &servable, limits, budget);
    let mut routes = Vec::new();
    let mut distance = 0;
    for (v, jobs) in plan.iter().enumerate() {
        if jobs.is_empty() {
            continue;
        }
        let r = ctx.schedule(v, jobs);
        distance += r.distance;
        routes.push(r);
    }
    let mut served = vec![false; problem.jobs.len()];
    for r in &routes {
        for &j in &r.jobs {
            served[j] = true;
        }
    }
    let states: Vec<route::RouteState> = plan
        .iter()
        .enumerate()
        .map(|(v, jobs)| {
            let mut r = route::RouteState::new(v);
            r.jobs.clone_from(jobs);
            r.update(&ctx);
            r
        })
        .collect();
    for &j in &servable {
        if !served[j] {
            unassigned.push((j, ctx.left_out_reason(&states, j)));
        }
    }
    unassigned.sort_by_key(|&(j, _)| j);
    Solution {
        routes,
        unassigned,
        distance,
    }
}
