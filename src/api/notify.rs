//! HTTP handlers of notifications: the agency's view of the mail sent, pending and dead.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::run_json;
use crate::http::{ApiResult, Problem};
use crate::notify::model::{Notification, NotificationQuery};
use crate::state::AppState;

/// Registers the notification routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_notifications);
}

/// The mail of the network, newest first: what went out, what waits for a retry (with the last
/// error) and what was given up after 24 hours (`status=dead`). The agency only: mail carries
/// every organisation's addresses.
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(NotificationQuery),
    responses(
        (status = 200, description = "The mail", body = Vec<Notification>),
        (status = 403, description = "Not the agency", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` outside 1–500", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/notifications")]
async fn list_notifications(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<NotificationQuery>,
) -> ApiResult<web::Json<Vec<Notification>>> {
    let query = query.into_inner();
    run_json(&state, move |conn| {
        crate::notify::service::visible(conn, &principal, &query)
    })
    .await
}
