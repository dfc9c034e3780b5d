//! Transport endpoints.

use actix_web::{get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::distance::{DistanceProvider, Metric};
use super::model::{ChainingReport, DayPlan, Leg, PlanRequest, RouteAnswer, RouteRequest};
use super::service::{self, Costs};
use crate::auth::Principal;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;

/// Registers the transport routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(booking_legs)
        .service(chaining_report)
        .service(optimize_route)
        .service(plan_day);
}

/// The two legs of a booking with km, duration, cost and CO2: from the copy's depot (or straight
/// from the previous venue when the copy's previous booking ends at most `chain_max_gap_days`
/// before this one starts: a `transfer`) and back to the depot (or on to the next venue).
/// Distances come from OSRM when configured, else the road estimate.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses(
        (status = 200, description = "In-leg then out-leg", body = [Leg]),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`no_legs`: a cancelled, rejected or expired booking does not travel", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings/{id}/legs")]
async fn booking_legs(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Leg>>> {
    let id = id.into_inner();
    let costs = Costs::from_config(&state.config);
    let plans = state
        .run(move |conn| {
            let booking = crate::booking::service::get(conn, &principal, id)?;
            service::leg_plans(conn, &booking, &costs)
        })
        .await?;
    let provider = DistanceProvider::from_config(&state.config);
    Ok(web::Json(
        service::measure_legs(&provider, &costs, plans).await,
    ))
}

/// Period of a chaining report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (bookings starting on or after it).
    from: NaiveDate,
    /// Last day, inclusive (at most three years after `from`).
    to: NaiveDate,
}

/// Km, CO2 and cost saved by chaining on bookings starting in a period: each copy going straight
/// from one venue to the next instead of back to its depot. Road estimates; a transfer counts with
/// the booking it leads to. For a producer (its resources) and the agency (all).
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(PeriodQuery),
    responses(
        (status = 200, description = "The report", body = ChainingReport),
        (status = 400, description = "Missing or unparseable dates", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a producer or the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reversed or too long period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/transport/chaining")]
async fn chaining_report(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<PeriodQuery>,
) -> ApiResult<web::Json<ChainingReport>> {
    let q = query.into_inner();
    let costs = Costs::from_config(&state.config);
    let provider = DistanceProvider::from_config(&state.config);
    Ok(web::Json(
        state
            .run(move |conn| {
                service::chaining_report(conn, &principal, &provider, &costs, q.from, q.to)
            })
            .await?,
    ))
}

/// A closed tour from the depot through every stop, minimising total distance: a greedy
/// construction improved by 2-opt and Or-opt on neighbour lists, then iterated local search
/// (deterministic for a given input). `haversine` is the great circle on a sphere of radius
/// 6371.0088 km; `road` uses OSRM when configured, else the great circle × `road_detour_factor`.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    request_body = RouteRequest,
    responses(
        (status = 200, description = "The tour", body = RouteAnswer),
        (status = 400, description = "Malformed body or unknown metric", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fewer than 2 or more than `routes_max_stops` stops, duplicate ids, coordinates out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/routes/optimize")]
async fn optimize_route(
    state: web::Data<AppState>,
    _principal: Principal,
    body: web::Json<RouteRequest>,
) -> ApiResult<web::Json<RouteAnswer>> {
    let provider = DistanceProvider::from_config(&state.config);
    let body = body.into_inner();
    let (points, ids) = service::check_route(&body, state.config.routes_max_stops)?;
    let matrix = provider
        .matrix(&points, body.metric.unwrap_or(Metric::Haversine))
        .await;
    // The solver is CPU work: keep it off the async workers.
    let answer = web::block(move || service::route_answer(&matrix, &ids))
        .await
        .map_err(|e| crate::error::Error::Internal(format!("route solver failed: {e}")))?;
    Ok(web::Json(answer))
}

/// The deliveries leaving a producer's depot on a day (approved bookings whose trip starts that
/// day; copies chained from a previous venue leave from there and are not included), split into
/// trips that fit the van (sweep by bearing around the depot), each ordered by the tour optimiser,
/// with km, driving time and the stop list a driver can follow.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    request_body = PlanRequest,
    responses(
        (status = 200, description = "The day plan", body = DayPlan),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another producer's depot", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown depot or capacities not positive", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tours/plan")]
async fn plan_day(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<PlanRequest>,
) -> ApiResult<web::Json<DayPlan>> {
    let req = body.into_inner();
    let costs = Costs::from_config(&state.config);
    let input = req.clone();
    let (depot, stops) = state
        .run(move |conn| service::plan_deliveries(conn, &principal, &costs, &input))
        .await?;
    let provider = DistanceProvider::from_config(&state.config);
    Ok(web::Json(
        service::plan_day(
            &provider,
            req.date,
            depot,
            stops,
            req.vehicle.capacity_volume_m3,
            req.vehicle.capacity_weight_kg,
        )
        .await?,
    ))
}
