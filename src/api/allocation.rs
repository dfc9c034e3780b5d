//! HTTP handlers of allocation rounds.

use actix_web::{delete, get, post, web, HttpMessage, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::allocation::model::{
    AllocateBody, Comparison, Confirmation, NewRound, NewRoundRequest, Proposal, Round,
    RoundDetail, RoundRequest,
};
use crate::allocation::service;
use crate::api::idempotency::IdempotencyKey;
use crate::api::{run_json, shown};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Registers the allocation routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_round)
        .service(list_rounds)
        .service(get_round)
        .service(add_request)
        .service(withdraw_request)
        .service(allocate)
        .service(compare)
        .service(confirm);
}

/// Opens an allocation round on contested resources for a period (at most 366 days, 1 to 200
/// resources). Venues then request dates; the agency proposes a plan and confirms it. The agency
/// only.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    request_body = NewRound,
    responses(
        (status = 201, description = "The round, `open`", body = Round),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty name, reversed, over or too long period, unknown resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocation-rounds")]
async fn create_round(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewRound>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let round = state
        .run(move |conn| service::create_round(conn, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(round))
}

/// The rounds of the network, newest first (at most 200). Every authenticated caller.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rounds", body = Vec<Round>),
    )
)]
#[get("/allocation-rounds")]
async fn list_rounds(
    state: web::Data<AppState>,
    _principal: Principal,
) -> ApiResult<web::Json<Vec<Round>>> {
    run_json(&state, service::list_rounds).await
}

/// A round and the requests the caller may see (the agency all, a venue its own, a producer those
/// on its resources), each with what the current proposal gives it and why.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses(
        (status = 200, description = "The round", body = RoundDetail),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/allocation-rounds/{id}")]
async fn get_round(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<RoundDetail>> {
    shown(&state, principal, id, service::get_round).await
}

/// A venue requests dates of a resource of an open round (dates inside the round's period, not in
/// the past, at most `booking_max_days` long; at most `max_open_requests_per_venue` requests per
/// venue and round). It voids the current proposal. The venue itself or the agency.
///
/// With `Content-Type: text/csv`, many requests at once: a header line
/// `venue_id,resource_id,starts_on,ends_on` (columns in any order), then one request per line,
/// each under the same rules, all or nothing: if any line is refused nothing is added, and the
/// 422 problem lists every refusal in `errors` with its `line` (1 is the header), its `field`
/// (the column, or `body` for the line as a whole) and its `message`. The answer is then the list
/// of requests added, in the order of the file.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    request_body(content(
        (NewRoundRequest = "application/json"),
        (String = "text/csv", example = json!("venue_id,resource_id,starts_on,ends_on\n12,3,2027-04-05,2027-04-18\n"))
    ), description = "One request as JSON, or many as CSV"),
    responses(
        (status = 201, description = "The request (JSON body), or the requests added (CSV body)", content((RoundRequest = "application/json"), (Vec<RoundRequest> = "application/json"))),
        (status = 403, description = "Requesting for another venue (JSON body)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`round_closed`; `request_limit_reached`; `already_exists` (the same request twice) — for a CSV body, only `round_closed`: a line's refusal is listed in the 422", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body neither `application/json` nor `text/csv`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dates outside the period, reversed, past or too long; not a venue; not a resource of the round. For a CSV body: a malformed file or any refused line, each listed with its `line` and `field`; nothing added", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocation-rounds/{id}/requests")]
async fn add_request(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let settings = state.booking_settings();
    let essence = req
        .mime_type()
        .ok()
        .flatten()
        .map(|m| m.essence_str().to_ascii_lowercase());
    match essence.as_deref() {
        Some("text/csv") => {
            let csv = String::from_utf8(body.to_vec())
                .map_err(|_| ApiError::Malformed("the CSV body is not UTF-8".into()))?;
            let added = state
                .run(move |conn| {
                    service::add_requests_csv(conn, &principal, &settings, id, &csv, clock.naive())
                })
                .await?;
            Ok(HttpResponse::Created().json(added))
        }
        Some("application/json") => {
            let body: NewRoundRequest = serde_json::from_slice(&body)
                .map_err(|e| ApiError::Malformed(format!("invalid JSON body: {e}")))?;
            let request = state
                .run(move |conn| {
                    service::add_request(conn, &principal, &settings, id, &body, clock.naive())
                })
                .await?;
            Ok(HttpResponse::Created().json(request))
        }
        _ => Err(ApiError::UnsupportedMediaType(
            "the body must be application/json (one request) or text/csv (many)".into(),
        )),
    }
}

