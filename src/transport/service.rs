//! Transport rules: the legs of a loan, chaining (a copy going straight on to its next venue),
//! the km and CO2 it saves, optimised tours and day plans that fit the van.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};

use super::distance::{DistanceProvider, DistanceSource, Matrix, Metric};
use super::model::{
    ChainingReport, DayPlan, Leg, LegKind, Place, PlanRequest, PlanStop, RouteAnswer, RouteLeg,
    RouteRequest, Trip,
};
use super::store;
use super::tour::{self, DistanceMatrix};
use crate::auth::Principal;
use crate::booking::{Booking, BookingStatus};
use crate::chaining::{self, chained_before, next_chained, previous_chained};
use crate::config::Config;
use crate::db::DbConnection;
use crate::error::{Error, Result, Validator};
use crate::organization::OrgKind;
use crate::territory::geo::LatLon;

/// Cost, emission and chaining settings.
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    pub per_km_cents: i64,
    pub handling_cents: i64,
    pub co2_g_per_km: f64,
    pub chain_gap_days: i64,
}

impl Costs {
    /// Reads them from the configuration.
    pub fn from_config(c: &Config) -> Costs {
        Costs {
            per_km_cents: c.transport_cost_per_km_cents,
            handling_cents: c.transport_handling_cost_cents,
            co2_g_per_km: c.transport_co2_g_per_km,
            chain_gap_days: c.chain_max_gap_days,
        }
    }

    /// Cost of a leg, in cents.
    pub fn cost_cents(&self, km: f64) -> i64 {
        self.handling_cents + (km * self.per_km_cents as f64).round() as i64
    }

    /// Emissions of a leg, in kg of CO2.
    pub fn co2_kg(&self, km: f64) -> f64 {
        km * self.co2_g_per_km / 1000.0
    }
}

