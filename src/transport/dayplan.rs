//! Day plans a driver can drive (`POST /tours/plan`): the copies leaving a producer's depot on a
//! day and the loans due back that day, shared among the depot's vans within the venues'
//! opening hours, with the time each stop takes. The plan is kept as answered, so that the
//! printed sheet (`Accept: text/html`) and the driver's calendar (`tour.ics`) stay what was
//! planned even when bookings move afterwards.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::distance::{DistanceProvider, Metric};
use super::model::{
    Capacity, DayPlan, JobKind, PlanRequest, PlanStop, PlanUnassigned, PlanVehicle, Shift,
    StopMove, TimeWindow, Trip, UnassignedReason, Van,
};
use super::service::{position, round, Costs};
use super::solve::{self, JobSpec, VehicleSpec};
use super::store::{self, Move};
use super::vans;
use super::vrp;
use crate::access::Principal;
use crate::booking::chaining;
use crate::booking::chaining::Place;
use crate::booking::BookingStatus;
use crate::clock::{format_hhmm, parse_hhmm};
use crate::config::Config;
use crate::db::{write_transaction, DbConnection};
use crate::error::{Code, Error, Result, Validator};
use crate::organization::{hours, OrgKind};

/// Time at a stop, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Handling {
    pub stop_minutes: i64,
    pub per_crate_minutes: i64,
    pub setup_help_minutes: i64,
}

impl Handling {
    pub fn from_config(c: &Config) -> Handling {
        Handling {
            stop_minutes: c.tour_stop_minutes,
            per_crate_minutes: c.tour_minutes_per_crate,
            setup_help_minutes: c.tour_setup_help_minutes,
        }
    }

    /// Minutes at a stop: the fixed part, each crate, and set-up help for deliveries of
    /// resources that need setting up.
    pub fn minutes(&self, kind: JobKind, m: &Move) -> i64 {
        let help = if kind == JobKind::Delivery && m.setup_days > 0 {
            self.setup_help_minutes
        } else {
            0
        };
        self.stop_minutes + self.per_crate_minutes * i64::from(m.crates) + help
    }
}

/// A van of the day: registered, or one of the `vehicle` size.
#[derive(Debug, Clone)]
pub struct PlanVan {
    pub id: Option<i64>,
    pub spec: VehicleSpec,
}

/// What a day's plan is made from.
#[derive(Debug, Clone)]
pub struct Gathered {
    pub date: NaiveDate,
    pub depot: Place,
    pub vans: Vec<PlanVan>,
    /// Stops the vans may make, with their windows in minutes (empty: hours unknown).
    pub stops: Vec<(PlanStop, Vec<(i32, i32)>)>,
    /// Stops at venues closed that day.
    pub closed: Vec<PlanStop>,
}

/// The van shift of plans made with `vehicle` instead of registered vans.
const DEFAULT_SHIFT: (i32, i32) = (8 * 60, 18 * 60);

