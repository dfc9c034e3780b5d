//! The agency's view of the audit log.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{AuditEntry, AuditQuery};
use crate::access::Principal;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;

/// Registers the audit route.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit);
}

/// Who changed what and when, newest first: organisations, users, API keys, resources, copies,
/// tariffs, the pricing policy, subsidy programmes and webhooks (bookings keep their own
/// history). Filter by object or by the actor's organisation; page with `before_id`. The agency
/// only.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The log", body = Vec<AuditEntry>),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` outside 1–500", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
async fn list_audit(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Vec<AuditEntry>>> {
    let query = query.into_inner();
    let agency = crate::access::policy::sees_whole_network(&principal);
    Ok(web::Json(
        state
            .run(move |conn| super::list(conn, agency, &query))
            .await?,
    ))
}
