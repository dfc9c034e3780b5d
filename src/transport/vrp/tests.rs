use super::route::{Ctx, RouteState};
use super::search::Rng;
use super::*;

fn limits(ms: u64) -> Limits {
    Limits {
        time_limit: Duration::from_millis(ms),
    }
}

fn van(cap: i64, start: i64, end: i64) -> Vehicle {
    Vehicle {
        capacity: [cap, cap],
        shift_start: start,
        shift_end: end,
    }
}

fn job(kind: JobKind, demand: i64, service: i64, windows: Vec<(i64, i64)>) -> Job {
    Job {
        kind,
        demand: [demand, demand],
        service,
        windows,
    }
}

/// Euclidean metres between points (depot first), one metre per second.
fn problem(points: &[(i64, i64)], vehicles: Vec<Vehicle>, jobs: Vec<Job>) -> Problem {
    assert_eq!(points.len(), jobs.len() + 1);
    let m: Vec<Vec<i64>> = points
        .iter()
        .map(|a| {
            points
                .iter()
                .map(|b| {
                    (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64)
                        .sqrt()
                        .round() as i64
                })
                .collect()
        })
        .collect();
    Problem {
        vehicles,
        jobs,
        distance: m.clone(),
        duration: m,
    }
}

fn solve_checked(p: &Problem, ms: u64) -> Solution {
    validate(p).expect("valid problem");
    let s = solve(p, &limits(ms));
    if let Err(e) = check_solution(p, &s) {
        panic!("infeasible: {e}\n{s:?}");
    }
    s
}

#[test]
fn tiny_line_is_solved_optimally() {
    let d = || job(JobKind::Delivery, 1, 0, vec![]);
    let p = problem(
        &[(0, 0), (10, 0), (30, 0), (20, 0)],
        vec![van(10, 0, 1000), van(10, 0, 1000)],
        vec![d(), d(), d()],
    );
    let s = solve_checked(&p, 20);
    assert!(s.unassigned.is_empty());
    assert_eq!(s.distance, 60);
    assert_eq!(s.routes.len(), 1);
    let jobs = &s.routes[0].jobs;
    assert!(jobs == &vec![0, 2, 1] || jobs == &vec![1, 2, 0]);
}

#[test]
fn simultaneous_pickup_and_delivery_orders_the_stops() {
    // A: delivery of 8 at x=10; B: pickup of 8 at x=5; capacity 10. B before A would carry
    // 16, so A must come first even though 0→B→A→0 is as short as any order.
    let p = problem(
        &[(0, 0), (10, 0), (5, 1)],
        vec![van(10, 0, 1000)],
        vec![
            job(JobKind::Delivery, 8, 0, vec![]),
            job(JobKind::Pickup, 8, 0, vec![]),
        ],
    );
    let s = solve_checked(&p, 20);
    assert!(s.unassigned.is_empty());
    assert_eq!(s.routes[0].jobs, vec![0, 1]);
    // A pickup of 3 and a delivery of 9: fine in one order only as well.
    let p = problem(
        &[(0, 0), (10, 0), (5, 1)],
        vec![van(10, 0, 1000)],
        vec![
            job(JobKind::Pickup, 3, 0, vec![]),
            job(JobKind::Delivery, 9, 0, vec![]),
        ],
    );
    let s = solve_checked(&p, 20);
    assert!(s.unassigned.is_empty());
    assert_eq!(s.routes[0].jobs, vec![1, 0]);
}

#[test]
fn two_window_job_waits_for_its_second_window() {
    // Y must start by 200 and takes 1000 s; X's first window (closing 1100) is then missed,
    // so X is served in its second window from 5000, after waiting.
    let p = problem(
        &[(0, 0), (100, 0), (0, 100)],
        vec![van(10, 0, 10_000)],
        vec![
            job(JobKind::Delivery, 1, 500, vec![(1000, 1100), (5000, 6000)]),
            job(JobKind::Delivery, 1, 1000, vec![(0, 200)]),
        ],
    );
    let s = solve_checked(&p, 20);
    assert!(s.unassigned.is_empty());
    let r = &s.routes[0];
    assert_eq!(r.jobs, vec![1, 0]);
    assert_eq!(r.service_starts[0], 100);
    assert_eq!(r.depot_departure, 0);
    assert!(r.arrivals[1] < 5000);
    assert_eq!(r.service_starts[1], 5000);
    assert_eq!(r.departures[1], 5500);
    assert_eq!(r.depot_return, 5600);
}

#[test]
fn depot_departure_skips_the_first_wait() {
    let p = problem(
        &[(0, 0), (100, 0)],
        vec![van(10, 0, 10_000)],
        vec![job(JobKind::Pickup, 1, 60, vec![(3000, 4000)])],
    );
    let s = solve_checked(&p, 10);
    let r = &s.routes[0];
    assert_eq!(r.depot_departure, 2900);
    assert_eq!(r.arrivals[0], 3000);
    assert_eq!(r.depot_return, 3160);
    assert_eq!(r.duration, 260);
}