/// Reads the day: the depot, its vans, the deliveries and the returns due, each with the
/// venue's opening hours that day (the caller: the producer itself or the agency).
pub fn gather(
    conn: &mut DbConnection,
    p: &Principal,
    costs: &Costs,
    handling: &Handling,
    req: &PlanRequest,
) -> Result<Gathered> {
    let mut v = Validator::new();
    if let Some(vehicle) = &req.vehicle {
        let cap_ok = |x: f64| x.is_finite() && x > 0.0;
        v.check(
            cap_ok(vehicle.capacity_volume_m3),
            "vehicle.capacity_volume_m3",
            "must be more than 0",
        );
        v.check(
            cap_ok(vehicle.capacity_weight_kg),
            "vehicle.capacity_weight_kg",
            "must be more than 0",
        );
    }
    let depot = store::place_of(conn, req.depot_organization_id)?;
    match &depot {
        Some((_, kind)) if kind == OrgKind::Producer.as_str() => {}
        _ => v.add("depot_organization_id", "not a producer of the network"),
    }
    v.finish()?;
    crate::access::policy::plan_tours(p, req.depot_organization_id)?;
    let (depot, _) = depot.ok_or_else(|| Error::Internal("validated depot missing".into()))?;
    let vans = day_vans(conn, req)?;
    let mut moves: Vec<(JobKind, Move)> = Vec::new();
    let departures = store::departures(conn, req.depot_organization_id, req.date)?;
    let returns = store::returns_due(conn, req.depot_organization_id, req.date)?;
    let copy_ids: Vec<i64> = departures
        .iter()
        .chain(&returns)
        .map(|m| m.stay.copy_id)
        .collect();
    let gap = costs.chain_gap_days;
    let stays = crate::booking::store::stays_of(
        conn,
        &copy_ids,
        BookingStatus::MOVING,
        req.date - Duration::days(gap + 400),
        req.date + Duration::days(400),
    )?;
    // A copy chained from (or on to) another venue travels venue to venue, not through the
    // depot: not a job of the depot's vans.
    for m in departures {
        if chaining::chained_before(&stays, m.stay.copy_id, m.stay.starts_on, gap).is_none() {
            moves.push((JobKind::Delivery, m));
        }
    }
    for m in returns {
        let onward = stays.iter().any(|s| {
            s.copy_id == m.stay.copy_id
                && s.booking_id != m.stay.booking_id
                && chaining::chains(m.stay.ends_on, s.starts_on, gap)
        });
        if !onward {
            moves.push((JobKind::Pickup, m));
        }
    }
    let mut timetables: HashMap<i64, hours::Calendar> = HashMap::new();
    let mut stops = Vec::new();
    let mut closed = Vec::new();
    for (kind, m) in moves {
        let venue_id = m.stay.venue.organization_id.unwrap_or_default();
        if let std::collections::hash_map::Entry::Vacant(slot) = timetables.entry(venue_id) {
            slot.insert(hours::calendar(conn, venue_id)?);
        }
        let spans = timetables.get(&venue_id).and_then(|t| t.spans_on(req.date));
        let stop = PlanStop {
            booking_id: m.stay.booking_id,
            kind,
            copy_id: m.stay.copy_id,
            asset_tag: m.asset_tag.clone(),
            resource_title: m.resource_title.clone(),
            venue_id,
            venue_name: m.stay.venue.name.clone(),
            commune_insee: m.stay.venue.commune_insee.clone(),
            latitude: m.stay.venue.latitude,
            longitude: m.stay.venue.longitude,
            volume_m3: m.volume_m3,
            weight_kg: m.weight_kg,
            crates: m.crates,
            service_minutes: handling.minutes(kind, &m),
            opening: spans
                .iter()
                .flatten()
                .map(|&(s, e)| TimeWindow {
                    start: format_hhmm(s),
                    end: format_hhmm(e),
                })
                .collect(),
            arrival: None,
            service_start: None,
            departure: None,
        };
        match spans {
            Some(spans) if spans.is_empty() => closed.push(stop),
            Some(spans) => stops.push((stop, spans)),
            None => stops.push((stop, Vec::new())),
        }
    }
    Ok(Gathered {
        date: req.date,
        depot,
        vans,
        stops,
        closed,
    })
}

