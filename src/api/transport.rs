//! Transport endpoints.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{run_json, shown};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::transport::distance::{DistanceProvider, Metric};
use crate::transport::model::{
    ChainingReport, DayPlan, Leg, PlanRequest, RouteAnswer, RouteRequest, SolveAnswer,
    SolveRequest, StopMove,
};
use crate::transport::model::{NewVan, Van, VanPatch, VanQuery};
use crate::transport::service::{self, Costs};
use crate::transport::solve;
use crate::transport::vans;
use crate::transport::{dayplan, sheet};

/// Registers the transport routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(booking_legs)
        .service(chaining_report)
        .service(optimize_route)
        .service(solve_routes)
        .service(plan_day)
        .service(get_plan)
        .service(plan_calendar)
        .service(move_stop)
        .service(create_van)
        .service(list_vans)
        .service(get_van)
        .service(update_van);
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
    run_json(&state, move |conn| {
        service::chaining_report(conn, &principal, &provider, &costs, q.from, q.to)
    })
    .await
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

/// Day routes for several vans: delivery jobs (loaded at the depot) and pickup jobs (brought back
/// to it), each with volume, weight, service time and time windows; vans with capacities and a
/// shift. The load never exceeds a capacity at any point of a route, service starts within a
/// window (the van may wait), and each van is back by the end of its shift. Objective: fewest
/// unassigned jobs, then least total km; each unassigned job has a reason. The solver
/// (`transport::vrp`, string removals and greedy reinsertion under simulated annealing) is
/// deterministic: the same body gives the same answer.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    request_body = SolveRequest,
    responses(
        (status = 200, description = "Routes, unassigned jobs with their reason, total km", body = SolveAnswer),
        (status = 400, description = "Malformed body, unknown kind or metric", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every faulty field listed: windows that end before they start, a job larger or heavier than every van, more than 1,000 jobs, coordinates out of range, times not \"HH:MM\", duplicate ids", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every solver busy for longer than the request can wait", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/routes/solve")]
async fn solve_routes(
    state: web::Data<AppState>,
    _principal: Principal,
    body: web::Json<SolveRequest>,
) -> ApiResult<web::Json<SolveAnswer>> {
    let req = body.into_inner();
    let (depot, vehicles, jobs) = solve::check(&req)?;
    let metric = req.metric.unwrap_or(Metric::Haversine);
    let speed = solve::speed_kmh(metric, req.speed_kmh);
    let mut points = vec![depot];
    points.extend(jobs.iter().map(|j| j.position));
    let matrix = DistanceProvider::from_config(&state.config)
        .matrix(&points, metric)
        .await;
    let problem = solve::problem(&matrix, speed, &vehicles, &jobs);
    let limit = req.time_limit_seconds.map_or(
        solve::DEFAULT_TIME_LIMIT,
        std::time::Duration::from_secs_f64,
    );
    let solution = solve::run(problem, limit).await?;
    Ok(web::Json(solve::answer(
        &matrix, &vehicles, &jobs, &solution,
    )))
}