#[test]
fn shift_end_limits_a_route_and_reasons_are_given() {
    // Two jobs 300 m away in opposite directions, 100 s service: alone 700 s each, together
    // 1400 s. A 1000 s shift can do one of them; a second van does the other.
    let points = [(0, 0), (300, 0), (-300, 0), (0, 50), (0, -50)];
    let jobs = vec![
        job(JobKind::Delivery, 1, 100, vec![]),
        job(JobKind::Delivery, 1, 100, vec![]),
        job(JobKind::Delivery, 50, 0, vec![]), // too large for any van
        job(JobKind::Pickup, 1, 0, vec![(0, 10)]), // window closes before arrival
    ];
    let p = problem(&points, vec![van(10, 0, 1000)], jobs.clone());
    let s = solve_checked(&p, 20);
    assert_eq!(s.routes.len(), 1);
    let reasons: Vec<_> = s.unassigned.iter().map(|&(_, r)| r).collect();
    assert_eq!(s.unassigned.len(), 3);
    // The van has room for the second job, not the time: the shift binds.
    assert!(reasons.contains(&Unassigned::ShiftTooShort));
    assert!(s.unassigned.contains(&(2, Unassigned::TooLarge)));
    assert!(s.unassigned.contains(&(3, Unassigned::WindowUnreachable)));
    let p = problem(&points, vec![van(10, 0, 1000), van(10, 0, 1000)], jobs);
    let s = solve_checked(&p, 20);
    assert_eq!(s.unassigned.len(), 2);
    assert_eq!(s.routes.len(), 2);
}

#[test]
fn capacity_is_per_vehicle_and_per_dimension() {
    // Weight 900 only fits the big van; volume 5 fits both.
    let p = problem(
        &[(0, 0), (100, 0), (0, 100)],
        vec![
            Vehicle {
                capacity: [6, 700],
                shift_start: 0,
                shift_end: 10_000,
            },
            Vehicle {
                capacity: [10, 1000],
                shift_start: 0,
                shift_end: 10_000,
            },
        ],
        vec![
            Job {
                kind: JobKind::Delivery,
                demand: [5, 900],
                service: 0,
                windows: vec![],
            },
            Job {
                kind: JobKind::Pickup,
                demand: [7, 10],
                service: 0,
                windows: vec![],
            },
        ],
    );
    let s = solve_checked(&p, 20);
    assert!(s.unassigned.is_empty());
    assert_eq!(s.routes.len(), 1);
    assert_eq!(s.routes[0].vehicle, 1);
}

fn random_problem(rng: &mut Rng, jobs: usize, vehicles: usize) -> Problem {
    let mut points = vec![(0, 0)];
    let mut js = Vec::new();
    for _ in 0..jobs {
        points.push((rng.below(2001) as i64 - 1000, rng.below(2001) as i64 - 1000));
        let kind = if rng.unit() < 0.6 {
            JobKind::Delivery
        } else {
            JobKind::Pickup
        };
        let windows = match rng.below(5) {
            0 => vec![],
            1 => vec![(0, 3000)],
            2 => vec![(3500, 6000)],
            3 => vec![(0, 2000), (4000, 6000)],
            _ => {
                let s = rng.below(6000) as i64;
                vec![(s, s + rng.below(1500) as i64)]
            }
        };
        js.push(Job {
            kind,
            demand: [1 + rng.below(6) as i64, 1 + rng.below(6) as i64],
            service: rng.below(300) as i64,
            windows,
        });
    }
    let vs = (0..vehicles)
        .map(|_| Vehicle {
            capacity: [5 + rng.below(15) as i64, 5 + rng.below(15) as i64],
            shift_start: rng.below(1000) as i64,
            shift_end: 5000 + rng.below(4000) as i64,
        })
        .collect();
    problem(&points, vs, js)
}

#[test]
fn same_input_same_output() {
    let mut rng = Rng::new(7);
    let p = random_problem(&mut rng, 40, 5);
    // An explicit budget and a generous wall clock, so that the safety cap never decides
    // (debug builds are much slower than the calibration assumes).
    let run = || solve_with_budget(&p, &limits(60_000), 3_000_000);
    let a = run();
    check_solution(&p, &a).unwrap();
    assert_eq!(a, run());
}

#[test]
fn the_budget_depends_on_the_time_limit_only() {
    // A fixed pace, not one measured on this machine: another process, another machine or
    // another load gives the same budget, hence the same plan (when it ends on its budget).
    assert_eq!(budget(&limits(2_000)), 91_000_000);
    assert_eq!(budget(&limits(10_000)), 455_000_000);
    assert_eq!(budget(&limits(0)), 0);
}