/// The vans of the day: those named, else the depot's active ones, else `vehicle`'s size.
fn day_vans(conn: &mut DbConnection, req: &PlanRequest) -> Result<Vec<PlanVan>> {
    let registered = vans::active_at(conn, req.depot_organization_id)?;
    let mut v = Validator::new();
    let chosen: Vec<Van> = match &req.van_ids {
        Some(ids) => {
            if ids.is_empty() || ids.len() > solve::MAX_VEHICLES {
                v.add("van_ids", format!("1–{} vans", solve::MAX_VEHICLES));
            }
            let mut chosen = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                match registered.iter().find(|van| van.id == *id) {
                    Some(van) if !chosen.iter().any(|c: &Van| c.id == van.id) => {
                        chosen.push(van.clone())
                    }
                    Some(_) => v.add(&format!("van_ids[{i}]"), "listed twice"),
                    None => v.add(&format!("van_ids[{i}]"), "not an active van of this depot"),
                }
            }
            chosen
        }
        None => registered,
    };
    if chosen.is_empty() && req.vehicle.is_none() && req.van_ids.is_none() {
        v.add(
            "van_ids",
            "no active van leaves from this depot: register one (POST /api/v1/vans) or give \
             `vehicle`",
        );
    }
    v.finish()?;
    if !chosen.is_empty() {
        return Ok(chosen
            .into_iter()
            .map(|van| PlanVan {
                id: Some(van.id),
                spec: VehicleSpec {
                    shift: van.shift_minutes(),
                    id: van.name,
                    capacity: van.capacity,
                },
            })
            .collect());
    }
    let vehicle = req
        .vehicle
        .as_ref()
        .ok_or_else(|| Error::Internal("validated vehicle missing".into()))?;
    Ok((0..solve::MAX_VEHICLES)
        .map(|n| PlanVan {
            id: None,
            spec: VehicleSpec {
                id: format!("Van {}", n + 1),
                capacity: Capacity {
                    volume_m3: vehicle.capacity_volume_m3,
                    weight_kg: vehicle.capacity_weight_kg,
                },
                shift: DEFAULT_SHIFT,
            },
        })
        .collect())
}

/// Plans the day: routes for the vans on road distances, fewest moves left out, then least km.
pub async fn plan(
    provider: &DistanceProvider,
    day: Gathered,
    time_limit: std::time::Duration,
    now: NaiveDateTime,
) -> Result<DayPlan> {
    let Gathered {
        date,
        depot,
        mut vans,
        stops,
        closed,
    } = day;
    // The vans of `vehicle` are as many as needed: one per stop at most.
    if vans.first().is_some_and(|v| v.id.is_none()) {
        vans.truncate(stops.len().clamp(1, solve::MAX_VEHICLES));
    }
    let mut unassigned: Vec<PlanUnassigned> = closed
        .iter()
        .map(|s| PlanUnassigned {
            booking_id: s.booking_id,
            kind: s.kind,
            venue_id: s.venue_id,
            venue_name: s.venue_name.clone(),
            asset_tag: s.asset_tag.clone(),
            reason: UnassignedReason::ClosedThatDay,
            stop: None,
        })
        .collect();
    let mut trips = Vec::new();
    let mut source = super::distance::DistanceSource::RoadEstimate;
    if !stops.is_empty() {
        let jobs: Vec<JobSpec> = stops
            .iter()
            .enumerate()
            .map(|(i, (s, windows))| job_spec(i, s, windows.clone()))
            .collect();
        let specs: Vec<VehicleSpec> = vans.iter().map(|v| v.spec.clone()).collect();
        let matrix = day_matrix(provider, &depot, &jobs).await;
        source = matrix.source;
        let problem = solve::problem(&matrix, None, &specs, &jobs);
        vrp::validate(&problem)
            .map_err(|e| Error::Internal(format!("day plan problem: {}", e.join("; "))))?;
        let solution = solve::run(problem, time_limit).await?;
        let planned: Vec<PlanStop> = stops.iter().map(|(s, _)| s.clone()).collect();
        trips = trips_of(&matrix, &vans, &specs, &jobs, &planned, &solution);
        unassigned.extend(solution.unassigned.iter().map(|&(j, r)| {
            let s = &stops[j].0;
            PlanUnassigned {
                booking_id: s.booking_id,
                kind: s.kind,
                venue_id: s.venue_id,
                venue_name: s.venue_name.clone(),
                asset_tag: s.asset_tag.clone(),
                reason: solve::reason(r),
                stop: Some(s.clone()),
            }
        }));
    }
    unassigned.sort_by_key(|u| (u.booking_id, u.kind));
    let mut unplaced: Vec<i64> = unassigned.iter().map(|u| u.booking_id).collect();
    unplaced.dedup();
    Ok(DayPlan {
        id: 0,
        date,
        total_km: round(trips.iter().map(|t| t.km).sum(), 1),
        total_driving_hours: round(trips.iter().map(|t| t.driving_hours).sum(), 2),
        trips,
        unplaced_booking_ids: unplaced,
        unassigned,
        depot,
        source,
        created_at: now,
        vans: vans
            .iter()
            .enumerate()
            .map(|(i, v)| PlanVehicle {
                number: i as i64 + 1,
                van_id: v.id,
                name: v.spec.id.clone(),
                capacity: v.spec.capacity.clone(),
                shift: Shift {
                    start: format_hhmm(v.spec.shift.0),
                    end: format_hhmm(v.spec.shift.1),
                },
            })
            .collect(),
    })
}

