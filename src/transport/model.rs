//! Transport shapes the API shows: places, legs, route and day-plan requests and answers.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::distance::{DistanceSource, Metric};
use crate::booking::chaining::Place;

crate::stored_enum! {
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
    /// The day planned.
    pub date: NaiveDate,
    /// The producer whose depot the vans leave from.
    pub depot_organization_id: i64,
    /// These active vans of the depot only (default: every active van of the depot).
    pub van_ids: Option<Vec<i64>>,
    /// Without registered vans: as many vans of this size as needed, each driving 08:00–18:00
    /// (how days were planned before vans were registered).
    pub vehicle: Option<Vehicle>,
}

/// A stop of a day plan: a copy delivered to a venue, or collected from it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanStop {
    pub booking_id: i64,
    /// `delivery`: the copy rides from the depot; `pickup`: it is collected and brought back.
    pub kind: JobKind,
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
    /// Crates carried in or out.
    pub crates: i32,
    /// Time at the stop: a fixed part, per crate, and set-up help where the resource needs it.
    pub service_minutes: i64,
    /// The venue's opening spans that day ("HH:MM"); empty when its hours are not known.
    pub opening: Vec<TimeWindow>,
    /// "HH:MM" the van arrives (planned stops only).
    pub arrival: Option<String>,
    /// "HH:MM" service starts, after any wait for the venue to open.
    pub service_start: Option<String>,
    /// "HH:MM" the van leaves.
    pub departure: Option<String>,
}

/// One van's day: depot → stops in order → depot.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Trip {
    pub number: i64,
    /// The van of the plan's `vans` that drives it (0 in plans kept before vans were listed).
    #[serde(default)]
    pub van_number: i64,
    /// The registered van (none for the vans of `vehicle`).
    pub van_id: Option<i64>,
    pub van_name: String,
    /// "HH:MM" it leaves the depot loaded with the trip's deliveries.
    pub start: String,
    /// "HH:MM" it is back.
    pub end: String,
    pub stops: Vec<PlanStop>,
    pub km: f64,
    pub driving_hours: f64,
    /// Deliveries aboard when leaving the depot.
    pub volume_m3: f64,
    pub weight_kg: f64,
    /// Pickups aboard when coming back.
    pub collected_volume_m3: f64,
    pub collected_weight_kg: f64,
}

/// A move of the day that no van makes, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanUnassigned {
    pub booking_id: i64,
    pub kind: JobKind,
    pub venue_id: i64,
    pub venue_name: String,
    pub asset_tag: String,
    pub reason: UnassignedReason,
    /// The stop as a van would make it, for a move the solver left out (none for a venue closed
    /// that day): `POST /api/v1/tours/{id}/moves` places it by hand, under the same rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<PlanStop>,
}

/// A depot's day: the deliveries leaving it and the returns due back, shared among its vans
/// within the venues' opening hours. Kept: `GET /tours/{id}` reads it back unchanged.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayPlan {
    pub id: i64,
    pub date: NaiveDate,
    pub depot: Place,
    pub trips: Vec<Trip>,
    pub total_km: f64,
    pub total_driving_hours: f64,
    /// Every booking with a move left out (see `unassigned` for why).
    pub unplaced_booking_ids: Vec<i64>,
    pub unassigned: Vec<PlanUnassigned>,
    pub source: DistanceSource,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    /// The vans the day was shared among, idle ones included: where a stop may be moved
    /// (`POST /tours/{id}/moves`). Empty in plans kept before moves existed.
    #[serde(default)]
    pub vans: Vec<PlanVehicle>,
}

/// A van of a day plan, as it was when the day was planned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanVehicle {
    /// 1, 2, … in the plan.
    pub number: i64,
    /// The registered van (none for the vans of `vehicle`).
    pub van_id: Option<i64>,
    pub name: String,
    pub capacity: Capacity,
    pub shift: Shift,
}

/// Body of `POST /api/v1/tours/{id}/moves`: one stop of the plan to another van and/or place
/// in its round.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopMove {
    /// The stop: its booking and kind (a booking may have a delivery and a pickup that day).
    pub booking_id: i64,
    pub kind: JobKind,
    /// The van it moves to, by its `number` in the plan's `vans` (the same van to reorder).
    pub van_number: i64,
    /// Its place in that van's round once moved: 1 for the first stop.
    pub position: i64,
}

/// What a van carries at most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    pub volume_m3: f64,
    pub weight_kg: f64,
}

/// When a van drives: it leaves the depot no earlier than `start` and is back by `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// "HH:MM".
    #[schema(example = "08:00")]
    pub start: String,
    /// "HH:MM", after `start`.
    #[schema(example = "18:00")]
    pub end: String,
}

/// When a stop can be served: service starts within it (it may run past its end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    #[schema(example = "09:00")]
    pub start: String,
    #[schema(example = "12:00")]
    pub end: String,
}

crate::stored_enum! {
    /// Which way a job's goods travel.
    pub enum JobKind {
        /// Loaded at the depot, left at the stop.
        Delivery => "delivery",
        /// Collected at the stop, brought back to the depot.
        Pickup => "pickup",
    }
}

