//! The JSON API's handlers, one file per domain: each reads the request, asks the shared state for
//! a connection and the clock, calls its domain's service and writes the answer. They sit above
//! every domain (a front, like the portal), so no domain module imports a handler or the state
//! they share; `app` wires their routes.

pub mod account;
pub mod allocation;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod booking;
pub mod catalogue;
pub mod condition;
pub mod evaluation;
pub mod idempotency;
pub mod media;
pub mod notify;
pub mod observatory;
pub mod organization;
pub mod territory;
pub mod transport;
pub mod webhooks;

use actix_web::web;
use chrono::NaiveDateTime;

use crate::access::Principal;
use crate::db::DbConnection;
use crate::http::ApiResult;
use crate::state::AppState;

/// Runs `action` for the caller on the object whose id the path names, at the clock's now: what
/// every handler that acts on one object (revokes, credits, cancels, deletes it) does before it
/// writes its answer.
pub(crate) async fn act_on<T: Send + 'static>(
    state: &AppState,
    principal: Principal,
    id: web::Path<i64>,
    action: impl FnOnce(&mut DbConnection, &Principal, i64, NaiveDateTime) -> crate::error::Result<T>
        + Send
        + 'static,
) -> ApiResult<T> {
    let clock = state.clock;
    let id = id.into_inner();
    Ok(state
        .run(move |conn| action(conn, &principal, id, clock.naive()))
        .await?)
}

/// The object whose id the path names, as `read` shows it to the caller, in JSON: what every
/// handler that reads one object the caller may not see (a booking, an evaluation, a round)
/// answers.
pub(crate) async fn shown<T: Send + 'static>(
    state: &AppState,
    principal: Principal,
    id: web::Path<i64>,
    read: impl FnOnce(&mut DbConnection, &Principal, i64) -> crate::error::Result<T> + Send + 'static,
) -> ApiResult<web::Json<T>> {
    let id = id.into_inner();
    run_json(state, move |conn| read(conn, &principal, id)).await
}

/// Runs `work` on a database connection ([`AppState::run`]) and answers what it returns as JSON:
/// the last step of most handlers.
pub(crate) async fn run_json<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&mut DbConnection) -> crate::error::Result<T> + Send + 'static,
) -> ApiResult<web::Json<T>> {
    Ok(web::Json(state.run(work).await?))
}