/// A stop as the solver sees it: job `i`, served within `windows` (minutes; empty: any time).
fn job_spec(i: usize, s: &PlanStop, windows: Vec<(i32, i32)>) -> JobSpec {
    JobSpec {
        id: i.to_string(),
        kind: s.kind,
        position: crate::territory::geo::LatLon {
            lat: s.latitude,
            lon: s.longitude,
        },
        volume_m3: s.volume_m3,
        weight_kg: s.weight_kg,
        service_minutes: s.service_minutes,
        windows,
    }
}

/// Road distances and times between the depot (node 0) and the jobs.
async fn day_matrix(
    provider: &DistanceProvider,
    depot: &Place,
    jobs: &[JobSpec],
) -> super::distance::Matrix {
    let mut points = vec![position(depot)];
    points.extend(jobs.iter().map(|j| j.position));
    provider.matrix(&points, Metric::Road).await
}

/// The vans' trips of a solution, numbered in van order, each stop with its times.
fn trips_of(
    matrix: &super::distance::Matrix,
    vans: &[PlanVan],
    specs: &[VehicleSpec],
    jobs: &[JobSpec],
    stops: &[PlanStop],
    solution: &vrp::Solution,
) -> Vec<Trip> {
    let mut trips = Vec::new();
    for (number, route) in solve::routes(matrix, specs, jobs, solution)
        .into_iter()
        .zip(solution.routes.iter().filter(|r| !r.jobs.is_empty()))
        .enumerate()
    {
        let (solved, raw) = route;
        let van = &vans[raw.vehicle];
        let mut planned = Vec::with_capacity(raw.jobs.len());
        let mut hours = 0.0;
        let mut at = 0;
        for (&j, times) in raw.jobs.iter().zip(&solved.stops) {
            hours += matrix.hours[at][j + 1];
            at = j + 1;
            let mut stop = stops[j].clone();
            stop.arrival = Some(times.arrival.clone());
            stop.service_start = Some(times.service_start.clone());
            stop.departure = Some(times.departure.clone());
            planned.push(stop);
        }
        hours += matrix.hours[at][0];
        let total = |kind: JobKind, f: fn(&PlanStop) -> f64| {
            round(planned.iter().filter(|s| s.kind == kind).map(f).sum(), 2)
        };
        trips.push(Trip {
            number: number as i64 + 1,
            van_number: raw.vehicle as i64 + 1,
            van_id: van.id,
            van_name: van.spec.id.clone(),
            start: solved.start.clone(),
            end: solved.end.clone(),
            km: round(solved.km, 1),
            driving_hours: round(hours, 2),
            volume_m3: total(JobKind::Delivery, |s| s.volume_m3),
            weight_kg: total(JobKind::Delivery, |s| s.weight_kg),
            collected_volume_m3: total(JobKind::Pickup, |s| s.volume_m3),
            collected_weight_kg: total(JobKind::Pickup, |s| s.weight_kg),
            stops: planned,
        });
    }
    trips
}

