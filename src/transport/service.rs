//! Transport rules: the legs of a loan, chaining (a copy going straight on to its next venue),
//! the km and CO2 it saves, optimised tours and day plans that fit the van.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};

use super::distance::{DistanceProvider, Matrix};
use super::model::{ChainingReport, Leg, LegKind, RouteAnswer, RouteLeg, RouteRequest};
use super::store;
use super::tour::{self, DistanceMatrix};
use crate::access::Principal;
use crate::booking::chaining::Place;
use crate::booking::chaining::{self, next_chained, previous_chained};
use crate::booking::{Booking, BookingStatus};
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

pub(crate) fn position(p: &Place) -> LatLon {
    LatLon {
        lat: p.latitude,
        lon: p.longitude,
    }
}

pub(crate) fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    // `+ 0.0` turns −0 (an empty sum, a rounded tiny negative) into 0: never "-0 kg" on a sheet.
    (x * f).round() / f + 0.0
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
    let stays =
        crate::booking::store::stays_of(conn, &[booking.copy_id], BookingStatus::MOVING, from, to)?;
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
/// [`crate::booking::store::stays_of`]'s).
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
    let stays = crate::booking::store::stays_of(
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
    use super::round;

    #[test]
    fn rounding_never_shows_minus_zero() {
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(format!("{}", round(empty, 2)), "0");
        assert_eq!(format!("{}", round(-0.0004, 3)), "0");
        assert_eq!(round(2.345, 2), 2.35);
    }
}
