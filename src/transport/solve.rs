//! Day routing for several vans (`POST /routes/solve`, and the day plans of `POST /tours/plan`):
//! the request is checked field by field, turned into the integer problem of [`super::vrp`]
//! (metres, seconds, litres, grams), solved off the async workers, and the solution turned back
//! into times of day a driver reads.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use super::distance::{Matrix, Metric};
use super::model::{
    Capacity, JobKind, SolveAnswer, SolveRequest, SolvedRoute, SolvedStop, UnassignedJob,
    UnassignedReason,
};
use super::service::round;
use super::vrp;
use crate::clock::{format_hhmm, parse_hhmm, HHMM_RULE};
use crate::error::{Error, Result, Validator};
use crate::territory::geo::LatLon;

/// Most jobs of one request (the solver's quality is measured up to 1,000, docs/routing.md).
pub const MAX_JOBS: usize = 1_000;
/// Most vans of one request.
pub const MAX_VEHICLES: usize = 100;
/// Most time windows of one job.
pub const MAX_WINDOWS: usize = 8;
/// Default solver time.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(2);
/// Longest solver time a request may ask (days of 500–1,000 jobs want 10 s or more).
pub const MAX_TIME_LIMIT_SECONDS: f64 = 30.0;
/// Default speed on great-circle distances (docs/api.md).
pub const DEFAULT_SPEED_KMH: f64 = 60.0;

/// A job as the solver and the answer see it (API values, checked).
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub id: String,
    pub kind: JobKind,
    pub position: LatLon,
    pub volume_m3: f64,
    pub weight_kg: f64,
    pub service_minutes: i64,
    /// Minutes after midnight; empty: any time.
    pub windows: Vec<(i32, i32)>,
}

/// A van as the solver and the answer see it.
#[derive(Debug, Clone)]
pub struct VehicleSpec {
    pub id: String,
    pub capacity: Capacity,
    /// Minutes after midnight.
    pub shift: (i32, i32),
}

/// Checks a `routes/solve` body, listing every faulty field; returns the checked specs.
pub fn check(req: &SolveRequest) -> Result<(LatLon, Vec<VehicleSpec>, Vec<JobSpec>)> {
    let mut v = Validator::new();
    let coordinates_ok = |lat: f64, lon: f64| {
        lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
    };
    v.check(
        coordinates_ok(req.depot.latitude, req.depot.longitude),
        "depot",
        "latitude must be within −90…90 and longitude within −180…180",
    );
    if req.vehicles.is_empty() || req.vehicles.len() > MAX_VEHICLES {
        v.add("vehicles", format!("1–{MAX_VEHICLES} vans"));
    }
    if req.jobs.is_empty() || req.jobs.len() > MAX_JOBS {
        v.add("jobs", format!("1–{MAX_JOBS} jobs"));
    }
    if let Some(speed) = req.speed_kmh {
        v.check(
            speed.is_finite() && (5.0..=130.0).contains(&speed),
            "speed_kmh",
            "must be within 5–130",
        );
    }
    if let Some(limit) = req.time_limit_seconds {
        v.check(
            limit.is_finite() && (0.1..=MAX_TIME_LIMIT_SECONDS).contains(&limit),
            "time_limit_seconds",
            "must be within 0.1–30",
        );
    }
    let id_ok = |id: &str| !id.trim().is_empty() && id.chars().count() <= 100;
    let mut seen = HashSet::new();
    let mut vehicles = Vec::with_capacity(req.vehicles.len());
    for (i, van) in req.vehicles.iter().enumerate() {
        let field = format!("vehicles[{i}]");
        if !id_ok(&van.id) {
            v.add(&format!("{field}.id"), "1–100 characters");
        } else if !seen.insert(van.id.as_str()) {
            v.add(&format!("{field}.id"), "duplicate vehicle id");
        }
        super::vans::check_capacity(&mut v, &format!("{field}.capacity"), &van.capacity);
        if let Some(shift) = super::vans::check_shift(&mut v, &format!("{field}.shift"), &van.shift)
        {
            vehicles.push(VehicleSpec {
                id: van.id.clone(),
                capacity: van.capacity.clone(),
                shift,
            });
        }
    }
    let mut seen = HashSet::new();
    let mut jobs = Vec::with_capacity(req.jobs.len());
    for (i, job) in req.jobs.iter().enumerate() {
        let field = format!("jobs[{i}]");
        if !id_ok(&job.id) {
            v.add(&format!("{field}.id"), "1–100 characters");
        } else if !seen.insert(job.id.as_str()) {
            v.add(&format!("{field}.id"), "duplicate job id");
        }
        if !coordinates_ok(job.latitude, job.longitude) {
            v.add(
                &format!("{field}.latitude"),
                "latitude must be within −90…90 and longitude within −180…180",
            );
        }
        for (name, amount) in [("volume_m3", job.volume_m3), ("weight_kg", job.weight_kg)] {
            v.check(
                amount.is_finite() && amount >= 0.0,
                &format!("{field}.{name}"),
                "must be 0 or more",
            );
        }
        let fits_a_van = req.vehicles.iter().any(|van| {
            job.volume_m3 <= van.capacity.volume_m3 && job.weight_kg <= van.capacity.weight_kg
        });
        if !fits_a_van && job.volume_m3.is_finite() && job.weight_kg.is_finite() {
            v.add(
                &format!("{field}.weight_kg"),
                "larger or heavier than every van (volume_m3 and weight_kg)",
            );
        }
        v.check(
            (0..=720).contains(&job.service_minutes),
            &format!("{field}.service_minutes"),
            "must be within 0–720",
        );
        if job.time_windows.len() > MAX_WINDOWS {
            v.add(
                &format!("{field}.time_windows"),
                format!("at most {MAX_WINDOWS} windows"),
            );
        }
        let mut windows = Vec::new();
        for (k, w) in job.time_windows.iter().enumerate() {
            let wf = format!("{field}.time_windows[{k}]");
            let start = parse_hhmm(&w.start);
            let end = parse_hhmm(&w.end);
            if start.is_none() {
                v.add(&format!("{wf}.start"), format!("must be {HHMM_RULE}"));
            }
            if end.is_none() {
                v.add(&format!("{wf}.end"), format!("must be {HHMM_RULE}"));
            }
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    v.add(&format!("{wf}.end"), "ends before it starts");
                } else {
                    windows.push((s, e));
                }
            }
        }
        jobs.push(JobSpec {
            id: job.id.clone(),
            kind: job.kind,
            position: LatLon {
                lat: job.latitude,
                lon: job.longitude,
            },
            volume_m3: job.volume_m3,
            weight_kg: job.weight_kg,
            service_minutes: job.service_minutes,
            windows: merge_windows(windows),
        });
    }
    v.finish()?;
    Ok((
        LatLon {
            lat: req.depot.latitude,
            lon: req.depot.longitude,
        },
        vehicles,
        jobs,
    ))
}

