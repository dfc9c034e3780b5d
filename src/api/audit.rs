//! The agency's view of the audit log.

use actix_web::{get, web, HttpMessage, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::{policy, Principal};
use crate::api::run_json;
use crate::audit::{AuditEntry, AuditQuery};
use crate::auth::scope::{self, Granted};
use crate::auth::service;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;

/// Registers the audit route.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit);
}

/// Who changed what and when, newest first: organisations, users, API keys, resources, copies,
/// tariffs, the pricing policy, subsidy programmes and webhooks (bookings keep their own
/// history). Filter by object or by the actor's organisation; page with `before_id`. The agency
/// only, and no more than it may read elsewhere: an entry about an object the caller may not
/// read through its own route (for an API key, without the scope that route needs) comes with
/// its details withheld (`redacted`), and filtering on such an object type is refused.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The log", body = Vec<AuditEntry>),
        (status = 403, description = "Not the agency; `insufficient_scope`: `object_type` names objects the key may not read through their own route (`user`, `api_key`, `invitation` need `admin`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` outside 1–500", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
async fn list_audit(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Vec<AuditEntry>>> {
    let query = query.into_inner();
    policy::read_audit(&principal)?;
    // An API key's scopes: each entry is judged by the scope its object's own route needs.
    let granted = req.extensions().get::<Granted>().map(|g| g.0.clone());
    let route_open = move |route: &str| match &granted {
        Some(scopes) => service::require_scope(scopes, scope::required("GET", route)),
        None => Ok(()),
    };
    run_json(&state, move |conn| {
        crate::audit::list(conn, &query, &|object_type| {
            policy::read_audit_entry(&principal, object_type, &route_open)
        })
    })
    .await
}