/// A van of a `routes/solve` request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SolveVehicle {
    /// Caller's identifier, unique within the request.
    pub id: String,
    pub capacity: Capacity,
    pub shift: Shift,
}

/// A job of a `routes/solve` request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SolveJob {
    /// Caller's identifier, unique within the request.
    pub id: String,
    pub kind: JobKind,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default)]
    pub volume_m3: f64,
    #[serde(default)]
    pub weight_kg: f64,
    /// Time spent at the stop (0–720).
    #[serde(default)]
    pub service_minutes: i64,
    /// Service starts within one of them (at most 8, each `start` ≤ `end`); none: any time of
    /// the shift.
    #[serde(default)]
    pub time_windows: Vec<TimeWindow>,
}

/// Body of `POST /api/v1/routes/solve`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SolveRequest {
    pub depot: RoutePoint,
    /// 1–100 vans.
    pub vehicles: Vec<SolveVehicle>,
    /// 1–1,000 jobs.
    pub jobs: Vec<SolveJob>,
    /// `haversine` (default) or `road`.
    pub metric: Option<Metric>,
    /// Driving speed, 5–130 km/h (default 60 on `haversine`; `road` uses the road durations
    /// unless a speed is given).
    pub speed_kmh: Option<f64>,
    /// Solver time, 0.1–30 s (default 2; days of 500–1,000 jobs want about 10). The same
    /// body gives the same answer from any server process: the solver counts its work, at a
    /// fixed pace per second of this limit; the clock is only a safety stop (on a heavily
    /// loaded server it ends the search earlier, and the answer may then differ).
    pub time_limit_seconds: Option<f64>,
}

/// A served stop of a route.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SolvedStop {
    pub job_id: String,
    /// "HH:MM" the van arrives.
    pub arrival: String,
    /// "HH:MM" service starts (later than `arrival` when the van waits for a window).
    pub service_start: String,
    /// "HH:MM" the van leaves.
    pub departure: String,
    /// Load aboard when leaving the stop.
    pub load: Capacity,
}

/// The route of one van.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SolvedRoute {
    pub vehicle_id: String,
    /// "HH:MM" the van leaves the depot, loaded with the route's deliveries.
    pub start: String,
    /// "HH:MM" it is back.
    pub end: String,
    pub stops: Vec<SolvedStop>,
    pub km: f64,
    /// From leaving the depot to being back, waits included.
    pub duration_minutes: i64,
}

crate::stored_enum! {
    /// Why a job is left out of every route.
    pub enum UnassignedReason {
        /// Larger or heavier than every van on its own.
        TooLargeForAnyVan => "too_large_for_any_van",
        /// No van can reach it within a window from the depot and be back by the end of its
        /// shift, even serving it alone.
        WindowUnreachable => "window_unreachable",
        /// It could be served alone, but no van that could serve it has room left for its
        /// volume or weight at any point of its round: another van or another day is needed.
        NoCapacityLeft => "no_capacity_left",
        /// A van has room for it, but its day is full: the stops already planned, their
        /// opening hours and the return by the end of the shift leave no time for this one
        /// (a longer shift, another van or another day is needed).
        ShiftTooShort => "shift_too_short",
        /// The venue is closed that day (opening hours).
        ClosedThatDay => "closed_that_day",
    }
}

/// A job no route serves, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnassignedJob {
    pub job_id: String,
    pub reason: UnassignedReason,
}

/// Answer of `POST /api/v1/routes/solve`: fewest unassigned jobs, then least total km.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SolveAnswer {
    /// One route per van used (vans left idle are not listed).
    pub routes: Vec<SolvedRoute>,
    pub unassigned: Vec<UnassignedJob>,
    pub total_km: f64,
    pub source: DistanceSource,
}

/// A van of the network.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Van {
    pub id: i64,
    pub name: String,
    /// The producer (or the agency) whose site it leaves from and comes back to.
    pub depot_organization_id: i64,
    pub capacity: Capacity,
    pub shift: Shift,
    /// Retired vans stay for the plans that named them, and are planned no more.
    pub active: bool,
    #[serde(with = "crate::timestamp::utc")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::utc")]
    pub updated_at: NaiveDateTime,
}

/// Body of `POST /api/v1/vans`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVan {
    /// 1–100 characters, e.g. "Kangoo Amiens".
    pub name: String,
    pub depot_organization_id: i64,
    pub capacity: Capacity,
    pub shift: Shift,
}

/// Body of `PATCH /api/v1/vans/{id}`: the fields to change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VanPatch {
    pub name: Option<String>,
    pub depot_organization_id: Option<i64>,
    pub capacity: Option<Capacity>,
    pub shift: Option<Shift>,
    pub active: Option<bool>,
}

/// Query of `GET /api/v1/vans`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VanQuery {
    /// Only the vans of this depot.
    pub depot_organization_id: Option<i64>,
    /// Retired vans too (default false).
    pub include_retired: Option<bool>,
}
