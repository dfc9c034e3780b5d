//! Auth endpoints, and the extractor that turns a bearer credential into a [`Principal`].

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::access::Principal;
use crate::api::{act_on, run_json};
use crate::auth::service::{
    self, ApiKey, CreatedApiKey, LoginRequest, Me, MePatch, NewApiKey, PasswordChange,
    TokenResponse,
};
use crate::auth::{apikey, scope, session};
use crate::error::Error;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Registers the auth routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(me)
        .service(update_me)
        .service(change_password)
        .service(create_api_key)
        .service(list_api_keys)
        .service(revoke_api_key);
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let credential = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|v| v.trim().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request = req.clone();
        // The scope a key needs here, from the route as matched (one table: `auth::scope`).
        let needed = scope::required(
            req.method().as_str(),
            &req.match_pattern()
                .unwrap_or_else(|| req.path().to_string()),
        );
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::Internal("application state missing".into()))?;
            let clock = state.clock;
            let credential = credential.filter(|c| !c.is_empty()).ok_or_else(|| {
                Error::Unauthenticated(
                    "send an access token or API key as `Authorization: Bearer …`".into(),
                )
            })?;
            if credential.starts_with(apikey::KEY_PREFIX) {
                let (principal, scopes) = state
                    .run(move |conn| {
                        service::authenticate_api_key(conn, &credential, clock.naive())
                    })
                    .await?;
                service::require_scope(&scopes, needed)?;
                // Kept for the field-level rules a handler applies (`scope::require_granted`).
                actix_web::HttpMessage::extensions_mut(&request).insert(scope::Granted(scopes));
                Ok(principal)
            } else {
                let (principal, issued_at) = state.tokens.verify_issued(&credential)?;
                let user_id = principal.user_id.unwrap_or_default();
                let standing = standing_of(&state, user_id).await?;
                session::admit(standing, issued_at)?;
                // Rights come from where the user sits now, not from the token's claims.
                Ok(match standing.seat {
                    Some(seat) => Principal {
                        organization_id: seat.organization_id,
                        kind: seat.kind,
                        role: seat.role,
                        ..principal
                    },
                    None => principal,
                })
            }
        })
    }
}

/// A user's standing from this instance's memory; read again in the background when it ages,
/// read before answering only when unknown or too old (see [`session::REFRESH_AFTER`]).
async fn standing_of(
    state: &web::Data<AppState>,
    user_id: i64,
) -> crate::error::Result<session::Standing> {
    match state.user_gate.recall(user_id) {
        session::Recall::Fresh(standing) => Ok(standing),
        session::Recall::Refresh(standing, ticket) => {
            let state = state.clone();
            actix_web::rt::spawn(async move {
                match state
                    .run(move |conn| session::standing(conn, user_id))
                    .await
                {
                    Ok(fresh) => state.user_gate.remember(user_id, fresh, ticket),
                    Err(e) => {
                        tracing::warn!(error = %e, user_id, "could not read a user's standing again");
                        state.user_gate.refresh_failed(user_id);
                    }
                }
            });
            Ok(standing)
        }
        session::Recall::Unknown(ticket) => {
            let standing = state
                .run(move |conn| session::standing(conn, user_id))
                .await?;
            state.user_gate.remember(user_id, standing, ticket);
            Ok(standing)
        }
    }
}

/// Exchanges e-mail and password for a short-lived access token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Access token", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_credentials`: same answer for an unknown e-mail and a wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_attempts`: 5 failed logins for this e-mail within 15 minutes; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let clock = state.clock;
    let keys = state.tokens.clone();
    let body = body.into_inner();
    let token = state
        .run(move |conn| service::login(conn, &keys, &body, clock.naive()))
        .await?;
    Ok(web::Json(token))
}

/// The authenticated user (or API key) and their organisation.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
    )
)]
#[get("/me")]
async fn me(state: web::Data<AppState>, principal: Principal) -> ApiResult<web::Json<Me>> {
    run_json(&state, move |conn| service::me(conn, &principal)).await
}

/// Changes your mail preferences: the language (`fr`, `en`) and the mail kinds you turn off
/// (see `MailKind`). Users only: an API key has no preferences (403).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = MePatch,
    responses(
        (status = 200, description = "The caller, with the preferences now in force", body = Me),
        (status = 403, description = "An API key", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/me")]
async fn update_me(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<MePatch>,
) -> ApiResult<web::Json<Me>> {
    let body = body.into_inner();
    run_json(&state, move |conn| {
        service::update_me(conn, &principal, &body)
    })
    .await
}

/// Creates an API key for an organisation. The secret is in this response only; it is stored
/// hashed. Administrators create keys for their own organisation, agency administrators for any.
/// A key acts for its organisation with the rights of a member.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = NewApiKey,
    responses(
        (status = 201, description = "The key, with its secret shown once", body = CreatedApiKey),
        (status = 403, description = "Not an administrator of that organisation", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not visible", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or organisation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api-keys")]
async fn create_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewApiKey>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let created = state
        .run(move |conn| service::create_api_key(conn, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Query of the API key list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApiKeyQuery {
    /// Defaults to the caller's organisation.
    organization_id: Option<i64>,
}

/// Lists an organisation's API keys (without secrets), newest first.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    params(ApiKeyQuery),
    responses(
        (status = 200, description = "The keys", body = [ApiKey]),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not visible", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api-keys")]
async fn list_api_keys(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<ApiKeyQuery>,
) -> ApiResult<web::Json<Vec<ApiKey>>> {
    let organization_id = query.organization_id;
    run_json(&state, move |conn| {
        service::list_api_keys(conn, &principal, organization_id)
    })
    .await
}

/// Revokes an API key at once (on every instance: keys are checked in the database).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "API key id")),
    responses(
        (status = 200, description = "The revoked key", body = ApiKey),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api-keys/{id}")]
async fn revoke_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ApiKey>> {
    Ok(web::Json(
        act_on(&state, principal, id, service::revoke_api_key).await?,
    ))
}

/// Changes the caller's password. Every token issued before is refused from then on: log in
/// again. A wrong current password counts as a failed login (5 within 15 minutes → 429).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; log in again"),
        (status = 403, description = "An API key (keys have no password)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or a new one shorter than 10 characters", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_attempts`: wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<PasswordChange>,
) -> ApiResult<HttpResponse> {
    let clock = state.clock;
    let body = body.into_inner();
    let gate = state.user_gate.clone();
    state
        .run(move |conn| service::change_password(conn, &gate, &principal, &body, clock.naive()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