/// Plans a depot's day: the copies leaving it that day (approved bookings whose trip starts
/// then; copies chained from a previous venue travel from there and are left out) and the loans
/// due back (first day after use and take-down), shared among the depot's active vans (or
/// `van_ids`, or as many vans of `vehicle`'s size as needed) within each venue's opening hours
/// that day, with the time each stop takes (a fixed part, per crate, set-up help). Fewest moves
/// left out, then least km, on road distances. The plan is kept: `GET /tours/{id}` and
/// `GET /tours/{id}/tour.ics` read it back. `Accept: text/html` answers the printable sheets.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    request_body = PlanRequest,
    responses(
        (status = 200, description = "The day plan (JSON, or the drivers' sheets with `Accept: text/html`)", content((DayPlan = "application/json"), (String = "text/html"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another producer's depot", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown depot, capacities not positive, vans not active at this depot, no van at all", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every solver busy for longer than the request can wait", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tours/plan")]
async fn plan_day(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<PlanRequest>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let req = body.into_inner();
    let costs = Costs::from_config(&state.config);
    let handling = dayplan::Handling::from_config(&state.config);
    let who = principal.clone();
    let day = state
        .run(move |conn| dayplan::gather(conn, &who, &costs, &handling, &req))
        .await?;
    let provider = DistanceProvider::from_config(&state.config);
    let limit = std::time::Duration::from_millis(state.config.tour_time_limit_ms);
    let plan = dayplan::plan(&provider, day, limit, clock.naive()).await?;
    let plan = state
        .run(move |conn| dayplan::keep(conn, &principal, plan))
        .await?;
    plan_response(&request, &plan)
}

/// JSON, or the printable sheets when the caller asks for HTML.
fn plan_response(request: &HttpRequest, plan: &DayPlan) -> ApiResult<HttpResponse> {
    Ok(if crate::http::accepts(request, "text/html") {
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(sheet::html(plan)?)
    } else {
        HttpResponse::Ok().json(plan)
    })
}

/// A kept day plan, as it was answered (the agency and the depot's producer).
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The day plan (JSON, or the drivers' sheets with `Accept: text/html`)", content((DayPlan = "application/json"), (String = "text/html"))),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tours/{id}")]
async fn get_plan(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let plan = state
        .run(move |conn| dayplan::read(conn, &principal, id))
        .await?;
    plan_response(&request, &plan)
}

/// Moves one stop of a kept plan to another van and/or place in its round (`van_number` from
/// the plan's `vans`, `position` 1 for first). Every round is timed again and checked with the
/// solver's own rules: the load within the van's capacity at every point, each stop reached
/// within the venue's opening hours, the van back by the end of its shift. The plan is kept
/// changed and answered; a move that breaks a rule changes nothing (`move_infeasible`).
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Plan id")),
    request_body = StopMove,
    responses(
        (status = 200, description = "The plan with the stop moved and the rounds timed again", body = DayPlan),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader of the plan who may not plan the depot's days", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: no such stop, van or position; `move_infeasible`: the move breaks a rule (`reason`: `over_capacity`, `outside_opening_hours`, `after_shift_end`; `van_number`), nothing changed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tours/{id}/moves")]
async fn move_stop(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<StopMove>,
) -> ApiResult<web::Json<DayPlan>> {
    let id = id.into_inner();
    let mv = body.into_inner();
    let who = principal.clone();
    let plan = state.run(move |conn| dayplan::read(conn, &who, id)).await?;
    let provider = DistanceProvider::from_config(&state.config);
    let plan = dayplan::move_stop(&provider, plan, &mv).await?;
    let kept = plan.clone();
    state
        .run(move |conn| dayplan::replace(conn, &principal, &kept))
        .await?;
    Ok(web::Json(plan))
}

/// Query of `GET /tours/{id}/tour.ics`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TourCalendarQuery {
    /// Only this trip (one van's day), by its `number`.
    trip: Option<i64>,
}

/// A kept day plan as an iCalendar file for the drivers' calendars: each van's day and each
/// stop as timed events (Europe/Paris), with stable UIDs.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Plan id"), TourCalendarQuery),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar", body = String),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller, or no such trip in it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tours/{id}/tour.ics")]
async fn plan_calendar(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: web::Query<TourCalendarQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let trip = query.into_inner().trip;
    let plan = state
        .run(move |conn| dayplan::read(conn, &principal, id))
        .await?;
    if let Some(n) = trip {
        if !plan.trips.iter().any(|t| t.number == n) {
            return Err(crate::error::Error::NotFound(format!("trip {n} of plan {id}")).into());
        }
    }
    Ok(crate::http::attachment(
        sheet::ICS_TYPE,
        &sheet::ics_name(id),
        sheet::ics(&plan, trip),
    ))
}

/// Registers a van (the agency's administrators): its depot, capacity and shift. Day plans of
/// that depot share their jobs among its active vans.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    request_body = NewVan,
    responses(
        (status = 201, description = "The van", body = Van),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator of the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every faulty field listed (capacity not positive, shift not \"HH:MM\" or ending before it starts, depot not a producer or the agency)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/vans")]
async fn create_van(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewVan>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let new = body.into_inner();
    let van = state
        .run(move |conn| vans::create(conn, &principal, &new, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(van))
}

/// The vans: all of them for the agency, those leaving from its own depot for a producer.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(VanQuery),
    responses(
        (status = 200, description = "Vans by id", body = Vec<Van>),
        (status = 400, description = "Unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/vans")]
async fn list_vans(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<VanQuery>,
) -> ApiResult<web::Json<Vec<Van>>> {
    let query = query.into_inner();
    run_json(&state, move |conn| vans::list(conn, &principal, &query)).await
}

/// One van (the agency, and the producer it leaves from).
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Van id")),
    responses(
        (status = 200, description = "The van", body = Van),
        (status = 404, description = "No such van visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/vans/{id}")]
async fn get_van(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Van>> {
    shown(&state, principal, id, vans::get).await
}

/// Changes a van (the agency's administrators); `active: false` retires it from planning.
#[utoipa::path(
    tag = "transport",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Van id")),
    request_body = VanPatch,
    responses(
        (status = 200, description = "The van", body = Van),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator of the agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such van", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every faulty field listed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/vans/{id}")]
async fn update_van(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<VanPatch>,
) -> ApiResult<web::Json<Van>> {
    let clock = state.clock;
    let id = id.into_inner();
    let patch = body.into_inner();
    run_json(&state, move |conn| {
        vans::update(conn, &principal, id, &patch, clock.naive())
    })
    .await
}
