//! Catalogue endpoints.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{act_on, run_json};
use crate::catalogue::model::{
    Component, ComponentPatch, Copy, CopyPatch, NewComponent, NewCopy, NewResource, Resource,
    ResourcePage, ResourcePatch,
};
use crate::catalogue::search::{SearchFilter, SearchParams};
use crate::catalogue::service;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Registers the catalogue routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_resource)
        .service(search_resources)
        .service(get_resource)
        .service(update_resource)
        .service(delete_resource)
        .service(create_copy)
        .service(list_copies)
        .service(get_copy)
        .service(update_copy)
        .service(create_component)
        .service(list_components)
        .service(update_component);
}

/// Publishes a resource. A producer publishes in its own catalogue; the agency names the
/// producer with `producer_id`.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    request_body = NewResource,
    responses(
        (status = 201, description = "The resource", body = Resource),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a producer (or the agency), or another producer's catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: empty title, unknown kind/theme/audience (reported as `themes[i]`), negative weight, …", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/resources")]
async fn create_resource(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewResource>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let resource = state
        .run(move |conn| service::create_resource(conn, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(resource))
}

/// Searches the catalogue; all filters combine, and `kind`, `theme` and `audience` may repeat
/// (any of the values). Pages follow a cursor that stays stable when resources are added
/// meanwhile, and each carries `total`. With `near`, `near_commune` or `near_venue`, each item
/// carries `distance_km` to its nearest copy in service (retired copies are never offered) and
/// the list is sorted by it; when nothing is within the radius, `nearest_beyond` is the nearest
/// matching resource farther away.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(SearchParams),
    responses(
        (status = 200, description = "A page of resources", body = ResourcePage),
        (status = 400, description = "Unknown parameter or unparseable value", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter values; an unknown `near_commune` or `near_venue`; more than one of `near`, `near_commune` and `near_venue`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources")]
async fn search_resources(
    state: web::Data<AppState>,
    _principal: Principal,
    req: HttpRequest,
) -> ApiResult<web::Json<ResourcePage>> {
    let params = SearchParams::from_query(req.query_string())
        .map_err(|e| ApiError::Malformed(format!("invalid query string: {e}")))?;
    let filter = SearchFilter::from_params(params)?;
    run_json(&state, move |conn| service::search_resources(conn, &filter)).await
}

/// One resource (deleted resources answer 404).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 200, description = "The resource", body = Resource),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}")]
async fn get_resource(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Resource>> {
    let id = id.into_inner();
    run_json(&state, move |conn| service::get_resource(conn, id)).await
}

/// Changes a resource (its producer or the agency); only the fields given change.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = ResourcePatch,
    responses(
        (status = 200, description = "The updated resource", body = Resource),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/resources/{id}")]
async fn update_resource(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<ResourcePatch>,
) -> ApiResult<web::Json<Resource>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    run_json(&state, move |conn| {
        service::update_resource(conn, &principal, id, &body, clock.naive())
    })
    .await
}

/// Withdraws a resource from the catalogue. It is soft-deleted: kept for the bookings and
/// history that name it, hidden from search and reads.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/resources/{id}")]
async fn delete_resource(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    act_on(&state, principal, id, service::delete_resource).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a physical copy with its asset tag; it starts at its depot (default: the producer's
/// commune), available and graded 5 unless told otherwise.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = NewCopy,
    responses(
        (status = 201, description = "The copy", body = Copy),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`asset_tag_taken`: the producer already uses this tag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid tag, grade or commune", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/resources/{id}/copies")]
async fn create_copy(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<NewCopy>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let copy = state
        .run(move |conn| service::create_copy(conn, &principal, id, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(copy))
}

/// The copies of a resource, retired ones included.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 200, description = "The copies", body = [Copy]),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/copies")]
async fn list_copies(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Copy>>> {
    let id = id.into_inner();
    run_json(&state, move |conn| service::list_copies(conn, id)).await
}

/// One copy.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    responses(
        (status = 200, description = "The copy", body = Copy),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/copies/{id}")]
async fn get_copy(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Copy>> {
    let id = id.into_inner();
    run_json(&state, move |conn| service::get_copy(conn, id)).await
}

/// Changes a copy's asset tag, depot, grade or service status (`available`, `maintenance`,
/// `retired` with a reason; retirement is final).
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Copy id")),
    request_body = CopyPatch,
    responses(
        (status = 200, description = "The updated copy", body = Copy),
        (status = 403, description = "Another producer's copy, or `insufficient_scope`: an API key without `condition:write` changing the status, retirement reason or grade", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such copy", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`asset_tag_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/copies/{id}")]
async fn update_copy(
    state: web::Data<AppState>,
    principal: Principal,
    req: actix_web::HttpRequest,
    id: web::Path<i64>,
    body: web::Json<CopyPatch>,
) -> ApiResult<web::Json<Copy>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    if body.changes_condition() {
        crate::auth::scope::require_granted(&req, crate::auth::scope::Scope::ConditionWrite)?;
    }
    let settings = state.booking_settings();
    run_json(&state, move |conn| {
        crate::condition::service::update_copy(
            conn,
            &principal,
            &settings,
            id,
            &body,
            clock.naive(),
        )
    })
    .await
}

/// Adds a component (name and quantity) to the list a condition check counts.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = NewComponent,
    responses(
        (status = 201, description = "The component", body = Component),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`component_exists`: same name already listed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty name or quantity below 1", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/resources/{id}/components")]
async fn create_component(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<NewComponent>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let component = state
        .run(move |conn| service::create_component(conn, &principal, id, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(component))
}

/// The components of a resource.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 200, description = "The components", body = [Component]),
        (status = 404, description = "No such resource", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/resources/{id}/components")]
async fn list_components(
    state: web::Data<AppState>,
    _principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Vec<Component>>> {
    let id = id.into_inner();
    run_json(&state, move |conn| service::list_components(conn, id)).await
}

/// Changes a component: the quantity condition checks expect, or the replacement cost of a unit
/// (what a unit missing or damaged at return or inspection is charged from now on). Its producer
/// or the agency.
#[utoipa::path(
    tag = "catalogue",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Resource id"),
        ("component_id" = i64, Path, description = "Component id"),
    ),
    request_body = ComponentPatch,
    responses(
        (status = 200, description = "The component", body = Component),
        (status = 403, description = "Another producer's resource", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource or component", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A quantity below 1 or a negative cost", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/resources/{id}/components/{component_id}")]
async fn update_component(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
    body: web::Json<ComponentPatch>,
) -> ApiResult<web::Json<Component>> {
    let (id, component_id) = path.into_inner();
    let patch = body.into_inner();
    let clock = state.clock;
    run_json(&state, move |conn| {
        service::update_component(conn, &principal, id, component_id, &patch, clock.naive())
    })
    .await
}