/// Why a stop cannot move where it was asked, in the problem's `reason` member.
pub fn breach_code(b: vrp::Breach) -> &'static str {
    match b {
        vrp::Breach::Capacity => "over_capacity",
        vrp::Breach::Window => "outside_opening_hours",
        vrp::Breach::ShiftEnd => "after_shift_end",
    }
}

/// Moves one stop of a plan to another van and/or place in its round: every round is timed
/// again, and checked with the solver's own rules (capacity at every point, opening hours,
/// the van back by the end of its shift, `vrp::fixed_route`). A move that breaks one is
/// refused (`move_infeasible`, with the rule in `reason`) and the plan stays as it was; the
/// caller keeps the answer with [`replace`]. A stop the solver left out is placed the same way
/// (it leaves the list of moves left out); one left out because the venue is closed that day
/// cannot be placed.
pub async fn move_stop(
    provider: &DistanceProvider,
    mut plan: DayPlan,
    mv: &StopMove,
) -> Result<DayPlan> {
    let mut v = Validator::new();
    if plan.vans.is_empty() {
        v.add(
            "van_number",
            "this plan was kept before stops could be moved: plan the day again",
        );
    }
    let van = usize::try_from(mv.van_number - 1)
        .ok()
        .filter(|&i| i < plan.vans.len());
    if van.is_none() && !plan.vans.is_empty() {
        v.add(
            "van_number",
            format!("not a van of this plan (1–{})", plan.vans.len()),
        );
    }
    // The rounds by van, then the stop taken out of its own.
    let mut rounds: Vec<Vec<PlanStop>> = vec![Vec::new(); plan.vans.len()];
    for t in &plan.trips {
        if let Some(r) = usize::try_from(t.van_number - 1)
            .ok()
            .and_then(|i| rounds.get_mut(i))
        {
            r.extend(t.stops.iter().cloned());
        }
    }
    let mut moved = None;
    for r in rounds.iter_mut() {
        if let Some(k) = r
            .iter()
            .position(|s| s.booking_id == mv.booking_id && s.kind == mv.kind)
        {
            moved = Some(r.remove(k));
        }
    }
    let mut placed_by_hand = false;
    if moved.is_none() {
        let left_out = plan
            .unassigned
            .iter()
            .position(|u| u.booking_id == mv.booking_id && u.kind == mv.kind);
        match left_out.map(|k| (k, plan.unassigned[k].stop.clone())) {
            Some((k, Some(stop))) => {
                plan.unassigned.remove(k);
                moved = Some(stop);
                placed_by_hand = true;
            }
            Some((_, None)) => v.add(
                "booking_id",
                "left out because the venue is closed that day: it cannot be placed",
            ),
            None => v.add("booking_id", "not a stop of this plan (booking and kind)"),
        }
    }
    if let Some(van) = van {
        let room = rounds[van].len() as i64 + 1;
        v.check(
            (1..=room).contains(&mv.position),
            "position",
            &format!("must be within 1–{room} in this van's round"),
        );
    }
    v.finish()?;
    let (Some(van), Some(stop)) = (van, moved) else {
        return Err(Error::Internal("validated move incomplete".into()));
    };
    rounds[van].insert((mv.position - 1) as usize, stop);
    // One problem for the day: job `i` is the `i`th stop, round after round.
    let stops: Vec<PlanStop> = rounds.iter().flatten().cloned().collect();
    let jobs: Vec<JobSpec> = stops
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let windows = s
                .opening
                .iter()
                .filter_map(|w| Some((parse_hhmm(&w.start)?, parse_hhmm(&w.end)?)))
                .collect();
            job_spec(i, s, solve::merge_windows(windows))
        })
        .collect();
    let vans: Vec<PlanVan> = plan
        .vans
        .iter()
        .map(|pv| {
            let shift = (
                parse_hhmm(&pv.shift.start).unwrap_or(DEFAULT_SHIFT.0),
                parse_hhmm(&pv.shift.end).unwrap_or(DEFAULT_SHIFT.1),
            );
            PlanVan {
                id: pv.van_id,
                spec: VehicleSpec {
                    id: pv.name.clone(),
                    capacity: pv.capacity.clone(),
                    shift,
                },
            }
        })
        .collect();
    let specs: Vec<VehicleSpec> = vans.iter().map(|v| v.spec.clone()).collect();
    let matrix = day_matrix(provider, &plan.depot, &jobs).await;
    let problem = solve::problem(&matrix, None, &specs, &jobs);
    vrp::validate(&problem)
        .map_err(|e| Error::Internal(format!("moved plan problem: {}", e.join("; "))))?;
    let mut routes = Vec::new();
    let mut first = 0;
    for (k, round) in rounds.iter().enumerate() {
        let ids: Vec<usize> = (first..first + round.len()).collect();
        first += round.len();
        if ids.is_empty() {
            continue;
        }
        let route = vrp::fixed_route(&problem, k, &ids).map_err(|b| Error::Conflict {
            code: Code::MoveInfeasible,
            detail: format!(
                "the round of {} would break a rule: {}",
                plan.vans[k].name,
                match b {
                    vrp::Breach::Capacity => "more on board than the van carries",
                    vrp::Breach::Window => "a stop reached after the venue closes",
                    vrp::Breach::ShiftEnd => "back at the depot after the end of the shift",
                }
            ),
            extra: Some(serde_json::json!({
                "reason": breach_code(b),
                "van_number": k + 1,
            })),
        })?;
        routes.push(route);
    }
    let solution = vrp::Solution {
        distance: routes.iter().map(|r| r.distance).sum(),
        routes,
        unassigned: Vec::new(),
    };
    let trips = trips_of(&matrix, &vans, &specs, &jobs, &stops, &solution);
    if placed_by_hand {
        let mut unplaced: Vec<i64> = plan.unassigned.iter().map(|u| u.booking_id).collect();
        unplaced.dedup();
        plan.unplaced_booking_ids = unplaced;
    }
    Ok(DayPlan {
        total_km: round(trips.iter().map(|t| t.km).sum(), 1),
        total_driving_hours: round(trips.iter().map(|t| t.driving_hours).sum(), 2),
        trips,
        source: matrix.source,
        ..plan
    })
}