#[test]
fn small_days_are_searched_from_several_seeds() {
    use super::search::{restarts, RESTARTS};
    let two_seconds = budget(&limits(2_000));
    assert_eq!(restarts(60, two_seconds), RESTARTS);
    assert_eq!(restarts(120, two_seconds), RESTARTS);
    // Large days keep one run, and so do budgets too small to split.
    assert_eq!(restarts(200, two_seconds), 1);
    assert_eq!(restarts(60, 1_000_000), 1);
    assert!(restarts(60, two_seconds) >= 2);
}

#[test]
fn large_days_search_granular_and_stay_deterministic() {
    // Above GRANULAR_FROM jobs insertion looks only near each job and left-out jobs are
    // retried only near the ruin: still feasible, still the same plan twice.
    let mut rng = Rng::new(11);
    let p = random_problem(&mut rng, 180, 40);
    let run = || solve_with_budget(&p, &limits(60_000), 1_500_000);
    let a = run();
    check_solution(&p, &a).unwrap();
    assert_eq!(a, run());
}

#[test]
fn random_instances_are_feasible() {
    let mut rng = Rng::new(42);
    for _ in 0..300 {
        let n = 1 + rng.below(12);
        let v = 1 + rng.below(3);
        let p = random_problem(&mut rng, n, v);
        solve_checked(&p, 3);
    }
}

/// A random one-van problem, a random order of a random subset of its jobs, and one more job
/// to insert.
fn random_route(rng: &mut Rng) -> (Problem, Vec<usize>, usize) {
    let n = 2 + rng.below(10);
    let p = random_problem(rng, n, 1);
    let mut jobs: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        jobs.swap(i, rng.below(i + 1));
    }
    let extra = jobs.pop().unwrap();
    jobs.truncate(rng.below(jobs.len() + 1));
    (p, jobs, extra)
}

/// Van 0's route through `jobs`, its caches built.
fn built(ctx: &Ctx, jobs: Vec<usize>) -> RouteState {
    let mut r = RouteState::new(0);
    r.jobs = jobs;
    r.update(ctx);
    r
}

/// `jobs` with `extra` inserted at position `k`, rebuilt in full.
fn with_inserted(ctx: &Ctx, jobs: &[usize], extra: usize, k: usize) -> RouteState {
    let mut all = jobs.to_vec();
    all.insert(k, extra);
    built(ctx, all)
}

#[test]
fn constant_time_insertion_agrees_with_full_check() {
    let mut rng = Rng::new(3);
    for _ in 0..300 {
        let (p, jobs, extra) = random_route(&mut rng);
        let ctx = Ctx::new(&p);
        // Kept only if feasible.
        let r = built(&ctx, jobs.clone());
        if !r.feasible(&ctx) {
            continue;
        }
        for k in 0..=jobs.len() {
            let full = with_inserted(&ctx, &jobs, extra, k);
            let fast = r.insertion(&ctx, extra, k);
            assert_eq!(
                fast.is_some(),
                full.feasible(&ctx),
                "{jobs:?} + {extra} at {k}"
            );
            if let Some(delta) = fast {
                assert_eq!(r.distance + delta, full.distance);
            }
        }
    }
}

/// The penalised insertion's O(1) price (metres plus the penalty on the excess load it adds)
/// is what rebuilding the route would give, on routes that already overload their van too;
/// windows and shifts stay hard.
#[test]
fn penalised_insertion_prices_the_overload_as_a_full_check() {
    let mut rng = Rng::new(11);
    let penalty = 7.5;
    let mut overloaded = 0;
    for _ in 0..400 {
        let (p, jobs, extra) = random_route(&mut rng);
        let ctx = Ctx::new(&p);
        let r = built(&ctx, jobs.clone());
        let m = jobs.len();
        // Routes whose times hold, whatever their load.
        if !r.on_schedule() {
            continue;
        }
        let weight = ctx.load_weight;
        let over = |route: &RouteState| -> i64 {
            let cap = ctx.capacity[0];
            (0..2)
                .map(|d| {
                    (route.load.iter().map(|l| l[d]).max().unwrap() - cap[d]).max(0) * weight[d]
                })
                .sum()
        };
        assert_eq!(r.excess, over(&r), "{jobs:?}");
        for k in 0..=m {
            let full = with_inserted(&ctx, &jobs, extra, k);
            assert_eq!(full.excess, over(&full));
            let times_hold = full.on_schedule();
            let price = r.insertion_penalised(&ctx, extra, k, i64::MAX, penalty);
            assert_eq!(price.is_some(), times_hold, "{jobs:?} + {extra} at {k}");
            if let Some(price) = price {
                let added = full.distance - r.distance;
                let expected = added + (penalty * (full.excess - r.excess) as f64) as i64;
                assert_eq!(price, expected, "{jobs:?} + {extra} at {k}");
                overloaded += usize::from(full.excess > 0);
            }
        }
    }
    assert!(overloaded > 50, "too few overloads drawn: {overloaded}");
}

