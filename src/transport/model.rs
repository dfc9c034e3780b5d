//! Transport shapes the API shows: places, legs, route and day-plan requests and answers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::distance::{DistanceSource, Metric};

crate::text_enum! {
    /// What a leg of a loan is.
    pub enum LegKind {
        /// Depot → venue.
        Outbound => "outbound",
        /// Venue → depot.
        Return => "return",
        /// Venue → next venue, straight on (chaining), instead of a return and a new outbound.
        Transfer => "transfer",
    }
}

/// One end of a leg.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Place {
    /// `depot` (the copy's home commune) or `venue`.
    pub kind: String,
    /// The venue (for venues) or the producer (for depots).
    pub organization_id: Option<i64>,
    pub name: String,
    pub commune_insee: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A trip of a copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Leg {
    pub kind: LegKind,
    pub from: Place,
    pub to: Place,
    /// Road km (OSRM when configured, else great circle × detour factor).
    pub km: f64,
    pub duration_hours: f64,
    /// Fixed handling cost + km × per-km rate, in cents.
    pub cost_cents: i64,
    pub co2_kg: f64,
    /// For transfers: the booking at the other end.
    pub chained_booking_id: Option<i64>,
    pub source: DistanceSource,
}

/// Km and CO2 saved by chaining over a period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChainingReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Bookings starting in the period (not cancelled, rejected or expired).
    pub bookings: i64,
    /// Of which reached from the previous venue directly.
    pub chained_transfers: i64,
    /// Km with every copy going back to its depot between loans.
    pub km_without_chaining: f64,
    /// Km with direct transfers where bookings chain.
    pub km_with_chaining: f64,
    pub km_saved: f64,
    pub co2_saved_kg: f64,
    pub cost_saved_cents: i64,
}

/// A point of a route request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutePoint {
    pub latitude: f64,
    pub longitude: f64,
}

/// A stop of a route request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteStop {
    /// Caller's identifier, unique within the request.
    pub id: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// Body of `POST /api/v1/routes/optimize`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteRequest {
    pub depot: RoutePoint,
    /// At least 2, at most `routes_max_stops`, distinct ids.
    pub stops: Vec<RouteStop>,
    /// `haversine` (default) or `road`.
    pub metric: Option<Metric>,
}

/// One leg of an optimised tour (`depot` stands for the depot).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RouteLeg {
    pub from: String,
    pub to: String,
    pub km: f64,
}

/// A closed tour from the depot through every stop.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RouteAnswer {
    /// Stop ids in visiting order (the tour starts and ends at the depot).
    pub order: Vec<String>,
    pub total_km: f64,
    pub legs: Vec<RouteLeg>,
    pub source: DistanceSource,
}

/// The van of a day plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vehicle {
    pub capacity_volume_m3: f64,
    pub capacity_weight_kg: f64,
}

/// Body of `POST /api/v1/tours/plan`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// Day of departure.
    pub date: NaiveDate,
    /// The producer whose depot the van leaves from.
    pub depot_organization_id: i64,
    pub vehicle: Vehicle,
}

/// A delivery of a day plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanStop {
    pub booking_id: i64,
    pub copy_id: i64,
    pub asset_tag: String,
    pub resource_title: String,
    pub venue_id: i64,
    pub venue_name: String,
    pub commune_insee: String,
    pub latitude: f64,
    pub longitude: f64,
    pub volume_m3: f64,
    pub weight_kg: f64,
}

/// One trip of the van: depot → stops in order → depot.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Trip {
    pub number: i64,
    pub stops: Vec<PlanStop>,
    pub km: f64,
    pub driving_hours: f64,
    pub volume_m3: f64,
    pub weight_kg: f64,
}

/// The deliveries leaving a depot on a day, split into trips that fit the van.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayPlan {
    pub date: NaiveDate,
    pub depot: Place,
    pub trips: Vec<Trip>,
    pub total_km: f64,
    pub total_driving_hours: f64,
    /// Deliveries larger than the van on their own (to be sent otherwise).
    pub unplaced_booking_ids: Vec<i64>,
    pub source: DistanceSource,
}
