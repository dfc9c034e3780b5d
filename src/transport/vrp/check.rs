//! Straightforward feasibility checker, independent of the search's caches: simulates each
//! route stop by stop. Used by the tests; cheap enough to assert on answers in debug builds.

use super::{JobKind, Problem, Solution};

/// Checks `solution` against every rule of `problem` (each job once, loads, windows,
/// shifts, reported times and distances); returns the first violation found.
pub fn check_solution(problem: &Problem, solution: &Solution) -> Result<(), String> {
    let n = problem.jobs.len();
    let mut seen = vec![false; n];
    let mut total = 0;
    let mut used = vec![false; problem.vehicles.len()];
    for (ri, r) in solution.routes.iter().enumerate() {
        let v = problem
            .vehicles
            .get(r.vehicle)
            .ok_or(format!("route {ri}: no vehicle {}", r.vehicle))?;
        if std::mem::replace(&mut used[r.vehicle], true) {
            return Err(format!("vehicle {} has two routes", r.vehicle));
        }
        let m = r.jobs.len();
        if r.arrivals.len() != m || r.service_starts.len() != m || r.departures.len() != m {
            return Err(format!(
                "route {ri}: timetable lengths differ from its jobs"
            ));
        }
        let mut load = [0i64; 2];
        for &j in &r.jobs {
            if j >= n {
                return Err(format!("route {ri}: no job {j}"));
            }
            if std::mem::replace(&mut seen[j], true) {
                return Err(format!("job {j} served twice"));
            }
            if problem.jobs[j].kind == JobKind::Delivery {
                for (l, d) in load.iter_mut().zip(problem.jobs[j].demand) {
                    *l += d;
                }
            }
        }
        let over = |load: &[i64; 2]| (0..2).any(|k| load[k] > v.capacity[k]);
        if over(&load) {
            return Err(format!(
                "route {ri}: deliveries exceed capacity at departure"
            ));
        }
        if r.depot_departure < v.shift_start {
            return Err(format!("route {ri}: leaves before shift start"));
        }
        let mut time = r.depot_departure;
        let mut prev = 0;
        let mut dist = 0;
        for (i, &j) in r.jobs.iter().enumerate() {
            let job = &problem.jobs[j];
            let node = j + 1;
            let arrival = time + problem.duration[prev][node];
            dist += problem.distance[prev][node];
            if r.arrivals[i] != arrival {
                return Err(format!(
                    "route {ri} stop {i}: arrival {} != {arrival}",
                    r.arrivals[i]
                ));
            }
            let s = r.service_starts[i];
            if s < arrival {
                return Err(format!("route {ri} stop {i}: service before arrival"));
            }
            if !job.windows.is_empty() && !job.windows.iter().any(|&(a, b)| a <= s && s <= b) {
                return Err(format!(
                    "route {ri} stop {i}: job {j} served outside its windows"
                ));
            }
            if r.departures[i] != s + job.service {
                return Err(format!("route {ri} stop {i}: departure != start + service"));
            }
            let sign = if job.kind == JobKind::Delivery { -1 } else { 1 };
            for (l, d) in load.iter_mut().zip(job.demand) {
                *l += sign * d;
            }
            if over(&load) {
                return Err(format!("route {ri} stop {i}: load above capacity"));
            }
            time = r.departures[i];
            prev = node;
        }
        let back = time + problem.duration[prev][0];
        dist += problem.distance[prev][0];
        if back != r.depot_return || back > v.shift_end {
            return Err(format!(
                "route {ri}: return {back} wrong or after shift end"
            ));
        }
        if dist != r.distance || r.duration != r.depot_return - r.depot_departure {
            return Err(format!("route {ri}: distance or duration misreported"));
        }
        total += dist;
    }
    if total != solution.distance {
        return Err(format!("total distance {} != {total}", solution.distance));
    }
    for &(j, _) in &solution.unassigned {
        if j >= n || std::mem::replace(&mut seen[j], true) {
            return Err(format!("unassigned job {j} unknown or also served"));
        }
    }
    if let Some(j) = seen.iter().position(|&s| !s) {
        return Err(format!("job {j} neither served nor unassigned"));
    }
    Ok(())
}