/// The speed durations come from: the caller's, else 60 km/h on great-circle distances (docs/api.md);
/// on the road, `None` keeps the road durations.
pub fn speed_kmh(metric: Metric, asked: Option<f64>) -> Option<f64> {
    match metric {
        Metric::Haversine => Some(asked.unwrap_or(DEFAULT_SPEED_KMH)),
        Metric::Road => asked,
    }
}

/// Sorted, overlapping windows merged (the solver wants them disjoint).
pub fn merge_windows(mut windows: Vec<(i32, i32)>) -> Vec<(i32, i32)> {
    windows.sort();
    let mut merged: Vec<(i32, i32)> = Vec::with_capacity(windows.len());
    for (s, e) in windows {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Demands and capacities in the solver's integer units (litres, grams). Demands round up
/// and capacities down, so that what fits in integers fits in reality.
fn demand(volume_m3: f64, weight_kg: f64) -> [i64; 2] {
    let up = |x: f64| (x * 1000.0 - 1e-6).ceil().max(0.0) as i64;
    [up(volume_m3), up(weight_kg)]
}

fn capacity(c: &Capacity) -> [i64; 2] {
    let down = |x: f64| (x * 1000.0 + 1e-6).floor() as i64;
    [down(c.volume_m3), down(c.weight_kg)]
}

/// The solver's problem: node 0 is the depot, job `i` is node `i + 1` of `matrix`. Durations
/// come from `speed_kmh` when given, else from the matrix (road durations).
pub fn problem(
    matrix: &Matrix,
    speed_kmh: Option<f64>,
    vehicles: &[VehicleSpec],
    jobs: &[JobSpec],
) -> vrp::Problem {
    let distance = matrix
        .km
        .iter()
        .map(|row| row.iter().map(|km| (km * 1000.0).round() as i64).collect())
        .collect();
    let duration = matrix
        .km
        .iter()
        .zip(&matrix.hours)
        .map(|(km_row, hours_row)| {
            km_row
                .iter()
                .zip(hours_row)
                .map(|(km, hours)| {
                    let h = speed_kmh.map_or(*hours, |s| km / s);
                    (h * 3600.0).round() as i64
                })
                .collect()
        })
        .collect();
    vrp::Problem {
        vehicles: vehicles
            .iter()
            .map(|v| vrp::Vehicle {
                capacity: capacity(&v.capacity),
                shift_start: i64::from(v.shift.0) * 60,
                shift_end: i64::from(v.shift.1) * 60,
            })
            .collect(),
        jobs: jobs
            .iter()
            .map(|j| vrp::Job {
                kind: match j.kind {
                    JobKind::Delivery => vrp::JobKind::Delivery,
                    JobKind::Pickup => vrp::JobKind::Pickup,
                },
                demand: demand(j.volume_m3, j.weight_kg),
                service: j.service_minutes * 60,
                windows: if j.windows.is_empty() {
                    vec![(0, i64::from(crate::clock::DAY_MINUTES) * 60)]
                } else {
                    j.windows
                        .iter()
                        .map(|&(s, e)| (i64::from(s) * 60, i64::from(e) * 60))
                        .collect()
                },
            })
            .collect(),
        distance,
        duration,
    }
}

/// Solves on the blocking pool (CPU work never runs on the async workers), at most one solve
/// per core at a time; others queue, and a queue longer than the time limit allows gets 503.
pub async fn run(problem: vrp::Problem, time_limit: Duration) -> Result<vrp::Solution> {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    });
    let wait = time_limit * 4 + Duration::from_secs(5);
    let _slot = match actix_web::rt::time::timeout(wait, slots.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            return Err(Error::Unavailable(
                "every solver is busy; retry shortly".into(),
            ))
        }
    };
    actix_web::web::block(move || vrp::solve(&problem, &vrp::Limits { time_limit }))
        .await
        .map_err(|e| Error::Internal(format!("route solver failed: {e}")))
}

