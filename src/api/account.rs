//! Account endpoints: invitations, password reset, a member's role and activity. Thin: each
//! parses, calls the service with `now`, and answers.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::account::invitation::{self, Acceptance, Invitation, NewInvitation};
use crate::account::link::MailContext;
use crate::account::members::{self, UserPatch};
use crate::account::reset::{self, ResetConfirmation, ResetRequest};
use crate::api::run_json;
use crate::http::{ApiResult, Problem};
use crate::organization::User;
use crate::state::AppState;

/// Registers the account routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(invite)
        .service(list_invitations)
        .service(accept_invitation)
        .service(request_password_reset)
        .service(confirm_password_reset)
        .service(update_user);
}

/// Invites a colleague by e-mail into an organisation (the agency's administrators anywhere, an
/// organisation's administrators into their own). The mail, in `locale` (French by default),
/// links to `{public_base_url}/invitations/{token}`, valid 7 days and once; the account is
/// created when the invitee accepts with a password of their choice.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    request_body = NewInvitation,
    responses(
        (status = 201, description = "The invitation (the link is only in the mail)", body = Invitation),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator of that organisation, or an API key without `admin`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`: the address already has an account", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid e-mail, unknown organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invitations")]
async fn invite(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewInvitation>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let ctx = MailContext::of(&state.config);
    let created = state
        .run(move |conn| invitation::invite(conn, &ctx, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Query of the invitation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// Defaults to the caller's organisation.
    organization_id: Option<i64>,
}

/// The invitations of an organisation, newest first: pending, accepted (with the account made)
/// and expired ones, for those who may invite into it.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(InvitationQuery),
    responses(
        (status = 200, description = "The invitations", body = [Invitation]),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator of that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invitations")]
async fn list_invitations(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<InvitationQuery>,
) -> ApiResult<web::Json<Vec<Invitation>>> {
    let organization_id = query.organization_id;
    run_json(&state, move |conn| {
        invitation::list(conn, &principal, organization_id)
    })
    .await
}

/// Accepts an invitation with the token of its link and the password the invitee chooses: the
/// account is created with the invitation's address, organisation, role and language. No token
/// needed. A used, expired or unknown link → 410 `link_expired` (one answer for the three); a
/// short password → 422 and the link still works.
#[utoipa::path(
    tag = "accounts",
    request_body = Acceptance,
    responses(
        (status = 201, description = "The account created; log in with its e-mail and the password chosen", body = User),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`: an account with this address was made meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`link_expired`: the link was used, has expired or does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A password shorter than 10 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/invitations/accept")]
async fn accept_invitation(
    state: web::Data<AppState>,
    body: web::Json<Acceptance>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let user = state
        .run(move |conn| invitation::accept(conn, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(user))
}

/// Asks for a password reset. Always 202, whether the address has an account or not; a known,
/// active user gets a mail in their language linking to `{public_base_url}/password-reset/{token}`,
/// valid 1 hour and once. Throttled: 3 requests per address and 20 per client within an hour,
/// for known and unknown addresses alike (429 `too_many_attempts` with `Retry-After`).
#[utoipa::path(
    tag = "accounts",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "Asked; a mail follows if the address has an active account"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or overlong address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_attempts`: too many requests for this address or from this client; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password-reset")]
async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ResetRequest>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let ctx = MailContext::of(&state.config);
    // The connection's own address: a forwarded header would let a client pick its identity.
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    state
        .run(move |conn| reset::request(conn, &ctx, &body, &client, clock.naive()))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Sets a new password with the token of a reset link. Every earlier access token and session
/// of the user ends (log in again), and every other reset link of theirs stops working. A used,
/// expired or unknown link → 410 `link_expired`; a short password → 422 and the link still
/// works.
#[utoipa::path(
    tag = "accounts",
    request_body = ResetConfirmation,
    responses(
        (status = 204, description = "Changed; log in with the new password"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`link_expired`: the link was used, has expired or does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A password shorter than 10 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password-reset/confirm")]
async fn confirm_password_reset(
    state: web::Data<AppState>,
    body: web::Json<ResetConfirmation>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let gate = state.user_gate.clone();
    state
        .run(move |conn| reset::confirm(conn, &gate, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes a member's role and/or activity (the agency, or an administrator of the member's
/// organisation). `active: false` deactivates (no login, every token refused on every instance
/// within seconds); `active: true` reactivates. A role change or a reactivation ends the
/// member's current tokens: they log in again. Nobody changes themselves (403).
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The user as changed", body = User),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator of the user's organisation, or the caller themselves", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
async fn update_user(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    body: web::Json<UserPatch>,
) -> ApiResult<web::Json<User>> {
    let clock = state.clock;
    let id = id.into_inner();
    let body = body.into_inner();
    let gate = state.user_gate.clone();
    run_json(&state, move |conn| {
        members::update_member(conn, &gate, &principal, id, &body, clock.naive())
    })
    .await
}