/// Keeps a changed plan in place of the one it was read from (the agency and the depot's
/// producer, as [`read`]).
pub fn replace(conn: &mut DbConnection, p: &Principal, plan: &DayPlan) -> Result<()> {
    let depot = plan.depot.organization_id.unwrap_or_default();
    crate::access::policy::plan_tours(p, depot)?;
    let body = serde_json::to_string(plan)
        .map_err(|e| Error::Internal(format!("day plan not serialisable: {e}")))?;
    store::set_tour_plan_body(conn, plan.id, &body)?;
    Ok(())
}

/// The plans kept for a depot's day, newest first: their ids and when they were made.
pub fn kept(
    conn: &mut DbConnection,
    p: &Principal,
    depot: i64,
    date: NaiveDate,
) -> Result<Vec<(i64, NaiveDateTime)>> {
    crate::access::policy::plan_tours(p, depot)?;
    Ok(store::tour_plans_of(conn, depot, date)?)
}

/// Keeps a plan; it gets its id.
pub fn keep(conn: &mut DbConnection, p: &Principal, mut plan: DayPlan) -> Result<DayPlan> {
    let depot = plan.depot.organization_id.unwrap_or_default();
    write_transaction(conn, |conn| {
        plan.id =
            store::insert_tour_plan(conn, depot, plan.date, p.organization_id, plan.created_at)?;
        let body = serde_json::to_string(&plan)
            .map_err(|e| Error::Internal(format!("day plan not serialisable: {e}")))?;
        store::set_tour_plan_body(conn, plan.id, &body)?;
        Ok::<_, Error>(())
    })?;
    Ok(plan)
}