/// Seconds after midnight as "HH:MM", rounded down (a service start inside a window stays
/// inside it) or up (a return before the end of a shift stays before it).
fn clock_floor(seconds: i64) -> String {
    format_hhmm((seconds.div_euclid(60)) as i32)
}

fn clock_ceil(seconds: i64) -> String {
    format_hhmm(((seconds + 59).div_euclid(60)) as i32)
}

/// The reason of the answer for the solver's.
pub fn reason(r: vrp::Unassigned) -> UnassignedReason {
    match r {
        vrp::Unassigned::TooLarge => UnassignedReason::TooLargeForAnyVan,
        vrp::Unassigned::WindowUnreachable => UnassignedReason::WindowUnreachable,
        vrp::Unassigned::NoCapacityLeft => UnassignedReason::NoCapacityLeft,
        vrp::Unassigned::ShiftTooShort => UnassignedReason::ShiftTooShort,
    }
}

/// The routes of a solution as a driver reads them.
pub fn routes(
    matrix: &Matrix,
    vehicles: &[VehicleSpec],
    jobs: &[JobSpec],
    solution: &vrp::Solution,
) -> Vec<SolvedRoute> {
    solution
        .routes
        .iter()
        .filter(|r| !r.jobs.is_empty())
        .map(|r| {
            let mut volume: f64 = r
                .jobs
                .iter()
                .filter(|&&j| jobs[j].kind == JobKind::Delivery)
                .map(|&j| jobs[j].volume_m3)
                .sum();
            let mut weight: f64 = r
                .jobs
                .iter()
                .filter(|&&j| jobs[j].kind == JobKind::Delivery)
                .map(|&j| jobs[j].weight_kg)
                .sum();
            let mut km = 0.0;
            let mut at = 0;
            let mut stops = Vec::with_capacity(r.jobs.len());
            for (k, &j) in r.jobs.iter().enumerate() {
                km += matrix.km[at][j + 1];
                at = j + 1;
                let job = &jobs[j];
                match job.kind {
                    JobKind::Delivery => {
                        volume -= job.volume_m3;
                        weight -= job.weight_kg;
                    }
                    JobKind::Pickup => {
                        volume += job.volume_m3;
                        weight += job.weight_kg;
                    }
                }
                stops.push(SolvedStop {
                    job_id: job.id.clone(),
                    arrival: clock_floor(r.arrivals[k]),
                    service_start: clock_floor(r.service_starts[k]),
                    departure: clock_floor(r.departures[k]),
                    load: Capacity {
                        volume_m3: round(volume.max(0.0), 3),
                        weight_kg: round(weight.max(0.0), 3),
                    },
                });
            }
            km += matrix.km[at][0];
            SolvedRoute {
                vehicle_id: vehicles[r.vehicle].id.clone(),
                start: clock_floor(r.depot_departure),
                end: clock_ceil(r.depot_return),
                stops,
                km: round(km, 3),
                duration_minutes: (r.depot_return - r.depot_departure + 59).div_euclid(60),
            }
        })
        .collect()
}

/// The whole answer of `routes/solve`.
pub fn answer(
    matrix: &Matrix,
    vehicles: &[VehicleSpec],
    jobs: &[JobSpec],
    solution: &vrp::Solution,
) -> SolveAnswer {
    let routes = routes(matrix, vehicles, jobs, solution);
    SolveAnswer {
        total_km: round(routes.iter().map(|r| r.km).sum(), 3),
        routes,
        unassigned: solution
            .unassigned
            .iter()
            .map(|&(j, r)| UnassignedJob {
                job_id: jobs[j].id.clone(),
                reason: reason(r),
            })
            .collect(),
        source: matrix.source,
    }
}
