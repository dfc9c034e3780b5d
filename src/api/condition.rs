//! Condition, maintenance, wear and fleet endpoints.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{run_json, shown};
use crate::catalogue::Copy;
use crate::condition::model::{
    CompleteMaintenance, ConditionReport, FleetCopy, Maintenance, NewConditionReport,
    NewMaintenance, Retirement, Wear,
};
use crate::condition::service::{self, FleetSort};
use crate::condition::wear::WearModel;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;

/// Registers the condition routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(file_report)
        .service(list_reports)
        .service(schedule_maintenance)
        .service(list_maintenance)
        .service(complete_maintenance)
        .service(copy_wear)
        .service(retire_copy)
        .service(fleet);
}

/// Files a condition report at a hand-over: `dispatch` and `inspection` by the producer (or the
/// agency), `delivery` and `return` by the borrowing venue, tied to the booking. Every component of
/// the resource is counted. Reports are append-only: a correction is a new report. A report with a
/// missing or damaged unit, or a grade at or below `condition_blocking_grade`, puts the copy into
/// maintenance at once and flags the later bookings it can no longer serve (listed in
/// `flagged_booking_ids`); a passing inspection makes a returned copy lendable again.
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    request_body = NewConditionReport,
    responses(
        (status = 201, description = "The report, with its consequences", body = ConditionReport),
        (status = 403, description = "Not the side that files this stage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: the booking is not at this hand-over", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad grade, uncounted or unknown component, impossible counts, booking of another copy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/copies/{id}/condition-reports")]
async fn file_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<NewConditionReport>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let blocking = state.config.condition_blocking_grade;
    let report = state
        .run(move |conn| service::file_report(conn, &principal, blocking, id, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(report))
}

/// The condition reports of a copy, oldest first: all of them for its producer and the agency, a
/// venue's own for a venue.
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    responses(
        (status = 200, description = "The reports", body = [ConditionReport]),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/copies/{id}/condition-reports")]
async fn list_reports(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<ConditionReport>>> {
    shown(&state, principal, id, service::list_reports).await
}

/// Schedules maintenance (repair, refurbishment, content update, cleaning) with its period and
/// cost. The period occupies the copy exactly like a booking: an overlap with a booking or another
/// maintenance answers 409 `maintenance_conflict` with `conflicting_booking_ids` and
/// `conflicting_maintenance_ids` (everything that occupies the copy on those days).
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    request_body = NewMaintenance,
    responses(
        (status = 201, description = "The maintenance", body = Maintenance),
        (status = 403, description = "Another producer's copy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`maintenance_conflict` or `copy_retired`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period or cost", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/copies/{id}/maintenance")]
async fn schedule_maintenance(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<NewMaintenance>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let record = state
        .run(move |conn| service::schedule_maintenance(conn, &principal, id, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(record))
}

/// The maintenance records of a copy (its producer and the agency).
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    responses(
        (status = 200, description = "The records, oldest first", body = [Maintenance]),
        (status = 403, description = "Another producer's copy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/copies/{id}/maintenance")]
async fn list_maintenance(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Maintenance>>> {
    shown(&state, principal, id, service::list_maintenance).await
}

/// Completes a maintenance: the copy returns to service with its new grade (and counts as
/// inspected); the unused end of a scheduled period is freed, and the waitlist gets it.
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Maintenance id")),
    request_body = CompleteMaintenance,
    responses(
        (status = 200, description = "The completed maintenance", body = Maintenance),
        (status = 404, description = "No such maintenance of the caller's copies", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: already completed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad grade or cost", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/maintenance/{id}/complete")]
async fn complete_maintenance(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<CompleteMaintenance>,
) -> ApiResult<web::Json<Maintenance>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let settings = state.booking_settings();
    run_json(&state, move |conn| {
        service::complete_maintenance(conn, &principal, &settings, id, &body, clock.naive())
    })
    .await
}

/// Wear of a copy: loans, days on loan, km travelled, hand-overs, the weighted wear index,
/// whether maintenance is due, and the retirement forecast at the wear rate of the last 12 months
/// (its producer and the agency).
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    responses(
        (status = 200, description = "The wear figures", body = Wear),
        (status = 403, description = "Another producer's copy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/copies/{id}/wear")]
async fn copy_wear(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Wear>> {
    let clock = state.clock;
    let id = id.into_inner();
    let model = WearModel::from_config(&state.config);
    run_json(&state, move |conn| {
        service::copy_wear(conn, &principal, &model, id, clock.today())
    })
    .await
}

/// Retires a copy for good, with a reason: it leaves search and availability, and the bookings it
/// was to serve are flagged for the producer to move.
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    request_body = Retirement,
    responses(
        (status = 200, description = "The retired copy", body = Copy),
        (status = 403, description = "Another producer's copy", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`copy_retired`: already retired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/copies/{id}/retire")]
async fn retire_copy(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<Retirement>,
) -> ApiResult<web::Json<Copy>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    run_json(&state, move |conn| {
        service::retire(conn, &principal, id, &body.reason, clock.naive())
    })
    .await
}

/// Query of the fleet view.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FleetQuery {
    /// `wear` (most worn first, the default), `asset_tag` or `grade` (worst first).
    sort: Option<FleetSort>,
}

/// Every copy of a producer with status, grade, wear index, whether maintenance is due, the
/// retirement forecast and the next booking. `Accept: text/csv` gives a CSV file for spreadsheets.
#[utoipa::path(
    tag = "condition",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Producer organisation id"), FleetQuery),
    responses(
        (status = 200, description = "The fleet (JSON, or CSV with `Accept: text/csv`)", content((Vec<FleetCopy> = "application/json"), (String = "text/csv"))),
        (status = 404, description = "Not the caller's fleet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/producers/{id}/fleet")]
async fn fleet(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: web::Query<FleetQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let sort = query.sort.unwrap_or(FleetSort::Wear);
    let model = WearModel::from_config(&state.config);
    let fleet = state
        .run(move |conn| service::fleet(conn, &principal, &model, id, sort, clock.today()))
        .await?;
    Ok(crate::http::json_or_csv(
        &req,
        &fleet[..],
        &format!("fleet-{id}.csv"),
        service::fleet_csv,
    ))
}