/// A kept plan, for the agency and the depot's producer (404 for others).
pub fn read(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<DayPlan> {
    let (depot, body) = store::find_tour_plan(conn, id)?
        .filter(|(depot, _)| crate::access::policy::acts_for(p, *depot))
        .ok_or_else(|| Error::NotFound(format!("tour plan {id}")))?;
    serde_json::from_str(&body)
        .map_err(|e| Error::Internal(format!("tour plan {id} of depot {depot} unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kept plan of one idle van (12 m³, 08:00–18:00) from Amiens, with two moves left out:
    /// one by the solver (its stop kept), one because the venue is closed that day.
    fn plan_with_moves_left_out() -> DayPlan {
        let stop = |booking: i64| {
            serde_json::json!({
                "booking_id": booking, "kind": "delivery", "copy_id": booking, "asset_tag": format!("K-{booking}"),
                "resource_title": "Malle", "venue_id": 7, "venue_name": "Médiathèque de Conty",
                "commune_insee": "80211", "latitude": 49.74, "longitude": 2.15, "volume_m3": 1.0,
                "weight_kg": 40.0, "crates": 1, "service_minutes": 20,
                "opening": [{"start": "09:00", "end": "17:00"}],
                "arrival": null, "service_start": null, "departure": null
            })
        };
        let left_out = |booking: i64, reason: &str, kept: bool| {
            serde_json::json!({
                "booking_id": booking, "kind": "delivery", "venue_id": 7,
                "venue_name": "Médiathèque de Conty", "asset_tag": format!("K-{booking}"),
                "reason": reason, "stop": if kept { stop(booking) } else { serde_json::Value::Null }
            })
        };
        serde_json::from_value(serde_json::json!({
            "id": 1, "date": "2027-03-02",
            "depot": {"kind": "depot", "organization_id": 2, "name": "Dépôt d'Amiens",
                      "commune_insee": "80021", "latitude": 49.89, "longitude": 2.30},
            "trips": [], "total_km": 0.0, "total_driving_hours": 0.0,
            "unplaced_booking_ids": [41, 42],
            "unassigned": [left_out(41, "no_capacity_left", true), left_out(42, "closed_that_day", false)],
            "source": "road_estimate", "created_at": "2027-03-01T10:00:00Z",
            "vans": [{"number": 1, "van_id": 3, "name": "Master",
                      "capacity": {"volume_m3": 12.0, "weight_kg": 1200.0},
                      "shift": {"start": "08:00", "end": "18:00"}}]
        }))
        .expect("a plan")
    }

    fn provider() -> DistanceProvider {
        DistanceProvider::new(1.3, 60.0, "", std::time::Duration::from_secs(1))
    }

    #[actix_web::test]
    async fn a_move_the_solver_left_out_is_placed_by_hand() {
        let mv = StopMove {
            booking_id: 41,
            kind: JobKind::Delivery,
            van_number: 1,
            position: 1,
        };
        let placed = move_stop(&provider(), plan_with_moves_left_out(), &mv)
            .await
            .expect("placed");
        assert_eq!(placed.trips.len(), 1);
        assert_eq!(placed.trips[0].stops[0].booking_id, 41);
        assert!(placed.trips[0].stops[0].arrival.is_some(), "timed");
        assert!(placed.total_km > 0.0);
        let still: Vec<i64> = placed.unassigned.iter().map(|u| u.booking_id).collect();
        assert_eq!(still, vec![42]);
        assert_eq!(placed.unplaced_booking_ids, vec![42]);
    }

    #[actix_web::test]
    async fn a_move_left_out_for_a_closed_day_cannot_be_placed() {
        let mv = StopMove {
            booking_id: 42,
            kind: JobKind::Delivery,
            van_number: 1,
            position: 1,
        };
        let refused = move_stop(&provider(), plan_with_moves_left_out(), &mv).await;
        match refused {
            Err(Error::Validation(fields)) => assert_eq!(fields[0].field, "booking_id"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
