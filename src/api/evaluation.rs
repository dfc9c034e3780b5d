//! HTTP handlers of loan evaluations.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{run_json, shown};
use crate::evaluation::model::{
    Evaluation, EvaluationList, EvaluationPatch, EvaluationQuery, NewEvaluation,
};
use crate::evaluation::service;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;

/// Registers the evaluation routes (before booking's `/bookings/{id}/{action}`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_evaluation)
        .service(patch_evaluation)
        .service(get_evaluation)
        .service(list_evaluations);
}

/// The venue reports on a loan that reached it (`delivered`, `returned` or `closed`): visitors,
/// sessions held, audiences reached, satisfaction from 1 to 5, a comment. Once per loan; it can
/// be changed with PATCH for 30 days. The venue itself or the agency.
#[utoipa::path(
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    request_body = NewEvaluation,
    responses(
        (status = 201, description = "The evaluation", body = Evaluation),
        (status = 403, description = "Not the venue of the loan", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking (or not yours to see)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`loan_not_delivered`; `already_evaluated`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A figure out of range, no audience, a comment too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/bookings/{id}/evaluation")]
async fn create_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<NewEvaluation>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let evaluation = state
        .run(move |conn| service::create(conn, &principal, id, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(evaluation))
}

/// Changes the fields given, for 30 days after the evaluation was first written
/// (`editable_until`). The venue itself or the agency.
#[utoipa::path(
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    request_body = EvaluationPatch,
    responses(
        (status = 200, description = "The evaluation", body = Evaluation),
        (status = 403, description = "Not the venue of the loan", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such booking or no evaluation yet", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`evaluation_locked`: more than 30 days old; `loan_not_delivered`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A figure out of range, no audience, a comment too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/bookings/{id}/evaluation")]
async fn patch_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<EvaluationPatch>,
) -> ApiResult<web::Json<Evaluation>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    run_json(&state, move |conn| {
        service::patch(conn, &principal, id, &body, clock.naive())
    })
    .await
}

/// The evaluation of a loan, for its venue, its producer and the agency.
#[utoipa::path(
    tag = "evaluation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses(
        (status = 200, description = "The evaluation", body = Evaluation),
        (status = 404, description = "No such booking, or no evaluation yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/bookings/{id}/evaluation")]
async fn get_evaluation(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Evaluation>> {
    shown(&state, principal, id, service::get).await
}

/// Evaluations the caller may read — a producer those of its resources, a venue its own, the
/// agency all — newest loans first, with their totals (visitors, sessions, mean satisfaction).
/// `Accept: text/csv` gives the evaluations as a CSV file.
#[utoipa::path(
    tag = "evaluation",
    security(("bearer" = [])),
    params(EvaluationQuery),
    responses(
        (status = 200, description = "The evaluations (JSON, or their items as CSV with `Accept: text/csv`)", content((EvaluationList = "application/json"), (String = "text/csv"))),
        (status = 403, description = "A partner, or a venue asking for another venue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/evaluations")]
async fn list_evaluations(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<EvaluationQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let list = state
        .run(move |conn| service::list(conn, &principal, &query))
        .await?;
    Ok(crate::http::json_or_csv(
        &req,
        &list,
        "evaluations.csv",
        crate::evaluation::model::csv,
    ))
}