/// Withdraws a request while the round is open; it voids the current proposal. The venue itself
/// or the agency.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Round id"),
        ("request_id" = i64, Path, description = "Request id"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Another venue's request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in this round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`round_closed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/allocation-rounds/{id}/requests/{request_id}")]
async fn withdraw_request(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let (id, request_id) = path.into_inner();
    state
        .run(move |conn| service::withdraw_request(conn, &principal, id, request_id, clock.naive()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Proposes a plan under a policy, nothing booked: each request is placed on the first copy free
/// for its dates (travel, set-up and turnaround days included, like a booking) in the policy's
/// order. `equity` takes first the venues of the EPCIs with the fewest loans per 10,000
/// inhabitants over the last 12 months (counting what the plan already gave), then villages, then
/// venues never served; `first_come`, the order of arrival. Every decision carries its reason;
/// `summary.by_class` tells what the plan gives each commune class. The plan becomes the round's
/// proposal. The agency only.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    request_body = AllocateBody,
    responses(
        (status = 200, description = "The proposal", body = Proposal),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`round_closed`; `proposal_stale` (requests changed during the computation)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocation-rounds/{id}/allocate")]
async fn allocate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<AllocateBody>,
) -> ApiResult<web::Json<Proposal>> {
    let clock = state.clock;
    let id = id.into_inner();
    let policy = body.into_inner().policy;
    let settings = state.booking_settings();
    run_json(&state, move |conn| {
        service::allocate(conn, &principal, &settings, id, policy, clock.naive())
    })
    .await
}

/// Both policies' plans side by side, computed from the same reading of the round: what
/// `allocate` would propose under `equity` and under `first_come`, each with its summary (served
/// per commune class, the village–city gap in points, total km) and every decision's reason.
/// Nothing is stored: the current proposal, if any, stays. The agency only.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Round id")),
    responses(
        (status = 200, description = "The two plans", body = Comparison),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`round_closed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocation-rounds/{id}/compare")]
async fn compare(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Comparison>> {
    let clock = state.clock;
    let id = id.into_inner();
    let settings = state.booking_settings();
    run_json(&state, move |conn| {
        service::compare(conn, &principal, &settings, id, clock.naive())
    })
    .await
}

/// Books the current proposal in one transaction: one `approved` booking per assignment (quotes
/// frozen, subsidies committed as on any approval), and the round becomes `confirmed`. If a copy
/// was taken since the proposal, nothing is booked (409 `proposal_stale`). The agency only.
#[utoipa::path(
    tag = "allocation",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Round id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 printable ASCII characters, unique per request of your organisation. A retry with the same key and body within 24 h replays the first answer (same status and body, header `Idempotent-Replayed: true`) and acts no more; the same key with another body is 422 `idempotency_key_reused`; while the first request runs, 409 `idempotency_key_in_progress` with `Retry-After: 1`."),
    ),
    responses(
        (status = 200, description = "The bookings made", body = Confirmation),
        (status = 422, description = "A malformed `Idempotency-Key`; `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`round_closed`; `no_proposal`; `proposal_stale`; `idempotency_key_in_progress`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/allocation-rounds/{id}/confirm")]
async fn confirm(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    req: HttpRequest,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    // No body: the request is the method and the round's path.
    let keyed = crate::api::idempotency::KeyedRequest::new(
        &principal,
        key,
        &req,
        &serde_json::Value::Null,
    )?;
    crate::api::idempotency::once(&state, keyed, |_| async {
        let settings = state.booking_settings();
        let confirmation: Confirmation = state
            .run(move |conn| service::confirm(conn, &principal, &settings, id, clock.naive()))
            .await?;
        Ok(HttpResponse::Ok().json(confirmation))
    })
    .await
}