#[test]
fn zero_time_limit_still_answers_quickly_and_feasibly() {
    let mut rng = Rng::new(11);
    let p = random_problem(&mut rng, 150, 12);
    let began = std::time::Instant::now();
    let s = solve_checked(&p, 0);
    assert!(began.elapsed() < Duration::from_secs(2));
    assert!(s.routes.iter().map(|r| r.jobs.len()).sum::<usize>() > 0);
}

#[test]
fn validate_rejects_malformed_problems() {
    let mut p = problem(
        &[(0, 0), (10, 0)],
        vec![van(10, 0, 100)],
        vec![job(JobKind::Delivery, 1, 0, vec![(50, 60), (10, 20)])],
    );
    p.distance.pop();
    p.vehicles.clear();
    let errors = validate(&p).unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn when_only_one_fits_the_cheaper_one_is_served() {
    // The shift allows one of the two jobs; serving the near one is shorter.
    let p = problem(
        &[(0, 0), (100, 0), (-400, 0)],
        vec![van(10, 0, 1000)],
        vec![
            job(JobKind::Delivery, 1, 500, vec![]),
            job(JobKind::Pickup, 1, 100, vec![]),
        ],
    );
    let s = solve_checked(&p, 20);
    assert_eq!(s.unassigned, vec![(1, Unassigned::ShiftTooShort)]);
    assert_eq!(s.distance, 200);
}

#[test]
fn a_job_left_out_names_the_limit_that_binds() {
    // Three deliveries of 4 into one van of 6: the van has time for all, room for one.
    let p = problem(
        &[(0, 0), (100, 0), (110, 0), (120, 0)],
        vec![van(6, 0, 100_000)],
        vec![
            job(JobKind::Delivery, 4, 60, vec![]),
            job(JobKind::Delivery, 4, 60, vec![]),
            job(JobKind::Delivery, 4, 60, vec![]),
        ],
    );
    let s = solve_checked(&p, 20);
    assert_eq!(s.unassigned.len(), 2);
    assert!(s
        .unassigned
        .iter()
        .all(|&(_, r)| r == Unassigned::NoCapacityLeft));
    // Light loads in a big van whose short shift holds two stops: the shift binds.
    let p = problem(
        &[(0, 0), (100, 0), (110, 0), (120, 0)],
        vec![van(1000, 0, 1000)],
        vec![
            job(JobKind::Delivery, 1, 300, vec![]),
            job(JobKind::Pickup, 1, 300, vec![]),
            job(JobKind::Delivery, 1, 300, vec![]),
        ],
    );
    let s = solve_checked(&p, 20);
    assert_eq!(s.unassigned.len(), 1);
    assert_eq!(s.unassigned[0].1, Unassigned::ShiftTooShort);
}

#[test]
fn regret_insertion_places_the_job_with_one_option_first() {
    // Job 0 is far: only van 0 (a long shift) reaches it. Job 1 is near: both vans can take
    // it, at the same cost, and a greedy insertion in the order [1, 0] puts it in van 0,
    // which then has no room left for job 0 (6 + 5 > 10). Regret insertion places job 0 first.
    let p = problem(
        &[(0, 0), (1_000, 0), (0, 100)],
        vec![van(10, 0, 100_000), van(10, 0, 500)],
        vec![
            job(JobKind::Delivery, 5, 0, vec![]),
            job(JobKind::Delivery, 6, 0, vec![]),
        ],
    );
    let ctx = Ctx::new(&p);
    let (routes, left_out) = super::search::regret_from_scratch(&ctx, &[1, 0]);
    assert!(left_out.is_empty(), "left out: {left_out:?}");
    assert_eq!(routes, vec![vec![0], vec![1]]);
}

#[test]
fn lanes_give_the_same_plan_on_one_thread_or_several() {
    use super::search::{lanes, run_on};
    // Small days are searched in several lanes; the best lane's plan must not depend on how
    // many threads ran them (with a limit far enough for every lane to end on its budget).
    assert!(lanes(60) >= 2);
    assert_eq!(lanes(500), 1);
    let mut rng = Rng::new(7);
    let p = random_problem(&mut rng, 40, 4);
    let ctx = Ctx::new(&p);
    let servable: Vec<usize> = (0..p.jobs.len())
        .filter(|&j| ctx.alone_reason(j).is_none())
        .collect();
    let plan = |threads| run_on(&ctx, &servable, &limits(600_000), 2_000_000, threads);
    let one = plan(1);
    assert_eq!(one, plan(2));
    assert_eq!(one, plan(8));
}