fn position(p: &Place) -> LatLon {
    LatLon {
        lat: p.latitude,
        lon: p.longitude,
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Where a leg goes, before it is measured.
#[derive(Debug, Clone)]
pub struct LegPlan {
    pub kind: LegKind,
    pub from: Place,
    pub to: Place,
    pub chained_booking_id: Option<i64>,
}

/// The two legs of a booking: in (from the depot, or from the previous venue when chained) and
/// out (back to the depot, or on to the next venue when chained).
pub fn leg_plans(
    conn: &mut DbConnection,
    booking: &Booking,
    costs: &Costs,
) -> Result<Vec<LegPlan>> {
    let depot = store::depots(conn, &[booking.copy_id])?
        .remove(&booking.copy_id)
        .ok_or_else(|| Error::Internal("copy without depot".into()))?;
    leg_plans_from(conn, booking, costs, depot)
}

/// [`leg_plans`] with the depot known.
fn leg_plans_from(
    conn: &mut DbConnection,
    booking: &Booking,
    costs: &Costs,
    depot: Place,
) -> Result<Vec<LegPlan>> {
    let (from, to) = neighbourhood(booking.starts_on, booking.ends_on, costs);
    let stays = chaining::stays_of(conn, &[booking.copy_id], BookingStatus::MOVING, from, to)?;
    plans_from_stays(booking, costs, depot, &stays)
}

/// The days around a loan whose stays of its copy decide its legs (a chained loan before or
/// after it): what a caller reading the stays itself must cover.
pub fn neighbourhood(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    costs: &Costs,
) -> (NaiveDate, NaiveDate) {
    let gap = Duration::days(costs.chain_gap_days);
    (starts_on - gap, ends_on + gap)
}

/// The cost of a booking's legs on the road estimate, from the stays of the booking's copy over its
/// [`neighbourhood`] already read (billing reads them with the rest of a quote's facts).
pub fn estimated_legs_cost_from_stays(
    provider: &DistanceProvider,
    costs: &Costs,
    booking: &Booking,
    depot: LatLon,
    stays: &[chaining::Stay],
) -> Result<i64> {
    let plans = plans_from_stays(booking, costs, depot_place(depot), stays)?;
    Ok(estimated_cost_cents(provider, costs, &plans))
}

fn depot_place(depot: LatLon) -> Place {
    Place {
        kind: "depot".into(),
        organization_id: None,
        name: String::new(),
        commune_insee: String::new(),
        latitude: depot.lat,
        longitude: depot.lon,
    }
}

/// The two legs of a booking from the stays of its copy around it (ordered like
/// [`chaining::stays_of`]'s).
fn plans_from_stays(
    booking: &Booking,
    costs: &Costs,
    depot: Place,
    stays: &[chaining::Stay],
) -> Result<Vec<LegPlan>> {
    let booking_id = booking.id;
    let at = stays
        .iter()
        .position(|s| s.booking_id == booking_id)
        .ok_or_else(|| {
            Error::conflict(
                crate::error::Code::NoLegs,
                "a cancelled, rejected or expired booking does not travel",
            )
        })?;
    let this = &stays[at];
    let previous = previous_chained(stays, at, costs.chain_gap_days);
    let next = next_chained(stays, at, costs.chain_gap_days);
    let inbound = match previous {
        Some(prev) => LegPlan {
            kind: LegKind::Transfer,
            from: prev.venue.clone(),
            to: this.venue.clone(),
            chained_booking_id: Some(prev.booking_id),
        },
        None => LegPlan {
            kind: LegKind::Outbound,
            from: depot.clone(),
            to: this.venue.clone(),
            chained_booking_id: None,
        },
    };
    let outbound = match next {
        Some(next) => LegPlan {
            kind: LegKind::Transfer,
            from: this.venue.clone(),
            to: next.venue.clone(),
            chained_booking_id: Some(next.booking_id),
        },
        None => LegPlan {
            kind: LegKind::Return,
            from: this.venue.clone(),
            to: depot,
            chained_booking_id: None,
        },
    };
    Ok(vec![inbound, outbound])
}

/// Measures planned legs (OSRM's `/route` when configured, else the road estimate).
pub async fn measure_legs(
    provider: &DistanceProvider,
    costs: &Costs,
    plans: Vec<LegPlan>,
) -> Vec<Leg> {
    let mut legs = Vec::with_capacity(plans.len());
    for plan in plans {
        let (km, hours, source) = provider
            .route(position(&plan.from), position(&plan.to))
            .await;
        legs.push(Leg {
            kind: plan.kind,
            km: round(km, 1),
            duration_hours: round(hours, 2),
            cost_cents: costs.cost_cents(km),
            co2_kg: round(costs.co2_kg(km), 1),
            chained_booking_id: plan.chained_booking_id,
            from: plan.from,
            to: plan.to,
            source,
        });
    }
    legs
}

/// Km and CO2 that chaining saved on bookings starting in `[from, to]`, with road estimates. A
/// transfer is counted with the booking it leads to.
pub fn chaining_report(
    conn: &mut DbConnection,
    p: &Principal,
    provider: &DistanceProvider,
    costs: &Costs,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ChainingReport> {
    let mut v = Validator::new();
    if to < from {
        v.add("to", "must not be before from");
    } else if (to - from).num_days() > 3 * 366 {
        v.add("to", "the period spans at most three years");
    }
    v.finish()?;
    let producer = match p.kind {
        OrgKind::Agency => None,
        OrgKind::Producer => Some(p.organization_id),
        _ => {
            return Err(Error::Forbidden(
                "transport reports are for producers and the agency".into(),
            ))
        }
    };
    let copy_ids = store::copies_booked_between(conn, producer, from, to)?;
    let stays = chaining::stays_of(
        conn,
        &copy_ids,
        BookingStatus::MOVING,
        from - Duration::days(costs.chain_gap_days),
        to,
    )?;
    let depots = store::depots(conn, &copy_ids)?;
    let mut report = ChainingReport {
        from,
        to,
        bookings: 0,
        chained_transfers: 0,
        km_without_chaining: 0.0,
        km_with_chaining: 0.0,
        km_saved: 0.0,
        co2_saved_kg: 0.0,
        cost_saved_cents: 0,
    };
    for (i, stay) in stays.iter().enumerate() {
        if stay.starts_on < from || stay.starts_on > to {
            continue;
        }
        let Some(depot) = depots.get(&stay.copy_id) else {
            continue;
        };
        let to_venue = provider.estimate_km(position(depot), position(&stay.venue));
        report.bookings += 1;
        report.km_without_chaining += 2.0 * to_venue;
        let previous = previous_chained(&stays, i, costs.chain_gap_days);
        match previous {
            Some(prev) => {
                report.chained_transfers += 1;
                report.km_with_chaining +=
                    provider.estimate_km(position(&prev.venue), position(&stay.venue));
            }
            None => report.km_with_chaining += to_venue,
        }
        let goes_on = next_chained(&stays, i, costs.chain_gap_days).is_some();
        if !goes_on {
            report.km_with_chaining += to_venue;
        }
    }
    let saved = report.km_without_chaining - report.km_with_chaining;
    report.km_saved = round(saved, 1);
    report.co2_saved_kg = round(costs.co2_kg(saved), 1);
    // Each transfer replaces a return and an outbound: one handling fewer.
    report.cost_saved_cents = (saved * costs.per_km_cents as f64).round() as i64
        + report.chained_transfers * costs.handling_cents;
    report.km_without_chaining = round(report.km_without_chaining, 1);
    report.km_with_chaining = round(report.km_with_chaining, 1);
    Ok(report)
}

/// Checks a route request; returns the points (depot first) and the stop ids.
pub fn check_route(req: &RouteRequest, max_stops: usize) -> Result<(Vec<LatLon>, Vec<String>)> {
    let mut v = Validator::new();
    let depot = LatLon {
        lat: req.depot.latitude,
        lon: req.depot.longitude,
    };
    if !depot.is_valid() {
        v.add(
            "depot",
            "latitude must be within ±90 and longitude within ±180",
        );
    }
    if req.stops.len() < 2 {
        v.add("stops", "give at least 2 stops");
    }
    if req.stops.len() > max_stops {
        v.add("stops", format!("at most {max_stops} stops per request"));
    }
    let mut seen = HashSet::new();
    let mut points = vec![depot];
    for (i, stop) in req.stops.iter().enumerate() {
        let point = LatLon {
            lat: stop.latitude,
            lon: stop.longitude,
        };
        if !point.is_valid() {
            v.add(
                &format!("stops[{i}]"),
                "latitude must be within ±90 and longitude within ±180",
            );
        }
        if stop.id.trim().is_empty() {
            v.add(&format!("stops[{i}].id"), "must not be empty");
        } else if !seen.insert(stop.id.as_str()) {
            v.add(&format!("stops[{i}].id"), "duplicate id");
        }
        points.push(point);
    }
    v.finish()?;
    Ok((points, req.stops.iter().map(|s| s.id.clone()).collect()))
}

/// The optimiser's matrix from measured distances (averaged both ways, for the symmetric solver).
fn solver_matrix(m: &Matrix) -> DistanceMatrix {
    DistanceMatrix::new(m.km.len(), |i, j| (m.km[i][j] + m.km[j][i]) / 2.0)
}

/// The best closed tour from the depot (node 0 of the matrix) through every stop (CPU work: run
/// it off the async workers).
pub fn route_answer(matrix: &Matrix, ids: &[String]) -> RouteAnswer {
    let tour = tour::solve(&solver_matrix(matrix));
    let name = |node: usize| {
        if node == 0 {
            "depot".to_string()
        } else {
            ids[node - 1].clone()
        }
    };
    let mut legs = Vec::with_capacity(tour.order.len());
    for (k, &from) in tour.order.iter().enumerate() {
        let to = tour.order.get(k + 1).copied().unwrap_or(0);
        legs.push(RouteLeg {
            from: name(from),
            to: name(to),
            km: round(matrix.km[from][to], 3),
        });
    }
    RouteAnswer {
        order: tour.order.iter().skip(1).map(|&n| name(n)).collect(),
        total_km: round(legs.iter().map(|l| l.km).sum(), 3),
        legs,
        source: matrix.source,
    }
}

/// What a day plan starts from: the depot and the deliveries leaving it that day (chained
/// deliveries leave from their previous venue, not from the depot, and are left out).
pub fn plan_deliveries(
    conn: &mut DbConnection,
    p: &Principal,
    costs: &Costs,
    req: &PlanRequest,
) -> Result<(Place, Vec<PlanStop>)> {
    let mut v = Validator::new();
    let cap_ok = |x: f64| x.is_finite() && x > 0.0;
    v.check(
        cap_ok(req.vehicle.capacity_volume_m3),
        "vehicle.capacity_volume_m3",
        "must be more than 0",
    );
    v.check(
        cap_ok(req.vehicle.capacity_weight_kg),
        "vehicle.capacity_weight_kg",
        "must be more than 0",
    );
    let depot = store::place_of(conn, req.depot_organization_id)?;
    match &depot {
        Some((_, kind)) if kind == OrgKind::Producer.as_str() => {}
        _ => v.add("depot_organization_id", "not a producer of the network"),
    }
    v.finish()?;
    if !(p.is_agency() || p.belongs_to(req.depot_organization_id)) {
        return Err(Error::Forbidden(
            "only the producer itself, or the agency, plans its tours".into(),
        ));
    }
    let (depot, _) = depot.ok_or_else(|| Error::Internal("validated depot missing".into()))?;
    let departures = store::departures(conn, req.depot_organization_id, req.date)?;
    let copy_ids: Vec<i64> = departures.iter().map(|d| d.stay.copy_id).collect();
    let earlier = chaining::stays_of(
        conn,
        &copy_ids,
        BookingStatus::MOVING,
        req.date - Duration::days(costs.chain_gap_days + 400),
        req.date + Duration::days(400),
    )?;
    let mut stops = Vec::new();
    for store::Departure {
        stay,
        asset_tag,
        resource_title: title,
        volume_m3: volume,
        weight_kg: weight,
    } in departures
    {
        if chained_before(&earlier, stay.copy_id, stay.starts_on, costs.chain_gap_days).is_some() {
            continue;
        }
        stops.push(PlanStop {
            booking_id: stay.booking_id,
            copy_id: stay.copy_id,
            asset_tag,
            resource_title: title,
            venue_id: stay.venue.organization_id.unwrap_or_default(),
            venue_name: stay.venue.name,
            commune_insee: stay.venue.commune_insee,
            latitude: stay.venue.latitude,
            longitude: stay.venue.longitude,
            volume_m3: volume,
            weight_kg: weight,
        });
    }
    Ok((depot, stops))
}

/// Splits deliveries into trips that fit the van: a sweep around the depot by bearing, filling
/// each trip until the next stop would overflow volume or weight. Stops larger than the van on
/// their own are returned apart.
pub fn sweep_trips(
    depot: &Place,
    mut stops: Vec<PlanStop>,
    volume: f64,
    weight: f64,
) -> (Vec<Vec<PlanStop>>, Vec<PlanStop>) {
    let (too_big, mut fitting): (Vec<PlanStop>, Vec<PlanStop>) = stops
        .drain(..)
        .partition(|s| s.volume_m3 > volume || s.weight_kg > weight);
    let bearing = |s: &PlanStop| {
        let dy = s.latitude - depot.latitude;
        let dx = (s.longitude - depot.longitude) * depot.latitude.to_radians().cos();
        dy.atan2(dx)
    };
    fitting.sort_by(|a, b| {
        bearing(a)
            .total_cmp(&bearing(b))
            .then(a.booking_id.cmp(&b.booking_id))
    });
    let mut trips: Vec<Vec<PlanStop>> = Vec::new();
    let (mut v, mut w) = (0.0, 0.0);
    for stop in fitting {
        let fits =
            trips.last().is_some() && v + stop.volume_m3 <= volume && w + stop.weight_kg <= weight;
        if !fits {
            trips.push(Vec::new());
            v = 0.0;
            w = 0.0;
        }
        v += stop.volume_m3;
        w += stop.weight_kg;
        if let Some(trip) = trips.last_mut() {
            trip.push(stop);
        }
    }
    (trips, too_big)
}

/// Orders each trip with the optimiser and measures it.
pub async fn plan_day(
    provider: &DistanceProvider,
    date: NaiveDate,
    depot: Place,
    stops: Vec<PlanStop>,
    volume: f64,
    weight: f64,
) -> Result<DayPlan> {
    let (groups, too_big) = sweep_trips(&depot, stops, volume, weight);
    let mut trips = Vec::with_capacity(groups.len());
    let mut source = DistanceSource::RoadEstimate;
    for (number, group) in groups.into_iter().enumerate() {
        let mut points = vec![position(&depot)];
        points.extend(group.iter().map(|s| LatLon {
            lat: s.latitude,
            lon: s.longitude,
        }));
        let matrix = provider.matrix(&points, Metric::Road).await;
        source = matrix.source;
        // The solver is CPU-bound: run it on the blocking pool, not on the async executor that
        // serves other requests (as `optimize_route` does).
        let distances = solver_matrix(&matrix);
        let tour = actix_web::web::block(move || tour::solve(&distances))
            .await
            .map_err(|e| Error::Internal(format!("tour solver failed: {e}")))?;
        let mut km = 0.0;
        let mut hours = 0.0;
        for (k, &from) in tour.order.iter().enumerate() {
            let to = tour.order.get(k + 1).copied().unwrap_or(0);
            km += matrix.km[from][to];
            hours += matrix.hours[from][to];
        }
        let mut by_node: HashMap<usize, PlanStop> = group
            .into_iter()
            .enumerate()
            .map(|(i, s)| (i + 1, s))
            .collect();
        let ordered: Vec<PlanStop> = tour
            .order
            .iter()
            .skip(1)
            .filter_map(|n| by_node.remove(n))
            .collect();
        trips.push(Trip {
            number: number as i64 + 1,
            volume_m3: round(ordered.iter().map(|s| s.volume_m3).sum(), 2),
            weight_kg: round(ordered.iter().map(|s| s.weight_kg).sum(), 1),
            stops: ordered,
            km: round(km, 1),
            driving_hours: round(hours, 2),
        });
    }
    Ok(DayPlan {
        date,
        total_km: round(trips.iter().map(|t| t.km).sum(), 1),
        total_driving_hours: round(trips.iter().map(|t| t.driving_hours).sum(), 2),
        trips,
        unplaced_booking_ids: too_big.iter().map(|s| s.booking_id).collect(),
        depot,
        source,
    })
}

/// The cost of planned legs on the road estimate, in cents: what a quote recharges. Synchronous
/// (no OSRM call), so that pricing can run inside a booking's transaction; without OSRM it is
/// exactly the sum of `cost_cents` that `GET /bookings/{id}/legs` shows.
pub fn estimated_cost_cents(provider: &DistanceProvider, costs: &Costs, plans: &[LegPlan]) -> i64 {
    plans
        .iter()
        .map(|plan| {
            costs.cost_cents(provider.estimate_km(position(&plan.from), position(&plan.to)))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(id: i64, lat: f64, lon: f64, volume: f64, weight: f64) -> PlanStop {
        PlanStop {
            booking_id: id,
            copy_id: id,
            asset_tag: format!("T{id}"),
            resource_title: "r".into(),
            venue_id: id,
            venue_name: "v".into(),
            commune_insee: "80021".into(),
            latitude: lat,
            longitude: lon,
            volume_m3: volume,
            weight_kg: weight,
        }
    }

    fn depot() -> Place {
        Place {
            kind: "depot".into(),
            organization_id: Some(1),
            name: "d".into(),
            commune_insee: "80021".into(),
            latitude: 49.9,
            longitude: 2.3,
        }
    }

    #[test]
    fn sweep_respects_capacity_and_sets_aside_oversized_stops() {
        let stops = vec![
            stop(1, 50.0, 2.3, 2.0, 100.0),
            stop(2, 50.0, 2.4, 2.0, 100.0),
            stop(3, 49.8, 2.3, 2.0, 500.0),
            stop(4, 49.8, 2.2, 9.0, 10.0),
            stop(5, 49.9, 2.5, 1.0, 100.0),
        ];
        let (trips, too_big) = sweep_trips(&depot(), stops, 4.0, 600.0);
        assert_eq!(
            too_big.iter().map(|s| s.booking_id).collect::<Vec<_>>(),
            vec![4]
        );
        let mut all: Vec<i64> = trips.iter().flatten().map(|s| s.booking_id).collect();
        all.sort();
        assert_eq!(all, vec![1, 2, 3, 5]);
        for trip in &trips {
            assert!(trip.iter().map(|s| s.volume_m3).sum::<f64>() <= 4.0);
            assert!(trip.iter().map(|s| s.weight_kg).sum::<f64>() <= 600.0);
        }
        assert!(trips.len() >= 2);
    }
}
